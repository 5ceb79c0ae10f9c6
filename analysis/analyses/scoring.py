"""Scores: how well scenarios forecast what actually happened.

A **resolutions file** (``scenarios/resolutions/NAME.yaml``; the format is
described in ``scenarios/resolutions/README.md`` and read by
:mod:`analysis.formats.resolutions_file`) lists dated, cited
questions that have been settled, each of one kind:

``phase: P`` with ``branch: B``
    Phase ``P`` resolved on branch ``B``. The forecast is the probability
    of each branch of ``P`` and of ``(does not happen)``: the paths that
    skip the phase or end before it.
``outcome: O``
    The scenario ended in outcome ``O``. The forecast is the outcome
    distribution.
``survival: {event: O, day: D, held: true}``
    Whether the truce held to day ``D`` (counted from the file's
    ``day_zero``) without reaching the event outcome(s). The forecast is
    :func:`analysis.survival_curve` at day ``D``: it needs durations.

Forecasts and scores
--------------------
:func:`forecast_resolutions` gives each scenario's forecast of each
question. With ``sequential=True`` (the default) each question is forecast
as the scenario would have forecast it when it resolved: conditional on the
phase and outcome questions resolved strictly earlier (``given=``), so a
question is not penalised again for an earlier one. With
``sequential=False`` every forecast is the scenario's marginal one.

:func:`score_forecasts` scores them:

- **Brier score**, multi-category (Brier's original 1950 form): the sum
  over the question's categories of ``(p - o)**2``, with ``o`` 1 for what
  happened and 0 otherwise. From 0 (certain and right) to 2 (certain and
  wrong); a binary question scores ``2 (1 - p)**2``, twice the binary form.
- **Logarithmic score**, negatively oriented: ``-ln(p)`` for the
  probability ``p`` given to what happened, with ``p`` clipped below at
  :data:`LOG_CLIP` (so at most about 13.8 instead of infinity).

Lower is better for both. Sequential log scores add up to
``-ln P(everything that happened)``, the scenario's joint forecast.

Examples
--------
>>> import analysis
>>> baseline = analysis.load_scenario("baseline")
>>> forecasts = analysis.forecast_resolutions([baseline], "gaza_2025", rng=1)
>>> scores = analysis.score_forecasts(forecasts)
>>> list(scores.columns)[:4]
['scenario', 'question', 'resolved_on', 'kind']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.arguments import check_n_draws
from ..core.errors import Problem, ScenarioError
from ..core.rng import RNGLike, seed_of, seed_sequence
from ..core.text import did_you_mean, display_label
from ..engines.durations import path_event_cdf
from ..formats.resolutions_file import Question, Resolutions, load_resolutions
from ..model.scenario import Scenario

__all__ = [
    "LOG_CLIP",
    "NOT_HAPPENING",
    "forecast_resolutions",
    "resolutions_table",
    "score_forecasts",
    "score_summary",
]

#: The smallest probability the logarithmic score takes (``-ln`` of it is about 13.8).
LOG_CLIP = 1e-6
#: The category of a phase question for paths that skip the phase or end before it.
NOT_HAPPENING = "(does not happen)"


def _detail(question: Question) -> str:
    if question.kind == "phase":
        return f"{question.phase} = {question.branch}"
    if question.kind == "outcome":
        return f"outcome = {question.outcome}"
    s = question.survival
    events = s.event if isinstance(s.event, str) else " or ".join(s.event)
    return f"{'held' if s.held else 'ended'} to day {s.day:g} (event: {events})"


def resolutions_table(resolutions: Resolutions | str | Path) -> pd.DataFrame:
    """Return one row per resolved question, in date order.

    Columns: ``question``, ``resolved_on``, ``kind`` (phase, outcome or
    survival), ``answer`` (in words), ``text`` (the question), ``provisional``,
    ``cite``, ``rationale``.
    """
    resolutions = _load(resolutions)
    frame = pd.DataFrame([{
        "question": q.id, "resolved_on": q.resolved_on, "kind": q.kind, "answer": _detail(q),
        "text": q.question, "provisional": q.provisional, "cite": ", ".join(q.cite),
        "rationale": q.rationale or ""} for q in resolutions.questions],
        columns=["question", "resolved_on", "kind", "answer", "text", "provisional", "cite",
                 "rationale"])
    frame.attrs = {"resolutions": resolutions.id}
    return frame


def _load(resolutions) -> Resolutions:
    if isinstance(resolutions, Resolutions):
        return resolutions
    if isinstance(resolutions, str | Path):
        return load_resolutions(resolutions)
    raise TypeError(f"resolutions: got {type(resolutions).__name__}, expected Resolutions "
                    "(see analysis.load_resolutions), a path or a file's name")


def _scenario_problems(scenario: Scenario, resolutions: Resolutions,
                       questions: list[tuple[int, Question]]) -> Iterable[Problem]:
    model = scenario.model
    phases = list(scenario.phases)
    outcomes = list(model.outcomes)
    for i, q in questions:
        if q.resolved_on <= model.as_of:
            yield resolutions.problem(i, "resolved_on", message=(
                f"question {q.id!r} resolved on {q.resolved_on}, not after the priors of "
                f"scenario {scenario.id!r} ({model.as_of}): that would not be a forecast"))
        if q.kind == "phase":
            if q.phase not in phases:
                yield resolutions.problem(i, "phase", message=(
                    f"unknown phase {q.phase!r}{did_you_mean(q.phase, phases)} in scenario "
                    f"{scenario.id!r}; expected one of: {', '.join(phases)}"))
                continue
            branches = list(model.phases[phases.index(q.phase)].branches)
            if q.branch not in branches:
                yield resolutions.problem(i, "branch", message=(
                    f"phase {q.phase!r} has no branch {q.branch!r}"
                    f"{did_you_mean(q.branch, branches)}; expected one of: {', '.join(branches)}"))
        named = ([q.outcome] if q.kind == "outcome" else [] if q.kind == "phase" else
                 [q.survival.event] if isinstance(q.survival.event, str) else q.survival.event)
        where = ("outcome",) if q.kind == "outcome" else ("survival", "event")
        for name in named:
            if name not in outcomes:
                yield resolutions.problem(i, *where, message=(
                    f"unknown outcome {name!r}{did_you_mean(name, outcomes)} in scenario "
                    f"{scenario.id!r}; expected one of: {', '.join(outcomes)}"))


def _holds(scenario: Scenario, question: Question) -> np.ndarray:
    """Paths consistent with a phase or outcome question's answer."""
    tree = scenario.tree
    if question.kind == "phase":
        k = list(scenario.phases).index(question.phase)
        branch = list(scenario.model.phases[k].branches).index(question.branch)
        return tree.branch_index[:, k] == branch
    return tree.outcome_index == list(scenario.model.outcomes).index(question.outcome)


def forecast_resolutions(scenarios: Scenario | Sequence[Scenario],
                         resolutions: Resolutions | str | Path, *, sequential: bool = True,
                         include_provisional: bool = True, n_draws: int = 20_000,
                         rng: RNGLike = None) -> pd.DataFrame:
    """Return each scenario's forecast of each resolved question, category by category.

    Parameters
    ----------
    scenarios : Scenario or sequence of Scenario
        The forecasters (posteriors too).
    resolutions : Resolutions, str or Path
    sequential : bool
        Condition each forecast on the phase and outcome questions resolved
        strictly before it (see the module docstring); else marginal forecasts.
    include_provisional : bool
        Include questions marked ``provisional``.
    n_draws : int
        Draws of the durations for survival questions.
    rng : None, int, SeedSequence or Generator
        For survival questions; the same seed gives the same forecasts.

    Returns
    -------
    DataFrame
        One row per scenario, question and category: ``scenario``,
        ``question``, ``resolved_on``, ``kind``, ``category`` (a branch id,
        :data:`NOT_HAPPENING`, an outcome id, or ``held`` / ``ended``),
        ``label``, ``probability``, ``observed`` (True for what happened),
        ``given`` (the condition used, in words), ``provisional``.
        ``attrs``: ``resolutions``, ``sequential``, ``n_draws``, ``seed``.

    Raises
    ------
    ScenarioError
        If a question names a phase, branch or outcome a scenario lacks, or
        resolved on or before a scenario's ``as_of``.
    QueryError
        If a survival question is asked of a scenario without durations.
    """
    resolutions = _load(resolutions)
    scenarios = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    for scenario in scenarios:
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenarios: got {type(scenario).__name__}, expected Scenario "
                            "objects (see analysis.load_scenario)")
    n_draws = check_n_draws(n_draws)
    seed = seed_sequence(rng)
    questions = [(i, q) for i, q in enumerate(resolutions.questions)
                 if include_provisional or not q.provisional]
    problems = [p for s in scenarios for p in _scenario_problems(s, resolutions, questions)]
    if problems:
        raise ScenarioError(problems)
    rows = []
    for scenario in scenarios:
        probabilities = scenario.tree.path_probabilities()
        for _, q in questions:
            earlier = [e for _, e in questions
                       if sequential and e.kind != "survival" and e.resolved_on < q.resolved_on]
            mask = np.ones(scenario.tree.n_paths, dtype=bool)
            for e in earlier:
                mask &= _holds(scenario, e)
            given = ", ".join(_detail(e) for e in earlier)
            weights = probabilities * mask
            if weights.sum() > 0:
                weights = weights / weights.sum()
            else:
                weights, given = probabilities, "(none: the earlier answers had probability 0)"
            for category, label, p, observed in _categories(scenario, resolutions, q, weights,
                                                            n_draws, seed):
                rows.append({"scenario": scenario.name, "question": q.id,
                             "resolved_on": q.resolved_on, "kind": q.kind,
                             "category": category, "label": label, "probability": p,
                             "observed": observed, "given": given,
                             "provisional": q.provisional})
    frame = pd.DataFrame(rows, columns=["scenario", "question", "resolved_on", "kind",
                                        "category", "label", "probability", "observed",
                                        "given", "provisional"])
    frame.attrs = {"resolutions": resolutions.id, "sequential": sequential,
                   "n_draws": n_draws, "seed": seed_of(seed)}
    return frame


def _categories(scenario: Scenario, resolutions: Resolutions, q: Question,
                weights: np.ndarray, n_draws: int, seed: np.random.SeedSequence):
    """Yield ``(category, label, probability, observed)`` for one question."""
    model, tree = scenario.model, scenario.tree
    if q.kind == "phase":
        k = list(scenario.phases).index(q.phase)
        column = tree.branch_index[:, k]
        for b, (branch_id, branch) in enumerate(model.phases[k].branches.items()):
            yield (branch_id, display_label(branch_id, branch.label),
                   float(weights[column == b].sum()), branch_id == q.branch)
        yield NOT_HAPPENING, NOT_HAPPENING, float(weights[column < 0].sum()), False
    elif q.kind == "outcome":
        totals = np.bincount(tree.outcome_index, weights=weights, minlength=len(model.outcomes))
        for o, (outcome_id, outcome) in enumerate(model.outcomes.items()):
            yield outcome_id, outcome.label, float(totals[o]), outcome_id == q.outcome
    else:
        s = q.survival
        cdf = path_event_cdf(scenario, np.array([s.day]), event=s.event, n_draws=n_draws,
                              seed=seed)
        held = float(1 - weights @ cdf[:, 0])
        yield "held", f"Held to day {s.day:g}", held, s.held
        yield "ended", f"Ended by day {s.day:g}", 1 - held, not s.held


def score_forecasts(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Score forecasts of resolved questions with the Brier and logarithmic scores.

    Parameters
    ----------
    forecasts : DataFrame
        :func:`forecast_resolutions` output.

    Returns
    -------
    DataFrame
        One row per scenario and question: ``scenario``, ``question``,
        ``resolved_on``, ``kind``, ``observed`` (the label of what happened),
        ``probability`` (given to it), ``brier`` (sum over categories of
        ``(p - o)**2``), ``log_score`` (``-ln max(p, LOG_CLIP)``),
        ``given``, ``provisional``. ``attrs`` as the forecasts', plus
        ``log_clip``.
    """
    needed = ("scenario", "question", "resolved_on", "kind", "label", "probability",
              "observed", "given", "provisional")
    if not isinstance(forecasts, pd.DataFrame):
        raise TypeError(f"forecasts: got {type(forecasts).__name__}, expected the DataFrame "
                        "of forecast_resolutions")
    missing = [c for c in needed if c not in forecasts.columns]
    if missing:
        raise ValueError(f"forecasts: missing column(s) {', '.join(missing)}")
    rows = []
    for (scenario, question), part in forecasts.groupby(["scenario", "question"], sort=False):
        outcome = part["observed"].to_numpy(dtype=float)
        p = part["probability"].to_numpy(dtype=float)
        hit = part[part["observed"]]
        probability = float(hit["probability"].sum())
        first = part.iloc[0]
        rows.append({"scenario": scenario, "question": question,
                     "resolved_on": first["resolved_on"], "kind": first["kind"],
                     "observed": ", ".join(hit["label"]), "probability": probability,
                     "brier": float(((p - outcome) ** 2).sum()),
                     "log_score": float(-np.log(max(probability, LOG_CLIP))),
                     "given": first["given"], "provisional": bool(first["provisional"])})
    frame = pd.DataFrame(rows, columns=["scenario", "question", "resolved_on", "kind",
                                        "observed", "probability", "brier", "log_score",
                                        "given", "provisional"])
    frame.attrs = {**forecasts.attrs, "log_clip": LOG_CLIP}
    return frame


def score_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Return each scenario's scores over all questions.

    Returns
    -------
    DataFrame
        One row per scenario, in the order of ``scores``: ``scenario``,
        ``questions``, ``brier`` (mean), ``log_score`` (mean),
        ``log_score_total`` (sum: with sequential forecasts, ``-ln`` of the
        probability the scenario gave to everything that happened).
    """
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores: got {type(scores).__name__}, expected the DataFrame of "
                        "score_forecasts")
    frame = scores.groupby("scenario", sort=False).agg(
        questions=("question", "size"), brier=("brier", "mean"),
        log_score=("log_score", "mean"), log_score_total=("log_score", "sum"),
    ).reset_index()
    frame.attrs = dict(scores.attrs)
    return frame
