#!/bin/bash
# permaudit fix plan 0123456789ab (fix), strategy acl
# for uid=5101(elastic-agent-user) gid=6101(elastic-agent) groups=6101(elastic-agent) caps=none
# Undo it with fix.rollback.sh (it uses the ACLs this script saves).
# Usage: bash THIS_SCRIPT [--dry-run]    (as root)
# target: read /var/log/auth.log (asked): denied -> granted

set -euo pipefail

dry_run=0
case "${1:-}" in
  --dry-run) dry_run=1 ;;
  "") ;;
  *) printf 'usage: %s [--dry-run]\n' "$0" >&2; exit 2 ;;
esac
state_dir='/var/lib/permaudit/fix/0123456789ab'
changed=0
unchanged=0
skipped=0

say() { printf '%s\n' "$*"; }
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

# check_object N PATH TYPE UID DEV INODE: the object must still be the one planned.
check_object() {
  local n=$1 path=$2 type=$3 uid=$4 dev=$5 ino=$6 got
  if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link now"; return 1; fi
  if ! got=$(stat -c '%u|%d|%i' -- "$path" 2>/dev/null); then skip "$n" "$path" "is gone"; return 1; fi
  got="$(kind "$path")|$got"
  if [[ $got != "$type|$uid|$dev|$ino" ]]; then
    skip "$n" "$path" "is not the object planned (planned $type|$uid|$dev|$ino, found $got)"
    return 1
  fi
}

# save_acl N PATH: keeps the ACL as it was before this plan first touched the object.
save_acl() {
  local n=$1 path=$2
  mkdir -p -- "$state_dir"
  if [[ ! -e $state_dir/$n.acl ]]; then
    getfacl -P -p -a -c -n -E -- "$path" >"$state_dir/$n.acl.tmp"
    mv -f -- "$state_dir/$n.acl.tmp" "$state_dir/$n.acl"
  fi
}

# step_acl N PATH TYPE UID DEV INODE BEFORE AFTER AFTER_SHORT
step_acl() {
  local n=$1 path=$2 type=$3 uid=$4 dev=$5 ino=$6 before=$7 after=$8 short=$9 now
  if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link now"; return 0; fi
  if [[ ! -e $path ]]; then skip "$n" "$path" "is gone"; return 0; fi
  if [[ $(kind "$path") != "$type" ]]; then skip "$n" "$path" "is no longer a $type"; return 0; fi
  now=$(getfacl -P -p -a -c -n -E -- "$path")
  if [[ $now == "$after" ]]; then say "step $n: unchanged: $(shown "$path") already has the planned ACL"; unchanged=$((unchanged + 1)); return 0; fi
  if [[ $now != "$before" ]]; then skip "$n" "$path" "has an ACL that changed since the plan"; return 0; fi
  check_object "$n" "$path" "$type" "$uid" "$dev" "$ino" || return 0
  if ((dry_run)); then say "step $n: would set the ACL of $(shown "$path") to $short"; return 0; fi
  save_acl "$n" "$path"
  setfacl -P --set "$short" -- "$path"
  say "step $n: changed: $(shown "$path") ACL is now $short"
  changed=$((changed + 1))
}

# step_write N PATH MODE BASE64: a new file with exactly this content.
step_write() {
  local n=$1 path=$2 mode=$3 content=$4
  if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link"; return 0; fi
  if [[ -e $path ]]; then
    if cmp -s -- <(printf '%s' "$content" | base64 -d) "$path"; then
      say "step $n: unchanged: $(shown "$path") already written"; unchanged=$((unchanged + 1))
    else
      skip "$n" "$path" "exists with other content"
    fi
    return 0
  fi
  if ((dry_run)); then say "step $n: would write $(shown "$path") (mode $mode)"; return 0; fi
  mkdir -p -- "$(dirname -- "$path")"
  install -m "$mode" -T -- <(printf '%s' "$content" | base64 -d) "$path"
  say "step $n: changed: wrote $(shown "$path")"
  changed=$((changed + 1))
}

# step_edit N PATH BEFORE_BASE64 AFTER_BASE64: replaces a config file's content, only if it is still the planned one.
step_edit() {
  local n=$1 path=$2 before=$3 after=$4 tmp
  if [[ -L $path || ! -f $path ]]; then skip "$n" "$path" "is not a regular file"; return 0; fi
  if cmp -s -- <(printf '%s' "$after" | base64 -d) "$path"; then
    say "step $n: unchanged: $(shown "$path") already edited"; unchanged=$((unchanged + 1)); return 0
  fi
  if ! cmp -s -- <(printf '%s' "$before" | base64 -d) "$path"; then skip "$n" "$path" "changed since the plan"; return 0; fi
  if ((dry_run)); then say "step $n: would edit $(shown "$path")"; return 0; fi
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
    say "step $n: unchanged: $user is already in $group"; unchanged=$((unchanged + 1)); return 0
  fi
  if ((dry_run)); then say "step $n: would add $user to $group"; return 0; fi
  mkdir -p -- "$state_dir"
  : >"$state_dir/$n.added"
  usermod -a -G "$group" -- "$user"
  say "step $n: changed: added $user to $group"
  changed=$((changed + 1))
}

require_root

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

if ((skipped)); then
  say "$skipped step(s) skipped: those objects were not the ones planned. Re-run permaudit fix to plan again." >&2
  exit 1
fi
if ((dry_run)); then say "dry run: nothing was changed"; exit 0; fi
if ((changed == 0)); then say "nothing to change: all 5 step(s) already applied"; else say "$changed step(s) applied, $unchanged already in place"; fi
