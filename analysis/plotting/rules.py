"""A chart of the decision maker's choice under several decision rules.

Kept in a module of its own while the plotting subpackage is split by
family; ``from analysis.plotting.rules import plot_rule_comparison``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

__all__ = ["plot_rule_comparison"]


def plot_rule_comparison(table: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw each rule's policy: its expected utility, the rule and the option it picks.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.compare_rules` output.
    title : str, optional
        Default: ``"Decision rules: <decision maker> — <scenario>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar per rule (its policy's expected utility), labelled
        with the options it picks at the first decision.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame.
    ValueError
        If a column is missing.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table: got {type(table).__name__}, expected the DataFrame of "
                        "analysis.compare_rules")
    missing = [c for c in ("rule", "option_label", "information_label", "expected_utility")
               if c not in table.columns]
    if missing:
        raise ValueError(f"table: missing column(s) {', '.join(missing)}; expected the output "
                         "of analysis.compare_rules")
    grouped = table.groupby("rule", sort=False).agg(
        expected=("expected_utility", "first"),
        picks=("option_label", lambda s: ", ".join(dict.fromkeys(s))))
    grouped = grouped.iloc[::-1]
    unit = table.attrs.get("unit", "")
    figure = go.Figure(go.Bar(
        x=grouped["expected"], y=list(grouped.index), orientation="h",
        text=grouped["picks"], textposition="auto", marker_color="#7f7f7f",
        hovertemplate="%{y}<br>picks: %{text}<br>expected utility: %{x:,.4g} " + unit
        + "<extra></extra>"))
    who = table.attrs.get("decision_maker", "")
    scenario = table.attrs.get("scenario", "")
    figure.update_layout(
        title=title or f"Decision rules: {who} — {scenario}",
        xaxis_title=f"Expected utility of the rule's policy ({unit})".replace(" ()", ""),
        yaxis_title=None, template="plotly_white", margin={"l": 220})
    return figure
