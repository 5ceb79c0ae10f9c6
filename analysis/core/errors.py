"""The exceptions and warnings that dealtree raises for bad input."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "QueryError", "ScenarioError", "ScenarioWarning", "format_location"]


def format_location(loc: tuple[str | int, ...]) -> str:
    """Render a location tuple as ``phases[2].branches.stalls.prior.alpha``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Attributes
    ----------
    file : str
        The file (or ``<with_priors>`` for in-memory overrides).
    line : int or None
        1-based line in the file where YAML places the value, when known.
    location : str
        Where inside the document, e.g. ``phases[2].branches.stalls.prior.alpha``.
    message : str
        What is wrong, naming the value and what was expected.
    """

    file: str
    line: int | None
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.location}: {self.message}"


class ScenarioError(ValueError):
    """A scenario (or evidence) file, or an override, is invalid.

    ``problems`` lists every problem found, each with file, line, location,
    value and what was expected; ``str(error)`` shows them one per line.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class ScenarioWarning(UserWarning):
    """A scenario is valid but probably not what its author meant."""


class QueryError(ValueError):
    """A query on a scenario is invalid.

    For example an unknown phase or branch, or a condition of probability zero.
    """
