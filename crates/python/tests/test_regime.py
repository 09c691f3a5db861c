"""Validation of Epstein's model by its regime (outbursts), as `perelom validate` measures
it: the same per-run statistics, share of runs with an outburst and summaries as the
command line's files and table."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import perelom


def cli_validate(cli, scenario, runs, out):
    done = subprocess.run(
        [str(cli), "validate", str(scenario), "--runs", str(runs), "--out", str(out), "--quiet"], check=True, capture_output=True, text=True
    )
    return done.stdout


@pytest.mark.parametrize("scenario", ["epstein-2002", "epstein-punctuated"])
def test_regime_validation_equals_the_cli(cli, tmp_path, scenario):
    runs = 6
    printed = cli_validate(cli, scenario, runs, tmp_path / "v")
    v = perelom.validate(scenario, runs=runs, progress=False)
    assert isinstance(v, perelom.RegimeValidation)
    assert v.seeds == list(range(1, runs + 1)) and v.event == "outburst"

    # runs.csv, value for value (the CSV holds each number's shortest exact text).
    cli_runs = pacsv.read_csv(tmp_path / "v" / "runs.csv")
    mine = pa.table(v.runs)
    assert mine.column_names == cli_runs.column_names
    assert mine.column_names == ["seed", "outbursts", "peak_active", "mean_active", "outburst_steps", "first_outburst_step"]
    for name in mine.column_names:
        np.testing.assert_array_equal(
            cli_runs[name].to_numpy(zero_copy_only=False).astype(float), mine[name].to_numpy().astype(float), err_msg=name
        )

    # outbursts.json, key for key.
    record = json.loads((tmp_path / "v" / "outbursts.json").read_text())
    assert v.record == record
    assert v.runs_with_event == record["runs_with_outburst"]
    assert v.share_with_event == record["share_with_outburst"]
    assert list(v.share_interval) == record["share_95_interval"]

    # The printed table: the share line and one line per statistic defined in some run.
    lo, hi = v.share_interval
    share = (
        f"runs with {v.description}  {v.runs_with_event} of {runs} ({100 * v.share_with_event:.1f} %), "
        f"95 % interval [{100 * lo:.1f} %, {100 * hi:.1f} %]"
    )
    assert share in printed
    summary = pa.table(v.summary).to_pylist()
    assert [r["statistic"] for r in summary] == mine.column_names[1:]
    for row in summary:
        if row["runs"] == 0:
            assert row["label"] not in printed and np.isnan(row["mean"])
            continue
        of = "90 % of those runs" if row["runs"] < runs else "90 % of runs"
        line = f"{row['label']:<40}  mean {row['mean']:>8.2f}, {of} in [{row['p05']:.1f}, {row['p95']:.1f}]"
        assert line in printed, (line, printed)
        column = mine[row["statistic"]].to_numpy()
        defined = column[~np.isnan(column)]
        assert row["runs"] == len(defined) and row["mean"] == pytest.approx(defined.mean(), rel=1e-12)

    assert "outburst" in v._repr_html_() and "<table" in v._repr_html_()
    assert repr(v).startswith("<perelom.RegimeValidation")


def test_a_regime_validation_of_a_changed_scenario_records_its_changes(cli, tmp_path):
    s = perelom.Scenario.load("epstein-punctuated")
    s.set("outburst.threshold", 80)
    s.set("run.steps", 200)
    f = tmp_path / "changed.toml"
    f.write_text(s.to_toml())
    cli_validate(cli, f, 3, tmp_path / "v")
    v = perelom.validate(perelom.Scenario.load(f), runs=3, progress=False)
    record = json.loads((tmp_path / "v" / "outbursts.json").read_text())
    assert v.record == record and record["outburst_threshold"] == 80
    assert "(> 80 active)" in v.description


def test_regime_validation_refuses_what_does_not_apply():
    with pytest.raises(perelom.PerelomError, match="no calibration to draw from"):
        perelom.validate("epstein-2002", runs=2, posterior="calibration/ussr-1928-1929/posterior.csv", progress=False)
    with pytest.raises(ValueError, match="runs = 0"):
        perelom.validate("epstein-2002", runs=0, progress=False)
    # The regime's statistics are those of the descriptor, whatever the seed.
    s = perelom.Scenario.load("epstein-2002")
    s.set("run.seed", 40)
    v = perelom.validate(s, runs=2, progress=False)
    assert v.seeds == [40, 41] and re.match(r"<perelom.RegimeValidation 'Epstein", repr(v))
