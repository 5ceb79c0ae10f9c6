"""Decisions and sensitivity: what the options are worth and what moves the results.

Tornado and two-way sensitivity, option values and risk profiles of a
decision, global sensitivity indices and the value of information.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import (
    POINT_COLOUR,
    chart_title,
    check_frame,
    frame_changes,
    layout,
    palette,
    plain_frame,
    result_format,
    result_text,
    shorten,
    unit_suffix,
    wrap_text,
)

__all__ = [
    "plot_evppi",
    "plot_rule_comparison",
    "plot_global_sensitivity",
    "plot_option_values",
    "plot_risk_profiles",
    "plot_tornado",
    "plot_two_way",
]

# Greys: these charts' bars are no option's, analyst's or outcome's, so they take
# none of those colours (the first option is SERIES_COLOURS' blue; outcomes are
# often red or orange).
_LOW_COLOUR = "#b3b3b3"  # a prior at its range's low end; a measure's bars
_HIGH_COLOUR = POINT_COLOUR  # at its high end; a second measure's marks
_BEST_MARK = "★"
# A horizontal legend above the plot, under the title and subtitle.
_TOP_LEGEND = {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}


def plot_tornado(table: pd.DataFrame, *, top: int | None = None,
                 title: str | None = None) -> go.Figure:
    """Draw a tornado diagram: each parameter's swing of an output, largest at the top.

    Each parameter gets two bars from the output's value at the priors'
    means (the vertical line): to its value at the low end of the
    parameter's interval (blue) and at the high end (red).

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.tornado_table` output (columns ``parameter``,
        ``label``, ``low``, ``high``, ``result_low``, ``result_high``,
        ``base``, ``swing``; ``attrs`` with ``output_label`` and ``unit``).
    top : int, optional
        Draw only the ``top`` largest swings.
    title : str, optional
        Default: ``"Tornado: <output> — <scenario>"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(table, ("parameter", "label", "low", "high", "result_low", "result_high",
                        "base", "swing"), "table")
    table = plain_frame(table)
    rows = table.sort_values("swing", ascending=False, kind="stable")
    if top is not None:
        rows = rows.head(top)
    rows = rows.iloc[::-1]  # plotly draws the first category at the bottom
    unit = table.attrs.get("unit")
    output = table.attrs.get("output_label") or table.attrs.get("output") or "Output"
    base = float(rows["base"].iloc[0]) if len(rows) else 0.0
    number = result_format(unit)
    labels = list(rows["label"])  # whole: shortened labels could collide as categories
    fig = go.Figure()
    for end, colour, name in (("low", _LOW_COLOUR, "Prior at the low end of its range"),
                              ("high", _HIGH_COLOUR, "Prior at the high end of its range")):
        results = rows[f"result_{end}"].to_numpy(dtype=float)
        fig.add_bar(
            x=list(results - rows["base"].to_numpy(dtype=float)),
            base=list(rows["base"].astype(float)), y=labels, orientation="h", name=name,
            marker={"color": colour},
            customdata=list(zip(rows["label"], rows[end], results, strict=True)),
            hovertemplate=(f"<b>%{{customdata[0]}}</b><br>At {end} end %{{customdata[1]:.3f}}: "
                           f"%{{customdata[2]:{number}}}<extra></extra>"),
            meta={"role": end})
    fig.add_vline(x=base, line_color=POINT_COLOUR, line_width=1.5,
                  annotation_text=f"at the priors' means: {result_text(base, unit)}",
                  annotation_position="bottom right",
                  annotation_bgcolor="rgba(255, 255, 255, 0.85)")  # readable over a bar
    interval = table.attrs.get("interval")
    subtitle = (f"Each prior across its central {interval:.0%} interval, the others at their "
                "means" if interval else None)
    dm = _decision_maker(table)
    if dm and subtitle:
        subtitle += f"; the decisions of {dm} re-optimised at each value"
    default = chart_title(f"Tornado: {output}", table.attrs.get("scenario"),
                          table.attrs.get("given"))
    layout(fig, title=title or default, subtitle=subtitle, changes=frame_changes(table),
           height=int(200 + 34 * max(len(rows), 1)), barmode="overlay",
           legend=_TOP_LEGEND, margin={"t": 130, "l": 20})
    axis = output if unit and unit in output else output + unit_suffix(unit)
    fig.update_xaxes(title_text=axis, tickformat=".0%" if unit == "probability" else None)
    fig.update_yaxes(title_text="Prior", automargin=True)
    return fig


def plot_two_way(frame: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw a two-way sensitivity analysis as a heatmap.

    The colour is the output over the grid of the two parameters; a cross
    marks the priors' means. With a ``policy`` column (a decision maker's
    optimal options), the hover text names the policy at each point and
    white lines trace where it changes.

    Parameters
    ----------
    frame : DataFrame
        :func:`analysis.two_way_sensitivity` output.
    title : str, optional
        Default: ``"Two-way sensitivity: <output> — <scenario>"``.

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
    check_frame(frame, ("x_parameter", "x_label", "y_parameter", "y_label", "x_value",
                        "y_value", "result"), "frame")
    frame = plain_frame(frame)
    attrs = frame.attrs
    unit = attrs.get("unit")
    output = attrs.get("output_label") or attrs.get("output") or "Output"
    xs = np.sort(frame["x_value"].unique())
    ys = np.sort(frame["y_value"].unique())
    grid = frame.pivot_table(index="y_value", columns="x_value", values="result",
                             aggfunc="first", dropna=False).reindex(index=ys, columns=xs)
    has_policy = "policy" in frame.columns
    hover_policy = ""
    custom = None
    if has_policy:
        policy = frame.pivot_table(index="y_value", columns="x_value", values="policy",
                                   aggfunc="first").reindex(index=ys, columns=xs)
        custom = policy.fillna("").to_numpy(dtype=object)[..., None]
        hover_policy = "<br>Optimal: %{customdata[0]}"
    x_label, y_label = frame["x_label"].iloc[0], frame["y_label"].iloc[0]
    number = result_format(unit)
    fig = go.Figure()
    fig.add_heatmap(
        x=list(xs), y=list(ys), z=grid.to_numpy(dtype=float), colorscale="Viridis",
        colorbar={"title": {"text": unit or "value", "side": "right"},
                  "tickformat": ".0%" if unit == "probability" else None},
        customdata=custom, name=output,
        hovertemplate=(f"{wrap_text(x_label, 40)}: %{{x:.3f}}<br>"
                       f"{wrap_text(y_label, 40)}: %{{y:.3f}}"
                       f"<br><b>{output}: %{{z:{number}}}</b>{hover_policy}<extra></extra>"),
        meta={"role": "result"})
    if has_policy:
        bx, by = _policy_boundaries(xs, ys, policy.fillna("").to_numpy(dtype=object))
        if bx:
            fig.add_scatter(x=bx, y=by, mode="lines", line={"color": "white", "width": 2},
                            hoverinfo="skip", name="Where the optimal policy changes",
                            meta={"role": "policy boundary"})
    x_mean, y_mean = attrs.get("x_mean"), attrs.get("y_mean")
    if x_mean is not None and y_mean is not None:
        fig.add_scatter(x=[x_mean], y=[y_mean], mode="markers", name="Priors' means",
                        marker={"symbol": "x", "size": 12, "color": "white",
                                "line": {"color": "black", "width": 1}},
                        hovertemplate=(f"Priors' means<br>{output}: "
                                       f"{result_text(attrs.get('base', np.nan), unit)}"
                                       "<extra></extra>"),
                        meta={"role": "means"})
    default = chart_title(f"Two-way sensitivity: {output}", attrs.get("scenario"),
                          attrs.get("given"))
    subtitle = "×: the priors' means"
    if has_policy:
        subtitle += ("; white lines: where the optimal policy of "
                     f"{_decision_maker(frame) or 'the decision maker'} changes "
                     "(hover for it)")
    layout(fig, title=title or default, subtitle=subtitle, height=580, showlegend=False,
           changes=frame_changes(frame), margin={"t": 100})
    fig.update_xaxes(title_text=f"{shorten(x_label, 60)} (probability)")
    fig.update_yaxes(title_text=f"{shorten(y_label, 60)} (probability)")
    return fig


def _policy_boundaries(xs: np.ndarray, ys: np.ndarray, policy: np.ndarray
                       ) -> tuple[list, list]:
    """Line segments between neighbouring grid cells whose policies differ.

    ``policy[j, i]`` is the policy at ``(xs[i], ys[j])``; each cell spans half
    a step either side of its point. Segments are separated by ``None``.
    """
    def edges(values: np.ndarray) -> np.ndarray:
        mid = (values[1:] + values[:-1]) / 2
        first = values[0] - (mid[0] - values[0]) if len(mid) else values[0] - 0.5
        last = values[-1] + (values[-1] - mid[-1]) if len(mid) else values[-1] + 0.5
        return np.concatenate([[first], mid, [last]])

    x_edges, y_edges = edges(np.asarray(xs, float)), edges(np.asarray(ys, float))
    bx: list = []
    by: list = []
    rows, cols = policy.shape
    for j in range(rows):
        for i in range(cols):
            if i + 1 < cols and policy[j, i] != policy[j, i + 1]:
                bx += [x_edges[i + 1], x_edges[i + 1], None]
                by += [y_edges[j], y_edges[j + 1], None]
            if j + 1 < rows and policy[j, i] != policy[j + 1, i]:
                bx += [x_edges[i], x_edges[i + 1], None]
                by += [y_edges[j + 1], y_edges[j + 1], None]
    return [float(v) if v is not None else None for v in bx], [
        float(v) if v is not None else None for v in by]


def _decision_maker(frame: pd.DataFrame) -> str | None:
    """Return the decision maker's label (its id if the frame has none), or None."""
    return frame.attrs.get("decision_maker_label") or frame.attrs.get("decision_maker")


def _node_titles(frame: pd.DataFrame, nodes: list) -> list[str]:
    """Each node's information state, in labels when the frame has them."""
    column = "information_label" if "information_label" in frame.columns else "information"
    return [wrap_text(str(frame.loc[frame["node"] == n, column].iloc[0]).replace(" &gt; ", " → "),
                      110) for n in nodes]


def plot_option_values(values: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw each option's expected utility for every stakeholder, side by side.

    One panel per information state of the decision maker's first decision;
    in each, stakeholders along the axis and one bar per option. A star
    marks each stakeholder's best option, and the decision maker's choice
    has a dark outline.

    Parameters
    ----------
    values : DataFrame
        The ``option_values`` of :func:`analysis.rollback`'s result (columns
        ``node``, ``information``, ``option``, ``option_label``,
        ``stakeholder``, ``stakeholder_label``, ``unit``, ``expected_utility``,
        ``best``, ``chosen``; ``attrs`` with ``decision_maker``).
    title : str, optional
        Default: ``"Expected utility of each option (decision: <decision
        maker>) — <scenario> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``values`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(values, ("node", "information", "option", "option_label", "stakeholder",
                         "stakeholder_label", "unit", "expected_utility", "best", "chosen"),
                "values", made_by="analysis.rollback(...).option_values")
    values = plain_frame(values)
    frame = values
    nodes = list(pd.unique(frame["node"]))
    options = list(pd.unique(frame["option"]))
    colours = dict(zip(options, palette(len(options)), strict=True))
    units = list(pd.unique(frame["unit"]))
    fig = make_subplots(rows=max(len(nodes), 1), cols=1, shared_xaxes=False,
                        subplot_titles=_node_titles(frame, nodes),
                        vertical_spacing=min(0.12, 0.5 / max(len(nodes), 1)))
    for row, node in enumerate(nodes, start=1):
        part = frame[frame["node"] == node]
        for option in options:
            bars = part[part["option"] == option]
            fig.add_bar(
                x=list(bars["stakeholder_label"]), y=list(bars["expected_utility"]),
                name=bars["option_label"].iloc[0], legendgroup=option, showlegend=row == 1,
                marker={"color": colours[option],
                        "line": {"color": [POINT_COLOUR if c else "white" for c in
                                           bars["chosen"]],
                                 "width": [2.5 if c else 0.5 for c in bars["chosen"]]}},
                text=[_BEST_MARK if b else "" for b in bars["best"]], textposition="outside",
                cliponaxis=False,
                customdata=list(zip(bars["option_label"], bars["unit"],
                                    ["yes" if b else "no" for b in bars["best"]],
                                    ["yes" if c else "no" for c in bars["chosen"]],
                                    strict=True)),
                hovertemplate=("<b>%{x}</b>: %{customdata[0]}<br>Expected utility: "
                               "%{y:,.3~g} %{customdata[1]}<br>Best for them: "
                               "%{customdata[2]}<br>Chosen by the decision maker: "
                               "%{customdata[3]}<extra></extra>"),
                meta={"role": "option", "option": option, "node": int(node)},
                row=row, col=1)
        fig.update_yaxes(title_text=f"Expected utility{unit_suffix(units[0])}"
                         if len(units) == 1 else "Expected utility", row=row, col=1,
                         rangemode="tozero")
        fig.update_xaxes(title_text="Stakeholder", row=row, col=1)
    dm = _decision_maker(frame)
    what = "Expected utility of each option" + (f", {dm} deciding" if dm else "")
    default = chart_title(what, frame.attrs.get("scenario"), frame.attrs.get("given"))
    subtitle = (f"{_BEST_MARK} each stakeholder's best option; dark outline: the decision "
                "maker's choice; each panel: an information state")
    return layout(fig, title=title or default, subtitle=subtitle, barmode="group",
                  changes=frame_changes(frame),
                  height=int(140 + 300 * max(len(nodes), 1)),
                  legend={"title": {"text": "Option"}}, margin={"t": 110})


def plot_risk_profiles(profiles: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw the outcome distribution of each option of the first decision.

    One panel per information state; in each, one stacked horizontal bar
    per option, split into the outcomes' probabilities in their colours
    (the decision maker's optimal policy after the decision).

    Parameters
    ----------
    profiles : DataFrame
        The ``risk_profiles`` of :func:`analysis.rollback`'s result (columns
        ``node``, ``information``, ``option``, ``option_label``, ``outcome``,
        ``label``, ``colour``, ``probability``).
    title : str, optional
        Default: ``"Risk profile of each option — <scenario> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``profiles`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(profiles, ("node", "information", "option", "option_label", "outcome", "label",
                           "colour", "probability"), "profiles",
                made_by="analysis.rollback(...).risk_profiles")
    profiles = plain_frame(profiles)
    frame = profiles
    nodes = list(pd.unique(frame["node"]))
    outcomes = list(pd.unique(frame["outcome"]))
    fig = make_subplots(rows=max(len(nodes), 1), cols=1,
                        subplot_titles=_node_titles(frame, nodes),
                        vertical_spacing=min(0.16, 0.6 / max(len(nodes), 1)))
    for row, node in enumerate(nodes, start=1):
        part = frame[frame["node"] == node]
        labels = list(pd.unique(part["option_label"]))
        for outcome in outcomes:
            bars = part[part["outcome"] == outcome]
            fig.add_bar(
                x=list(bars["probability"]), y=list(bars["option_label"]), orientation="h",
                name=bars["label"].iloc[0], legendgroup=outcome, showlegend=row == 1,
                marker={"color": bars["colour"].iloc[0], "line": {"color": "white", "width": 1}},
                texttemplate="%{x:.0%}", textposition="inside", insidetextanchor="middle",
                customdata=list(bars["label"]),
                hovertemplate="<b>%{y}</b><br>%{customdata}: %{x:.1%}<extra></extra>",
                meta={"role": "outcome", "outcome": outcome, "node": int(node)},
                row=row, col=1)
        fig.update_xaxes(title_text="Probability", tickformat=".0%", range=[0, 1],
                         row=row, col=1)
        fig.update_yaxes(title_text="Option", categoryorder="array",
                         categoryarray=labels[::-1], row=row, col=1)
    default = chart_title("Risk profile of each option", frame.attrs.get("scenario"),
                          frame.attrs.get("given"))
    return layout(fig, title=title or default, barmode="stack", changes=frame_changes(frame),
                  height=int(140 + (90 + 40 * len(pd.unique(frame["option"]))) * max(
                       len(nodes), 1)),
                  uniformtext={"minsize": 9, "mode": "hide"},
                  legend={"title": {"text": "Outcome"}}, margin={"t": 90})


def plot_global_sensitivity(frame: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw global sensitivity indices as a ranked bar chart.

    Bars are the first-order indices (the share of the output's variance
    that each group of priors explains alone) with bootstrap ±1.96 standard
    error bars; diamonds are the total indices (interactions included).

    Parameters
    ----------
    frame : DataFrame
        :func:`analysis.global_sensitivity` output.
    title : str, optional
        Default: ``"What drives the uncertainty in <output> — <scenario>"``.

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
    check_frame(frame, ("group", "label", "first_order", "first_order_se", "total_order",
                        "total_order_se"), "frame")
    frame = plain_frame(frame)
    rows = frame.sort_values("first_order", ascending=True, kind="stable")
    output = frame.attrs.get("output_label") or frame.attrs.get("output") or "the output"
    fig = go.Figure()
    fig.add_bar(x=list(rows["first_order"]), y=list(rows["label"]), orientation="h",
                name="First-order index (alone)", marker={"color": _LOW_COLOUR},
                error_x={"type": "data", "array": list(1.96 * rows["first_order_se"]),
                         "color": POINT_COLOUR},
                customdata=list(zip(rows["parameters"] if "parameters" in rows else
                                    rows["group"], rows["first_order_se"], strict=True)),
                hovertemplate=("<b>%{y}</b><br>Alone: %{x:.1%} of the variance "
                               "(± %{customdata[1]:.1%} s.e.)<br>%{customdata[0]}"
                               "<extra></extra>"),
                meta={"role": "first_order"})
    fig.add_scatter(x=list(rows["total_order"]), y=list(rows["label"]), mode="markers",
                    name="Total index (with interactions)",
                    marker={"symbol": "diamond", "size": 11, "color": _HIGH_COLOUR},
                    customdata=list(rows["total_order_se"]),
                    hovertemplate=("<b>%{y}</b><br>With interactions: %{x:.1%} "
                                   "(± %{customdata:.1%} s.e.)<extra></extra>"),
                    meta={"role": "total_order"})
    n = frame.attrs.get("n_draws")
    subtitle = (f"Share of the variance of {output} over {n:,} draws of the priors"
                if n else None)
    default = chart_title(f"What drives the uncertainty in {output}",
                          frame.attrs.get("scenario"), None)
    layout(fig, title=title or default, subtitle=subtitle, changes=frame_changes(frame),
           height=int(200 + 45 * max(len(rows), 1)), legend=_TOP_LEGEND,
           margin={"t": 130})
    top = float(max(rows["total_order"].max(), rows["first_order"].max(), 0.05)) if len(
        rows) else 1.0
    fig.update_xaxes(title_text="Share of the output's variance (Sobol' index)",
                     tickformat=".0%", range=[0, min(1.0, top * 1.15)])
    fig.update_yaxes(title_text="Group of priors", automargin=True)
    return fig


def plot_evppi(frame: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw the expected value of partial perfect information of each group.

    Bars with ±1.96 standard error bars (Monte Carlo); a dashed line marks
    the EVPI, the value of learning everything.

    Parameters
    ----------
    frame : DataFrame
        :func:`analysis.evppi` output.
    title : str, optional
        Default: ``"Value of information for <decision maker> — <scenario>"``.

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
    check_frame(frame, ("group", "label", "members", "evppi", "standard_error"), "frame")
    frame = plain_frame(frame)
    rows = frame.iloc[::-1]
    attrs = frame.attrs
    unit = attrs.get("unit", "")
    fig = go.Figure()
    fig.add_bar(x=list(rows["evppi"]), y=list(rows["label"]), orientation="h",
                name="EVPPI", marker={"color": _LOW_COLOUR}, texttemplate="%{x:,.3~g}",
                textposition="outside", cliponaxis=False,
                error_x={"type": "data", "array": list(1.96 * rows["standard_error"].fillna(0)),
                         "color": POINT_COLOUR},
                customdata=list(zip(rows["members"], rows["standard_error"], strict=True)),
                hovertemplate=(f"<b>%{{y}}</b><br>EVPPI: %{{x:,.3~g}} {unit} "
                               "(± %{customdata[1]:,.2~g} s.e.)<br>%{customdata[0]}"
                               "<extra></extra>"),
                meta={"role": "evppi"})
    total = attrs.get("evpi")
    if total is not None and np.isfinite(total):
        fig.add_vline(x=total, line_dash="dash", line_color=_HIGH_COLOUR,
                      annotation_text=f"EVPI {total:,.3g} {unit}",
                      annotation_position="top right")
    about = attrs.get("about", "parameters")
    n = attrs.get("n_draws")
    subtitle = ("Perfect information about the priors" + (f", {n:,} draws" if n else "")
                if about == "parameters" else
                "Perfect information about what happens at each chance phase (exact)")
    dm = _decision_maker(frame) or "the decision maker"
    default = chart_title(f"Value of information for {dm}", attrs.get("scenario"), None)
    layout(fig, title=title or default, subtitle=subtitle, showlegend=False,
           changes=frame_changes(frame),
           height=int(170 + 45 * max(len(rows), 1)), margin={"t": 100})
    fig.update_xaxes(title_text="Expected value of partial perfect information"
                     + unit_suffix(unit), rangemode="tozero")
    fig.update_yaxes(title_text="Group", automargin=True)
    return fig


def plot_rule_comparison(table: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw each decision rule's policy: what it gives up in expectation, and what it picks.

    One bar per rule: the expected utility of the policy the rule chooses
    (the expected-value rule's is the longest), labelled with the options it
    picks at the first decision; the hover adds the rule's own value and its
    loss against expected value.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.compare_rules` output.
    title : str, optional
        Default: ``"Decision rules for <decision maker> — <scenario>"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(table, ("rule", "option_label", "rule_value", "expected_utility", "loss"),
                "table")
    table = plain_frame(table)
    rules = table.groupby("rule", sort=False).agg(
        expected=("expected_utility", "first"), value=("rule_value", "first"),
        loss=("loss", "first"),
        picks=("option_label", lambda s: ", ".join(dict.fromkeys(s)))).iloc[::-1]
    attrs = table.attrs
    unit = attrs.get("unit", "")
    options = list(dict.fromkeys(table["option_label"]))
    colours = dict(zip(options, palette(len(options)), strict=True))
    fig = go.Figure(go.Bar(
        x=list(rules["expected"]), y=list(rules.index), orientation="h",
        text=[shorten(p, 40) for p in rules["picks"]], textposition="auto",
        marker={"color": [colours[p.split(", ")[0]] for p in rules["picks"]]},
        customdata=list(zip(rules["picks"], rules["value"], rules["loss"], strict=True)),
        hovertemplate=("<b>%{y}</b><br>Picks: %{customdata[0]}<br>Expected utility: "
                       f"%{{x:,.4~g}} {unit}<br>The rule's own value: "
                       f"%{{customdata[1]:,.4~g}} {unit}<br>Given up against expected value: "
                       f"%{{customdata[2]:,.4~g}} {unit}<extra></extra>")))
    who = attrs.get("decision_maker") or "the decision maker"
    default = chart_title(f"Decision rules for {who}", attrs.get("scenario"), None)
    layout(fig, title=title or default, showlegend=False, changes=frame_changes(table),
           subtitle="Each rule's policy, valued by expected utility; the labels name its choice",
           height=int(170 + 45 * max(len(rules), 1)), margin={"t": 100})
    fig.update_xaxes(title_text="Expected utility of the rule's policy" + unit_suffix(unit))
    fig.update_yaxes(title_text="Decision rule", automargin=True)
    return fig
