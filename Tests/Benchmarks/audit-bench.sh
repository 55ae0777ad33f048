#!/usr/bin/env bash
# The cron audit job: `permaudit audit` of this host, side by side in the same run with what an admin
# would script instead (getfacl -R over the audited trees; find -readable as the agent, which reads no
# ACLs itself). Prints wall milliseconds (best of N) and peak RSS.
# Usage: Tests/Benchmarks/audit-bench.sh [RUNS]   (run as root; builds release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
[ -n "${PERMAUDIT_BENCH_NOBUILD:-}" ] || swift build -c release --static-swift-stdlib >/dev/null  # the self-contained binary users copy
bin=.build/release/permaudit
db=$(mktemp -d)/history.sqlite
trap 'rm -rf "$(dirname "$db")"' EXIT

# shellcheck source=Tests/Benchmarks/timing.sh
source Tests/Benchmarks/timing.sh
row() { local label=$1; shift; printf '%-66s %8s %10s\n' "$label" "$(best "$@")" "$(rss "$@")"; }

checks=$("$bin" audit --format json 2>/dev/null | grep -c '"ruleId"' || true)
echo "host: $(hostname), $checks findings per audit, best of $runs runs"
printf '%-66s %8s %10s\n' "command" "ms" "maxRSS KB"
row "permaudit audit --format json (every rule, kernel-exact decisions)" "$bin" audit --format json
row "permaudit audit --record DB --changes-only (the cron job)" "$bin" audit --record "$db" --changes-only --format json
row "permaudit audit --format html" "$bin" audit --format html
row "getfacl -R -p /var/log /etc /run (ACLs read, nothing decided)" getfacl -R -p /var/log /etc /run
row "find /var/log /etc -readable as nobody (no ACL read, no report)" setpriv --reuid nobody --regid nogroup --clear-groups find /var/log /etc -readable
