#!/usr/bin/env bash
# Perelom against krABMaga on Epstein (2002) Model I, Rust against Rust (issue 5).
#
# Builds bench/krabmaga (its own workspace, its own target/) in release mode, then,
# for each grid size, runs Perelom's `epstein-2002` and the krABMaga version with the
# same sizes, steps and seeds, single-threaded, and prints agent-steps per second of
# each, their ratio, and mean active / jailed at the end of both as a check that the
# two did comparable work (same model, different random streams: they agree in
# distribution, not draw for draw).
#
# Both timings cover building the world (placement) and all the steps, not writing
# results: Perelom's manifest "wall_seconds", krABMaga's "seconds".
#
# Settings (environment variables):
#   SIZES         grid sides to run                      (default "40 200 1000")
#   SEEDS_40 / SEEDS_200 / SEEDS_1000   seeds per size   (default 5 / 3 / 1 seeds)
#   STEPS_40 / STEPS_200 / STEPS_1000   steps per size   (default 1000 / 200 / 10)
#   SPARSE_SIZES  sizes also run with krABMaga's SparseGrid2D, first seed only
#                 (default "40"; at 200 it takes about a minute; "" to skip)
#   TIMEOUT       seconds allowed for one run before the size is dropped (default 120)
#   PERELOM       Perelom binary (default /work/main/target/release/perelom; built with
#                 `cargo build --release` in the workspace only if missing)
#   CARGO_BUILD_JOBS  defaults to 1 (the machine has 2 shared cores)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PERELOM="${PERELOM:-$ROOT/target/release/perelom}"
SIZES="${SIZES:-40 200 1000}"
SPARSE_SIZES="${SPARSE_SIZES-40}"
TIMEOUT="${TIMEOUT:-120}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"

steps_for() { local v="STEPS_$1"; case $1 in 40) d=1000 ;; 200) d=200 ;; 1000) d=10 ;; *) d=100 ;; esac; echo "${!v:-$d}"; }
seeds_for() { local v="SEEDS_$1"; case $1 in 40) d=5 ;; 200) d=3 ;; *) d=1 ;; esac; echo "${!v:-$d}"; }

echo "== building bench/krabmaga (release, CARGO_BUILD_JOBS=$CARGO_BUILD_JOBS)" >&2
build_start=$SECONDS
cargo build --release --quiet --manifest-path "$HERE/Cargo.toml" --target-dir "$HERE/target"
echo "   built in $((SECONDS - build_start)) s" >&2
KRAB="$HERE/target/release/epstein-krabmaga"
KVERSION="$(cargo metadata --format-version 1 --manifest-path "$HERE/Cargo.toml" 2>/dev/null \
  | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="krabmaga"))')"

if [[ ! -x "$PERELOM" ]]; then
  echo "== $PERELOM missing: building Perelom (release)" >&2
  cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"

# One Perelom run, printed as a JSON line in the krABMaga binary's format.
perelom_run() { # size steps seed
  local out="$WORK/perelom-$1-$3"
  timeout "$TIMEOUT" "$PERELOM" run epstein-2002 --steps "$2" --seed "$3" \
    --set "grid.width=$1" --set "grid.height=$1" --out "$out" --quiet --force --threads 1 || return 1
  python3 - "$out" "$1" "$3" <<'EOF'
import csv, json, sys
out, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = list(csv.DictReader(open(f"{out}/metrics.csv")))
wall = json.load(open(f"{out}/manifest.json"))["wall_seconds"]
first = rows[0]
agents = sum(int(first[k]) for k in ("quiet", "active", "jailed", "cops"))
print(json.dumps({
    "framework": "perelom", "field": "-", "width": size, "height": size, "seed": seed,
    "agents": agents, "steps": len(rows), "seconds": wall,
    "agent_steps_per_sec": agents * len(rows) / wall,
    "mean_active": sum(int(r["active"]) for r in rows) / len(rows),
    "jailed_end": int(rows[-1]["jailed"]),
}))
EOF
}

krab_run() { # size steps seed field
  timeout "$TIMEOUT" "$KRAB" --width "$1" --height "$1" --steps "$2" --seed "$3" --field "$4"
}

for size in $SIZES; do
  steps=$(steps_for "$size")
  seeds=$(seeds_for "$size")
  echo "== ${size}x${size}, $steps steps, seeds 1..$seeds" >&2
  ok=1
  for seed in $(seq 1 "$seeds"); do
    if ! line=$(perelom_run "$size" "$steps" "$seed"); then ok=0; break; fi
    echo "$line" >> "$RESULTS"; echo "   $line" >&2
    if ! line=$(krab_run "$size" "$steps" "$seed" dense); then ok=0; break; fi
    echo "$line" >> "$RESULTS"; echo "   $line" >&2
  done
  if [[ $ok == 0 ]]; then
    echo "   ${size}x${size}: a run failed or took over ${TIMEOUT} s: size left out" >&2
    grep -v "\"width\": *$size," "$RESULTS" | grep -v "\"width\":$size," > "$WORK/keep" || true
    mv "$WORK/keep" "$RESULTS"
    continue
  fi
  if [[ " $SPARSE_SIZES " == *" $size "* ]]; then
    if line=$(krab_run "$size" "$steps" 1 sparse); then
      echo "$line" >> "$RESULTS"; echo "   $line" >&2
    else
      echo "   sparse ${size}x${size}: failed or over ${TIMEOUT} s" >&2
    fi
  fi
done

python3 - "$RESULTS" "$KVERSION" <<'EOF'
import json, sys
from collections import defaultdict
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = defaultdict(list)
for r in runs:
    groups[(r["width"], r["framework"], r["field"])].append(r)

def agg(rs):
    work = sum(r["agents"] * r["steps"] for r in rs)
    secs = sum(r["seconds"] for r in rs)
    return {
        "runs": len(rs), "steps": rs[0]["steps"], "agents": sum(r["agents"] for r in rs) / len(rs),
        "rate": work / secs,
        "mean_active": sum(r["mean_active"] for r in rs) / len(rs),
        "jailed_end": sum(r["jailed_end"] for r in rs) / len(rs),
    }

print(f"Epstein 2002 Model I, single thread: Perelom vs krABMaga {sys.argv[2]}")
print("agent-steps/s = total agent-steps / total seconds over the runs (placement + steps)")
head = f"{'grid':>9} {'steps':>5} {'runs':>4} {'agents':>8} | {'perelom a-s/s':>13} {'krabmaga a-s/s':>14} {'ratio':>6} | {'mean active P / K':>19} | {'jailed end P / K':>17}"
print(head)
print("-" * len(head))
for size in sorted({k[0] for k in groups}):
    p = groups.get((size, "perelom", "-"))
    k = groups.get((size, "krabmaga", "dense"))
    if not p or not k:
        continue
    P, K = agg(p), agg(k)
    print(f"{size:>4}x{size:<4} {P['steps']:>5} {P['runs']:>4} {P['agents']:>8.0f} | {P['rate']:>13,.0f} {K['rate']:>14,.0f} {P['rate']/K['rate']:>5.1f}x"
          f" | {P['mean_active']:>8.2f} / {K['mean_active']:<8.2f} | {P['jailed_end']:>7.0f} / {K['jailed_end']:<7.0f}")
sparse = sorted((k[0], agg(v)) for k, v in groups.items() if k[2] == "sparse")
if sparse:
    print("\nkrABMaga with SparseGrid2D (hash-map object grid) instead of DenseNumberGrid2D, seed 1:")
    for size, S in sparse:
        P = agg([r for r in groups[(size, "perelom", "-")] if r["seed"] == 1])
        print(f"{size:>4}x{size:<4} {S['steps']:>5} steps: {S['rate']:>12,.0f} agent-steps/s, Perelom/krABMaga-sparse = {P['rate']/S['rate']:.1f}x"
              f" (mean active {S['mean_active']:.2f}, jailed end {S['jailed_end']:.0f})")
EOF
