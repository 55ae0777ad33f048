/// The macOS facts collector: one POSIX `sh` script, compiled into the binary, that
/// `permaudit collect --platform macos` prints. Golden copy: `Tests/Fixtures/macos/golden/collect-macos.sh`;
/// the stand-ins it is tested against on Linux: `Tests/Fixtures/macos/bin/` (see the README there).
public enum MacCollectorScript {
    /// The collector's name in the facts file: it also names the text encoding of its strings (raw bytes,
    /// one code point U+0000–U+00FF per byte; see `MacFactsText`).
    public static let collectorName = "permaudit-macos-sh"
    public static let collectorVersion = "1"

    /// The script with the agent's user baked in as the default of `--user`.
    public static func script(user: String) -> String {
        guard user != "elastic-agent-user" else { return text }
        let quoted = "'" + user.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        return text.replacingFirst("agent_user=elastic-agent-user\n", with: "agent_user=\(quoted)\n")
    }

    public static let text = #"""
#!/bin/sh
# permaudit facts collector for macOS (permaudit/facts/v1), printed by `permaudit collect --platform macos`.
#
# Run it on the Mac, as root (or as the agent's user, to see what it sees), and copy facts.json back:
#   sh collect-macos.sh > facts.json            # then: permaudit audit --facts facts.json
#   sh collect-macos.sh --user NAME --group NAME
# It only reads. Tools: stat, ls -le, dscl, id, dseditgroup, sw_vers, and od, awk, uname, date from the base
# system. Each item is read on its own: one that fails carries {"error": "..."} and the rest still come.
#
# Text encoding: every string this script writes holds the raw bytes it read, one code point per byte:
# printable ASCII as itself, every other byte as \u00XX (its Latin-1 code point). permaudit turns each string
# back into bytes and reads them as UTF-8; bytes that are not UTF-8 are kept, never replaced. The collector
# name "permaudit-macos-sh" with version 1 means this encoding.
set -u
LC_ALL=C
export LC_ALL

agent_user=elastic-agent-user
agent_group=elastic-agent
root=${PERMAUDIT_STAGED_ROOT:-}
while [ $# -gt 0 ]; do
  case $1 in
    --user) agent_user=${2:?--user needs a name}; shift 2 ;;
    --group) agent_group=${2:?--group needs a name}; shift 2 ;;
    *) printf 'collect-macos.sh: unknown option %s (use --user NAME, --group NAME)\n' "$1" >&2; exit 2 ;;
  esac
done

errfile=$(mktemp "${TMPDIR:-/tmp}/permaudit-collect.XXXXXX") || exit 2
trap 'rm -f "$errfile"' EXIT

# jstr: stdin's bytes as one JSON string (see "Text encoding" above). A trailing newline is dropped.
jstr() {
  od -An -v -t u1 | awk '
    BEGIN { printf "\"" }
    { for (i = 1; i <= NF; i++) { if (n++) emit(prev); prev = $i + 0 } }
    END { if (n && prev != 10) emit(prev); printf "\"" }
    function emit(b) {
      if (b == 34) printf "\\\""
      else if (b == 92) printf "\\\\"
      else if (b >= 32 && b < 127) printf "%c", b
      else printf "\\u%04x", b
    }'
}
# js TEXT: TEXT as a JSON string.
js() { printf '%s' "$1" | jstr; }
# jnum TEXT: TEXT if it is a decimal number, else fails.
jnum() {
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  printf '%s' "$1"
}
# need_num TEXT WHAT: fails, with the reason in the error file, unless TEXT is a decimal number.
need_num() { jnum "$1" >/dev/null || { printf '%s is not a number: %s\n' "$2" "$1" >"$errfile"; return 1; }; }
# why: the error text the last command left, as a JSON string.
why() { if [ -s "$errfile" ]; then jstr <"$errfile"; else js "$1"; fi; }

# file_facts PATH: one file's stat (not following a last symlink) and its ls -le ACL lines, as a JSON object.
file_facts() {
  f=$1
  kind=$(stat -f %HT "$f" 2>"$errfile") || return 1
  uid=$(stat -f %u "$f" 2>"$errfile") || return 1
  gid=$(stat -f %g "$f" 2>"$errfile") || return 1
  owner=$(stat -f %Su "$f" 2>"$errfile") || return 1
  group=$(stat -f %Sg "$f" 2>"$errfile") || return 1
  mode=$(stat -f %Lp "$f" 2>"$errfile") || return 1
  dev=$(stat -f %d "$f" 2>"$errfile") || return 1
  ino=$(stat -f %i "$f" 2>"$errfile") || return 1
  acl=$(ls -led "$f" 2>"$errfile") || return 1
  for n in "$uid" "$gid" "$dev" "$ino"; do need_num "$n" "stat -f of $f" || return 1; done
  printf '{"path": %s, "type": %s, "uid": %s, "gid": %s, "owner": %s, "group": %s, "mode": %s, "device": %s, "inode": %s, "acl": [' \
    "$(js "${f#"$root"}")" "$(js "$kind")" "$(jnum "$uid")" "$(jnum "$gid")" "$(js "$owner")" "$(js "$group")" \
    "$(js "$mode")" "$(jnum "$dev")" "$(jnum "$ino")" || return 1
  # ls -le: the file's line, then one line an entry (" 0: group:admin allow read").
  printf '%s\n' "$acl" | awk 'NR > 1' | {
    sep=''
    while IFS= read -r line; do printf '%s%s' "$sep" "$(js "$line")"; sep=', '; done
  }
  printf ']}'
}

# item NAME FUNCTION: "NAME": {"value": ...} or {"error": "..."}.
first=1
item() {
  name=$1
  shift
  if [ "$first" = 1 ]; then first=0; else printf ',\n'; fi
  : >"$errfile"
  if value=$("$@"); then
    printf '    %s: {"value": %s}' "$(js "$name")" "$value"
  else
    printf '    %s: {"error": %s}' "$(js "$name")" "$(why "$name: could not be read")"
  fi
}

system_log() { file_facts "$root/var/log/system.log"; }

rotated_logs() {
  printf '['
  sep=''
  for f in "$root"/var/log/system.log.*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    one=$(file_facts "$f") || return 1
    printf '%s%s' "$sep" "$one"
    sep=', '
  done
  printf ']'
}

agent_user_facts() {
  uid=$(id -u "$agent_user" 2>"$errfile") || return 1
  gid=$(id -g "$agent_user" 2>"$errfile") || return 1
  names=$(id -Gn "$agent_user" 2>"$errfile") || return 1
  ids=$(id -G "$agent_user" 2>"$errfile") || return 1
  need_num "$uid" "id -u" && need_num "$gid" "id -g" || return 1
  uuid=$(dscl . -read "/Users/$agent_user" GeneratedUID 2>/dev/null | awk '$1 == "GeneratedUID:" { print $2 }')
  printf '{"name": %s, "uid": %s, "gid": %s, "uuid": %s, "groups": [' \
    "$(js "$agent_user")" "$(jnum "$uid")" "$(jnum "$gid")" "$(js "$uuid")" || return 1
  sep=''
  set -f
  # shellcheck disable=SC2086 # id prints the groups space-separated, in the same order
  set -- $ids
  for name in $names; do
    need_num "${1:-}" "id -G (fewer numbers than names)" || { set +f; return 1; }
    guuid=$(dscl . -read "/Groups/$name" GeneratedUID 2>/dev/null | awk '$1 == "GeneratedUID:" { print $2 }')
    printf '%s{"name": %s, "gid": %s, "uuid": %s}' "$sep" "$(js "$name")" "$1" "$(js "$guuid")" || { set +f; return 1; }
    sep=', '
    [ $# -gt 0 ] && shift
  done
  set +f
  printf ']}'
}

group_facts() {
  g=$1
  out=$(dscl . -read "/Groups/$g" PrimaryGroupID GeneratedUID GroupMembership 2>"$errfile") || return 1
  gid=$(printf '%s\n' "$out" | awk '$1 == "PrimaryGroupID:" { print $2 }')
  uuid=$(printf '%s\n' "$out" | awk '$1 == "GeneratedUID:" { print $2 }')
  printf '{"name": %s, "gid": %s, "uuid": %s, "members": [' "$(js "$g")" "$(jnum "$gid" || printf null)" "$(js "$uuid")"
  printf '%s\n' "$out" | awk '$1 == "GroupMembership:" { for (i = 2; i <= NF; i++) print $i }' | {
    sep=''
    while IFS= read -r m; do printf '%s%s' "$sep" "$(js "$m")"; sep=', '; done
  }
  # dseditgroup also answers for nested groups: "yes USER is a member of GROUP".
  answer=$(dseditgroup -o checkmember -m "$agent_user" "$g" 2>/dev/null)
  case $answer in
    yes*) member=true ;;
    no*) member=false ;;
    *) member=null ;;
  esac
  printf '], "agentIsMember": %s, "checkmember": %s}' "$member" "$(js "$answer")"
}
admin_group() { group_facts admin; }
agent_group_facts() { group_facts "$agent_group"; }

# config_lines FILE...: the lines that name system.log, with their numbers, per file that exists.
config_lines() {
  printf '['
  sep=''
  for f in "$@"; do
    [ -f "$f" ] || continue
    lines=$(awk '/system\.log/ { print NR " " $0 }' "$f" 2>"$errfile") || return 1
    printf '%s{"path": %s, "lines": [' "$sep" "$(js "${f#"$root"}")"
    printf '%s\n' "$lines" | {
      lsep=''
      while IFS= read -r l; do
        [ -n "$l" ] || continue
        printf '%s{"line": %s, "text": %s}' "$lsep" "${l%% *}" "$(js "${l#* }")"
        lsep=', '
      done
    }
    printf ']}'
    sep=', '
  done
  printf ']'
}
asl_config() { config_lines "$root/etc/asl.conf" "$root"/etc/asl/*; }
newsyslog_config() { config_lines "$root/etc/newsyslog.conf" "$root"/etc/newsyslog.d/*; }

os_facts() {
  name=$(sw_vers -productName 2>"$errfile") || return 1
  version=$(sw_vers -productVersion 2>"$errfile") || return 1
  build=$(sw_vers -buildVersion 2>"$errfile") || return 1
  printf '{"name": %s, "version": %s, "build": %s}' "$(js "$name")" "$(js "$version")" "$(js "$build")"
}

os_json=$(os_facts 2>/dev/null) || os_json='{"name": "macOS", "version": "", "build": ""}'
printf '{\n  "schema": "permaudit/facts/v1",\n  "platform": "macos",\n'
printf '  "collector": {"name": "permaudit-macos-sh", "version": "1"},\n'
printf '  "collectedAt": %s,\n' "$(js "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
printf '  "host": {"name": %s, "os": %s},\n' "$(js "$(uname -n)")" "$os_json"
printf '  "items": {\n'
item system-log system_log
item system-log.rotated rotated_logs
item agent-user agent_user_facts
item agent-group agent_group_facts
item admin-group admin_group
item asl-config asl_config
item newsyslog-config newsyslog_config
item os os_facts
printf '\n  }\n}\n'

"""#
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        let t = Array(target.utf8), me = Array(utf8)
        guard !t.isEmpty, t.count <= me.count else { return self }
        for i in 0...(me.count - t.count) where me[i..<(i + t.count)].elementsEqual(t) {
            var out: [UInt8] = Array(me[..<i])
            out.append(contentsOf: replacement.utf8)
            out.append(contentsOf: me[(i + t.count)...])
            return String(decoding: out, as: UTF8.self)
        }
        return self
    }
}
