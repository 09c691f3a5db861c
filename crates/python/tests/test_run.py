"""Runs from Python: the same bytes as the command line, for any number of threads; the
manifest, the report, saving, errors."""

from __future__ import annotations

import json
import os
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import perelom


def files(d):
    return sorted(os.listdir(d))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_run_from_python_is_byte_identical_to_the_cli(cli, tmp_path, fmt):
    """The default scenario, seed 1: every file of the result directory is the same, and
    the manifest differs only where it records when, how long and how the seed was set."""
    subprocess.run([str(cli), "run", "ussr-1928-1929", "--seed", "1", "--out", str(tmp_path / "cli"), "--format", fmt, "--quiet"], check=True)
    r = perelom.run("ussr-1928-1929", seed=1, progress=False)
    out = r.save(tmp_path / "py", format=fmt)
    assert out == str(tmp_path / "py")
    assert files(tmp_path / "cli") == files(tmp_path / "py")
    for f in files(tmp_path / "cli"):
        if f != "manifest.json":
            assert (tmp_path / "cli" / f).read_bytes() == (tmp_path / "py" / f).read_bytes(), f
    a = json.loads((tmp_path / "cli" / "manifest.json").read_text())
    b = json.loads((tmp_path / "py" / "manifest.json").read_text())
    for m in (a, b):
        # When and how long it ran, on how many threads, from which build (the binary may
        # be older than the package).
        for k in ("started_at", "wall_seconds", "threads", "git_commit"):
            m.pop(k)
        for p in m["parameters"]:
            if p["key"] == "run.seed":
                p.pop("set_in")
    assert a == b
    # The tables handed to Python are the tables in the files.
    if fmt == "parquet":
        assert pq.read_table(tmp_path / "cli" / "metrics.parquet").equals(pa.table(r.metrics), check_metadata=True)


def test_threads_do_not_change_the_results(small):
    one = perelom.run(small, seed=5, threads=1, progress=False)
    two = perelom.run(small, seed=5, threads=2, progress=False)
    for name in one.tables:
        assert pa.table(one.tables[name]).equals(pa.table(two.tables[name]))
    assert one.survey == two.survey
    assert one.threads == 1 and two.threads == 2


def test_manifest_report_and_views(small):
    r = perelom.run(small, seed=2, progress=False)
    m = r.manifest
    assert m["seed"] == 2 == r.seed and m["steps"] == 104
    seed = next(p for p in m["parameters"] if p["key"] == "run.seed")
    assert seed["set_in"] == "perelom.run(seed=...)"
    assert any(c["key"] == "population.scale" for c in m["changes"])
    html = r.report()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "http://" not in html.split("<svg", 1)[0]
    assert r.survey.startswith("# Political survey")
    assert dict(r.summary)
    assert "strikes_started (mean)" in r.outcomes or r.outcomes


def test_save_never_overwrites_a_users_directory(small, tmp_path):
    r = perelom.run(small, progress=False)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(perelom.OutputError):
        r.save(mine)
    with pytest.raises(perelom.OutputError):
        r.save(mine, force=True)
    assert (mine / "notes.txt").read_text() == "mine"
    r.save(tmp_path / "run")
    with pytest.raises(OSError):  # OutputError is an OSError
        r.save(tmp_path / "run")
    r.save(tmp_path / "run", force=True)
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".")]


def test_run_errors_are_exceptions_not_crashes(small):
    with pytest.raises(perelom.ScenarioError) as e:
        perelom.run(small, seed=-1, progress=False)
    assert e.value.key == "run.seed" and e.value.file == "perelom.run(seed=...)"
    # Beyond 64 bits too: a ScenarioError with the valid range, not Python's OverflowError.
    for big in (2**63, 2**64, 10**30):
        with pytest.raises(perelom.ScenarioError) as e:
            perelom.run(small, seed=big, progress=False)
        assert e.value.key == "run.seed" and "9223372036854775807" in e.value.valid
    with pytest.raises(TypeError):
        perelom.run(small, seed="7", progress=False)
    with pytest.raises(ValueError):
        perelom.run(small, threads=0, progress=False)
    with pytest.raises(perelom.ScenarioError):
        perelom.run("no-such-scenario", progress=False)
    with pytest.raises(TypeError):
        perelom.run(42, progress=False)
    # Counts out of range name the argument and its range (not an OverflowError).
    for call, name in (
        (lambda: perelom.run(small, threads=-1, progress=False), "threads"),
        (lambda: perelom.validate(small, runs=-1, progress=False), "runs"),
        (lambda: perelom.compare(small, small, runs=1, progress=False), "runs"),
        (lambda: perelom.sweep([[0.5]], ["bl.legality"], base=small, replicates=0, progress=False), "replicates"),
        (lambda: perelom.sweep([[0.5]], ["bl.legality"], base=small, threads=-2, progress=False), "threads"),
    ):
        with pytest.raises(ValueError, match=rf"^{name} = -?\d+: give a whole number from"):
            call()
    with pytest.raises(TypeError, match="runs must be a whole number"):
        perelom.validate(small, runs=2.5, progress=False)


def test_warnings_are_python_warnings(small):
    small.set("run.steps", 10)
    with pytest.warns(perelom.ScenarioWarning, match="after the run ends"):
        r = perelom.run(small, progress=False)
    assert r.warnings and len(pa.table(r.metrics)) == 10


def test_progress_callback_and_tqdm(small, capsys):
    r = perelom.run(small, progress=True)
    assert r.metrics.num_rows == 104


def test_save_without_a_path_takes_the_command_lines_default_name(small, tmp_path, monkeypatch):
    """results/NAME-YYYYMMDD-HHMMSS as `perelom run` names it, then -2, -3, ...: a second
    save in the same second never replaces the first."""
    import re

    monkeypatch.chdir(tmp_path)
    r = perelom.run(small, seed=3, progress=False)
    first = r.save()
    second = r.save(format="parquet")
    pattern = r"results/ussr-1928-1929-\d{8}-\d{6}(-\d+)?"
    assert re.fullmatch(pattern, first) and re.fullmatch(pattern, second), (first, second)
    assert first != second
    assert "metrics.csv" in files(first) and "metrics.parquet" in files(second)
    # A scenario parsed from text has no file to name it after.
    text = perelom.run(perelom.Scenario.from_toml(small.to_toml()), progress=False).save()
    assert re.fullmatch(r"results/run-\d{8}-\d{6}(-\d+)?", text), text
    assert not [f for f in os.listdir(tmp_path / "results") if f.startswith(".")]
