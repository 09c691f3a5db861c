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
import html
import os
import warnings as _warnings
from typing import Callable, Iterator, Optional, Sequence, Union

from . import _perelom
from ._errors import (
    InternalError,
    OutputError,
    PerelomError,
    PosteriorError,
    ScenarioError,
    ScenarioWarning,
    TableError,
)
from ._perelom import Run, Scenario, Sweep, Table, scenarios

__version__: str = _perelom.__version__

__all__ = [
    "Scenario",
    "Run",
    "Table",
    "scenarios",
    "run",
    "validate",
    "compare",
    "sweep",
    "Validation",
    "RegimeValidation",
    "Sweep",
    "PerelomError",
    "ScenarioError",
    "PosteriorError",
    "ScenarioWarning",
    "OutputError",
    "TableError",
    "InternalError",
    "__version__",
]

#: A scenario: a ``Scenario``, the name of a built-in scenario, or the path of a file.
ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]

#: A path: ``str`` or ``os.PathLike``.
PathLike = Union[str, "os.PathLike[str]"]

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


def _count(name: str, value: object, lo: int, hi: int, optional: bool = True) -> None:
    """Checks a count argument (``runs``, ``threads``, ``replicates``) before it reaches the
    extension, so that a bad one says which argument and its range (not an OverflowError)."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number from {lo} to {hi}, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} = {value}: give a whole number from {lo} to {hi}")


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
        _count("threads", threads, 1, 65535)
        r = _perelom.run(scenario, seed, threads, cb)
    _warn(r.warnings)
    return r


class Validation:
    """A validation: the ensemble against the model's historical targets.

    - ``targets``: one row per target (``target``, ``description``, ``facts``, ``mean``,
      ``p05``, ``p95`` — the ensemble mean and its 90 % interval, in the target's unit,
      a share or a full-scale count — ``hit``: hit, missed or not measurable, and
      ``single_run_hit_rate``, 0-1), as ``perelom validate --out`` writes targets.csv.
    - ``runs``: one row per run (``seed``, then one column per target: its reading), as
      runs.csv.
    - ``seeds``: the runs' seeds (run.seed, run.seed + 1, ...).
    - ``posterior``: for a posterior predictive, (the calibrated parameters' keys, the
      posterior file); otherwise None.
    - ``warnings``: the scenario's warnings.
    """

    def __init__(
        self,
        targets: Table,
        runs: Table,
        warnings: list[str],
        seeds: Optional[list[int]] = None,
        posterior: Optional[tuple[list[str], str]] = None,
    ) -> None:
        self.targets = targets
        self.runs = runs
        self.warnings = warnings
        self.seeds = seeds if seeds is not None else []
        self.posterior = posterior

    def __repr__(self) -> str:
        over = f"; posterior predictive over {', '.join(self.posterior[0])}" if self.posterior else ""
        return f"<perelom.Validation: {self.targets.num_rows} targets over {self.runs.num_rows} runs{over}>"

    def _repr_html_(self) -> str:
        if not self.posterior:
            return self.targets._repr_html_()
        keys, source = self.posterior
        note = (
            f"<p>Posterior predictive: each run draws {html.escape(', '.join(keys))} "
            f"from <code>{html.escape(source)}</code>.</p>"
        )
        return note + self.targets._repr_html_()


class RegimeValidation:
    """A validation of a model without historical targets whose scenarios claim a regime
    (Epstein's outbursts), as ``perelom validate`` measures it:

    - ``runs``: one row per run (``seed``, then the regime's statistics: for Epstein's
      model ``outbursts``, ``peak_active``, ``mean_active``, ``outburst_steps``,
      ``first_outburst_step``, NaN where a run has none), as runs.csv.
    - ``summary``: one row per statistic (``statistic``, ``label``, ``runs`` in which it is
      defined, ``mean`` and the 90 % interval ``p05``/``p95`` over those runs): the lines
      ``perelom validate`` prints, against which a scenario's claims (its description's
      measured figures) are read.
    - ``event`` (``"outburst"``), ``description`` (the event as this scenario defines it),
      ``runs_with_event``, ``share_with_event`` (0-1) and ``share_interval`` (its 95 %
      Wilson interval).
    - ``record``: what ``perelom validate --out`` writes as ``EVENTs.json``
      (``outbursts.json``), key for key: scenario, runs, seeds, the event's counts and
      share, the event's definition (``outburst_threshold``), changes from the baseline.
    - ``seeds``, ``warnings``.
    """

    def __init__(self, result: dict) -> None:
        self.runs: Table = result["runs"]
        self.summary: Table = result["summary"]
        self.record: dict = result["record"]
        self.event: str = result["event"]
        self.description: str = result["description"]
        self.seeds: list[int] = result["seeds"]
        self.warnings: list[str] = result["warnings"]
        self.runs_with_event: int = self.record[f"runs_with_{self.event}"]
        self.share_with_event: float = self.record[f"share_with_{self.event}"]
        lo, hi = self.record["share_95_interval"]
        self.share_interval: tuple[float, float] = (lo, hi)

    def __repr__(self) -> str:
        n = len(self.seeds)
        return (
            f"<perelom.RegimeValidation {self.record['scenario']!r}: runs with {self.description}: "
            f"{self.runs_with_event} of {n} ({100 * self.share_with_event:.1f} %)>"
        )

    def _repr_html_(self) -> str:
        n = len(self.seeds)
        lo, hi = self.share_interval
        head = (
            f"<p><b>{html.escape(str(self.record['scenario']))}</b>: runs with {html.escape(self.description)}: "
            f"{self.runs_with_event} of {n} ({100 * self.share_with_event:.1f} %), "
            f"95 % interval [{100 * lo:.1f} %, {100 * hi:.1f} %]</p>"
        )
        return head + self.summary._repr_html_()


def validate(
    scenario: ScenarioLike = DEFAULT_SCENARIO,
    runs: int = 20,
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
    posterior: Optional[PathLike] = None,
) -> Union[Validation, RegimeValidation]:
    """Runs ``runs`` seeds of a scenario (run.seed, run.seed + 1, ...) in parallel and
    validates them as ``perelom validate`` does. Ctrl-C stops it before its next run
    (``KeyboardInterrupt``).

    - A model with historical targets (the 1928-1929 model's T1-T15): returns a
      ``Validation`` (``.targets``: one row per target; ``.runs``: one row per run).
    - A model whose scenarios claim a regime (Epstein's outbursts): returns a
      ``RegimeValidation`` (``.runs``: the regime's statistics per run; ``.summary``: each
      statistic's mean and 90 % interval; ``.share_with_event`` and its 95 % interval;
      ``.record``: the command line's ``outbursts.json``).

    ``posterior``: the ``posterior.csv`` of ``perelom calibrate`` (e.g.
    ``calibration/ussr-1928-1929/posterior.csv``): the posterior predictive, as
    ``perelom validate --posterior``. Run i draws its calibrated parameters from the
    weighted particles (the same draw as the command line's), except a parameter the
    scenario itself changes from the baseline. A file that cannot be used raises
    ``PosteriorError`` with its ``file`` and ``line``; a model without targets refuses a
    posterior (``PerelomError``)."""
    with _progress(progress, "run", "perelom.validate") as cb:
        _count("runs", runs, 1, 10000, optional=False)
        _count("threads", threads, 1, 65535)
        result = _perelom.validate(scenario, runs, threads, cb, posterior)
    _warn(result["warnings"])
    if result["kind"] == "regime":
        return RegimeValidation(result)
    return Validation(result["targets"], result["runs"], result["warnings"], result["seeds"], result["posterior"])


def compare(
    baseline: ScenarioLike,
    experiments: Union[ScenarioLike, Sequence[ScenarioLike]],
    runs: int = 20,
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
    posterior: Optional[PathLike] = None,
) -> Table:
    """Compares experiments with a baseline over ``runs`` common seeds, outcome by outcome,
    as ``perelom compare`` does: one row per experiment and outcome, with ``baseline_mean``,
    ``experiment_mean``, ``difference`` (experiment - baseline, mean of the paired
    differences, in the outcome's unit), ``p05``/``p95`` (its 90 % bootstrap interval),
    ``cohens_d`` and ``p_up`` (share of pairs in which the experiment is higher, 0-1). An
    outcome the runs cannot measure has NaN. Scenarios of another model or horizon
    (run.start, run.steps) are refused.

    ``posterior``: the ``posterior.csv`` of ``perelom calibrate``: effects over the
    posterior, as ``perelom compare --posterior``. Run i of every scenario draws the same
    calibrated parameters (so pairs share a seed and a draw), except a parameter a
    scenario itself changes from the baseline (the experiment's change wins). A file that
    cannot be used raises ``PosteriorError`` with its ``file`` and ``line``."""
    if isinstance(experiments, (str, Scenario, os.PathLike)):
        experiments = [experiments]
    with _progress(progress, "run", "perelom.compare") as cb:
        _count("runs", runs, 2, 10000, optional=False)
        _count("threads", threads, 1, 65535)
        table, warns = _perelom.compare(baseline, list(experiments), runs, threads, cb, posterior)
    _warn(warns)
    return table


def _rows(points: object) -> list[list[float]]:
    """A 2-D array (NumPy, list of lists) as rows of floats."""
    try:
        import numpy as np

        a = np.asarray(points, dtype=float)
        if a.ndim != 2:
            raise ValueError(f"points must be a 2-D array (one row per point), not {a.ndim}-D")
        return a.tolist()
    except ImportError:
        return [[float(x) for x in row] for row in points]  # type: ignore[union-attr]


def sweep(
    design_or_points: Union[str, "os.PathLike[str]", object],
    names: Union[Sequence[str], dict, None] = None,
    *,
    base: Optional[ScenarioLike] = None,
    replicates: int = 1,
    seed: int = 1,
    metrics: Optional[Sequence[str]] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    resume: bool = True,
    force: bool = False,
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> Sweep:
    """Runs a parameter sweep in parallel, one atomic Parquet file per run under
    ``out/runs/``, joined into ``out/sweep.parquet``; returns a ``Sweep``.

    ``design_or_points`` is either a sweep design file (TOML, as ``perelom sweep`` reads:
    grid, latin-hypercube, sobol, saltelli or morris) or the points of any sampler: a 2-D
    array, one row per point, one column per parameter, with ``names`` the parameter keys
    (or a SALib ``problem`` dict, whose ``names`` are used). For points, ``base`` is the
    scenario they change (default: the 1928-1929 baseline), each point runs ``replicates``
    times with seeds ``seed``, ``seed + 1``, ..., and ``metrics`` limits the weekly metrics
    kept. Every point is checked before the first run starts.

    ``out`` defaults to ``results/DESIGN`` (``results/sweep-FINGERPRINT`` for points). With
    ``resume`` (the default) an interrupted sweep of the same design continues where it
    stopped; ``force`` starts a sweep Perelom wrote over. Ctrl-C stops before the next run
    and keeps the finished ones.

    With SALib::

        X = morris.sample(problem, 10)
        s = perelom.sweep(X, problem, metrics=["strikes_started"])
        Si = morris_analyze.analyze(problem, X, np.array(s.outputs("strikes_started", "sum")))
    """
    with _progress(progress, "run", "perelom.sweep") as cb:
        _count("replicates", replicates, 1, 10000, optional=False)
        _count("threads", threads, 1, 65535)
        if isinstance(design_or_points, (str, os.PathLike)):
            if names is not None:
                raise ValueError("names are for points; a design file names its parameters")
            result = _perelom.sweep(design_or_points, None, None, None, replicates, seed, None, out, resume, force, threads, cb)
        else:
            if names is None:
                raise ValueError("give names: the parameter key of each column of the points (or a SALib problem)")
            keys = list(names["names"]) if isinstance(names, dict) else list(names)
            result = _perelom.sweep(
                None,
                keys,
                _rows(design_or_points),
                base,
                replicates,
                seed,
                list(metrics) if metrics is not None else None,
                out,
                resume,
                force,
                threads,
                cb,
            )
    _warn(result.warnings)
    return result
