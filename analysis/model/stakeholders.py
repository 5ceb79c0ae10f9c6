"""Stakeholders, their utilities and the decision phases of a scenario.

A scenario may declare **stakeholders** and, for each, **utilities**: a value
for every outcome on a scale the file documents (the convention is ``0 =
worst outcome for them, 100 = best``), optional weights per unit of
attributes, and costs on the options of decisions. A path's utility for a
stakeholder ``s`` is::

    u_s(path) = utility_s(outcome) + sum_a weight_s(a) * value_a(path)
                + payoffs_s - costs_s of the branches the path takes

(with a risk tolerance, the exponential utility of that total: see
:mod:`analysis.model.values`)

Utilities compare outcomes for one stakeholder; nothing here compares them
across stakeholders. This module computes the matrix of path utilities
(:func:`path_utilities`); :func:`analysis.model.checks.check_decisions`
checks the keys that tie utilities and decisions to the rest of the scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.lazy import lazy_module
from ..formats.scenario_file import ScenarioFile
from .tree import CompiledTree

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: `dealtree validate` never needs it
    np = lazy_module("numpy")

__all__ = ["decision_phases", "path_utilities"]


def decision_phases(model: ScenarioFile) -> list[int]:
    """Return the indices of the phases that are decisions (have a ``decision_maker``)."""
    return [i for i, phase in enumerate(model.phases) if phase.decision_maker is not None]


def path_utilities(model: ScenarioFile, tree: CompiledTree) -> np.ndarray:
    """Return each stakeholder's utility of each path, shape ``(n_stakeholders, n_paths)``.

    At the base case; rows follow ``model.stakeholders`` (see
    :mod:`analysis.model.values` for the sum and for other parameter values).
    """
    if tree.values is None:
        return np.zeros((len(model.stakeholders), tree.n_paths))
    return np.array(tree.values.base_utilities, dtype=float)
