#!/usr/bin/env bash
# One decision: `permaudit explain` side by side with `namei -l` and `getfacl` on the same path, same run.
# Prints the mean wall milliseconds per call over N calls (process start included, as a user sees it).
# Usage: Tests/Benchmarks/explain-bench.sh [PATH] [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
path=${1:-/var/log/apt/history.log}
n=${2:-200}
swift build -c release --static-swift-stdlib >/dev/null  # the self-contained binary users copy
bin=.build/release/permaudit

mean_ms() { # mean wall ms of $n runs of "$@"
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  awk -v t=$(( end - start )) -v n="$n" 'BEGIN { printf "%.2f", t / n / 1e6 }'
}

echo "path: $path, $n calls each"
printf '%-62s %8s\n' "command" "ms/call"
printf '%-62s %8s\n' "permaudit explain --user nobody --access read (text)" "$(mean_ms "$bin" explain "$path" --user nobody)"
printf '%-62s %8s\n' "permaudit explain --user nobody --access read --format json" "$(mean_ms "$bin" explain "$path" --user nobody --format json)"
printf '%-62s %8s\n' "namei -l (modes only, no ACL, no decision)" "$(mean_ms namei -l "$path")"
printf '%-62s %8s\n' "getfacl (one ACL, no decision)" "$(mean_ms getfacl -p "$path")"
