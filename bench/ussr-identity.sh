#!/usr/bin/env bash
# Byte-identity check of the 1928-1929 model's outputs across an optimization.
#
#   bench/ussr-identity.sh PERELOM_BINARY OUT_DIR > digests.txt
#   bench/ussr-identity.sh --compare BASE_BINARY NEW_BINARY OUT_DIR
#
# Runs the ussr-1928-1929 model over a matrix of seeds, scales (0.01 to 1.0), thread
# counts (1, 2, 4), the counterfactual experiments X1-X5, each mechanism switched off,
# Parquet output and a small validation ensemble, and prints one sha256 per output
# file (every file but manifest.json, which holds a start time and a wall time). Run it
# with the binary built from the base commit and with the new one and `diff` the two
# listings, or let `--compare` do both and diff: any difference is a behaviour change.
#
# The base binary: build the base commit once and keep a copy, e.g.
#   git worktree add /tmp/perelom-base BASE && (cd /tmp/perelom-base && cargo build --release)
#   cp /tmp/perelom-base/target/release/perelom /tmp/perelom-base-bin
#
# QUICK=1 leaves out the two full-scale runs (3 million people, about 15 s of CPU each).
set -euo pipefail

if [[ ${1:-} == --compare ]]; then
  base=$2
  new=$3
  out=$4
  here=$(cd "$(dirname "$0")" && pwd)
  mkdir -p "$out"
  "$here/ussr-identity.sh" "$base" "$out/base" > "$out/base.txt"
  "$here/ussr-identity.sh" "$new" "$out/new" > "$out/new.txt"
  if diff "$out/base.txt" "$out/new.txt"; then
    echo "identical: $(wc -l < "$out/new.txt") files"
  else
    echo "DIFFERENT" >&2
    exit 1
  fi
  exit 0
fi

bin=$1
out=$2
mkdir -p "$out"
root=$(cd "$(dirname "$0")/.." && pwd)
x="$root/experiments"

runs=(
  # name | arguments
  "s1-t1|--seed 1 --threads 1"
  "s1-t2|--seed 1 --threads 2"
  "s1-t4|--seed 1 --threads 4"
  "s2-t1|--seed 2 --threads 1"
  "s3-t2|--seed 3 --threads 2"
  "s4-t2|--seed 4 --threads 2"
  "s5-t1|--seed 5 --threads 1"
  "scale001-s1-t1|--seed 1 --threads 1 --scale 0.01"
  "scale001-s7-t2|--seed 7 --threads 2 --scale 0.01"
  "scale0003-s2-t1|--seed 2 --threads 1 --scale 0.003"
  "scale02-s1-t2|--seed 1 --threads 2 --scale 0.2"
  "scale02-s9-t1|--seed 9 --threads 1 --scale 0.2"
  "x1-s1|--seed 1 --threads 2 $x/x1-opposition-leads-strikes.toml"
  "x2-s2|--seed 2 --threads 2 $x/x2-escalation-a-year-later.toml"
  "x3-s3|--seed 3 --threads 1 $x/x3-programme-of-action.toml"
  "x4-s4|--seed 4 --threads 2 $x/x4-no-tightening.toml"
  "x5-s5|--seed 5 --threads 2 $x/x5-strategy-and-time.toml"
  "no-local-disputes|--seed 1 --threads 2 --set mechanism.local_disputes=false"
  "no-contagion|--seed 1 --threads 2 --set mechanism.contagion=false"
  "no-organizing|--seed 1 --threads 2 --set mechanism.organizing=false"
  "no-repression|--seed 1 --threads 2 --set mechanism.repression_of_protest=false"
  "no-recruitment|--seed 1 --threads 2 --set mechanism.recruitment=false"
  "no-capitulation|--seed 1 --threads 2 --set mechanism.capitulation=false"
  "no-escalation|--seed 1 --threads 2 --set mechanism.escalation=false"
  "no-exile-feedback|--seed 1 --threads 2 --set mechanism.exile_feedback=false"
  "no-social-influence|--seed 1 --threads 2 --set mechanism.social_influence=false"
  "parquet|--seed 6 --threads 2 --format parquet"
)
if [[ ${QUICK:-0} != 1 ]]; then
  runs+=(
    "full-s1-t2|--seed 1 --threads 2 --scale 1.0"
    "full-s2-t1|--seed 2 --threads 1 --scale 1.0"
  )
fi

digest_dir() {
  local dir=$1 name=$2
  for f in $(cd "$dir" && find . -type f ! -name manifest.json ! -name '.perelom-result' | sed 's|^\./||' | sort); do
    printf '%s  %s/%s\n' "$(sha256sum < "$dir/$f" | cut -d' ' -f1)" "$name" "$f"
  done
}

for r in "${runs[@]}"; do
  name=${r%%|*}
  args=${r#*|}
  dir="$out/$name"
  # shellcheck disable=SC2086
  "$bin" run $args --out "$dir" --force -q
  digest_dir "$dir" "$name"
done

# An ensemble: the per-seed outcomes and the targets' scores (validate's own files).
"$bin" validate --runs 6 --set run.seed=11 --threads 2 --out "$out/validate" --force > /dev/null
digest_dir "$out/validate" validate
