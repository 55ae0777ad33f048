#!/usr/bin/env bash
# `permaudit reach` against the kernel's own walk, on a synthetic tree built here: SIZE files in nested
# folders, random owners and modes, about 10% with a named ACL entry. Times, interleaved in one run, best
# of RUNS: permaudit reach for one principal; the kernel deciding for itself as that principal
# (setpriv ... find -readable); find -printf of mode, owner, group; getfacl -R -p -n. Prints the ratios
# and the peak RSS of each. reach runs twice: with its default workers (one per core, at least 2) and
# with --jobs 1 (one thread).
#
# Directory modes never give a class search without read (`--x`): find, running as the principal, cannot
# list such a directory and stops there, while reach (run as root) lists it and judges what is below,
# which the principal opens by name; on such a tree the two do not walk the same objects. BENCH_SEARCH_ONLY=1
# adds 0711 directories anyway (a tree of its own) to show that case; the objects each walk looks at are
# printed either way.
# Usage (as root): Tests/Benchmarks/reach-bench.sh [SIZE=200000] [RUNS=5] [DIR=/tmp/permaudit-reach-bench]
set -euo pipefail
cd "$(dirname "$0")/../.."
size=${1:-200000}
runs=${2:-5}
searchOnly=${BENCH_SEARCH_ONLY:-0}
suffix=""
[ "$searchOnly" != 1 ] || suffix=-search-only
tree=${3:-/tmp/permaudit-reach-bench$suffix}
uid=62500 gid=62500
[ "$(id -u)" = 0 ] || { echo "run as root (the tree has other owners; setpriv runs find as uid $uid)" >&2; exit 2; }
# PERMAUDIT_BENCH_NOBUILD=1 times the release binary as it is (built already).
# The release build the package ships (the Swift runtime linked in: no dynamic loading at each start).
[ -n "${PERMAUDIT_BENCH_NOBUILD:-}" ] || swift build -c release --static-swift-stdlib >/dev/null
bin=$PWD/.build/release/permaudit

if [ ! -f "$tree/.size-$size-v2" ]; then
  rm -rf -- "$tree"
  python3 - "$tree" "$size" "$searchOnly" <<'EOF'
import os, random, sys
root, size, search_only = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
random.seed(14)
uids = [0, 62500, 62501, 62502]
os.makedirs(root)
acl = open(root + "/.acls", "w")
made = 0
def folder(path, depth):
    global made
    os.makedirs(path, exist_ok=True)
    for i in range(40):
        if made >= size: return
        f = f"{path}/f{i}"
        os.close(os.open(f, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chown(f, random.choice(uids), random.choice(uids))
        os.chmod(f, random.choice([0o600, 0o640, 0o644, 0o604, 0o660, 0o400, 0o444]))
        if random.random() < 0.10:
            acl.write(f"# file: {f[1:]}\nuser::rw-\nuser:{random.choice(uids[1:])}:r--\ngroup::r--\nmask::r--\nother::---\n\n")
        made += 1
    if depth < 3:
        for j in range(8):
            if made >= size: return
            folder(f"{path}/d{j}", depth + 1)
top = 0
while made < size:
    folder(f"{root}/t{top}", 0)
    top += 1
for dirpath, dirs, files in os.walk(root):
    for d in dirs:
        p = os.path.join(dirpath, d)
        os.chown(p, random.choice(uids), random.choice(uids))
        modes = [0o755, 0o755, 0o755, 0o750, 0o711, 0o700] if search_only else [0o755, 0o755, 0o755, 0o750, 0o705, 0o700]
        os.chmod(p, random.choice(modes))
acl.close()
EOF
  (cd / && setfacl --restore="$tree/.acls")
  rm -f -- "$tree/.acls"
  touch "$tree/.size-$size-v2"
fi

objects=$(find "$tree" | wc -l)
echo "tree: $tree ($objects objects, $size files), interleaved, best of $runs, $(nproc) cores"
# What each walk looks at: reach's own count; the objects find meets as the principal.
examined=$("$bin" reach --user "$uid" --groups "$gid" --count "$tree" 2>&1 | sed -n 's/.* of \([0-9]*\) objects examined.*/\1/p')
met=$(setpriv --reuid "$uid" --regid "$gid" --groups "$gid" find "$tree" 2>/dev/null | wc -l || true)
readable=$(setpriv --reuid "$uid" --regid "$gid" --groups "$gid" find "$tree" -readable 2>/dev/null | wc -l || true)
echo "objects examined: reach $examined, find as the principal $met ($readable readable)"
declare -A bestms rssKB
labels=(reach reach-jobs1 kernel-find find-printf getfacl)
# cmd LABEL [PREFIX...]: runs the labelled command, after PREFIX (used for /usr/bin/time).
cmd() {
  local l=$1; shift
  case $l in
    reach) "$@" "$bin" reach --user "$uid" --groups "$gid" --count "$tree" ;;
    reach-jobs1) "$@" "$bin" reach --user "$uid" --groups "$gid" --count --jobs 1 "$tree" ;;
    kernel-find) "$@" setpriv --reuid "$uid" --regid "$gid" --groups "$gid" find "$tree" -readable ;;
    find-printf) "$@" find "$tree" -printf '%m %U %G %p\n' ;;
    getfacl) "$@" getfacl -R -p -n "$tree" ;;
  esac
}
rssfile=$(mktemp)
trap 'rm -f -- "$rssfile"' EXIT
for l in "${labels[@]}"; do bestms[$l]=999999999; done
for _ in $(seq "$runs"); do
  for l in "${labels[@]}"; do
    start=$(date +%s%N); cmd "$l" >/dev/null 2>&1 || true; end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 )); (( ms < bestms[$l] )) && bestms[$l]=$ms
  done
done
for l in "${labels[@]}"; do
  cmd "$l" /usr/bin/time -f %M -o "$rssfile" >/dev/null 2>&1 || true
  rssKB[$l]=$(tail -1 "$rssfile")
done
printf '%-12s %8s %10s\n' command ms "maxRSS KB"
for l in "${labels[@]}"; do printf '%-12s %8s %10s\n' "$l" "${bestms[$l]}" "${rssKB[$l]}"; done
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
echo "reach / kernel find -readable: $(ratio "${bestms[reach]}" "${bestms[kernel-find]}")   (goal <= 1.0)"
echo "reach --jobs 1 / kernel find:   $(ratio "${bestms[reach-jobs1]}" "${bestms[kernel-find]}")"
echo "reach / find -printf:          $(ratio "${bestms[reach]}" "${bestms[find-printf]}")"
echo "reach / getfacl -R -p -n:      $(ratio "${bestms[reach]}" "${bestms[getfacl]}")   (goal <= 0.5)"
