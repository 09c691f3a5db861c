"""Perelom's exceptions and warnings (raised by the native module too)."""

from __future__ import annotations

from typing import Optional


class PerelomError(Exception):
    """Base class of Perelom's errors."""


class ScenarioError(PerelomError, ValueError):
    """A problem with a scenario, located where it was found.

    ``str(e)`` is the message the command line prints (``file:line:column: message`` and a
    ``help:`` line). The parts are attributes:

    - ``file``: the scenario file as named, or what set the value (``Scenario.set``,
      ``perelom.run(seed=...)``)
    - ``line``, ``column``: 1-based position in the file (columns in characters), or None
    - ``key``: the parameter the error is about, or None
    - ``valid``: the valid values of that parameter in words, or None
    - ``suggestion``: the closest valid name for an unknown one (a key, a model), or None
    - ``message``, ``help``: the text of the error and of its help line
    """

    def __init__(
        self,
        text: str,
        *,
        file: str = "",
        line: Optional[int] = None,
        column: Optional[int] = None,
        message: str = "",
        help: Optional[str] = None,
        key: Optional[str] = None,
        valid: Optional[str] = None,
        suggestion: Optional[str] = None,
    ) -> None:
        super().__init__(text)
        self.file = file
        self.line = line
        self.column = column
        self.message = message or text
        self.help = help
        self.key = key
        self.valid = valid
        self.suggestion = suggestion

    def __reduce__(self):  # picklable, e.g. across multiprocessing
        return (
            _rebuild_scenario_error,
            (str(self), self.file, self.line, self.column, self.message, self.help, self.key, self.valid, self.suggestion),
        )


def _rebuild_scenario_error(text, file, line, column, message, help, key, valid, suggestion):
    return ScenarioError(
        text, file=file, line=line, column=column, message=message, help=help, key=key, valid=valid, suggestion=suggestion
    )


class PosteriorError(PerelomError, ValueError):
    """A calibration's posterior (``posterior=`` of ``validate`` and ``compare``) that
    cannot be used: the file is missing or is not CSV, has no ``weight`` column, names a
    parameter the model does not have, or holds a value that is not a finite number or a
    negative weight. ``str(e)`` is the command line's message; ``file`` is the file as
    named, ``line`` the 1-based line of the problem (1: the header) or None. A particle's
    value out of its parameter's range raises ``ScenarioError`` instead, with the same
    ``file`` and ``line``."""

    def __init__(self, text: str, *, file: str = "", line: Optional[int] = None) -> None:
        super().__init__(text)
        self.file = file
        self.line = line

    def __reduce__(self):  # picklable, e.g. across multiprocessing
        return (_rebuild_posterior_error, (str(self), self.file, self.line))


def _rebuild_posterior_error(text, file, line):
    return PosteriorError(text, file=file, line=line)


class OutputError(PerelomError, OSError):
    """Results could not be written: the directory exists and is not Perelom's to replace,
    or a file-system operation failed. Nothing a user owns is ever overwritten."""


class TableError(PerelomError, KeyError):
    """A run has no table of that name (the model does not make it)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InternalError(PerelomError, RuntimeError):
    """A bug in Perelom (a panic in the simulation, caught before it could reach Python)."""


class ScenarioWarning(UserWarning):
    """Allowed in a scenario but probably not meant: a dated event outside the run, a
    citation of a fact the evidence table does not have."""
