#!/bin/sh
# permaudit fix plan macos-35909723dc09 (fix) for macOS: group elastic-agent reads /var/log/system.log,
# now and after rotation. Planned from the facts file macos-system-log-failure.facts.json.
# Undo it with macos-system-log-failure.fix.rollback.sh (it uses what this script saves in /var/db/permaudit/fix/macos-35909723dc09).
# Run as root: sudo sh THIS.sh [--dry-run]
#
# The narrowest grant: one ACL entry, `group:elastic-agent allow read`, evaluated by macOS before the mode.
# The documented fix is broader: `dseditgroup -o edit -a elastic-agent-user -t user admin` makes the agent a
# local administrator: with the stock sudoers (%admin ALL=(ALL) ALL) it may run anything as root once it has a
# password, it may install software and change System Settings, and it reads every root:admin file (every
# /var/log/*.log ASL writes as root:admin 0640, /Library/Logs). This script does not do that.
# Re-judged on these facts, admin would open read on: /var/log/system.log, /var/log/system.log.0.gz, /var/log/system.log.1.gz,
# and every other root:admin file of the Mac, which the facts do not list.
set -eu
dry_run=0
case ${1:-} in
  --dry-run) dry_run=1 ;;
  '') ;;
  *) printf 'usage: sh %s [--dry-run]\n' "$0" >&2; exit 2 ;;
esac
# Empty on a Mac. (The tests run this script on Linux against a staged folder that stands for /.)
root=${PERMAUDIT_STAGED_ROOT:-}
changed=0
unchanged=0
skipped=0
reload_syslogd=0

say() { printf '%s\n' "$*"; }
require_root() {
  if [ "$(id -u)" != 0 ]; then
    printf '%s: run as root (sudo sh %s%s)\n' "$0" "$0" "$([ "$dry_run" = 1 ] && printf ' --dry-run')" >&2
    exit 2
  fi
}
skip() { say "step $1: SKIPPED: $2 $3"; skipped=$((skipped + 1)); }

# check_object N PATH TYPE UID [DEV INODE]: still the object planned (not a symlink, same type, owner, device, inode).
check_object() {
  if [ -L "$2" ]; then skip "$1" "$2" "is a symbolic link now"; return 1; fi
  if ! got=$(stat -f '%HT|%u' "$2" 2>/dev/null); then skip "$1" "$2" "is gone"; return 1; fi
  if [ "$got" != "$3|$4" ]; then skip "$1" "$2" "is not the object planned (planned $3|$4, found $got)"; return 1; fi
  if [ $# -ge 6 ]; then
    got=$(stat -f '%d|%i' "$2")
    if [ "$got" != "$5|$6" ]; then skip "$1" "$2" "is another file now (planned device|inode $5|$6, found $got)"; return 1; fi
  fi
}

# has_entry PATH ENTRY: the ACL of PATH (ls -led) holds ENTRY.
has_entry() {
  # shellcheck disable=SC2012 # ls -le is the base tool that prints a macOS ACL; the name is ours, not parsed
  ls -led "$1" | want=$2 awk 'NR > 1 { sub(/^ *[0-9]+: /, ""); if ($0 == ENVIRON["want"]) found = 1 } END { exit !found }'
}

# line_is PATH N TEXT: line N of PATH is TEXT.
line_is() { [ "$(awk -v n="$2" 'NR == n { print; exit }' "$1")" = "$3" ]; }

# put_line PATH N TEXT: writes PATH with line N replaced by TEXT, keeping owner, group and mode (via a file beside it).
put_line() {
  tmp=$(mktemp "$1.permaudit.XXXXXX")
  text=$3 awk -v n="$2" 'NR == n { print ENVIRON["text"]; next } { print }' "$1" >"$tmp"
  chown "$(stat -f '%u:%g' "$1")" "$tmp"
  chmod "$(stat -f '%Lp' "$1")" "$tmp"
  mv -f "$tmp" "$1"
}

state_dir="$root"'/var/db/permaudit/fix/macos-35909723dc09'

# step_acl N PATH TYPE UID DEV INODE ENTRY: chmod +a ENTRY, once, on the file planned.
step_acl() {
  if [ -e "$2" ] && [ ! -L "$2" ] && has_entry "$2" "$7"; then
    say "step $1: unchanged: $2 already has '$7'"; unchanged=$((unchanged + 1)); return 0
  fi
  check_object "$1" "$2" "$3" "$4" "$5" "$6" || return 0
  if [ "$dry_run" = 1 ]; then say "step $1: would run: chmod +a '$7' $2"; return 0; fi
  mkdir -p "$state_dir"
  [ -e "$state_dir/$1.acl" ] || ls -led "$2" >"$state_dir/$1.acl"
  chmod +a "$7" "$2"
  : >"$state_dir/$1.added"
  say "step $1: changed: $2 now has '$7'"
  changed=$((changed + 1))
}

# step_line N PATH LINE BEFORE AFTER KIND: line LINE of PATH, still BEFORE, becomes AFTER.
step_line() {
  if [ -f "$2" ] && [ ! -L "$2" ] && line_is "$2" "$3" "$5"; then
    say "step $1: unchanged: $2:$3 already reads as planned"; unchanged=$((unchanged + 1)); return 0
  fi
  check_object "$1" "$2" "Regular File" 0 || return 0
  if ! line_is "$2" "$3" "$4"; then skip "$1" "$2" "line $3 changed since the facts were gathered"; return 0; fi
  if [ "$dry_run" = 1 ]; then say "step $1: would change $2:$3 to: $5"; return 0; fi
  mkdir -p "$state_dir"
  [ -e "$state_dir/$1.orig" ] || cp -p "$2" "$state_dir/$1.orig"
  put_line "$2" "$3" "$5"
  [ "$6" = asl ] && reload_syslogd=1
  say "step $1: changed: $2:$3 now reads: $5"
  changed=$((changed + 1))
}

require_root

# step 1: /var/log/system.log (root:admin -rw-r-----): add `group:elastic-agent allow read`
step_acl 1 "$root"'/var/log/system.log' 'Regular File' 0 16777231 4242 'group:elastic-agent allow read'

# step 2: /var/log/system.log.0.gz (root:admin -rw-r-----): add `group:elastic-agent allow read`
step_acl 2 "$root"'/var/log/system.log.0.gz' 'Regular File' 0 16777231 4243 'group:elastic-agent allow read'

# step 3: /var/log/system.log.1.gz (root:admin -rw-r-----): add `group:elastic-agent allow read`
step_acl 3 "$root"'/var/log/system.log.1.gz' 'Regular File' 0 16777231 4244 'group:elastic-agent allow read'

# step 4: /etc/asl.conf:27 (asl): syslogd creates it owned by uid 0, group 80, mode 0640, with a read ACL entry for gid 403
step_line 4 "$root"'/etc/asl.conf' 27 '> system.log mode=0640 format=bsd rotate=seq compress file_max=5M all_max=50M' '> system.log mode=0640 format=bsd rotate=seq compress file_max=5M all_max=50M gid=80 gid=403' asl

# asl.conf(5): syslogd re-reads its configuration on SIGHUP.
if [ "$reload_syslogd" = 1 ]; then killall -HUP syslogd && say "syslogd reloaded (SIGHUP)"; fi
say "done: $changed changed, $unchanged unchanged, $skipped skipped$([ "$dry_run" = 1 ] && printf ' (dry run: nothing was changed)')"
[ "$skipped" = 0 ] || exit 1
