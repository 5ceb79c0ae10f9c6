"""Charts of a scenario and of its results, as plotly figures.

This is the only module of :mod:`analysis` that imports plotly, and the package
does not import it: ``import analysis.plotting`` when you need charts. Every
function takes a :class:`~analysis.scenario.Scenario` or a result frame from
:mod:`analysis.evaluate` and returns a :class:`plotly.graph_objects.Figure`; none
shows the figure or writes a file. An outcome has the colour its scenario file
gives it in every chart.

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

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from .evaluate import NOT_REACHED_LABEL, SKIPPED_LABEL, Given, path_table
from .scenario import Scenario
from .schema import display_label

__all__ = [
    "plot_attribute_distribution",
    "plot_expected_attributes",
    "plot_outcome_distribution",
    "plot_paths_sunburst",
    "plot_phase_marginals",
    "plot_tree",
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
    steps = _read_paths(scenario, path_table(scenario, given))
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
    steps = _read_paths(scenario, path_table(scenario, given))

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
