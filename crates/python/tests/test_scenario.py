"""Scenarios from Python: loading, setting with the file's checks, the parameter table,
the TOML round trip, and errors with their positions."""

from __future__ import annotations

import copy
import datetime
import pickle

import pyarrow as pa
import pytest

import perelom


def test_builtin_scenarios_are_listed_and_load():
    names = [n for n, _ in perelom.scenarios()]
    assert "ussr-1928-1929" in names and "epstein-2002" in names
    for n in names:
        s = perelom.Scenario.load(n)
        assert s.file == n and s.model in ("ussr-1928", "epstein")


def test_round_trip_through_toml_keeps_every_value_and_citation():
    s = perelom.Scenario.load("ussr-1928-1929")
    s.set("ogpu.escalation", datetime.date(1929, 9, 24))
    s.set("bl.legality", 0.6)
    s.set("campaign2.start", "off")
    back = perelom.Scenario.from_toml(s.to_toml(), file="x.toml")
    assert back.to_toml() == s.to_toml()
    assert dict(back.items()) == dict(s.items())
    assert back.get("ogpu.escalation") == datetime.date(1929, 9, 24)
    assert back.get("campaign2.start") == "off"
    assert sorted(back.changes) == sorted(s.changes) == sorted(["ogpu.escalation", "bl.legality", "campaign2.start"])
    # Pickling goes through the same text.
    assert dict(pickle.loads(pickle.dumps(s)).items()) == dict(s.items())
    c = copy.copy(s)
    c.set("bl.legality", 0.7)
    assert s.get("bl.legality") == 0.6


def test_values_convert_as_in_a_file():
    s = perelom.Scenario.load("ussr-1928-1929")
    s.set("run.steps", 52)
    assert s["run.steps"] == 52 and isinstance(s["run.steps"], int)
    s["bl.legality"] = 1  # an integer is a number
    assert s["bl.legality"] == 1.0 and isinstance(s["bl.legality"], float)
    s.set("ogpu.escalation", "1929-09-24")
    assert s["ogpu.escalation"] == datetime.date(1929, 9, 24)
    import numpy as np

    s.set("run.steps", np.int64(30))
    s.set("bl.legality", np.float64(0.25))
    assert (s["run.steps"], s["bl.legality"]) == (30, 0.25)
    assert "run.seed" in s and "nope" not in s


def test_params_table_has_a_row_per_parameter_with_its_source():
    s = perelom.Scenario.load("ussr-1928-1929")
    s.set("bl.legality", 0.61)
    t = pa.table(s.params)
    assert t.num_rows == len(s.keys())
    assert t.column_names == ["key", "value", "type", "valid", "baseline", "citation", "source", "set_in", "changed", "description"]
    row = t.filter(pa.compute.equal(t["key"], "bl.legality")).to_pylist()[0]
    assert row["value"] == "0.61" and row["set_in"] == "Scenario.set" and row["changed"] == 1
    assert row["citation"] == "uncited"
    assert set(t["citation"].to_pylist()) <= {"source", "mechanism", "assumed", "uncited"}


def test_unknown_key_suggests_the_closest():
    s = perelom.Scenario.load("ussr-1928-1929")
    with pytest.raises(perelom.ScenarioError) as e:
        s.set("ogpu.escalaton", datetime.date(1929, 9, 24))
    assert e.value.key == "ogpu.escalaton"
    assert e.value.suggestion == "ogpu.escalation"
    assert e.value.file == "Scenario.set"
    assert "did you mean `ogpu.escalation`?" in str(e.value)
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize(
    "key, value, why",
    [
        ("bl.legality", 1.5, "is out of range"),
        ("run.steps", 10.5, "expected an integer, found a number"),
        ("ogpu.escalation", None, "expected a date, found None"),
        ("ogpu.escalation", datetime.datetime(1929, 9, 24, 12), "without a time of day"),
        ("ogpu.escalation", "24.09.1929", "is not a date of the form YYYY-MM-DD"),
        ("run.steps", "off", "expected an integer, found text"),
        ("bl.legality", [0.1], "expected a number, found a list"),
    ],
)
def test_wrong_values_give_the_files_message_and_the_valid_range(key, value, why):
    s = perelom.Scenario.load("ussr-1928-1929")
    with pytest.raises(perelom.ScenarioError) as e:
        s.set(key, value)
    assert why in str(e.value)
    assert e.value.key == key
    assert e.value.valid and e.value.valid in str(e.value)
    assert str(e.value).startswith(f"Scenario.set: invalid value for `{key}`")


def test_run_seed_off_is_refused_as_not_a_dated_event():
    s = perelom.Scenario.load("ussr-1928-1929")
    with pytest.raises(perelom.ScenarioError):
        s.set("run.seed", "off")


def test_file_errors_carry_line_and_column(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text('[scenario]\nmodel = "ussr-1928"\nname = "mine"\n\n[ogpu]\nescalaton = 1929-09-24\n', encoding="utf-8")
    with pytest.raises(perelom.ScenarioError) as e:
        perelom.Scenario.load(p)
    err = e.value
    assert (err.file, err.line, err.column) == (str(p), 6, 1)
    assert err.key == "ogpu.escalaton" and err.suggestion == "ogpu.escalation"
    assert str(err).startswith(f"{p}:6:1: unknown parameter `ogpu.escalaton`")

    p.write_text('[scenario]\nmodel = "ussr-1928"\n\n[bl]\nlegality = 7\n', encoding="utf-8")
    with pytest.raises(perelom.ScenarioError) as e:
        perelom.Scenario.load(str(p))
    assert (e.value.line, e.value.column, e.value.key) == (5, 12, "bl.legality")
    assert "a number from" in e.value.valid

    p.write_text('[scenario]\nmodel = "usr-1928"\n', encoding="utf-8")
    with pytest.raises(perelom.ScenarioError) as e:
        perelom.Scenario.load(p)
    assert (e.value.line, e.value.suggestion) == (2, "ussr-1928")


def test_missing_file_and_bad_toml():
    with pytest.raises(perelom.ScenarioError) as e:
        perelom.Scenario.load("ussr-1928")
    assert "built-in scenarios" in str(e.value) and e.value.suggestion == "ussr-1928-1929"
    with pytest.raises(perelom.ScenarioError) as e:
        perelom.Scenario.from_toml("[scenario\n", file="bad.toml")
    assert e.value.file == "bad.toml" and e.value.line == 1


def test_errors_pickle_with_their_attributes():
    s = perelom.Scenario.load("ussr-1928-1929")
    with pytest.raises(perelom.ScenarioError) as e:
        s.set("bl.legality", 2.0)
    back = pickle.loads(pickle.dumps(e.value))
    assert (back.key, back.valid, str(back)) == (e.value.key, e.value.valid, str(e.value))
