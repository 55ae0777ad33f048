#!/usr/bin/env bash
# Prints the path of a minimal Debian 12 root filesystem for the fleet end-to-end test, building it
# with debootstrap the first time (about a minute) and reusing it afterwards. The cache folder's name
# carries a hash of everything that shapes the root, so a change here builds a new one.
# The test copies this root before staging it; the cached root itself is never changed.
set -euo pipefail
suite=bookworm
mirror=${PERMAUDIT_DEBOOTSTRAP_MIRROR:-http://deb.debian.org/debian}
# python3 for Ansible's modules over the chroot connection; libacl1, libcap2 for permaudit.
include=python3,libacl1,libcap2,libsqlite3-0,passwd
args="$suite --variant=minbase --include=$include $mirror"
hash=$(printf '%s' "$args" | sha256sum | cut -c1-12)
cache=${PERMAUDIT_DEBOOTSTRAP_CACHE:-/var/tmp/permaudit-test-debootstrap-$hash}
if [ -f "$cache/root/etc/debian_version" ] && [ -f "$cache/complete" ]; then
  printf '%s\n' "$cache/root"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "debootstrap-root.sh: needs root to build $cache" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "debootstrap-root.sh: debootstrap missing (apt-get install debootstrap)" >&2; exit 2; }
mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9
if [ ! -f "$cache/complete" ]; then
  rm -rf "$cache/building"
  # shellcheck disable=SC2086  # $include is one comma-separated word
  debootstrap --variant=minbase --include=$include "$suite" "$cache/building" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { echo "debootstrap-root.sh: debootstrap failed, see $cache/debootstrap.log" >&2; tail -5 "$cache/debootstrap.log" >&2; exit 1; }
  rm -rf "$cache/root"
  mv "$cache/building" "$cache/root"
  touch "$cache/complete"
fi
printf '%s\n' "$cache/root"
