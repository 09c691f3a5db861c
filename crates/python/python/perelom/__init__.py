"""Perelom: agent-based simulations of labour unrest, underground opposition and state
repression (Soviet industry 1928-1929; Epstein's civil violence), from Python.

>>> import perelom
>>> run = perelom.run("ussr-1928-1929", seed=1)          # about a second
>>> import pyarrow as pa; pa.table(run.metrics).num_rows  # 104 weeks
104

Scenarios are checked exactly as scenario files are (``perelom.ScenarioError`` carries the
file, line, column, key, valid range and a suggestion). Result tables are Arrow data shared
with pyarrow, polars, pandas and DuckDB without copying (the Arrow PyCapsule interface), and
a run from Python is bit for bit the run of the command line with the same scenario and seed.
"""

from __future__ import annotations

import contextlib
import os
import warnings as _warnings
from typing import Callable, Iterator, Optional, Union

from . import _perelom
from ._errors import (
    InternalError,
    OutputError,
    PerelomError,
    ScenarioError,
    ScenarioWarning,
    TableError,
)
from ._perelom import Run, Scenario, Table, scenarios

__version__: str = _perelom.__version__

__all__ = [
    "Scenario",
    "Run",
    "Table",
    "scenarios",
    "run",
    "PerelomError",
    "ScenarioError",
    "ScenarioWarning",
    "OutputError",
    "TableError",
    "InternalError",
    "__version__",
]

#: A scenario: a ``Scenario``, the name of a built-in scenario, or the path of a file.
ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]

#: The scenario ``perelom run`` runs without an argument.
DEFAULT_SCENARIO = "ussr-1928-1929"


@contextlib.contextmanager
def _progress(progress: Optional[bool], unit: str, desc: str) -> Iterator[Optional[Callable[[int, int], None]]]:
    """A callback (done, total) drawing a tqdm bar, or None: ``progress=None`` shows the bar
    (after a second, as the command line does) when tqdm is installed, ``True`` at once,
    ``False`` never."""
    if progress is False:
        yield None
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:
        yield None
        return
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit=unit, desc=desc, delay=0 if progress else 1.0, leave=False)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


def _warn(texts: list[str]) -> None:
    for w in texts:
        _warnings.warn(w, ScenarioWarning, stacklevel=3)


def run(
    scenario: ScenarioLike = DEFAULT_SCENARIO,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> Run:
    """Runs a scenario once and returns the ``Run``: its tables as Arrow data.

    - ``scenario``: a ``Scenario``, a built-in name (``perelom.scenarios()``) or a file path.
      Default: the 1928-1929 baseline (``ussr-1928-1929``: 150,000 people, 104 weeks,
      about a second on two cores).
    - ``seed``: the run's seed (``run.seed``); ``None`` keeps the scenario's own (1 in the
      built-in scenarios). The same scenario and seed give bit-identical tables, for any
      ``threads``, from Python and from ``perelom run --seed``.
    - ``threads``: worker threads (``None``: every core).
    - ``progress``: a tqdm bar if tqdm is installed (``None``: shown after a second;
      ``True``: at once; ``False``: never).

    The GIL is released while the model steps; Ctrl-C raises ``KeyboardInterrupt`` within a
    twentieth of a second. Scenario warnings are issued as ``perelom.ScenarioWarning``.

    ``run.metrics`` has one row per step (1928-1929: weeks; Epstein: steps) and a column per
    metric (``run.metrics.dictionary`` gives each one's unit and meaning); ``run.monthly``
    one row per calendar month; ``run.events`` one row per event.
    """
    with _progress(progress, "step", "perelom.run") as cb:
        r = _perelom.run(scenario, seed, threads, cb)
    _warn(r.warnings)
    return r
