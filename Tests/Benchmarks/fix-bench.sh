#!/usr/bin/env bash
# A fix plan for an auth.log family (the folder's search, the log and its rotated copy): wall time of
# `permaudit fix` as a user runs it, blast radius included. The unit tests do not assert times; this does
# the measuring. Budget: a plan like this one under 2 s on a 2-core machine.
# Usage (as root): [PERMAUDIT_BIN=...] Tests/Benchmarks/fix-bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=Tests/Benchmarks/timing.sh
source Tests/Benchmarks/timing.sh
runs=${1:-5}
[ "$(id -u)" = 0 ] || { echo "run as root (the folder is staged as root, judged for nobody)" >&2; exit 2; }
# PERMAUDIT_BIN=.build/debug/permaudit measures a build at hand instead of building a release one.
bin=${PERMAUDIT_BIN:-}
if [ -z "$bin" ]; then swift build -c release >/dev/null; bin=.build/release/permaudit; fi
dir=$(mktemp -d /tmp/permaudit-fix-bench.XXXXXX)
trap 'rm -rf -- "$dir"' EXIT
chmod 0750 "$dir"
for f in auth.log auth.log.1 other.log; do echo x >"$dir/$f"; chmod 0640 "$dir/$f"; done
ms=$(best "$bin" fix --user nobody --path "$dir/auth.log" --emit json)
echo "fix --user nobody --path $dir/auth.log --emit json: best of $runs: $ms ms (budget 2000 ms)"
(( ms < 2000 )) || { echo "over budget" >&2; exit 1; }
