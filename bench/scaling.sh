#!/usr/bin/env bash
# Scaling curve of the 1928-1929 model: time and memory per person from 30,000 to
# 3 million people, and parallel efficiency on 1 and 2 threads.
#
#   bench/scaling.sh [PERELOM_BINARY]            # default target/release/perelom
#   SCALES="0.01 0.1" REPEATS=5 bench/scaling.sh
#
# For each scale (default 0.01 0.03 0.1 0.3 1.0 of the 3-million workforce) it runs
# `perelom run --scale S --threads T --out DIR -q` (104 weekly steps, writing the
# results) with T = 1 and 2, REPEATS times each (default 3), the two thread counts
# interleaved so that they meet the same load, under /usr/bin/time. It prints one row
# per scale and thread count: medians of wall time and CPU time (user + system) of the
# whole process, the largest peak RSS, per person the wall and CPU time of a week and
# the memory, the load average (1 minute) over the runs, and for 2 threads the speed-up
# and parallel efficiency against 1 thread, by wall time (speed-up / 2) and by CPU time
# (CPU time on 1 thread / CPU time on 2: how much work the second thread adds).
# On a shared machine wall times, and so the speed-up, are only as good as the quiet
# moment they were taken in: the load column says how quiet it was.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/target/release/perelom}
scales=${SCALES:-0.01 0.03 0.1 0.3 1.0}
repeats=${REPEATS:-3}
full=3000000
weeks=104
[[ -x $bin ]] || { echo "scaling.sh: no binary at $bin (cargo build --release)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "scaling.sh: needs /usr/bin/time (Debian package time)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One run: prints "wall cpu rss_kb load".
run() { # scale threads
  local out="$work/run" load e u sys m
  rm -rf "$out"
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bin" run --scale "$1" --threads "$2" --out "$out" -q
  read -r e u sys m < "$work/time"
  echo "$e $(echo "$u + $sys" | bc -l) $m $load"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
maxof() { sort -g | tail -1; }

printf '# %s, %s repeats, %s\n' "$("$bin" --version)" "$repeats" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '# machine: %s CPUs, %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '%-6s %9s %3s | %8s %8s %8s | %10s %10s %7s | %-9s | %7s %6s %6s\n' \
  scale people thr "wall s" "CPU s" "RSS MB" "ns/pw wall" "ns/pw CPU" "B/pers" "load" speedup eff eff_cpu
for s in $scales; do
  people=$(printf '%.0f' "$(echo "$full * $s" | bc -l)")
  : > "$work/t1"
  : > "$work/t2"
  for _ in $(seq "$repeats"); do
    run "$s" 1 >> "$work/t1"
    run "$s" 2 >> "$work/t2"
  done
  for t in 1 2; do
    f="$work/t$t"
    wall=$(cut -d' ' -f1 "$f" | median)
    cpu=$(cut -d' ' -f2 "$f" | median)
    rss=$(cut -d' ' -f3 "$f" | maxof)
    loads=$(cut -d' ' -f4 "$f" | sort -g | sed -n '1p;$p' | paste -sd- -)
    eval "wall$t=$wall cpu$t=$cpu"
    nsw=$(echo "$wall * 1000000000 / ($people * $weeks)" | bc -l)
    nsc=$(echo "$cpu * 1000000000 / ($people * $weeks)" | bc -l)
    bpp=$(echo "$rss * 1024 / $people" | bc -l)
    if [[ $t == 2 ]]; then
      sp=$(echo "$wall1 / $wall2" | bc -l)
      eff=$(echo "$sp / 2" | bc -l)
      effc=$(echo "$cpu1 / $cpu2" | bc -l)
      printf '%-6s %9s %3s | %8.2f %8.2f %8.0f | %10.1f %10.1f %7.0f | %-9s | %7.2f %6.2f %6.2f\n' \
        "$s" "$people" "$t" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$nsw" "$nsc" "$bpp" "$loads" "$sp" "$eff" "$effc"
    else
      printf '%-6s %9s %3s | %8.2f %8.2f %8.0f | %10.1f %10.1f %7.0f | %-9s | %7s %6s %6s\n' \
        "$s" "$people" "$t" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$nsw" "$nsc" "$bpp" "$loads" - - -
    fi
  done
done
echo "# ns/pw: nanoseconds per person-week (time / (people x $weeks weeks)); B/pers: peak RSS per person"
echo "# speedup = wall(1 thread) / wall(2 threads); eff = speedup / 2; eff_cpu = CPU(1 thread) / CPU(2 threads)"
