"""Evidence over time: dated evidence logs and the posterior trees they give.

An **evidence log** (``scenarios/evidence/NAME.yaml``; the format is described
in ``scenarios/evidence/README.md``) lists dated items, each citing claims
from ``seeds/``. Each item is one of three kinds:

``observed: {phase: branch}``
    Hard evidence: the phase took this branch (or one of a list). Every
    path where it did not, including paths that skip the phase or end
    before it, gets likelihood 0: the posterior is the tree conditioned on
    the observation, exactly as ``given=`` conditions it.
``phase: P`` with ``likelihoods: {branch: k, ...}``
    Soft evidence (Pearl's virtual evidence): the report is judged ``k``
    times as likely on a path where phase ``P`` took ``branch`` as on a
    path with likelihood 1. Branches not listed have likelihood 1; paths on
    which the phase is skipped or never reached have likelihood
    ``otherwise`` (default 1). Only ratios matter: ``{complete: 3}`` and
    ``{complete: 6, partial: 2, breaks_down: 2}`` (with ``otherwise: 2``)
    are the same evidence.
``phase: P`` (and ``rule: R``) with ``counts: {branch: k, ...}``
    Count evidence: ``k`` comparable cases ended on ``branch``. It updates
    the Beta or Dirichlet prior of one probability set conjugately
    (Dirichlet concentrations ``+ k``; a Beta's ``alpha`` and ``beta`` gain
    the counts of its branch and of the other; a counts prior gains
    successes and trials). A fixed probability cannot learn from counts.

How the posterior is represented
--------------------------------
Write ``P(path)`` for a path's probability at the means of the priors after
all count evidence, and ``L(path)`` for the product of every observation's
and report's likelihood. The posterior is

    ``P(path | evidence) = P(path) L(path) / sum over paths of P L``

and it is exact, not an approximation at the means: each path uses a
probability set at most once and the sets are independent a priori, so the
mean of ``P_theta(path)`` over the priors is ``P(path)``, and the posterior
predictive ``E[P_theta(path) L(path)] / E[sum P_theta L]`` reduces to the
formula above. :func:`update_scenario` returns a :class:`Posterior`: a
:class:`~analysis.scenario.Scenario` whose priors are the count-updated ones
and whose tree multiplies every path by ``L`` and renormalises. Every function
that evaluates a scenario (``outcome_distribution``, ``path_table``,
``phase_marginals``, ``given=``, the charts) therefore gives posterior results
unchanged. Soft and hard evidence are not conjugate to the priors; credible
intervals (:func:`belief_timeline`) draw ``theta`` from the count-updated
priors and weight draw ``i`` by ``P_i(evidence) = sum P_i(path) L(path)``
(importance sampling: the posterior of ``theta`` is proportional to the prior
times that likelihood).

Because every item multiplies the likelihood (or adds counts), the result
does not depend on the order of the items; the order matters only for the
timeline. Errors name the item: a date out of order, a phase, branch or rule
the scenario does not have, counts on a fixed probability, an item dated
before the scenario's priors, and an observation of probability 0 given the
priors and the items before it.

Examples
--------
>>> import analysis
>>> baseline = analysis.load_scenario("baseline")
>>> log = analysis.load_evidence("gaza_2025")
>>> posterior = analysis.update_scenario(baseline, log, until="2025-11-21")
>>> float(analysis.outcome_distribution(posterior)["probability"].sum())
1.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from . import _draws
from .errors import Problem, ScenarioError
from .evidence import PROJECT_ROOT, load_seeds
from .scenario import Scenario, resolve_named_file
from .schema import ClaimId, Id, Text, json_schema_text
from .source import Document, read_yaml
from .tree import CompiledTree, ProbabilitySet, default_set, rule_set
from .validation import did_you_mean, problems_from_validation_error

__all__ = [
    "AppliedEvidence",
    "EvidenceFile",
    "EvidenceItem",
    "EvidenceLog",
    "EvidenceTree",
    "Posterior",
    "belief_timeline",
    "evidence_dir",
    "evidence_json_schema",
    "evidence_names",
    "evidence_table",
    "load_evidence",
    "update_scenario",
]

Likelihood = Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=1_000_000, strict=True)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Observed = Annotated[
    dict[Id, Id | Annotated[list[Id], Field(min_length=1)]],
    Field(min_length=1, description="Phase id -> the branch it took (or a list: one of them)."),
]


# ------------------------------------------------------------------------------- format


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceItem(_Strict):
    """One dated piece of evidence: an observation, a report's likelihoods, or counts."""

    id: Id
    date: dt.date = Field(description="When the evidence became known (YYYY-MM-DD).")
    title: Title = Field(description="A short headline, shown in tables and charts.")
    cite: Annotated[tuple[ClaimId, ...], Field(min_length=1)] = Field(
        description="Claim ids from seeds/ that the item rests on.")
    rationale: Text | None = Field(default=None, description="Why these numbers.")
    observed: Observed | None = Field(
        default=None, description="Hard evidence: phase -> the branch it took.")
    phase: Id | None = Field(
        default=None, description="The phase that likelihoods or counts are about.")
    likelihoods: Annotated[dict[Id, Likelihood], Field(min_length=1)] | None = Field(
        default=None, description="Soft evidence: branch -> how likely the report is on paths "
        "taking it, relative to 1 for branches not listed.")
    otherwise: Likelihood | None = Field(
        default=None, description="With likelihoods: the report's likelihood on paths that "
        "skip the phase or end before it (default 1).")
    rule: Id | None = Field(
        default=None, description="With counts: the rule whose probabilities the counts "
        "update (default: the phase's own priors).")
    counts: Annotated[dict[Id, Count], Field(min_length=1)] | None = Field(
        default=None, description="Count evidence: branch -> comparable cases that ended on it.")

    @model_validator(mode="after")
    def _one_kind(self) -> EvidenceItem:
        given = [k for k in ("observed", "likelihoods", "counts") if getattr(self, k) is not None]
        if len(given) != 1:
            found = " and ".join(given) if given else "none of them"
            raise ValueError(f"item {self.id!r}: expected exactly one of observed, likelihoods "
                             f"or counts; got {found}")
        kind = given[0]
        if kind == "observed" and self.phase is not None:
            raise ValueError(f"item {self.id!r}: an observation names its phases inside "
                             "observed; remove phase")
        if kind != "observed" and self.phase is None:
            raise ValueError(f"item {self.id!r}: {kind} need a phase; add phase")
        if self.otherwise is not None and kind != "likelihoods":
            raise ValueError(f"item {self.id!r}: otherwise goes only with likelihoods")
        if self.rule is not None and kind != "counts":
            raise ValueError(f"item {self.id!r}: rule goes only with counts")
        if kind == "counts" and not any(self.counts.values()):
            raise ValueError(f"item {self.id!r}: every count is 0, expected at least one case")
        return self

    @property
    def kind(self) -> str:
        """``'observation'``, ``'likelihood'`` or ``'counts'``."""
        if self.observed is not None:
            return "observation"
        return "likelihood" if self.likelihoods is not None else "counts"


class EvidenceFile(_Strict):
    """A dealtree evidence log: dated items, in date order."""

    schema_version: Literal[1] = 1
    id: Id
    title: Text
    description: Text = ""
    items: Annotated[tuple[EvidenceItem, ...], Field(min_length=1, max_length=10_000)]


def evidence_json_schema() -> str:
    """Return the JSON Schema of evidence logs, as formatted JSON text."""
    return json_schema_text(EvidenceFile, "dealtree evidence log")


@dataclass(frozen=True, eq=False)
class EvidenceLog:
    """A validated evidence log: the model, and the document for locating problems."""

    model: EvidenceFile
    document: Document = field(repr=False)
    source: str

    @property
    def id(self) -> str:
        """The log's id."""
        return self.model.id

    @property
    def items(self) -> tuple[EvidenceItem, ...]:
        """The items, in date order."""
        return self.model.items

    def problem(self, index: int, *loc: str | int, message: str) -> Problem:
        """Return a problem located at ``items[index].<loc>`` in the file."""
        return self.document.problem(("items", index, *loc), message)


def evidence_dir() -> Path:
    """Return the project's ``scenarios/evidence/`` folder."""
    return PROJECT_ROOT / "scenarios" / "evidence"


def evidence_names() -> list[str]:
    """Return the names of the evidence logs in ``scenarios/evidence/``."""
    return sorted(p.stem for p in evidence_dir().glob("*.yaml"))


def load_evidence(path_or_name: str | Path, *, seeds_dir: str | Path | None = None
                  ) -> EvidenceLog:
    """Load and validate an evidence log.

    Parameters
    ----------
    path_or_name : str or Path
        A path to a YAML file, or the name of a log in ``scenarios/evidence/``
        (``"gaza_2025"``).
    seeds_dir : str or Path, optional
        Where cited claims live; default: the project's ``seeds/``.

    Returns
    -------
    EvidenceLog

    Raises
    ------
    ScenarioError
        Listing every problem (file, line, location, message): the format's
        keys and values, duplicate item ids, items out of date order, unknown
        claims, and claims dated after the item that cites them.
    """
    path = resolve_named_file(path_or_name, evidence_dir(), "evidence log")
    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise ScenarioError([doc.problem((), f"got {type(doc.data).__name__}, expected a "
                                             "mapping with id, title and items")])
    try:
        model = EvidenceFile.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation_error(exc, doc, EvidenceFile)) from None
    problems = list(_check_dated(model.items, doc, seeds_dir, section="items", date_key="date"))
    if problems:
        raise ScenarioError(problems)
    return EvidenceLog(model, doc, str(path))


def _claim_dates(seeds_dir: str | Path | None) -> dict[str, str | None]:
    return {c.id: c.date for d in load_seeds(seeds_dir).values() for c in d.claims}


def _period_start(text: str) -> dt.date:
    """``2026-06`` -> 2026-06-01; ``2026-06-15`` -> itself."""
    return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")


def _check_dated(items, doc: Document, seeds_dir, *, section: str, date_key: str
                ) -> Iterable[Problem]:
    """Yield the problems a list of dated, cited entries can have on its own.

    Duplicate ids, entries out of date order, unknown claims and claims dated
    after the entry that cites them. Shared with :mod:`analysis.scoring`.
    """
    claims = _claim_dates(seeds_dir)
    seen: dict[str, int] = {}
    previous: dt.date | None = None
    for i, item in enumerate(items):
        if item.id in seen:
            yield doc.problem((section, i, "id"),
                              f"duplicate id {item.id!r} (also {section}[{seen[item.id]}])")
        seen.setdefault(item.id, i)
        when = getattr(item, date_key)
        if previous is not None and when < previous:
            yield doc.problem((section, i, date_key),
                              f"date {when} is before the previous entry's {previous}; expected "
                              "entries in date order")
        previous = max(previous, when) if previous else when
        for c, claim in enumerate(item.cite):
            if claim not in claims:
                yield doc.problem((section, i, "cite", c),
                                  f"unknown claim {claim!r}{did_you_mean(claim, claims)}; "
                                  "expected an id from seeds/ (see analysis.claims_table())")
            elif claims[claim] and _period_start(claims[claim]) > when:
                yield doc.problem((section, i, "cite", c),
                                  f"claim {claim!r} is dated {claims[claim]}, after this "
                                  f"entry's {when}; expected claims known by then")


# ---------------------------------------------------------------------------- posterior


@dataclass(frozen=True, eq=False)
class EvidenceTree(CompiledTree):
    """A compiled tree whose paths are weighted by an evidence likelihood.

    ``path_probabilities(theta)`` returns ``P_theta(path) L(path)``
    renormalised over the paths (per row, for a 2-D ``theta``): the tree
    conditioned on the evidence. :meth:`joint_probabilities` returns the
    product before renormalising; its sum is the probability of the
    evidence (up to the arbitrary scale of soft evidence).

    Attributes
    ----------
    likelihood : ndarray, shape (n_paths,)
        The product of every applied item's likelihood on each path.
    """

    likelihood: np.ndarray = field(default=None, repr=False)

    def joint_probabilities(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Return ``P_theta(path) * L(path)``, not renormalised."""
        return super().path_probabilities(theta) * self.likelihood

    def path_probabilities(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Return each path's probability given the evidence, for ``theta`` (..., n_theta)."""
        joint = self.joint_probabilities(theta)
        total = joint.sum(axis=-1, keepdims=True)
        return joint / np.where(total > 0, total, 1.0)


@dataclass(frozen=True)
class AppliedEvidence:
    """One item as applied to a posterior: the log it came from and its index there."""

    log: EvidenceLog
    index: int

    @property
    def item(self) -> EvidenceItem:
        """The item."""
        return self.log.items[self.index]


@dataclass(frozen=True, eq=False)
class Posterior(Scenario):
    """A scenario updated on evidence (see the module docstring).

    It is a :class:`~analysis.scenario.Scenario`: its ``tree`` is an
    :class:`EvidenceTree`, so exact evaluation gives posterior results, and
    its priors (``priors_table``) are the count-updated ones.
    :meth:`with_priors` changes the original priors and applies the same
    evidence again.

    Attributes
    ----------
    prior : Scenario
        The scenario before any evidence.
    base : Scenario
        The scenario after count evidence only (plain tree, no likelihood).
    applied : tuple of AppliedEvidence
        The items applied, in order.
    """

    prior: Scenario | None = field(default=None, repr=False)
    base: Scenario | None = field(default=None, repr=False)
    applied: tuple[AppliedEvidence, ...] = field(default=(), repr=False)

    @property
    def items(self) -> tuple[EvidenceItem, ...]:
        """The applied items, in order."""
        return tuple(a.item for a in self.applied)

    @property
    def likelihood(self) -> np.ndarray:
        """Each path's evidence likelihood (the product over items)."""
        return self.tree.likelihood

    def __repr__(self) -> str:
        last = self.applied[-1].item.date if self.applied else None
        return (f"Posterior(id={self.id!r}, items={len(self.applied)}, until={last}, "
                f"paths={self.tree.n_paths})")

    def with_priors(self, overrides: Mapping[str, Any]) -> Posterior:
        """Return the posterior of the prior with ``overrides``, on the same evidence."""
        return _posterior(self.prior.with_priors(overrides), self.applied)

    def with_decisions(self, choices: Mapping[str, str]) -> Posterior:
        """Return the posterior of the prior with other assumed options, on the same evidence."""
        return _posterior(self.prior.with_decisions(choices), self.applied)


def update_scenario(scenario: Scenario, evidence: EvidenceLog | str | Path | Sequence, *,
                    until: dt.date | str | None = None) -> Posterior:
    """Update a scenario on an evidence log; return the posterior scenario.

    Parameters
    ----------
    scenario : Scenario
        The prior. A :class:`Posterior` is updated further: the new items are
        added to those it already has.
    evidence : EvidenceLog, str, Path, or a sequence of them
        Logs, or paths or names of logs (see :func:`load_evidence`).
    until : date or str, optional
        Use only the items dated on or before this day (``"2025-11-21"``).

    Returns
    -------
    Posterior
        Usable wherever a scenario is: ``analysis.outcome_distribution(posterior)``.

    Raises
    ------
    ScenarioError
        Every item that names a phase, branch or rule the scenario lacks,
        puts counts on a fixed probability, or predates the scenario's
        ``as_of``; then the first observation of probability 0 given the
        priors and the items before it, naming the items it contradicts.

    Examples
    --------
    >>> import analysis
    >>> posterior = analysis.update_scenario(analysis.load_scenario("baseline"), "gaza_2025")
    >>> posterior.items[0].id
    'truce_takes_effect'
    """
    prior, applied = _split(scenario)
    return _posterior(prior, applied + _new_entries(evidence, until))


def _split(scenario: Scenario) -> tuple[Scenario, tuple[AppliedEvidence, ...]]:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: got {type(scenario).__name__}, expected a Scenario "
                        "(see analysis.load_scenario)")
    if isinstance(scenario, Posterior):
        return scenario.prior, scenario.applied
    return scenario, ()


def _logs(evidence) -> list[EvidenceLog]:
    if isinstance(evidence, EvidenceLog | str | Path):
        evidence = [evidence]
    logs = []
    for entry in evidence:
        if isinstance(entry, EvidenceLog):
            logs.append(entry)
        elif isinstance(entry, str | Path):
            logs.append(load_evidence(entry))
        else:
            raise TypeError(f"evidence: got {type(entry).__name__}, expected an EvidenceLog "
                            "(see analysis.load_evidence), a path or a log's name")
    return logs


def _as_date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} == {value!r}, expected a date written YYYY-MM-DD") from None
    raise TypeError(f"{name}: got {type(value).__name__}, expected a date or 'YYYY-MM-DD'")


def _new_entries(evidence, until) -> tuple[AppliedEvidence, ...]:
    until = _as_date(until, "until")
    entries = [AppliedEvidence(log, i) for log in _logs(evidence)
               for i, item in enumerate(log.items) if until is None or item.date <= until]
    entries.sort(key=lambda e: e.item.date)  # stable: file order within a day
    return tuple(entries)


def _posterior(prior: Scenario, applied: tuple[AppliedEvidence, ...]) -> Posterior:
    problems = [p for entry in applied for p in _reference_problems(prior, entry)]
    if problems:
        raise ScenarioError(problems)
    state = _State(prior, np.ones(prior.tree.n_paths))
    for position, entry in enumerate(applied):
        state = _apply(state, entry, applied[:position])
    return _make_posterior(prior, state, applied)


@dataclass(frozen=True)
class _State:
    base: Scenario
    likelihood: np.ndarray


def _make_posterior(prior: Scenario, state: _State, applied: tuple[AppliedEvidence, ...]
                    ) -> Posterior:
    base = state.base
    tree = EvidenceTree(**{f.name: getattr(base.tree, f.name) for f in fields(CompiledTree)},
                        likelihood=state.likelihood)
    last = applied[-1].item.date if applied else None
    title = (f"{base.title} (updated on {len(applied)} evidence item"
             f"{'s' if len(applied) != 1 else ''}{f' to {last}' if last else ''})")
    logs = ", ".join(dict.fromkeys(a.log.id for a in applied))
    return Posterior(model=base.model.model_copy(update={"title": title}), tree=tree,
                     source=f"{prior.source} + evidence {logs or '(none)'}",
                     document=base.document, seeds_dir=base.seeds_dir, prior=prior, base=base,
                     applied=applied)


def _phase_number(scenario: Scenario, phase: str) -> int | None:
    phases = list(scenario.phases)
    return phases.index(phase) if phase in phases else None


def _reference_problems(scenario: Scenario, entry: AppliedEvidence) -> Iterable[Problem]:
    """Problems of one item against the scenario: dates, phases, branches, rules, kinds."""
    item, log, i = entry.item, entry.log, entry.index
    model = scenario.model
    phases = list(scenario.phases)
    if item.date < model.as_of:
        yield log.problem(i, "date", message=(
            f"item {item.id!r} is dated {item.date}, before the priors of scenario "
            f"{scenario.id!r} ({model.as_of}), which already reflect it; expected a later date"))
    wanted = dict(item.observed) if item.observed else {item.phase: None}
    for phase, branches in wanted.items():
        where = ("observed", phase) if item.observed else ("phase",)
        k = _phase_number(scenario, phase)
        if k is None:
            yield log.problem(i, *where, message=(
                f"unknown phase {phase!r}{did_you_mean(phase, phases)} in scenario "
                f"{scenario.id!r}; expected one of: {', '.join(phases)}"))
            continue
        known = list(model.phases[k].branches)
        named = ([] if branches is None else [branches] if isinstance(branches, str)
                 else branches)
        for j, branch in enumerate(named):
            if branch not in known:
                loc = where if isinstance(branches, str) else (*where, j)
                yield log.problem(i, *loc, message=_unknown_branch(phase, branch, known))
        mapping = item.likelihoods or item.counts or {}
        section = "likelihoods" if item.likelihoods else "counts"
        for branch in mapping:
            if branch not in known:
                yield log.problem(i, section, branch, message=_unknown_branch(phase, branch,
                                                                              known))
        if item.counts is not None:
            problem = _counts_problem(scenario, k, item)
            if problem:
                key, message = problem
                yield log.problem(i, key, message=message)


def _unknown_branch(phase: str, branch: str, known: list[str]) -> str:
    return (f"phase {phase!r} has no branch {branch!r}{did_you_mean(branch, known)}; "
            f"expected one of: {', '.join(known)}")


def _counts_set(scenario: Scenario, k: int, rule: str | None) -> ProbabilitySet | None:
    phase = scenario.model.phases[k]
    if rule is None:
        return default_set(scenario.model, k)
    numbers = [r.id for r in phase.rules]
    return rule_set(scenario.model, k, numbers.index(rule)) if rule in numbers else None


def _counts_problem(scenario: Scenario, k: int, item: EvidenceItem) -> tuple | None:
    phase = scenario.model.phases[k]
    rules = [r.id for r in phase.rules]
    if item.rule is not None and item.rule not in rules:
        return ("rule", f"phase {phase.id!r} has no rule {item.rule!r}"
                        f"{did_you_mean(item.rule, rules)}; expected one of: "
                        f"{', '.join(rules) or '(none)'}")
    pset = _counts_set(scenario, k, item.rule)
    if pset is None:
        return ("phase", f"phase {phase.id!r} has no default priors (its branches have "
                         f"none); expected rule: one of {', '.join(rules)}")
    if pset.kind == "fixed":
        return ("counts", f"the probabilities of {pset.key!r} are fixed; counts can update "
                          "only a Beta or Dirichlet prior (or counts prior)")
    return None


def _apply(state: _State, entry: AppliedEvidence, before: tuple[AppliedEvidence, ...]
           ) -> _State:
    item = entry.item
    if item.kind == "counts":
        base = state.base.with_priors(_counts_overrides(state.base, item))
        return _State(base, state.likelihood)
    likelihood = state.likelihood * _item_likelihood(state.base, item)
    if item.kind == "observation":
        prior_paths = state.base.tree.path_probabilities()
        if (prior_paths * likelihood).sum() <= 0:
            raise ScenarioError([entry.log.problem(entry.index, "observed", message=_zero_message(
                state.base, entry, before, prior_paths))])
    return _State(state.base, likelihood)


def _zero_message(scenario: Scenario, entry: AppliedEvidence,
                  before: tuple[AppliedEvidence, ...], prior_paths: np.ndarray) -> str:
    item = entry.item
    text = ", ".join(f"{p}={b if isinstance(b, str) else '|'.join(b)}"
                     for p, b in item.observed.items())
    own = _item_likelihood(scenario, item)
    if (prior_paths * own).sum() <= 0:
        return (f"item {item.id!r}: observing {text} has probability 0 under the priors of "
                f"scenario {scenario.id!r} (a fixed probability of 0, or no path takes it)")
    clashing = [b.item.id for b in before if b.item.kind == "observation"
                and (prior_paths * own * _item_likelihood(scenario, b.item)).sum() <= 0]
    if clashing:
        return (f"item {item.id!r}: observing {text} contradicts earlier item"
                f"{'s' if len(clashing) > 1 else ''} {', '.join(map(repr, clashing))}: "
                "together they have probability 0")
    earlier = [b.item.id for b in before if b.item.kind == "observation"]
    return (f"item {item.id!r}: observing {text} has probability 0 given the earlier "
            f"observations {', '.join(map(repr, earlier))}")


def _item_likelihood(scenario: Scenario, item: EvidenceItem) -> np.ndarray:
    """Return the item's likelihood on each path of the scenario's tree."""
    tree = scenario.tree
    model = scenario.model
    if item.kind == "observation":
        holds = np.ones(tree.n_paths, dtype=bool)
        for phase, wanted in item.observed.items():
            k = _phase_number(scenario, phase)
            branches = list(model.phases[k].branches)
            wanted = [wanted] if isinstance(wanted, str) else wanted
            holds &= np.isin(tree.branch_index[:, k], [branches.index(b) for b in wanted])
        return holds.astype(float)
    if item.kind == "likelihood":
        k = _phase_number(scenario, item.phase)
        branches = list(model.phases[k].branches)
        by_code = np.array([item.likelihoods.get(b, 1.0) for b in branches]
                           + [item.otherwise or 1.0] * 2)  # codes -1 and -2 index the last two
        return by_code[tree.branch_index[:, k]]
    return np.ones(tree.n_paths)


def _counts_overrides(scenario: Scenario, item: EvidenceItem) -> dict[str, dict]:
    """Return the conjugate update of one set by counts, as ``with_priors`` overrides."""
    k = _phase_number(scenario, item.phase)
    pset = _counts_set(scenario, k, item.rule)
    note = f"Prior updated by the counts of evidence item {item.id!r} ({_counts_text(item)})."

    def cited(prior) -> list[str]:
        return list(dict.fromkeys([*prior.cite, *item.cite]))

    counts = {b: item.counts.get(b, 0) for b in pset.branches}
    if pset.kind == "dirichlet":
        return {f"{pset.key}.{b}": {"concentration": p.concentration + counts[b],
                                    "cite": cited(p), "rationale": note}
                for b, p in zip(pset.branches, pset.priors, strict=True)}
    u = next(i for i, p in enumerate(pset.priors) if p is not None and p.kind != "fixed")
    prior = pset.priors[u]
    hits, misses = counts[pset.branches[u]], counts[pset.branches[1 - u]]
    if prior.kind == "counts":
        value = {"successes": prior.successes + hits, "trials": prior.trials + hits + misses,
                 "prior_alpha": prior.prior_alpha, "prior_beta": prior.prior_beta}
    else:
        a, b = prior.beta_parameters
        value = {"alpha": a + hits, "beta": b + misses}
    return {f"{pset.key}.{pset.branches[u]}": {**value, "cite": cited(prior), "rationale": note}}


def _counts_text(item: EvidenceItem) -> str:
    return ", ".join(f"{b} {n}" for b, n in item.counts.items())


# ----------------------------------------------------------------------------- results


def _detail(item: EvidenceItem) -> str:
    if item.kind == "observation":
        return "; ".join(f"{p} = {b if isinstance(b, str) else ' or '.join(b)}"
                         for p, b in item.observed.items())
    if item.kind == "likelihood":
        text = ", ".join(f"{b} ×{v:g}" for b, v in item.likelihoods.items())
        text += ", other branches ×1"
        if item.otherwise is not None:
            text += f", phase not reached ×{item.otherwise:g}"
        return text
    where = f"{item.phase}.{item.rule}" if item.rule else item.phase
    return f"{where}: {_counts_text(item)} cases"


def evidence_table(evidence: EvidenceLog | str | Path | Sequence) -> pd.DataFrame:
    """Return one row per evidence item, in date order.

    Columns: ``item``, ``date``, ``kind`` (observation, likelihood or counts),
    ``phase``, ``detail`` (what the item says, in words), ``title``,
    ``cite`` (claim ids, comma-separated), ``rationale``, ``log``.
    """
    rows = [{
        "item": e.item.id, "date": e.item.date, "kind": e.item.kind,
        "phase": ", ".join(e.item.observed) if e.item.observed else e.item.phase,
        "detail": _detail(e.item), "title": e.item.title, "cite": ", ".join(e.item.cite),
        "rationale": e.item.rationale or "", "log": e.log.id,
    } for e in _new_entries(evidence, None)]
    frame = pd.DataFrame(rows, columns=["item", "date", "kind", "phase", "detail", "title",
                                        "cite", "rationale", "log"])
    frame.attrs = {"evidence": ", ".join(dict.fromkeys(frame["log"]))}
    return frame


def belief_timeline(scenario: Scenario, evidence: EvidenceLog | str | Path | Sequence, *,
                    until: dt.date | str | None = None, n_draws: int = 4000,
                    interval: float = 0.9, rng: _draws.RNGLike = None) -> pd.DataFrame:
    """Return the outcome distribution after each evidence item, with credible intervals.

    Step 0 is the scenario itself (dated its ``as_of``); step ``s`` has the
    first ``s`` items applied. Probabilities are exact (see the module
    docstring); intervals come from ``n_draws`` draws of the priors,
    importance-weighted by each draw's probability of the evidence so far.
    Every step reuses the same random numbers, so intervals move only
    because of the evidence.

    Parameters
    ----------
    scenario : Scenario
        The prior (or a :class:`Posterior`, which then is step 0).
    evidence : EvidenceLog, str, Path, or a sequence of them
    until : date or str, optional
        Stop after the items dated on or before this day.
    n_draws : int
        Monte Carlo draws per step.
    interval : float
        The central credible interval, e.g. 0.9 for the 5% and 95% quantiles.
    rng : None, int, SeedSequence or Generator
        The same seed gives the same intervals.

    Returns
    -------
    DataFrame
        One row per step and outcome. Columns: ``step``, ``date``, ``item``
        (``"prior"`` at step 0), ``title``, ``kind``, ``detail``,
        ``outcome``, ``label``, ``colour``, ``probability``, ``lower``,
        ``upper``, ``change`` (from the previous step; 0 at step 0) and
        ``ess`` (the importance sample's effective size). ``attrs``:
        ``scenario``, ``evidence``, ``interval``, ``n_draws``, ``seed``.

    Raises
    ------
    ScenarioError
        As :func:`update_scenario`.
    """
    n_draws = _draws.positive_int(n_draws, "n_draws")
    interval = _draws.check_interval(interval)
    seed = _draws.seed_sequence(rng)
    prior, earlier = _split(scenario)
    entries = _new_entries(evidence, until)
    start = _posterior(prior, earlier)  # validates what came before
    problems = [p for entry in entries for p in _reference_problems(prior, entry)]
    if problems:
        raise ScenarioError(problems)

    model = prior.model
    outcomes = list(model.outcomes)
    levels = [(1 - interval) / 2, (1 + interval) / 2]
    state = _State(start.base, start.likelihood)
    rows: list[dict] = []
    onehot = np.eye(len(outcomes))[prior.tree.outcome_index]
    drawn_for, theta = None, None
    previous = None
    for step in range(len(entries) + 1):
        if step:
            entry = entries[step - 1]
            state = _apply(state, entry, earlier + entries[:step - 1])
            item = entry.item
            info = {"date": item.date, "item": item.id, "title": item.title,
                    "kind": item.kind, "detail": _detail(item)}
        else:
            info = {"date": start.applied[-1].item.date if start.applied else model.as_of,
                    "item": "prior", "title": "Priors" if not earlier else
                    f"After {len(earlier)} earlier items", "kind": "", "detail": ""}
        base = state.base
        exact = base.tree.path_probabilities() * state.likelihood
        exact = np.bincount(base.tree.outcome_index, weights=exact / exact.sum(),
                            minlength=len(outcomes))
        if drawn_for is not base:  # new draws only when counts changed the priors
            drawn_for, theta = base, _draws.theta_draws(base, n_draws, seed)
        joint = base.tree.path_probabilities(theta) * state.likelihood
        weights = joint.sum(axis=1)
        per_draw = (joint / np.where(weights > 0, weights, 1.0)[:, None]) @ onehot
        bounds = _draws.weighted_quantiles(per_draw, weights, levels)
        ess = _draws.effective_sample_size(weights)
        for o, outcome_id in enumerate(outcomes):
            outcome = model.outcomes[outcome_id]
            rows.append({"step": step, **info, "outcome": outcome_id, "label": outcome.label,
                         "colour": outcome.colour, "probability": exact[o],
                         "lower": bounds[0, o], "upper": bounds[1, o],
                         "change": 0.0 if previous is None else exact[o] - previous[o],
                         "ess": ess})
        previous = exact
    frame = pd.DataFrame(rows)
    frame.attrs = {"scenario": prior.id,
                   "evidence": ", ".join(dict.fromkeys(e.log.id for e in entries)),
                   "interval": interval, "n_draws": n_draws, "seed": _draws.seed_of(seed)}
    return frame
