"""Figures as HTML, for pages with no plotly renderer: exported notebooks, static snapshots.

A notebook stores a chart as plotly's JSON mimetype, which JupyterLab draws
and nbconvert's HTML cannot; :func:`figure_html` writes it as a ``<div>``
and the script that draws it, with plotly.js inline where asked (once per
page), so the page draws it with no network.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["figure_html", "plotly_js"]


@cache
def plotly_js() -> str:
    """Return the plotly.js bundle that plotly.py ships (minified, about 5 MB)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def figure_html(figure: go.Figure | Mapping, *, div_id: str,
                include_plotlyjs: bool = False) -> str:
    """Return a chart as an HTML fragment that draws it.

    Parameters
    ----------
    figure : Figure or mapping
        A figure, or its JSON as a notebook stores it (``data``, ``layout``).
    div_id : str
        The id of the chart's ``<div>``: fixed ids keep exports reproducible.
    include_plotlyjs : bool, default False
        Put plotly.js inline before the chart: for the first chart of a page.

    Raises
    ------
    ValueError
        If ``figure`` is a mapping but not a figure: ``data`` not a list of
        traces, or ``layout`` not a mapping.
    """
    if isinstance(figure, Mapping):
        data, layout = figure.get("data", []), figure.get("layout", {})
        if not isinstance(data, list) or not all(isinstance(t, Mapping) for t in data) \
                or not isinstance(layout, Mapping):
            raise ValueError("not a plotly figure: expected 'data', a list of traces, and "
                             f"'layout', a mapping; got {type(data).__name__} and "
                             f"{type(layout).__name__}")
    return pio.to_html(dict(figure) if isinstance(figure, Mapping) else figure,
                       include_plotlyjs=bool(include_plotlyjs), include_mathjax=False,
                       full_html=False, div_id=div_id, validate=False,
                       config={"responsive": True, "displaylogo": False})
