"""Words for messages and charts: suggestions, short values, labels from ids."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "CONTROL_CHARACTERS",
    "did_you_mean",
    "display_label",
    "escape_controls",
    "first_control",
    "short_repr",
    "unknown_name",
]

#: Characters that steer a terminal or reorder text instead of showing: C0 controls but
#: tab and newline, DEL, C1 controls (ESC sequences live here), and the bidirectional
#: embeddings, overrides and isolates ("Trojan Source").
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def first_control(text: str) -> str | None:
    """Return the first control character in ``text`` (see :data:`CONTROL_CHARACTERS`), if any."""
    match = CONTROL_CHARACTERS.search(text)
    return match.group() if match else None


def escape_controls(text: str) -> str:
    r"""Return ``text`` with every control character written as an escape (``\x1b``)."""
    return CONTROL_CHARACTERS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"),
                                  text)


def short_repr(value: Any, limit: int = 60) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    choices = [str(c) for c in choices]
    word = str(word)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6) or [
        c for c in choices if min(len(c), len(word)) >= 3 and (
            word.startswith(c) or c.startswith(word))][:1]
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_name(what: str, name: str, known: Iterable[str]) -> str:
    """Return ``"unknown WHAT 'name' (did you mean ...?); expected one of: ..."``."""
    known = sorted(known)
    return (f"unknown {what} {name!r}{did_you_mean(name, known)}; expected one of: "
            f"{', '.join(known) or '(none declared)'}")


def display_label(item_id: str, label: str | None) -> str:
    """Return ``label``, or the id written as words: ``breaks_down`` -> ``Breaks down``."""
    return label or item_id.replace("_", " ").capitalize()
