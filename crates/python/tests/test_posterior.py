"""`posterior=` of validate and compare: the calibration's posterior.csv, drawn exactly as
`perelom validate/compare --posterior` draw it (the same library code), and its errors
with the file and line."""

from __future__ import annotations

import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import perelom


@pytest.fixture(scope="module")
def posterior(root):
    return root / "calibration" / "ussr-1928-1929" / "posterior.csv"


def same_columns(cli_table, mine, columns):
    for name in columns:
        a = cli_table[name].to_numpy(zero_copy_only=False)
        b = mine[name].to_numpy(zero_copy_only=False)
        if a.dtype.kind in "fi":
            np.testing.assert_array_equal(a.astype(float), b.astype(float), err_msg=name)
        else:
            assert list(a) == list(b), name


def test_validate_over_the_posterior_equals_the_cli(cli, small, posterior, tmp_path):
    f = tmp_path / "small.toml"
    f.write_text(small.to_toml())
    out = tmp_path / "v"
    done = subprocess.run(
        [str(cli), "validate", str(f), "--runs", "3", "--posterior", str(posterior), "--out", str(out), "--quiet"],
        check=True,
        capture_output=True,
        text=True,
    )
    v = perelom.validate(perelom.Scenario.load(f), runs=3, posterior=posterior, progress=False)
    targets = pa.table(v.targets)
    same_columns(pacsv.read_csv(out / "targets.csv"), targets, targets.column_names)
    runs = pa.table(v.runs)
    same_columns(pacsv.read_csv(out / "runs.csv"), runs, runs.column_names)
    keys, source = v.posterior
    assert source == str(posterior) and keys[0] == "protest.strike"
    assert f"({', '.join(keys)}) from {posterior}" in done.stdout
    assert "Posterior predictive" in v._repr_html_()
    # The draws matter: without them the readings differ.
    plain = pa.table(perelom.validate(perelom.Scenario.load(f), runs=3, progress=False).runs)
    assert not plain.equals(runs)


@pytest.mark.parametrize("over_posterior", [True, False])
def test_compare_over_the_posterior_equals_the_cli(cli, root, small, posterior, tmp_path, over_posterior):
    """X1 branches from the baseline's own run on 1 October 1928 (`branch_at`); changing a
    parameter that acts before that date shows that the past is the baseline's, as in
    `perelom compare`, with or without a posterior."""
    x1 = perelom.Scenario.load(root / "experiments" / "x1-opposition-leads-strikes.toml")
    x1.set("population.scale", 0.005)
    # An experiment's own change of a calibrated parameter wins over the draw.
    x1.set("protest.strike", 0.7)
    fb, fx = tmp_path / "base.toml", tmp_path / "x1.toml"
    fb.write_text(small.to_toml())
    fx.write_text(x1.to_toml())
    out = tmp_path / "c"
    over = ["--posterior", str(posterior)] if over_posterior else []
    subprocess.run(
        [str(cli), "compare", str(fb), str(fx), "--runs", "3", *over, "--out", str(out), "--quiet"],
        check=True,
        capture_output=True,
    )
    post = posterior if over_posterior else None
    mine = pa.table(perelom.compare(perelom.Scenario.load(fb), perelom.Scenario.load(fx), runs=3, posterior=post, progress=False))
    cli_table = pacsv.read_csv(out / "compare.csv")
    assert mine.column_names == cli_table.column_names
    same_columns(cli_table, mine, mine.column_names)
    if over_posterior:
        plain = pa.table(perelom.compare(perelom.Scenario.load(fb), perelom.Scenario.load(fx), runs=3, progress=False))
        assert not np.array_equal(plain["baseline_mean"].to_numpy(), mine["baseline_mean"].to_numpy(), equal_nan=True)


def cli_error(cli, args):
    done = subprocess.run([str(cli), *args], capture_output=True, text=True)
    assert done.returncode != 0
    return done.stderr.strip().removeprefix("error: ")


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        (None, None, "cannot read the posterior"),
        ("no.such.key,weight,distance\n0.3,1,1\n", 1, "is not a parameter of model"),
        ("bl.legality,distance\n0.3,1\n", 1, "has no `weight` column"),
        ("bl.legality,weight,distance\n0.3,1,1\n0.4,1\n", 3, "found record with 2 fields"),
        ("bl.legality,weight,distance\n0.3,1,1\nabc,1,1\n", 3, "column 1 is not a finite number"),
        ("bl.legality,weight,distance\n0.3,-1,1\n", 2, "negative weight"),
        ("bl.legality,weight,distance\n0.3,0,1\n", None, "no particle with a positive weight"),
    ],
)
def test_a_posterior_that_cannot_be_used_names_its_file_and_line(cli, small, tmp_path, text, line, fragment):
    p = tmp_path / "posterior.csv"
    if text is not None:
        p.write_text(text)
    with pytest.raises(perelom.PosteriorError) as e:
        perelom.validate(small, runs=2, posterior=p, progress=False)
    assert e.value.file == str(p) and e.value.line == line
    assert fragment in str(e.value)
    assert isinstance(e.value, ValueError) and isinstance(e.value, perelom.PerelomError)
    # The command line's message, word for word.
    f = tmp_path / "small.toml"
    f.write_text(small.to_toml())
    assert str(e.value) == cli_error(cli, ["validate", str(f), "--runs", "2", "--posterior", str(p), "--quiet"])
    with pytest.raises(perelom.PosteriorError):
        perelom.compare(small, small, runs=2, posterior=p, progress=False)


def test_a_particle_out_of_range_is_a_scenario_error_at_its_line(small, tmp_path):
    p = tmp_path / "posterior.csv"
    p.write_text("bl.legality,weight,distance\n0.3,1,1\n7.5,1,1\n")
    with pytest.raises(perelom.ScenarioError) as e:
        perelom.validate(small, runs=2, posterior=p, progress=False)
    assert e.value.file == str(p) and e.value.line == 3 and e.value.key == "bl.legality" and e.value.valid
    assert f"{p}:3" in str(e.value)
