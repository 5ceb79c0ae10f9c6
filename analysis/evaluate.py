"""Exact evaluation of a scenario at its priors' means, as tidy DataFrames.

Every function takes an optional ``given`` (``{"exchanges": "complete"}`` or
``{"exchanges": ["complete", "partial"]}``): the result is then conditional on
those phases having taken those branches, renormalised by Bayes' rule,
``P(path | given) = P(path) / P(given)`` for the paths where ``given`` holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .errors import QueryError
from .scenario import Scenario
from .schema import display_label
from .tree import NOT_REACHED, SKIPPED
from .validation import did_you_mean

__all__ = [
    "Given",
    "attribute_distribution",
    "compare_outcomes",
    "expected_attributes",
    "outcome_distribution",
    "path_table",
    "phase_marginals",
]

Given = Mapping[str, str | Iterable[str]] | None

#: Row labels of :func:`phase_marginals` for paths that do not take a branch.
SKIPPED_LABEL = "(skipped)"
NOT_REACHED_LABEL = "(not reached)"


def _weights(scenario: Scenario, given: Given) -> np.ndarray:
    """Each path's probability, conditional on ``given`` (zero where it fails)."""
    return _condition(scenario, given)[0]


def _condition(scenario: Scenario, given: Given) -> tuple[np.ndarray, np.ndarray]:
    """Each path's conditional probability, and whether ``given`` holds on it."""
    tree = scenario.tree
    probabilities = tree.path_probabilities()
    holds = np.ones(tree.n_paths, dtype=bool)
    if not given:
        return probabilities, holds
    phases = list(tree.phases)
    for phase, wanted in given.items():
        if phase not in phases:
            raise QueryError(f"given: unknown phase {phase!r}{did_you_mean(phase, phases)}; "
                             f"expected one of: {', '.join(phases)}")
        branches = list(scenario.model.phases[phases.index(phase)].branches)
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        for branch in wanted:
            if branch not in branches:
                raise QueryError(f"given: phase {phase!r} has no branch {branch!r}"
                                 f"{did_you_mean(branch, branches)}; expected one of: "
                                 f"{', '.join(branches)}")
        column = tree.branch_index[:, phases.index(phase)]
        holds &= np.isin(column, [branches.index(b) for b in wanted])
    total = probabilities[holds].sum()
    if total <= 0:
        text = ", ".join(f"{p}={v if isinstance(v, str) else '|'.join(v)}"
                         for p, v in given.items())
        raise QueryError(f"given: the condition {text} has probability 0 in scenario "
                         f"{scenario.id!r}, so nothing can be conditioned on it")
    return np.where(holds, probabilities / total, 0.0), holds


def _attrs(scenario: Scenario, given: Given) -> dict:
    return {"scenario": scenario.id, "given": dict(given or {})}


def path_table(scenario: Scenario, given: Given = None) -> pd.DataFrame:
    """Return one row per path.

    Columns: ``path`` (the branches taken, joined by ``' > '``), one column per
    phase (the branch taken, or missing where the phase was skipped or not
    reached), ``probability``, ``outcome`` and one column per attribute.
    With ``given``, only the paths where it holds (zero-probability ones
    included), with renormalised probabilities.
    """
    tree = scenario.tree
    weights, keep = _condition(scenario, given)
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


def outcome_distribution(scenario: Scenario, given: Given = None) -> pd.DataFrame:
    """Return each declared outcome's probability.

    Columns: ``outcome``, ``label``, ``colour``, ``probability``; one row per
    outcome in the file's order, zero-probability outcomes included.
    """
    tree = scenario.tree
    weights = _weights(scenario, given)
    totals = np.bincount(tree.outcome_index, weights=weights, minlength=len(tree.outcomes))
    outcomes = scenario.model.outcomes
    frame = pd.DataFrame({
        "outcome": list(outcomes),
        "label": [o.label for o in outcomes.values()],
        "colour": [o.colour for o in outcomes.values()],
        "probability": totals,
    })
    frame.attrs = _attrs(scenario, given)
    return frame


def expected_attributes(scenario: Scenario, given: Given = None) -> pd.DataFrame:
    """Return each attribute's expected value and standard deviation over paths.

    Columns: ``attribute``, ``label``, ``unit``, ``expected``, ``sd``.
    """
    tree = scenario.tree
    weights = _weights(scenario, given)
    values = tree.attribute_values
    expected = weights @ values
    variance = weights @ (values - expected) ** 2
    attributes = scenario.model.attributes
    frame = pd.DataFrame({
        "attribute": list(attributes),
        "label": [a.label for a in attributes.values()],
        "unit": [a.unit for a in attributes.values()],
        "expected": expected,
        "sd": np.sqrt(np.maximum(variance, 0.0)),
    })
    frame.attrs = _attrs(scenario, given)
    return frame


def phase_marginals(scenario: Scenario, given: Given = None) -> pd.DataFrame:
    """Return how likely each phase is to end on each branch.

    Columns: ``phase``, ``phase_label``, ``branch``, ``label``, ``probability`` (of taking the
    branch), ``conditional`` (of taking it given that the phase is reached
    and applies). Rows ``(skipped)`` and ``(not reached)`` carry the paths
    on which the phase does not happen, so each phase's ``probability``
    sums to 1.
    """
    tree = scenario.tree
    weights = _weights(scenario, given)
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


def compare_outcomes(scenarios: Iterable[Scenario], given: Given = None) -> pd.DataFrame:
    """Stack :func:`outcome_distribution` of several scenarios, with a ``scenario`` column.

    Outcomes are matched by id; an outcome a scenario does not declare is absent
    from its rows.
    """
    frames = [outcome_distribution(s, given).assign(scenario=s.id) for s in scenarios]
    frame = pd.concat(frames, ignore_index=True)[
        ["scenario", "outcome", "label", "colour", "probability"]]
    frame.attrs = {"scenario": ", ".join(f.attrs["scenario"] for f in frames),
                   "given": dict(given or {})}
    return frame


def attribute_distribution(scenario: Scenario, given: Given = None) -> pd.DataFrame:
    """Return the probability of each value each attribute takes over the paths.

    Columns: ``attribute``, ``label``, ``unit``, ``value``, ``probability``;
    one row per distinct value of each attribute, in increasing order, so the
    probabilities of an attribute sum to 1.
    """
    tree = scenario.tree
    weights = _weights(scenario, given)
    rows = []
    for a, (name, attribute) in enumerate(scenario.model.attributes.items()):
        values, inverse = np.unique(tree.attribute_values[:, a], return_inverse=True)
        mass = np.bincount(inverse, weights=weights, minlength=len(values))
        rows += [(name, attribute.label, attribute.unit, v, m)
                 for v, m in zip(values, mass, strict=True)]
    frame = pd.DataFrame(rows, columns=["attribute", "label", "unit", "value", "probability"])
    frame.attrs = _attrs(scenario, given)
    return frame
