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
    "attribute_distribution",
    "compare_outcomes",
    "expected_attributes",
    "outcome_distribution",
    "path_table",
    "phase_marginals",
]

#: Row labels of :func:`phase_marginals` for paths that do not take a branch.
SKIPPED_LABEL = "(skipped)"
NOT_REACHED_LABEL = "(not reached)"


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
