"""Chart of how a base rate moves with the reference class chosen.

Takes the frame of :func:`analysis.base_rate_by_class`: one row per choice
(each class alone, the weighted and equal-weight combinations, the
combination without each class), each with its rate and interval.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .style import check_frame, layout, note_figure, palette, plain_frame, shorten

__all__ = ["plot_base_rate_by_class"]

_MADE_BY = "analysis.base_rate_by_class(spec)"
_KINDS = {"alone": "One class alone", "weighted": "All classes, weighted",
          "equal": "All classes, equal weights", "without": "Weighted, without one class"}


def plot_base_rate_by_class(frame: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw each choice of reference class with its base rate and interval.

    A dot per choice at its rate with a bar over its credible interval,
    coloured by kind of choice; a dashed line marks the weighted combination.

    Parameters
    ----------
    frame : DataFrame
        :func:`analysis.base_rate_by_class` output.
    title : str, optional
        Default: the reference-class file's title.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(frame, ("choice", "label", "kind", "rate", "lower", "upper", "change"),
                "frame", made_by=_MADE_BY)
    frame = plain_frame(frame)
    default = f"Base rate by reference class — {frame.attrs.get('title', '')}".rstrip(" —")
    if frame.empty:
        return note_figure("No reference classes to show.", title=title or default)
    horizon = frame.attrs.get("horizon_days")
    level = frame.attrs.get("interval", 0.9)
    within = f"within {horizon:g} days" if horizon else "within the horizon"
    kinds = [k for k in _KINDS if (frame["kind"] == k).any()]
    colours = dict(zip(kinds, palette(len(kinds)), strict=True))
    labels = [shorten(str(v), 60) for v in frame["label"]]
    fig = go.Figure()
    for kind in kinds:
        part = frame[frame["kind"] == kind]
        ys = [labels[i] for i in part.index]
        fig.add_scatter(
            x=list(part["rate"] * 100), y=ys, mode="markers", name=_KINDS[kind],
            marker={"size": 11, "color": colours[kind]},
            error_x={"type": "data", "symmetric": False,
                     "array": list((part["upper"] - part["rate"]) * 100),
                     "arrayminus": list((part["rate"] - part["lower"]) * 100),
                     "color": colours[kind]},
            customdata=list(zip(part["label"], part["lower"] * 100, part["upper"] * 100,
                                part["change"] * 100, strict=True)),
            hovertemplate=("<b>%{customdata[0]}</b><br>Base rate %{x:.1f}%<br>"
                           f"{level:.0%} interval " "%{customdata[1]:.1f}% to "
                           "%{customdata[2]:.1f}%<br>Against the weighted combination: "
                           "%{customdata[3]:+.1f} points<extra></extra>"),
            meta={"role": "choice", "kind": kind})
    weighted = frame.loc[frame["kind"] == "weighted", "rate"]
    if len(weighted):
        fig.add_vline(x=float(weighted.iloc[0]) * 100, line_dash="dash", line_color="#666666")
    fig.update_xaxes(title_text=f"Share of cases ending {within} (%)", range=[0, 100])
    fig.update_yaxes(title_text="Reference class chosen", autorange="reversed")
    return layout(fig, title=title or default, height=160 + 34 * len(frame),
                  subtitle=f"Dots: posterior mean; bars: {level:.0%} credible interval; "
                           "dashed: the weighted combination",
                  legend={"orientation": "h", "y": -0.25})
