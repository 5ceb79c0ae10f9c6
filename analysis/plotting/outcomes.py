"""The exact results of a scenario: outcomes, branches by phase, and attributes."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from ..analyses.outcomes import NOT_REACHED_LABEL, SKIPPED_LABEL
from .style import (
    ATTRIBUTE_GAP_PX,
    ATTRIBUTE_MARGIN,
    POINT_COLOUR,
    check_frame,
    frame_changes,
    frame_title,
    layout,
    note_figure,
    plain_frame,
    series_title,
)

__all__ = [
    "plot_attribute_distribution",
    "plot_expected_attributes",
    "plot_outcome_distribution",
    "plot_phase_marginals",
]

# Fill patterns telling apart the scenarios of a stacked outcome distribution.
_PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")
# The rows of phase_marginals for paths on which a phase does not happen.
_GREY_ROWS = {SKIPPED_LABEL: "#d9d9d9", NOT_REACHED_LABEL: "#b3b3b3"}
# plot_expected_attributes: pixels per panel.
_ATTR_PANEL_PX = 150


def plot_outcome_distribution(distribution: pd.DataFrame, *, title: str | None = None
                              ) -> go.Figure:
    """Draw an outcome distribution as bars in the outcomes' colours.

    Parameters
    ----------
    distribution : DataFrame
        :func:`analysis.outcome_distribution` output (columns ``outcome``,
        ``label``, ``colour``, ``probability``). With an extra ``scenario``
        column (several distributions stacked), bars are grouped by outcome,
        one bar per scenario, told apart by their fill pattern.
    title : str, optional
        Default: ``"Outcome distribution — <scenario> | <given>"``, from
        ``distribution.attrs`` or the ``scenario`` column.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``distribution`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(distribution, ("outcome", "label", "colour", "probability"), "distribution")
    distribution = plain_frame(distribution)
    order = list(pd.unique(distribution["outcome"]))
    first = distribution.drop_duplicates("outcome").set_index("outcome")
    labels, colours = first["label"], first["colour"]
    fig = go.Figure()
    common = {"textposition": "outside", "cliponaxis": False, "texttemplate": "%{y:.1%}"}
    if "scenario" not in distribution.columns:
        fig.add_bar(x=list(distribution["outcome"]), y=list(distribution["probability"]),
                    marker={"color": list(distribution["colour"])},
                    customdata=list(distribution["label"]), name="Probability",
                    hovertemplate="%{customdata}: %{y:.1%}<extra></extra>",
                    showlegend=False, **common)
    else:
        for i, (name, part) in enumerate(distribution.groupby("scenario", sort=False)):
            pattern = {"shape": _PATTERNS[i % len(_PATTERNS)], "fillmode": "overlay",
                       "solidity": 0.3}
            part = part.set_index("outcome").reindex(order)
            present = part["probability"].notna()
            x = [o for o, ok in zip(order, present, strict=True) if ok]
            fig.add_bar(
                x=x, y=list(part.loc[x, "probability"]), name=str(name),
                marker={"color": [colours[o] for o in x], "pattern": pattern,
                        "line": {"color": "white", "width": 1}},
                customdata=[[labels[o], str(name)] for o in x],
                hovertemplate="%{customdata[0]} (%{customdata[1]}): %{y:.1%}<extra></extra>",
                offsetgroup=str(name), legendgroup=str(name), showlegend=False,
                meta={"role": "bars", "scenario": str(name)}, **common)
            # The legend shows each scenario's pattern on grey, not an outcome's colour.
            fig.add_bar(x=[None], y=[None], name=str(name), offsetgroup=str(name),
                        legendgroup=str(name), hoverinfo="skip",
                        marker={"color": "#bdbdbd", "pattern": pattern},
                        meta={"role": "legend", "scenario": str(name)})
    top = float(distribution["probability"].max()) if len(distribution) else 1.0
    layout(fig, title=frame_title("Outcome distribution", distribution, title), height=460,
           changes=frame_changes(distribution),
           barmode="group", bargap=0.25, bargroupgap=0.06,
           legend={"title": {"text": series_title(distribution)}}, margin={"t": 70})
    fig.update_yaxes(title_text="Probability", tickformat=".0%" if top >= 0.05 else ".1%",
                     range=[0, max(top, 1e-9) * 1.18], rangemode="tozero")
    fig.update_xaxes(title_text="Outcome", tickvals=order,
                     ticktext=[labels[o] for o in order], type="category",
                     categoryorder="array", categoryarray=order)
    return fig


def plot_phase_marginals(marginals: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw, per phase, how likely each branch is, as one stacked horizontal bar.

    Branches are shades of blue, darkest for the phase's first branch; the
    paths that skip a phase or end before it are the grey ``(skipped)`` and
    ``(not reached)`` parts, so every bar sums to 1.

    Parameters
    ----------
    marginals : DataFrame
        :func:`analysis.phase_marginals` output (columns ``phase``,
        ``branch``, ``label``, ``probability``, ``conditional``).
    title : str, optional
        Default: ``"Branch probabilities by phase — <scenario> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``marginals`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(marginals, ("phase", "phase_label", "branch", "label", "probability",
                            "conditional"), "marginals")
    marginals = plain_frame(marginals)
    phases = list(pd.unique(marginals["phase"]))
    grey = marginals["branch"].isin(list(_GREY_ROWS))
    branches = marginals[~grey].copy()
    branches["position"] = branches.groupby("phase", sort=False).cumcount()
    count = branches.groupby("phase", sort=False)["branch"].transform("size")
    shade = 0.9 - 0.55 * branches["position"] / (count - 1).clip(lower=1)
    branches["colour"] = sample_colorscale("Blues", list(shade))

    def if_reached(value: float) -> str:
        return "" if pd.isna(value) else f"<br>If the phase is reached and applies: {value:.1%}"

    fig = go.Figure()
    hover = ("<b>%{y}: %{customdata[0]}</b><br>Probability: %{x:.1%}%{customdata[1]}"
             "<extra></extra>")
    common = {"orientation": "h", "texttemplate": "%{customdata[0]} %{x:.0%}",
              "textposition": "inside", "insidetextanchor": "middle", "hovertemplate": hover}
    for position, part in branches.groupby("position", sort=True):
        fig.add_bar(x=list(part["probability"]), y=list(part["phase_label"]),
                    marker={"color": list(part["colour"]), "line": {"color": "white",
                                                                    "width": 1}},
                    customdata=[[label, if_reached(c)] for label, c in
                                zip(part["label"], part["conditional"], strict=True)],
                    name=f"Branch {position + 1}", showlegend=False,
                    meta={"role": "branches", "position": int(position)}, **common)
    for row_label, colour in _GREY_ROWS.items():
        part = marginals[marginals["branch"] == row_label]
        if part.empty:
            continue
        fig.add_bar(x=list(part["probability"]), y=list(part["phase_label"]),
                    marker={"color": colour, "line": {"color": "white", "width": 1}},
                    customdata=[[row_label, ""] for _ in range(len(part))], name=row_label,
                    showlegend=True, meta={"role": "grey", "branch": row_label}, **common)
    layout(fig, title=frame_title("Branch probabilities by phase", marginals, title),
           changes=frame_changes(marginals),
           height=int(150 + 70 * len(phases)), barmode="stack", bargap=0.3,
           uniformtext={"minsize": 9, "mode": "hide"},
           legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02,
                   "yanchor": "bottom", "traceorder": "normal"}, margin={"t": 80})
    fig.update_xaxes(title_text="Probability", tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title_text="Phase", categoryorder="array",
                     categoryarray=list(pd.unique(marginals["phase_label"])), autorange="reversed")
    return fig


def plot_expected_attributes(attributes: pd.DataFrame, *, title: str | None = None
                             ) -> go.Figure:
    """Draw each attribute's expected value with a ±1 sd bar, one panel per attribute.

    Attributes have different units, so each gets its own panel and x axis,
    titled with its unit; every axis includes 0.

    Parameters
    ----------
    attributes : DataFrame
        :func:`analysis.expected_attributes` output (columns ``attribute``,
        ``label``, ``unit``, ``expected``, ``sd``).
    title : str, optional
        Default: ``"Expected attributes (±1 sd) — <scenario> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``attributes`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    check_frame(attributes, ("attribute", "label", "unit", "expected", "sd"), "attributes")
    attributes = plain_frame(attributes)
    text = frame_title("Expected attributes (±1 sd)", attributes, title)
    n = len(attributes)
    if n == 0:
        return note_figure("The scenario declares no attributes", title=text,
                           changes=frame_changes(attributes))
    height = ATTRIBUTE_MARGIN["t"] + ATTRIBUTE_MARGIN["b"] + _ATTR_PANEL_PX * n
    plot_px = height - ATTRIBUTE_MARGIN["t"] - ATTRIBUTE_MARGIN["b"]
    fig = make_subplots(rows=n, cols=1, subplot_titles=list(attributes["label"]),
                        vertical_spacing=min(ATTRIBUTE_GAP_PX / plot_px, 1 / max(n - 1, 1) - 1e-3))
    for i, row in enumerate(attributes.itertuples(index=False), start=1):
        expected, sd = float(row.expected), float(row.sd)
        fig.add_scatter(
            x=[expected], y=[row.label], mode="markers+text", name=row.label,
            error_x={"type": "data", "array": [sd], "color": POINT_COLOUR, "thickness": 1.5,
                     "width": 8},
            marker={"size": 11, "color": POINT_COLOUR},
            text=[f"{expected:,.3g} ± {sd:,.2g}"], textposition="top center",
            customdata=[[row.label, row.unit, sd]], showlegend=False, cliponaxis=False,
            hovertemplate=("<b>%{customdata[0]}</b><br>Expected: %{x:,.3~g} %{customdata[1]}"
                           "<br>Standard deviation: %{customdata[2]:,.3~g} %{customdata[1]}"
                           "<extra></extra>"),
            meta={"role": "attribute", "attribute": row.attribute},
            row=i, col=1,
        )
        low, high = min(0.0, expected - sd), max(0.0, expected + sd)
        pad = 0.08 * (high - low) or 1.0
        fig.update_xaxes(title_text=row.unit, range=[low - pad, high + pad], zeroline=True,
                         zerolinecolor="#bbbbbb", row=i, col=1)
        fig.update_yaxes(showticklabels=False, row=i, col=1)
    return layout(fig, title=text, height=height, margin=ATTRIBUTE_MARGIN,
                  changes=frame_changes(attributes))


def plot_attribute_distribution(distribution: pd.DataFrame, *,
                                title: str | None = None) -> go.Figure:
    """Draw each attribute's distribution over the paths, one panel per attribute.

    Bars give the probability of each value; a dashed line marks the expected
    value. Reads :func:`analysis.attribute_distribution` output (columns
    ``attribute``, ``label``, ``unit``, ``value``, ``probability``).
    """
    check_frame(distribution, ("attribute", "label", "unit", "value", "probability"),
                "distribution")
    distribution = plain_frame(distribution)
    text = frame_title("Attributes across paths", distribution, title)
    names = list(pd.unique(distribution["attribute"]))
    if not names:
        return note_figure("The scenario declares no attributes", title=text,
                           changes=frame_changes(distribution))
    fig = make_subplots(rows=len(names), cols=1, vertical_spacing=0.42 / len(names),
                        subplot_titles=[distribution.loc[distribution.attribute == n, "label"]
                                        .iloc[0] for n in names])
    for row, name in enumerate(names, start=1):
        part = distribution[distribution.attribute == name]
        unit = part["unit"].iloc[0]
        expected = float((part["value"] * part["probability"]).sum())
        spread = float(part["value"].max() - part["value"].min()) or 1.0
        fig.add_bar(x=list(part["value"]), y=list(part["probability"]), row=row, col=1,
                    width=spread / 25,
                    marker_color=POINT_COLOUR, showlegend=False,
                    text=[f"{p:.0%}" for p in part["probability"]], textposition="outside",
                    customdata=[[part["label"].iloc[0], unit]] * len(part),
                    hovertemplate=("<b>%{customdata[0]}</b><br>%{x:,.3~g} %{customdata[1]}: "
                                   "%{y:.1%} of the probability<extra></extra>"),
                    meta={"role": "attribute", "attribute": name})
        fig.add_vline(x=expected, line_dash="dash", line_color="#444444", row=row, col=1,
                      annotation_text=f"expected {expected:,.3g}",
                      annotation_position="top right")
        fig.update_xaxes(title_text=unit, row=row, col=1)
        fig.update_yaxes(title_text="Probability", tickformat=".0%", range=[0, 1.15],
                         row=row, col=1)
    return layout(fig, title=text, height=120 + 300 * len(names),
                  changes=frame_changes(distribution))
