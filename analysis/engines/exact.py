"""Exact evaluation: each path's probability at the priors' means, conditioned by Bayes' rule.

``given`` (``{"exchanges": "complete"}`` or ``{"exchanges": ["complete",
"partial"]}``) makes a result conditional on those phases having taken those
branches: ``P(path | given) = P(path) / P(given)`` for the paths where
``given`` holds, 0 elsewhere. A scenario updated on evidence weights every
path by the evidence's likelihood first (its tree does).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..core.arguments import Given
from ..core.errors import QueryError
from ..core.text import did_you_mean
from ..model.scenario import Scenario

__all__ = ["attribute_moments", "condition", "given_mask", "given_text",
           "outcome_probabilities"]


def given_mask(scenario: Scenario, given: Given) -> np.ndarray:
    """Return, for each path, whether ``given`` holds on it.

    Raises
    ------
    TypeError
        If ``given`` is not a mapping of phase ids to branch ids.
    QueryError
        For an unknown phase or branch.
    """
    tree = scenario.tree
    holds = np.ones(tree.n_paths, dtype=bool)
    if given is None:
        return holds
    if not isinstance(given, Mapping):
        raise TypeError(f"given: got {type(given).__name__} {given!r}, expected a mapping of "
                        "phase ids to branch ids, such as {'exchanges': 'complete'}")
    phases = list(tree.phases)
    for phase, wanted in given.items():
        if phase not in phases:
            raise QueryError(f"given: unknown phase {phase!r}{did_you_mean(str(phase), phases)}; "
                             f"expected one of: {', '.join(phases)}")
        branches = list(scenario.model.phases[phases.index(phase)].branches)
        wanted = [wanted] if isinstance(wanted, str) else wanted
        if not isinstance(wanted, list | tuple | set | frozenset) or not wanted:
            raise QueryError(f"given: phase {phase!r} == {wanted!r}, expected a branch id or "
                             f"a list of them, among: {', '.join(branches)}")
        for branch in wanted:
            if branch not in branches:
                raise QueryError(f"given: phase {phase!r} has no branch {branch!r}"
                                 f"{did_you_mean(str(branch), branches)}; expected one of: "
                                 f"{', '.join(branches)}")
        column = tree.branch_index[:, phases.index(phase)]
        holds &= np.isin(column, [branches.index(b) for b in wanted])
    return holds


def given_text(given: Given) -> str:
    """Return ``given`` in short words: ``exchanges=complete, withdrawal=phased|stalls``."""
    return ", ".join(f"{p}={v if isinstance(v, str) else '|'.join(v)}"
                     for p, v in (given or {}).items())


def condition(scenario: Scenario, given: Given = None) -> tuple[np.ndarray, np.ndarray]:
    """Return each path's probability conditional on ``given``, and whether it holds there.

    Raises
    ------
    QueryError
        For an unknown phase or branch, or a condition of probability 0.
    """
    probabilities = scenario.tree.path_probabilities()
    holds = given_mask(scenario, given)
    if not given:
        return probabilities, holds
    total = probabilities[holds].sum()
    if total <= 0:
        raise QueryError(f"given: the condition {given_text(given)} has probability 0 in "
                         f"scenario {scenario.id!r}, so nothing can be conditioned on it")
    return np.where(holds, probabilities / total, 0.0), holds


def outcome_probabilities(scenario: Scenario, given: Given = None) -> np.ndarray:
    """Return each outcome's probability (in the scenario's order), conditional on ``given``."""
    tree = scenario.tree
    weights = condition(scenario, given)[0]
    return np.bincount(tree.outcome_index, weights=weights, minlength=len(tree.outcomes))


def attribute_moments(scenario: Scenario, given: Given = None) -> tuple[np.ndarray, np.ndarray]:
    """Return each attribute's expected value and standard deviation over the paths."""
    weights = condition(scenario, given)[0]
    values = scenario.tree.attribute_values
    expected = weights @ values
    variance = weights @ (values - expected) ** 2
    return expected, np.sqrt(np.maximum(variance, 0.0))
