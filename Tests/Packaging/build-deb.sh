#!/usr/bin/env bash
# Builds the permaudit Debian package with dpkg-deb, for hosts without a Swift toolchain:
#   Tests/Packaging/build-deb.sh [OUTPUT_DIR]        (default .build/deb; prints the .deb's path last)
# A release build linked with --static-swift-stdlib (the Swift runtime and Foundation inside the binary),
# the man pages (swift-argument-parser's generate-manual plugin), bash/zsh/fish completions, the audit
# job's systemd service and timer (not enabled) and its logrotate stanza. Depends: only the shared
# libraries the binary still needs, found with objdump and mapped to their packages with dpkg -S.
# PERMAUDIT_STATIC_BIN=PATH packages that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-.build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# PERMAUDIT_DEB_SCRATCH=DIR builds in a build folder of its own: a build started from inside `swift test`
# must not wait for the lock the running test holds on .build (it would wait for ever).
scratch=${PERMAUDIT_DEB_SCRATCH:-.build}
bin=${PERMAUDIT_STATIC_BIN:-}
if [ -z "$bin" ]; then
  start=$(date +%s)
  swift build --scratch-path "$scratch" -c release --static-swift-stdlib >&2
  echo "build-deb: release build (--static-swift-stdlib) took $(( $(date +%s) - start )) s" >&2
  bin=$scratch/release/permaudit
fi
if ldd "$bin" | grep -q 'libswiftCore\|libFoundation'; then
  echo "build-deb: $bin links the Swift runtime dynamically; build it with --static-swift-stdlib" >&2
  exit 1
fi

version=$("$bin" --version)
arch=$(dpkg --print-architecture)
stage=$(mktemp -d "${TMPDIR:-/tmp}/permaudit-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/permaudit_${version}_$arch
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$root/usr/share/doc/permaudit" \
  "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
  "$root/usr/share/fish/vendor_completions.d" "$root/usr/lib/systemd/system" "$root/etc/logrotate.d"
install -m 0755 "$bin" "$root/usr/bin/permaudit"
strip --strip-unneeded "$root/usr/bin/permaudit" 2>/dev/null || true

# Man pages: the plugin builds in debug (the release folder holds the static build; a plugin release
# build would replace it with a dynamic one) and renders one page per command.
swift package --scratch-path "$scratch" plugin --allow-writing-to-package-directory generate-manual --configuration debug --multi-page >&2
for page in "$scratch"/plugins/GenerateManual/outputs/permaudit/*.1; do
  gzip -9n < "$page" > "$root/usr/share/man/man1/$(basename "$page").gz"
done

"$bin" --generate-completion-script bash > "$root/usr/share/bash-completion/completions/permaudit"
"$bin" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_permaudit"
"$bin" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/permaudit.fish"

# The audit job as `permaudit schedule` writes it, the units moved to the package's unit folder.
units=$stage/units
"$bin" schedule --install-root "$units" --binary /usr/bin/permaudit >/dev/null
install -m 0644 "$units"/etc/systemd/system/permaudit-audit.service "$units"/etc/systemd/system/permaudit-audit.timer "$root/usr/lib/systemd/system/"
install -m 0644 "$units"/etc/logrotate.d/permaudit-audit "$root/etc/logrotate.d/permaudit-audit"

cat > "$root/usr/share/doc/permaudit/copyright" <<'TXT'
permaudit: a host permission auditor. Statically linked with the Swift runtime and Foundation
(Apache License 2.0 with Runtime Library Exception), swift-argument-parser, Yams and GRDB.swift (MIT).
TXT

# Depends: the package of every shared library the binary needs (libc6 and libstdc++6 included).
depends=()
for lib in $(objdump -p "$bin" | awk '/NEEDED/ { print $2 }'); do
  path=$(ldconfig -p | awk -v l="$lib" '$1 == l && $0 ~ /x86-64|aarch64|64bit/ { print $NF; exit }')
  [ -n "$path" ] || path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
  real=$(readlink -f "$path")
  pkg=$(dpkg -S "$real" 2>/dev/null || dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$real" 2>/dev/null) || { echo "build-deb: no package owns $lib ($path)" >&2; exit 1; }
  pkg=${pkg%%:*}
  case " ${depends[*]:-} " in *" $pkg "*) ;; *) depends+=("$pkg") ;; esac
done
IFS=, ; dep_line="${depends[*]}"; unset IFS
dep_line=${dep_line//,/, }

cat > "$root/DEBIAN/control" <<TXT
Package: permaudit
Version: $version
Architecture: $arch
Maintainer: permaudit maintainers <permaudit@localhost>
Installed-Size: $(du -sk "$root/usr" "$root/etc" | awk '{ s += $1 } END { print s }')
Depends: $dep_line
Section: admin
Priority: optional
Homepage: https://permaudit.dev
Description: host permission auditor for service accounts
 permaudit judges what a service account (the Elastic Agent's unprivileged user first) can reach the
 way the kernel will: POSIX ACLs, capabilities, every ancestor's search bit, symlinks, read-only, noexec
 and FUSE mounts. It reports findings with evidence (text, JSON, SARIF, JUnit, ECS, Markdown, HTML),
 merges a fleet's reports, and writes the narrowest fix as a script with a rollback.
 The audit job (permaudit-audit.timer) is installed but not enabled.
TXT
echo /etc/logrotate.d/permaudit-audit > "$root/DEBIAN/conffiles"
deb=$out/permaudit_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "build-deb: Depends: $dep_line" >&2
echo "$deb"
