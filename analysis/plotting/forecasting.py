"""Forecasting: the watchlist of signposts, scores over time, and calibration.

How far each signpost would move the outcomes if seen (the mediator's
early-warning list), how each question's score moved as the evidence came
in, and how often forecasts of each probability came true.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .style import (
    check_frame,
    frame_changes,
    frame_title,
    layout,
    palette,
    plain_frame,
    shorten,
    wrap_text,
)

__all__ = ["plot_brier_over_time", "plot_reliability", "plot_watchlist"]

_DIAGONAL_COLOUR = "#888888"


def plot_watchlist(watch: pd.DataFrame, *, top: int | None = None,
                   title: str | None = None) -> go.Figure:
    """Draw how far each signpost would move each outcome's probability if seen.

    One row per signpost, largest move first; one bar per outcome in its
    colour, the change in percentage points (right: more likely). The hover
    gives the probability before and after, the phase and the branch the
    signpost favours.

    Parameters
    ----------
    watch : DataFrame
        :func:`analysis.watch_table` output.
    top : int, optional
        Draw only the ``top`` signposts that move the outcomes most.
    title : str, optional
        Default: ``"What each signpost would change — <scenario>"``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_frame(watch, ("rank", "signpost", "watch", "phase", "favours", "outcome", "label",
                        "colour", "before", "after", "change", "seen_in"), "watch",
                made_by="analysis.watch_table(scenario, signposts)")
    if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 1):
        raise ValueError(f"top == {top!r}, expected a whole number of at least 1")
    watch = plain_frame(watch)
    if top is not None:
        watch = watch[watch["rank"] <= top]
    order = watch.drop_duplicates("rank").sort_values("rank")
    ticks = {s: shorten(w, 60) + (" (seen)" if seen else "")
             for s, w, seen in zip(order["signpost"], order["watch"], order["seen_in"],
                                   strict=True)}
    fig = go.Figure()
    for outcome, part in watch.groupby("outcome", sort=False):
        first = part.iloc[0]
        fig.add_bar(
            y=[ticks[s] for s in part["signpost"]], x=list(100 * part["change"]),
            orientation="h", name=str(first["label"]), marker={"color": first["colour"]},
            customdata=[[first["label"], b, a, p, f or "no branch (all ratios ≤ 1)",
                         wrap_text(w, 50)]
                        for b, a, p, f, w in zip(part["before"], part["after"], part["phase"],
                                                 part["favours"], part["watch"], strict=True)],
            hovertemplate=("<b>%{customdata[5]}</b><br>%{customdata[0]}: %{customdata[1]:.1%}"
                           " → %{customdata[2]:.1%} (%{x:+.1f} points)"
                           "<br>Phase: %{customdata[3]}; favours %{customdata[4]}"
                           "<extra></extra>"),
            meta={"role": "watchlist", "outcome": str(outcome)})
    evidence = watch.attrs.get("evidence")
    subtitle = ("Change in each outcome's probability if the signpost were seen, from the "
                + (f"probabilities after evidence {evidence}" if evidence else "priors"))
    layout(fig, title=frame_title("What each signpost would change", watch, title),
           height=int(160 + 34 * len(order) * max(1, watch["outcome"].nunique() / 2)),
           subtitle=subtitle, changes=frame_changes(watch), barmode="group",
           legend={"title": {"text": "Outcome"}}, margin={"t": 100})
    fig.update_xaxes(title_text="Change if seen (percentage points)", zeroline=True,
                     zerolinewidth=2)
    fig.update_yaxes(title_text="Signpost", categoryorder="array",
                     categoryarray=list(ticks.values()), autorange="reversed")
    return fig


def plot_reliability(calibration: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw a reliability diagram: forecast probability against how often it came true.

    One point per bin and scenario, sized by the number of forecasts in it;
    the diagonal is perfect calibration (points below it: over-confident in
    what happened less often).

    Parameters
    ----------
    calibration : DataFrame
        :func:`analysis.calibration_table` output.
    title : str, optional
        Default: ``"Calibration — <resolutions>"``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_frame(calibration, ("scenario", "lower", "upper", "forecasts", "mean_probability",
                              "observed_frequency"), "calibration",
                made_by="analysis.calibration_table(forecasts)")
    calibration = plain_frame(calibration)
    fig = go.Figure()
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="Perfect calibration",
                    line={"color": _DIAGONAL_COLOUR, "dash": "dash"}, hoverinfo="skip")
    scenarios = list(pd.unique(calibration["scenario"]))
    for colour, name in zip(palette(len(scenarios)), scenarios, strict=True):
        part = calibration[calibration["scenario"] == name]
        fig.add_scatter(
            x=list(part["mean_probability"]), y=list(part["observed_frequency"]),
            mode="markers+lines", name=str(name), marker={"color": colour,
                                                          "size": list(6 + 2 * part["forecasts"]
                                                                       .clip(upper=12))},
            customdata=list(zip(part["lower"], part["upper"], part["forecasts"],
                                strict=True)),
            hovertemplate=("<b>" + str(name) + "</b><br>Forecasts of %{customdata[0]:.0%}–"
                           "%{customdata[1]:.0%}: %{customdata[2]}<br>Mean forecast %{x:.1%},"
                           " happened %{y:.1%}<extra></extra>"),
            meta={"role": "reliability", "scenario": str(name)})
    default = "Calibration"
    if calibration.attrs.get("resolutions"):
        default += f" — {calibration.attrs['resolutions']}"
    layout(fig, title=title or default, height=480,
           subtitle=f"{calibration.attrs.get('questions', '?')} answered questions; every "
                    "category of each is one forecast",
           legend={"title": {"text": "Scenario"}}, margin={"t": 100})
    fig.update_xaxes(title_text="Forecast probability", range=[0, 1], tickformat=".0%")
    fig.update_yaxes(title_text="Observed frequency", range=[0, 1], tickformat=".0%")
    return fig


def plot_brier_over_time(over_time: pd.DataFrame, *, resolutions=None,
                         title: str | None = None) -> go.Figure:
    """Draw each question's Brier score over its life, as the evidence came in.

    One step line per question: the score of the forecast standing on each
    day, from the question's opening to its close; a dotted line at the same
    height marks its time-averaged score. Provisional answers are marked in
    the legend.

    Parameters
    ----------
    over_time : DataFrame
        :func:`analysis.brier_over_time` output.
    resolutions : Resolutions, optional
        To name the questions by their text in the hover.
    title : str, optional
        Default: ``"Scores over each question's life — <scenario>"``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_frame(over_time, ("question", "provisional", "start", "end", "item", "probability",
                            "brier", "time_averaged"), "over_time",
                made_by="analysis.brier_over_time(scenario, resolutions, evidence)")
    over_time = plain_frame(over_time)
    texts = ({q.id: q.question for q in resolutions.questions}
             if resolutions is not None else {})
    questions = list(pd.unique(over_time["question"]))
    fig = go.Figure()
    for colour, question in zip(palette(len(questions)), questions, strict=True):
        part = over_time[over_time["question"] == question]
        name = question.replace("_", " ") + (" (provisional)" if part["provisional"].iloc[0]
                                             else "")
        x = [*part["start"].astype(str), str(part["end"].iloc[-1])]
        y = [*part["brier"], part["brier"].iloc[-1]]
        hover = wrap_text(texts.get(question, question), 50)
        fig.add_scatter(
            x=x, y=y, mode="lines+markers", line={"shape": "hv", "color": colour}, name=name,
            legendgroup=question,
            customdata=[[i, p] for i, p in zip([*part["item"], part["item"].iloc[-1]],
                                               [*part["probability"],
                                                part["probability"].iloc[-1]], strict=True)],
            hovertemplate=(f"<b>{hover}</b><br>From %{{x}}: Brier %{{y:.3f}}, forecast "
                           "%{customdata[1]:.1%} for what happened<br>After: "
                           "%{customdata[0]}<extra></extra>"),
            meta={"role": "life", "question": question})
        fig.add_scatter(
            x=[x[0], x[-1]], y=[part["time_averaged"].iloc[0]] * 2, mode="lines",
            line={"color": colour, "dash": "dot"}, legendgroup=question, showlegend=False,
            name=f"{name}: averaged", hovertemplate=(f"<b>{hover}</b><br>Averaged over its "
                                                     "life: %{y:.3f}<extra></extra>"),
            meta={"role": "life_average", "question": question})
    layout(fig, title=frame_title("Scores over each question's life", over_time, title),
           height=460, subtitle="Brier score of the forecast standing on each day (0 best, 2 "
                                "worst); dotted: its average over the days",
           changes=frame_changes(over_time), legend={"title": {"text": "Question"}},
           margin={"t": 100})
    fig.update_xaxes(title_text="Date")
    fig.update_yaxes(title_text="Brier score (0 best, 2 worst)", rangemode="tozero")
    return fig
