"""What every chart shares: template, colours, titles, number formats and input checks.

No chart lives here. Each chart module imports the names it needs; anything
two chart modules use is defined here, under a public name.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from ..core.arguments import Given
from ..core.text import escape_html

__all__ = [
    "ATTRIBUTE_GAP_PX",
    "ATTRIBUTE_MARGIN",
    "BAND_ALPHA",
    "MAX_LABEL_CHARS",
    "POINT_COLOUR",
    "SERIES_COLOURS",
    "TEMPLATE",
    "add_band",
    "chart_title",
    "changes_line",
    "check_frame",
    "condition_text",
    "frame_changes",
    "frame_title",
    "layout",
    "note_figure",
    "palette",
    "phase_colours",
    "plain_frame",
    "probability_text",
    "result_format",
    "result_text",
    "series_title",
    "shorten",
    "translucent",
    "unit_suffix",
    "value_text",
    "wrap_text",
]

TEMPLATE = "plotly_white"
#: Markers, error bars and reference lines that belong to no outcome.
POINT_COLOUR = "#3d3d3d"
#: Charts with one panel per attribute: pixels between panels (axis and
#: panel titles), and the figure's margins.
ATTRIBUTE_GAP_PX = 80
ATTRIBUTE_MARGIN = {"t": 90, "b": 60}
#: Opacity of a shaded credible band.
BAND_ALPHA = 0.15
#: Longest label drawn in full on a chart; longer ones end in an ellipsis.
MAX_LABEL_CHARS = 26
# Extra room at the top of a chart for the subtitle line of a changed scenario.
_CHANGES_LINE_PX = 20
#: How many of a changed scenario's changes a subtitle names before counting the rest.
_CHANGES_SHOWN = 2
_CHANGES_CHARS = 110
#: Longest "a vs b vs c" a title names its scenarios with.
_SCENARIOS_CHARS = 60


# ------------------------------------------------------------------------- titles


def condition_text(given: Given) -> str:
    """Format a condition: ``{"a": "x", "b": ["y", "z"]}`` -> ``'a=x, b=y|z'``."""
    if not given:
        return ""
    parts = []
    for phase, wanted in given.items():
        wanted = wanted if isinstance(wanted, str) else "|".join(wanted)
        parts.append(f"{phase}={wanted}")
    return ", ".join(parts)


def chart_title(what: str, scenario: str | None, given: Given) -> str:
    """Return ``'What — scenario | condition'``, without the parts that are missing."""
    text = what
    if scenario:
        text += f" — {scenario}"
    condition = condition_text(given)
    if condition:
        text += f" | {condition}"
    return text


def frame_title(what: str, frame: pd.DataFrame, title: str | None) -> str:
    """Return ``title``, or one built from ``frame.attrs`` and a ``scenario`` column.

    ``attrs["chart_title"]`` is taken whole. Several scenarios are named
    (``"a vs b"``) while that is short, else the title says what the legend
    lists (``"..., by analyst"``, after ``attrs["series_title"]``).
    """
    if title is not None:
        return title
    if frame.attrs.get("chart_title"):
        return str(frame.attrs["chart_title"])
    scenario = frame.attrs.get("scenario")
    if "scenario" in frame.columns:
        scenario = " vs ".join(str(s) for s in pd.unique(frame["scenario"]))
        if len(html.unescape(scenario)) > _SCENARIOS_CHARS:
            series = str(frame.attrs.get("series_title") or "scenario").lower()
            return chart_title(f"{what}, by {series}", None, frame.attrs.get("given"))
    return chart_title(what, scenario, frame.attrs.get("given"))


def series_title(frame: pd.DataFrame, default: str = "Scenario") -> str:
    """Return the legend's title for a frame's series: ``attrs["series_title"]`` or ``default``."""
    return str(frame.attrs.get("series_title") or default)


def frame_changes(frame: pd.DataFrame) -> list[str]:
    """Return what the frame's scenario changed from its file (``attrs["changes"]``).

    A frame with a ``scenario`` column stacks several scenarios, whose names
    already say what changed: it gives none.
    """
    if "scenario" in frame.columns:
        return []
    return [str(c) for c in frame.attrs.get("changes") or ()]


def changes_line(changes: Sequence[str] | None) -> str | None:
    """Return ``'Changed from the file: a = 0.9; b = 0.2 and 3 more'``, or None if no change."""
    changes = list(changes or ())
    if not changes:
        return None
    shown = "; ".join(changes[:_CHANGES_SHOWN])
    if len(changes) > _CHANGES_SHOWN:
        shown += f" and {len(changes) - _CHANGES_SHOWN} more"
    return "Changed from the file: " + shorten(shown, _CHANGES_CHARS)


def layout(fig: go.Figure, *, title: str, height: int, subtitle: str | None = None,
           changes: Sequence[str] | None = None, **kwargs) -> go.Figure:
    """Apply the settings every chart shares.

    ``changes`` (what the scenario changed from its file) add a last line to
    the subtitle, and the room it takes to the top margin and the height.
    """
    line = changes_line(changes)
    if line:
        subtitle = f"{subtitle}<br>{line}" if subtitle else line
        margin = dict(kwargs.pop("margin", None) or {})
        margin["t"] = margin.get("t", 100) + _CHANGES_LINE_PX
        kwargs["margin"] = margin
        height += _CHANGES_LINE_PX
    _apply_template(fig)
    fig.update_layout(
        height=height,
        title={"text": title, "x": 0.01, "xanchor": "left",
               **({"subtitle": {"text": subtitle}} if subtitle else {})},
        hoverlabel={"align": "left"},
        **kwargs,
    )
    return fig


@cache
def _validated_template() -> go.layout.Template:
    return go.Figure().update_layout(template=TEMPLATE).layout.template


def _apply_template(fig: go.Figure) -> None:
    """Set the shared template, as ``update_layout(template=TEMPLATE)`` does, but in 2 ms.

    Assigning a template validates it anew each time (35-50 ms a chart: most
    of a redraw in the live panel). This assigns a copy of one already
    validated, with validation off for that one property, which is how
    plotly itself applies its default template: the same figure, the same JSON.
    """
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = _validated_template()
    finally:
        layout._validate = fig._validate


def note_figure(note: str, *, title: str, changes: Sequence[str] | None = None) -> go.Figure:
    """Return an empty chart that says why it is empty."""
    fig = go.Figure()
    fig.add_annotation(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, title=title, height=250, changes=changes)


# -------------------------------------------------------------------------- input


def check_frame(frame: object, columns: Iterable[str], name: str, *,
                made_by: str | None = None) -> None:
    """Raise if ``frame`` is not a DataFrame holding ``columns``.

    ``made_by`` names what makes the frame (``"analysis.path_steps(scenario)"``),
    for the error's text.
    """
    source = f" from {made_by}" if made_by else ""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name}: got {type(frame).__name__}, expected a pandas DataFrame"
                        f"{source}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}; got columns "
                         f"{', '.join(map(str, frame.columns))}"
                         + (f"; expected the frame{source}" if source else ""))


# ------------------------------------------------------------------------- numbers


def probability_text(p: float, decimals: int = 2) -> str:
    """Format a probability for a label: ``0.82``; small ones keep a significant digit."""
    if not np.isfinite(p):
        return "–"
    if p == 0:
        return "0"
    if p < 0.5 * 10 ** -decimals:
        return f"{p:.1g}"
    return f"{p:.{decimals}f}"


def value_text(value: float, unit: str) -> str:
    """``20 people``, ``53% of territory``, ``2.5 months``."""
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}".rstrip("0")
    unit = unit.strip()
    if not unit:
        return number
    return f"{number}{unit}" if unit.startswith("%") else f"{number} {unit}"


def unit_suffix(unit: str | None) -> str:
    """Return ``' (points)'`` for an axis title, or nothing without a unit."""
    return f" ({unit})" if unit else ""


def result_format(unit: str | None) -> str:
    """Return the d3 format of an output: a percentage for a probability, else 3 digits."""
    return ".1%" if unit == "probability" else ",.3~g"


def result_text(value: float, unit: str | None) -> str:
    """Format an output's value as :func:`result_format` does, in Python."""
    return f"{value:.1%}" if unit == "probability" else f"{value:,.3g}"


# --------------------------------------------------------------------------- text


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text is shown as written: never as plotly markup.

    plotly reads ``<b>``, ``<br>``, ``<a href>`` and entities in every text it
    draws (titles, ticks, legends, hover). The labels, questions and titles
    in a frame come from a user's file, so every string in its columns and
    ``attrs`` is escaped (:func:`analysis.core.text.escape_html`) before a
    chart uses it; the chart's own markup is added after. Every ``plot_*``
    function calls this first.
    """
    plain = frame.copy()
    for column in plain.columns:
        values = plain[column]
        if (pd.api.types.is_numeric_dtype(values)
                or pd.api.types.is_datetime64_any_dtype(values)):
            continue
        try:  # labels repeat on every row of a path: escape each distinct one once
            distinct = pd.unique(values)
        except TypeError:  # lists or dicts in the cells
            plain[column] = values.map(_plain_value)
            continue
        escaped = {v: _plain_value(v) for v in distinct if isinstance(v, str)}
        escaped = {v: e for v, e in escaped.items() if e != v}
        if escaped:
            plain[column] = values.map(lambda v, table=escaped: table.get(v, v)
                                         if isinstance(v, str) else v)
    plain.attrs = _plain_value(frame.attrs)
    return plain


def _plain_value(value: Any) -> Any:
    if isinstance(value, str):
        return escape_html(value)
    if isinstance(value, dict):
        return {key: _plain_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain_value(item) for item in value)
    return value


def wrap_text(text: str, width: int = 60) -> str:
    """Break long hover text into lines (text escaped by :func:`plain_frame` stays escaped)."""
    if not text:
        return ""
    return "<br>".join(escape_html(line) for line in textwrap.wrap(html.unescape(text), width))


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """Return ``text``, cut to ``limit`` characters with an ellipsis if longer.

    Escaped text (:func:`plain_frame`) is counted and cut as it shows: an
    entity is one character, never cut in two.
    """
    shown = html.unescape(text)
    if len(shown) <= limit:
        return text
    return escape_html(shown[: limit - 1].rstrip() + "…")


# ------------------------------------------------------------------------- colours


def translucent(colour: str, alpha: float = BAND_ALPHA) -> str:
    """Return ``'#1b9e77'`` (or ``'rgb(27, 158, 119)'``) as ``'rgba(27, 158, 119, 0.15)'``."""
    if colour.startswith("#"):
        red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    else:
        red, green, blue = (int(float(v)) for v in colour[colour.index("(") + 1:-1].split(","))
    return f"rgba({red}, {green}, {blue}, {alpha})"


#: Colours of options, analysts and scenarios: never an outcome's. Outcomes take the
#: colours their files give them (greens, oranges, yellows, reds in the examples);
#: these are blues, violets, browns and greys, given in the order of the series, so
#: that the same list of options or analysts has the same colours in every chart.
SERIES_COLOURS = ("#4c78a8", "#b279a2", "#9d755d", "#72b7b2", "#2f4b7c", "#ff9da6",
                  "#79706e", "#a0cbe8")


def palette(n: int) -> list[str]:
    """Return ``n`` colours for options, analysts or scenarios (:data:`SERIES_COLOURS`)."""
    return [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(n)]


def phase_colours(n: int) -> list[str]:
    """Return ``n`` colours for the phases, in order: blues from dark to light.

    Phases are ordered, so a ramp of one hue says so; it is no outcome's colour
    and no option's or analyst's (:data:`SERIES_COLOURS`), as the branch bars of
    :func:`~analysis.plotting.plot_phase_marginals` already are.
    """
    if n <= 0:
        return []
    return sample_colorscale("Blues", [0.95 - 0.5 * i / max(n - 1, 1) for i in range(n)])


def add_band(fig: go.Figure, x, lower, upper, colour: str, *, name: str,
             shape: str = "linear", **meta: object) -> None:
    """Add a shaded band between ``lower`` and ``upper`` (two traces, no hover)."""
    common = {"mode": "lines", "line": {"width": 0, "shape": shape}, "hoverinfo": "skip",
              "showlegend": False, "legendgroup": name}
    fig.add_scatter(x=list(x), y=list(upper), name=f"{name} (upper)",
                    meta={"role": "band_upper", **meta}, **common)
    fig.add_scatter(x=list(x), y=list(lower), name=f"{name} (lower)", fill="tonexty",
                    fillcolor=translucent(colour), meta={"role": "band", **meta}, **common)

