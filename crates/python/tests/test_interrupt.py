"""Ctrl-C: a run or a sweep stops promptly with KeyboardInterrupt and leaves no
half-written results; an interrupted sweep resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pyarrow.parquet as pq

import perelom


def start(code: str, cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_ctrl_c_stops_a_run_before_anything_is_written(tmp_path):
    p = start(
        """
        import sys, perelom
        s = perelom.Scenario.load("ussr-1928-1929")
        s.set("population.scale", 0.5)   # some ten seconds
        print("running", flush=True)
        try:
            perelom.run(s, progress=False).save("out")
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
        """,
        tmp_path,
    )
    assert p.stdout.readline().strip() == "running"
    time.sleep(1.5)
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 3, err
    assert time.monotonic() - sent < 5, "Ctrl-C answered late"
    assert "interrupted" in out
    assert os.listdir(tmp_path) == []


def test_ctrl_c_stops_a_sweep_between_runs_and_the_sweep_resumes(tmp_path):
    code = """
        import sys, numpy as np, perelom
        s = perelom.Scenario.load("ussr-1928-1929")
        s.set("population.scale", 0.005)
        X = np.linspace(0.1, 0.9, 60)[:, None]
        print("sweeping", flush=True)
        try:
            perelom.sweep(X, ["bl.legality"], base=s, metrics=["strikes_started"], out="sw", progress=False)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
        """
    p = start(code, tmp_path)
    assert p.stdout.readline().strip() == "sweeping"
    runs = tmp_path / "sw" / "runs"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (runs.exists() and any(f.endswith(".parquet") for f in os.listdir(runs))):
        time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 3, err
    done = sorted(f for f in os.listdir(runs))
    assert 0 < len(done) < 60, "the sweep was not interrupted half-way"
    # Only whole files: every run (or packed batch of runs) file reads, nothing temporary
    # is left, no dataset yet.
    assert all(f.startswith(("run-", "batch-")) and f.endswith(".parquet") for f in done), done
    for f in done:
        n = pq.read_table(runs / f).num_rows
        assert n > 0 and n % 104 == 0, (f, n)
    assert not (tmp_path / "sw" / "sweep.parquet").exists()
    # The same sweep resumes and makes only the missing runs.
    s = perelom.Scenario.load("ussr-1928-1929")
    s.set("population.scale", 0.005)
    X = np.linspace(0.1, 0.9, 60)[:, None]
    sw = perelom.sweep(X, ["bl.legality"], base=s, metrics=["strikes_started"], out=tmp_path / "sw", progress=False)
    assert sw.data.num_rows == 60 * 104
    # The resumed sweep's dataset is the uninterrupted sweep's, byte for byte.
    whole = perelom.sweep(X, ["bl.legality"], base=s, metrics=["strikes_started"], out=tmp_path / "whole", progress=False)
    assert (tmp_path / "sw" / "sweep.parquet").read_bytes() == (tmp_path / "whole" / "sweep.parquet").read_bytes()
