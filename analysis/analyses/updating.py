"""Evidence over time: what dated evidence does to a scenario.

An **evidence log** (``scenarios/evidence/NAME.yaml``; the format is described
in ``scenarios/evidence/README.md`` and read by
:mod:`analysis.formats.evidence_file`) lists dated items, each citing claims
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
formula above. :func:`update_scenario` returns a
:class:`~analysis.Scenario` whose priors are the count-updated ones, whose
tree multiplies every path by ``L`` and renormalises (its ``likelihood``),
and whose ``evidence`` records what was applied. Every function
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.arguments import check_budget, check_interval, check_n_draws
from ..core.errors import Problem, ScenarioError
from ..core.rng import RNGLike, seed_of, seed_sequence
from ..core.text import did_you_mean
from ..engines.draws import draw_seconds, effective_sample_size, path_draws, weighted_quantiles
from ..formats.evidence_file import AppliedEvidence, EvidenceItem, EvidenceLog, load_evidence
from ..model.expansion import ProbabilitySet, default_set, rule_set
from ..model.scenario import EvidenceUpdate, Scenario

__all__ = ["belief_timeline", "evidence_likelihood", "evidence_table", "update_scenario"]

def update_scenario(scenario: Scenario, evidence: EvidenceLog | str | Path | Sequence, *,
                    until: dt.date | str | None = None) -> Scenario:
    """Update a scenario on an evidence log; return the updated scenario.

    Parameters
    ----------
    scenario : Scenario
        The prior. An updated scenario is updated further: the new items are
        added to those it already has.
    evidence : EvidenceLog, str, Path, or a sequence of them
        Logs, or paths or names of logs (see :func:`analysis.load_evidence`).
    until : date or str, optional
        Use only the items dated on or before this day (``"2025-11-21"``).

    Returns
    -------
    Scenario
        Usable wherever a scenario is: ``analysis.outcome_distribution(posterior)``.
        Its ``evidence`` says what was applied (``evidence.prior``,
        ``evidence.items``); its tree weights every path by the evidence's
        likelihood; its priors are the count-updated ones. Its
        ``with_priors`` and ``with_decisions`` change the prior and apply the
        same evidence again.

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
    >>> posterior.evidence.items[0].id
    'truce_takes_effect'
    """
    prior, applied = _split(scenario)
    return _posterior(prior, applied + _new_entries(evidence, until))


def _split(scenario: Scenario) -> tuple[Scenario, tuple[AppliedEvidence, ...]]:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: got {type(scenario).__name__}, expected a Scenario "
                        "(see analysis.load_scenario)")
    if scenario.evidence is not None:
        return scenario.evidence.prior, scenario.evidence.applied
    return scenario, ()


def _logs(evidence) -> list[EvidenceLog]:
    if isinstance(evidence, EvidenceLog | str | Path):
        evidence = [evidence]
    if not isinstance(evidence, Sequence):
        raise TypeError(f"evidence: got {type(evidence).__name__}, expected an EvidenceLog "
                        "(see analysis.load_evidence), a path, a log's name, or a list of them")
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


def _posterior(prior: Scenario, applied: tuple[AppliedEvidence, ...]) -> Scenario:
    return _make_posterior(prior, _state_after(prior, applied), applied)


def _state_after(prior: Scenario, applied: tuple[AppliedEvidence, ...]) -> _State:
    """Check ``applied`` against ``prior`` and apply every item, in order."""
    problems = [p for entry in applied for p in _reference_problems(prior, entry)]
    if problems:
        raise ScenarioError(problems)
    state = _State(prior, np.zeros(prior.tree.n_paths))
    for position, entry in enumerate(applied):
        state = _apply(state, entry, applied[:position])
    return state


@dataclass(frozen=True)
class _State:
    base: Scenario  # the prior with the count evidence so far
    log_likelihood: np.ndarray  # of each path: sums of logarithms never under- or overflow


def _make_posterior(prior: Scenario, state: _State, applied: tuple[AppliedEvidence, ...]
                    ) -> Scenario:
    base = state.base
    last = applied[-1].item.date if applied else None
    title = (f"{base.title} (updated on {len(applied)} evidence item"
             f"{'s' if len(applied) != 1 else ''}{f' to {last}' if last else ''})")
    update = EvidenceUpdate(prior, applied, partial(_posterior, applied=applied))
    logs = ", ".join(dict.fromkeys(a.log.id for a in applied))
    return prior.with_evidence(base.tree.with_log_likelihood(state.log_likelihood),
                               base.model.model_copy(update={"title": title}), update,
                               source=f"{prior.source} + evidence {logs or '(none)'}")


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
    if pset.kind not in ("beta", "dirichlet"):
        what = "formulas" if pset.kind == "derived" else "fixed"
        return ("counts", f"the probabilities of {pset.key!r} are {what}; counts can update "
                          "only a Beta or Dirichlet prior (or counts prior)")
    return None


def _apply(state: _State, entry: AppliedEvidence, before: tuple[AppliedEvidence, ...]
           ) -> _State:
    item = entry.item
    if item.kind == "counts":
        overrides = _counts_overrides(state.base, item)
        try:
            base = state.base.with_priors(overrides)
        except ScenarioError as exc:  # counts beyond the format's bounds: say which item
            raise ScenarioError([entry.log.problem(entry.index, "counts", message=(
                f"item {item.id!r}: adding its counts to the prior of {_key(p.location)!r} "
                f"gives {_field(p.location)}{p.message}")) for p in exc.problems]) from None
        return _State(base, state.log_likelihood)
    with np.errstate(divide="ignore"):
        log_likelihood = state.log_likelihood + np.log(_item_likelihood(state.base, item))
    if item.kind == "observation":
        prior_paths = state.base.tree.path_probabilities()
        if not np.any((prior_paths > 0) & np.isfinite(log_likelihood)):
            raise ScenarioError([entry.log.problem(entry.index, "observed", message=_zero_message(
                state.base, entry, before, prior_paths))])
    return _State(state.base, log_likelihood)


def _key(location: str) -> str:
    """``exchanges.complete.concentration`` -> ``exchanges.complete`` (a with_priors key)."""
    parts = location.split(".")
    return ".".join(parts[:-1]) if parts[-1] in _PRIOR_FIELDS else location


def _field(location: str) -> str:
    last = location.split(".")[-1]
    return f"{last}: " if last in _PRIOR_FIELDS else ""


_PRIOR_FIELDS = {"concentration", "alpha", "beta", "successes", "trials", "prior_alpha",
                 "prior_beta"}


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


def evidence_likelihood(scenario: Scenario, item: EvidenceItem) -> np.ndarray:
    """Return an item's likelihood on each path of the scenario's tree (unchecked).

    The item's phase and branches must be the scenario's; the likelihood of
    counts evidence is 1 everywhere (counts change the priors instead).
    """
    return _item_likelihood(scenario, item)


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
    u = pset.uncertain_branch
    prior = pset.priors[u]
    hits, misses = counts[pset.branches[u]], counts[pset.branches[1 - u]]
    if prior.kind == "counts":
        value = {"successes": prior.successes + hits, "trials": prior.trials + hits + misses,
                 "prior_alpha": prior.prior_alpha, "prior_beta": prior.prior_beta}
    else:
        a, b = pset.marginal(u)
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
                    interval: float = 0.9, rng: RNGLike = None) -> pd.DataFrame:
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
        The prior (or an updated scenario, which then is step 0).
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
    n_draws = check_n_draws(n_draws)
    interval = check_interval(interval)
    seed = seed_sequence(rng)
    prior, earlier = _split(scenario)
    entries = _new_entries(evidence, until)
    state = _state_after(prior, earlier)  # validates what came before
    problems = [p for entry in entries for p in _reference_problems(prior, entry)]
    if problems:
        raise ScenarioError(problems)

    check_budget(n_draws, what=f"the belief timeline of scenario {prior.id!r} over "
                 f"{len(entries) + 1} steps",
                 seconds_per_draw=(len(entries) + 1) * draw_seconds(prior, n_draws))
    model = prior.model
    outcomes = list(model.outcomes)
    levels = [(1 - interval) / 2, (1 + interval) / 2]
    rows: list[dict] = []
    onehot = np.eye(len(outcomes))[prior.tree.outcome_index]
    previous = None
    for step in range(len(entries) + 1):
        if step:
            entry = entries[step - 1]
            state = _apply(state, entry, earlier + entries[:step - 1])
            item = entry.item
            info = {"date": item.date, "item": item.id, "title": item.title,
                    "kind": item.kind, "detail": _detail(item)}
        else:
            info = {"date": earlier[-1].item.date if earlier else model.as_of,
                    "item": "prior", "title": "Priors" if not earlier else
                    f"After {len(earlier)} earlier items", "kind": "", "detail": ""}
        base = state.base
        weighted = replace(base, tree=base.tree.with_log_likelihood(state.log_likelihood))
        exact = np.bincount(base.tree.outcome_index,
                            weights=weighted.tree.path_probabilities(), minlength=len(outcomes))
        # The same seed at every step: common random numbers, so that the intervals move
        # only because of the evidence (counts change the priors drawn, likelihoods the weights).
        per_draw, weights = path_draws(weighted, n_draws, seed, onehot)
        bounds = weighted_quantiles(per_draw, weights, levels)
        ess = effective_sample_size(weights)
        for o, outcome_id in enumerate(outcomes):
            outcome = model.outcomes[outcome_id]
            rows.append({"step": step, **info, "outcome": outcome_id, "label": outcome.label,
                         "colour": outcome.colour, "probability": exact[o],
                         "lower": bounds[0, o], "upper": bounds[1, o],
                         "change": 0.0 if previous is None else exact[o] - previous[o],
                         "ess": ess})
        previous = exact
    frame = pd.DataFrame(rows)
    frame.attrs = {**prior.metadata(),
                   "evidence": ", ".join(dict.fromkeys(e.log.id for e in entries)),
                   "interval": interval, "n_draws": n_draws, "seed": seed_of(seed)}
    return frame
