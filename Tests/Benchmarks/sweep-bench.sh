#!/usr/bin/env bash
# Whole-tree sweep: `permaudit reach` side by side with find (no ACLs) and getfacl -R (ACLs, no decision),
# on the same tree in the same run. Prints wall milliseconds (best of N) and peak RSS.
# Usage: Tests/Benchmarks/sweep-bench.sh [TREE] [RUNS]   (run as root; builds release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
tree=${1:-/usr}
runs=${2:-5}
swift build -c release --static-swift-stdlib >/dev/null  # the self-contained binary users copy
bin=.build/release/permaudit

# shellcheck source=Tests/Benchmarks/timing.sh
source Tests/Benchmarks/timing.sh

objects=$(find "$tree" 2>/dev/null | wc -l)
echo "tree: $tree ($objects objects), best of $runs runs"
printf '%-58s %8s %10s\n' "command" "ms" "maxRSS KB"
row() { local label=$1; shift; printf '%-58s %8s %10s\n' "$label" "$(best "$@")" "$(rss "$@")"; }
row "permaudit reach --user nobody --access read (ACL+decision)" "$bin" reach --user nobody --count "$tree"
row "find -readable as nobody (kernel access(), no ACL read)" setpriv --reuid nobody --regid nogroup --clear-groups find "$tree" -readable
row "getfacl -R -p (ACL read only, no decision)" getfacl -R -p "$tree"
row "find (walk only)" find "$tree"
