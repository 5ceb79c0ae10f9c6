"""Charts of a scenario and of its results, as plotly figures.

This is the only module of :mod:`analysis` that imports plotly, and the package
does not import it: ``import analysis.plotting`` when you need charts. Every
function takes a :class:`~analysis.scenario.Scenario`, a result frame from
:mod:`analysis.evaluate` or :mod:`analysis.sampling`, or the
:class:`~analysis.sampling.OutcomeSamples` of a Monte Carlo run, and returns a
:class:`plotly.graph_objects.Figure`; none shows the figure or writes a file.
An outcome has the colour its scenario file gives it in every chart.

Examples
--------
>>> import analysis
>>> from analysis import plotting
>>> baseline = analysis.load_scenario("baseline")
>>> fig = plotting.plot_outcome_distribution(analysis.outcome_distribution(baseline))
>>> fig.layout.title.text
'Outcome distribution — baseline'
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from ..analyses.outcomes import NOT_REACHED_LABEL, SKIPPED_LABEL, path_table
from ..analyses.uncertainty import (
    attribute_ecdf,
    attribute_intervals,
    outcome_histogram,
    outcome_intervals,
    prior_marginals,
)
from ..core.arguments import Given
from ..core.text import display_label
from ..engines.sampling import OutcomeSamples
from ..model.scenario import Scenario

__all__ = [
    "plot_analyst_disagreement",
    "plot_attribute_cdf",
    "plot_attribute_distribution",
    "plot_belief_timeline",
    "plot_evppi",
    "plot_expected_attributes",
    "plot_global_sensitivity",
    "plot_option_values",
    "plot_outcome_distribution",
    "plot_outcome_draws",
    "plot_outcome_intervals",
    "plot_paths_sunburst",
    "plot_phase_completion",
    "plot_phase_marginals",
    "plot_priors",
    "plot_risk_profiles",
    "plot_scores",
    "plot_survival",
    "plot_tornado",
    "plot_tree",
    "plot_two_way",
    "plot_what_if",
]

_TEMPLATE = "plotly_white"
_EDGE_COLOUR = "#8c8c8c"
_NODE_LINE = "#404040"
_INTERNAL_SEGMENT = "#d4d4d4"
_SKIPPED_GREY = "#ececec"
_NOT_REACHED_GREY = "#b3b3b3"
_POINT_COLOUR = "#3d3d3d"
_LEAF_TEXT = "#333333"
_ROOT_ID = "all"
_PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")
# The rows of phase_marginals for paths on which a phase does not happen.
_GREY_ROWS = {SKIPPED_LABEL: "#d9d9d9", NOT_REACHED_LABEL: _NOT_REACHED_GREY}

# plot_tree geometry: x in phase columns, y in leaf rows, sizes in pixels.
_ELBOW = 0.14  # the slanted part of an edge, in columns
_LABEL_INSET = 0.02  # where an edge's text starts, after the slant
_TREE_MARGIN = {"t": 120, "b": 70, "l": 30}
_ROW_PX = 38  # vertical room per leaf, until the height cap
_TREE_PAD_PX = 24  # above the first row and below the last, for their edges' text
_TREE_HEIGHT = (420, 1600)
_EDGE_SPLIT_MIN_PX = 27  # label above an edge and probability below it, if rows are this far
_EDGE_TEXT_MIN_PX = 15  # else both above it; closer still, in the hover text only
_LEAF_TEXT_MIN_PX = 11
_CHAR_PX = 6.6  # width of a character of 11 px text, for the right margin
_BOLD_CHAR_PX = 7.8  # of a bold header's
_MAX_LABEL_CHARS = 26
# plot_expected_attributes: pixels per panel, between panels (axis and panel titles), margins.
_ATTR_PANEL_PX = 150
_ATTR_GAP_PX = 80
_ATTR_MARGIN = {"t": 90, "b": 60}


# --------------------------------------------------------------------------- helpers


def _condition_text(given: Given) -> str:
    """Format a condition: ``{"a": "x", "b": ["y", "z"]}`` -> ``'a=x, b=y|z'``."""
    if not given:
        return ""
    parts = []
    for phase, wanted in given.items():
        wanted = wanted if isinstance(wanted, str) else "|".join(wanted)
        parts.append(f"{phase}={wanted}")
    return ", ".join(parts)


def _title(what: str, scenario: str | None, given: Given) -> str:
    """Return ``'What — scenario | condition'``, without the parts that are missing."""
    text = what
    if scenario:
        text += f" — {scenario}"
    condition = _condition_text(given)
    if condition:
        text += f" | {condition}"
    return text


def _frame_title(what: str, frame: pd.DataFrame, title: str | None) -> str:
    """Return ``title``, or one built from ``frame.attrs`` and a ``scenario`` column."""
    if title is not None:
        return title
    scenario = frame.attrs.get("scenario")
    if "scenario" in frame.columns:
        scenario = " vs ".join(str(s) for s in pd.unique(frame["scenario"]))
    return _title(what, scenario, frame.attrs.get("given"))


def _check_frame(frame: object, columns: Iterable[str], name: str) -> None:
    """Raise if ``frame`` is not a DataFrame holding ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name}: got {type(frame).__name__}, expected a pandas DataFrame")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}; got columns "
                         f"{', '.join(map(str, frame.columns))}")


def _probability_text(p: float, decimals: int = 2) -> str:
    """Format a probability for a label: ``0.82``; small ones keep a significant digit."""
    if not np.isfinite(p):
        return "–"
    if p == 0:
        return "0"
    if p < 0.5 * 10 ** -decimals:
        return f"{p:.1g}"
    return f"{p:.{decimals}f}"


def _value_text(value: float, unit: str) -> str:
    """``20 people``, ``53% of territory``, ``2.5 months``."""
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}".rstrip("0")
    unit = unit.strip()
    if not unit:
        return number
    return f"{number}{unit}" if unit.startswith("%") else f"{number} {unit}"


def _wrap(text: str, width: int = 60) -> str:
    """Break long hover text into lines."""
    return "<br>".join(textwrap.wrap(text, width)) if text else ""


def _shorten(text: str, limit: int = _MAX_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _layout(fig: go.Figure, *, title: str, height: int, subtitle: str | None = None,
            **kwargs) -> go.Figure:
    """Apply the settings every chart shares."""
    fig.update_layout(
        template=_TEMPLATE,
        height=height,
        title={"text": title, "x": 0.01, "xanchor": "left",
               **({"subtitle": {"text": subtitle}} if subtitle else {})},
        hoverlabel={"align": "left"},
        **kwargs,
    )
    return fig


@dataclass
class _Step:
    """One path of :func:`analysis.path_table`, read against the scenario."""

    row: int
    probability: float
    outcome: str
    decided: list[tuple[int, str]]  # (phase index, branch id) for each branch taken
    ends_early: bool  # the last branch taken ends the path (later phases not reached)
    attributes: dict[str, float]


def _read_paths(scenario: Scenario, table: pd.DataFrame) -> list[_Step]:
    """Read the table's paths, with the phases each path decides."""
    model = scenario.model
    choices = table[[p.id for p in model.phases]].to_numpy(dtype=object)
    steps = []
    for r in range(len(table)):
        decided = [(k, b) for k, b in enumerate(choices[r]) if not pd.isna(b)]
        k_last, b_last = decided[-1]
        ends_early = model.phases[k_last].branches[b_last].outcome is not None
        steps.append(_Step(
            row=r,
            probability=float(table["probability"].iat[r]),
            outcome=str(table["outcome"].iat[r]),
            decided=decided,
            ends_early=ends_early,
            attributes={a: float(table[a].iat[r]) for a in model.attributes},
        ))
    return steps


def _path_words(scenario: Scenario, decided: list[tuple[int, str]], *,
                until: int | None = None) -> list[str]:
    """Branch labels along a path, with ``(phase skipped)`` where it passes one.

    Phases after the last branch and before phase number ``until`` are listed
    as skipped too.
    """
    phases = scenario.model.phases
    words: list[str] = []
    previous = -1
    for k, b in decided:
        words += [f"({phases[j].id.replace('_', ' ')} skipped)" for j in range(previous + 1, k)]
        words.append(display_label(b, phases[k].branches[b].label))
        previous = k
    if until is not None:
        words += [f"({phases[j].id.replace('_', ' ')} skipped)"
                  for j in range(previous + 1, until)]
    return words


def _attribute_lines(scenario: Scenario, values: Mapping[str, float]) -> list[str]:
    attributes = scenario.model.attributes
    return [f"{attributes[a].label}: {_value_text(v, attributes[a].unit)}"
            for a, v in values.items()]


def _outcome_lines(scenario: Scenario, totals: Mapping[str, float], total: float) -> list[str]:
    """``Renewed war: 45.0%`` per outcome, most likely first, as shares of ``total``."""
    outcomes = scenario.model.outcomes
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    share = (lambda p: p / total) if total > 0 else (lambda p: 0.0)
    return [f"{outcomes[o].label}: {share(p):.1%}" for o, p in ranked]


# ------------------------------------------------------------------------------ tree


@dataclass
class _Node:
    """A node of the drawn tree: a chance node, or a leaf (one path's end)."""

    decided: tuple[tuple[int, str], ...]
    probability: float = 0.0
    phase: int | None = None  # the phase decided here; None at a leaf
    children: dict[str, _Node] = field(default_factory=dict)
    step: _Step | None = None  # the path ending here, at a leaf
    outcomes: dict[str, float] = field(default_factory=dict)
    y: float = 0.0


def _build_tree(steps: list[_Step]) -> _Node:
    root = _Node(())
    for step in steps:
        node = root
        for k, b in step.decided:
            node.probability += step.probability
            node.outcomes[step.outcome] = node.outcomes.get(step.outcome, 0.0) + step.probability
            node.phase = k
            node = node.children.setdefault(b, _Node((*node.decided, (k, b))))
        node.probability += step.probability
        node.outcomes[step.outcome] = step.probability
        node.step = step
    return root


def _ordered_children(scenario: Scenario, node: _Node) -> list[_Node]:
    """Return the node's children in the file's branch order."""
    order = list(scenario.model.phases[node.phase].branches)
    return [node.children[b] for b in sorted(node.children, key=order.index)]


def _place(scenario: Scenario, root: _Node) -> tuple[list[_Node], list[_Node]]:
    """Give every node its y (leaves one row apart, top to bottom); return (chance, leaves)."""
    chance: list[_Node] = []
    leaves: list[_Node] = []

    def visit(node: _Node) -> None:
        if node.step is not None:
            node.y = -float(len(leaves))
            leaves.append(node)
            return
        chance.append(node)
        children = _ordered_children(scenario, node)
        for child in children:
            visit(child)
        node.y = (children[0].y + children[-1].y) / 2

    visit(root)
    return chance, leaves


def _neighbour_gaps(xs: list[float], ys: list[float]) -> np.ndarray:
    """For each label, the vertical distance to the nearest label in the same column."""
    xs_arr, ys_arr = np.round(np.asarray(xs), 6), np.asarray(ys)
    gaps = np.full(len(ys_arr), np.inf)
    for x in np.unique(xs_arr):
        index = np.flatnonzero(xs_arr == x)
        order = index[np.argsort(ys_arr[index])]
        diffs = np.diff(ys_arr[order])
        if len(diffs):
            gaps[order[:-1]] = np.minimum(gaps[order[:-1]], diffs)
            gaps[order[1:]] = np.minimum(gaps[order[1:]], diffs)
    return gaps


def _add_edges(fig: go.Figure, scenario: Scenario, chance: list[_Node], row_px: float) -> None:
    """Add the edges, the dotted early-end connectors and the edges' text."""
    model = scenario.model
    n = len(model.phases)
    solid_x: list[float | None] = []
    solid_y: list[float | None] = []
    dotted_x: list[float | None] = []
    dotted_y: list[float | None] = []
    label_x, label_y, names, probabilities, hover = [], [], [], [], []
    conditionals: list[float | None] = []
    for node in chance:
        k = node.phase
        phase = model.phases[k]
        for child in _ordered_children(scenario, node):
            branch_id = child.decided[-1][1]
            branch_label = display_label(branch_id, phase.branches[branch_id].label)
            ends_early = child.step is not None and child.step.ends_early
            if child.step is None:
                x_end = float(child.phase)
            else:
                x_end = float(k + 1 if ends_early else n)
            # Slanted out of the parent, then level to the child.
            solid_x += [k, k + _ELBOW, x_end, None]
            solid_y += [node.y, child.y, child.y, None]
            if ends_early and x_end < n:
                dotted_x += [x_end, n, None]
                dotted_y += [child.y, child.y, None]
            # Undefined below a node of probability 0 (a branch with prior 0 above it).
            conditional = (child.probability / node.probability if node.probability > 0
                           else float("nan"))
            passes = [model.phases[j].id.replace("_", " ") for j in range(k + 1, int(x_end))]
            note = f"<br>Passes {', '.join(passes)} (skipped)" if passes else ""
            if ends_early:
                note += f"<br>Ends the scenario: {model.outcomes[child.step.outcome].label}"
            label_x.append(k + _ELBOW + _LABEL_INSET)
            label_y.append(child.y)
            names.append(_shorten(branch_label))
            probabilities.append(_probability_text(conditional))
            conditionals.append(None if np.isnan(conditional) else conditional)
            hover.append([f"{display_label(phase.id, phase.label)}: {branch_label}",
                          "undefined (the node has probability 0)" if np.isnan(conditional)
                          else f"{conditional:.3f}", child.probability, note])

    # With room, the branch goes above its edge and the probability below (as
    # TreeAge draws them); with less, both on one line above; with less still,
    # only in the hover text.
    gaps = _neighbour_gaps(label_x, label_y) * row_px
    full_text = [f"{name} {p}" for name, p in zip(names, probabilities, strict=True)]
    above, below = [], []
    for name, p, line, gap in zip(names, probabilities, full_text, gaps, strict=True):
        if gap >= _EDGE_SPLIT_MIN_PX:
            above.append(name)
            below.append(p)
        else:
            above.append(line if gap >= _EDGE_TEXT_MIN_PX else "")
            below.append("")
    # The text's markers are invisible: they catch the hover and set the text's offset.
    marker = {"size": 4, "opacity": 0, "color": _EDGE_COLOUR}

    fig.add_scatter(x=solid_x, y=solid_y, mode="lines", name="Branches", showlegend=False,
                    line={"color": _EDGE_COLOUR, "width": 1.4}, hoverinfo="skip",
                    meta={"role": "edges"})
    fig.add_scatter(x=dotted_x, y=dotted_y, mode="lines", name="Ended early",
                    showlegend=False, line={"color": _EDGE_COLOUR, "width": 1.2, "dash": "dot"},
                    hoverinfo="skip", meta={"role": "connectors"})
    fig.add_scatter(
        x=label_x, y=label_y, text=above, customdata=hover, mode="markers+text",
        name="Branch labels", showlegend=False, textposition="top right", cliponaxis=False,
        textfont={"size": 11}, marker=marker,
        hovertemplate=("<b>%{customdata[0]}</b><br>Conditional probability: "
                       "%{customdata[1]}<br>Path probability so far: "
                       "%{customdata[2]:.1%}%{customdata[3]}<extra></extra>"),
        meta={"role": "edge_labels", "full_text": full_text, "conditional": conditionals},
    )
    fig.add_scatter(x=label_x, y=label_y, text=below, mode="markers+text",
                    name="Branch probabilities", showlegend=False, textposition="bottom right",
                    cliponaxis=False, textfont={"size": 11}, hoverinfo="skip", marker=marker,
                    meta={"role": "edge_probabilities"})


def _add_chance_nodes(fig: go.Figure, scenario: Scenario, chance: list[_Node],
                      size: float) -> None:
    model = scenario.model
    hover = []
    for node in chance:
        phase = model.phases[node.phase]
        words = _path_words(scenario, list(node.decided), until=node.phase)
        so_far: dict[str, float] = dict.fromkeys(model.attributes, 0.0)
        for k, b in node.decided:
            for name, value in model.phases[k].branches[b].attributes.items():
                so_far[name] += value
        heading = f"{display_label(phase.id, phase.label)}: {phase.question}"
        lines = [_wrap(heading), "Outcomes from here:"]
        lines += ["  " + line for line in _outcome_lines(scenario, node.outcomes,
                                                         node.probability)]
        if so_far:
            lines.append("Attributes so far:")
            lines += ["  " + line for line in _attribute_lines(scenario, so_far)]
        hover.append([" → ".join(words) or "(start)", node.probability, "<br>".join(lines)])
    fig.add_scatter(
        x=[node.phase for node in chance], y=[node.y for node in chance], mode="markers",
        name="Chance nodes", showlegend=False, customdata=hover, cliponaxis=False,
        marker={"symbol": "circle", "size": size, "color": "white",
                "line": {"color": _NODE_LINE, "width": 1.5}},
        hovertemplate=("<b>%{customdata[0]}</b><br>Probability of reaching: "
                       "%{customdata[1]:.1%}<br>%{customdata[2]}<extra></extra>"),
        meta={"role": "chance_nodes"},
    )


def _add_leaves(fig: go.Figure, scenario: Scenario, leaves: list[_Node], size: float,
                show_text: bool) -> list[str]:
    """Add one trace of leaves per outcome, in the last column; return the leaves' text."""
    model = scenario.model
    n = len(model.phases)
    all_text = []
    for outcome_id, outcome in model.outcomes.items():
        mine = [leaf for leaf in leaves if leaf.step.outcome == outcome_id]
        if not mine:
            continue
        text = [f"{_probability_text(leaf.probability, 3)}  {outcome.label}" for leaf in mine]
        all_text += text
        hover = []
        for leaf in mine:
            words = _path_words(scenario, [*leaf.decided],
                                until=None if leaf.step.ends_early else n)
            details = "<br>".join(_attribute_lines(scenario, leaf.step.attributes))
            hover.append([" → ".join(words), leaf.probability, outcome.label, details])
        fig.add_scatter(
            x=[float(n)] * len(mine), y=[leaf.y for leaf in mine],
            text=text if show_text else None, customdata=hover,
            mode="markers+text" if show_text else "markers", textposition="middle right",
            textfont={"size": 11, "color": _LEAF_TEXT}, cliponaxis=False,
            name=outcome.label, legendgroup=outcome_id, showlegend=True,
            marker={"symbol": "triangle-left", "size": size + 2, "color": outcome.colour,
                    "line": {"color": outcome.colour, "width": 1}},
            hovertemplate=("<b>%{customdata[0]}</b><br>Path probability: "
                           "%{customdata[1]:.2%}<br>Outcome: %{customdata[2]}<br>"
                           "%{customdata[3]}<extra></extra>"),
            meta={"role": "leaf", "outcome": outcome_id},
        )
    return all_text if show_text else []


def plot_tree(scenario: Scenario, given: Given = None, *, title: str | None = None) -> go.Figure:
    """Draw the scenario as a decision-analysis probability tree.

    Left to right, one column per phase: chance nodes are circles; each edge
    carries its branch's label above it and its conditional probability below
    it; every path ends in a triangle in the right-hand column, coloured by
    outcome and labelled with the path's probability. A path ended early by
    a branch reaches that column by a dotted line; a path passes straight
    through the phases it skips. As rows get closer, an edge's label and
    probability share one line, then are left to the hover text.

    Parameters
    ----------
    scenario : Scenario
        The scenario to draw.
    given : mapping, optional
        Keep only the paths where these phases took these branches, with
        probabilities conditional on that (see :func:`analysis.path_table`).
    title : str, optional
        Default: ``"Scenario tree — <scenario id> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, each named by ``meta["role"]``: edges, connectors,
        edge_labels, edge_probabilities, chance_nodes, then one ``leaf``
        trace per outcome.
    """
    model = scenario.model
    n = len(model.phases)
    steps = _read_paths(scenario, path_table(scenario, given=given))
    chance, leaves = _place(scenario, _build_tree(steps))

    n_rows = len(leaves)
    height = int(np.clip(_TREE_MARGIN["t"] + _TREE_MARGIN["b"] + _ROW_PX * n_rows,
                         *_TREE_HEIGHT))
    plot_px = height - _TREE_MARGIN["t"] - _TREE_MARGIN["b"] - 2 * _TREE_PAD_PX
    row_px = plot_px / max(n_rows - 1, 1)
    node_size = float(np.clip(row_px * 0.45, 6, 14))

    fig = go.Figure()
    _add_edges(fig, scenario, chance, row_px)
    _add_chance_nodes(fig, scenario, chance, node_size)
    leaf_text = _add_leaves(fig, scenario, leaves, node_size, row_px >= _LEAF_TEXT_MIN_PX)

    header = "Path probability · outcome"
    right = int(30 + max(_CHAR_PX * max(map(len, leaf_text), default=0),
                         _BOLD_CHAR_PX * len(header)))
    annotations = [
        {"x": k + 0.5, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
         "text": f"<b>{display_label(phase.id, phase.label)}</b>", "showarrow": False,
         "hovertext": _wrap(phase.question)}
        for k, phase in enumerate(model.phases)
    ]
    annotations.append({"x": n, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
                        "xanchor": "left", "text": f"<b>{header}</b>", "showarrow": False})
    _layout(fig, title=title or _title("Scenario tree", scenario.id, given),
            subtitle=scenario.title, height=height,
            margin={**_TREE_MARGIN, "r": right}, annotations=annotations,
            legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top", "yref": "paper",
                    "title": {"text": "Outcome"}},
            hovermode="closest")
    fig.update_xaxes(range=[-0.2, n + 0.05], visible=False)
    fig.update_yaxes(range=[-(n_rows - 1) - _TREE_PAD_PX / row_px, _TREE_PAD_PX / row_px],
                     visible=False)
    return fig


# -------------------------------------------------------------------- sunburst / icicle


def plot_paths_sunburst(scenario: Scenario, given: Given = None,
                        kind: Literal["sunburst", "icicle"] = "sunburst", *,
                        title: str | None = None) -> go.Figure:
    """Draw the paths as a sunburst or icicle: one ring (or level) per phase.

    Each segment is a branch, sized by the probability of the paths through
    it; the segment that ends a path has its outcome's colour. Where a path
    skips a phase, its ring holds a pale "<phase> skipped" segment, so every
    ring stays one phase; phases skipped after a path's last branch add no
    segment.

    Parameters
    ----------
    scenario : Scenario
        The scenario to draw.
    given : mapping, optional
        Keep only the paths where these phases took these branches, with
        probabilities conditional on that.
    kind : {"sunburst", "icicle"}
        The chart: rings from the centre, or levels from left to right.
    title : str, optional
        Default: ``"Paths by phase — <scenario id> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        A ``go.Sunburst`` or ``go.Icicle`` trace with ``ids``, ``parents``,
        ``values`` and ``branchvalues="total"``, then one legend-only trace
        per outcome.

    Raises
    ------
    ValueError
        If ``kind`` is neither ``"sunburst"`` nor ``"icicle"``.
    """
    if kind not in ("sunburst", "icicle"):
        raise ValueError(f"kind: got {kind!r}, expected 'sunburst' or 'icicle'")
    model = scenario.model
    phases = model.phases
    steps = _read_paths(scenario, path_table(scenario, given=given))

    condition = _condition_text(given)
    root_label = f"Paths where {condition}" if condition else "All paths"
    segments: dict[str, dict] = {
        _ROOT_ID: {"parent": "", "value": 0.0, "phase": None, "branch": None, "outcomes": {},
                   "label": root_label, "words": []},
    }
    for step in steps:
        branches = dict(step.decided)
        last = step.decided[-1][0]
        parent = _ROOT_ID
        chain = [segments[_ROOT_ID]]
        for k in range(last + 1):
            phase = phases[k]
            b = branches.get(k)
            seg_id = f"{parent}/{phase.id}={b or '-'}"
            chain.append(segments.setdefault(seg_id, {
                "parent": parent, "value": 0.0, "phase": k, "branch": b, "outcomes": {},
                "label": (display_label(b, phase.branches[b].label) if b is not None
                          else f"{display_label(phase.id, phase.label)} skipped"),
                "words": _path_words(scenario, [(j, branches[j]) for j in range(k + 1)
                                                if j in branches]),
            }))
            parent = seg_id
        for segment in chain:
            segment["value"] += step.probability
            segment["outcomes"][step.outcome] = (segment["outcomes"].get(step.outcome, 0.0)
                                                 + step.probability)
        segments[parent]["leaf"] = step

    ids, parents, labels, values, colours, data = [], [], [], [], [], []
    for seg_id, seg in segments.items():
        leaf = seg.get("leaf")
        ids.append(seg_id)
        parents.append(seg["parent"])
        labels.append(seg["label"])
        values.append(seg["value"])
        if leaf is not None:
            colours.append(model.outcomes[leaf.outcome].colour)
            details = [f"Outcome: {model.outcomes[leaf.outcome].label}",
                       *_attribute_lines(scenario, leaf.attributes)]
        else:
            colours.append(_SKIPPED_GREY if seg["phase"] is not None and seg["branch"] is None
                           else _INTERNAL_SEGMENT)
            details = ["Outcomes from here:", *("  " + line for line in _outcome_lines(
                scenario, seg["outcomes"], seg["value"]))]
        if seg["phase"] is None:
            where = f"{root_label} of {scenario.id}"
        elif seg["branch"] is None:
            skipped = phases[seg["phase"]]
            where = f"{display_label(skipped.id, skipped.label)}: skipped on these paths"
        else:
            phase = phases[seg["phase"]]
            where = f"{display_label(phase.id, phase.label)}: {seg['label']}"
        data.append([where, " → ".join(seg["words"]) or scenario.title, "<br>".join(details)])

    trace_type = go.Sunburst if kind == "sunburst" else go.Icicle
    options = {} if kind == "sunburst" else {"tiling": {"orientation": "h"}}
    fig = go.Figure(trace_type(
        ids=ids, parents=parents, labels=labels, values=values, branchvalues="total",
        marker={"colors": colours, "line": {"color": "white", "width": 1}},
        leaf={"opacity": 1}, customdata=data, textinfo="label+percent root", sort=False,
        hovertemplate=("<b>%{customdata[0]}</b><br>%{customdata[1]}<br>Probability: "
                       "%{value:.1%}<br>%{customdata[2]}<extra></extra>"),
        name="Paths", meta={"role": "paths"}, **options,
    ))
    # Sunbursts and icicles have no legend of their own: one empty trace per outcome.
    drawn = {step.outcome for step in steps}
    for outcome_id, outcome in model.outcomes.items():
        if outcome_id in drawn:
            fig.add_scatter(x=[None], y=[None], mode="markers", name=outcome.label,
                            marker={"symbol": "square", "size": 12, "color": outcome.colour},
                            legendgroup=outcome_id, hoverinfo="skip",
                            meta={"role": "legend", "outcome": outcome_id})
    if kind == "sunburst":
        subtitle = "Centre: all paths; rings outward: "
        legend = {"x": 1, "xanchor": "right", "y": 1}
    else:
        subtitle = "Left: all paths; levels rightward: "
        legend = {"orientation": "h", "x": 0, "y": 0, "yanchor": "top"}
    subtitle += " → ".join(display_label(p.id, p.label) for p in phases)
    default = _title("Paths by phase", scenario.id, given)
    _layout(fig, title=title or default, subtitle=subtitle, height=680,
            margin={"t": 90, "b": 50, "l": 20, "r": 20},
            legend={"title": {"text": "Outcome"}, **legend},
            uniformtext={"minsize": 9, "mode": "hide"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


# ------------------------------------------------------------------------ bar charts


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
    _check_frame(distribution, ("outcome", "label", "colour", "probability"), "distribution")
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
    _layout(fig, title=_frame_title("Outcome distribution", distribution, title), height=460,
            barmode="group", bargap=0.25, bargroupgap=0.06,
            legend={"title": {"text": "Scenario"}}, margin={"t": 70})
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
    _check_frame(marginals, ("phase", "phase_label", "branch", "label", "probability",
                             "conditional"), "marginals")
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
    _layout(fig, title=_frame_title("Branch probabilities by phase", marginals, title),
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
    _check_frame(attributes, ("attribute", "label", "unit", "expected", "sd"), "attributes")
    text = _frame_title("Expected attributes (±1 sd)", attributes, title)
    n = len(attributes)
    if n == 0:
        fig = go.Figure()
        fig.add_annotation(text="The scenario declares no attributes", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _layout(fig, title=text, height=250)
    height = _ATTR_MARGIN["t"] + _ATTR_MARGIN["b"] + _ATTR_PANEL_PX * n
    plot_px = height - _ATTR_MARGIN["t"] - _ATTR_MARGIN["b"]
    fig = make_subplots(rows=n, cols=1, subplot_titles=list(attributes["label"]),
                        vertical_spacing=min(_ATTR_GAP_PX / plot_px, 1 / max(n - 1, 1) - 1e-3))
    for i, row in enumerate(attributes.itertuples(index=False), start=1):
        expected, sd = float(row.expected), float(row.sd)
        fig.add_scatter(
            x=[expected], y=[row.label], mode="markers+text", name=row.label,
            error_x={"type": "data", "array": [sd], "color": _POINT_COLOUR, "thickness": 1.5,
                     "width": 8},
            marker={"size": 11, "color": _POINT_COLOUR},
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
    return _layout(fig, title=text, height=height, margin=_ATTR_MARGIN)


def plot_attribute_distribution(distribution: pd.DataFrame, *,
                                title: str | None = None) -> go.Figure:
    """Draw each attribute's distribution over the paths, one panel per attribute.

    Bars give the probability of each value; a dashed line marks the expected
    value. Reads :func:`analysis.attribute_distribution` output (columns
    ``attribute``, ``label``, ``unit``, ``value``, ``probability``).
    """
    _check_frame(distribution, ("attribute", "label", "unit", "value", "probability"),
                 "distribution")
    text = _frame_title("Attributes across paths", distribution, title)
    names = list(pd.unique(distribution["attribute"]))
    if not names:
        return _layout(go.Figure(), title=text, height=250)
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
                    marker_color=_POINT_COLOUR, showlegend=False,
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
    return _layout(fig, title=text, height=120 + 300 * len(names))


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
    """
    _check_frame(sweep, ("parameter", "label", "mean", "value", "output", "output_label",
                         "colour", "result", "base"), "sweep")
    text = _frame_title("What if? Outcome probabilities as one prior moves", sweep, title)
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
    return _layout(fig, title=text, height=540, margin={"t": 120, "b": 40})


def _slider_y(sweep: pd.DataFrame, parameter: str, outputs: list[str], step: int) -> list[float]:
    rows = sweep[sweep.parameter == parameter]
    value = sorted(pd.unique(rows["value"]))[step]
    at = rows[rows.value == value]
    return [float(at.loc[at.output == o, "result"].iloc[0]) for o in outputs]


# ------------------------------------------------- evidence, timing, scores, analysts

_SYMBOLS = {"": "star", "observation": "diamond", "likelihood": "circle", "counts": "square"}
_KIND_WORDS = {"": "Priors", "observation": "Observation (hard evidence)",
               "likelihood": "Report (likelihood ratio)", "counts": "Counts (conjugate)"}
_BAND_ALPHA = 0.15
_REFERENCE_COLOUR = "#555555"


def _translucent(colour: str, alpha: float = _BAND_ALPHA) -> str:
    """Return ``'#1b9e77'`` (or ``'rgb(27, 158, 119)'``) as ``'rgba(27, 158, 119, 0.15)'``."""
    if colour.startswith("#"):
        red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    else:
        red, green, blue = (int(float(v)) for v in colour[colour.index("(") + 1:-1].split(","))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _palette(n: int) -> list[str]:
    """Return ``n`` distinguishable colours (plotly's colour-blind-safe set, repeated)."""
    from plotly.colors import qualitative

    colours = qualitative.Safe
    return [colours[i % len(colours)] for i in range(n)]


def _add_band(fig: go.Figure, x, lower, upper, colour: str, *, name: str, shape: str = "linear",
              **meta) -> None:
    """Add a shaded band between ``lower`` and ``upper`` (two traces, no hover)."""
    common = {"mode": "lines", "line": {"width": 0, "shape": shape}, "hoverinfo": "skip",
              "showlegend": False, "legendgroup": name}
    fig.add_scatter(x=list(x), y=list(upper), name=f"{name} (upper)",
                    meta={"role": "band_upper", **meta}, **common)
    fig.add_scatter(x=list(x), y=list(lower), name=f"{name} (lower)", fill="tonexty",
                    fillcolor=_translucent(colour), meta={"role": "band", **meta}, **common)


def plot_belief_timeline(timeline: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Draw how the outcome probabilities moved as the evidence came in.

    One step line per outcome, in its colour: the exact posterior after each
    evidence item, held until the next; the shaded band is its credible
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
    _check_frame(timeline, ("step", "date", "item", "title", "kind", "outcome", "label",
                            "colour", "probability", "lower", "upper", "change"), "timeline")
    fig = go.Figure()
    dates = pd.to_datetime(timeline["date"])
    for outcome, part in timeline.assign(when=dates).groupby("outcome", sort=False):
        part = part.sort_values("step")
        colour, label = part["colour"].iloc[0], part["label"].iloc[0]
        _add_band(fig, part["when"], part["lower"], part["upper"], colour, name=label,
                  shape="hv", outcome=outcome)
        change = [("" if step == 0 else f"<br>Change: {c * 100:+.1f} points")
                  for step, c in zip(part["step"], part["change"], strict=True)]
        fig.add_scatter(
            x=list(part["when"]), y=list(part["probability"]), mode="lines+markers", name=label,
            legendgroup=label, line={"color": colour, "width": 2.2, "shape": "hv"},
            marker={"color": colour, "size": 8, "line": {"color": "white", "width": 1},
                    "symbol": [_SYMBOLS.get(k, "circle") for k in part["kind"]]},
            customdata=[[label, _wrap(t, 70), d.strftime("%Y-%m-%d"), ch, lo, hi,
                         _KIND_WORDS.get(k, k)]
                        for t, d, ch, lo, hi, k in zip(part["title"], part["when"], change,
                                                       part["lower"], part["upper"],
                                                       part["kind"], strict=True)],
            hovertemplate=("<b>%{customdata[0]}: %{y:.1%}</b> (interval %{customdata[4]:.0%}"
                           "–%{customdata[5]:.0%})%{customdata[3]}<br>After: %{customdata[1]}"
                           "<br>%{customdata[6]}, %{customdata[2]}<extra></extra>"),
            meta={"role": "outcome", "outcome": outcome})
    for kind in ("observation", "likelihood", "counts"):
        if (timeline["kind"] == kind).any():
            fig.add_scatter(x=[None], y=[None], mode="markers", name=_KIND_WORDS[kind],
                            marker={"symbol": _SYMBOLS[kind], "size": 9, "color": "#777777"},
                            hoverinfo="skip", meta={"role": "legend", "kind": kind})
    attrs = timeline.attrs
    default = _title("How beliefs moved", attrs.get("scenario"), None)
    if attrs.get("evidence"):
        default += f" | evidence {attrs['evidence']}"
    subtitle = "Lines: the posterior after each item"
    if "interval" in attrs:
        subtitle += (f"; bands: {attrs['interval']:.0%} credible intervals "
                     f"({attrs.get('n_draws', 0):,} draws, importance-weighted)")
    _layout(fig, title=title or default, subtitle=subtitle, height=520,
            legend={"title": {"text": "Outcome"}}, margin={"t": 90}, hovermode="closest")
    fig.update_yaxes(title_text="Probability", tickformat=".0%", range=[0, 1])
    fig.update_xaxes(title_text="Date of the evidence")
    return fig


def plot_survival(curve: pd.DataFrame, reference: pd.DataFrame | None = None, *,
                  title: str | None = None) -> go.Figure:
    """Draw the probability that the truce still holds, against a reference class.

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
        Default: ``"Does the truce hold? — <scenario>"``.

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
    _check_frame(curve, ("day", "survival", "lower", "upper"), "curve")
    if reference is not None:
        _check_frame(reference, ("day", "survival", "lower", "upper", "at_risk", "events",
                                 "censored"), "reference")
    fig = go.Figure()
    groups = (list(curve.groupby("scenario", sort=False)) if "scenario" in curve.columns
              else [(curve.attrs.get("scenario") or "Model", curve)])
    colours = ["#1f4e79", *_palette(len(groups))]
    for i, (name, part) in enumerate(groups):
        colour = colours[i]
        label = f"Model: {name}"
        _add_band(fig, part["day"], part["lower"], part["upper"], colour, name=label,
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
        _add_band(fig, ref["day"], ref["lower"].fillna(ref["survival"]),
                  ref["upper"].fillna(ref["survival"]), _REFERENCE_COLOUR,
                  name="Reference class", shape="hv")
        fig.add_scatter(
            x=list(ref["day"]), y=list(ref["survival"]), mode="lines", name="Reference class "
            "(Kaplan–Meier)", line={"color": _REFERENCE_COLOUR, "width": 2, "shape": "hv"},
            customdata=np.column_stack([ref["at_risk"], ref["events"], ref["censored"]]),
            hovertemplate=("<b>Earlier truces</b><br>Day %{x:,.0f}: %{y:.1%} still holding"
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
                hovertemplate=("Day %{x:,.0f}: %{customdata} truce(s) still open (censored)"
                               "<extra></extra>"),
                meta={"role": "censored"})
    events = curve.attrs.get("event")
    event_text = ", ".join(events) if isinstance(events, list | tuple) else events
    default = _title("Does the truce hold?", None if "scenario" in curve.columns else
                     curve.attrs.get("scenario"), curve.attrs.get("given"))
    subtitle = "Probability that the truce has not ended"
    if event_text:
        subtitle += f" in {event_text.replace('_', ' ')}"
    if curve.attrs.get("held_until") is not None:
        subtitle += f", given that it held to day {curve.attrs['held_until']:g}"
    if "interval" in curve.attrs:
        subtitle += f"; band: {curve.attrs['interval']:.0%} credible interval over the priors"
    top = float(curve["day"].max())
    _layout(fig, title=title or default, subtitle=subtitle, height=500, margin={"t": 90},
            legend={"x": 1, "xanchor": "right", "y": 1, "bgcolor": "rgba(255,255,255,0.7)"})
    fig.update_xaxes(title_text="Days since the truce began", range=[0, top],
                     rangemode="tozero")
    fig.update_yaxes(title_text="Probability the truce still holds", tickformat=".0%",
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
    _check_frame(curve, ("phase", "label", "day", "probability"), "curve")
    phases = list(pd.unique(curve["phase"]))
    shades = sample_colorscale("Viridis", [0.85 * i / max(len(phases) - 1, 1)
                                           for i in range(len(phases))])
    fig = go.Figure()
    for colour, (phase, part) in zip(shades, curve.groupby("phase", sort=False), strict=True):
        label = part["label"].iloc[0]
        fig.add_scatter(x=list(part["day"]), y=list(part["probability"]), mode="lines",
                        name=label, line={"color": colour, "width": 2.2},
                        hovertemplate=(f"<b>{label}</b><br>Completed by day %{{x:,.0f}}: "
                                       "%{y:.1%}<extra></extra>"),
                        meta={"role": "phase", "phase": phase})
    _layout(fig, title=_frame_title("When the phases complete", curve, title), height=460,
            subtitle="Probability that the phase has happened and resolved, on any branch",
            legend={"title": {"text": "Phase"}}, margin={"t": 90})
    fig.update_xaxes(title_text="Days since the truce began", rangemode="tozero")
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
    _check_frame(scores, ("scenario", "question", "observed", "probability", "brier",
                          "log_score", "given", "provisional"), "scores")
    questions = list(pd.unique(scores["question"]))
    provisional = scores.groupby("question")["provisional"].any()
    ticks = [q.replace("_", " ") + (" (provisional)" if provisional[q] else "")
             for q in questions]
    scenarios = list(pd.unique(scores["scenario"]))
    colours = dict(zip(scenarios, _palette(len(scenarios)), strict=True))
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
                customdata=[[name, o, p, _wrap(g or "nothing", 50)]
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
    _layout(fig, title=title or default, height=height, subtitle=subtitle, barmode="group",
            legend={"title": {"text": "Scenario"}}, margin={"t": 100})
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
    _check_frame(disagreement, ("key", "label", "analyst", "mean", "p05", "p95", "spread",
                                "rank"), "disagreement")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top == {top!r}, expected a positive integer")
    shown = disagreement[disagreement["rank"] <= top]
    keys = list(pd.unique(shown.sort_values("rank", kind="stable")["key"]))
    first = shown.drop_duplicates("key").set_index("key").reindex(keys)
    ticks = list(first["label"])
    analysts = list(pd.unique(disagreement["analyst"]))
    colours = dict(zip(analysts, _palette(len(analysts)), strict=True))
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
    _layout(fig, title=title or "Where the analysts disagree",
            subtitle=f"The {len(keys)} branch probabilities with the widest spread of the "
            "analysts' prior means", height=int(170 + 42 * len(keys)),
            legend={"title": {"text": "Analyst"}}, margin={"t": 90, "l": 20})
    fig.update_xaxes(title_text="Probability (the analyst's prior: mean and 90% interval)",
                     range=[0, 1], tickformat=".0%")
    fig.update_yaxes(title_text="Branch probability", categoryorder="array",
                     categoryarray=ticks, autorange="reversed")
    return fig


# ------------------------------------------------------- uncertainty over the priors

# plot_priors: panels per row, pixels per row of panels, points per density curve.
_PRIOR_COLUMNS = 4
_PRIOR_ROW_PX = 190
_PRIOR_POINTS = 121
_PRIOR_MARGIN = {"t": 110, "b": 50, "l": 40, "r": 30}
_INTERVAL_WIDTHS = (3.0, 7.0, 11.0)  # error-bar widths, widest interval first
_DRAW_ROW_PX = 130


def _draws_subtitle(attrs: Mapping) -> str | None:
    """``"100,000 draws of the priors · seed 1"`` from a frame's (or samples') attrs."""
    if "n_draws" not in attrs:
        return None
    seed = str(attrs.get("seed"))
    seed = seed if len(seed) <= 12 else seed[:10] + "…"
    return f"{attrs['n_draws']:,} draws of the priors · seed {seed}"


def _samples_title(what: str, samples: OutcomeSamples, title: str | None) -> str:
    return title if title is not None else _title(what, samples.scenario, samples.given)


def _check_samples(samples: object) -> OutcomeSamples:
    if not isinstance(samples, OutcomeSamples):
        raise TypeError(f"samples: got {type(samples).__name__}, expected the OutcomeSamples "
                        "that analysis.sample_outcomes returns")
    return samples


def _phase_colours(phases: list[str]) -> dict[str, str]:
    palette = ["#1f77b4", "#9467bd", "#17becf", "#8c564b", "#2ca02c", "#7f7f7f", "#bcbd22",
               "#e377c2"]
    return {p: palette[i % len(palette)] for i, p in enumerate(phases)}


def _prior_panel_title(scenario: Scenario, phase_id: str, rule: str, branch: str) -> str:
    phase = next(p for p in scenario.model.phases if p.id == phase_id)
    where = display_label(phase.id, phase.label)
    if rule:
        where += f" · {rule.replace('_', ' ')}"
    return f"{where}<br><b>{display_label(branch, phase.branches[branch].label)}</b>"


def plot_priors(scenario: Scenario, *, interval: float = 0.9, title: str | None = None
                ) -> go.Figure:
    """Draw every uncertain prior's density, as small multiples.

    One panel per uncertain branch probability (:func:`analysis.prior_marginals`):
    the density of its Beta (a Dirichlet branch's marginal Beta), with the
    central interval shaded and the mean marked. Panels share the x axis
    (probability, 0 to 1) and take their phase's colour; the hover text gives
    the prior as written, its Beta, mean and interval, the claims it cites and
    its rationale. Densities are drawn where the prior has 99.9% of its mass.

    Parameters
    ----------
    scenario : Scenario
        The scenario whose priors to draw.
    interval : float
        The central interval to shade, strictly between 0 and 1.
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
    ValueError
        If ``interval`` is not strictly between 0 and 1.
    """
    from scipy import stats  # slow to import; only needed here

    marginals = prior_marginals(scenario, interval=interval)
    text = title if title is not None else _title("Priors", scenario.id, None)
    if marginals.empty:
        fig = go.Figure()
        fig.add_annotation(text="Every probability of the scenario is fixed", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _layout(fig, title=text, height=250)
    n = len(marginals)
    columns = min(_PRIOR_COLUMNS, n)
    rows = math.ceil(n / columns)
    titles = [_prior_panel_title(scenario, r.phase, r.rule, r.branch)
              for r in marginals.itertuples(index=False)]
    height = _PRIOR_MARGIN["t"] + _PRIOR_MARGIN["b"] + _PRIOR_ROW_PX * rows
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles,
                        horizontal_spacing=0.04,
                        vertical_spacing=min(0.55 / rows, 70 / (height - 160)))
    colours = _phase_colours(list(pd.unique(marginals["phase"])))
    for i, prior in enumerate(marginals.itertuples(index=False)):
        row, col = divmod(i, columns)
        row, col = row + 1, col + 1
        a, b = prior.alpha, prior.beta
        left, right = stats.beta.ppf([0.0005, 0.9995], a, b)
        x = np.linspace(left, right, _PRIOR_POINTS)
        density = stats.beta.pdf(x, a, b)
        cite = ", ".join(prior.cite.split(", ")) if prior.cite else "(none)"
        hover = "<br>".join(line for line in [
            f"<b>{prior.key}</b>",
            f"{prior.detail}" + ("" if prior.kind == "beta" else
                                 f" → Beta({a:.3g}, {b:.3g})"),
            f"Mean {prior.mean:.3f}; {interval:.0%} interval {prior.lower:.3f}–{prior.upper:.3f}",
            "<br>".join(textwrap.wrap("Cites: " + cite, 70, break_on_hyphens=False,
                                      break_long_words=False)),
            _wrap(prior.rationale, 70),
        ] if line)
        colour = colours[prior.phase]
        fig.add_scatter(x=x, y=density, mode="lines", line={"color": colour, "width": 2},
                        name=prior.key, showlegend=False,
                        hovertemplate=hover + "<br>p = %{x:.3f}, density %{y:.2f}<extra></extra>",
                        meta={"role": "density", "key": prior.key}, row=row, col=col)
        inside = np.linspace(prior.lower, prior.upper, _PRIOR_POINTS // 2)
        fig.add_scatter(x=inside, y=stats.beta.pdf(inside, a, b), mode="lines",
                        line={"width": 0, "color": colour}, fill="tozeroy", opacity=0.3,
                        fillcolor=colour, name=f"{interval:.0%} interval", showlegend=False,
                        hoverinfo="skip", meta={"role": "interval", "key": prior.key},
                        row=row, col=col)
        fig.add_scatter(x=[prior.mean, prior.mean], y=[0, float(stats.beta.pdf(prior.mean, a, b))],
                        mode="lines", line={"color": _POINT_COLOUR, "width": 1, "dash": "dot"},
                        name="Mean", showlegend=False, hoverinfo="skip",
                        meta={"role": "mean", "key": prior.key}, row=row, col=col)
        fig.update_xaxes(range=[0, 1], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1],
                         title_text="Probability" if row == rows else None, row=row, col=col)
        fig.update_yaxes(showticklabels=False, rangemode="tozero", row=row, col=col)
    fig.update_annotations(font={"size": 11})
    return _layout(fig, title=text, height=height, margin=_PRIOR_MARGIN,
                   subtitle=(f"Density of each uncertain branch probability; shaded: "
                             f"{interval:.0%} interval; dotted: mean"))


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
    _check_frame(summary, ("outcome", "label", "colour", "interval", "at_means", "mean",
                           "mcse", "median", "lower", "upper"), "summary")
    intervals = sorted(pd.unique(summary["interval"]), reverse=True)
    names = " and ".join(f"{i:.0%}" for i in sorted(intervals))
    text = _frame_title(f"Outcome probabilities with {names} intervals", summary, title)
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
                    marker={"symbol": "line-ns-open", "size": 18, "color": _POINT_COLOUR,
                            "line": {"width": 2, "color": _POINT_COLOUR}},
                    hovertemplate="%{y} at the priors' means: %{x:.1%}<extra></extra>",
                    meta={"role": "at_means"})
    top = float(summary["upper"].max()) if len(summary) else 1.0
    widths = ", ".join(f"{'thick' if rank else 'thin'}: {i:.0%} interval"
                       for rank, i in enumerate(intervals[:2]))
    subtitle = "; ".join(part for part in (_draws_subtitle(summary.attrs),
                                           f"dot: mean; {widths}") if part)
    _layout(fig, title=text, subtitle=subtitle,
            height=int(170 + 60 * len(order)), margin={"t": 90, "l": 20},
            showlegend=True, legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02,
                                     "yanchor": "bottom"})
    fig.update_xaxes(title_text="Probability of the outcome", tickformat=".0%",
                     range=[0, min(1.0, top * 1.08 + 0.01)], rangemode="tozero")
    fig.update_yaxes(title_text="Outcome", type="category", categoryorder="array",
                     categoryarray=[labels[o] for o in order], autorange="reversed")
    return fig


def plot_outcome_draws(samples: OutcomeSamples, *, bins: int = 60, interval: float = 0.9,
                       title: str | None = None) -> go.Figure:
    """Draw how each outcome's probability is distributed across the draws.

    One histogram per outcome (rows sharing the probability axis), in the
    outcome's colour, with its median (solid) and central interval (dashed)
    marked; wide histograms are outcomes the priors leave uncertain.

    Parameters
    ----------
    samples : OutcomeSamples
        From :func:`analysis.sample_outcomes`.
    bins : int
        About how many bins per outcome (see :func:`analysis.outcome_histogram`).
    interval : float
        The interval to mark.
    title : str, optional
        Default: ``"Outcome probabilities across draws — <scenario> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        Per outcome, a bar trace (``meta["role"] == "histogram"``, with
        ``meta["outcome"]``) and a ``markers`` trace (median and interval ends).

    Raises
    ------
    TypeError
        If ``samples`` is not an :class:`~analysis.sampling.OutcomeSamples`.
    """
    samples = _check_samples(samples)
    histogram = outcome_histogram(samples, n_bins=bins)
    summary = outcome_intervals(samples, interval=interval).set_index("outcome")
    outcomes = list(samples.outcomes["outcome"])
    n = len(outcomes)
    height = 120 + _DRAW_ROW_PX * n
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True,
                        subplot_titles=list(samples.outcomes["label"]),
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
                            line={"color": _POINT_COLOUR, "width": 1, "dash": dash},
                            showlegend=False,
                            hovertemplate=f"{label}: {name.lower()} %{{x:.1%}}<extra></extra>",
                            meta={"role": "marks", "outcome": outcome}, row=i, col=1)
        fig.update_yaxes(showticklabels=False, title_text="Density" if i == (n + 1) // 2 else None,
                         rangemode="tozero", row=i, col=1)
    right = float(histogram["upper"].max())
    fig.update_xaxes(tickformat=".0%", range=[0, min(1.0, right * 1.05 + 0.01)])
    fig.update_xaxes(title_text="Probability of the outcome", row=n, col=1)
    subtitle = _draws_subtitle(samples.metadata())
    subtitle += f" · solid: median; dashed: {interval:.0%} interval"
    return _layout(fig, title=_samples_title("Outcome probabilities across draws", samples,
                                             title),
                   subtitle=subtitle, height=height, bargap=0, margin={"t": 100})


def plot_attribute_cdf(samples: OutcomeSamples, *, interval: float = 0.9,
                       title: str | None = None) -> go.Figure:
    """Draw the empirical CDF of each attribute's expected value across the draws.

    One panel per attribute (each in its own unit): the share of draws whose
    expected value is at most x, with the median and central interval marked.

    Parameters
    ----------
    samples : OutcomeSamples
        From :func:`analysis.sample_outcomes`.
    interval : float
        The interval to mark.
    title : str, optional
        Default: ``"Expected attributes across draws — <scenario> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        Per attribute, a line trace (``meta["role"] == "ecdf"``, with
        ``meta["attribute"]``) and a ``marks`` trace.

    Raises
    ------
    TypeError
        If ``samples`` is not an :class:`~analysis.sampling.OutcomeSamples`.
    """
    samples = _check_samples(samples)
    text = _samples_title("Expected attributes across draws", samples, title)
    ecdf = attribute_ecdf(samples)
    attributes = list(samples.attributes["attribute"])
    if not attributes:
        fig = go.Figure()
        fig.add_annotation(text="The scenario declares no attributes", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _layout(fig, title=text, height=250)
    summary = attribute_intervals(samples, interval=interval).set_index("attribute")
    n = len(attributes)
    height = _ATTR_MARGIN["t"] + _ATTR_MARGIN["b"] + 190 * n
    fig = make_subplots(rows=n, cols=1, subplot_titles=list(samples.attributes["label"]),
                        vertical_spacing=min(_ATTR_GAP_PX / (height - 150),
                                             1 / max(n - 1, 1) - 1e-3))
    for i, attribute in enumerate(attributes, start=1):
        part = ecdf[ecdf["attribute"] == attribute]
        label, unit = part["label"].iat[0], part["unit"].iat[0]
        fig.add_scatter(
            x=list(part["value"]), y=list(part["cumulative"]), mode="lines", name=label,
            line={"color": _POINT_COLOUR, "width": 2, "shape": "linear"}, showlegend=False,
            hovertemplate=(f"<b>{label}</b><br>Expected value ≤ %{{x:,.3~g}} {unit}<br>"
                           "in %{y:.1%} of draws<extra></extra>"),
            meta={"role": "ecdf", "attribute": attribute}, row=i, col=1)
        row = summary.loc[attribute]
        tails = ((1 - interval) / 2, 0.5, (1 + interval) / 2)
        names = [f"{tails[0]:.1%} quantile", "Median", f"{tails[2]:.1%} quantile"]
        fig.add_scatter(
            x=[row["lower"], row["median"], row["upper"]], y=list(tails), mode="markers",
            marker={"size": 9, "color": ["#ffffff", _POINT_COLOUR, "#ffffff"],
                    "line": {"color": _POINT_COLOUR, "width": 1.5}},
            customdata=names, name="Median and interval", showlegend=False,
            hovertemplate=(f"{label}: %{{customdata}} %{{x:,.3~g}} {unit}<extra></extra>"),
            meta={"role": "marks", "attribute": attribute}, row=i, col=1)
        fig.update_xaxes(title_text=unit, row=i, col=1)
        fig.update_yaxes(title_text="Share of draws ≤ x", range=[0, 1.02], tickformat=".0%",
                         row=i, col=1)
    subtitle = _draws_subtitle(samples.metadata())
    subtitle += f" · markers: median and {interval:.0%} interval"
    return _layout(fig, title=text, subtitle=subtitle, height=height, margin=_ATTR_MARGIN)


# ------------------------------------------------------------ decisions and sensitivity

_LOW_COLOUR = "#4575b4"  # an interval's low end
_HIGH_COLOUR = "#d73027"  # and its high end
_OPTION_COLOURS = ("#1b9e77", "#7570b3", "#d95f02", "#e7298a", "#66a61e", "#e6ab02",
                   "#a6761d", "#666666")
_BEST_MARK = "★"
# A horizontal legend above the plot, under the title and subtitle.
_TOP_LEGEND = {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}


def _unit_suffix(unit: str | None) -> str:
    return f" ({unit})" if unit else ""


def _result_format(unit: str | None) -> str:
    """Return the d3 format of an output: a percentage for a probability, else 3 digits."""
    return ".1%" if unit == "probability" else ",.3~g"


def _result_text(value: float, unit: str | None) -> str:
    """Format an output's value as :func:`_result_format` does, in Python."""
    return f"{value:.1%}" if unit == "probability" else f"{value:,.3g}"


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
    _check_frame(table, ("parameter", "label", "low", "high", "result_low", "result_high",
                         "base", "swing"), "table")
    rows = table.sort_values("swing", ascending=False, kind="stable")
    if top is not None:
        rows = rows.head(top)
    rows = rows.iloc[::-1]  # plotly draws the first category at the bottom
    unit = table.attrs.get("unit")
    output = table.attrs.get("output_label") or table.attrs.get("output") or "Output"
    base = float(rows["base"].iloc[0]) if len(rows) else 0.0
    number = _result_format(unit)
    labels = list(rows["label"])  # whole: shortened labels could collide as categories
    fig = go.Figure()
    for end, colour, name in (("low", _LOW_COLOUR, "Parameter at its interval's low end"),
                              ("high", _HIGH_COLOUR, "Parameter at its interval's high end")):
        results = rows[f"result_{end}"].to_numpy(dtype=float)
        fig.add_bar(
            x=list(results - rows["base"].to_numpy(dtype=float)),
            base=list(rows["base"].astype(float)), y=labels, orientation="h", name=name,
            marker={"color": colour},
            customdata=list(zip(rows["label"], rows[end], results, strict=True)),
            hovertemplate=(f"<b>%{{customdata[0]}}</b><br>At {end} end %{{customdata[1]:.3f}}: "
                           f"%{{customdata[2]:{number}}}<extra></extra>"),
            meta={"role": end})
    fig.add_vline(x=base, line_color=_POINT_COLOUR, line_width=1.5,
                  annotation_text=f"at the priors' means: {_result_text(base, unit)}",
                  annotation_position="bottom right")
    interval = table.attrs.get("interval")
    subtitle = (f"Each prior across its central {interval:.0%} interval, the others at their "
                "means" if interval else None)
    dm = table.attrs.get("decision_maker")
    if dm and subtitle:
        subtitle += f"; the decisions of {dm} re-optimised at each value"
    default = _title(f"Tornado: {output}", table.attrs.get("scenario"), table.attrs.get("given"))
    _layout(fig, title=title or default, subtitle=subtitle,
            height=int(200 + 34 * max(len(rows), 1)), barmode="overlay",
            legend=_TOP_LEGEND, margin={"t": 130, "l": 20})
    axis = output if unit and unit in output else output + _unit_suffix(unit)
    fig.update_xaxes(title_text=axis, tickformat=".0%" if unit == "probability" else None)
    fig.update_yaxes(title_text="Prior (parameter)", automargin=True)
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
    _check_frame(frame, ("x_parameter", "x_label", "y_parameter", "y_label", "x_value",
                         "y_value", "result"), "frame")
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
    number = _result_format(unit)
    fig = go.Figure()
    fig.add_heatmap(
        x=list(xs), y=list(ys), z=grid.to_numpy(dtype=float), colorscale="Viridis",
        colorbar={"title": {"text": unit or "value", "side": "right"},
                  "tickformat": ".0%" if unit == "probability" else None},
        customdata=custom, name=output,
        hovertemplate=(f"{_wrap(x_label, 40)}: %{{x:.3f}}<br>{_wrap(y_label, 40)}: %{{y:.3f}}"
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
                                       f"{_result_text(attrs.get('base', np.nan), unit)}"
                                       "<extra></extra>"),
                        meta={"role": "means"})
    default = _title(f"Two-way sensitivity: {output}", attrs.get("scenario"),
                     attrs.get("given"))
    subtitle = "×: the priors' means"
    if has_policy:
        subtitle += ("; white lines: where the optimal policy of "
                     f"{attrs.get('decision_maker') or 'the decision maker'} changes "
                     "(hover for it)")
    _layout(fig, title=title or default, subtitle=subtitle, height=580, showlegend=False,
            margin={"t": 100})
    fig.update_xaxes(title_text=f"{_shorten(x_label, 60)} (probability)")
    fig.update_yaxes(title_text=f"{_shorten(y_label, 60)} (probability)")
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


def _node_titles(frame: pd.DataFrame, nodes: list) -> list[str]:
    """Each node's information state, in labels when the frame has them."""
    column = "information_label" if "information_label" in frame.columns else "information"
    return [_wrap(str(frame.loc[frame["node"] == n, column].iloc[0]).replace(" > ", " → "), 110)
            for n in nodes]


def _option_frame(result) -> pd.DataFrame:
    frame = getattr(result, "option_values", result)
    _check_frame(frame, ("node", "information", "option", "option_label", "stakeholder",
                         "stakeholder_label", "unit", "expected_utility", "best", "chosen"),
                 "option values")
    return frame


def plot_option_values(result, *, title: str | None = None) -> go.Figure:
    """Draw each option's expected utility for every stakeholder, side by side.

    One panel per information state of the decision maker's first decision;
    in each, stakeholders along the axis and one bar per option. A star
    marks each stakeholder's best option, and the decision maker's choice
    has a dark outline.

    Parameters
    ----------
    result : RollbackResult or DataFrame
        :func:`analysis.rollback`'s result, or its ``option_values``.
    title : str, optional
        Default: ``"Expected utility of each option — <scenario> (decision:
        <decision maker>)"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``result`` is neither.
    ValueError
        If a column is missing.
    """
    frame = _option_frame(result)
    nodes = list(pd.unique(frame["node"]))
    options = list(pd.unique(frame["option"]))
    colours = {o: _OPTION_COLOURS[i % len(_OPTION_COLOURS)] for i, o in enumerate(options)}
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
                        "line": {"color": [_POINT_COLOUR if c else "white" for c in
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
        fig.update_yaxes(title_text=f"Expected utility{_unit_suffix(units[0])}"
                         if len(units) == 1 else "Expected utility", row=row, col=1,
                         rangemode="tozero")
        fig.update_xaxes(title_text="Stakeholder", row=row, col=1)
    dm = frame.attrs.get("decision_maker")
    what = "Expected utility of each option" + (f" (decision: {dm})" if dm else "")
    default = _title(what, frame.attrs.get("scenario"), frame.attrs.get("given"))
    subtitle = (f"{_BEST_MARK} each stakeholder's best option; dark outline: the decision "
                "maker's choice; each panel: an information state")
    return _layout(fig, title=title or default, subtitle=subtitle, barmode="group",
                   height=int(140 + 300 * max(len(nodes), 1)),
                   legend={"title": {"text": "Option"}}, margin={"t": 110})


def plot_risk_profiles(result, *, title: str | None = None) -> go.Figure:
    """Draw the outcome distribution of each option of the first decision.

    One panel per information state; in each, one stacked horizontal bar
    per option, split into the outcomes' probabilities in their colours
    (the decision maker's optimal policy after the decision).

    Parameters
    ----------
    result : RollbackResult or DataFrame
        :func:`analysis.rollback`'s result, or its ``risk_profiles``.
    title : str, optional
        Default: ``"Risk profile of each option — <scenario>"``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        If ``result`` is neither.
    ValueError
        If a column is missing.
    """
    frame = getattr(result, "risk_profiles", result)
    _check_frame(frame, ("node", "information", "option", "option_label", "outcome", "label",
                         "colour", "probability"), "risk profiles")
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
    default = _title("Risk profile of each option", frame.attrs.get("scenario"),
                     frame.attrs.get("given"))
    return _layout(fig, title=title or default, barmode="stack",
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
    _check_frame(frame, ("group", "label", "first_order", "first_order_se", "total_order",
                         "total_order_se"), "frame")
    rows = frame.sort_values("first_order", ascending=True, kind="stable")
    output = frame.attrs.get("output_label") or frame.attrs.get("output") or "the output"
    fig = go.Figure()
    fig.add_bar(x=list(rows["first_order"]), y=list(rows["label"]), orientation="h",
                name="First-order index (alone)", marker={"color": _LOW_COLOUR},
                error_x={"type": "data", "array": list(1.96 * rows["first_order_se"]),
                         "color": _POINT_COLOUR},
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
    default = _title(f"What drives the uncertainty in {output}", frame.attrs.get("scenario"),
                     None)
    _layout(fig, title=title or default, subtitle=subtitle,
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
    _check_frame(frame, ("group", "label", "members", "evppi", "standard_error"), "frame")
    rows = frame.iloc[::-1]
    attrs = frame.attrs
    unit = attrs.get("unit", "")
    fig = go.Figure()
    fig.add_bar(x=list(rows["evppi"]), y=list(rows["label"]), orientation="h",
                name="EVPPI", marker={"color": _LOW_COLOUR}, texttemplate="%{x:,.3~g}",
                textposition="outside", cliponaxis=False,
                error_x={"type": "data", "array": list(1.96 * rows["standard_error"].fillna(0)),
                         "color": _POINT_COLOUR},
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
    dm = attrs.get("decision_maker") or "the decision maker"
    default = _title(f"Value of information for {dm}", attrs.get("scenario"), None)
    _layout(fig, title=title or default, subtitle=subtitle, showlegend=False,
            height=int(170 + 45 * max(len(rows), 1)), margin={"t": 100})
    fig.update_xaxes(title_text="Expected value of partial perfect information"
                     + _unit_suffix(unit), rangemode="tozero")
    fig.update_yaxes(title_text="Group", automargin=True)
    return fig
