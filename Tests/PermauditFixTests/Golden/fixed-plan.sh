#!/bin/bash
# permaudit fix plan 0123456789ab (fix), strategy acl
# for uid=5101(elastic-agent-user) gid=6101(elastic-agent) groups=6101(elastic-agent) caps=none
# Undo it with fix.rollback.sh (it uses the ACLs this script saves).
# Usage: bash THIS_SCRIPT [--dry-run] [--partial]    (as root)
# target: read /var/log/auth.log (asked): denied -> granted

set -euo pipefail

usage() { printf 'usage: %s [--dry-run] [--partial]\n' "$0" >&2; exit 2; }
dry_run=0
partial=0
for arg in "$@"; do
  case $arg in
    --dry-run) if ((dry_run)); then usage; fi; dry_run=1 ;;
    --partial) if ((partial)); then usage; fi; partial=1 ;;
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

# open_object N PATH TYPE: opens the object (obj_fd), not through a symlink at its name, and checks its
# type on the descriptor. Everything after reads and changes it through /proc/$$/fd/$obj_fd, never by
# name again: a folder on the way swapped for a symlink meanwhile cannot steer the change onto
# another file. (A FIFO swapped in can make the open wait; it changes nothing.)
obj_fd=""
open_object() {
  local n=$1 path=$2 type=$3 got obj
  close_object
  if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link now"; return 1; fi
  if [[ ! -e $path ]]; then skip "$n" "$path" "is gone"; return 1; fi
  if [[ $(kind "$path") != "$type" ]]; then skip "$n" "$path" "is no longer a $type"; return 1; fi
  if ! { exec {obj_fd}<"$path"; } 2>/dev/null; then obj_fd=""; skip "$n" "$path" "cannot be opened"; return 1; fi
  obj=/proc/$$/fd/$obj_fd
  if [[ -f $obj ]]; then got='file'; elif [[ -d $obj ]]; then got='directory'; else got='other'; fi
  if [[ $got != "$type" ]]; then close_object; skip "$n" "$path" "is no longer a $type"; return 1; fi
}
# verify_object N PATH TYPE UID DEV INODE: the opened object is the one planned (owner, device, inode).
verify_object() {
  local n=$1 path=$2 type=$3 uid=$4 dev=$5 ino=$6 got
  got="$type|$(stat -L -c '%u|%d|%i' -- "/proc/$$/fd/$obj_fd")"
  if [[ $got != "$type|$uid|$dev|$ino" ]]; then
    close_object
    skip "$n" "$path" "is not the object planned (planned $type|$uid|$dev|$ino, found $got)"
    return 1
  fi
}
close_object() {
  if [[ -n $obj_fd ]]; then exec {obj_fd}<&-; obj_fd=""; fi
}

# root_only_parents N PATH: a file is written or edited only below folders that root alone can
# write (owner root, no group or other write; the mode's group bits bound every ACL entry), so
# nobody can swap a folder on the way while the script works by name.
root_only_parents() {
  local n=$1 dir=$2 st
  while [[ $dir != / && $dir != . ]]; do
    dir=$(dirname -- "$dir")
    st=$(stat -L -c '%u %a' -- "$dir" 2>/dev/null) || continue
    if [[ ${st%% *} != 0 ]] || (( 8#${st#* } & 8#022 )); then
      skip "$n" "$2" "lies below $(shown "$dir") (owner and mode: $st), which someone other than root can change"
      return 1
    fi
  done
}

# save_acl N OBJECT: keeps the ACL as it was before this plan first touched the object.
save_acl() {
  local n=$1 obj=$2
  mkdir -p -- "$state_dir"
  if [[ ! -e $state_dir/$n.acl ]]; then
    getfacl -p -a -c -n -E -- "$obj" >"$state_dir/$n.acl.tmp"
    mv -f -- "$state_dir/$n.acl.tmp" "$state_dir/$n.acl"
  fi
}

# step_acl N PATH TYPE UID DEV INODE BEFORE AFTER AFTER_SHORT
step_acl() {
  local n=$1 path=$2 type=$3 uid=$4 dev=$5 ino=$6 before=$7 after=$8 short=$9 now obj
  open_object "$n" "$path" "$type" || return 0
  obj=/proc/$$/fd/$obj_fd
  now=$(getfacl -p -a -c -n -E -- "$obj")
  if [[ $now == "$after" ]]; then close_object; note "step $n: unchanged: $(shown "$path") already has the planned ACL"; unchanged=$((unchanged + 1)); return 0; fi
  if [[ $now != "$before" ]]; then close_object; skip "$n" "$path" "has an ACL that changed since the plan"; return 0; fi
  verify_object "$n" "$path" "$type" "$uid" "$dev" "$ino" || return 0
  if [[ $phase == check ]]; then close_object; note "step $n: would set the ACL of $(shown "$path") to $short"; return 0; fi
  save_acl "$n" "$obj"
  setfacl --set "$short" -- "$obj"
  close_object
  say "step $n: changed: $(shown "$path") ACL is now $short"
  changed=$((changed + 1))
}

# step_write N PATH MODE BASE64: a new file with exactly this content.
step_write() {
  local n=$1 path=$2 mode=$3 content=$4
  root_only_parents "$n" "$path" || return 0
  if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link"; return 0; fi
  if [[ -e $path ]]; then
    if cmp -s -- <(printf '%s' "$content" | base64 -d) "$path"; then
      note "step $n: unchanged: $(shown "$path") already written"; unchanged=$((unchanged + 1))
    else
      skip "$n" "$path" "exists with other content"
    fi
    return 0
  fi
  if [[ $phase == check ]]; then note "step $n: would write $(shown "$path") (mode $mode)"; return 0; fi
  mkdir -p -- "$(dirname -- "$path")"
  install -m "$mode" -T -- <(printf '%s' "$content" | base64 -d) "$path"
  say "step $n: changed: wrote $(shown "$path")"
  changed=$((changed + 1))
}

# step_edit N PATH BEFORE_BASE64 AFTER_BASE64: replaces a config file's content, only if it is still the planned one.
step_edit() {
  local n=$1 path=$2 before=$3 after=$4 tmp
  root_only_parents "$n" "$path" || return 0
  if [[ -L $path || ! -f $path ]]; then skip "$n" "$path" "is not a regular file"; return 0; fi
  if cmp -s -- <(printf '%s' "$after" | base64 -d) "$path"; then
    note "step $n: unchanged: $(shown "$path") already edited"; unchanged=$((unchanged + 1)); return 0
  fi
  if ! cmp -s -- <(printf '%s' "$before" | base64 -d) "$path"; then skip "$n" "$path" "changed since the plan"; return 0; fi
  if [[ $phase == check ]]; then note "step $n: would edit $(shown "$path")"; return 0; fi
  mkdir -p -- "$state_dir"
  [[ -e $state_dir/$n.orig ]] || cp -p -- "$path" "$state_dir/$n.orig"
  tmp=$(mktemp -- "$path.permaudit.XXXXXX")
  cp -p -- "$path" "$tmp"
  printf '%s' "$after" | base64 -d >"$tmp"
  mv -f -T -- "$tmp" "$path"
  say "step $n: changed: edited $(shown "$path")"
  changed=$((changed + 1))
}

# step_group N USER GROUP
step_group() {
  local n=$1 user=$2 group=$3
  if id -nG -- "$user" | tr ' ' '\n' | grep -qxF -- "$group"; then
    note "step $n: unchanged: $user is already in $group"; unchanged=$((unchanged + 1)); return 0
  fi
  if [[ $phase == check ]]; then note "step $n: would add $user to $group"; return 0; fi
  mkdir -p -- "$state_dir"
  : >"$state_dir/$n.added"
  usermod -a -G "$group" -- "$user"
  say "step $n: changed: added $user to $group"
  changed=$((changed + 1))
}

require_root

# Every step, run twice: first only checked (phase=check), then carried out, each re-checked just before its change.
steps() {
  # Step 1: search on /var/log blocks the walk to /var/log/auth.log
  #   change: setfacl -m g:6101:--x,m::r-x -- /var/log
  #   blast radius: the mask goes from no mask to r-x
  #   blast radius: 5101(elastic-agent-user) search /var/log: denied -> granted
  step_acl 1 '/var/log' 'directory' 0 2049 100 $'user::rwx\x0agroup::r-x\x0aother::---' $'user::rwx\x0agroup::r-x\x0agroup:6101:--x\x0amask::r-x\x0aother::---' 'u::rwx,g::r-x,g:6101:--x,m::r-x,o::---'

  # Step 2: read on /var/log/auth.log
  #   change: setfacl -m g:6101:r--,m::r-- -- /var/log/auth.log
  #   persists: logrotate stanza /etc/logrotate.d/rsyslog:1 uses `create 0640 root adm`: the plan adds a postrotate re-apply
  step_acl 2 '/var/log/auth.log' 'file' 0 2049 101 $'user::rw-\x0agroup::r--\x0aother::---' $'user::rw-\x0agroup::r--\x0agroup:6101:r--\x0amask::r--\x0aother::---' 'u::rw-,g::r--,g:6101:r--,m::r--,o::---'

  # Step 3: read on a hostile name
  #   change: setfacl
  step_acl 3 $'/var/log/\x24(touch X) \x27a\x27\x0a-\xff' 'file' 0 2049 102 $'user::rw-\x0agroup::r--\x0aother::---' $'user::rw-\x0agroup::r--\x0agroup:6101:r--\x0amask::r--\x0aother::---' 'u::rw-,g::r--,g:6101:r--,m::r--,o::---'

  # Step 4: rotation does not keep the ACL
  #   change: write the helper
  step_write 4 '/usr/local/sbin/permaudit-reapply-0123456789' 0755 'IyEvYmluL2Jhc2gKc2V0ZmFjbCAtUCAtbSBnOjYxMDE6ci0tIC0tICcvdmFyL2xvZy9hdXRoLmxvZycK'

  # Step 5: run the re-apply after rotation
  #   change: add the helper to postrotate
  step_edit 5 '/etc/logrotate.d/rsyslog' 'L3Zhci9sb2cvYXV0aC5sb2cgewoJY3JlYXRlIDA2NDAgcm9vdCBhZG0KfQo=' 'L3Zhci9sb2cvYXV0aC5sb2cgewoJY3JlYXRlIDA2NDAgcm9vdCBhZG0KCXBvc3Ryb3RhdGUKCQkvdXNyL2xvY2FsL3NiaW4vcGVybWF1ZGl0LXJlYXBwbHktMDEyMzQ1Njc4OQoJZW5kc2NyaXB0Cn0K'

}

phase=check
steps
if ((skipped)) && ! ((partial)); then
  say "$skipped step(s) refused: those objects are not as planned, so nothing was changed (the plan runs whole or not at all; --partial changes the others). Re-run permaudit fix to plan again." >&2
  exit 1
fi
if ((dry_run)); then say "dry run: nothing was changed"; exit 0; fi
phase=apply changed=0 unchanged=0 skipped=0
steps
if ((skipped)); then
  say "$skipped step(s) skipped: those objects were not the ones planned. Re-run permaudit fix to plan again." >&2
  exit 1
fi
if ((changed == 0)); then say "nothing to change: all 5 step(s) already applied"; else say "$changed step(s) applied, $unchanged already in place"; fi
