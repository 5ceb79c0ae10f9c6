"""Honest scores: skill against naive baselines, scores over a question's life, calibration.

:mod:`analysis.analyses.scoring` scores each forecast on its own. A score
says little without a benchmark, so this module compares it with three naive
forecasts of each answered question:

``uniform``
    ``1/k`` on each of the question's ``k`` possible answers (branches,
    outcomes, yes/no, held/ended).
``base_rate``
    The question's ``base_rate``: a stated probability of one answer (the
    others share the rest equally), or the share of reference cases lasting
    beyond a day, counted with the Kaplan-Meier estimator from the cases'
    ``data.days`` (a case with ``ended_in_war: false`` is still running:
    censored at its ``days``). A survival question without one takes the
    scenario's own reference class where it has one: the cases
    (:func:`analysis.reference_truces`) of the source documents its priors
    and durations cite that had ended before the question opened (at least
    :data:`MIN_REFERENCE_CASES`). Other questions have no base rate.
``persistence``
    Certainty on the status quo at the question's opening (``status_quo``;
    ``held`` for survival questions). Questions without one have none.

The **Brier skill score** against a baseline is ``1 - B / B_ref``, with ``B``
and ``B_ref`` the mean Brier scores of the forecast and of the baseline over
the questions the baseline covers: 1 is perfect, 0 no better than the
baseline, negative worse. It is undefined when the baseline is perfect
(``B_ref = 0``); such rows are left out.

:func:`brier_over_time` re-scores each question at every date its forecast
changed, after each evidence item dated from the question's opening to its
close (the earlier of the deadline and the resolution; items dated on the
close are left out, as they usually are the resolution itself), and averages
the Brier scores weighted by the days each forecast stood, as Good Judgment
does. :func:`calibration_table` bins the forecast probabilities of every
category of the final answers and compares them with how often the
categories happened; it is shown only from :data:`MIN_CALIBRATION_QUESTIONS`
answered questions on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.arguments import check_n_draws
from ..core.rng import RNGLike, seed_of, seed_sequence
from ..formats.evidence_file import EvidenceLog
from ..formats.resolutions_file import Question, Resolutions
from ..formats.seeds import load_seeds
from ..model.scenario import Scenario
from .scoring import (
    NOT_HAPPENING,
    as_resolutions,
    brier_score,
    forecast_resolutions,
    question_categories,
    question_values,
    survival_cdf,
)
from .timing import cited_documents, kaplan_meier, reference_truces
from .updating import update_scenario

__all__ = [
    "BASELINES",
    "MIN_CALIBRATION_QUESTIONS",
    "MIN_REFERENCE_CASES",
    "baseline_forecast",
    "baseline_scores",
    "brier_over_time",
    "calibration_table",
    "skill_summary",
]

#: The naive baselines, in the order they are reported.
BASELINES = ("base_rate", "uniform", "persistence")
#: Closed reference cases a scenario's class needs to give a survival question its base rate.
MIN_REFERENCE_CASES = 3
#: Answered (final) questions needed before calibration is shown: fewer make bins of one or
#: two forecasts, whose observed frequencies say nothing.
MIN_CALIBRATION_QUESTIONS = 20


def _start(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _reference_rate(scenario: Scenario, resolutions: Resolutions, question: Question
                    ) -> float | None:
    """Return the share of the reference class lasting beyond the question's day, or None."""
    documents = cited_documents(scenario)
    if not documents:
        return None
    cases = reference_truces(scenario.seeds_dir, documents=documents)
    closed = [(row.days, row.ended_in_war) for row in cases.itertuples(index=False)
              if (start := _start(row.start)) is not None and row.ended_in_war
              and start + dt.timedelta(days=row.days) < question.opens]
    if len(closed) < MIN_REFERENCE_CASES:
        return None
    curve = kaplan_meier([d for d, _ in closed], [e for _, e in closed])
    day = resolutions.survival_day(question)
    return float(curve.loc[curve["day"] <= day, "survival"].iloc[-1])


def _base_rate(question: Question, resolutions: Resolutions, seeds_dir) -> float:
    rate = question.base_rate
    if rate.probability is not None:
        return rate.probability
    claims = {c.id: c for d in load_seeds(seeds_dir).values() for c in d.claims}
    data = [claims[c].data for c in rate.cases]
    day = rate.day if rate.day is not None else resolutions.survival_day(question)
    curve = kaplan_meier([d["days"] for d in data],
                         [bool(d.get("ended", d.get("ended_in_war", True))) for d in data])
    return float(curve.loc[curve["day"] <= day, "survival"].iloc[-1])


def baseline_forecast(scenario: Scenario, resolutions: Resolutions, question: Question,
                      baseline: str, *, seeds_dir: str | Path | None = None
                      ) -> dict[str, float] | None:
    """Return a naive baseline's probability of each possible answer, or None if it has none."""
    values = question_values(scenario, question)
    if baseline == "uniform":
        return dict.fromkeys(values, 1 / len(values))
    if baseline == "persistence":
        quo = question.persistence
        return None if quo is None else {v: float(v == quo) for v in values}
    if baseline == "base_rate":
        if question.base_rate is not None:
            p, value = _base_rate(question, resolutions, seeds_dir), question.base_rate.value
        elif question.kind == "survival":
            p, value = _reference_rate(scenario, resolutions, question), "held"
            if p is None:
                return None
        else:
            return None
        rest = (1 - p) / (len(values) - 1) if len(values) > 1 else 0.0
        return {v: p if v == value else rest for v in values}
    raise ValueError(f"baseline == {baseline!r}, expected one of: {', '.join(BASELINES)}")


def baseline_scores(scenario: Scenario, resolutions: Resolutions | str | Path,
                    scores: pd.DataFrame, *, seeds_dir: str | Path | None = None
                    ) -> pd.DataFrame:
    """Return each naive baseline's Brier score beside the forecast's, question by question.

    Parameters
    ----------
    scenario : Scenario
        Gives the possible answers (branches, outcomes) of each question.
    resolutions : Resolutions, str or Path
    scores : DataFrame
        :func:`analysis.score_forecasts` output (any number of scenarios).

    Returns
    -------
    DataFrame
        One row per scenario, question and baseline that has a forecast for
        it: ``scenario``, ``question``, ``provisional``, ``baseline``,
        ``baseline_probability`` (given to what happened), ``baseline_brier``,
        ``brier`` (the forecast's).
    """
    resolutions = as_resolutions(resolutions)
    by_id = {q.id: q for q in resolutions.questions}
    rows = []
    for record in scores.itertuples(index=False):
        q = by_id[record.question]
        for baseline in BASELINES:
            forecast = baseline_forecast(scenario, resolutions, q, baseline,
                                         seeds_dir=seeds_dir)
            if forecast is None:
                continue
            observed = [float(v == q.answer.value) for v in forecast]
            rows.append({"scenario": record.scenario, "question": record.question,
                         "provisional": bool(record.provisional), "baseline": baseline,
                         "baseline_probability": forecast[q.answer.value],
                         "baseline_brier": brier_score(list(forecast.values()), observed),
                         "brier": float(record.brier)})
    frame = pd.DataFrame(rows, columns=["scenario", "question", "provisional", "baseline",
                                        "baseline_probability", "baseline_brier", "brier"])
    frame.attrs = dict(scores.attrs)
    return frame


def skill_summary(baselines: pd.DataFrame, *, include_provisional: bool = False
                  ) -> pd.DataFrame:
    """Return the Brier skill score of each scenario against each baseline.

    Provisional answers are left out unless ``include_provisional`` (the
    rule of :func:`analysis.score_summary`).

    Returns
    -------
    DataFrame
        One row per scenario and baseline with at least one question and an
        imperfect baseline: ``scenario``, ``baseline``, ``questions``,
        ``brier`` (the forecast's mean over those questions),
        ``baseline_brier`` (mean), ``skill`` (``1 - brier / baseline_brier``).
    """
    kept = baselines if include_provisional else baselines[~baselines["provisional"]]
    rows = []
    for (scenario, baseline), part in kept.groupby(["scenario", "baseline"], sort=False):
        reference = float(part["baseline_brier"].mean())
        if reference <= 0:
            continue
        brier = float(part["brier"].mean())
        rows.append({"scenario": scenario, "baseline": baseline, "questions": len(part),
                     "brier": brier, "baseline_brier": reference, "skill": 1 - brier / reference})
    frame = pd.DataFrame(rows, columns=["scenario", "baseline", "questions", "brier",
                                        "baseline_brier", "skill"])
    order = {b: i for i, b in enumerate(BASELINES)}
    frame = frame.sort_values(["scenario", "baseline"], key=lambda c: c.map(order)
                              if c.name == "baseline" else c.map(
                                  {s: i for i, s in enumerate(pd.unique(kept["scenario"]))}),
                              kind="stable").reset_index(drop=True)
    frame.attrs = {**baselines.attrs, "include_provisional": include_provisional}
    return frame


def brier_over_time(scenario: Scenario, resolutions: Resolutions | str | Path,
                    evidence: EvidenceLog | str | Path | Sequence, *,
                    include_provisional: bool = True, n_draws: int = 20_000,
                    rng: RNGLike = None) -> pd.DataFrame:
    """Return each answered question's Brier score over its life, one row per standing forecast.

    The forecast standing on a day is the scenario updated on the evidence
    items dated on or before it (:func:`analysis.update_scenario`);
    it changes at each item dated after the question opens and before it
    closes (the earlier of its deadline and its resolution).

    Returns
    -------
    DataFrame
        One row per question and step: ``question``, ``provisional``,
        ``start``, ``end`` (the next change, or the close), ``days``
        (``end - start``; a question closing the day it opens has one step
        of weight 1), ``item`` (the last item applied, ``"prior"`` before
        any), ``probability`` (given to what happened), ``brier``, and
        ``time_averaged`` (the question's days-weighted mean, on every row).
        ``attrs``: ``scenario``, ``resolutions``, ``n_draws``, ``seed``.
    """
    resolutions = as_resolutions(resolutions)
    n_draws = check_n_draws(n_draws)
    seed = seed_sequence(rng)
    forecast_resolutions(scenario, resolutions, include_provisional=include_provisional,
                         n_draws=100, rng=0)  # checks the questions against the scenario
    posterior = update_scenario(scenario, evidence)
    items = [(e.item.date, e.item.id) for e in posterior.evidence.applied]
    prior = posterior.evidence.prior
    rows = []
    for q in resolutions.questions:
        if q.answer is None or (q.answer.provisional and not include_provisional):
            continue
        close = min(q.answer.resolved_on, q.deadline)
        changes = sorted({d for d, _ in items if q.opens < d < close})
        starts = [q.opens, *changes]
        ends = [*changes, close]
        cdf = (survival_cdf(prior, resolutions, q, n_draws=n_draws, seed=seed)
               if q.kind == "survival" else None)
        steps = []
        for start, end in zip(starts, ends, strict=True):
            known = [i for d, i in items if d <= start]
            standing = update_scenario(scenario, evidence, until=start)
            categories = list(question_categories(
                standing, resolutions, q, standing.tree.path_probabilities(),
                n_draws=n_draws, seed=seed, cdf=cdf))
            p = [c[2] for c in categories]
            o = [float(c[3]) for c in categories]
            hit = sum(c[2] for c in categories if c[3])
            steps.append({"question": q.id, "provisional": q.answer.provisional,
                          "start": start, "end": end, "days": (end - start).days,
                          "item": known[-1] if known else "prior", "probability": hit,
                          "brier": brier_score(p, o)})
        weights = np.array([s["days"] for s in steps], dtype=float)
        if weights.sum() <= 0:
            weights = np.ones(len(steps))
        average = float(np.dot(weights, [s["brier"] for s in steps]) / weights.sum())
        rows += [{**s, "time_averaged": average} for s in steps]
    frame = pd.DataFrame(rows, columns=["question", "provisional", "start", "end", "days",
                                        "item", "probability", "brier", "time_averaged"])
    frame.attrs = {**scenario.metadata(), "resolutions": resolutions.id, "n_draws": n_draws,
                   "seed": seed_of(seed)}
    return frame


def calibration_table(forecasts: pd.DataFrame, *, bins: int = 10,
                      min_questions: int = MIN_CALIBRATION_QUESTIONS) -> pd.DataFrame:
    """Return a reliability table: forecast probabilities binned against observed frequencies.

    Every category of every final answer is one forecast (the category
    :data:`~analysis.analyses.scoring.NOT_HAPPENING` too); bins are equal
    widths of ``[0, 1]``, empty bins are left out. ``attrs``: ``questions``
    (final answers per scenario, the fewest), ``min_questions``, and
    ``enough`` (whether the table should be shown).

    Returns
    -------
    DataFrame
        One row per scenario and non-empty bin: ``scenario``, ``bin``,
        ``lower``, ``upper``, ``forecasts``, ``mean_probability``,
        ``observed_frequency``.
    """
    if not isinstance(bins, int) or isinstance(bins, bool) or not 1 <= bins <= 100:
        raise ValueError(f"bins == {bins!r}, expected a whole number from 1 to 100")
    final = forecasts[(forecasts.get("status", "final") == "final")
                      & ~forecasts["provisional"].astype(bool)]
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    for scenario, part in final.groupby("scenario", sort=False):
        p = part["probability"].to_numpy(dtype=float)
        o = part["observed"].to_numpy(dtype=float)
        index = np.minimum(np.searchsorted(edges, p, side="right") - 1, bins - 1)
        for b in range(bins):
            inside = index == b
            if inside.any():
                rows.append({"scenario": scenario, "bin": b, "lower": edges[b],
                             "upper": edges[b + 1], "forecasts": int(inside.sum()),
                             "mean_probability": float(p[inside].mean()),
                             "observed_frequency": float(o[inside].mean())})
    counts = final.groupby("scenario")["question"].nunique()
    fewest = int(counts.min()) if len(counts) else 0
    frame = pd.DataFrame(rows, columns=["scenario", "bin", "lower", "upper", "forecasts",
                                        "mean_probability", "observed_frequency"])
    frame.attrs = {**forecasts.attrs, "questions": fewest, "min_questions": min_questions,
                   "enough": fewest >= min_questions, "not_happening": NOT_HAPPENING}
    return frame


