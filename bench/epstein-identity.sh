#!/usr/bin/env bash
# Byte-identity check of Epstein outputs across a refactor.
#
#   bench/epstein-identity.sh PERELOM_BINARY OUT_DIR > digests.txt
#
# Runs the Epstein model over a matrix of seeds, grid sizes (including tori smaller
# than the vision, where no padded board is used), bounded grids, vision shapes and
# radii, Mesa and NetLogo variants, both activations, schedules and thread counts,
# and prints one sha256 per output file (every file but manifest.json, which holds a
# start time and a wall time). Run it with the binary before and after a change and
# `diff` the two listings: any difference is a behaviour change.
set -euo pipefail

bin=$1
out=$2
mkdir -p "$out"

runs=(
  # name | arguments
  "mesa-s1|--seed 1 --threads 1"
  "mesa-s2|--seed 2 --threads 1"
  "mesa-s3|--seed 3 --threads 1"
  "mesa-s4|--seed 4 --threads 1"
  "mesa-s5|--seed 5 --threads 1"
  "mesa-s3-t2|--seed 3 --threads 2"
  "mesa-s3-t4|--seed 3 --threads 4"
  "sync-s1-t1|--seed 1 --threads 1 --steps 400 --set activation.kind=synchronous-parallel"
  "sync-s1-t2|--seed 1 --threads 2 --steps 400 --set activation.kind=synchronous-parallel"
  "sync-s2-t4|--seed 2 --threads 4 --steps 400 --set activation.kind=synchronous-parallel"
  "netlogo-s1|--seed 1 --threads 1 --steps 500 --set grid.neighbourhood=euclidean --set arrest.ratio=floor"
  "netlogo-s2|--seed 2 --threads 2 --steps 500 --set grid.neighbourhood=euclidean --set arrest.ratio=floor"
  "netlogo-sync|--seed 7 --threads 2 --steps 300 --set grid.neighbourhood=euclidean --set arrest.ratio=floor --set activation.kind=synchronous-parallel"
  "moore-s1|--seed 1 --threads 1 --steps 400 --set grid.neighbourhood=moore"
  "moore-s2|--seed 2 --threads 1 --steps 400 --set grid.neighbourhood=moore --set citizens.vision=3 --set cops.vision=5"
  "bounded-vn|--seed 1 --threads 1 --steps 400 --set grid.torus=false"
  "bounded-moore|--seed 2 --threads 1 --steps 400 --set grid.torus=false --set grid.neighbourhood=moore"
  "bounded-eucl-sync|--seed 3 --threads 2 --steps 300 --set grid.torus=false --set grid.neighbourhood=euclidean --set activation.kind=synchronous-parallel --set grid.width=100 --set grid.height=30"
  "big-200|--seed 1 --threads 2 --steps 150 --set grid.width=200 --set grid.height=200"
  "big-200-sync|--seed 2 --threads 2 --steps 100 --set grid.width=200 --set grid.height=200 --set activation.kind=synchronous-parallel"
  "tiny-17x9|--seed 1 --threads 1 --steps 300 --set grid.width=17 --set grid.height=9"
  "tiny-17x9-sync|--seed 2 --threads 2 --steps 300 --set grid.width=17 --set grid.height=9 --set activation.kind=synchronous-parallel"
  "tiny-3x3|--seed 1 --threads 1 --steps 200 --set grid.width=3 --set grid.height=3"
  "tiny-1x1|--seed 1 --threads 1 --steps 50 --set grid.width=1 --set grid.height=1"
  "strip-6x1-bounded|--seed 1 --threads 1 --steps 50 --set grid.width=6 --set grid.height=1 --set grid.torus=false"
  "radii-3-12|--seed 4 --threads 1 --steps 300 --set grid.width=61 --set grid.height=45 --set citizens.vision=3 --set cops.vision=12"
  "radius-20|--seed 5 --threads 2 --steps 100 --set grid.width=50 --set grid.height=45 --set grid.neighbourhood=moore --set citizens.vision=20 --set cops.vision=20"
  "radius-50-bounded|--seed 5 --threads 1 --steps 60 --set grid.width=30 --set grid.height=20 --set grid.torus=false --set citizens.vision=50 --set cops.vision=50"
  "cops-jump-up|--seed 6 --threads 1 --steps 300 --set cops.schedule=jump --set cops.final_density=0.15 --set cops.at_step=50"
  "cops-jump-down-legit|--seed 6 --threads 1 --steps 300 --set cops.schedule=jump --set cops.final_density=0.02 --set cops.at_step=80 --set legitimacy.schedule=linear --set legitimacy.final=0.5 --set legitimacy.at_step=20 --set legitimacy.over_steps=100"
  "no-move-literal|--seed 8 --threads 1 --steps 300 --set citizens.movement=false --set cops.movement=false --set arrest.ratio=literal"
  "parquet|--seed 9 --threads 1 --steps 300 --format parquet"
)

for r in "${runs[@]}"; do
  name=${r%%|*}
  args=${r#*|}
  dir="$out/$name"
  # shellcheck disable=SC2086
  "$bin" run epstein-2002 $args --out "$dir" --force -q
  for f in $(cd "$dir" && ls | grep -v '^manifest.json$' | sort); do
    printf '%s  %s/%s\n' "$(sha256sum < "$dir/$f" | cut -d' ' -f1)" "$name" "$f"
  done
done
