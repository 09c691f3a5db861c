#!/usr/bin/env bash
# Builds the Python package `perelom` in a virtual environment and runs its tests.
#
#   bash crates/python/ci.sh
#
# The virtual environment is kept under the workspace's target directory (a second run
# reuses it), the package is built by maturin into the same target directory with the
# workspace's release profile, so after `cargo build --release` (or
# `cargo test --workspace --release`) only the Python module itself is compiled. The
# command line is built too (if it is not already): the tests compare its results with
# the package's, byte for byte.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="${PERELOM_PY_VENV:-$TARGET/python-venv}"
PYTHON="${PYTHON:-python3}"

step() { printf '\n=== %s\n' "$*"; }

step "python: virtual environment ($VENV)"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# The environment's tools (maturin, which the build backend runs) come first.
export PATH="$VENV/bin:$PATH"
"$VENV/bin/python" --version
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$VENV/bin/python" -m pip install -q "maturin>=1.9,<2" pytest pyarrow pandas polars duckdb SALib matplotlib numpy tqdm

step "python: cargo build --release (the command line the tests compare with)"
cargo build --release

step "python: pip install ./crates/python"
# No build isolation: maturin is the one just installed, so nothing is downloaded twice.
"$VENV/bin/python" -m pip install -q --no-build-isolation --force-reinstall --no-deps ./crates/python
"$VENV/bin/python" -c "import perelom; print('perelom', perelom.__version__, 'from', perelom.__file__)"

step "python: pytest crates/python/tests"
cd "$ROOT/crates/python"
MPLBACKEND=Agg "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests
