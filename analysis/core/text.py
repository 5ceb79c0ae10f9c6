"""Words for messages and charts: suggestions, short values, labels from ids.

Text from a user's files (labels, titles, questions, descriptions) reaches
HTML, Markdown and charts' text, which all read markup. :func:`escape_html`
and :func:`escape_markdown` are the one way to put it there, shown as
written and never run: ``<script>`` in a label is five characters and a
word, not a script.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "CONTROL_CHARACTERS",
    "did_you_mean",
    "display_label",
    "escape_controls",
    "escape_html",
    "escape_markdown",
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


# Characters that mean something in Markdown (CommonMark, GitHub's tables and
# strike-through, JupyterLab's "$" maths) wherever they stand; "&", "<" and ">"
# become HTML entities instead.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]|~$])")
# What makes a block (a list, a heading, a heading's underline) at the start of a line.
_MARKDOWN_LINE_START = re.compile(r"^(\d*)([-+=#.)])")
_WHITESPACE = re.compile(r"\s+")


def escape_html(text: object) -> str:
    """Return ``text`` with ``&``, ``<`` and ``>`` as HTML entities: shown as written, never run.

    For an element's text and for a chart's text (plotly reads the same
    entities back); quotes are left as they are, so the result does not go
    into an HTML attribute.

    Examples
    --------
    >>> escape_html('War <script>alert("x")</script> & peace')
    'War &lt;script&gt;alert("x")&lt;/script&gt; &amp; peace'
    """
    return html.escape(str(text), quote=False)


def escape_markdown(text: object) -> str:
    r"""Return ``text`` for Markdown: its words shown as written, never as markup or HTML.

    HTML is escaped (:func:`escape_html`), Markdown's punctuation is
    backslash-escaped, and line breaks become spaces, so the text stays
    inside the sentence, list item or table cell it is put in. Not for
    code spans (between backticks), where backslashes show.

    Examples
    --------
    >>> print(escape_markdown("*Phase 1*: <b>talks</b>\n- done"))
    \*Phase 1\*: &lt;b&gt;talks&lt;/b&gt; - done
    """
    words = _WHITESPACE.sub(" ", str(text)).strip()
    words = _MARKDOWN_INLINE.sub(r"\\\1", words)
    return escape_html(_MARKDOWN_LINE_START.sub(r"\1\\\2", words))


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
