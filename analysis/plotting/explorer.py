"""An explorer of what-if questions that works in a saved HTML file, with no kernel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .style import check_frame, frame_changes, frame_title, layout

__all__ = ["plot_what_if"]


def plot_what_if(sweep: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw an explorer of how the outcome distribution moves as one prior moves.

    Works in a saved HTML file with no kernel: every state is precomputed. A
    dropdown chooses the prior; its slider sets that branch's probability
    (the others stay at their means, siblings rescaled as in
    :func:`analysis.one_way_sensitivity`); the bars show the outcome
    probabilities and the markers their values at the priors' means.

    Parameters
    ----------
    sweep : DataFrame
        :func:`analysis.one_way_sensitivity` output over outcomes, best with
        ``include_mean=True`` so that each slider starts at the prior mean.
    title : str, optional
        Default: ``"What if? Outcome probabilities as one prior moves — <scenario>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        A bar trace (``meta["role"] == "what-if"``), the values at the
        priors' means (``"base"``), a slider per prior and a dropdown of priors.

    Raises
    ------
    TypeError
        If ``sweep`` is not a DataFrame.
    ValueError
        If a column is missing, or ``sweep`` has no rows.
    """
    check_frame(sweep, ("parameter", "label", "mean", "value", "output", "output_label",
                        "colour", "result", "base"), "sweep")
    text = frame_title("What if? Outcome probabilities as one prior moves", sweep, title)
    parameters = list(pd.unique(sweep["parameter"]))
    if not parameters:
        raise ValueError("sweep has no rows: nothing to explore")
    first = sweep[sweep.parameter == parameters[0]]
    outputs = list(pd.unique(first["output"]))
    labels = [first.loc[first.output == o, "output_label"].iloc[0] for o in outputs]
    colours = [first.loc[first.output == o, "colour"].iloc[0] for o in outputs]
    base = [float(first.loc[first.output == o, "base"].iloc[0]) for o in outputs]
    hover = "<b>%{x}</b>: %{y:.1%}<extra></extra>"
    fig = go.Figure()
    fig.add_bar(x=labels, y=base, marker_color=colours, texttemplate="%{y:.1%}",
                textposition="outside", hovertemplate=hover, name="With the chosen value",
                meta={"role": "what-if"})
    fig.add_scatter(x=labels, y=base, mode="markers", name="At the priors' means",
                    marker={"symbol": "line-ew-open", "size": 36, "color": "#222222",
                            "line": {"width": 2}},
                    hovertemplate="<b>%{x}</b> at the priors' means: %{y:.1%}<extra></extra>",
                    meta={"role": "base"})

    sliders = []
    for parameter in parameters:
        rows = sweep[sweep.parameter == parameter]
        label = rows["label"].iloc[0]
        steps = []
        for value, at in rows.groupby("value", sort=True):
            y = [float(at.loc[at.output == o, "result"].iloc[0]) for o in outputs]
            steps.append({"method": "restyle", "label": f"{value:.2f}",
                          "args": [{"y": [y]}, [0]]})
        values = np.array(sorted(pd.unique(rows["value"])))
        active = int(np.argmin(np.abs(values - rows["mean"].iloc[0])))
        sliders.append({"active": active, "steps": steps,
                        "currentvalue": {"prefix": f"{label}: probability "},
                        "pad": {"t": 50}, "name": parameter})
    menu = [{"label": sweep.loc[sweep.parameter == p, "label"].iloc[0], "method": "update",
             "args": [{"y": [_slider_y(sweep, p, outputs, sliders[i]["active"]), base]},
                      {"sliders": [sliders[i]]}]}
            for i, p in enumerate(parameters)]
    fig.data[0].y = _slider_y(sweep, parameters[0], outputs, sliders[0]["active"])
    fig.update_layout(
        sliders=[sliders[0]],
        updatemenus=[{"buttons": menu, "direction": "down", "x": 0.08, "xanchor": "left",
                      "y": 1.04, "yanchor": "bottom", "showactive": True}],
        annotations=[{"text": "Prior:", "x": 0, "xanchor": "left", "y": 1.065,
                      "yanchor": "bottom", "xref": "paper", "yref": "paper",
                      "showarrow": False}],
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.04, "yanchor": "bottom"},
    )
    fig.update_xaxes(title_text="Outcome")
    fig.update_yaxes(title_text="Probability", tickformat=".0%", range=[0, 1.05])
    return layout(fig, title=text, height=540, margin={"t": 120, "b": 40},
                  changes=frame_changes(sweep))


def _slider_y(sweep: pd.DataFrame, parameter: str, outputs: list[str], step: int) -> list[float]:
    rows = sweep[sweep.parameter == parameter]
    value = sorted(pd.unique(rows["value"]))[step]
    at = rows[rows.value == value]
    return [float(at.loc[at.output == o, "result"].iloc[0]) for o in outputs]
