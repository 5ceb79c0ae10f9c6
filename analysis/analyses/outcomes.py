"""Exact results of a scenario at its priors' means, as tidy DataFrames.

Every function takes an optional ``given`` (``{"exchanges": "complete"}`` or
``{"exchanges": ["complete", "partial"]}``): the result is then conditional on
those phases having taken those branches, renormalised by Bayes' rule,
``P(path | given) = P(path) / P(given)`` for the paths where ``given`` holds.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..core.arguments import Given
from ..core.text import display_label
from ..engines.exact import attribute_moments, condition, outcome_probabilities
from ..model.scenario import Scenario
from ..model.tree import NOT_REACHED, SKIPPED

__all__ = [
    "NOT_REACHED_LABEL",
    "SKIPPED_LABEL",
    "STATUS_NOT_REACHED",
    "STATUS_SKIPPED",
    "STATUS_TAKEN",
    "attribute_distribution",
    "compare_outcomes",
    "expected_attributes",
    "outcome_distribution",
    "path_steps",
    "path_table",
    "phase_marginals",
]

#: Row labels of :func:`phase_marginals` for paths that do not take a branch.
SKIPPED_LABEL = "(skipped)"
NOT_REACHED_LABEL = "(not reached)"
#: The ``status`` of a row of :func:`path_steps`: the path takes a branch of
#: the phase, the phase does not apply to the path, or the path ended before it.
STATUS_TAKEN, STATUS_SKIPPED, STATUS_NOT_REACHED = "taken", "skipped", "not reached"


def _attrs(scenario: Scenario, given: Given) -> dict:
    return {**scenario.metadata(), "given": dict(given or {})}


def path_table(scenario: Scenario, *, given: Given = None) -> pd.DataFrame:
    """Return one row per path.

    Columns: ``path`` (the branches taken, joined by ``' > '``), one column per
    phase (the branch taken, or missing where the phase was skipped or not
    reached), ``probability``, ``outcome`` and one column per attribute.
    With ``given``, only the paths where it holds (zero-probability ones
    included), with renormalised probabilities.
    """
    tree = scenario.tree
    weights, keep = condition(scenario, given)
    columns: dict[str, object] = {}
    for k, phase in enumerate(scenario.model.phases):
        names = np.array(list(phase.branches) + [None, None], dtype=object)
        columns[phase.id] = names[tree.branch_index[:, k]]  # -1, -2 index the Nones
    rows = zip(*columns.values(), strict=True)
    paths = [" > ".join(b for b in row if b is not None) for row in rows]
    frame = pd.DataFrame({"path": paths, **columns})
    frame["probability"] = weights
    frame["outcome"] = np.array(tree.outcomes)[tree.outcome_index]
    for a, name in enumerate(tree.attributes):
        frame[name] = tree.attribute_values[:, a]
    frame = frame[keep].reset_index(drop=True)
    frame.attrs = _attrs(scenario, given)
    return frame


def path_steps(scenario: Scenario, *, given: Given = None) -> pd.DataFrame:
    """Return every path phase by phase: what the probability tree and the sunburst draw.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.
    given : mapping, optional
        Keep only the paths where these phases took these branches, with
        probabilities conditional on that (as in :func:`path_table`).

    Returns
    -------
    DataFrame
        One row per path and phase, paths in :func:`path_table`'s order and
        phases in the file's. Columns:

        - ``path``: the path's branches, joined by ``' > '`` (as in :func:`path_table`);
        - ``position`` (the phase's place in the file, from 0), ``phase``,
          ``phase_label``, ``question``;
        - ``status``: ``"taken"`` (the path takes a branch of the phase),
          ``"skipped"`` (the phase does not apply to the path) or
          ``"not reached"`` (the path ended before the phase);
        - ``branch``, ``branch_label``: the branch taken, missing otherwise;
        - ``ends_path``: the branch ends the scenario in an outcome;
        - ``conditional``: the branch's probability given the path so far
          (missing where no branch is taken or nothing reaches the phase);
        - ``probability_so_far``: the probability of the paths that agree
          with this one up to and including this phase;
        - ``probability``, ``outcome``, ``outcome_label``, ``colour``: the
          whole path's;
        - one column per attribute: its value on the path once this phase
          has resolved (on the last row, the path's value in :func:`path_table`).

        ``attrs``: ``scenario``, ``changes``, ``given``, ``title`` (the
        scenario's), ``outcomes`` (every outcome id, in the file's order) and
        ``attributes`` (attribute id -> ``label``, ``unit`` and ``initial``,
        its value before any branch).

    Raises
    ------
    QueryError
        For an unknown phase or branch in ``given``, or a condition of probability 0.
    """
    tree, model = scenario.tree, scenario.model
    weights, keep = condition(scenario, given)
    chosen = tree.branch_index[keep]
    probability = weights[keep]
    n_paths, n_phases = chosen.shape
    phases = model.phases
    attributes = model.attributes
    combine_last = np.array([a.combine == "last" for a in attributes.values()], dtype=bool)

    branch_ids = np.empty(chosen.shape, dtype=object)
    branch_labels = np.empty(chosen.shape, dtype=object)
    ends_path = np.zeros(chosen.shape, dtype=bool)
    values = np.empty((n_paths, n_phases, len(attributes)))
    current = np.tile([a.initial for a in attributes.values()], (n_paths, 1)).astype(float)
    for k, phase in enumerate(phases):
        branches = list(phase.branches.values())
        # Index -1 and -2 (skipped, not reached) pick the trailing Nones and Falses.
        branch_ids[:, k] = np.array([*phase.branches, None, None], dtype=object)[chosen[:, k]]
        branch_labels[:, k] = np.array(
            [*(display_label(b, branch.label) for b, branch in phase.branches.items()),
             None, None], dtype=object)[chosen[:, k]]
        ends_path[:, k] = np.array([b.outcome is not None for b in branches] + [False, False]
                                   )[chosen[:, k]]
        for b, branch in enumerate(branches):
            rows = chosen[:, k] == b
            for name, value in branch.attributes.items():
                a = list(attributes).index(name)
                current[rows, a] = value if combine_last[a] else current[rows, a] + value
        values[:, k] = current

    # The paths that agree with each one up to and including each phase.
    so_far = np.empty(chosen.shape)
    for k in range(n_phases):
        _, group = np.unique(chosen[:, :k + 1], axis=0, return_inverse=True)
        group = group.ravel()
        so_far[:, k] = np.bincount(group, weights=probability)[group]
    before = np.column_stack([np.full(n_paths, probability.sum()), so_far[:, :-1]])
    taken = chosen >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = np.where(taken & (before > 0), so_far / before, np.nan)

    status = np.where(taken, STATUS_TAKEN,
                      np.where(chosen == SKIPPED, STATUS_SKIPPED, STATUS_NOT_REACHED))
    paths = [" > ".join(b for b in row if b is not None) for row in branch_ids]
    outcome_ids = np.array(tree.outcomes)[tree.outcome_index[keep]]
    outcomes = model.outcomes

    def per_path(column) -> np.ndarray:
        return np.repeat(np.asarray(column, dtype=object), n_phases)

    frame = pd.DataFrame({
        "path": per_path(paths),
        "position": np.tile(np.arange(n_phases), n_paths),
        "phase": np.tile([p.id for p in phases], n_paths),
        "phase_label": np.tile([display_label(p.id, p.label) for p in phases], n_paths),
        "question": np.tile([p.question for p in phases], n_paths),
        "status": status.ravel(),
        "branch": branch_ids.ravel(),
        "branch_label": branch_labels.ravel(),
        "ends_path": ends_path.ravel(),
        "conditional": conditional.ravel(),
        "probability_so_far": so_far.ravel(),
        "probability": np.repeat(probability, n_phases),
        "outcome": per_path(outcome_ids),
        "outcome_label": per_path([outcomes[o].label for o in outcome_ids]),
        "colour": per_path([outcomes[o].colour for o in outcome_ids]),
        **{name: values[:, :, a].ravel() for a, name in enumerate(attributes)},
    })
    frame.attrs = {
        **_attrs(scenario, given),
        "title": scenario.title,
        "outcomes": list(outcomes),
        "attributes": {name: {"label": a.label, "unit": a.unit, "initial": a.initial}
                       for name, a in attributes.items()},
    }
    return frame


def outcome_distribution(scenario: Scenario, *, given: Given = None) -> pd.DataFrame:
    """Return each declared outcome's probability.

    Columns: ``outcome``, ``label``, ``colour``, ``probability``; one row per
    outcome in the file's order, zero-probability outcomes included.
    """
    totals = outcome_probabilities(scenario, given)
    outcomes = scenario.model.outcomes
    frame = pd.DataFrame({
        "outcome": list(outcomes),
        "label": [o.label for o in outcomes.values()],
        "colour": [o.colour for o in outcomes.values()],
        "probability": totals,
    })
    frame.attrs = _attrs(scenario, given)
    return frame


def expected_attributes(scenario: Scenario, *, given: Given = None) -> pd.DataFrame:
    """Return each attribute's expected value and standard deviation over paths.

    Columns: ``attribute``, ``label``, ``unit``, ``expected``, ``sd``.
    """
    expected, sd = attribute_moments(scenario, given)
    attributes = scenario.model.attributes
    frame = pd.DataFrame({
        "attribute": list(attributes),
        "label": [a.label for a in attributes.values()],
        "unit": [a.unit for a in attributes.values()],
        "expected": expected,
        "sd": sd,
    })
    frame.attrs = _attrs(scenario, given)
    return frame


def phase_marginals(scenario: Scenario, *, given: Given = None) -> pd.DataFrame:
    """Return how likely each phase is to end on each branch.

    Columns: ``phase``, ``phase_label``, ``branch``, ``label``, ``probability`` (of taking the
    branch), ``conditional`` (of taking it given that the phase is reached
    and applies). Rows ``(skipped)`` and ``(not reached)`` carry the paths
    on which the phase does not happen, so each phase's ``probability``
    sums to 1.
    """
    tree = scenario.tree
    weights = condition(scenario, given)[0]
    rows = []
    for k, phase in enumerate(scenario.model.phases):
        column = tree.branch_index[:, k]
        reached = weights[column >= 0].sum()
        phase_label = display_label(phase.id, phase.label)
        for b, (branch_id, branch) in enumerate(phase.branches.items()):
            p = weights[column == b].sum()
            rows.append((phase.id, phase_label, branch_id, display_label(branch_id, branch.label),
                         p, p / reached if reached > 0 else np.nan))
        for code, label in ((SKIPPED, SKIPPED_LABEL), (NOT_REACHED, NOT_REACHED_LABEL)):
            if (column == code).any():
                rows.append((phase.id, phase_label, label, label, weights[column == code].sum(),
                             np.nan))
    frame = pd.DataFrame(rows, columns=["phase", "phase_label", "branch", "label",
                                        "probability", "conditional"])
    frame.attrs = _attrs(scenario, given)
    return frame


def compare_outcomes(scenarios: Iterable[Scenario], *, given: Given = None) -> pd.DataFrame:
    """Stack :func:`outcome_distribution` of several scenarios, with a ``scenario`` column.

    ``scenario`` is each scenario's :attr:`~analysis.Scenario.name` (its id,
    and what changed when something did). Outcomes are matched by id; an
    outcome a scenario does not declare is absent from its rows.
    """
    scenarios = list(scenarios)
    frames = [outcome_distribution(s, given=given).assign(scenario=s.name) for s in scenarios]
    frame = pd.concat(frames, ignore_index=True)[
        ["scenario", "outcome", "label", "colour", "probability"]]
    frame.attrs = {"scenario": ", ".join(s.name for s in scenarios),
                   "changes": [c for s in scenarios for c in s.changes],
                   "given": dict(given or {})}
    return frame


def attribute_distribution(scenario: Scenario, *, given: Given = None) -> pd.DataFrame:
    """Return the probability of each value each attribute takes over the paths.

    Columns: ``attribute``, ``label``, ``unit``, ``value``, ``probability``;
    one row per distinct value of each attribute, in increasing order, so the
    probabilities of an attribute sum to 1.
    """
    tree = scenario.tree
    weights = condition(scenario, given)[0]
    rows = []
    for a, (name, attribute) in enumerate(scenario.model.attributes.items()):
        values, inverse = np.unique(tree.attribute_values[:, a], return_inverse=True)
        mass = np.bincount(inverse, weights=weights, minlength=len(values))
        rows += [(name, attribute.label, attribute.unit, v, m)
                 for v, m in zip(values, mass, strict=True)]
    frame = pd.DataFrame(rows, columns=["attribute", "label", "unit", "value", "probability"])
    frame.attrs = _attrs(scenario, given)
    return frame
