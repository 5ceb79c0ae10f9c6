"""The checks that need a whole scenario, after its file has the right structure.

References between phases, branches, outcomes, attributes, stakeholders,
parameters and claims; conditions (:mod:`analysis.model.conditions`); each
set of sibling probabilities (:func:`check_probability_set`); decisions,
what they observe, utilities and the decision rule (:func:`check_decisions`). Every check yields
``(location, message)`` pairs, so that all the problems of a file are
reported at once; the tree's own checks (every path reaching an outcome, the
number of paths) are in :mod:`analysis.model.tree`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..core.text import did_you_mean, unknown_name
from ..formats.scenario_file import CONDITION_KEYWORDS, ScenarioFile
from ..formats.seeds import claim_dates, known_by, late_claim, unknown_claim
from .expansion import SUM_TOLERANCE, ProbabilitySet, compile_conditions, default_set, rule_set
from .formulas import build_parameter_space, plain_locate

__all__ = ["SUM_TOLERANCE", "check_decisions", "check_probability_set", "check_scenario",
           "check_variant_citations", "role_warnings"]

#: Column names of path tables, which ids may not take.
RESERVED_COLUMNS = frozenset({"path", "probability", "outcome"})


def check_scenario(model: ScenarioFile, seeds_dir: Path | None
                   ) -> Iterable[tuple[tuple, str]]:
    """Yield ``(location, message)`` for each whole-scenario problem."""
    phase_ids: list[str] = []
    outcomes, attributes = set(model.outcomes), set(model.attributes)
    claims = claim_dates(seeds_dir)
    space, space_problems = build_parameter_space(model, plain_locate("<scenario>"))
    yield from space_problems
    if not space_problems:
        yield from compile_conditions(model, space)[1]

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
        elif phase.id in CONDITION_KEYWORDS:
            yield (*loc, "id"), (f"phase id {phase.id!r} is a word of conditions "
                                 f"({', '.join(CONDITION_KEYWORDS)}), expected another name")
        for rule_number, rule in enumerate(phase.rules):
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
        yield from _check_citations(phase, loc, claims, seeds_dir, model.as_of)
        yield from _check_after(phase, loc, phase_ids)
        phase_ids.append(phase.id)

    for name, outcome in model.outcomes.items():
        rates = outcome.hazard.rates if outcome.hazard is not None else ()
        for piece, rate in enumerate(rates):
            where = (("outcomes", name, "hazard", "rate") if outcome.hazard.rate is not None
                     else ("outcomes", name, "hazard", "pieces", piece, "rate"))
            for index, claim in enumerate(rate.cite):
                if claim not in claims:
                    yield (*where, "cite", index), unknown_claim(claim, claims, seeds_dir)

    for name, prior in model.parameters.items():
        for index, claim in enumerate(prior.cite):
            yield from _check_claim(("parameters", name, "cite", index), claim, claims,
                                    seeds_dir, model.as_of)
    for r, rule in enumerate(model.outcome_rules):
        if rule.outcome not in outcomes:
            yield ("outcome_rules", r, "outcome"), unknown_name("outcome", rule.outcome, outcomes)
    yield from check_decisions(model)


def _check_claim(where: tuple, claim: str, claims: dict[str, str], seeds_dir: Path | None,
                 as_of) -> Iterable[tuple[tuple, str]]:
    """Yield the problem with one citation in a prior, if any.

    An unknown claim, or one dated after the scenario's ``as_of``: a prior may
    rest only on what was known then.
    """
    if claim not in claims:
        yield where, unknown_claim(claim, claims, seeds_dir)
    elif not known_by(claims[claim], as_of):
        yield where, late_claim(claim, claims[claim], as_of, "the scenario's as_of")


def check_variant_citations(priors: dict, parameters: dict, as_of, seeds_dir: Path | None
                            ) -> Iterable[tuple[tuple, str]]:
    """Yield the problems of a variant's own citations against its ``as_of``."""
    claims = claim_dates(seeds_dir)
    for section, entries in (("priors", priors), ("parameters", parameters)):
        for key, prior in entries.items():
            for index, claim in enumerate(getattr(prior, "cite", ()) or ()):
                yield from _check_claim((section, key, "cite", index), claim, claims,
                                        seeds_dir, as_of)


def _check_citations(phase, loc: tuple, claims: dict[str, str], seeds_dir: Path | None,
                     as_of) -> Iterable[tuple[tuple, str]]:
    cited = [((*loc, "branches", b, "prior"), br.prior) for b, br in phase.branches.items()]
    cited += [((*loc, "rules", r, "priors", b), prior) for r, rule in enumerate(phase.rules)
              for b, prior in rule.priors.items()]
    cited += [((*loc, "branches", b, "duration"), br.duration)
              for b, br in phase.branches.items()]
    for where, prior in cited:
        for index, claim in enumerate(prior.cite if prior is not None else ()):
            yield from _check_claim((*where, "cite", index), claim, claims, seeds_dir, as_of)


def _check_after(phase, loc: tuple, earlier: list[str]) -> Iterable[tuple[tuple, str]]:
    """``after`` names earlier phases, once each: the tree's order is the order of time."""
    for index, name in enumerate(phase.after or ()):
        if name == phase.id:
            yield (*loc, "after", index), (f"phase {phase.id!r} cannot start after itself; "
                                           "expected earlier phases")
        elif name not in earlier:
            yield (*loc, "after", index), (
                f"unknown or later phase {name!r}{did_you_mean(name, earlier)}; a phase starts "
                f"after earlier phases (file order is the order of conditioning): "
                f"{', '.join(earlier) or '(none: write after: [] for day 0)'}")
        elif name in phase.after[:index]:
            yield (*loc, "after", index), f"phase {name!r} is named twice"


def role_warnings(model: ScenarioFile) -> list[tuple[tuple, str]]:
    """Return ``(location, message)`` for each open outcome without a hazard of collapse.

    Only for a scenario that declares roles and gives durations (a timed deal).
    """
    timed = any(b.duration for p in model.phases for b in p.branches.values())
    if not timed or not any(o.role for o in model.outcomes.values()):
        return []
    return [(("outcomes", name), f"outcome {name!r} has no role and no hazard, so a path "
             "ending in it never collapses; expected 'hazard:' (its rate of collapse), or "
             "'role: success' if it completes the deal") for name, o in model.outcomes.items()
            if o.role is None and o.hazard is None]


def check_probability_set(pset: ProbabilitySet) -> Iterable[tuple[tuple, str]]:
    """Yield problems with one set of sibling probabilities.

    Allowed: all branches fixed or formulas (one branch may be left without a
    prior, and any number written ``'#'``, to share the rest equally); a
    two-branch question with one uncertain prior (Beta, range, mean and sd,
    or counts) and the other branch left out; or a concentration on every
    branch (a Dirichlet). Formulas are checked against the parameters when
    the tree is compiled.
    """
    kinds = [None if p is None else p.kind for p in pset.priors]
    rest = [b for b, k in zip(pset.branches, kinds, strict=True) if k is None]
    marked = [b for b, k in zip(pset.branches, kinds, strict=True) if k == "rest"]
    uncertain = [b for b, k in zip(pset.branches, kinds, strict=True)
                 if k in {"beta", "range", "mean_sd", "counts"}]
    formulas = [b for b, k in zip(pset.branches, kinds, strict=True) if k == "formula"]
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
        if len(pset.branches) != 2 or len(uncertain) != 1 or len(rest) + len(marked) != 1:
            yield (*loc, uncertain[0]), (
                f"an uncertain prior (Beta, range, mean and sd, or counts) on {uncertain[0]!r} "
                "needs a two-branch question whose other branch has no prior; this set has "
                f"{len(pset.branches)} branches, {len(uncertain)} uncertain and "
                f"{len(rest) + len(marked)} without prior. For three or more branches give "
                "each a concentration (a Dirichlet), or use named parameters and formulas")
    elif len(rest) > 1:
        yield (*loc, rest[1]), (f"branches {', '.join(rest)} have no prior, expected at most "
                                "one branch to take the rest (or write '#' on each to share it)")
    elif formulas:
        return  # checked on the parameters' base values when the tree is compiled
    else:
        total = sum(p.value for p in pset.priors if p is not None and p.kind == "fixed")
        free = rest + marked
        if free and total > 1 + SUM_TOLERANCE:
            yield loc, (f"fixed probabilities sum to {total:.6g} before {', '.join(free)} "
                        "take the rest, expected at most 1")
        if not free and abs(total - 1) > SUM_TOLERANCE:
            yield loc, (f"sibling probabilities sum to {total:.6g}, expected 1 (within "
                        f"{SUM_TOLERANCE:g}), or leave one branch without prior to take the rest")


def check_decisions(model: ScenarioFile) -> Iterable[tuple[tuple, str]]:
    """Yield ``(location, message)`` for each problem with stakeholders, utilities and decisions.

    Checks that utilities name declared stakeholders, outcomes and
    attributes, that every stakeholder values every outcome, that decision
    makers, payoffs and costs name stakeholders, that a decision's options
    carry no priors and the decision no rules, that ``assumed`` names an
    option of a decision, that ``observes`` names earlier phases and forgets
    nothing the decision maker knew at an earlier decision, and that the
    decision rule's weights name stakeholders.
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
        tolerance = utilities.risk_tolerance
        if isinstance(tolerance, float) and tolerance <= 0:
            yield (*loc, "risk_tolerance"), (f"got {tolerance:g}, expected a positive risk "
                                             "tolerance (in the stakeholder's unit)")
    for name in model.stakeholders:
        if name not in model.utilities:
            yield ("stakeholders", name), (
                f"stakeholder {name!r} has no utilities; expected 'utilities: {{{name}: "
                "{scale: ..., outcomes: {...}}}' with a value for every outcome")

    observed: dict[str, set[str]] = {}  # decision maker -> what they knew at their last decision
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
        yield from _check_observes(model, i, observed)
        for branch_id, branch in phase.branches.items():
            bloc = (*loc, "branches", branch_id)
            if decision and branch.prior is not None:
                yield (*bloc, "prior"), (
                    f"option {branch_id!r} of decision {phase.id!r} has a prior, expected "
                    "none: the decision maker chooses it (set 'assumed:' on the phase to "
                    "choose the option that evaluations without optimisation use)")
            for kind in ("costs", "payoffs"):
                for name in getattr(branch, kind):
                    if name not in stakeholders:
                        yield (*bloc, kind, name), unknown_name("stakeholder", name,
                                                                stakeholders)
    rule = model.decision_rule
    if rule is not None:
        for name in rule.weights:
            if name not in stakeholders:
                yield ("decision_rule", "weights", name), unknown_name("stakeholder", name,
                                                                        stakeholders)


def _check_observes(model: ScenarioFile, i: int, observed: dict[str, set[str]]
                    ) -> Iterable[tuple[tuple, str]]:
    phase = model.phases[i]
    earlier = [p.id for p in model.phases[:i]]
    loc = ("phases", i, "observes")
    if phase.decision_maker is None:
        if phase.observes is not None:
            yield loc, (f"phase {phase.id!r} is not a decision; only a decision (a phase with "
                        "'decision_maker:') observes")
        return
    decisions = {p.id for p in model.phases[:i] if p.decision_maker is not None}
    if phase.observes is None:
        known = set(earlier)
    else:
        known = set(decisions)
        for index, name in enumerate(phase.observes):
            if name not in earlier:
                yield (*loc, index), (f"unknown or later phase {name!r}"
                                      f"{did_you_mean(name, earlier)}; a decision observes "
                                      f"earlier phases: {', '.join(earlier) or '(none)'}")
            known.add(name)
    forgotten = sorted(observed.get(phase.decision_maker, set()) - known)
    if forgotten:
        yield loc, (f"decision {phase.id!r} does not observe {', '.join(forgotten)}, which "
                    f"{phase.decision_maker!r} knew at an earlier decision; a decision maker "
                    "forgets nothing (perfect recall): add them to 'observes'")
    observed[phase.decision_maker] = known | {phase.id}
