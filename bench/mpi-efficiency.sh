#!/usr/bin/env bash
# Parallel efficiency of a sweep on MPI ranks, and the dispatch overhead per run.
#   1. Work: 8 runs of the 1928-1929 model at scale 0.25 (750,000 workers each; a quarter of
#      the full-scale cost), one thread per run: one worker rank (mpirun -np 2) against two
#      (-np 3; rank 0 only hands out work). Efficiency = T(1 worker) / (2 x T(2 workers)).
#   2. Dispatch: 3,200 runs of a 4 x 4 Epstein grid for one step (nothing to compute), on
#      one process and on 2 worker ranks: (T_mpi - T_one) / runs is the cost of handing
#      out work, per run.
# Needs `cargo build --release --features mpi -p perelom` (cluster/check.sh builds it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(pwd)/target/release/perelom"
mpi=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && mpi=(mpirun --allow-run-as-root --oversubscribe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > heavy.toml <<'TOML'
[sweep]
base = "ussr-1928-1929"
replicates = 4
seed = 1
set = ["population.scale=0.25"]
metrics = ["strikes_started"]

[parameters]
"protest.strike" = { values = [0.8, 0.85] }
TOML
cat > tiny.toml <<'TOML'
[sweep]
base = "epstein-2002"
replicates = 100
seed = 1
set = ["run.steps=1", "grid.width=4", "grid.height=4", "citizens.density=0.5", "cops.density=0.1"]

[parameters]
"legitimacy.initial" = { min = 0.1, max = 0.9, steps = 32 }
TOML
secs() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }
calc() { awk "BEGIN { print $1 }"; }
t1=$(secs "${mpi[@]}" -np 2 "$bin" sweep heavy.toml --out h1 --threads 1 --quiet)
t2=$(secs "${mpi[@]}" -np 3 "$bin" sweep heavy.toml --out h2 --threads 1 --quiet)
cmp h1/sweep.parquet h2/sweep.parquet
printf 'heavy sweep (8 runs at scale 0.25, 1 thread each): 1 worker %.1f s, 2 workers %.1f s, efficiency %.0f %%\n' \
    "$t1" "$t2" "$(calc "100 * $t1 / (2 * $t2)")"
o=$(secs "$bin" sweep tiny.toml --out o --threads 2 --quiet)
m=$(secs "${mpi[@]}" -np 3 "$bin" sweep tiny.toml --out m --threads 1 --quiet)
cmp o/sweep.parquet m/sweep.parquet
printf 'tiny sweep (3,200 runs): one process %.2f s, 2 worker ranks %.2f s (MPI start-up included): %.3f ms per run more\n' \
    "$o" "$m" "$(calc "1000 * ($m - $o) / 3200")"
