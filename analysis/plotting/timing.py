"""Risk over time: the probability of collapse by date, against the reference class."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .style import add_band, chart_title, check_frame, frame_changes, layout, plain_frame

__all__ = ["plot_collapse_by_date"]

_MODEL_COLOUR = "#1f4e79"
_REFERENCE_COLOUR = "#555555"


def plot_collapse_by_date(collapse: pd.DataFrame, reference: pd.DataFrame | None = None, *,
                          title: str | None = None) -> go.Figure:
    """Draw the probability that the deal has collapsed by each date, with its band.

    Parameters
    ----------
    collapse : DataFrame
        :func:`analysis.collapse_by_date` output (``day``, ``date``,
        ``probability``, ``lower``, ``upper``, ``by_hazards``).
    reference : DataFrame, optional
        :func:`analysis.kaplan_meier` output over the reference class, drawn
        as a grey step curve of ``1 - S`` with its confidence band, each
        case's day counted from the scenario's day zero.
    title : str, optional
        Default: ``"Probability of collapse by date — <scenario>"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If a frame is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(collapse, ("day", "date", "probability", "lower", "upper", "by_hazards"),
                "collapse")
    attrs = collapse.attrs
    frame = plain_frame(collapse)
    dates = pd.to_datetime(frame["date"])
    day_zero = dates.iloc[0] - pd.to_timedelta(frame["day"].iloc[0], unit="D")
    fig = go.Figure()
    add_band(fig, dates, frame["lower"], frame["upper"], _MODEL_COLOUR, name="Model")
    fig.add_scatter(
        x=list(dates), y=list(frame["probability"]), mode="lines", name="Model",
        line={"color": _MODEL_COLOUR, "width": 2.4},
        customdata=np.column_stack([frame["day"], frame["lower"], frame["upper"]]),
        hovertemplate=("<b>Model</b><br>%{x|%Y-%m-%d} (day %{customdata[0]:,.0f}): "
                       "%{y:.1%} collapsed<br>Interval %{customdata[1]:.0%}–"
                       "%{customdata[2]:.0%}<extra></extra>"),
        meta={"role": "model"})
    if frame["by_hazards"].max() > 0:
        fig.add_scatter(
            x=list(dates), y=list(frame["by_hazards"]), mode="lines",
            name="of which through the hazards of open states",
            line={"color": _MODEL_COLOUR, "width": 1.4, "dash": "dot"},
            hovertemplate=("%{x|%Y-%m-%d}: %{y:.1%} collapsed from a state that had not "
                           "ended<extra></extra>"),
            meta={"role": "hazards"})
    if reference is not None:
        check_frame(reference, ("day", "survival", "lower", "upper", "at_risk", "events"),
                    "reference")
        ref = plain_frame(reference).sort_values("day")
        ref = ref[ref["day"] <= frame["day"].max()]
        ref_dates = day_zero + pd.to_timedelta(ref["day"], unit="D")
        ended = 1 - ref["survival"]
        add_band(fig, ref_dates, 1 - ref["upper"].fillna(ref["survival"]),
                 1 - ref["lower"].fillna(ref["survival"]), _REFERENCE_COLOUR,
                 name="Reference class", shape="hv")
        fig.add_scatter(
            x=list(ref_dates), y=list(ended), mode="lines",
            name="Earlier cases (Kaplan–Meier)",
            line={"color": _REFERENCE_COLOUR, "width": 2, "shape": "hv"},
            customdata=np.column_stack([ref["day"], ref["at_risk"], ref["events"]]),
            hovertemplate=("<b>Earlier cases</b><br>Day %{customdata[0]:,.0f}: %{y:.1%} "
                           "ended<br>At risk: %{customdata[1]}, ended that day: "
                           "%{customdata[2]}<extra></extra>"),
            meta={"role": "reference"})
    interval = attrs.get("interval")
    subtitle = "Probability that the deal has collapsed by each date"
    if interval is not None:
        subtitle += f"; shaded: {interval:.0%} interval over the priors"
    if reference is not None and reference.attrs.get("interval") is not None:
        subtitle += (f", and the earlier cases' {reference.attrs['interval']:.0%} "
                     "confidence band")
    if attrs.get("held_until") is not None:
        subtitle += f"; given that it held to day {attrs['held_until']:g}"
    layout(fig, title=title or chart_title("Probability of collapse by date",
                                           attrs.get("scenario"), attrs.get("given")),
           subtitle=subtitle, height=500, margin={"t": 90}, changes=frame_changes(collapse),
           legend={"x": 0.01, "xanchor": "left", "y": 1, "bgcolor": "rgba(255,255,255,0.7)"})
    fig.update_xaxes(title_text=f"Date (day 0 = {day_zero:%Y-%m-%d})")
    fig.update_yaxes(title_text="Probability of collapse by the date", tickformat=".0%",
                     range=[0, 1.02])
    return fig
