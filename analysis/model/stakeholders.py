"""Stakeholders, their utilities and the decision phases of a scenario.

A scenario may declare **stakeholders** and, for each, **utilities**: a value
for every outcome on a scale the file documents (the convention is ``0 =
worst outcome for them, 100 = best``), optional weights per unit of
attributes, and costs on the options of decisions. A path's utility for a
stakeholder ``s`` is::

    u_s(path) = utility_s(outcome) + sum_a weight_s(a) * value_a(path)
                - sum of costs_s of the options the path takes

Utilities compare outcomes for one stakeholder; nothing here compares them
across stakeholders. This module computes the matrix of path utilities
(:func:`path_utilities`); :func:`analysis.model.checks.check_decisions`
checks the keys that tie utilities and decisions to the rest of the scenario.
"""

from __future__ import annotations

import numpy as np

from ..formats.scenario_file import ScenarioFile
from .tree import CompiledTree

__all__ = ["decision_phases", "path_utilities"]


def decision_phases(model: ScenarioFile) -> list[int]:
    """Return the indices of the phases that are decisions (have a ``decision_maker``)."""
    return [i for i, phase in enumerate(model.phases) if phase.decision_maker is not None]


def path_utilities(model: ScenarioFile, tree: CompiledTree) -> np.ndarray:
    """Return each stakeholder's utility of each path, shape ``(n_stakeholders, n_paths)``.

    Rows follow ``model.stakeholders``; see the module docstring for the sum.
    """
    names = list(model.stakeholders)
    values = np.zeros((len(names), tree.n_paths))
    outcome_index = tree.outcome_index
    for s, name in enumerate(names):
        utilities = model.utilities[name]
        table = np.array([utilities.outcomes[o] for o in tree.outcomes], dtype=float)
        values[s] = table[outcome_index]
        for attribute, weight in utilities.attributes.items():
            values[s] += weight * tree.attribute_values[:, tree.attributes.index(attribute)]
    for k in decision_phases(model):
        phase = model.phases[k]
        column = tree.branch_index[:, k]
        for b, branch in enumerate(phase.branches.values()):
            for name, cost in branch.costs.items():
                values[names.index(name), column == b] -= cost
    return values
