"""Evidence, timing, scores and analysts.

How beliefs moved with the evidence, whether and when the deal holds and the
phases complete, how well the forecasts did, and where the analysts disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import (
    add_band,
    chart_title,
    check_frame,
    frame_changes,
    frame_title,
    layout,
    palette,
    phase_colours,
    plain_frame,
    series_title,
    wrap_text,
)

__all__ = [
    "plot_analyst_disagreement",
    "plot_belief_timeline",
    "plot_phase_completion",
    "plot_scores",
    "plot_survival",
]

_SYMBOLS = {"": "star", "observation": "diamond", "likelihood": "circle", "counts": "square"}
_KIND_WORDS = {"": "Priors", "observation": "Observation (hard evidence)",
               "likelihood": "Report (likelihood ratio)", "counts": "Counts (conjugate)"}
_MODEL_COLOUR = "#1f4e79"
_REFERENCE_COLOUR = "#555555"


def plot_belief_timeline(timeline: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw how the outcome probabilities moved as the evidence came in.

    One panel per outcome (small multiples, so that no band hides
    another), a step line in the outcome's colour: the exact posterior after
    each evidence item, held until the next; the shaded band is its credible
    interval. Markers show the kind of item (a diamond for an observation, a
    circle for a report's likelihoods, a square for counts); the hover names
    the item, its date and how much it moved the outcome.

    Parameters
    ----------
    timeline : DataFrame
        :func:`analysis.belief_timeline` output.
    title : str, optional
        Default: ``"How beliefs moved — <scenario> | evidence <log>"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``timeline`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(timeline, ("step", "date", "item", "title", "kind", "outcome", "label",
                           "colour", "probability", "lower", "upper", "change"), "timeline")
    timeline = plain_frame(timeline)
    dates = pd.to_datetime(timeline["date"])
    groups = list(timeline.assign(when=dates).groupby("outcome", sort=False))
    rows = max(len(groups), 1)
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.25 / rows,
                        subplot_titles=[part["label"].iloc[0] for _, part in groups])
    for row, (outcome, part) in enumerate(groups, start=1):
        part = part.sort_values("step")
        colour, label = part["colour"].iloc[0], part["label"].iloc[0]
        first = len(fig.data)
        add_band(fig, part["when"], part["lower"], part["upper"], colour, name=label,
                 shape="hv", outcome=outcome)
        change = [("" if step == 0 else f"<br>Change: {c * 100:+.1f} points")
                  for step, c in zip(part["step"], part["change"], strict=True)]
        fig.add_scatter(
            x=list(part["when"]), y=list(part["probability"]), mode="lines+markers", name=label,
            legendgroup=label, line={"color": colour, "width": 2.2, "shape": "hv"},
            marker={"color": colour, "size": 8, "line": {"color": "white", "width": 1},
                    "symbol": [_SYMBOLS.get(k, "circle") for k in part["kind"]]},
            customdata=[[label, wrap_text(t, 70), d.strftime("%Y-%m-%d"), ch, lo, hi,
                         _KIND_WORDS.get(k, k)]
                        for t, d, ch, lo, hi, k in zip(part["title"], part["when"], change,
                                                       part["lower"], part["upper"],
                                                       part["kind"], strict=True)],
            hovertemplate=("<b>%{customdata[0]}: %{y:.1%}</b> (interval %{customdata[4]:.0%}"
                           "–%{customdata[5]:.0%})%{customdata[3]}<br>After: %{customdata[1]}"
                           "<br>%{customdata[6]}, %{customdata[2]}<extra></extra>"),
            meta={"role": "outcome", "outcome": outcome})
        for trace in fig.data[first:]:
            trace.update(xaxis=f"x{row if row > 1 else ''}", yaxis=f"y{row if row > 1 else ''}")
    for kind in ("observation", "likelihood", "counts"):
        if (timeline["kind"] == kind).any():
            fig.add_scatter(x=[None], y=[None], mode="markers", name=_KIND_WORDS[kind],
                            marker={"symbol": _SYMBOLS[kind], "size": 9, "color": "#777777"},
                            hoverinfo="skip", meta={"role": "legend", "kind": kind})
    attrs = timeline.attrs
    default = chart_title("How beliefs moved", attrs.get("scenario"), None)
    if attrs.get("evidence"):
        default += f" | evidence {attrs['evidence']}"
    subtitle = "Lines: the posterior after each item"
    if "interval" in attrs:
        subtitle += (f"; bands: {attrs['interval']:.0%} credible intervals "
                     f"({attrs.get('n_draws', 0):,} draws, importance-weighted)")
    layout(fig, title=title or default, subtitle=subtitle, height=140 + 150 * rows,
           changes=frame_changes(timeline),
           legend={"title": {"text": "Outcome"}}, margin={"t": 110}, hovermode="closest")
    fig.update_yaxes(tickformat=".0%", range=[0, 1], nticks=3)
    fig.update_xaxes(title_text="Date of the evidence", row=rows, col=1)
    fig.update_yaxes(title_text="Probability", row=1, col=1)
    return fig


def plot_survival(curve: pd.DataFrame, reference: pd.DataFrame | None = None, *,
                  title: str | None = None) -> go.Figure:
    """Draw the probability that the deal still holds, against a reference class.

    Parameters
    ----------
    curve : DataFrame
        :func:`analysis.survival_curve` output (``day``, ``survival``,
        ``lower``, ``upper``); with a ``scenario`` column, one curve per
        scenario.
    reference : DataFrame, optional
        :func:`analysis.kaplan_meier` output, drawn as a grey step curve
        with its confidence band and a tick where a case was censored.
    title : str, optional
        Default: ``"Does the deal hold? — <scenario>"``.

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
    check_frame(curve, ("day", "survival", "lower", "upper"), "curve")
    curve = plain_frame(curve)
    if reference is not None:
        check_frame(reference, ("day", "survival", "lower", "upper", "at_risk", "events",
                                "censored"), "reference")
        reference = plain_frame(reference)
    fig = go.Figure()
    groups = (list(curve.groupby("scenario", sort=False)) if "scenario" in curve.columns
              else [(curve.attrs.get("scenario") or "Model", curve)])
    colours = [_MODEL_COLOUR, *palette(len(groups))]
    for i, (name, part) in enumerate(groups):
        colour = colours[i]
        label = f"Model: {name}"
        add_band(fig, part["day"], part["lower"], part["upper"], colour, name=label,
                 scenario=str(name))
        fig.add_scatter(
            x=list(part["day"]), y=list(part["survival"]), mode="lines", name=label,
            legendgroup=label, line={"color": colour, "width": 2.4},
            customdata=np.column_stack([part["lower"], part["upper"]]),
            hovertemplate=(f"<b>{name}</b><br>Day %{{x:,.0f}}: %{{y:.1%}} still holding"
                           "<br>Interval %{customdata[0]:.0%}–%{customdata[1]:.0%}"
                           "<extra></extra>"),
            meta={"role": "model", "scenario": str(name)})
    never = curve.attrs.get("never")
    if never is not None and len(groups) == 1:
        fig.add_hline(y=never, line={"color": colours[0], "dash": "dot", "width": 1},
                      annotation_text=f"never ends in the model: {never:.0%}",
                      annotation_position="bottom right")
    if reference is not None:
        ref = reference.sort_values("day")
        add_band(fig, ref["day"], ref["lower"].fillna(ref["survival"]),
                 ref["upper"].fillna(ref["survival"]), _REFERENCE_COLOUR,
                 name="Reference class", shape="hv")
        fig.add_scatter(
            x=list(ref["day"]), y=list(ref["survival"]), mode="lines", name="Reference class "
            "(Kaplan–Meier)", line={"color": _REFERENCE_COLOUR, "width": 2, "shape": "hv"},
            customdata=np.column_stack([ref["at_risk"], ref["events"], ref["censored"]]),
            hovertemplate=("<b>Earlier cases</b><br>Day %{x:,.0f}: %{y:.1%} still holding"
                           "<br>At risk: %{customdata[0]}, ended: %{customdata[1]}, "
                           "censored: %{customdata[2]}<extra></extra>"),
            meta={"role": "reference"})
        censored = ref[ref["censored"] > 0]
        if len(censored):
            fig.add_scatter(
                x=list(censored["day"]), y=list(censored["survival"]), mode="markers",
                name="Censored (still open)",
                marker={"symbol": "line-ns-open", "size": 16, "color": _REFERENCE_COLOUR,
                        "line": {"width": 2.5}},
                customdata=list(censored["censored"]),
                hovertemplate=("Day %{x:,.0f}: %{customdata} case(s) still open (censored)"
                               "<extra></extra>"),
                meta={"role": "censored"})
    events = curve.attrs.get("event")
    event_text = ", ".join(events) if isinstance(events, list | tuple) else events
    default = chart_title("Does the deal hold?", None if "scenario" in curve.columns else
                          curve.attrs.get("scenario"), curve.attrs.get("given"))
    subtitle = "Probability that the deal has not ended"
    if event_text:
        subtitle += f" in {event_text.replace('_', ' ')}"
    if curve.attrs.get("held_until") is not None:
        subtitle += f", given that it held to day {curve.attrs['held_until']:g}"
    if "interval" in curve.attrs:
        subtitle += f"; band: {curve.attrs['interval']:.0%} credible interval over the priors"
    top = float(curve["day"].max())
    layout(fig, title=title or default, subtitle=subtitle, height=500, margin={"t": 90},
           changes=frame_changes(curve),
           legend={"x": 1, "xanchor": "right", "y": 1, "bgcolor": "rgba(255,255,255,0.7)"})
    fig.update_xaxes(title_text="Days since the start", range=[0, top],
                     rangemode="tozero")
    fig.update_yaxes(title_text="Probability the deal still holds", tickformat=".0%",
                     range=[0, 1.02])
    return fig


def plot_phase_completion(curve: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw, day by day, the probability that each phase has completed.

    Parameters
    ----------
    curve : DataFrame
        :func:`analysis.completion_curve` output (``phase``, ``label``,
        ``day``, ``probability``).
    title : str, optional
        Default: ``"When the phases complete — <scenario>"``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_frame(curve, ("phase", "label", "day", "probability"), "curve")
    curve = plain_frame(curve)
    phases = list(pd.unique(curve["phase"]))
    shades = phase_colours(len(phases))
    fig = go.Figure()
    for colour, (phase, part) in zip(shades, curve.groupby("phase", sort=False), strict=True):
        label = part["label"].iloc[0]
        fig.add_scatter(x=list(part["day"]), y=list(part["probability"]), mode="lines",
                        name=label, line={"color": colour, "width": 2.2},
                        hovertemplate=(f"<b>{label}</b><br>Completed by day %{{x:,.0f}}: "
                                       "%{y:.1%}<extra></extra>"),
                        meta={"role": "phase", "phase": phase})
    layout(fig, title=frame_title("When the phases complete", curve, title), height=460,
           changes=frame_changes(curve),
           subtitle="Probability that the phase has happened and resolved, on any branch",
           legend={"title": {"text": "Phase"}}, margin={"t": 90})
    fig.update_xaxes(title_text="Days since the start", rangemode="tozero")
    fig.update_yaxes(title_text="Probability the phase has completed", tickformat=".0%",
                     range=[0, 1.02])
    return fig


def plot_scores(scores: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw each scenario's Brier and logarithmic scores, question by question.

    Two panels of horizontal bars, one bar per scenario and question; lower
    is better in both. Provisional questions are marked in their label.

    Parameters
    ----------
    scores : DataFrame
        :func:`analysis.score_forecasts` output.
    title : str, optional
        Default: ``"Scores against what happened — <resolutions>"``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_frame(scores, ("scenario", "question", "observed", "probability", "brier",
                         "log_score", "given", "provisional"), "scores")
    scores = plain_frame(scores)
    questions = list(pd.unique(scores["question"]))
    provisional = scores.groupby("question")["provisional"].any()
    ticks = [q.replace("_", " ") + (" (provisional)" if provisional[q] else "")
             for q in questions]
    scenarios = list(pd.unique(scores["scenario"]))
    colours = dict(zip(scenarios, palette(len(scenarios)), strict=True))
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=["Brier score", "Logarithmic score (−ln p)"])
    for col, column in enumerate(("brier", "log_score"), start=1):
        for name in scenarios:
            part = scores[scores["scenario"] == name].set_index("question").reindex(questions)
            present = part["probability"].notna().to_numpy()
            fig.add_bar(
                y=[t for t, ok in zip(ticks, present, strict=True) if ok],
                x=list(part.loc[present, column]), orientation="h", name=str(name),
                legendgroup=str(name), showlegend=col == 1,
                marker={"color": colours[name]},
                customdata=[[name, o, p, wrap_text(g or "nothing", 50)]
                            for o, p, g in zip(part.loc[present, "observed"],
                                               part.loc[present, "probability"],
                                               part.loc[present, "given"], strict=True)],
                hovertemplate=("<b>%{customdata[0]}</b>: %{x:.3f}<br>%{y}"
                               "<br>Happened: %{customdata[1]}, forecast %{customdata[2]:.1%}"
                               "<br>Given: %{customdata[3]}<extra></extra>"),
                meta={"role": "scores", "score": column, "scenario": str(name)},
                row=1, col=col)
    default = "Scores against what happened"
    if scores.attrs.get("resolutions"):
        default += f" — {scores.attrs['resolutions']}"
    subtitle = ("Lower is better; each forecast given the answers known before it"
                if scores.attrs.get("sequential", True) else
                "Lower is better; marginal forecasts")
    height = int(170 + 60 * len(questions) * max(1.0, len(scenarios) / 2))
    layout(fig, title=title or default, height=height, subtitle=subtitle, barmode="group",
           legend={"title": {"text": series_title(scores)}}, margin={"t": 100})
    fig.update_xaxes(title_text="Brier score (0 best, 2 worst)", rangemode="tozero", row=1,
                     col=1)
    fig.update_xaxes(title_text="−ln p (0 best)", rangemode="tozero", row=1, col=2)
    fig.update_yaxes(title_text="Question", categoryorder="array", categoryarray=ticks,
                     autorange="reversed", row=1, col=1)
    return fig


def plot_analyst_disagreement(disagreement: pd.DataFrame, *, top: int = 10,
                              title: str | None = None) -> go.Figure:
    """Draw the branch probabilities the analysts disagree on most.

    One row per branch probability (the ``top`` largest spreads, most
    disputed at the top): a grey bar spans the analysts' means, a marker in
    each analyst's colour shows their mean and a thin line their prior's
    90% interval.

    Parameters
    ----------
    disagreement : DataFrame
        :func:`analysis.analyst_disagreement` output.
    top : int
        How many branch probabilities to show.
    title : str, optional
        Default: ``"Where the analysts disagree"``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_frame(disagreement, ("key", "label", "analyst", "mean", "p05", "p95", "spread",
                               "rank"), "disagreement")
    disagreement = plain_frame(disagreement)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top == {top!r}, expected a positive integer")
    shown = disagreement[disagreement["rank"] <= top]
    keys = list(pd.unique(shown.sort_values("rank", kind="stable")["key"]))
    first = shown.drop_duplicates("key").set_index("key").reindex(keys)
    ticks = list(first["label"])
    analysts = list(pd.unique(disagreement["analyst"]))
    colours = dict(zip(analysts, palette(len(analysts)), strict=True))
    fig = go.Figure()
    spans = shown.groupby("key")["mean"].agg(["min", "max"]).reindex(keys)
    fig.add_bar(y=ticks, x=list(spans["max"] - spans["min"]), base=list(spans["min"]),
                orientation="h", marker={"color": "#e3e3e3"}, name="Range of the means",
                width=0.55, customdata=list(first["spread"]),
                hovertemplate="%{y}<br>Spread: %{customdata:.2f}<extra></extra>",
                meta={"role": "range"})
    for analyst in analysts:
        part = shown[shown["analyst"] == analyst].set_index("key").reindex(keys)
        fig.add_scatter(
            y=ticks, x=list(part["mean"]), mode="markers", name=str(analyst),
            marker={"color": colours[analyst], "size": 11, "line": {"color": "white",
                                                                    "width": 1}},
            error_x={"type": "data", "symmetric": False,
                     "array": list(part["p95"] - part["mean"]),
                     "arrayminus": list(part["mean"] - part["p05"]),
                     "color": colours[analyst], "thickness": 1, "width": 0},
            customdata=np.column_stack([part["p05"], part["p95"]]),
            hovertemplate=(f"<b>{analyst}</b><br>%{{y}}<br>Mean %{{x:.2f}}, 90% interval "
                           "%{customdata[0]:.2f}–%{customdata[1]:.2f}<extra></extra>"),
            meta={"role": "analyst", "analyst": str(analyst)})
    layout(fig, title=title or "Where the analysts disagree",
           subtitle=f"The {len(keys)} branch probabilities with the widest spread of the "
           "analysts' prior means", height=int(170 + 42 * len(keys)),
           legend={"title": {"text": series_title(disagreement, "Analyst")}},
           margin={"t": 90, "l": 20})
    fig.update_xaxes(title_text="Probability (the analyst's prior: mean and 90% interval)",
                     range=[0, 1], tickformat=".0%")
    fig.update_yaxes(title_text="Branch probability", categoryorder="array",
                     categoryarray=ticks, autorange="reversed")
    return fig
