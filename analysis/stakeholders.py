"""Stakeholders, their utilities and the decision phases of a scenario.

A scenario may declare **stakeholders** and, for each, **utilities**: a value
for every outcome on a scale the file documents (the convention is ``0 =
worst outcome for them, 100 = best``), optional weights per unit of
attributes, and costs on the options of decisions. A path's utility for a
stakeholder ``s`` is::

    u_s(path) = utility_s(outcome) + sum_a weight_s(a) * value_a(path)
                - sum of costs_s of the options the path takes

Utilities compare outcomes for one stakeholder; nothing here compares them
across stakeholders. This module checks the keys that tie utilities and
decisions to the rest of the scenario (:func:`check_decisions`, run when a
scenario loads) and computes the matrix of path utilities
(:func:`path_utilities`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .schema import ScenarioFile
from .tree import CompiledTree
from .validation import did_you_mean

__all__ = ["check_decisions", "decision_phases", "path_utilities"]


def decision_phases(model: ScenarioFile) -> list[int]:
    """Return the indices of the phases that are decisions (have a ``decision_maker``)."""
    return [i for i, phase in enumerate(model.phases) if phase.decision_maker is not None]


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    known = sorted(known)
    return (f"unknown {what} {name!r}{did_you_mean(name, known)}; expected one of: "
            f"{', '.join(known) or '(none declared)'}")


def check_decisions(model: ScenarioFile) -> Iterable[tuple[tuple, str]]:
    """Yield ``(location, message)`` for each problem with stakeholders, utilities and decisions.

    Checks that utilities name declared stakeholders, outcomes and
    attributes, that every stakeholder values every outcome, that decision
    makers and costs name stakeholders, that a decision's options carry no
    priors and the decision no rules, that ``assumed`` names an option of a
    decision, and that only options carry costs.
    """
    stakeholders = set(model.stakeholders)
    outcomes, attributes = list(model.outcomes), set(model.attributes)
    for name, utilities in model.utilities.items():
        loc = ("utilities", name)
        if name not in stakeholders:
            yield loc, (_unknown("stakeholder", name, stakeholders)
                        + " (declare it under 'stakeholders:')")
            continue
        for outcome in utilities.outcomes:
            if outcome not in model.outcomes:
                yield (*loc, "outcomes", outcome), _unknown("outcome", outcome, outcomes)
        missing = [o for o in outcomes if o not in utilities.outcomes]
        if missing:
            yield (*loc, "outcomes"), (
                f"no utility for outcome(s) {', '.join(missing)}; expected a value for every "
                f"outcome: {', '.join(outcomes)}")
        for attribute in utilities.attributes:
            if attribute not in attributes:
                yield (*loc, "attributes", attribute), _unknown("attribute", attribute,
                                                                attributes)
    for name in model.stakeholders:
        if name not in model.utilities:
            yield ("stakeholders", name), (
                f"stakeholder {name!r} has no utilities; expected 'utilities: {{{name}: "
                "{scale: ..., outcomes: {...}}}' with a value for every outcome")

    for i, phase in enumerate(model.phases):
        loc = ("phases", i)
        decision = phase.decision_maker is not None
        if decision and phase.decision_maker not in stakeholders:
            yield (*loc, "decision_maker"), _unknown("stakeholder", phase.decision_maker,
                                                     stakeholders)
        if phase.assumed is not None:
            if not decision:
                yield (*loc, "assumed"), (
                    f"phase {phase.id!r} is not a decision, so it has no assumed option; "
                    "expected 'decision_maker:' on the phase, or no 'assumed'")
            elif phase.assumed not in phase.branches:
                yield (*loc, "assumed"), _unknown(f"option of decision {phase.id!r}:",
                                                  phase.assumed, phase.branches)
        if decision and phase.rules:
            yield (*loc, "rules"), (
                f"decision {phase.id!r} has rules, expected none: its options are chosen, not "
                "drawn (later phases may depend on the option through their own rules)")
        for branch_id, branch in phase.branches.items():
            bloc = (*loc, "branches", branch_id)
            if decision and branch.prior is not None:
                yield (*bloc, "prior"), (
                    f"option {branch_id!r} of decision {phase.id!r} has a prior, expected "
                    "none: the decision maker chooses it (set 'assumed:' on the phase to "
                    "choose the option that evaluations without optimisation use)")
            if branch.costs and not decision:
                yield (*bloc, "costs"), (
                    f"branch {branch_id!r} of chance phase {phase.id!r} has costs; only the "
                    "options of a decision (a phase with 'decision_maker:') may carry costs")
                continue
            for name in branch.costs:
                if name not in stakeholders:
                    yield (*bloc, "costs", name), _unknown("stakeholder", name, stakeholders)


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
