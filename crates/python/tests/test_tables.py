"""Result tables: handed over zero-copy through the Arrow PyCapsule interface, and read
by pyarrow, pandas, polars and DuckDB."""

from __future__ import annotations

import datetime

import pyarrow as pa
import pytest

import perelom


@pytest.fixture(scope="module")
def run():
    s = perelom.Scenario.load("ussr-1928-1929")
    s.set("population.scale", 0.005)
    return perelom.run(s, seed=3, progress=False)


def test_tables_have_the_runs_shape_types_and_units(run):
    m = pa.table(run.metrics)
    assert m.num_rows == 104 == len(run.metrics) == run.metrics.num_rows
    assert m.column_names[:3] == ["step", "date", "strikes_started"] == run.metrics.column_names[:3]
    assert m.schema.field("date").type == pa.date32()
    assert m["date"][0].as_py() == datetime.date(1928, 1, 2)
    assert m.schema.field("strikes_started").metadata[b"unit"]
    assert run.metrics.dictionary["strikes_started"]["kind"] == "flow"
    assert pa.table(run.monthly).num_rows == 24
    assert set(run.tables) >= {"metrics", "monthly", "events"}
    assert pa.table(run.events).num_rows > 0
    with pytest.raises(perelom.TableError):
        perelom.run("epstein-2002", progress=False).monthly


def test_handover_is_zero_copy(run):
    """pyarrow reads the very buffers Rust allocated, export after export."""
    t = run.metrics
    for col, k in [("strikes_started", 1), ("step", 1), ("date", 1)]:
        a = pa.table(t).column(col).chunks[0].buffers()[k].address
        b = pa.table(t).column(col).chunks[0].buffers()[k].address
        assert a == b == t._buffer_address(col), col
    ev = run.events
    name = next(n for n in ev.column_names if pa.table(ev).schema.field(n).type == pa.string())
    assert pa.table(ev).column(name).chunks[0].buffers()[2].address == ev._buffer_address(name)
    # The same through a RecordBatchReader.
    reader = pa.RecordBatchReader.from_stream(t)
    batch = reader.read_next_batch()
    assert batch.column(t.column_names.index("strikes_started")).buffers()[1].address == t._buffer_address("strikes_started")


def test_the_arrow_data_outlives_the_run():
    r = perelom.run("epstein-2002", progress=False)
    t = pa.table(r.metrics)
    expected = t.to_pylist()
    del r
    import gc

    gc.collect()
    assert t.to_pylist() == expected


def test_pandas_reads_the_tables(run):
    df = run.metrics.to_pandas()
    assert df.shape == (104, run.metrics.num_columns)
    assert df["strikes_started"].sum() == pa.table(run.metrics)["strikes_started"].to_numpy().sum()
    assert run.monthly.to_pandas()["month"].tolist()[:2] == ["1928-01", "1928-02"]
    assert str(df["date"].dtype).startswith(("datetime64", "object"))


def test_polars_reads_the_tables_without_copying(run):
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(run.metrics)
    assert df.shape == (104, run.metrics.num_columns)
    assert pl.from_arrow(pa.table(run.metrics)).equals(df)
    assert df["strikes_started"].sum() == pa.table(run.metrics)["strikes_started"].to_numpy().sum()
    assert run.metrics.to_polars().equals(df)


def test_duckdb_queries_the_tables(run):
    duckdb = pytest.importorskip("duckdb")
    metrics = run.metrics  # noqa: F841  (found by DuckDB's replacement scan)
    n, total = duckdb.sql("select count(*), sum(strikes_started) from metrics").fetchall()[0]
    assert n == 104 and total == pa.table(run.metrics)["strikes_started"].to_numpy().sum()
    con = duckdb.connect()
    con.register("events", pa.table(run.events))
    assert con.sql("select count(*) from events").fetchall()[0][0] == pa.table(run.events).num_rows


def test_notebook_views(run):
    assert "<table>" in run.metrics._repr_html_() and "strikes_started" in run.metrics._repr_html_()
    assert "seed 3" in run._repr_html_()
    assert "104 rows" in repr(run.metrics)
