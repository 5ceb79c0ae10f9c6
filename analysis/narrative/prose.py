"""Text computed from the numbers: Markdown that never contradicts the tables above it.

:class:`Prose` is Markdown shown as formatted text in notebooks and reports
(its plain-text form, what nbval checks, is the same Markdown). The helpers
put numbers into words the same way everywhere: probabilities as the charts
show them, lists with "and", a word for how likely something is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .table import format_number, format_percent

__all__ = ["Prose", "bullets", "likelihood_word", "listing", "percent", "number"]

percent = format_percent
number = format_number


@dataclass(frozen=True)
class Prose:
    """Markdown text, shown formatted in notebooks and reports."""

    text: str

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return self.text


def listing(items: Iterable[str], *, conjunction: str = "and") -> str:
    """Join words as a reader would: ``['a', 'b', 'c']`` -> ``'a, b and c'``."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def likelihood_word(p: float) -> str:
    """Return a word for a probability, from 'very unlikely' to 'very likely'."""
    if p < 0.1:
        return "very unlikely"
    if p < 0.33:
        return "unlikely"
    if p < 0.5:
        return "less likely than not"
    if p < 0.67:
        return "more likely than not"
    if p < 0.9:
        return "likely"
    return "very likely"


def bullets(lines: Iterable[str], *, heading: str = "") -> Prose:
    """Return Markdown bullets (empty lines dropped), under an optional ``##`` heading."""
    body = "\n".join(f"- {line}" for line in lines if line)
    return Prose(f"## {heading}\n\n{body}" if heading else body)
