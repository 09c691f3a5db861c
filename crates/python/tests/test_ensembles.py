"""validate, compare and sweep from Python, and the SALib round trip."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import perelom


def test_validate_scores_every_target(small):
    v = perelom.validate(small, runs=3, progress=False)
    t = pa.table(v.targets)
    assert t.column_names == ["target", "description", "facts", "mean", "p05", "p95", "hit", "single_run_hit_rate"]
    assert t["target"][0].as_py() == "T1"
    assert set(t["hit"].to_pylist()) <= {"hit", "missed", "not measurable"}
    runs = pa.table(v.runs)
    assert runs["seed"].to_pylist() == [1, 2, 3] and runs.num_columns == t.num_rows + 1
    assert v.seeds == [1, 2, 3] and v.posterior is None
    # A model without targets is validated by its regime instead (test_regime.py).
    assert isinstance(perelom.validate("epstein-2002", runs=2, progress=False), perelom.RegimeValidation)


def test_validate_matches_the_cli(cli, small, tmp_path):
    import subprocess

    f = tmp_path / "small.toml"
    f.write_text(small.to_toml())
    subprocess.run([str(cli), "validate", str(f), "--runs", "3", "--out", str(tmp_path / "v")], check=True, capture_output=True)
    v = perelom.validate(perelom.Scenario.load(f), runs=3, progress=False)
    cli_t = pacsv.read_csv(tmp_path / "v" / "targets.csv")
    np.testing.assert_array_equal(cli_t["mean"].to_numpy(), pa.table(v.targets)["mean"].to_numpy())
    assert cli_t["hit"].to_pylist() == pa.table(v.targets)["hit"].to_pylist()


def test_compare_pairs_runs_and_refuses_other_horizons(root, small, tmp_path):
    x1 = perelom.Scenario.load(root / "experiments" / "x1-opposition-leads-strikes.toml")
    x1.set("population.scale", 0.005)
    t = pa.table(perelom.compare(small, [x1], runs=3, progress=False))
    assert t.column_names == ["experiment", "outcome", "baseline_mean", "experiment_mean", "difference", "p05", "p95", "cohens_d", "p_up"]
    assert set(t["experiment"].to_pylist()) == {x1.name}
    d = t.to_pandas().dropna()
    assert ((d.p05 <= d.difference + 1e-12) & (d.difference <= d.p95 + 1e-12)).all()
    short = small.copy()
    short.set("run.steps", 30)
    with pytest.raises(perelom.PerelomError, match="another horizon"):
        perelom.compare(small, short, runs=2)


def test_sweep_of_points_resumes_and_keeps_only_whole_files(small, tmp_path):
    X = np.array([[0.2], [0.5], [0.8]])
    out = tmp_path / "sw"
    s = perelom.sweep(X, ["bl.legality"], base=small, replicates=2, metrics=["strikes_started"], out=out, progress=False)
    assert s.names == ["bl.legality"] and s.points == X.tolist() and s.replicates == 2
    data = pa.table(s.data)
    assert data.num_rows == 3 * 2 * 104
    assert set(data.column_names) == {"run", "point", "replicate", "seed", "bl.legality", "step", "date", "strikes_started"}
    y = s.outputs("strikes_started", "sum")
    assert len(y) == 3
    per_run = data.group_by("run").aggregate([("strikes_started", "sum"), ("point", "min")]).sort_by("run")
    sums = per_run["strikes_started_sum"].to_numpy()
    assert y == pytest.approx([(sums[2 * i] + sums[2 * i + 1]) / 2 for i in range(3)])
    # The same call again resumes: nothing to do, the same data.
    again = perelom.sweep(X, ["bl.legality"], base=small, replicates=2, metrics=["strikes_started"], out=out, progress=False)
    assert pa.table(again.data).equals(data)
    assert pq.read_table(out / "sweep.parquet").num_rows == data.num_rows
    with pytest.raises(perelom.PerelomError):
        perelom.sweep(X, ["bl.legality"], base=small, replicates=3, out=out, progress=False)  # another design
    with pytest.raises(perelom.PerelomError, match="point 1"):
        perelom.sweep(np.array([[0.2], [7.0]]), ["bl.legality"], base=small, out=tmp_path / "bad", progress=False)
    assert not (tmp_path / "bad").exists()


def test_sweep_seeds_beyond_the_range_are_scenario_errors(small, tmp_path):
    with pytest.raises(perelom.ScenarioError) as e:
        perelom.sweep(np.array([[0.5]]), ["bl.legality"], base=small, seed=2**64, out=tmp_path / "no", progress=False)
    assert e.value.key == "run.seed"
    assert not (tmp_path / "no").exists()


def test_sweep_rounds_whole_number_parameters_and_says_so(tmp_path):
    with pytest.warns(UserWarning, match=r"`grid.width` is a whole number: 2 of its values were rounded \(10.4 -> 10, 13.6 -> 14\)"):
        s = perelom.sweep([[10.4], [13.6], [12.0]], ["grid.width"], base="epstein-2002", out=tmp_path / "r", progress=False)
    assert s.points == [[10.0], [14.0], [12.0]]
    with pytest.raises(ValueError, match="threads = 0"):
        perelom.sweep([[10.0]], ["grid.width"], base="epstein-2002", threads=0, out=tmp_path / "t", progress=False)
    assert not (tmp_path / "t").exists()
    with pytest.raises(TypeError):
        perelom.run("epstein-2002", seed=True, progress=False)


def test_ensembles_the_machine_cannot_hold_are_refused_before_any_run(tmp_path):
    big = perelom.Scenario.load("epstein-2002")
    big.set("grid.width", 10000)
    big.set("grid.height", 10000)
    for call in (
        lambda: perelom.validate(big, runs=64, threads=64, progress=False),
        lambda: perelom.compare("epstein-2002", big, runs=64, threads=64, progress=False),
        lambda: perelom.sweep([[10], [10000]], ["grid.width"], base=big, replicates=64, threads=64, out=tmp_path / "s", progress=False),
    ):
        with pytest.raises(perelom.PerelomError, match=r"GB of memory \(64 runs at once"):
            call()
    assert not (tmp_path / "s").exists()


def test_sweep_of_a_design_file(root, tmp_path):
    design = tmp_path / "d.toml"
    design.write_text(
        '[sweep]\nbase = "ussr-1928-1929"\nset = ["population.scale=0.005", "run.steps=20"]\nmetrics = ["strikes_started"]\n'
        '[parameters]\n"bl.legality" = { values = [0.3, 0.6] }\n'
    )
    s = perelom.sweep(design, out=tmp_path / "out", progress=False)
    assert s.kind == "grid" and len(s) == 2 and pa.table(s.data).num_rows == 40
    files = os.listdir(tmp_path / "out" / "runs")
    assert files and all(f.endswith(".parquet") and f.startswith(("run-", "batch-")) for f in files), files


def test_salib_morris_round_trip(small, tmp_path):
    """SALib samples, perelom runs, SALib analyses: three lines."""
    SALib = pytest.importorskip("SALib")
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris

    small.set("run.steps", 40)
    problem = {"num_vars": 2, "names": ["bl.legality", "protest.strike"], "bounds": [[0.2, 0.8], [0.5, 2.0]]}
    base_value = small["protest.strike"]
    assert isinstance(base_value, float)
    X = morris.sample(problem, N=3, num_levels=4, seed=1)
    s = perelom.sweep(X, problem, base=small, metrics=["strikes_started"], out=tmp_path / "m", progress=False)
    Si = morris_analyze.analyze(problem, X, np.array(s.outputs("strikes_started")), num_levels=4, seed=1)
    assert list(Si["names"]) == problem["names"] and np.all(np.isfinite(Si["mu_star"]))
    assert len(s.points) == len(X) and np.allclose(s.points, X)


def test_compare_refuses_a_branch_before_any_run_as_the_cli_does(cli, root, small, tmp_path):
    """X1 branches on 1 October 1928; an experiment that moves the OGPU's escalation
    (24 September 1928, in the baseline's past by then) cannot branch there."""
    import subprocess

    x1 = perelom.Scenario.load(root / "experiments" / "x1-opposition-leads-strikes.toml")
    x1.set("population.scale", 0.005)
    x1.set("ogpu.escalation", "1928-12-03")
    fb, fx = tmp_path / "base.toml", tmp_path / "x1.toml"
    fb.write_text(small.to_toml())
    fx.write_text(x1.to_toml())
    done = subprocess.run([str(cli), "compare", str(fb), str(fx), "--runs", "2", "--quiet"], capture_output=True, text=True)
    assert done.returncode != 0
    with pytest.raises(perelom.PerelomError, match="cannot branch") as e:
        perelom.compare(perelom.Scenario.load(fb), perelom.Scenario.load(fx), runs=2, progress=False)
    assert str(e.value) == done.stderr.strip().removeprefix("error: ")
