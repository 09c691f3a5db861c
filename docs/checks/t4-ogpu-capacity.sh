#!/usr/bin/env bash
# Why T4 falls to 0 without the repression of protest (docs/VALIDATION.md, ablation):
# 8 seeds of the baseline with and without `mechanism.repression_of_protest`, default scale,
# read at the start of the second campaign (week 46, 19 November 1928).
# Usage: docs/checks/t4-ogpu-capacity.sh [path/to/perelom]   (about a minute on 2 cores)
set -euo pipefail
bin=${1:-target/release/perelom}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for s in 1 2 3 4 5 6 7 8; do
    "$bin" run --seed "$s" --out "$work/with-$s" -q
    "$bin" run --seed "$s" --set mechanism.repression_of_protest=false --out "$work/without-$s" -q
done
python3 - "$work" <<'PY'
import csv, statistics, sys
work = sys.argv[1]
def read(d):
    rows = list(csv.DictReader(open(f"{work}/{d}/metrics.csv")))
    col = lambda k: [float(r[k]) for r in rows]
    won = col("opposition_resolutions")
    return {
        "arrests of members, weeks 0-45": sum(col("arrests_members")[:46]),
        "blacklisted, week 45": col("blacklisted")[45],
        "members, week 46": col("members_bl")[46] + col("members_decists")[46],
        "sympathizers, week 46": col("sympathizers")[46],
        "wins, second campaign (weeks 26-60)": sum(won[26:61]),
    }
for tag in ("with", "without"):
    runs = [read(f"{tag}-{s}") for s in range(1, 9)]
    print(f"{tag} the repression of protest (mean of 8 seeds):")
    for k in runs[0]:
        print(f"  {k:40s} {statistics.mean(r[k] for r in runs):8.1f}")
PY
