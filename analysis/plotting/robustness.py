"""Charts of robustness and scenario discovery: regret, shares, PRIM's trajectory and box.

Each chart takes the frame a table function returns:
:func:`analysis.robustness_table` (regret and shares per information state
and option) or :func:`analysis.discover_scenarios` (its ``trajectory`` and
``limits``). Options keep the colours of :mod:`analysis.plotting.decisions`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import (
    POINT_COLOUR,
    chart_title,
    check_frame,
    frame_changes,
    layout,
    note_figure,
    palette,
    plain_frame,
    shorten,
    unit_suffix,
    wrap_text,
)

__all__ = ["plot_box_limits", "plot_peeling_trajectory", "plot_regret", "plot_robustness"]

_TABLE = "analysis.robustness_table(sweep)"
_BOX_COLOUR = "#d95f02"
_RANGE_COLOUR = "#e6e6e6"
_TOP_LEGEND = {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}


def _states(table: pd.DataFrame) -> list:
    return list(pd.unique(table["node"]))


def _state_titles(table: pd.DataFrame, nodes: list) -> list[str]:
    return [wrap_text(str(table.loc[table["node"] == n, "information_label"].iloc[0]), 110)
            for n in nodes]


def _colours(table: pd.DataFrame) -> dict:
    options = list(pd.unique(table["option"]))
    return dict(zip(options, palette(len(options)), strict=True))


def _outcome_words(attrs: dict) -> tuple[str, str]:
    """``("renewed war", "renewed war above 60%")`` from a discovery's attrs."""
    label = str(attrs.get("outcome_label") or attrs.get("outcome") or "the outcome")
    label = label[:1].lower() + label[1:] if label[1:2].islower() else label
    threshold = attrs.get("threshold")
    above = f"{label} above {threshold:.0%}" if isinstance(threshold, float) else label
    return label, above


def _sweep_line(table: pd.DataFrame) -> str:
    a = table.attrs
    n, method = a.get("n_variants"), a.get("method")
    parts = [f"{n:,} design variants" if n is not None else None,
             "each evaluated exactly" if method == "exact" else
             (f"each by {a.get('n_draws'):,} Monte Carlo draws" if method else None)]
    return ", ".join(p for p in parts if p)


def plot_regret(table: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw each option's regret over the sweep's variants, one panel per information state.

    A box per option: the middle half of its regrets (25th to 75th
    percentile) with the median, whiskers from the smallest to the largest
    regret; a diamond marks the table's percentile regret.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.robustness_table` output.
    title : str, optional
        Default: ``"Regret of each option across the variants — <scenario>"``.

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
    check_frame(table, ("node", "information_label", "option", "option_label", "min_regret",
                        "regret_p25", "regret_median", "regret_p75", "percentile_regret",
                        "max_regret"), "table", made_by=_TABLE)
    table = plain_frame(table)
    default = chart_title("Regret of each option across the variants",
                          table.attrs.get("scenario"), None)
    if table.empty:
        return note_figure("No variants to show.", title=title or default)
    nodes, colours = _states(table), _colours(table)
    unit = table.attrs.get("unit")
    level = table.attrs.get("percentile", 0.9)
    fig = make_subplots(rows=len(nodes), cols=1, subplot_titles=_state_titles(table, nodes),
                        vertical_spacing=min(0.12, 0.5 / len(nodes)))
    for row, node in enumerate(nodes, start=1):
        part = table[table["node"] == node]
        labels = [shorten(str(v), 40) for v in part["option_label"]]
        for (_, item), label in zip(part.iterrows(), labels, strict=True):
            fig.add_trace(go.Box(
                y=[label], q1=[item["regret_p25"]], median=[item["regret_median"]],
                q3=[item["regret_p75"]], lowerfence=[item["min_regret"]],
                upperfence=[item["max_regret"]], orientation="h", name=item["option_label"],
                legendgroup=item["option"], showlegend=row == 1,
                marker={"color": colours[item["option"]]},
                line={"color": colours[item["option"]]},
                hoverinfo="x", meta={"role": "regret", "option": item["option"],
                                     "node": int(node)}), row=row, col=1)
        fig.add_scatter(x=list(part["percentile_regret"]), y=labels, mode="markers",
                        name=f"{level:.0%} of the variants regret less", legendgroup="pct",
                        showlegend=row == 1,
                        marker={"symbol": "diamond", "size": 10, "color": POINT_COLOUR},
                        customdata=list(part["option_label"]),
                        hovertemplate=(f"<b>%{{customdata}}</b><br>{level:.0%} regret: "
                                       "%{x:,.3~g}<extra></extra>"),
                        meta={"role": "percentile_regret", "node": int(node)}, row=row, col=1)
        fig.update_xaxes(title_text=f"Regret{unit_suffix(unit)}", rangemode="tozero",
                         row=row, col=1)
        fig.update_yaxes(autorange="reversed", automargin=True, row=row, col=1)
    subtitle = ("Regret: what an option gives up against the best option in the same "
                "variant; " + _sweep_line(table))
    return layout(fig, title=title or default, subtitle=subtitle, changes=frame_changes(table),
                  height=int(160 + (90 + 45 * len(colours)) * len(nodes)), legend=_TOP_LEGEND,
                  margin={"t": 130})


def plot_robustness(table: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw, per information state, the share of variants where each option is best or satisfices.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.robustness_table` output; the satisficing bars are
        left out when it was made without a threshold.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_frame(table, ("node", "information_label", "option", "option_label", "share_best",
                        "share_satisficing"), "table", made_by=_TABLE)
    table = plain_frame(table)
    default = chart_title("How often each option is best, and good enough",
                          table.attrs.get("scenario"), None)
    if table.empty:
        return note_figure("No variants to show.", title=title or default)
    nodes = _states(table)
    threshold = table.attrs.get("satisficing")
    measures = [("share_best", "Best option", 1.0)]
    if threshold is not None and table["share_satisficing"].notna().any():
        unit = table.attrs.get("unit") or ""
        measures.append(("share_satisficing", f"At least {threshold:,.3g} {unit}".rstrip(),
                         0.45))
    colours = _colours(table)
    fig = make_subplots(rows=len(nodes), cols=1, subplot_titles=_state_titles(table, nodes),
                        vertical_spacing=min(0.12, 0.5 / len(nodes)))
    for row, node in enumerate(nodes, start=1):
        part = table[table["node"] == node]
        labels = [shorten(str(v), 40) for v in part["option_label"]]
        for column, name, opacity in measures:
            fig.add_bar(x=list(part[column]), y=labels, orientation="h", name=name,
                        legendgroup=column, showlegend=row == 1, opacity=opacity,
                        marker={"color": [colours[o] for o in part["option"]]},
                        text=[f"{v:.0%}" for v in part[column]], textposition="outside",
                        cliponaxis=False,
                        hovertemplate=f"<b>%{{y}}</b><br>{name}: %{{x:.1%}} of the variants"
                                      "<extra></extra>",
                        meta={"role": column, "node": int(node)}, row=row, col=1)
        fig.update_xaxes(title_text="Share of the variants", tickformat=".0%",
                         range=[0, 1.12], row=row, col=1)
        fig.update_yaxes(autorange="reversed", automargin=True, row=row, col=1)
    subtitle = ("Solid: the option is best (ties count for each); pale: it reaches the "
                "satisficing threshold; " + _sweep_line(table)) if len(measures) > 1 else (
        "The option is best (ties count for each); " + _sweep_line(table))
    return layout(fig, title=title or default, subtitle=subtitle, barmode="group",
                  changes=frame_changes(table), legend=_TOP_LEGEND, margin={"t": 130},
                  height=int(160 + (90 + 50 * len(colours) * len(measures) / 2) * len(nodes)))


def plot_peeling_trajectory(trajectory: pd.DataFrame, *, title: str | None = None
                            ) -> go.Figure:
    """Draw PRIM's peeling trajectory: each box's coverage against its density.

    Parameters
    ----------
    trajectory : DataFrame
        ``analysis.discover_scenarios(...).trajectory``.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_frame(trajectory, ("step", "coverage", "density", "mass", "restricted_dimensions",
                             "chosen"), "trajectory",
                made_by="analysis.discover_scenarios(...).trajectory")
    trajectory = plain_frame(trajectory)
    a = trajectory.attrs
    label, above = _outcome_words(a)
    default = chart_title(f"Where {label} is likely: PRIM's peeling trajectory",
                          a.get("scenario"), None)
    fig = go.Figure()
    peeled = (trajectory[~trajectory["pruned"].astype(bool)] if "pruned" in trajectory
              else trajectory)
    fig.add_scatter(x=list(peeled["coverage"]), y=list(peeled["density"]),
                    mode="lines+markers", name="Boxes, peeled in turn",
                    line={"color": "#bbbbbb"},
                    marker={"color": list(peeled["restricted_dimensions"]), "size": 8,
                            "colorscale": "Viridis", "showscale": True,
                            "colorbar": {"title": {"text": "Parameters<br>restricted"}}},
                    customdata=list(zip(peeled["step"], peeled["mass"],
                                        peeled["restricted_dimensions"], strict=True)),
                    hovertemplate=("Box %{customdata[0]}<br>Coverage %{x:.1%}, density "
                                   "%{y:.1%}<br>Mass %{customdata[1]:.1%}; "
                                   "%{customdata[2]} parameters restricted<extra></extra>"),
                    meta={"role": "trajectory"})
    chosen = trajectory[trajectory["chosen"]]
    pruned = bool(chosen["pruned"].any()) if "pruned" in chosen else False
    fig.add_scatter(x=list(chosen["coverage"]), y=list(chosen["density"]), mode="markers",
                    name="Chosen box" + (" (weak restrictions dropped)" if pruned else ""),
                    marker={"size": 18, "symbol": "circle-open", "color": POINT_COLOUR,
                            "line": {"width": 2.5}},
                    hoverinfo="skip", meta={"role": "chosen"})
    policy = "optimal" if a.get("policy") == "optimal" else f"'{a.get('policy')}'"
    subtitle = (f"Cases of interest: {above} under the {policy} policy, "
                f"{a.get('n_of_interest', 0):,} of "
                f"{a.get('n_variants', 0):,} variants. Coverage: share of them inside a box; "
                "density: share of a box's variants that are of interest")
    layout(fig, title=title or default, subtitle=wrap_text(subtitle, 130),
           changes=frame_changes(trajectory), height=520, legend=_TOP_LEGEND,
           margin={"t": 140})
    fig.update_xaxes(title_text="Coverage", tickformat=".0%", range=[0, 1.03])
    fig.update_yaxes(title_text="Density", tickformat=".0%", range=[0, 1.03])
    return fig


def plot_box_limits(limits: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw the chosen box: each restricted parameter's limits within its plausible range.

    Parameters
    ----------
    limits : DataFrame
        ``analysis.discover_scenarios(...).limits``.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_frame(limits, ("parameter", "label", "low", "high", "range_low", "range_high",
                         "restricted", "chosen"), "limits",
                made_by="analysis.discover_scenarios(...).limits")
    limits = plain_frame(limits)
    a = limits.attrs
    label, above = _outcome_words(a)
    default = chart_title(f"Where {label} is likely: the discovered box", a.get("scenario"),
                          None)
    rows = limits[limits["chosen"] & limits["restricted"]]
    if rows.empty:
        return note_figure("The chosen box restricts no parameter.", title=title or default,
                           changes=frame_changes(limits))
    labels = [shorten(str(v), 60) for v in rows["label"]]
    fig = go.Figure()
    fig.add_bar(x=list(rows["range_high"] - rows["range_low"]), base=list(rows["range_low"]),
                y=labels, orientation="h", name="Plausible range swept",
                marker={"color": _RANGE_COLOUR}, hoverinfo="skip", meta={"role": "range"})
    fig.add_bar(x=list(rows["high"] - rows["low"]), base=list(rows["low"]), y=labels,
                orientation="h", name="The box", marker={"color": _BOX_COLOUR}, width=0.45,
                text=[f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(rows["low"], rows["high"],
                                                           strict=True)],
                textposition="outside", cliponaxis=False,
                customdata=list(zip(rows["parameter"], rows["range_low"], rows["range_high"],
                                    strict=True)),
                hovertemplate=("<b>%{y}</b> (%{customdata[0]})<br>Box: %{base:.3f} to "
                               "%{x:.3f} wide<br>Range swept: %{customdata[1]:.3f} to "
                               "%{customdata[2]:.3f}<extra></extra>"),
                meta={"role": "box"})
    step = limits.loc[limits["chosen"], "step"]
    subtitle = f"Box {int(step.iloc[0]) if len(step) else '?'} of PRIM's trajectory"
    if "box_density" in a:
        subtitle += (f": {a['box_density']:.0%} of the variants inside it have {above} "
                     f"(against {a['n_of_interest'] / a['n_variants']:.0%} of all), and it "
                     f"holds {a['box_coverage']:.0%} of those variants")
    subtitle += "; the other parameters are unrestricted"
    layout(fig, title=title or default, subtitle=wrap_text(subtitle, 130), barmode="overlay",
           changes=frame_changes(limits), height=int(220 + 55 * len(rows)), legend=_TOP_LEGEND,
           margin={"t": 130})
    fig.update_xaxes(title_text="Parameter value")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig
