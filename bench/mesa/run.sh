#!/usr/bin/env bash
# Perelom vs Mesa 3.3.1 on Epstein's civil violence model (issue 5).
#
#   bench/mesa/run.sh                 # agreement (5 seeds x 1000 steps), speed, scaling
#   bench/mesa/run.sh --help          # options of compare.py
#   bench/mesa/run.sh --seeds 3 --steps 200 --sizes 40,100
#   bench/mesa/run.sh --ratios 40:1000,200:20,1000:5   # issue 14: Mesa, Perelom and
#                                     # krABMaga side by side, interleaved (~20 min)
#
# Creates bench/mesa/.venv (python3 -m venv) if absent, installs the pinned
# requirements.txt (Mesa 3.3.1, networkx and their dependencies) into it, builds
# Perelom in release mode and runs compare.py with the arguments given here.
# Environment: PYTHON (default python3) creates the venv; SKIP_BUILD=1 uses the
# existing target/release/perelom; PERELOM=path runs that binary instead. With
# --ratios, the krABMaga crate in bench/krabmaga is built too (its own workspace and
# target/, CARGO_BUILD_JOBS=1) unless KRABMAGA=path names its binary.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "run.sh: creating $venv" >&2
    "$python" -m venv "$venv"
fi

# Install only when requirements.txt changed since the last install.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo "run.sh: installing $here/requirements.txt" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi

if [[ -n "${PERELOM:-}" ]]; then
    perelom="$PERELOM"
else
    perelom="${CARGO_TARGET_DIR:-$repo/target}/release/perelom"
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
        echo "run.sh: cargo build --release" >&2
        (cd "$repo" && cargo build --release --quiet)
    fi
fi
if [[ ! -x "$perelom" ]]; then
    echo "run.sh: no Perelom binary at $perelom" >&2
    exit 1
fi

extra=()
if [[ " $* " == *" --ratios "* || " $* " == *" --ratios="* ]]; then
    krab="${KRABMAGA:-}"
    if [[ -z "$krab" ]]; then
        echo "run.sh: building bench/krabmaga (release, its own target/)" >&2
        CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" cargo build --release --quiet \
            --manifest-path "$repo/bench/krabmaga/Cargo.toml" --target-dir "$repo/bench/krabmaga/target"
        krab="$repo/bench/krabmaga/target/release/epstein-krabmaga"
    fi
    extra=(--krabmaga "$krab")
fi

exec "$venv/bin/python" "$here/compare.py" --perelom "$perelom" "${extra[@]}" "$@"
