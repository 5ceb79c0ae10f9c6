"""The checks that need a whole scenario, after its file has the right structure.

References between phases, branches, outcomes, attributes, stakeholders and
claims; each set of sibling probabilities (:func:`check_probability_set`);
decisions and utilities (:func:`check_decisions`). Every check yields
``(location, message)`` pairs, so that all the problems of a file are
reported at once; the tree's own checks (every path reaching an outcome, the
number of paths) are in :mod:`analysis.model.tree`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..core.text import did_you_mean, unknown_name
from ..formats.scenario_file import ScenarioFile
from ..formats.seeds import load_seeds, unknown_claim
from .tree import ProbabilitySet, default_set, rule_set

__all__ = ["SUM_TOLERANCE", "check_decisions", "check_probability_set", "check_scenario"]

#: How far a set of fixed sibling probabilities may sum from 1.
SUM_TOLERANCE = 1e-6
#: Column names of path tables, which ids may not take.
RESERVED_COLUMNS = frozenset({"path", "probability", "outcome"})


def check_scenario(model: ScenarioFile, seeds_dir: Path | None
                   ) -> Iterable[tuple[tuple, str]]:
    """Yield ``(location, message)`` for each whole-scenario problem."""
    phase_ids: list[str] = []
    outcomes, attributes = set(model.outcomes), set(model.attributes)
    claims = {c.id for doc in load_seeds(seeds_dir).values() for c in doc.claims}
    branches_of: dict[str, list[str]] = {}

    for name in (set(model.outcomes) | attributes) & RESERVED_COLUMNS:
        yield ("outcomes" if name in outcomes else "attributes", name), (
            f"id {name!r} is reserved, expected another name")
    for i, phase in enumerate(model.phases):
        loc = ("phases", i)
        if phase.id in phase_ids:
            yield (*loc, "id"), f"duplicate phase id {phase.id!r}"
        elif phase.id in RESERVED_COLUMNS | attributes:
            yield (*loc, "id"), (f"phase id {phase.id!r} is already used by an attribute or "
                                 "reserved, expected another name")
        if phase.applies_when is not None:
            yield from _check_condition(phase.applies_when, (*loc, "applies_when"), branches_of)
        for rule_number, rule in enumerate(phase.rules):
            yield from _check_condition(rule.when, (*loc, "rules", rule_number, "when"),
                                        branches_of)
            seen_rule_ids = [r.id for r in phase.rules[:rule_number]]
            if rule.id in seen_rule_ids:
                yield (*loc, "rules", rule_number, "id"), f"duplicate rule id {rule.id!r}"
            for branch in rule.priors:
                if branch not in phase.branches:
                    yield (*loc, "rules", rule_number, "priors", branch), (
                        f"unknown branch {branch!r}{did_you_mean(branch, phase.branches)}; "
                        f"expected one of: {', '.join(phase.branches)}")
        for branch_id, branch in phase.branches.items():
            bloc = (*loc, "branches", branch_id)
            if branch.outcome is not None and branch.outcome not in outcomes:
                yield (*bloc, "outcome"), unknown_name("outcome", branch.outcome, outcomes)
            for name in branch.attributes:
                if name not in attributes:
                    yield (*bloc, "attributes", name), unknown_name("attribute", name, attributes)
        if all(r in phase.branches for rule in phase.rules for r in rule.priors):
            pset = default_set(model, i)
            if pset is not None:
                yield from check_probability_set(pset)
            for rule_number in range(len(phase.rules)):
                yield from check_probability_set(rule_set(model, i, rule_number))
        yield from _check_citations(phase, loc, claims, seeds_dir)
        phase_ids.append(phase.id)
        branches_of[phase.id] = list(phase.branches)

    for r, rule in enumerate(model.outcome_rules):
        if rule.when is not None:
            yield from _check_condition(rule.when, ("outcome_rules", r, "when"), branches_of)
        if rule.outcome not in outcomes:
            yield ("outcome_rules", r, "outcome"), unknown_name("outcome", rule.outcome, outcomes)
    yield from check_decisions(model)


def _check_condition(condition: dict, loc: tuple, branches_of: dict[str, list[str]]):
    for phase, wanted in condition.items():
        if phase not in branches_of:
            yield (*loc, phase), (f"unknown or later phase {phase!r}"
                                  f"{did_you_mean(phase, branches_of)}; a condition may name "
                                  f"only earlier phases: {', '.join(branches_of) or '(none)'}")
            continue
        for index, branch in enumerate([wanted] if isinstance(wanted, str) else wanted):
            if branch not in branches_of[phase]:
                where = (*loc, phase) if isinstance(wanted, str) else (*loc, phase, index)
                yield where, unknown_name(f"branch of phase {phase!r}:", branch, branches_of[phase])


def _check_citations(phase, loc: tuple, claims: set[str], seeds_dir: Path | None):
    cited = [((*loc, "branches", b, "prior"), br.prior) for b, br in phase.branches.items()]
    cited += [((*loc, "rules", r, "priors", b), prior) for r, rule in enumerate(phase.rules)
              for b, prior in rule.priors.items()]
    cited += [((*loc, "branches", b, "duration"), br.duration)
              for b, br in phase.branches.items()]
    for where, prior in cited:
        for index, claim in enumerate(prior.cite if prior is not None else ()):
            if claim not in claims:
                yield (*where, "cite", index), unknown_claim(claim, claims, seeds_dir)


def check_probability_set(pset: ProbabilitySet) -> Iterable[tuple[tuple, str]]:
    """Yield problems with one set of sibling probabilities.

    Allowed: all branches fixed (one may be left out and take the rest);
    a two-branch question with one uncertain prior (Beta, range, mean and
    sd, or counts) and the other branch left out; or a concentration on every branch
    (a Dirichlet).
    """
    kinds = [None if p is None else p.kind for p in pset.priors]
    rest = [b for b, k in zip(pset.branches, kinds, strict=True) if k is None]
    uncertain = [b for b, k in zip(pset.branches, kinds, strict=True)
                 if k in {"beta", "range", "mean_sd", "counts"}]
    loc = pset.location
    if "dirichlet" in kinds:
        others = [b for b, k in zip(pset.branches, kinds, strict=True) if k != "dirichlet"]
        if others:
            odd = kinds[pset.branches.index(others[0])]
            has = "no prior" if odd is None else f"a {odd} prior"
            yield (*loc, others[0]), (
                f"branch {others[0]!r} has {has} while its siblings have concentrations; "
                "expected a concentration on every branch of a Dirichlet")
    elif uncertain:
        if len(pset.branches) != 2 or len(uncertain) != 1 or len(rest) != 1:
            yield (*loc, uncertain[0]), (
                f"an uncertain prior (Beta, range, mean and sd, or counts) on {uncertain[0]!r} "
                "needs a two-branch question whose other branch has no prior; this set has "
                f"{len(pset.branches)} branches, {len(uncertain)} uncertain and {len(rest)} "
                "without prior. For three or more branches give each a concentration "
                "(a Dirichlet)")
    elif len(rest) > 1:
        yield (*loc, rest[1]), (f"branches {', '.join(rest)} have no prior, expected at most "
                                "one branch to take the rest")
    else:
        total = sum(p.value for p in pset.priors if p is not None)
        if rest and total > 1 + SUM_TOLERANCE:
            yield loc, (f"fixed probabilities sum to {total:.6g} before {rest[0]!r} takes the "
                        "rest, expected at most 1")
        if not rest and abs(total - 1) > SUM_TOLERANCE:
            yield loc, (f"sibling probabilities sum to {total:.6g}, expected 1 (within "
                        f"{SUM_TOLERANCE:g}), or leave one branch without prior to take the rest")


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
            yield loc, (unknown_name("stakeholder", name, stakeholders)
                        + " (declare it under 'stakeholders:')")
            continue
        for outcome in utilities.outcomes:
            if outcome not in model.outcomes:
                yield (*loc, "outcomes", outcome), unknown_name("outcome", outcome, outcomes)
        missing = [o for o in outcomes if o not in utilities.outcomes]
        if missing:
            yield (*loc, "outcomes"), (
                f"no utility for outcome(s) {', '.join(missing)}; expected a value for every "
                f"outcome: {', '.join(outcomes)}")
        for attribute in utilities.attributes:
            if attribute not in attributes:
                yield (*loc, "attributes", attribute), unknown_name("attribute", attribute,
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
            yield (*loc, "decision_maker"), unknown_name("stakeholder", phase.decision_maker,
                                                     stakeholders)
        if phase.assumed is not None:
            if not decision:
                yield (*loc, "assumed"), (
                    f"phase {phase.id!r} is not a decision, so it has no assumed option; "
                    "expected 'decision_maker:' on the phase, or no 'assumed'")
            elif phase.assumed not in phase.branches:
                yield (*loc, "assumed"), unknown_name(f"option of decision {phase.id!r}:",
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
                    yield (*bloc, "costs", name), unknown_name("stakeholder", name, stakeholders)
