#!/bin/bash
# permaudit fix plan 0123456789ab (rollback), strategy acl
# for uid=5101(elastic-agent-user) gid=6101(elastic-agent) groups=6101(elastic-agent) caps=none
# Undoes fix.sh.
# Usage: bash THIS_SCRIPT ROOT [--dry-run]    (as root)
# For an image or container root (planned on /srv/images/web-1): ROOT is that folder,
# given as the first argument. Every path below is a path inside ROOT. The script opens ROOT once and
# resolves each path from its descriptor one component at a time (in_root): a component must not be a
# symbolic link, and the descriptor opened must be the object the name holds (device and inode); a
# symbolic link (absolute, or a `..` chain) or a swap is refused, so nothing outside ROOT is touched.
# target: read /var/log/auth.log (asked): denied -> granted
# NOT FIXED: write /usr/local/sbin/permaudit-reapply-0123456789: write /usr/local/sbin/permaudit-reapply-0123456789 in the image itself (its build, or fix run inside the running container): write the helper
# NOT FIXED: write /etc/logrotate.d/rsyslog: edit /etc/logrotate.d/rsyslog in the image itself (its build, or fix run inside the running container): add the helper to postrotate

set -euo pipefail

usage() { printf 'usage: %s ROOT [--dry-run]\n' "$0" >&2; exit 2; }
dry_run=0
root=""
for arg in "$@"; do
  case $arg in
    --dry-run) if ((dry_run)); then usage; fi; dry_run=1 ;;
    -*) usage ;;
    *) if [[ -n $root ]]; then usage; fi; root=$arg ;;
  esac
done
if [[ -z $root ]]; then usage; fi
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

# open_root: ROOT, opened once (root_fd); every path is then resolved from this descriptor.
root_fd=""
open_root() {
  if [[ ! -d $root ]]; then
    say "error: $(shown "$root") is not a folder: give the image or container root this plan was made for; nothing was changed" >&2
    exit 2
  fi
  exec {root_fd}<"$root"
  if [[ ! -d /proc/$$/fd/$root_fd ]]; then
    say "error: $(shown "$root") is not a folder once opened; nothing was changed" >&2
    exit 2
  fi
  if [[ $(stat -L -c '%d' -- "/proc/$$/fd/$root_fd") != 2049 ]]; then
    say "error: $(shown "$root") is on device $(stat -L -c '%d' -- "/proc/$$/fd/$root_fd"), the planned root on 2049: not the root this plan was made for; nothing was changed" >&2
    exit 2
  fi
  say "root: $(shown "$(readlink -- "/proc/$$/fd/$root_fd")")"
}

# in_root PATH: opens PATH inside ROOT (obj_fd), one component at a time from root_fd. Each name is
# looked up in the folder's descriptor, must not be a symbolic link, and the descriptor opened must be
# the object the name holds (device and inode, not followed). Refuses (in_root_why) otherwise.
obj_fd=""
in_root_why=""
in_root() {
  local rest=${1#/} comp dir_fd=$root_fd name want got fd
  in_root_why=""
  obj_fd=""
  while [[ -n $rest ]]; do
    comp=${rest%%/*}
    if [[ $rest == */* ]]; then rest=${rest#*/}; else rest=""; fi
    if [[ -z $comp || $comp == . ]]; then continue; fi
    if [[ $comp == .. ]]; then in_root_why="names .. (a planned path never does)"; break; fi
    name=/proc/$$/fd/$dir_fd/$comp
    if [[ -L $name ]]; then
      if [[ -n $rest ]]; then in_root_why="$(shown "$comp") on the way is a symbolic link"; else in_root_why="is a symbolic link now"; fi
      break
    fi
    # The last name is opened only as a file or a folder (never a FIFO or a device); the folders
    # on the way are checked on their descriptor once opened.
    if [[ -z $rest && -e $name && ! -f $name && ! -d $name ]]; then in_root_why="is not a file or a folder"; break; fi
    if ! { exec {fd}<"$name"; } 2>/dev/null; then
      if [[ -e $name || -L $name ]]; then in_root_why="cannot be opened"; else in_root_why="is gone"; fi
      break
    fi
    want=$(stat -c '%d:%i' -- "$name" 2>/dev/null) || want=gone
    got=$(stat -L -c '%d:%i' -- "/proc/$$/fd/$fd")
    if [[ $got != "$want" ]]; then
      exec {fd}<&-
      in_root_why="$(shown "$comp") changed while it was opened (a symbolic link swapped in?)"
      break
    fi
    if [[ -n $rest && ! -d /proc/$$/fd/$fd ]]; then
      exec {fd}<&-
      in_root_why="$(shown "$comp") on the way is not a folder"
      break
    fi
    if [[ $dir_fd != "$root_fd" ]]; then exec {dir_fd}<&-; fi
    dir_fd=$fd
  done
  if [[ -n $in_root_why ]]; then
    if [[ $dir_fd != "$root_fd" ]]; then exec {dir_fd}<&-; fi
    return 1
  fi
  if [[ $dir_fd == "$root_fd" ]]; then exec {dir_fd}<"/proc/$$/fd/$root_fd"; fi
  obj_fd=$dir_fd
}
close_object() {
  if [[ -n $obj_fd ]]; then exec {obj_fd}<&-; obj_fd=""; fi
}

# undo_acl N PATH TYPE BEFORE AFTER BEFORE_SHORT: back to the saved ACL, only where the plan's ACL is in
# place; the object opened inside ROOT by in_root, read and set through its descriptor.
undo_acl() {
  local n=$1 path=$2 type=$3 before=$4 after=$5 short=$6 now obj got
  if ! in_root "$path"; then
    if [[ $in_root_why == 'is gone' ]]; then say "step $n: nothing to undo: $(shown "$path") is gone"; return 0; fi
    skip "$n" "$path" "$in_root_why"; return 0
  fi
  obj=/proc/$$/fd/$obj_fd
  if [[ -f $obj ]]; then got='file'; elif [[ -d $obj ]]; then got='directory'; else got='other'; fi
  if [[ $got != "$type" ]]; then close_object; skip "$n" "$path" "is no longer a $type"; return 0; fi
  now=$(getfacl -p -a -c -n -E -- "$obj")
  if [[ $now == "$before" ]]; then close_object; say "step $n: unchanged: $(shown "$path") already has its old ACL"; unchanged=$((unchanged + 1)); return 0; fi
  if [[ $now != "$after" ]]; then close_object; skip "$n" "$path" "has an ACL this plan did not set"; return 0; fi
  if ((dry_run)); then close_object; say "step $n: would restore the ACL of $(shown "$path")"; return 0; fi
  if [[ -e $state_dir/$n.acl ]]; then
    setfacl --set-file="$state_dir/$n.acl" -- "$obj"
  else
    setfacl --set "$short" -- "$obj"
  fi
  close_object
  say "step $n: restored $(shown "$path")"
  changed=$((changed + 1))
}

# undo_rotated N DIR BASE TYPE BEFORE AFTER BEFORE_SHORT: copies rotation made of a granted log carry the
# grant too; the folder is opened inside ROOT and listed through its descriptor.
undo_rotated() {
  local n=$1 dir=$2 base=$3 f rest dfd
  in_root "$dir" || return 0
  dfd=$obj_fd
  obj_fd=""
  for f in "/proc/$$/fd/$dfd/$base".* "/proc/$$/fd/$dfd/$base"-*; do
    [[ -e $f || -L $f ]] || continue
    rest=${f#"/proc/$$/fd/$dfd/$base"}
    [[ $rest =~ ^[.-][0-9]+(\.(gz|xz|bz2|zst))?$ ]] || continue
    undo_acl "$n" "${dir%/}/$base$rest" "$4" "$5" "$6" "$7"
  done
  exec {dfd}<&-
}

require_root
open_root

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
