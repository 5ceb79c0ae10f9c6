"""Scores: how well scenarios forecast what actually happened.

A **resolutions file** (``scenarios/resolutions/NAME.yaml``; the format is
described in ``scenarios/resolutions/README.md`` and read by
:mod:`analysis.formats.resolutions_file`) lists forecast questions, each with
resolution criteria, a resolver, an opening date and a deadline, and (once
settled) a dated, cited answer. Each question has one target:

``phase: P``
    Which branch phase ``P`` takes. The forecast is the probability of each
    branch of ``P`` and of ``(does not happen)``: the paths that skip the
    phase or end before it.
``outcome: all``
    Which outcome the scenario ends in. The forecast is the outcome
    distribution.
``outcome: [O, ...]``
    Whether the scenario ends in one of these outcomes (``yes`` / ``no``).
``survival: {day: D}`` (optionally ``event: O``)
    Whether the deal held to day ``D`` (counted from the file's
    ``day_zero``; default: the deadline's) without collapsing: reaching the
    scenario's collapse outcomes, or through the hazards of its open
    outcomes (or reaching the outcome(s) ``O``). The forecast is
    :func:`analysis.survival_curve` at day ``D``: it needs durations.

Forecasts and scores
--------------------
:func:`forecast_resolutions` gives each scenario's forecast of each
question. With ``sequential=True`` (the default) each question is forecast
as the scenario would have forecast it when it resolved: conditional on the
final answers of the phase and outcome questions resolved strictly earlier
(``given=``), so a question is not penalised again for an earlier one;
provisional answers may still change and condition nothing. With
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
``-ln P(everything that happened)``, the scenario's joint forecast. Open
questions are forecast (``include_open=True``), not scored; provisional
answers are scored but left out of :func:`score_summary` by default. Skill
against naive baselines, scores over a question's life and calibration are
in :mod:`analysis.analyses.skill`.

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
    "as_resolutions",
    "brier_score",
    "forecast_resolutions",
    "question_categories",
    "question_values",
    "resolutions_table",
    "score_forecasts",
    "score_summary",
    "survival_cdf",
]

#: The smallest probability the logarithmic score takes (``-ln`` of it is about 13.8).
LOG_CLIP = 1e-6
#: The category of a phase question for paths that skip the phase or end before it.
NOT_HAPPENING = "(does not happen)"


def _target(question: Question) -> str:
    if question.kind == "phase":
        return f"phase {question.phase}"
    if question.kind == "outcome":
        return "which outcome"
    if question.kind == "outcomes":
        return f"outcome in {' or '.join(question.outcome)}"
    events = " or ".join(question.survival.events) or "collapse"
    day = f"day {question.survival.day:g}" if question.survival.day else "the deadline"
    return f"no {events} to {day}"


def _detail(question: Question) -> str:
    """Return the answer in words, as a condition (``phase = branch``)."""
    value = question.answer.value
    if question.kind == "phase":
        return f"{question.phase} = {value}"
    if question.kind == "outcome":
        return f"outcome = {value}"
    if question.kind == "outcomes":
        return f"outcome {'in' if value == 'yes' else 'not in'} {' or '.join(question.outcome)}"
    return f"{_target(question)}: {value}"


def _status(question: Question) -> str:
    if question.answer is None:
        return "open"
    return "provisional" if question.answer.provisional else "final"


def resolutions_table(resolutions: Resolutions | str | Path) -> pd.DataFrame:
    """Return one row per question, in file order.

    Columns: ``question``, ``text`` (the question), ``target`` (in words),
    ``criteria``, ``resolver``, ``opens``, ``deadline``, ``status`` (open,
    final or provisional), ``answer`` (empty while open), ``resolved_on``
    (``None`` while open), ``cite``, ``rationale``.
    """
    resolutions = as_resolutions(resolutions)
    rows = []
    for q in resolutions.questions:
        a = q.answer
        rows.append({"question": q.id, "text": q.question, "target": _target(q),
                     "criteria": q.criteria, "resolver": q.resolver, "opens": q.opens,
                     "deadline": q.deadline, "status": _status(q),
                     "answer": a.value if a else "", "resolved_on": a.resolved_on if a else None,
                     "cite": ", ".join(a.cite) if a else "",
                     "rationale": (a.rationale or "") if a else ""})
    frame = pd.DataFrame(rows, columns=["question", "text", "target", "criteria", "resolver",
                                        "opens", "deadline", "status", "answer", "resolved_on",
                                        "cite", "rationale"])
    frame.attrs = {"resolutions": resolutions.id}
    return frame


def as_resolutions(resolutions) -> Resolutions:
    """Return ``resolutions`` loaded: a :class:`Resolutions`, a path or a file's name."""
    if isinstance(resolutions, Resolutions):
        return resolutions
    if isinstance(resolutions, str | Path):
        return load_resolutions(resolutions)
    raise TypeError(f"resolutions: got {type(resolutions).__name__}, expected Resolutions "
                    "(see analysis.load_resolutions), a path or a file's name")


def question_values(scenario: Scenario, question: Question) -> list[str]:
    """Return the possible answers of a question in a scenario (branches, outcomes...)."""
    if question.kind == "phase":
        phases = list(scenario.phases)
        return list(scenario.model.phases[phases.index(question.phase)].branches)
    if question.kind == "outcome":
        return list(scenario.model.outcomes)
    return list(question.fixed_values)


def _scenario_problems(scenario: Scenario, resolutions: Resolutions,
                       questions: list[tuple[int, Question]]) -> Iterable[Problem]:
    model = scenario.model
    phases = list(scenario.phases)
    outcomes = list(model.outcomes)
    for i, q in questions:
        if q.answer is not None and q.answer.resolved_on <= model.as_of:
            yield resolutions.problem(i, "answer", "resolved_on", message=(
                f"question {q.id!r} resolved on {q.answer.resolved_on}, not after the priors "
                f"of scenario {scenario.id!r} ({model.as_of}): that would not be a forecast"))
        if q.kind == "phase" and q.phase not in phases:
            yield resolutions.problem(i, "phase", message=(
                f"unknown phase {q.phase!r}{did_you_mean(q.phase, phases)} in scenario "
                f"{scenario.id!r}; expected one of: {', '.join(phases)}"))
            continue
        if q.kind in ("phase", "outcome"):
            values = question_values(scenario, q)
            what = f"phase {q.phase!r} has no branch" if q.kind == "phase" else (
                f"scenario {scenario.id!r} has no outcome")
            for where, value in ((("answer", "value"), q.answer and q.answer.value),
                                 (("status_quo",), q.status_quo),
                                 (("base_rate", "value"), q.base_rate and q.base_rate.value)):
                if value is not None and value not in values:
                    yield resolutions.problem(i, *where, message=(
                        f"{what} {value!r}{did_you_mean(value, values)}; expected one of: "
                        f"{', '.join(values)}"))
        named = (q.outcome if q.kind == "outcomes" else
                 q.survival.events if q.kind == "survival" else [])
        if q.kind == "survival" and q.survival.event is None and not scenario.collapse_outcomes:
            yield resolutions.problem(i, "survival", message=(
                f"scenario {scenario.id!r} names no outcome that ends the deal; expected "
                "'role: collapse' on one of its outcomes, or 'event:' here"))
        where = ("outcome",) if q.kind == "outcomes" else ("survival", "event")
        for j, name in enumerate(named):
            if name not in outcomes:
                loc = where if q.kind == "survival" and isinstance(q.survival.event, str) \
                    else (*where, j)
                yield resolutions.problem(i, *loc, message=(
                    f"unknown outcome {name!r}{did_you_mean(name, outcomes)} in scenario "
                    f"{scenario.id!r}; expected one of: {', '.join(outcomes)}"))


def _holds(scenario: Scenario, question: Question) -> np.ndarray:
    """Paths consistent with an answered phase or outcome question."""
    tree = scenario.tree
    value = question.answer.value
    if question.kind == "phase":
        k = list(scenario.phases).index(question.phase)
        branch = list(scenario.model.phases[k].branches).index(value)
        return tree.branch_index[:, k] == branch
    outcomes = list(scenario.model.outcomes)
    if question.kind == "outcome":
        return tree.outcome_index == outcomes.index(value)
    inside = np.isin(tree.outcome_index, [outcomes.index(o) for o in question.outcome])
    return inside if value == "yes" else ~inside


def forecast_resolutions(scenarios: Scenario | Sequence[Scenario],
                         resolutions: Resolutions | str | Path, *, sequential: bool = True,
                         include_provisional: bool = True, include_open: bool = False,
                         n_draws: int = 20_000, rng: RNGLike = None) -> pd.DataFrame:
    """Return each scenario's forecast of each question, category by category.

    Parameters
    ----------
    scenarios : Scenario or sequence of Scenario
        The forecasters (posteriors too).
    resolutions : Resolutions, str or Path
    sequential : bool
        Condition each forecast on the final answers of the phase and outcome
        questions resolved strictly before it (see the module docstring);
        else marginal forecasts. Provisional answers condition nothing.
    include_provisional : bool
        Include questions whose answer is provisional.
    include_open : bool
        Include open questions (no answer: ``observed`` is False throughout;
        conditioned on every final answer, when sequential).
    n_draws : int
        Draws of the durations for survival questions.
    rng : None, int, SeedSequence or Generator
        For survival questions; the same seed gives the same forecasts.

    Returns
    -------
    DataFrame
        One row per scenario, question and category: ``scenario``,
        ``question``, ``resolved_on`` (``None`` while open), ``kind``,
        ``category`` (a branch id, :data:`NOT_HAPPENING`, an outcome id,
        ``yes`` / ``no``, or ``held`` / ``ended``), ``label``,
        ``probability``, ``observed`` (True for what happened), ``given``
        (the condition used, in words), ``provisional``, ``status`` (open,
        final or provisional). ``attrs``: ``resolutions``, ``sequential``,
        ``n_draws``, ``seed``.

    Raises
    ------
    ScenarioError
        If a question names a phase, branch or outcome a scenario lacks, or
        resolved on or before a scenario's ``as_of``.
    QueryError
        If a survival question is asked of a scenario without durations.
    """
    resolutions = as_resolutions(resolutions)
    scenarios = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    for scenario in scenarios:
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenarios: got {type(scenario).__name__}, expected Scenario "
                            "objects (see analysis.load_scenario)")
    n_draws = check_n_draws(n_draws)
    seed = seed_sequence(rng)
    questions = [(i, q) for i, q in enumerate(resolutions.questions)
                 if (q.answer is not None or include_open)
                 and (include_provisional or q.answer is None or not q.answer.provisional)]
    every = list(enumerate(resolutions.questions))
    problems = [p for s in scenarios for p in _scenario_problems(s, resolutions, every)]
    if problems:
        raise ScenarioError(problems)
    answered = [q for _, q in questions if q.answer is not None and not q.answer.provisional]
    rows = []
    for scenario in scenarios:
        probabilities = scenario.tree.path_probabilities()
        for _, q in questions:
            when = q.answer.resolved_on if q.answer else None
            earlier = [e for e in answered if sequential and e.kind != "survival"
                       and (when is None or e.answer.resolved_on < when)]
            mask = np.ones(scenario.tree.n_paths, dtype=bool)
            for e in earlier:
                mask &= _holds(scenario, e)
            given = ", ".join(_detail(e) for e in earlier)
            weights = probabilities * mask
            if weights.sum() > 0:
                weights = weights / weights.sum()
            else:
                weights, given = probabilities, "(none: the earlier answers had probability 0)"
            for category, label, p, observed in question_categories(
                    scenario, resolutions, q, weights, n_draws=n_draws, seed=seed):
                rows.append({"scenario": scenario.name, "question": q.id, "resolved_on": when,
                             "kind": q.kind, "category": category, "label": label,
                             "probability": p, "observed": observed, "given": given,
                             "provisional": bool(q.answer and q.answer.provisional),
                             "status": _status(q)})
    frame = pd.DataFrame(rows, columns=["scenario", "question", "resolved_on", "kind",
                                        "category", "label", "probability", "observed",
                                        "given", "provisional", "status"])
    frame.attrs = {"resolutions": resolutions.id, "sequential": sequential,
                   "n_draws": n_draws, "seed": seed_of(seed)}
    return frame


def question_categories(scenario: Scenario, resolutions: Resolutions, q: Question,
                        weights: np.ndarray, *, n_draws: int, seed: np.random.SeedSequence,
                        cdf: np.ndarray | None = None):
    """Yield ``(category, label, probability, observed)`` for one question.

    ``weights`` are the path probabilities to forecast with; ``cdf`` (survival
    questions) each path's probability of the event by the day, when known.
    """
    model, tree = scenario.model, scenario.tree
    value = q.answer.value if q.answer else None
    if q.kind == "phase":
        k = list(scenario.phases).index(q.phase)
        column = tree.branch_index[:, k]
        for b, (branch_id, branch) in enumerate(model.phases[k].branches.items()):
            yield (branch_id, display_label(branch_id, branch.label),
                   float(weights[column == b].sum()), branch_id == value)
        yield NOT_HAPPENING, NOT_HAPPENING, float(weights[column < 0].sum()), False
    elif q.kind == "outcome":
        totals = np.bincount(tree.outcome_index, weights=weights, minlength=len(model.outcomes))
        for o, (outcome_id, outcome) in enumerate(model.outcomes.items()):
            yield outcome_id, outcome.label, float(totals[o]), outcome_id == value
    elif q.kind == "outcomes":
        holds = _outcome_set_paths(scenario, q.outcome)
        inside = float(weights[holds].sum())
        names = " or ".join(model.outcomes[o].label for o in q.outcome)
        yield "yes", f"Ends in {names}", inside, value == "yes"
        yield "no", f"Does not end in {names}", 1 - inside, value == "no"
    else:
        day = resolutions.survival_day(q)
        if cdf is None:
            cdf = survival_cdf(scenario, resolutions, q, n_draws=n_draws, seed=seed)
        held = float(1 - weights @ cdf)
        yield "held", f"Held to day {day:g}", held, value == "held"
        yield "ended", f"Ended by day {day:g}", 1 - held, value == "ended"


def survival_cdf(scenario: Scenario, resolutions: Resolutions, q: Question, *, n_draws: int,
                 seed: np.random.SeedSequence) -> np.ndarray:
    """Each path's probability of a survival question's event by its day."""
    day = resolutions.survival_day(q)
    return path_event_cdf(scenario, np.array([day]), event=q.survival.events or None,
                          n_draws=n_draws, seed=seed)[:, 0]


def _outcome_set_paths(scenario: Scenario, names: list[str]) -> np.ndarray:
    outcomes = list(scenario.model.outcomes)
    return np.isin(scenario.tree.outcome_index, [outcomes.index(o) for o in names])


def score_forecasts(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Score forecasts of answered questions with the Brier and logarithmic scores.

    Open questions are skipped.

    Parameters
    ----------
    forecasts : DataFrame
        :func:`forecast_resolutions` output.

    Returns
    -------
    DataFrame
        One row per scenario and answered question: ``scenario``,
        ``question``, ``resolved_on``, ``kind``, ``observed`` (the label of
        what happened), ``probability`` (given to it), ``brier`` (sum over
        categories of ``(p - o)**2``), ``log_score`` (``-ln max(p,
        LOG_CLIP)``), ``given``, ``provisional``. ``attrs`` as the
        forecasts', plus ``log_clip``.
    """
    needed = ("scenario", "question", "resolved_on", "kind", "label", "probability",
              "observed", "given", "provisional")
    if not isinstance(forecasts, pd.DataFrame):
        raise TypeError(f"forecasts: got {type(forecasts).__name__}, expected the DataFrame "
                        "of forecast_resolutions")
    missing = [c for c in needed if c not in forecasts.columns]
    if missing:
        raise ValueError(f"forecasts: missing column(s) {', '.join(missing)}")
    if "status" in forecasts.columns:
        forecasts = forecasts[forecasts["status"] != "open"]
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
                     "brier": brier_score(p, outcome),
                     "log_score": float(-np.log(max(probability, LOG_CLIP))),
                     "given": first["given"], "provisional": bool(first["provisional"])})
    frame = pd.DataFrame(rows, columns=["scenario", "question", "resolved_on", "kind",
                                        "observed", "probability", "brier", "log_score",
                                        "given", "provisional"])
    frame.attrs = {**forecasts.attrs, "log_clip": LOG_CLIP}
    return frame


def brier_score(probabilities, observed) -> float:
    """Return the multi-category Brier score: the sum of ``(p - o)**2`` over the categories."""
    p = np.asarray(probabilities, dtype=float)
    o = np.asarray(observed, dtype=float)
    return float(((p - o) ** 2).sum())


def score_summary(scores: pd.DataFrame, *, include_provisional: bool = False) -> pd.DataFrame:
    """Return each scenario's scores over its questions.

    The rule for provisional answers: they are left out of the overall
    scores unless ``include_provisional`` (their own scores stay in
    ``scores``); ``provisional`` counts those left out.

    Returns
    -------
    DataFrame
        One row per scenario, in the order of ``scores``: ``scenario``,
        ``questions``, ``brier`` (mean), ``log_score`` (mean),
        ``log_score_total`` (sum: with sequential forecasts, ``-ln`` of the
        probability the scenario gave to everything that happened),
        ``provisional`` (questions left out).
    """
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores: got {type(scores).__name__}, expected the DataFrame of "
                        "score_forecasts")
    order = list(pd.unique(scores["scenario"]))
    kept = scores if include_provisional else scores[~scores["provisional"].astype(bool)]
    left_out = scores.groupby("scenario", sort=False)["provisional"].sum()
    rows = []
    for scenario in order:
        part = kept[kept["scenario"] == scenario]
        rows.append({"scenario": scenario, "questions": len(part),
                     "brier": float(part["brier"].mean()) if len(part) else 0.0,
                     "log_score": float(part["log_score"].mean()) if len(part) else 0.0,
                     "log_score_total": float(part["log_score"].sum()),
                     "provisional": 0 if include_provisional else int(left_out[scenario])})
    frame = pd.DataFrame(rows, columns=["scenario", "questions", "brier", "log_score",
                                        "log_score_total", "provisional"])
    frame.attrs = {**scores.attrs, "include_provisional": include_provisional}
    return frame
