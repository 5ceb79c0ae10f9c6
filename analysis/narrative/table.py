"""A table formatted for readers: human headers, the charts' number formats, no index.

:class:`ReaderTable` holds a frame of formatted strings and renders it with
pandas' :class:`~pandas.io.formats.style.Styler` (no extra dependency, and
the same HTML in JupyterLab and in the exported report): no index, numbers
right-aligned, dates unbroken, outcomes marked with their colour. Its plain
text form (what ``repr`` and nbval see) holds the same formatted strings, so
a stored notebook's checked outputs are exactly what a reader sees.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..core.text import escape_html

__all__ = [
    "FORMATS",
    "ReaderTable",
    "format_number",
    "format_percent",
    "format_points",
    "reader_table",
]

_DASH = "—"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_percent(value: object) -> str:
    """Format a probability as the charts do (``56.2%``, ``0.0%``); tiny ones ``<0.1%``."""
    if _missing(value):
        return _DASH
    value = float(value)
    if 0 < value < 0.0005:
        return "<0.1%"
    if 0.9995 < value < 1:
        return ">99.9%"
    return f"{value:.1%}"


def format_points(value: object) -> str:
    """Format a difference of probabilities in percentage points: ``+4.2 pts``."""
    if _missing(value):
        return _DASH
    return f"{100 * float(value):+.1f} pts"


def format_number(value: object) -> str:
    """Format a number with three significant digits and thousands separators."""
    if _missing(value):
        return _DASH
    value = float(value)
    if not math.isfinite(value):
        return _DASH
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:,.3g}"
    return text if "e" not in text else f"{value:,.2g}"


def _decimal(digits: int) -> Callable[[object], str]:
    def fmt(value: object) -> str:
        return _DASH if _missing(value) else f"{float(value):,.{digits}f}"
    return fmt


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


def _yes(value: object) -> str:
    return "yes" if (not _missing(value) and bool(value)) else ""


def _integer(value: object) -> str:
    return _DASH if _missing(value) else f"{float(value):,.0f}"


def _date(value: object) -> str:
    if _missing(value):
        return _DASH
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)


#: Column kinds: how each formats a value, and whether it is numeric (right-aligned).
FORMATS: dict[str, tuple[Callable[[object], str], bool]] = {
    "text": (_text, False),
    "percent": (format_percent, True),
    "points": (format_points, True),
    "number": (format_number, True),
    "integer": (_integer, True),
    "decimal1": (_decimal(1), True),
    "decimal2": (_decimal(2), True),
    "decimal3": (_decimal(3), True),
    "yes": (_yes, False),
    "date": (_date, False),
}

_CSS = [
    {"selector": "", "props": "border-collapse: collapse; margin: 0.3em 0 1em 0; "
                               "font-size: 0.92em; font-variant-numeric: tabular-nums;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; color: #555; "
                                     "padding-bottom: 0.35em; font-size: 0.95em;"},
    {"selector": "th", "props": "text-align: left; font-weight: 600; padding: 0.35em 0.7em; "
                                "border-bottom: 1.5px solid #888; vertical-align: bottom;"},
    {"selector": "td", "props": "padding: 0.3em 0.7em; border-bottom: 1px solid #e4e4e4; "
                                "vertical-align: top; text-align: left;"},
    {"selector": "tbody tr:hover td", "props": "background: #f6f6f6;"},
]


@dataclass(frozen=True, eq=False)
class ReaderTable:
    """A table of formatted strings, shown in notebooks and reports without code or index.

    Attributes
    ----------
    data : DataFrame
        The formatted strings, with the readers' headers.
    numeric : tuple of str
        Headers of the right-aligned (numeric) columns.
    nowrap : tuple of str
        Headers of columns never broken across lines (dates, short values).
    colours : tuple of str or None
        Per row, a colour to mark the first column with (an outcome's), or None.
    caption : str
        A line above the table.
    source : DataFrame
        The unformatted frame, for who wants the numbers.
    """

    data: pd.DataFrame
    numeric: tuple[str, ...] = ()
    nowrap: tuple[str, ...] = ()
    colours: tuple[str | None, ...] | None = None
    caption: str = ""
    source: pd.DataFrame | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        text = self.data.to_string(index=False) if len(self.data) else "(no rows)"
        return f"{self.caption}\n{text}" if self.caption else text

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """Return the table as HTML (a ``<style>`` block and a ``<table>``)."""
        digest = hashlib.sha1(repr(self).encode("utf-8")).hexdigest()[:10]
        # Cells and headers hold a user's words (labels, titles): escaped, shown as text.
        styler = (self.data.style.hide(axis="index").format(escape="html")
                  .format_index(escape="html", axis=1))
        styler.set_uuid(f"dt{digest}")
        styler.set_table_attributes('class="dealtree-table"')
        styles = list(_CSS)
        for position, column in enumerate(self.data.columns):
            props = []
            if column in self.numeric:
                props.append("text-align: right;")
            if column in self.nowrap:  # dates, ranges: never broken, header included
                props.append("white-space: nowrap;")
            if props:
                styles.append({"selector": f"td.col{position}, th.col_heading.col{position}",
                               "props": " ".join(props)})
            if column in self.numeric and column not in self.nowrap:  # a long header wraps
                styles.append({"selector": f"td.col{position}", "props": "white-space: nowrap;"})
        styler.set_table_styles(styles)
        if self.colours is not None and len(self.data.columns):
            marks = [f"border-left: 5px solid {colour};" if colour else ""
                     for colour in self.colours]
            first = self.data.columns[0]
            styler.apply(lambda column: marks, axis=0, subset=[first])
        if self.caption:
            styler.set_caption(escape_html(self.caption))
        return styler.to_html()


def reader_table(frame: pd.DataFrame, columns: Mapping[str, tuple[str, str]], *,
                 colour: str | Sequence[str | None] | None = None, caption: str = "",
                 nowrap: Sequence[str] = ()) -> ReaderTable:
    """Format ``frame`` for readers.

    Parameters
    ----------
    frame : DataFrame
    columns : mapping
        Column of ``frame`` -> (header, kind), in the order to show; kinds
        are the keys of :data:`FORMATS`.
    colour : str or sequence, optional
        The name of a column of colours (or one colour per row) marking the
        first column: an outcome's colour.
    caption : str
    nowrap : sequence of str
        Headers never broken across lines, besides the numeric and date ones.

    Raises
    ------
    ValueError
        If a column is missing or a kind unknown.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing} missing; the frame has {list(frame.columns)}")
    data, numeric, unbroken = {}, [], list(nowrap)
    for column, (header, kind) in columns.items():
        if kind not in FORMATS:
            raise ValueError(f"kind {kind!r} unknown; expected one of: {', '.join(FORMATS)}")
        fmt, is_number = FORMATS[kind]
        data[header] = [fmt(v) for v in frame[column]]
        if is_number:
            numeric.append(header)
        if kind == "date":
            unbroken.append(header)
    colours = None
    if isinstance(colour, str):
        colours = tuple(frame[colour])
    elif colour is not None:
        colours = tuple(colour)
    shown = pd.DataFrame(data, columns=list(data))
    return ReaderTable(shown, tuple(numeric), tuple(unbroken), colours, caption, frame)
