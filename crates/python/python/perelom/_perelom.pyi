"""Type stubs of the native module `perelom._perelom` (PyO3). Use it through `perelom`."""

import datetime
import os
from typing import Any, Callable, Optional, Sequence, Union

__version__: str

#: A parameter's value: an int, a float, a bool, text, a date, a list of numbers, or
#: "off" (a dated event that does not happen).
Value = Union[int, float, bool, str, datetime.date, list[float]]

def scenarios() -> list[tuple[str, str]]:
    """The built-in scenarios: (name, one-line description)."""

class Table:
    """A result table as Arrow data (one record batch). Read it with ``pyarrow.table(t)``,
    ``polars.DataFrame(t)``, ``t.to_pandas()`` or DuckDB: none of them copies the data."""

    @property
    def name(self) -> str:
        """``metrics``, ``monthly``, ``events``, ``targets``, ``comparison``, ``sweep``, ``params``..."""
    @property
    def num_rows(self) -> int: ...
    @property
    def num_columns(self) -> int: ...
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
    @property
    def column_names(self) -> list[str]: ...
    @property
    def dictionary(self) -> dict[str, dict[str, str]]:
        """{column: {"description", "unit", "kind"}} for the columns the model describes."""
    def __len__(self) -> int: ...
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        """The Arrow PyCapsule interface: an ArrowArrayStream capsule sharing the buffers."""
    def __arrow_c_schema__(self) -> object:
        """The Arrow PyCapsule interface: the schema (column metadata: description, unit, kind)."""
    def to_pyarrow(self) -> Any:
        """A ``pyarrow.Table`` (zero-copy)."""
    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` (through pyarrow)."""
    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` (zero-copy)."""
    def _buffer_address(self, column: str) -> int:
        """Address of a column's data buffer in Rust's memory (for zero-copy checks)."""
    def _repr_html_(self) -> str: ...

class Scenario:
    """A model and every one of its parameters resolved: value, citation (source, or why it
    is assumed) and where it was set."""

    @staticmethod
    def load(name_or_path: Union[str, "os.PathLike[str]"]) -> "Scenario":
        """A built-in scenario by name, or a scenario file (TOML) by path. Raises
        ``ScenarioError`` (file, line, column, key, valid, suggestion)."""
    @staticmethod
    def from_toml(text: str, file: str = "<string>") -> "Scenario":
        """Parses scenario text as if read from ``file``."""
    def set(self, key: str, value: Value) -> None:
        """Sets a parameter with a scenario file's checks; ``ScenarioError`` if the key is
        unknown or the value wrong (of another type, out of range)."""
    def get(self, key: str) -> Value:
        """A parameter's value (``datetime.date`` for dates, ``"off"`` for an event switched off)."""
    def __getitem__(self, key: str) -> Value: ...
    def __setitem__(self, key: str, value: Value) -> None: ...
    def __contains__(self, key: str) -> bool: ...
    def copy(self) -> "Scenario": ...
    def keys(self) -> list[str]:
        """The parameters' keys in the schema's order."""
    def items(self) -> list[tuple[str, Value]]: ...
    @property
    def model(self) -> str:
        """``ussr-1928`` or ``epstein``."""
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def file(self) -> str:
        """The file it came from (a built-in scenario's name for a built-in)."""
    @property
    def params(self) -> Table:
        """One row per parameter: key, value, type, valid, baseline, citation (source,
        mechanism, assumed, uncited), source (its text), set_in, changed (0/1),
        description (meaning and unit)."""
    @property
    def changes(self) -> list[str]:
        """Keys whose values differ from the model's baseline."""
    @property
    def warnings(self) -> list[str]:
        """Allowed but probably not meant (a dated event outside the run, ...)."""
    def check(self) -> None:
        """The checks of several parameters together that a run makes before it starts."""
    def to_toml(self) -> str:
        """The resolved scenario as a file: every parameter with its citation."""

class Run:
    """A finished run: its tables (Arrow), texts and figures."""

    @property
    def metrics(self) -> Table:
        """One row per step (1928-1929: week): step, date, then every metric."""
    @property
    def monthly(self) -> Table:
        """One row per calendar month (1928-1929 model): flows summed, stocks at month end."""
    @property
    def events(self) -> Table:
        """One row per event (1928-1929 model): step, date, factory, region, sector, event, count, detail, outcome."""
    @property
    def tables(self) -> dict[str, Table]:
        """Every table by name."""
    @property
    def survey(self) -> Optional[str]:
        """The monthly political survey in words (Markdown), or None for models without one."""
    @property
    def documents(self) -> list[tuple[str, str]]:
        """(file name, text) of the texts written beside the tables."""
    @property
    def summary(self) -> list[tuple[str, str]]:
        """End-of-run figures: (label, value as text)."""
    @property
    def outcomes(self) -> dict[str, float]:
        """Scalar outcomes compared by ``compare`` (NaN: not measurable)."""
    @property
    def scenario(self) -> Scenario: ...
    @property
    def seed(self) -> int: ...
    @property
    def wall_seconds(self) -> float: ...
    @property
    def threads(self) -> int: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def manifest(self) -> dict[str, Any]:
        """What manifest.json records: seed, version, commit, times, threads, parameters with citations, changes, warnings."""
    def save(self, path: Optional[Union[str, "os.PathLike[str]"]] = None, format: str = "csv", force: bool = False) -> str:
        """Writes the result directory ``perelom run --out`` writes (``format``: csv or
        parquet), atomically; refuses an existing directory unless ``force`` (which
        replaces only a run Perelom wrote). Without ``path``: ``perelom run``'s default,
        ``results/NAME-YYYYMMDD-HHMMSS``, then ``-2``, ``-3``, ... if taken (never
        replaces anything). Returns its path."""
    def report(self) -> str:
        """The HTML report of the run (self-contained, charts as inline SVG)."""
    def _repr_html_(self) -> str: ...

class Sweep:
    """A finished sweep: its tidy dataset and design."""

    @property
    def data(self) -> Table:
        """One row per run and step: run, point, replicate, seed, the varied parameters, step, date, the metrics kept."""
    @property
    def path(self) -> str: ...
    @property
    def names(self) -> list[str]: ...
    @property
    def points(self) -> list[list[float]]: ...
    @property
    def replicates(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def warnings(self) -> list[str]: ...
    def outputs(self, metric: str, stat: str = "sum") -> list[float]:
        """One value per point (SALib's Y): the metric reduced over each run's steps
        (sum, mean, final, max), averaged over the point's replicates."""
    def __len__(self) -> int: ...

Progress = Optional[Callable[[int, int], None]]

def run(scenario: Union[Scenario, str, "os.PathLike[str]"], seed: Optional[int] = None, threads: Optional[int] = None, progress: Progress = None) -> Run: ...
def validate(
    scenario: Union[Scenario, str, "os.PathLike[str]"],
    runs: int = 20,
    threads: Optional[int] = None,
    progress: Progress = None,
    posterior: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> dict[str, Any]:
    """{"kind": "targets", "targets", "runs", "warnings", "seeds", "posterior"} or, for a
    model validated by its regime, {"kind": "regime", "runs", "summary", "record",
    "event", "description", "warnings", "seeds"}; ``perelom.validate`` wraps it."""
def compare(
    baseline: Union[Scenario, str, "os.PathLike[str]"],
    experiments: Sequence[Union[Scenario, str, "os.PathLike[str]"]],
    runs: int = 20,
    threads: Optional[int] = None,
    progress: Progress = None,
    posterior: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> tuple[Table, list[str]]: ...
def sweep(
    design: Optional[Union[str, "os.PathLike[str]"]] = None,
    names: Optional[list[str]] = None,
    points: Optional[list[list[float]]] = None,
    base: Optional[Union[Scenario, str, "os.PathLike[str]"]] = None,
    replicates: int = 1,
    seed: int = 1,
    metrics: Optional[list[str]] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    resume: bool = True,
    force: bool = False,
    threads: Optional[int] = None,
    progress: Progress = None,
) -> Sweep: ...
