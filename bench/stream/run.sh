#!/usr/bin/env bash
# The machine's memory bandwidth, STREAM-style, on 1 and 2 threads (or those given).
#
#   bench/stream/run.sh [MiB per array, default 512] [repeats, default 10] [threads...]
#
# Compiles bench/stream/stream.c with gcc -O3 -fopenmp into bench/stream/stream (not a
# Cargo crate: the workspace build never sees it) and runs it with OMP_NUM_THREADS=1
# and 2. Three arrays of 512 MiB (1.5 GiB in all) are far larger than the caches
# (32 MiB of L3 here). Prints the load average before each run: on a shared machine
# the figures are only as good as the quiet moment they were taken in.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mib=${1:-512}
reps=${2:-10}
shift $(( $# > 2 ? 2 : $# ))
threads=("$@")
[[ ${#threads[@]} -gt 0 ]] || threads=(1 2)
gcc -O3 -march=native -fopenmp -o "$here/stream" "$here/stream.c"
for t in "${threads[@]}"; do
  echo "# $(uptime | sed 's/.*load average/load average/')"
  OMP_NUM_THREADS=$t OMP_PROC_BIND=spread "$here/stream" "$mib" "$reps"
done
