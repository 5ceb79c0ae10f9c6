"""Loading, checking and overriding scenarios.

A scenario file is checked in three passes, and every problem of a pass is
reported at once: the YAML itself (:mod:`analysis.source`), the structure
(:mod:`analysis.schema`), then what needs the whole scenario (this module and
:mod:`analysis.tree`): references between phases, branches, outcomes,
attributes and claims; sibling probabilities; every path reaching an outcome.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from .errors import Problem, ScenarioError, ScenarioWarning
from .evidence import PROJECT_ROOT, load_seeds
from .schema import Prior, ScenarioFile, ScenarioVariant
from .source import Document, read_yaml
from .stakeholders import check_decisions
from .tree import CompiledTree, ProbabilitySet, compile_tree, default_set, rule_set
from .validation import did_you_mean, problems_from_validation_error

__all__ = ["SUM_TOLERANCE", "Scenario", "load_scenario", "scenario_names", "scenarios_dir"]

#: How far a set of fixed sibling probabilities may sum from 1.
SUM_TOLERANCE = 1e-6
_RESERVED_COLUMNS = {"path", "probability", "outcome"}
_MAX_EXTENDS = 8
_PRIOR = TypeAdapter(Prior)


def scenarios_dir() -> Path:
    """Return the project's ``scenarios/`` folder."""
    return PROJECT_ROOT / "scenarios"


def scenario_names() -> list[str]:
    """Return the names of the scenario files in ``scenarios/``."""
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated, immutable scenario and its compiled tree.

    Build one with :func:`load_scenario`; derive variants with
    :meth:`with_priors`. The tree is compiled once, when the scenario is made.
    """

    model: ScenarioFile
    tree: CompiledTree = field(repr=False)
    source: str
    document: Mapping[str, Any] = field(repr=False)
    seeds_dir: Path | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        """The scenario's id."""
        return self.model.id

    @property
    def title(self) -> str:
        """The scenario's title."""
        return self.model.title

    @property
    def phases(self) -> tuple[str, ...]:
        """Phase ids, in order."""
        return self.tree.phases

    def __repr__(self) -> str:
        return (f"Scenario(id={self.id!r}, source={self.source!r}, phases={len(self.phases)}, "
                f"paths={self.tree.n_paths})")

    def with_priors(self, overrides: Mapping[str, Any]) -> Scenario:
        """Return a new scenario with some priors replaced; this one is unchanged.

        Parameters
        ----------
        overrides : mapping
            Keys name a branch's prior: ``"phase.branch"`` for the phase's
            default probabilities, ``"phase.rule.branch"`` for a rule's.
            Values are anything a scenario file accepts as a prior: a
            probability, or a mapping such as ``{"alpha": 8, "beta": 2}``,
            ``{"low": .5, "mode": .7, "high": .9}``, ``{"mean": .6, "sd": .1}``,
            ``{"successes": 8, "trials": 9}`` or ``{"concentration": 4}``. In a
            two-branch question, setting one branch makes the other take the rest.

        Raises
        ------
        ScenarioError
            If a key names no prior, or the new scenario is invalid.

        Examples
        --------
        >>> baseline = load_scenario("baseline")
        >>> hopeful = baseline.with_priors({"ceasefire.holds": 0.9})
        """
        doc = Document(dict(overrides), "<with_priors>")
        priors, problems = {}, []
        for key, value in overrides.items():
            try:
                priors[key] = _PRIOR.validate_python(value)
            except ValidationError as exc:
                located = problems_from_validation_error(exc, Document(value, doc.file))
                for problem in located:
                    inner = () if problem.location == "(document)" else (problem.location,)
                    problems.append(doc.problem((key, *inner), problem.message))
        document = copy.deepcopy(dict(self.document))
        problems += [doc.problem((key,), message) for key, message in _override(document, priors)]
        if problems:
            raise ScenarioError(problems)
        return _build(Document(document, f"{self.source} (with_priors)"), self.seeds_dir)

    def with_decisions(self, choices: Mapping[str, str]) -> Scenario:
        """Return a new scenario whose decisions assume other options; this one is unchanged.

        The assumed option of a decision phase is the one that evaluations
        without optimisation use (:func:`analysis.outcome_distribution`,
        sampling, one-way sensitivity...). :func:`analysis.rollback` ignores it
        for the decision maker's own decisions.

        Parameters
        ----------
        choices : mapping
            Decision phase id -> the option to assume there.

        Raises
        ------
        ScenarioError
            If a key is not a decision phase or a value not one of its options.

        Examples
        --------
        >>> mediation = load_scenario("mediation")
        >>> no_force = mediation.with_decisions({"international_presence": "no_presence"})
        """
        doc = Document(dict(choices), "<with_decisions>")
        document = copy.deepcopy(dict(self.document))
        decisions = {p["id"]: p for p in document.get("phases", [])
                     if isinstance(p, dict) and p.get("decision_maker") is not None}
        problems = []
        for phase_id, option in choices.items():
            phase = decisions.get(phase_id)
            if phase is None:
                problems.append(doc.problem((phase_id,), (
                    f"{phase_id!r} is not a decision phase{did_you_mean(phase_id, decisions)}; "
                    f"expected one of: {', '.join(decisions) or '(none in this scenario)'}")))
            elif option not in phase.get("branches", {}):
                options = list(phase.get("branches", {}))
                problems.append(doc.problem((phase_id,), (
                    f"unknown option {option!r} of decision {phase_id!r}"
                    f"{did_you_mean(str(option), options)}; expected one of: "
                    f"{', '.join(options)}")))
            else:
                phase["assumed"] = option
        if problems:
            raise ScenarioError(problems)
        return _build(Document(document, f"{self.source} (with_decisions)"), self.seeds_dir)

    def priors_table(self) -> pd.DataFrame:
        """Return one row per branch probability the tree uses.

        Columns: ``key`` (what :meth:`with_priors` takes), ``phase``, ``rule``,
        ``branch``, ``kind`` (fixed, beta, range, mean_sd, counts, dirichlet or rest),
        ``mean``, ``p05`` and ``p95`` (the 90% central interval of the
        branch's marginal Beta), ``cite`` and ``rationale``.
        """
        rows = []
        for pset in self.tree.sets:
            means = pset.means()
            lows, highs = _central_intervals(pset)
            for b, (branch, prior) in enumerate(zip(pset.branches, pset.priors, strict=True)):
                rows.append({
                    "key": f"{pset.key}.{branch}",
                    "phase": pset.phase,
                    "rule": pset.rule or "",
                    "branch": branch,
                    "kind": "rest" if prior is None else prior.kind,
                    "mean": means[b],
                    "p05": lows[b],
                    "p95": highs[b],
                    "cite": ", ".join(prior.cite) if prior else "",
                    "rationale": (prior.rationale or "") if prior else "",
                })
        return pd.DataFrame(rows)


def _central_intervals(pset: ProbabilitySet) -> tuple[np.ndarray, np.ndarray]:
    """Each branch's 5% and 95% quantiles under the set's prior."""
    from scipy import stats  # slow to import; only needed here

    means = pset.means()
    lows, highs = means.copy(), means.copy()
    if pset.kind == "dirichlet":
        alphas = np.array([p.concentration for p in pset.priors])
        total = alphas.sum()
        for b, a in enumerate(alphas):  # a Dirichlet's marginal is Beta(a, total - a)
            lows[b], highs[b] = stats.beta.ppf([0.05, 0.95], a, total - a)
    elif pset.kind == "beta":
        b = next(i for i, p in enumerate(pset.priors) if p is not None and p.kind != "fixed")
        a, c = pset.priors[b].beta_parameters
        lows[b], highs[b] = stats.beta.ppf([0.05, 0.95], a, c)
        other = 1 - b
        lows[other], highs[other] = 1 - highs[b], 1 - lows[b]
    return lows, highs


def load_scenario(
    path_or_name: str | Path, *, seeds_dir: str | Path | None = None, _depth: int = 0
) -> Scenario:
    """Load and validate a scenario file.

    A file with ``extends: BASE`` is a variant: the base scenario with the
    priors listed under ``priors:`` replaced (see :meth:`Scenario.with_priors`).

    Parameters
    ----------
    path_or_name : str or Path
        A path to a YAML file, or the name of a file in ``scenarios/``
        (``"baseline"`` for ``scenarios/baseline.yaml``).
    seeds_dir : str or Path, optional
        Where the claims that priors cite live; default: ``seeds/`` beside
        the scenario's folder if there is one, else the project's.

    Raises
    ------
    ScenarioError
        Listing every problem, each with file, line, location, value and
        what was expected.
    """
    path = resolve_scenario_path(path_or_name)
    if seeds_dir is None:
        beside = path.resolve().parent.parent / "seeds"
        seeds_dir = beside if beside.is_dir() else None
    seeds_dir = Path(seeds_dir) if seeds_dir else None
    doc = read_yaml(path)
    if isinstance(doc.data, dict) and "extends" in doc.data:
        return _build_variant(doc, path, seeds_dir, _depth=_depth)
    return _build(doc, seeds_dir)


def resolve_scenario_path(path_or_name: str | Path) -> Path:
    """Return the file a path or scenario name refers to."""
    return resolve_named_file(path_or_name, scenarios_dir(), "scenario")


def resolve_named_file(path_or_name: str | Path, folder: Path, what: str) -> Path:
    """Return ``path_or_name`` if it is a file, else ``folder/<name>.yaml``.

    Raises
    ------
    ScenarioError
        If neither exists, suggesting the closest name in ``folder``.
    """
    path = Path(path_or_name)
    if path.is_file():
        return path
    named = folder / f"{path_or_name}.yaml"
    if isinstance(path_or_name, str) and "/" not in path_or_name and named.is_file():
        return named
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    raise ScenarioError([Problem(str(path_or_name), None, "(document)",
                                 f"no such file, and no {what} of that name"
                                 + did_you_mean(str(path_or_name), names)
                                 + f"; expected a path or one of: {', '.join(names) or '(none)'}")])


def _build_variant(doc: Document, path: Path, seeds_dir: Path | None, _depth: int) -> Scenario:
    try:
        variant = ScenarioVariant.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation_error(exc, doc, ScenarioVariant)) from None
    if _depth >= _MAX_EXTENDS:
        raise ScenarioError([doc.problem(("extends",), f"more than {_MAX_EXTENDS} levels of "
                                                       "'extends' (a cycle?), expected fewer")])
    relative = path.parent / variant.extends
    base_ref = relative if relative.is_file() else variant.extends
    try:
        base = load_scenario(base_ref, seeds_dir=seeds_dir, _depth=_depth + 1)
    except ScenarioError as exc:
        raise ScenarioError([doc.problem(("extends",), f"base scenario {variant.extends!r} "
                                                       "could not be loaded:"), *exc.problems]
                            ) from None
    document = copy.deepcopy(dict(base.document))
    problems = [doc.problem(("priors", key), message)
                for key, message in _override(document, variant.priors)]
    if problems:
        raise ScenarioError(problems)
    document.update(id=variant.id, title=variant.title, description=variant.description,
                    as_of=variant.as_of or document["as_of"])
    return _build(Document(document, f"{doc.file} (extends {base.source})"), seeds_dir)


def _build(doc: Document, seeds_dir: Path | None) -> Scenario:
    if not isinstance(doc.data, dict):
        raise ScenarioError([doc.problem((), f"got {type(doc.data).__name__}, expected a mapping "
                                             "of scenario keys (id, title, phases, ...)")])
    try:
        model = ScenarioFile.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation_error(exc, doc, ScenarioFile)) from None
    problems = [doc.problem(loc, message) for loc, message in _check(model, seeds_dir)]
    if problems:
        raise ScenarioError(problems)
    tree, tree_problems, tree_warnings = compile_tree(model)
    if tree is None:
        raise ScenarioError([doc.problem(loc, message) for loc, message in tree_problems])
    for message in tree_warnings:
        warnings.warn(f"{doc.file}: {message}", ScenarioWarning, stacklevel=3)
    return Scenario(model, tree, doc.file, doc.data, seeds_dir)


def _check(model: ScenarioFile, seeds_dir: Path | None) -> Iterable[tuple[tuple, str]]:
    """Yield ``(location, message)`` for each whole-scenario problem."""
    phase_ids: list[str] = []
    outcomes, attributes = set(model.outcomes), set(model.attributes)
    claims = {c.id for doc in load_seeds(seeds_dir).values() for c in doc.claims}
    branches_of: dict[str, list[str]] = {}

    for name in (set(model.outcomes) | attributes) & _RESERVED_COLUMNS:
        yield ("outcomes" if name in outcomes else "attributes", name), (
            f"id {name!r} is reserved, expected another name")
    for i, phase in enumerate(model.phases):
        loc = ("phases", i)
        if phase.id in phase_ids:
            yield (*loc, "id"), f"duplicate phase id {phase.id!r}"
        elif phase.id in _RESERVED_COLUMNS | attributes:
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
                yield (*bloc, "outcome"), _unknown("outcome", branch.outcome, outcomes)
            for name in branch.attributes:
                if name not in attributes:
                    yield (*bloc, "attributes", name), _unknown("attribute", name, attributes)
        if all(r in phase.branches for rule in phase.rules for r in rule.priors):
            pset = default_set(model, i)
            if pset is not None:
                yield from check_probability_set(pset)
            for rule_number in range(len(phase.rules)):
                yield from check_probability_set(rule_set(model, i, rule_number))
        yield from _check_citations(phase, loc, claims)
        phase_ids.append(phase.id)
        branches_of[phase.id] = list(phase.branches)

    for r, rule in enumerate(model.outcome_rules):
        if rule.when is not None:
            yield from _check_condition(rule.when, ("outcome_rules", r, "when"), branches_of)
        if rule.outcome not in outcomes:
            yield ("outcome_rules", r, "outcome"), _unknown("outcome", rule.outcome, outcomes)
    yield from check_decisions(model)


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    known = sorted(known)
    return (f"unknown {what} {name!r}{did_you_mean(name, known)}; expected one of: "
            f"{', '.join(known) or '(none declared)'}")


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
                yield where, _unknown(f"branch of phase {phase!r}:", branch, branches_of[phase])


def _check_citations(phase, loc: tuple, claims: set[str]):
    cited = [((*loc, "branches", b, "prior"), br.prior) for b, br in phase.branches.items()]
    cited += [((*loc, "rules", r, "priors", b), prior) for r, rule in enumerate(phase.rules)
              for b, prior in rule.priors.items()]
    cited += [((*loc, "branches", b, "duration"), br.duration)
              for b, br in phase.branches.items()]
    for where, prior in cited:
        for index, claim in enumerate(prior.cite if prior is not None else ()):
            if claim not in claims:
                yield (*where, "cite", index), (
                    f"unknown claim {claim!r}{did_you_mean(claim, claims)}; expected an id "
                    "from seeds/ (see analysis.claims_table())")


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


def _override(document: dict, priors: Mapping[str, Prior]) -> list[tuple[str, str]]:
    """Write validated priors into a raw document; return ``(key, problem)`` pairs."""
    known = [key for key in _prior_keys(document)]
    problems = []
    for key, prior in priors.items():
        raw = prior.model_dump(by_alias=True, exclude_defaults=True)
        message = _apply_override(document, key, raw, known)
        if message:
            problems.append((key, message))
    return problems


def _prior_keys(document: dict) -> list[str]:
    """Every key an override may name in a raw document."""
    keys = []
    for phase in document.get("phases", []):
        keys += [f"{phase['id']}.{b}" for b in phase.get("branches", {})]
        keys += [f"{phase['id']}.{rule['id']}.{b}" for rule in phase.get("rules", ())
                 for b in phase.get("branches", {})]
    return keys


def _apply_override(document: dict, key: str, value: Any, known_keys: list[str]) -> str | None:
    """Write one override into a raw document; return a problem message or None."""
    parts = key.split(".")
    phases = document.get("phases", [])
    phase = next((p for p in phases if isinstance(p, dict) and p.get("id") == parts[0]), None)
    if phase is None or len(parts) not in (2, 3):
        return (f"names no prior{did_you_mean(key, known_keys)}; expected 'phase.branch' or "
                f"'phase.rule.branch', one of: {', '.join(known_keys)}")
    branches = phase.get("branches", {})
    branch = parts[-1]
    if branch not in branches:
        return f"unknown branch {branch!r}{did_you_mean(key, known_keys)}"
    if len(parts) == 2:
        target = {b: branches[b].get("prior") for b in branches if branches[b].get("prior")
                  is not None}
    else:
        rule = next((r for r in phase.get("rules", ()) if r.get("id") == parts[1]), None)
        if rule is None:
            return f"unknown rule {parts[1]!r}{did_you_mean(key, known_keys)}"
        target = dict(rule["priors"])
    target[branch] = value
    is_share = isinstance(value, dict) and "concentration" in value
    if len(branches) == 2 and not is_share:
        target.pop(next(b for b in branches if b != branch), None)
    if len(parts) == 2:
        for b in branches:
            branches[b] = {k: v for k, v in branches[b].items() if k != "prior"}
            if b in target:
                branches[b]["prior"] = target[b]
    else:
        rule["priors"] = target
    return None
