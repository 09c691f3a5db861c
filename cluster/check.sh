#!/usr/bin/env bash
# Perelom across processes, checked byte for byte against one process:
#   1. MPI: a sweep, a validate, a compare and a calibration under `mpirun -np 3` (oversubscribed on a small machine);
#      a sweep whose worker rank is killed mid-way, completed by rerunning with --resume.
#   2. Slurm job arrays without MPI: three array tasks, simulated with the environment
#      variables a real array task gets, one of them killed and resubmitted.
# Installs what the `mpi` feature needs (Debian: openmpi-bin, libopenmpi-dev, libclang-dev)
# when run as root and missing, then builds `perelom --features mpi` in the workspace's
# release directory. Usage: cluster/check.sh   (from anywhere; temporary files in a temp dir)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

if ! command -v mpirun >/dev/null || ! dpkg -s libclang-dev >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q openmpi-bin libopenmpi-dev libclang-dev >/dev/null
    else
        echo "cluster/check.sh needs openmpi-bin, libopenmpi-dev and libclang-dev (run as root to install them)" >&2
        exit 1
    fi
fi

mpi=(mpirun --oversubscribe -np 3)
[ "$(id -u)" = 0 ] && mpi=(mpirun --allow-run-as-root --oversubscribe -np 3)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A binary built without MPI refuses to run as several copies under mpirun, with a hint.
cargo build --release -p perelom
cp "$root/target/release/perelom" "$work/perelom-plain"
if (cd "$work" && "${mpi[@]}" ./perelom-plain run epstein-2002 --steps 2 --out plain -q) 2>"$work/plain.err"; then
    echo "FAIL: a binary without MPI ran under mpirun" >&2; exit 1
fi
grep -q "built without MPI" "$work/plain.err" || { echo "FAIL: no hint for a binary without MPI:" >&2; cat "$work/plain.err" >&2; exit 1; }
[ ! -e "$work/plain" ] || { echo "FAIL: copies without MPI wrote output" >&2; exit 1; }
echo "ok: a binary without MPI under mpirun is refused with a hint"

cargo build --release --features mpi -p perelom
bin="$root/target/release/perelom"
cd "$work"
# 5 x 4 points x 8 replicates = 160 runs in 5 batches.
cat > d.toml <<'TOML'
[sweep]
base = "epstein-2002"
replicates = 8
seed = 3
set = ["run.steps=20", "grid.width=16", "grid.height=16"]

[parameters]
"legitimacy.initial" = { min = 0.5, max = 0.9, steps = 5 }
"jail.max_term" = { values = [2, 5, 10, 30] }
TOML

same() { cmp "$1" "$2" && echo "  identical: $1 = $2"; }
# Result files in a sweep's runs/ (none while it does not exist yet).
files_in() { { find "$1/runs" -name "${2:-*}.parquet" 2>/dev/null || true; } | wc -l; }

echo "== one process"
"$bin" sweep d.toml --out one --quiet
"$bin" validate --runs 6 --scale 0.005 --out v1 >/dev/null 2>&1

echo "== MPI: sweep and validate on 3 ranks"
"${mpi[@]}" "$bin" sweep d.toml --out mpi --quiet
same one/sweep.parquet mpi/sweep.parquet
same one/catalogue.csv mpi/catalogue.csv
"${mpi[@]}" "$bin" validate --runs 6 --scale 0.005 --out v3 >/dev/null 2>&1
for f in targets.csv targets.json runs.csv ensemble.csv; do same "v1/$f" "v3/$f"; done

echo "== MPI: compare (X1 against the baseline on common seeds)"
x1=$(ls "$root"/experiments/x1-*.toml)
"$bin" compare ussr-1928-1929 "$x1" --runs 4 --scale 0.004 --out x1 >/dev/null 2>&1
"${mpi[@]}" "$bin" compare ussr-1928-1929 "$x1" --runs 4 --scale 0.004 --out x3 >/dev/null 2>&1
same x1/compare.csv x3/compare.csv
same x1/compare.json x3/compare.json

echo "== MPI: calibration (ABC-SMC) with its simulations on the worker ranks"
cal=(calibrate --scale 0.003 --budget 60 --particles 10 --param protest.strike=0.7:1.0 --param ogpu.detection=0.025:0.06 --out cal)
mkdir -p c1 c3
(cd c1 && "$bin" "${cal[@]}" >/dev/null 2>&1)
(cd c3 && "${mpi[@]}" "$bin" "${cal[@]}" >/dev/null 2>&1)
same c1/cal/posterior.csv c3/cal/posterior.csv
same c1/cal/calibrated.toml c3/cal/calibrated.toml
# calibration.json records the wall time; everything else must agree.
cmp <(grep -v wall_seconds c1/cal/calibration.json) <(grep -v wall_seconds c3/cal/calibration.json) && echo "  identical: calibration.json (but its wall time)"

echo "== MPI: a worker rank killed mid-sweep, then --resume"
export PERELOM_TEST_SWEEP_PAUSE_AFTER=20
"${mpi[@]}" -x PERELOM_TEST_SWEEP_PAUSE_AFTER "$bin" sweep d.toml --out killed --quiet >/dev/null 2>&1 &
launcher=$!
for _ in $(seq 1 600); do
    [ "$(files_in killed)" -ge 20 ] && break
    sleep 0.1
done
victim=$(pgrep -f "$bin sweep d.toml --out killed" | grep -v "^$launcher$" | tail -1)
kill -9 "$victim"
wait "$launcher" || true
unset PERELOM_TEST_SWEEP_PAUSE_AFTER
[ ! -e killed/sweep.parquet ] || { echo "an interrupted sweep has a dataset" >&2; exit 1; }
echo "  killed rank $victim; files kept in killed/runs: $(files_in killed)"
"${mpi[@]}" "$bin" sweep d.toml --out killed --resume --quiet
same one/sweep.parquet killed/sweep.parquet

echo "== Slurm job array of 3 tasks (environment variables), one killed and resubmitted"
for id in 0 1 2; do
    if [ $id = 1 ]; then
        SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_COUNT=3 PERELOM_TEST_SWEEP_PAUSE_AFTER=5 "$bin" sweep d.toml --out arr --quiet --threads 1 &
        task=$!
        for _ in $(seq 1 600); do
            [ "$(files_in arr 'run-*')" -ge 5 ] && break
            sleep 0.1
        done
        kill -9 $task; wait $task || true
    else
        SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_COUNT=3 "$bin" sweep d.toml --out arr --quiet
    fi
done
[ ! -e arr/sweep.parquet ] || { echo "a dataset before the killed task was resubmitted" >&2; exit 1; }
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 "$bin" sweep d.toml --out arr --quiet
same one/sweep.parquet arr/sweep.parquet
echo "cluster checks passed"
