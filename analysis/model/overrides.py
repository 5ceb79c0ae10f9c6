"""Changing a scenario's priors or assumed options in memory, on its typed model.

An override names one branch's prior by key: ``"phase.branch"`` for the
phase's own probabilities, ``"phase.rule.branch"`` for a rule's; an open
outcome's hazard of collapse is replaced whole, ``"outcomes.OUTCOME.hazard"``. In a
two-branch question, setting one branch makes the other take the rest; a
concentration replaces one share of a Dirichlet. Overrides change priors,
never the shape of the tree, so a changed scenario keeps its compiled paths
and only its probability sets are rebuilt.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..core.text import did_you_mean
from ..formats.hazard_section import Hazard
from ..formats.parameter_section import DirichletParameter, ParameterPrior
from ..formats.problems import problems_from_validation_error
from ..formats.scenario_file import ConcentrationPrior, Phase, Prior, ScenarioFile
from ..formats.source import Document

__all__ = ["describe_prior", "override_decisions", "override_parameters", "override_priors",
           "parse_priors", "prior_keys"]


@cache
def _adapter(kind: str) -> TypeAdapter:
    """Return the validator of a named parameter's, a hazard's or a branch's prior.

    Built on first use so that importing the module (and quick commands) stays quick.
    """
    return TypeAdapter({"parameter": ParameterPrior, "hazard": Hazard, "prior": Prior}[kind])


def _hazard_key(key: object, model: ScenarioFile | None = None) -> str | None:
    """Return the outcome an ``outcomes.OUTCOME.hazard`` key names (a phase id comes first)."""
    parts = key.split(".") if isinstance(key, str) else []
    if len(parts) != 3 or parts[0] != "outcomes" or parts[2] != "hazard":
        return None
    if model is not None and any(p.id == "outcomes" for p in model.phases):
        return None
    return parts[1]


def prior_keys(model: ScenarioFile) -> list[str]:
    """Every key an override may name, in file order: named parameters, then branches."""
    keys = list(model.parameters)
    for phase in model.phases:
        keys += [f"{phase.id}.{b}" for b in phase.branches]
        keys += [f"{phase.id}.{rule.id}.{b}" for rule in phase.rules for b in phase.branches]
    return keys


def parse_priors(overrides: Mapping[str, Any], doc: Document) -> tuple[dict[str, Prior], list]:
    """Validate override values as priors; return them and the located problems.

    ``doc`` is the overrides as a document (its file names where they came
    from, e.g. ``<with_priors>``); problems are located at their key.
    """
    priors, problems = {}, []
    for key, value in overrides.items():
        adapter = _adapter("parameter" if isinstance(key, str) and "." not in key else
                           "hazard" if _hazard_key(key) is not None else "prior")
        try:
            priors[key] = adapter.validate_python(value)
        except ValidationError as exc:
            for problem in problems_from_validation_error(exc, Document(value, doc.file)):
                inner = () if problem.location == "(document)" else (problem.location,)
                problems.append(doc.problem((key, *inner), problem.message))
    return priors, problems


def override_priors(model: ScenarioFile, priors: Mapping[str, Prior]
                    ) -> tuple[ScenarioFile, list[tuple[str, str]]]:
    """Return ``model`` with ``priors`` written in, and ``(key, problem)`` for bad keys."""
    known = prior_keys(model)
    named = {k: v for k, v in priors.items() if isinstance(k, str) and "." not in k}
    model, problems = override_parameters(model, named)
    phases = list(model.phases)
    outcomes = dict(model.outcomes)
    for key, prior in priors.items():
        if key in named:
            continue
        if isinstance(prior, Hazard) and _hazard_key(key, model) is not None:
            name = _hazard_key(key, model)
            if name not in outcomes or outcomes[name].role is not None:
                open_ = [o for o, v in outcomes.items() if v.role is None]
                problems.append((key, f"names no outcome without a role{did_you_mean(name, open_)}"
                                      f"; a hazard goes on one of: {', '.join(open_) or '(none)'}"))
                continue
            outcomes[name] = outcomes[name].model_copy(update={"hazard": prior})
            continue
        number, message = _find(phases, key, known)
        if message:
            problems.append((key, message))
            continue
        phases[number] = _with_prior(phases[number], key.split("."), prior)
    return model.model_copy(update={"phases": tuple(phases), "outcomes": outcomes}), problems


def override_parameters(model: ScenarioFile, parameters: Mapping[str, Any]
                        ) -> tuple[ScenarioFile, list[tuple[str, str]]]:
    """Return ``model`` with named parameters replaced, and ``(name, problem)`` for bad names.

    A replacement keeps the old parameter's label, unit, description and
    sensitivity range unless it gives its own.
    """
    current = dict(model.parameters)
    members = {m: group for group, p in current.items() if isinstance(p, DirichletParameter)
               for m in p.dirichlet}
    problems = []
    for name, prior in parameters.items():
        if name in members:
            problems.append((name, (
                f"{name!r} is a member of the Dirichlet group {members[name]!r}: replace the "
                f"whole group, {{{members[name]!r}: {{'dirichlet': {{...}}}}}}")))
        elif name not in current:
            known = list(current) + [k for k in prior_keys(model) if k not in current]
            problems.append((name, f"names no parameter or prior{did_you_mean(name, known)}; "
                                   f"expected a parameter ({', '.join(current) or 'none'}) or "
                                   "'phase.branch'"))
        else:
            old = current[name]
            kept = {key: getattr(old, key) for key in ("label", "unit", "description",
                                                       "sensitivity")
                    if key not in prior.model_fields_set and hasattr(old, key)}
            current[name] = prior.model_copy(update=kept)
    return model.model_copy(update={"parameters": current}), problems


def _find(phases: list[Phase], key: str, known: list[str]) -> tuple[int, str | None]:
    parts = key.split(".") if isinstance(key, str) else []
    number = next((i for i, p in enumerate(phases) if parts and p.id == parts[0]), None)
    if number is None or len(parts) not in (2, 3):
        return -1, (f"names no prior{did_you_mean(str(key), known)}; expected 'phase.branch' or "
                    f"'phase.rule.branch', one of: {', '.join(known)}")
    phase = phases[number]
    if parts[-1] not in phase.branches:
        return -1, f"unknown branch {parts[-1]!r}{did_you_mean(key, known)}"
    if len(parts) == 3 and parts[1] not in [r.id for r in phase.rules]:
        return -1, f"unknown rule {parts[1]!r}{did_you_mean(key, known)}"
    return number, None


def _with_prior(phase: Phase, parts: list[str], prior: Prior) -> Phase:
    branch = parts[-1]
    if len(parts) == 2:
        target = {b: br.prior for b, br in phase.branches.items() if br.prior is not None}
    else:
        rule_number = [r.id for r in phase.rules].index(parts[1])
        target = dict(phase.rules[rule_number].priors)
    target[branch] = prior
    if len(phase.branches) == 2 and not isinstance(prior, ConcentrationPrior):
        target.pop(next(b for b in phase.branches if b != branch), None)
    if len(parts) == 2:
        branches = {b: br.model_copy(update={"prior": target.get(b)})
                    for b, br in phase.branches.items()}
        return phase.model_copy(update={"branches": branches})
    rules = list(phase.rules)
    rules[rule_number] = rules[rule_number].model_copy(
        update={"priors": {b: target[b] for b in phase.branches if b in target}})
    return phase.model_copy(update={"rules": tuple(rules)})


def override_decisions(model: ScenarioFile, choices: Mapping[str, str]
                       ) -> tuple[ScenarioFile, list[tuple[str, str]]]:
    """Return ``model`` with other assumed options, and ``(phase, problem)`` for bad choices."""
    decisions = {p.id: i for i, p in enumerate(model.phases) if p.decision_maker is not None}
    phases = list(model.phases)
    problems = []
    for phase_id, option in choices.items():
        number = decisions.get(phase_id) if isinstance(phase_id, str) else None
        if number is None:
            problems.append((phase_id, (
                f"{phase_id!r} is not a decision phase{did_you_mean(str(phase_id), decisions)}; "
                f"expected one of: {', '.join(decisions) or '(none in this scenario)'}")))
            continue
        options = list(phases[number].branches)
        if option not in options:
            problems.append((phase_id, (
                f"unknown option {option!r} of decision {phase_id!r}"
                f"{did_you_mean(str(option), options)}; expected one of: {', '.join(options)}")))
            continue
        phases[number] = phases[number].model_copy(update={"assumed": option})
    return model.model_copy(update={"phases": tuple(phases)}), problems


def describe_prior(value: Any) -> str:
    """Return an override's value in short words: ``0.9``, ``{alpha: 19, beta: 2}``."""
    if isinstance(value, Mapping):
        shown = {k: v for k, v in value.items() if k not in ("cite", "rationale")}
        return "{" + ", ".join(f"{k}: {v:g}" if isinstance(v, float) else
                               f"{k}: {describe_prior(v)}" if isinstance(v, Mapping) else
                               f"{k}: [{', '.join(describe_prior(i) for i in v)}]"
                               if isinstance(v, list | tuple) else f"{k}: {v}"
                               for k, v in shown.items()) + "}"
    return f"{value:g}" if isinstance(value, float) else str(value)
