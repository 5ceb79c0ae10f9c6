"""The scenario's paths: as a probability tree, and as a sunburst or icicle.

Both charts draw :func:`analysis.path_steps`, every path phase by phase.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..analyses.outcomes import STATUS_TAKEN
from .style import (
    chart_title,
    check_frame,
    condition_text,
    frame_changes,
    layout,
    plain_frame,
    probability_text,
    shorten,
    value_text,
    wrap_text,
)

__all__ = ["plot_paths_sunburst", "plot_tree"]

_EDGE_COLOUR = "#8c8c8c"
_NODE_LINE = "#404040"
_INTERNAL_SEGMENT = "#d4d4d4"
_SKIPPED_GREY = "#ececec"
_LEAF_TEXT = "#333333"
_ROOT_ID = "all"

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

_STEP_COLUMNS = ("path", "position", "phase", "phase_label", "question", "status", "branch",
                 "branch_label", "ends_path", "conditional", "probability_so_far",
                 "probability", "outcome", "outcome_label", "colour")
_MADE_BY = "analysis.path_steps(scenario)"


# ------------------------------------------------------------------ reading the frame


@dataclass(frozen=True)
class _Phase:
    id: str
    label: str
    question: str


@dataclass
class _Step:
    """One path of the frame."""

    probability: float
    outcome: str
    decided: list[tuple[int, str]]  # (phase position, branch id) for each branch taken
    ends_early: bool  # the last branch taken ends the path (later phases not reached)
    conditional: dict[int, float]  # each branch taken's probability given the path so far
    values: np.ndarray  # shape (n_phases, n_attributes): values once each phase resolved

    @property
    def attributes(self) -> np.ndarray:
        """The path's attribute values."""
        return self.values[-1]


@dataclass
class _Paths:
    """A :func:`analysis.path_steps` frame, read for drawing."""

    scenario: str | None
    title: str | None
    given: Mapping
    changes: list[str]
    phases: list[_Phase]
    branch_labels: dict[tuple[int, str], str]
    outcomes: dict[str, tuple[str, str]]  # id -> (label, colour), in the file's order
    attributes: list[tuple[str, str]]  # (label, unit) of each attribute column
    initial: np.ndarray  # each attribute's value before any branch
    steps: list[_Step]

    def attribute_lines(self, values: np.ndarray) -> list[str]:
        """``Living hostages returned: 20 people`` for each attribute."""
        return [f"{label}: {value_text(v, unit)}"
                for (label, unit), v in zip(self.attributes, values, strict=True)]

    def outcome_lines(self, totals: Mapping[str, float], total: float) -> list[str]:
        """``Renewed war: 45.0%`` per outcome, most likely first, as shares of ``total``."""
        ranked = sorted(totals.items(), key=lambda item: -item[1])
        share = (lambda p: p / total) if total > 0 else (lambda p: 0.0)
        return [f"{self.outcomes[o][0]}: {share(p):.1%}" for o, p in ranked]

    def path_words(self, decided: list[tuple[int, str]], *, until: int | None = None
                   ) -> list[str]:
        """Branch labels along a path, with ``(phase skipped)`` where it passes one.

        Phases after the last branch and before phase number ``until`` are
        listed as skipped too.
        """
        words: list[str] = []
        previous = -1
        for k, b in decided:
            words += [self._skipped(j) for j in range(previous + 1, k)]
            words.append(self.branch_labels[k, b])
            previous = k
        if until is not None:
            words += [self._skipped(j) for j in range(previous + 1, until)]
        return words

    def _skipped(self, position: int) -> str:
        return f"({self.phases[position].id.replace('_', ' ')} skipped)"


def _read_steps(steps: pd.DataFrame) -> _Paths:
    """Read the frame's paths; raise if it is not :func:`analysis.path_steps` output."""
    check_frame(steps, _STEP_COLUMNS, "steps", made_by=_MADE_BY)
    steps = plain_frame(steps)
    n_phases = steps["phase"].nunique()
    n_paths = len(steps) // max(n_phases, 1)
    positions = steps["position"].to_numpy()
    in_order = np.array_equal(positions, np.tile(np.arange(n_phases), n_paths))
    if n_paths == 0 or not in_order:
        raise ValueError(f"steps: expected one row per path and phase, phases in order, as "
                         f"{_MADE_BY} returns; got {len(steps)} rows for {n_phases} phases")
    attrs = steps.attrs
    declared = attrs.get("attributes") or {}
    names = [a for a in declared if a in steps.columns] or [
        c for c in steps.columns if c not in _STEP_COLUMNS]
    first = steps.iloc[:n_phases]
    phases = [_Phase(p, label, question) for p, label, question in
              zip(first["phase"], first["phase_label"], first["question"], strict=True)]
    taken = steps["status"].to_numpy() == STATUS_TAKEN
    branch_labels = {(int(k), str(b)): str(label) for k, b, label in zip(
        positions[taken], steps["branch"].to_numpy()[taken],
        steps["branch_label"].to_numpy()[taken], strict=True)}
    drawn = steps.drop_duplicates("outcome").set_index("outcome")
    order = [o for o in attrs.get("outcomes") or () if o in drawn.index]
    order += [o for o in drawn.index if o not in order]
    outcomes = {o: (drawn.at[o, "outcome_label"], drawn.at[o, "colour"]) for o in order}

    def grid(column: str) -> np.ndarray:
        return steps[column].to_numpy().reshape(n_paths, n_phases)

    status, branch, ends = grid("status"), grid("branch"), grid("ends_path")
    conditional = grid("conditional").astype(float)
    values = (steps[names].to_numpy(dtype=float).reshape(n_paths, n_phases, len(names))
              if names else np.zeros((n_paths, n_phases, 0)))
    probability = grid("probability")[:, 0].astype(float)
    outcome = grid("outcome")[:, 0]
    paths = []
    for r in range(n_paths):
        decided = [(k, str(branch[r, k])) for k in range(n_phases)
                   if status[r, k] == STATUS_TAKEN]
        paths.append(_Step(
            probability=float(probability[r]), outcome=str(outcome[r]),
            decided=decided, ends_early=bool(ends[r, decided[-1][0]]),
            conditional={k: float(conditional[r, k]) for k, _ in decided},
            values=values[r]))
    return _Paths(
        scenario=attrs.get("scenario"), title=attrs.get("title"),
        given=attrs.get("given") or {}, changes=frame_changes(steps), phases=phases,
        branch_labels=branch_labels, outcomes=outcomes,
        attributes=[(declared.get(a, {}).get("label", a), declared.get(a, {}).get("unit", ""))
                    for a in names],
        initial=np.array([float(declared.get(a, {}).get("initial", 0.0)) for a in names]),
        steps=paths)


# ------------------------------------------------------------------------------ tree


@dataclass
class _Node:
    """A node of the drawn tree: a chance node, or a leaf (one path's end)."""

    decided: tuple[tuple[int, str], ...]
    values: np.ndarray  # attribute values on reaching the node
    probability: float = 0.0
    conditional: float = float("nan")  # of the edge into the node, given its parent
    phase: int | None = None  # the phase decided here; None at a leaf
    children: dict[str, _Node] = field(default_factory=dict)
    step: _Step | None = None  # the path ending here, at a leaf
    outcomes: dict[str, float] = field(default_factory=dict)
    y: float = 0.0


def _build_tree(paths: _Paths) -> _Node:
    """Merge the paths into a tree; children keep the paths' order (the file's branch order)."""
    root = _Node((), paths.initial)
    for step in paths.steps:
        node = root
        for k, b in step.decided:
            node.probability += step.probability
            node.outcomes[step.outcome] = node.outcomes.get(step.outcome, 0.0) + step.probability
            node.phase = k
            if b not in node.children:
                node.children[b] = _Node((*node.decided, (k, b)), step.values[k],
                                         conditional=step.conditional[k])
            node = node.children[b]
        node.probability += step.probability
        node.outcomes[step.outcome] = step.probability
        node.step = step
    return root


def _place(root: _Node) -> tuple[list[_Node], list[_Node]]:
    """Give every node its y (leaves one row apart, top to bottom); return (chance, leaves)."""
    chance: list[_Node] = []
    leaves: list[_Node] = []

    def visit(node: _Node) -> None:
        if node.step is not None:
            node.y = -float(len(leaves))
            leaves.append(node)
            return
        chance.append(node)
        children = list(node.children.values())
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


def _add_edges(fig: go.Figure, paths: _Paths, chance: list[_Node], row_px: float) -> None:
    """Add the edges, the dotted early-end connectors and the edges' text."""
    n = len(paths.phases)
    solid_x: list[float | None] = []
    solid_y: list[float | None] = []
    dotted_x: list[float | None] = []
    dotted_y: list[float | None] = []
    label_x, label_y, names, probabilities, hover = [], [], [], [], []
    conditionals: list[float | None] = []
    for node in chance:
        k = node.phase
        phase = paths.phases[k]
        for branch_id, child in node.children.items():
            branch_label = paths.branch_labels[k, branch_id]
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
            conditional = child.conditional
            passes = [paths.phases[j].id.replace("_", " ") for j in range(k + 1, int(x_end))]
            note = f"<br>Passes {', '.join(passes)} (skipped)" if passes else ""
            if ends_early:
                note += f"<br>Ends the scenario: {paths.outcomes[child.step.outcome][0]}"
            label_x.append(k + _ELBOW + _LABEL_INSET)
            label_y.append(child.y)
            names.append(shorten(branch_label))
            probabilities.append(probability_text(conditional))
            conditionals.append(None if np.isnan(conditional) else conditional)
            hover.append([f"{phase.label}: {branch_label}",
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


def _add_chance_nodes(fig: go.Figure, paths: _Paths, chance: list[_Node], size: float) -> None:
    hover = []
    for node in chance:
        phase = paths.phases[node.phase]
        words = paths.path_words(list(node.decided), until=node.phase)
        lines = [wrap_text(f"{phase.label}: {phase.question}"), "Outcomes from here:"]
        lines += ["  " + line for line in paths.outcome_lines(node.outcomes, node.probability)]
        if paths.attributes:
            lines.append("Attributes so far:")
            lines += ["  " + line for line in paths.attribute_lines(node.values)]
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


def _add_leaves(fig: go.Figure, paths: _Paths, leaves: list[_Node], size: float,
                show_text: bool) -> list[str]:
    """Add one trace of leaves per outcome, in the last column; return the leaves' text."""
    n = len(paths.phases)
    all_text = []
    for outcome_id, (label, colour) in paths.outcomes.items():
        mine = [leaf for leaf in leaves if leaf.step.outcome == outcome_id]
        if not mine:
            continue
        text = [f"{probability_text(leaf.probability, 3)}  {label}" for leaf in mine]
        all_text += text
        hover = []
        for leaf in mine:
            words = paths.path_words([*leaf.decided],
                                     until=None if leaf.step.ends_early else n)
            details = "<br>".join(paths.attribute_lines(leaf.step.attributes))
            hover.append([" → ".join(words), leaf.probability, label, details])
        fig.add_scatter(
            x=[float(n)] * len(mine), y=[leaf.y for leaf in mine],
            text=text if show_text else None, customdata=hover,
            mode="markers+text" if show_text else "markers", textposition="middle right",
            textfont={"size": 11, "color": _LEAF_TEXT}, cliponaxis=False,
            name=label, legendgroup=outcome_id, showlegend=True,
            marker={"symbol": "triangle-left", "size": size + 2, "color": colour,
                    "line": {"color": colour, "width": 1}},
            hovertemplate=("<b>%{customdata[0]}</b><br>Path probability: "
                           "%{customdata[1]:.2%}<br>Outcome: %{customdata[2]}<br>"
                           "%{customdata[3]}<extra></extra>"),
            meta={"role": "leaf", "outcome": outcome_id},
        )
    return all_text if show_text else []


def plot_tree(steps: pd.DataFrame, *, title: str | None = None) -> go.Figure:
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
    steps : DataFrame
        :func:`analysis.path_steps` output; with ``given``, only the paths
        where it holds, with probabilities conditional on it.
    title : str, optional
        Default: ``"Scenario tree — <scenario id> | <given>"``.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, each named by ``meta["role"]``: edges, connectors,
        edge_labels, edge_probabilities, chance_nodes, then one ``leaf``
        trace per outcome.

    Raises
    ------
    TypeError
        If ``steps`` is not a DataFrame.
    ValueError
        If a column is missing, or the rows are not one per path and phase.
    """
    paths = _read_steps(steps)
    n = len(paths.phases)
    chance, leaves = _place(_build_tree(paths))

    n_rows = len(leaves)
    height = int(np.clip(_TREE_MARGIN["t"] + _TREE_MARGIN["b"] + _ROW_PX * n_rows,
                         *_TREE_HEIGHT))
    plot_px = height - _TREE_MARGIN["t"] - _TREE_MARGIN["b"] - 2 * _TREE_PAD_PX
    row_px = plot_px / max(n_rows - 1, 1)
    node_size = float(np.clip(row_px * 0.45, 6, 14))

    fig = go.Figure()
    _add_edges(fig, paths, chance, row_px)
    _add_chance_nodes(fig, paths, chance, node_size)
    leaf_text = _add_leaves(fig, paths, leaves, node_size, row_px >= _LEAF_TEXT_MIN_PX)

    header = "Path probability · outcome"
    right = int(30 + max(_CHAR_PX * max(map(len, leaf_text), default=0),
                         _BOLD_CHAR_PX * len(header)))
    annotations = [
        {"x": k + 0.5, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
         "text": f"<b>{phase.label}</b>", "showarrow": False,
         "hovertext": wrap_text(phase.question)}
        for k, phase in enumerate(paths.phases)
    ]
    annotations.append({"x": n, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
                        "xanchor": "left", "text": f"<b>{header}</b>", "showarrow": False})
    layout(fig, title=title or chart_title("Scenario tree", paths.scenario, paths.given),
           subtitle=paths.title, changes=paths.changes, height=height,
           margin={**_TREE_MARGIN, "r": right}, annotations=annotations,
           legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top", "yref": "paper",
                   "title": {"text": "Outcome"}},
           hovermode="closest")
    fig.update_xaxes(range=[-0.2, n + 0.05], visible=False)
    fig.update_yaxes(range=[-(n_rows - 1) - _TREE_PAD_PX / row_px, _TREE_PAD_PX / row_px],
                     visible=False)
    return fig


# -------------------------------------------------------------------- sunburst / icicle


def plot_paths_sunburst(steps: pd.DataFrame, *,
                        kind: Literal["sunburst", "icicle"] = "sunburst",
                        title: str | None = None) -> go.Figure:
    """Draw the paths as a sunburst or icicle: one ring (or level) per phase.

    Each segment is a branch, sized by the probability of the paths through
    it; the segment that ends a path has its outcome's colour. Where a path
    skips a phase, its ring holds a pale "<phase> skipped" segment, so every
    ring stays one phase; phases skipped after a path's last branch add no
    segment.

    Parameters
    ----------
    steps : DataFrame
        :func:`analysis.path_steps` output; with ``given``, only the paths
        where it holds, with probabilities conditional on it.
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
    TypeError
        If ``steps`` is not a DataFrame.
    ValueError
        If ``kind`` is neither ``"sunburst"`` nor ``"icicle"``, a column is
        missing, or the rows are not one per path and phase.
    """
    if kind not in ("sunburst", "icicle"):
        raise ValueError(f"kind: got {kind!r}, expected 'sunburst' or 'icicle'")
    paths = _read_steps(steps)
    phases = paths.phases

    condition = condition_text(paths.given)
    root_label = f"Paths where {condition}" if condition else "All paths"
    segments: dict[str, dict] = {
        _ROOT_ID: {"parent": "", "value": 0.0, "phase": None, "branch": None, "outcomes": {},
                   "label": root_label, "words": []},
    }
    for step in paths.steps:
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
                "label": (paths.branch_labels[k, b] if b is not None
                          else f"{phase.label} skipped"),
                "words": paths.path_words([(j, branches[j]) for j in range(k + 1)
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
            outcome_label, colour = paths.outcomes[leaf.outcome]
            colours.append(colour)
            details = [f"Outcome: {outcome_label}", *paths.attribute_lines(leaf.attributes)]
        else:
            colours.append(_SKIPPED_GREY if seg["phase"] is not None and seg["branch"] is None
                           else _INTERNAL_SEGMENT)
            details = ["Outcomes from here:", *("  " + line for line in paths.outcome_lines(
                seg["outcomes"], seg["value"]))]
        if seg["phase"] is None:
            where = f"{root_label} of {paths.scenario}" if paths.scenario else root_label
        elif seg["branch"] is None:
            where = f"{phases[seg['phase']].label}: skipped on these paths"
        else:
            where = f"{phases[seg['phase']].label}: {seg['label']}"
        data.append([where, " → ".join(seg["words"]) or paths.title or "", "<br>".join(details)])

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
    for outcome_id, (outcome_label, colour) in paths.outcomes.items():
        fig.add_scatter(x=[None], y=[None], mode="markers", name=outcome_label,
                        marker={"symbol": "square", "size": 12, "color": colour},
                        legendgroup=outcome_id, hoverinfo="skip",
                        meta={"role": "legend", "outcome": outcome_id})
    if kind == "sunburst":
        subtitle = "Centre: all paths; rings outward: "
        legend = {"x": 1, "xanchor": "right", "y": 1}
    else:
        subtitle = "Left: all paths; levels rightward: "
        legend = {"orientation": "h", "x": 0, "y": 0, "yanchor": "top"}
    subtitle += " → ".join(p.label for p in phases)
    default = chart_title("Paths by phase", paths.scenario, paths.given)
    layout(fig, title=title or default, subtitle=subtitle, changes=paths.changes, height=680,
           margin={"t": 90, "b": 50, "l": 20, "r": 20},
           legend={"title": {"text": "Outcome"}, **legend},
           uniformtext={"minsize": 9, "mode": "hide"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
