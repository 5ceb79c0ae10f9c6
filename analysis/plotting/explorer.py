"""An explorer of what-if questions that works in a saved HTML file, with no kernel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .style import check_frame, frame_changes, frame_title, layout, plain_frame

__all__ = ["plot_what_if"]

_BAR_WIDTH = 0.6


def plot_what_if(sweep: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw an explorer of how the outcome distribution moves as one prior moves.

    Works in a saved HTML file with no kernel: every state is precomputed. A
    dropdown chooses the prior (in the sweep's order: pass the parameters
    most influential first); its slider sets that branch's probability (the
    others stay at their means, siblings rescaled as in
    :func:`analysis.one_way_sensitivity`); the bars show the outcome
    probabilities, and marks beside them (never across their value labels)
    the values at the priors' means.

    Parameters
    ----------
    sweep : DataFrame
        :func:`analysis.one_way_sensitivity` output over outcomes: for evenly
        spaced steps, ``n_points=41`` over ``interval=0.98`` (each prior's
        1st to 99th percentile); each slider starts at the step nearest the
        prior's mean.
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
    sweep = plain_frame(sweep)
    text = frame_title("What if? Outcome probabilities as one prior moves", sweep, title)
    parameters = list(pd.unique(sweep["parameter"]))
    if not parameters:
        raise ValueError("sweep has no rows: nothing to explore")
    first = sweep[sweep.parameter == parameters[0]]
    outputs = list(pd.unique(first["output"]))
    labels = [first.loc[first.output == o, "output_label"].iloc[0] for o in outputs]
    colours = [first.loc[first.output == o, "colour"].iloc[0] for o in outputs]
    base = [float(first.loc[first.output == o, "base"].iloc[0]) for o in outputs]
    positions = list(range(len(labels)))
    fig = go.Figure()
    fig.add_bar(x=positions, y=base, marker_color=colours, texttemplate="%{y:.1%}",
                textposition="outside", customdata=labels, width=_BAR_WIDTH,
                hovertemplate="<b>%{customdata}</b>: %{y:.1%}<extra></extra>",
                # No legend entry: it would show the first outcome's colour.
                name="With the chosen value", showlegend=False, meta={"role": "what-if"})
    # The marks stand beside the bars, pointing at them: never across a bar's value label.
    fig.add_scatter(x=[p + _BAR_WIDTH / 2 + 0.06 for p in positions], y=base, mode="markers",
                    name="At the priors' means", customdata=labels,
                    marker={"symbol": "triangle-left", "size": 11, "color": "#222222"},
                    hovertemplate="<b>%{customdata}</b> at the priors' means: %{y:.1%}"
                                  "<extra></extra>",
                    meta={"role": "base"})

    sliders = []
    for parameter in parameters:
        rows = sweep[sweep.parameter == parameter]
        label = rows["label"].iloc[0]
        steps = []
        for value, at in rows.groupby("value", sort=True):
            y = [float(at.loc[at.output == o, "result"].iloc[0]) for o in outputs]
            steps.append({"method": "restyle", "label": f"{value:.1%}",
                          "args": [{"y": [y]}, [0]]})
        values = np.array(sorted(pd.unique(rows["value"])))
        active = int(np.argmin(np.abs(values - rows["mean"].iloc[0])))
        sliders.append({"active": active, "steps": steps,
                        "currentvalue": {"prefix": f"{label} at ",
                                         "font": {"color": "#222222", "size": 13}},
                        # 40-odd steps: their own labels would overlap; the current
                        # value is shown above the slider instead.
                        "font": {"color": "rgba(0,0,0,0)"}, "ticklen": 3,
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
        showlegend=True,  # the marks' entry alone (plotly hides a one-entry legend)
    )
    fig.update_xaxes(title_text="Outcome", tickvals=positions, ticktext=labels,
                     range=[-0.6, len(labels) - 0.4])
    fig.update_yaxes(title_text="Probability", tickformat=".0%", range=[0, 1.05])
    return layout(fig, title=text, height=570, margin={"t": 150, "b": 40},
                  subtitle="Bars: each outcome's probability with the prior at the slider's value",
                  changes=frame_changes(sweep))


def _slider_y(sweep: pd.DataFrame, parameter: str, outputs: list[str], step: int) -> list[float]:
    rows = sweep[sweep.parameter == parameter]
    value = sorted(pd.unique(rows["value"]))[step]
    at = rows[rows.value == value]
    return [float(at.loc[at.output == o, "result"].iloc[0]) for o in outputs]
