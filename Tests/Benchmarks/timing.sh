# shellcheck shell=bash
# Shared by the benchmark scripts (sourced): wall time and peak memory of a command, the same way for
# permaudit and for the shell tools it is compared with.

# best: the best wall time in milliseconds of $runs (default 5) runs of "$@".
best() {
  local best_ms=999999999 start end ms
  for _ in $(seq "${runs:-5}"); do
    start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 )); (( ms < best_ms )) && best_ms=$ms
  done
  echo "$best_ms"
}

# rss: the peak resident memory in KB of one run of "$@".
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
