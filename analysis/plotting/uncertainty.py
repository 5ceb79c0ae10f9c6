"""Uncertainty over the priors: the priors' densities, and summaries of Monte Carlo draws."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import (
    ATTRIBUTE_GAP_PX,
    ATTRIBUTE_MARGIN,
    POINT_COLOUR,
    check_frame,
    frame_changes,
    frame_title,
    layout,
    note_figure,
    phase_colours,
    plain_frame,
    wrap_text,
)

__all__ = [
    "plot_attribute_cdf",
    "plot_outcome_draws",
    "plot_outcome_intervals",
    "plot_priors",
]

# plot_priors: panels per row, pixels per row of panels.
_PRIOR_COLUMNS = 4
_PRIOR_ROW_PX = 190
_PRIOR_MARGIN = {"t": 110, "b": 50, "l": 40, "r": 30}
_INTERVAL_WIDTHS = (3.0, 7.0, 11.0)  # error-bar widths, widest interval first
_DRAW_ROW_PX = 130
_ATTRIBUTE_ROW_PX = 190


def _draws_subtitle(attrs: Mapping) -> str | None:
    """``"100,000 draws of the priors · seed 1"`` from a frame's attrs."""
    if "n_draws" not in attrs:
        return None
    seed = str(attrs.get("seed"))
    seed = seed if len(seed) <= 12 else seed[:10] + "…"
    return f"{attrs['n_draws']:,} draws of the priors · seed {seed}"


def _widest(intervals: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    """Return the widest interval of an intervals frame, and its rows."""
    widest = float(intervals["interval"].max())
    return widest, intervals[intervals["interval"] == widest]


def _prior_panel_title(prior) -> str:
    where = prior.phase_label
    if prior.rule:
        where += f" · {prior.rule.replace('_', ' ')}"
    return f"{where}<br><b>{prior.branch_label}</b>"


def _prior_hover(prior, interval: float | None) -> str:
    """Return the prior as written, its Beta, mean and interval, claims and rationale."""
    cite = ", ".join(prior.cite.split(", ")) if prior.cite else "(none)"
    which = f"{interval:.0%} interval" if interval is not None else "Interval"
    return "<br>".join(line for line in [
        f"<b>{prior.phase_label}: {prior.branch_label}</b>"
        + (f" ({prior.rule.replace('_', ' ')})" if prior.rule else ""),
        f"{prior.detail}" + ("" if prior.kind == "beta" else
                             f" → Beta({prior.alpha:.3g}, {prior.beta:.3g})"),
        f"Mean {prior.mean:.3f}; {which} {prior.lower:.3f}–{prior.upper:.3f}",
        "<br>".join(textwrap.wrap("Cites: " + cite, 70, break_on_hyphens=False,
                                  break_long_words=False)),
        wrap_text(prior.rationale, 70),
    ] if line)


def plot_priors(densities: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw every uncertain prior's density, as small multiples.

    One panel per uncertain branch probability: the density of its Beta (a
    Dirichlet branch's marginal Beta), with the central interval shaded and
    the mean marked. Panels share the x axis (probability, 0 to 1) and take
    their phase's colour; the hover text gives the prior as written, its
    Beta, mean and interval, the claims it cites and its rationale.

    Parameters
    ----------
    densities : DataFrame
        :func:`analysis.prior_densities` output: one row per prior and grid
        point (columns ``key``, ``phase``, ``phase_label``, ``rule``,
        ``branch_label``, ``kind``, ``detail``, ``alpha``, ``beta``,
        ``mean``, ``lower``, ``upper``, ``cite``, ``rationale``, ``value``,
        ``density``; ``attrs["interval"]``, the interval shaded).
    title : str, optional
        Default: ``"Priors — <scenario id>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        Per panel, traces with ``meta["role"]`` ``density`` and ``interval``
        (and ``meta["key"]``, the prior's key), then ``mean``; a scenario with
        no uncertain prior gives an empty figure with a note.

    Raises
    ------
    TypeError
        If ``densities`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(densities, ("key", "phase", "phase_label", "rule", "branch_label", "kind",
                            "detail", "alpha", "beta", "mean", "lower", "upper", "cite",
                            "rationale", "value", "density"), "densities",
                made_by="analysis.prior_densities(scenario)")
    densities = plain_frame(densities)
    text = frame_title("Priors", densities, title)
    changes = frame_changes(densities)
    interval = densities.attrs.get("interval")
    if densities.empty:
        return note_figure("Every probability of the scenario is fixed", title=text,
                           changes=changes)
    priors = densities.drop_duplicates("key")
    n = len(priors)
    columns = min(_PRIOR_COLUMNS, n)
    rows = math.ceil(n / columns)
    height = _PRIOR_MARGIN["t"] + _PRIOR_MARGIN["b"] + _PRIOR_ROW_PX * rows
    fig = make_subplots(rows=rows, cols=columns,
                        subplot_titles=[_prior_panel_title(p)
                                        for p in priors.itertuples(index=False)],
                        horizontal_spacing=0.04,
                        vertical_spacing=min(0.55 / rows, 70 / (height - 160)))
    phases = list(pd.unique(priors["phase"]))
    colours = dict(zip(phases, phase_colours(len(phases)), strict=True))
    curves = dict(list(densities.groupby("key", sort=False)))
    for i, prior in enumerate(priors.itertuples(index=False)):
        row, col = divmod(i, columns)
        row, col = row + 1, col + 1
        curve = curves[prior.key].sort_values("value")
        x, density = curve["value"].to_numpy(), curve["density"].to_numpy()
        inside = (x >= prior.lower) & (x <= prior.upper)
        at_mean = float(np.interp(prior.mean, x, density))
        colour = colours[prior.phase]
        hover = _prior_hover(prior, interval)
        fig.add_scatter(x=x, y=density, mode="lines", line={"color": colour, "width": 2},
                        name=prior.key, showlegend=False,
                        hovertemplate=hover + "<br>p = %{x:.3f}, density %{y:.2f}<extra></extra>",
                        meta={"role": "density", "key": prior.key}, row=row, col=col)
        fig.add_scatter(x=x[inside], y=density[inside], mode="lines",
                        line={"width": 0, "color": colour}, fill="tozeroy", opacity=0.3,
                        fillcolor=colour,
                        name=f"{interval:.0%} interval" if interval else "Interval",
                        showlegend=False, hoverinfo="skip",
                        meta={"role": "interval", "key": prior.key}, row=row, col=col)
        fig.add_scatter(x=[prior.mean, prior.mean], y=[0, at_mean], mode="lines",
                        line={"color": POINT_COLOUR, "width": 1, "dash": "dot"},
                        name="Mean", showlegend=False, hoverinfo="skip",
                        meta={"role": "mean", "key": prior.key}, row=row, col=col)
        fig.update_xaxes(range=[0, 1], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1],
                         title_text="Probability" if row == rows else None, row=row, col=col)
        fig.update_yaxes(showticklabels=False, rangemode="tozero", row=row, col=col)
    fig.update_annotations(font={"size": 11})
    shaded = f"{interval:.0%} interval" if interval else "central interval"
    return layout(fig, title=text, height=height, margin=_PRIOR_MARGIN, changes=changes,
                  subtitle=(f"Density of each uncertain branch probability; shaded: "
                            f"{shaded}; dotted: mean"))


def plot_outcome_intervals(summary: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw each outcome's probability across draws: the mean with credible-interval bars.

    One row per outcome: a dot at the mean over the draws, a bar per interval
    (thicker for narrower ones, as in a forest plot), in the outcome's
    colour, and a black tick at the exact probability at the priors' means.

    Parameters
    ----------
    summary : DataFrame
        :func:`analysis.outcome_intervals` output (columns ``outcome``,
        ``label``, ``colour``, ``interval``, ``at_means``, ``mean``,
        ``mcse``, ``median``, ``lower``, ``upper``), with one or more intervals.
    title : str, optional
        Default: ``"Outcome probabilities with 90% intervals — <scenario> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per outcome and interval (``meta["role"] == "interval"``,
        with ``meta["outcome"]`` and ``meta["interval"]``), then the
        ``at_means`` ticks.

    Raises
    ------
    TypeError
        If ``summary`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(summary, ("outcome", "label", "colour", "interval", "at_means", "mean",
                          "mcse", "median", "lower", "upper"), "summary")
    summary = plain_frame(summary)
    intervals = sorted(pd.unique(summary["interval"]), reverse=True)
    names = " and ".join(f"{i:.0%}" for i in sorted(intervals))
    text = frame_title(f"Outcome probabilities with {names} intervals", summary, title)
    order = list(pd.unique(summary["outcome"]))
    labels = summary.drop_duplicates("outcome").set_index("outcome")["label"]
    fig = go.Figure()
    for rank, interval in enumerate(intervals):
        width = _INTERVAL_WIDTHS[min(rank, len(_INTERVAL_WIDTHS) - 1)]
        for row in summary[summary["interval"] == interval].itertuples(index=False):
            hover = (f"<b>{row.label}</b><br>Mean over draws: {row.mean:.1%} (Monte Carlo "
                     f"error ±{row.mcse:.2%})<br>Median: {row.median:.1%}<br>"
                     f"{interval:.0%} interval: {row.lower:.1%} to {row.upper:.1%}<br>"
                     f"At the priors' means: {row.at_means:.1%}<extra></extra>")
            fig.add_scatter(
                x=[row.mean], y=[row.label], mode="markers", name=f"{row.label} ({interval:.0%})",
                marker={"color": row.colour, "size": 12 if rank == len(intervals) - 1 else 1,
                        "line": {"color": "white", "width": 1}},
                error_x={"type": "data", "symmetric": False, "array": [row.upper - row.mean],
                         "arrayminus": [row.mean - row.lower], "color": row.colour,
                         "thickness": width, "width": 0},
                showlegend=False, hovertemplate=hover,
                meta={"role": "interval", "outcome": row.outcome, "interval": float(interval)})
    first = summary.drop_duplicates("outcome")
    fig.add_scatter(x=list(first["at_means"]), y=list(first["label"]), mode="markers",
                    name="At the priors' means",
                    marker={"symbol": "line-ns-open", "size": 18, "color": POINT_COLOUR,
                            "line": {"width": 2, "color": POINT_COLOUR}},
                    hovertemplate="%{y} at the priors' means: %{x:.1%}<extra></extra>",
                    meta={"role": "at_means"})
    top = float(summary["upper"].max()) if len(summary) else 1.0
    widths = ", ".join(f"{'thick' if rank else 'thin'}: {i:.0%} interval"
                       for rank, i in enumerate(intervals[:2]))
    subtitle = "; ".join(part for part in (_draws_subtitle(summary.attrs),
                                           f"dot: mean; {widths}") if part)
    layout(fig, title=text, subtitle=subtitle, changes=frame_changes(summary),
           height=int(170 + 60 * len(order)), margin={"t": 90, "l": 20},
           showlegend=True, legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02,
                                    "yanchor": "bottom"})
    fig.update_xaxes(title_text="Probability of the outcome", tickformat=".0%",
                     range=[0, min(1.0, top * 1.08 + 0.01)], rangemode="tozero")
    fig.update_yaxes(title_text="Outcome", type="category", categoryorder="array",
                     categoryarray=[labels[o] for o in order], autorange="reversed")
    return fig




def plot_outcome_draws(histogram: pd.DataFrame, intervals: pd.DataFrame, *,
                       title: str | None = None) -> go.Figure:
    """Draw how each outcome's probability is distributed across the draws.

    One histogram per outcome (rows sharing the probability axis), in the
    outcome's colour, with its median (solid) and central interval (dashed)
    marked; wide histograms are outcomes the priors leave uncertain.

    Parameters
    ----------
    histogram : DataFrame
        :func:`analysis.outcome_histogram` output (columns ``outcome``,
        ``label``, ``colour``, ``lower``, ``upper``, ``share``, ``density``).
    intervals : DataFrame
        :func:`analysis.outcome_intervals` output of the same draws (columns
        ``outcome``, ``interval``, ``median``, ``lower``, ``upper``); with
        several intervals, the widest is marked.
    title : str, optional
        Default: ``"Outcome probabilities across draws — <scenario> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        Per outcome, a bar trace (``meta["role"] == "histogram"``, with
        ``meta["outcome"]``) and three ``marks`` traces (median and interval ends).

    Raises
    ------
    TypeError
        If a frame is not a DataFrame.
    ValueError
        If a column is missing, or an outcome of ``histogram`` has no interval.
    """
    check_frame(histogram, ("outcome", "label", "colour", "lower", "upper", "share",
                            "density"), "histogram",
                made_by="analysis.outcome_histogram(samples)")
    histogram = plain_frame(histogram)
    check_frame(intervals, ("outcome", "interval", "median", "lower", "upper"), "intervals",
                made_by="analysis.outcome_intervals(samples)")
    intervals = plain_frame(intervals)
    interval, summary = _widest(intervals)
    summary = summary.set_index("outcome")
    outcomes = list(pd.unique(histogram["outcome"]))
    missing = [o for o in outcomes if o not in summary.index]
    if missing:
        raise ValueError(f"intervals: no row for outcome(s) {', '.join(missing)}; expected "
                         "the intervals of the histogram's draws")
    labels = histogram.drop_duplicates("outcome")["label"]
    n = len(outcomes)
    height = 120 + _DRAW_ROW_PX * n
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, subplot_titles=list(labels),
                        vertical_spacing=min(0.3 / n, 45 / (height - 120)))
    for i, outcome in enumerate(outcomes, start=1):
        part = histogram[histogram["outcome"] == outcome]
        label, colour = part["label"].iat[0], part["colour"].iat[0]
        middle = (part["lower"] + part["upper"]) / 2
        fig.add_bar(
            x=list(middle), y=list(part["density"]), width=list(part["upper"] - part["lower"]),
            marker={"color": colour, "line": {"width": 0}}, name=label, showlegend=False,
            customdata=np.column_stack([part["lower"], part["upper"], part["share"]]),
            hovertemplate=(f"<b>{label}</b><br>" "P between %{customdata[0]:.1%} and "
                           "%{customdata[1]:.1%}<br>in %{customdata[2]:.1%} of draws"
                           "<extra></extra>"),
            meta={"role": "histogram", "outcome": outcome}, row=i, col=1)
        row = summary.loc[outcome]
        top = float(part["density"].max())
        marks = [(row["median"], "Median", "solid"), (row["lower"], "Interval start", "dash"),
                 (row["upper"], "Interval end", "dash")]
        for x, name, dash in marks:
            fig.add_scatter(x=[x, x], y=[0, top * 1.05], mode="lines", name=name,
                            line={"color": POINT_COLOUR, "width": 1, "dash": dash},
                            showlegend=False,
                            hovertemplate=f"{label}: {name.lower()} %{{x:.1%}}<extra></extra>",
                            meta={"role": "marks", "outcome": outcome}, row=i, col=1)
        fig.update_yaxes(showticklabels=False, title_text="Density" if i == (n + 1) // 2 else None,
                         rangemode="tozero", row=i, col=1)
    right = float(histogram["upper"].max())
    fig.update_xaxes(tickformat=".0%", range=[0, min(1.0, right * 1.05 + 0.01)])
    fig.update_xaxes(title_text="Probability of the outcome", row=n, col=1)
    subtitle = _draws_subtitle(histogram.attrs)
    subtitle = (f"{subtitle} · " if subtitle else "") + (
        f"solid: median; dashed: {interval:.0%} interval")
    return layout(fig, title=frame_title("Outcome probabilities across draws", histogram, title),
                  subtitle=subtitle, height=height, bargap=0, margin={"t": 100},
                  changes=frame_changes(histogram))


def plot_attribute_cdf(ecdf: pd.DataFrame, intervals: pd.DataFrame, *,
                       title: str | None = None) -> go.Figure:
    """Draw the empirical CDF of each attribute's expected value across the draws.

    One panel per attribute (each in its own unit): the share of draws whose
    expected value is at most x, with the median and central interval marked.

    Parameters
    ----------
    ecdf : DataFrame
        :func:`analysis.attribute_ecdf` output (columns ``attribute``,
        ``label``, ``unit``, ``value``, ``cumulative``).
    intervals : DataFrame
        :func:`analysis.attribute_intervals` output of the same draws
        (columns ``attribute``, ``interval``, ``median``, ``lower``,
        ``upper``); with several intervals, the widest is marked.
    title : str, optional
        Default: ``"Expected attributes across draws — <scenario> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        Per attribute, a line trace (``meta["role"] == "ecdf"``, with
        ``meta["attribute"]``) and a ``marks`` trace; a scenario without
        attributes gives an empty figure with a note.

    Raises
    ------
    TypeError
        If a frame is not a DataFrame.
    ValueError
        If a column is missing, or an attribute of ``ecdf`` has no interval.
    """
    check_frame(ecdf, ("attribute", "label", "unit", "value", "cumulative"), "ecdf",
                made_by="analysis.attribute_ecdf(samples)")
    ecdf = plain_frame(ecdf)
    check_frame(intervals, ("attribute", "interval", "median", "lower", "upper"), "intervals",
                made_by="analysis.attribute_intervals(samples)")
    intervals = plain_frame(intervals)
    text = frame_title("Expected attributes across draws", ecdf, title)
    changes = frame_changes(ecdf)
    attributes = list(pd.unique(ecdf["attribute"]))
    if not attributes:
        return note_figure("The scenario declares no attributes", title=text, changes=changes)
    interval, summary = _widest(intervals)
    summary = summary.set_index("attribute")
    missing = [a for a in attributes if a not in summary.index]
    if missing:
        raise ValueError(f"intervals: no row for attribute(s) {', '.join(missing)}; expected "
                         "the intervals of the ecdf's draws")
    n = len(attributes)
    height = ATTRIBUTE_MARGIN["t"] + ATTRIBUTE_MARGIN["b"] + _ATTRIBUTE_ROW_PX * n
    fig = make_subplots(rows=n, cols=1,
                        subplot_titles=list(ecdf.drop_duplicates("attribute")["label"]),
                        vertical_spacing=min(ATTRIBUTE_GAP_PX / (height - 150),
                                             1 / max(n - 1, 1) - 1e-3))
    tails = ((1 - interval) / 2, 0.5, (1 + interval) / 2)
    names = [f"{tails[0]:.1%} quantile", "Median", f"{tails[2]:.1%} quantile"]
    for i, attribute in enumerate(attributes, start=1):
        part = ecdf[ecdf["attribute"] == attribute]
        label, unit = part["label"].iat[0], part["unit"].iat[0]
        fig.add_scatter(
            x=list(part["value"]), y=list(part["cumulative"]), mode="lines", name=label,
            line={"color": POINT_COLOUR, "width": 2, "shape": "linear"}, showlegend=False,
            hovertemplate=(f"<b>{label}</b><br>Expected value ≤ %{{x:,.3~g}} {unit}<br>"
                           "in %{y:.1%} of draws<extra></extra>"),
            meta={"role": "ecdf", "attribute": attribute}, row=i, col=1)
        row = summary.loc[attribute]
        fig.add_scatter(
            x=[row["lower"], row["median"], row["upper"]], y=list(tails), mode="markers",
            marker={"size": 9, "color": ["#ffffff", POINT_COLOUR, "#ffffff"],
                    "line": {"color": POINT_COLOUR, "width": 1.5}},
            customdata=names, name="Median and interval", showlegend=False,
            hovertemplate=(f"{label}: %{{customdata}} %{{x:,.3~g}} {unit}<extra></extra>"),
            meta={"role": "marks", "attribute": attribute}, row=i, col=1)
        fig.update_xaxes(title_text=unit, row=i, col=1)
        fig.update_yaxes(title_text="Share of draws ≤ x", range=[0, 1.02], tickformat=".0%",
                         row=i, col=1)
    subtitle = _draws_subtitle(ecdf.attrs)
    subtitle = (f"{subtitle} · " if subtitle else "") + (
        f"markers: median and {interval:.0%} interval")
    return layout(fig, title=text, subtitle=subtitle, height=height, margin=ATTRIBUTE_MARGIN,
                  changes=changes)
