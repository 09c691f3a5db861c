"""Shared fixtures: the repository, the command line built beside the package, small
scenarios that run in a tenth of a second."""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest

import perelom

ROOT = pathlib.Path(__file__).resolve().parents[3]


def cli_path() -> pathlib.Path:
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "perelom"


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    """The `perelom` binary of this checkout (ci.sh builds it with `cargo build --release`)."""
    p = cli_path()
    if not p.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    return p


@pytest.fixture
def small() -> perelom.Scenario:
    """The 1928-1929 baseline at 0.5 % scale (15,000 people), 104 weeks: about 0.1 s."""
    s = perelom.Scenario.load("ussr-1928-1929")
    s.set("population.scale", 0.005)
    return s
