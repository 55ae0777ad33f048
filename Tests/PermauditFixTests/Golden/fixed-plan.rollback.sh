#!/bin/bash
# permaudit fix plan 0123456789ab (rollback), strategy acl
# for uid=5101(elastic-agent-user) gid=6101(elastic-agent) groups=6101(elastic-agent) caps=none
# Undoes fix.sh.
# Usage: bash THIS_SCRIPT [--dry-run]    (as root)
# target: read /var/log/auth.log (asked): denied -> granted

set -euo pipefail

usage() { printf 'usage: %s [--dry-run]\n' "$0" >&2; exit 2; }
dry_run=0
for arg in "$@"; do
  case $arg in
    --dry-run) if ((dry_run)); then usage; fi; dry_run=1 ;;
    *) usage ;;
  esac
done
# The fix runs in two phases (check, then apply); the rollback in one.
phase=apply
if ((dry_run)); then phase=check; fi
state_dir='/var/lib/permaudit/fix/0123456789ab'
changed=0
unchanged=0
skipped=0

say() { printf '%s\n' "$*"; }
# note TEXT: what a step found or would do, said once: in the phase that acts, or in a dry run.
note() { if [[ $phase == apply ]] || ((dry_run)); then say "$@"; fi; }
# shown PATH: the path on one line, control bytes escaped.
shown() { printf '%q' "$1"; }
skip() {
  printf 'step %s: SKIPPED %s: %s\n' "$1" "$(shown "$2")" "$3" >&2
  skipped=$((skipped + 1))
}
# kind PATH: the type, never following a symlink.
kind() {
  if [[ -L $1 ]]; then say symlink
  elif [[ -f $1 ]]; then say file
  elif [[ -d $1 ]]; then say directory
  else say other
  fi
}
require_root() {
  if [[ $(id -u) -ne 0 ]]; then
    say "error: run this as root (it changes ACLs and system files); nothing was changed" >&2
    exit 2
  fi
  local tool
  for tool in getfacl setfacl stat base64 cmp install; do
    command -v "$tool" >/dev/null || { say "error: $tool is missing (apt-get install acl coreutils diffutils)" >&2; exit 2; }
  done
}

# undo_acl N PATH TYPE BEFORE AFTER BEFORE_SHORT: back to the saved ACL, only where the plan's ACL is in place.
# Read and set through a descriptor of the object (as the fix does), so a folder swapped on the way
# cannot steer it: only an object that bears exactly the plan's ACL is put back.
undo_acl() {
  local n=$1 path=$2 type=$3 before=$4 after=$5 short=$6 now obj fd
  if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link now"; return 0; fi
  if [[ ! -e $path ]]; then say "step $n: nothing to undo: $(shown "$path") is gone"; return 0; fi
  if [[ $(kind "$path") != "$type" ]]; then skip "$n" "$path" "is no longer a $type"; return 0; fi
  if ! { exec {fd}<"$path"; } 2>/dev/null; then skip "$n" "$path" "cannot be opened"; return 0; fi
  obj=/proc/$$/fd/$fd
  if [[ -L $path || $(if [[ -f $obj ]]; then echo 'file'; elif [[ -d $obj ]]; then echo 'directory'; fi) != "$type" ]]; then
    exec {fd}<&-; skip "$n" "$path" "is no longer a $type"; return 0
  fi
  now=$(getfacl -p -a -c -n -E -- "$obj")
  if [[ $now == "$before" ]]; then exec {fd}<&-; say "step $n: unchanged: $(shown "$path") already has its old ACL"; unchanged=$((unchanged + 1)); return 0; fi
  if [[ $now != "$after" ]]; then exec {fd}<&-; skip "$n" "$path" "has an ACL this plan did not set"; return 0; fi
  if ((dry_run)); then exec {fd}<&-; say "step $n: would restore the ACL of $(shown "$path")"; return 0; fi
  if [[ -e $state_dir/$n.acl ]]; then
    setfacl --set-file="$state_dir/$n.acl" -- "$obj"
  else
    setfacl --set "$short" -- "$obj"
  fi
  exec {fd}<&-
  say "step $n: restored $(shown "$path")"
  changed=$((changed + 1))
}

# undo_rotated N DIR BASE TYPE BEFORE AFTER BEFORE_SHORT: copies rotation made of a granted log carry the grant too.
undo_rotated() {
  local n=$1 dir=$2 base=$3 f rest
  for f in "$dir/$base".* "$dir/$base"-*; do
    [[ -e $f || -L $f ]] || continue
    rest=${f#"$dir/$base"}
    [[ $rest =~ ^[.-][0-9]+(\.(gz|xz|bz2|zst))?$ ]] || continue
    undo_acl "$n" "$f" "$4" "$5" "$6" "$7"
  done
}

# undo_write N PATH BASE64: removes a file the plan wrote, if it is still what the plan wrote.
undo_write() {
  local n=$1 path=$2 content=$3
  if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link"; return 0; fi
  if [[ ! -e $path ]]; then say "step $n: unchanged: $(shown "$path") is not there"; unchanged=$((unchanged + 1)); return 0; fi
  if ! cmp -s -- <(printf '%s' "$content" | base64 -d) "$path"; then skip "$n" "$path" "has other content than the plan wrote"; return 0; fi
  if ((dry_run)); then say "step $n: would remove $(shown "$path")"; return 0; fi
  rm -f -- "$path"
  say "step $n: removed $(shown "$path")"
  changed=$((changed + 1))
}

# undo_edit N PATH BEFORE_BASE64 AFTER_BASE64
undo_edit() {
  local n=$1 path=$2 before=$3 after=$4 tmp
  if [[ -L $path || ! -f $path ]]; then skip "$n" "$path" "is not a regular file"; return 0; fi
  if cmp -s -- <(printf '%s' "$before" | base64 -d) "$path"; then say "step $n: unchanged: $(shown "$path") is as before"; unchanged=$((unchanged + 1)); return 0; fi
  if ! cmp -s -- <(printf '%s' "$after" | base64 -d) "$path"; then skip "$n" "$path" "changed since the plan edited it"; return 0; fi
  if ((dry_run)); then say "step $n: would restore $(shown "$path")"; return 0; fi
  tmp=$(mktemp -- "$path.permaudit.XXXXXX")
  cp -p -- "$path" "$tmp"
  printf '%s' "$before" | base64 -d >"$tmp"
  mv -f -T -- "$tmp" "$path"
  say "step $n: restored $(shown "$path")"
  changed=$((changed + 1))
}

# undo_group N USER GROUP: only if the fix script added it.
undo_group() {
  local n=$1 user=$2 group=$3
  if [[ ! -e $state_dir/$n.added ]]; then say "step $n: unchanged: the fix did not add $user to $group"; unchanged=$((unchanged + 1)); return 0; fi
  if ((dry_run)); then say "step $n: would remove $user from $group"; return 0; fi
  gpasswd -d "$user" "$group" >/dev/null
  rm -f -- "$state_dir/$n.added"
  say "step $n: removed $user from $group"
  changed=$((changed + 1))
}

require_root

# Step 5: run the re-apply after rotation
#   change: add the helper to postrotate
undo_edit 5 '/etc/logrotate.d/rsyslog' 'L3Zhci9sb2cvYXV0aC5sb2cgewoJY3JlYXRlIDA2NDAgcm9vdCBhZG0KfQo=' 'L3Zhci9sb2cvYXV0aC5sb2cgewoJY3JlYXRlIDA2NDAgcm9vdCBhZG0KCXBvc3Ryb3RhdGUKCQkvdXNyL2xvY2FsL3NiaW4vcGVybWF1ZGl0LXJlYXBwbHktMDEyMzQ1Njc4OQoJZW5kc2NyaXB0Cn0K'

# Step 4: rotation does not keep the ACL
#   change: write the helper
undo_write 4 '/usr/local/sbin/permaudit-reapply-0123456789' 'IyEvYmluL2Jhc2gKc2V0ZmFjbCAtUCAtbSBnOjYxMDE6ci0tIC0tICcvdmFyL2xvZy9hdXRoLmxvZycK'

# Step 3: read on a hostile name
#   change: setfacl
undo_acl 3 $'/var/log/\x24(touch X) \x27a\x27\x0a-\xff' 'file' $'user::rw-\x0agroup::r--\x0aother::---' $'user::rw-\x0agroup::r--\x0agroup:6101:r--\x0amask::r--\x0aother::---' 'u::rw-,g::r--,o::---'

# Step 2: read on /var/log/auth.log
#   change: setfacl -m g:6101:r--,m::r-- -- /var/log/auth.log
#   persists: logrotate stanza /etc/logrotate.d/rsyslog:1 uses `create 0640 root adm`: the plan adds a postrotate re-apply
undo_acl 2 '/var/log/auth.log' 'file' $'user::rw-\x0agroup::r--\x0aother::---' $'user::rw-\x0agroup::r--\x0agroup:6101:r--\x0amask::r--\x0aother::---' 'u::rw-,g::r--,o::---'
undo_rotated 2 '/var/log' 'auth.log' 'file' $'user::rw-\x0agroup::r--\x0aother::---' $'user::rw-\x0agroup::r--\x0agroup:6101:r--\x0amask::r--\x0aother::---' 'u::rw-,g::r--,o::---'

# Step 1: search on /var/log blocks the walk to /var/log/auth.log
#   change: setfacl -m g:6101:--x,m::r-x -- /var/log
#   blast radius: the mask goes from no mask to r-x
#   blast radius: 5101(elastic-agent-user) search /var/log: denied -> granted
undo_acl 1 '/var/log' 'directory' $'user::rwx\x0agroup::r-x\x0aother::---' $'user::rwx\x0agroup::r-x\x0agroup:6101:--x\x0amask::r-x\x0aother::---' 'u::rwx,g::r-x,o::---'

if ((skipped)); then
  say "$skipped object(s) skipped: not as the plan left them." >&2
  exit 1
fi
if ((dry_run)); then say "dry run: nothing was changed"; exit 0; fi
# Everything is back as the plan found it: what the fix saved (the old ACLs, copies of edited files,
# the note of a membership it added) is not needed any more. Only those files, only this plan's folder.
if [[ -d $state_dir && ! -L $state_dir ]]; then
  rm -f -- "$state_dir"/*.acl "$state_dir"/*.orig "$state_dir"/*.added
  rmdir -- "$state_dir" 2>/dev/null || true
fi
if ((changed == 0)); then say "nothing to undo"; else say "$changed change(s) undone, $unchanged already as before"; fi
