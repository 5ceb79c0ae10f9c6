"""Phase timing: how long the phases take, and how long the deal survives.

A branch may carry a ``duration`` (see ``scenarios/README.md``): how long its
phase takes when the phase resolves on that branch (the rules are in
:mod:`analysis.engines.durations`). A path's **completion time of phase k**
is the sum of the durations of the branches it takes up to and including
phase k.

Semantics
---------
- The **event** is reaching one of the given outcomes (``event=``, for
  example the outcome in which the truce has ended). On a path ending in
  it, the event happens when the path's last branch completes: for a branch
  that ends the scenario that is the moment its phase resolves on it, drawn
  from that branch's duration. Paths ending in
  any other outcome never have the event: the outcomes are final states,
  so the survival curve levels off at the probability of those outcomes.

The **survival curve** ``S(t) = P(T > t)`` is
``1 - sum over event paths of P(path) F_path(t)``: path probabilities are
exact (a posterior's too), and each path's distribution function ``F_path``
is estimated from ``n_draws`` draws of its durations. Its credible band
comes from draws of the priors, each giving ``S_i(t)`` with the same
``F_path``, importance-weighted for a posterior or a condition.

The reference class (:func:`reference_truces`) is read from the claims of the
seeds digest tagged as such; :func:`kaplan_meier` estimates their survival,
with the cases still open right-censored, using :func:`scipy.stats.ecdf`.

Examples
--------
>>> import analysis
>>> baseline = analysis.load_scenario("baseline")
>>> curve = analysis.survival_curve(baseline, event="renewed_war", horizon=365, rng=1)
>>> float(curve["survival"].iloc[0])
1.0
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from numbers import Real

import numpy as np
import pandas as pd

from ..core.arguments import Given, check_budget, check_interval, check_n_draws
from ..core.errors import QueryError
from ..core.rng import RNGLike, child_sequence, seed_of, seed_sequence
from ..core.text import display_label
from ..engines.draws import path_draws, weighted_quantiles
from ..engines.durations import THETA_STREAM, completion_times, event_paths, path_event_cdf
from ..engines.exact import condition
from ..formats.seeds import load_seeds
from ..model.scenario import Scenario

__all__ = [
    "completion_curve",
    "kaplan_meier",
    "phase_completion",
    "reference_truces",
    "survival_curve",
]


def _check_days(horizon: object, step: object) -> np.ndarray:
    for name, value in (("horizon", horizon), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name}: got {value!r}, expected a number of days")
        if not 0 < value <= 1e5:
            raise ValueError(f"{name} == {value}, expected a positive number of days up to 1e5")
    count = int(np.floor(horizon / step + 1e-9)) + 1
    return np.arange(count) * float(step)


def survival_curve(scenario: Scenario, *, event: str | Iterable[str],
                   horizon: float = 730, step: float = 1, given: Given = None,
                   held_until: float | None = None, n_draws: int = 20_000,
                   interval: float = 0.9, rng: RNGLike = None) -> pd.DataFrame:
    """Return the probability that the truce still holds, day by day.

    Parameters
    ----------
    scenario : Scenario
        A scenario (or a posterior) whose branches carry durations.
    event : str or sequence of str
        The outcome(s) that end the deal (required: the engine assumes no
        outcome of its own).
    horizon, step : float
        Days from 0 to ``horizon``, every ``step`` days.
    given : mapping, optional
        Condition on phases' branches, as in :func:`analysis.outcome_distribution`.
    held_until : float, optional
        Condition on the truce having held until this day: the curve is
        ``S(t) / S(held_until)`` from that day on (and the band's draws are
        weighted by ``S_i(held_until)``).
    n_draws : int
        Draws of the durations, and of the priors for the band.
    interval : float
        The band's central credible interval.
    rng : None, int, SeedSequence or Generator
        The same seed gives the same curve.

    Returns
    -------
    DataFrame
        One row per day: ``day``, ``survival`` (``P(T > day)``), ``lower``
        and ``upper`` (the band over the priors). ``attrs``: ``scenario``,
        ``event``, ``given``, ``held_until``, ``never`` (the probability
        that the event never happens, the curve's floor), ``n_draws``,
        ``interval``, ``seed``.

    Raises
    ------
    QueryError
        If the scenario has no durations, ``event`` names no outcome,
        ``given`` is invalid, or the truce cannot hold until ``held_until``.
    """
    n_draws = check_n_draws(n_draws)
    interval = check_interval(interval)
    days = _check_days(horizon, step)
    start = 0.0
    if held_until is not None:
        if isinstance(held_until, bool) or not isinstance(held_until, Real) or held_until < 0:
            raise ValueError(f"held_until == {held_until!r}, expected a number of days >= 0")
        start = float(held_until)
        days = days[days >= start] if (days >= start).any() else np.array([start])
        if days[0] > start:
            days = np.concatenate([[start], days])
    seed = seed_sequence(rng)
    wanted, _ = event_paths(scenario, event)
    probabilities, holds = condition(scenario, given)
    # The band keeps one survival curve per draw (and its sorted copy): check it first.
    check_budget(n_draws, what=f"the survival band of scenario {scenario.id!r} over "
                 f"{len(days):,} days", bytes_per_draw=8.0 * 4 * (len(days) + 1))
    cdf = path_event_cdf(scenario, np.concatenate([[start], days]), event=event,
                         n_draws=n_draws, seed=seed)
    survival = 1 - probabilities @ cdf
    if survival[0] <= 0:
        raise QueryError(f"held_until: the truce cannot hold until day {start:g} in scenario "
                         f"{scenario.id!r}")
    # One survival curve per draw of the priors, a row per day (rows contiguous, in place:
    # the quantiles of each day over the draws are then a selection in one row).
    draws, weights = path_draws(scenario, n_draws, child_sequence(seed, THETA_STREAM), cdf,
                                holds.astype(float), draws_last=True)
    np.subtract(1.0, draws, out=draws)
    held = draws[0].copy()
    weights = weights * held
    draws[1:] /= np.where(held > 0, held, 1.0)
    bounds = weighted_quantiles(draws[1:].T, weights, [(1 - interval) / 2, (1 + interval) / 2],
                                overwrite=True)
    frame = pd.DataFrame({"day": days, "survival": survival[1:] / survival[0],
                          "lower": bounds[0], "upper": bounds[1]})
    _, is_event = event_paths(scenario, event)
    frame.attrs = {**scenario.metadata(), "event": wanted, "given": dict(given or {}),
                   "held_until": held_until,
                   "never": float(probabilities[~is_event].sum() / survival[0]),
                   "n_draws": n_draws, "interval": interval, "seed": seed_of(seed)}
    return frame


def phase_completion(scenario: Scenario, *, given: Given = None, n_draws: int = 20_000,
                     rng: RNGLike = None) -> pd.DataFrame:
    """Return when each phase completes, on the paths where it happens.

    Parameters
    ----------
    scenario : Scenario
        A scenario (or a posterior) whose branches carry durations.
    given : mapping, optional
        Condition on phases' branches.
    n_draws : int
        Draws of the durations.
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    DataFrame
        One row per phase: ``phase``, ``label``, ``probability`` (that the
        phase happens and resolves on some branch), then, in days since day
        0 and among the paths where it happens, ``mean``, ``p05``,
        ``median``, ``p95``. ``attrs``: ``scenario``, ``given``,
        ``n_draws``, ``seed``.
    """
    n_draws = check_n_draws(n_draws)
    seed = seed_sequence(rng)
    probabilities, _ = condition(scenario, given)
    times = completion_times(scenario, n_draws, seed)
    rows = []
    for k, phase in enumerate(scenario.model.phases):
        happens = ~np.isnan(times[:, k, 0])
        p = float(probabilities[happens].sum())
        row = {"phase": phase.id, "label": display_label(phase.id, phase.label),
               "probability": p, "mean": np.nan, "p05": np.nan, "median": np.nan,
               "p95": np.nan}
        if p > 0:
            values = times[happens, k, :].ravel()
            weights = np.repeat(probabilities[happens] / p, n_draws) / n_draws
            row["mean"] = float(values @ weights)
            row["p05"], row["median"], row["p95"] = weighted_quantiles(
                values, weights, [0.05, 0.5, 0.95])[:, 0]
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["phase", "label", "probability", "mean", "p05",
                                        "median", "p95"])
    frame.attrs = {**scenario.metadata(), "given": dict(given or {}), "n_draws": n_draws,
                   "seed": seed_of(seed)}
    return frame


def completion_curve(scenario: Scenario, *, horizon: float = 730, step: float = 1,
                     given: Given = None, n_draws: int = 20_000,
                     rng: RNGLike = None) -> pd.DataFrame:
    """Return, day by day, the probability that each phase has completed.

    Returns
    -------
    DataFrame
        One row per phase and day: ``phase``, ``label``, ``day``,
        ``probability`` (that the phase has happened and resolved by that
        day; it levels off at the phase's ``probability`` in
        :func:`phase_completion`). ``attrs`` as there.
    """
    n_draws = check_n_draws(n_draws)
    days = _check_days(horizon, step)
    seed = seed_sequence(rng)
    probabilities, _ = condition(scenario, given)
    times = completion_times(scenario, n_draws, seed)
    parts = []
    for k, phase in enumerate(scenario.model.phases):
        ordered = np.sort(np.where(np.isnan(times[:, k, :]), np.inf, times[:, k, :]), axis=1)
        cdf = np.stack([np.searchsorted(row, days, side="right") / n_draws for row in ordered])
        parts.append(pd.DataFrame({"phase": phase.id,
                                   "label": display_label(phase.id, phase.label),
                                   "day": days, "probability": probabilities @ cdf}))
    frame = pd.concat(parts, ignore_index=True)
    frame.attrs = {**scenario.metadata(), "given": dict(given or {}), "n_draws": n_draws,
                   "seed": seed_of(seed)}
    return frame


def reference_truces(seeds_dir=None, *, documents=None) -> pd.DataFrame:
    """Return the reference class of earlier cases (truces, deals) from the sources' claims.

    Every claim tagged ``reference-class`` whose ``data`` has ``days`` and a
    true/false ``ended`` (or ``ended_in_war``, the flagship's name): in the
    project's seeds, the ten Israel-Gaza truces since 2008, the last (October
    2025) still open.

    Parameters
    ----------
    seeds_dir : path-like, optional
        The sources folder (default: the project's ``seeds/``).
    documents : iterable of str, optional
        Only the claims of these source documents (ids), e.g. those a
        scenario cites; default: every document.

    Returns
    -------
    DataFrame
        Columns: ``claim``, ``start``, ``days``, ``ended_in_war`` (whether the
        case ended; False: still open, right-censored at ``days``),
        ``phased_exchange``, ``statement``; in order of start.
    """
    wanted = None if documents is None else set(documents)
    rows = []
    for document in load_seeds(seeds_dir).values():
        if wanted is not None and document.id not in wanted:
            continue
        for claim in document.claims:
            data = claim.data
            ended = data.get("ended", data.get("ended_in_war"))
            if "reference-class" in claim.topics and "days" in data and isinstance(ended, bool):
                rows.append({"claim": claim.id, "start": data.get("start", claim.date),
                             "days": float(data["days"]), "ended_in_war": ended,
                             "phased_exchange": bool(data.get("phased_exchange", False)),
                             "statement": claim.statement})
    frame = pd.DataFrame(rows, columns=["claim", "start", "days", "ended_in_war",
                                        "phased_exchange", "statement"])
    return frame.sort_values("start", kind="stable").reset_index(drop=True)


def kaplan_meier(days: Iterable[float], ended: Iterable[bool], *,
                 interval: float = 0.95) -> pd.DataFrame:
    """Return the Kaplan-Meier estimate of survival from durations, some right-censored.

    At each time ``t_j`` with ``d_j`` events among ``n_j`` at risk, the
    estimate is ``S(t) = prod over t_j <= t of (1 - d_j / n_j)``; a case
    censored at ``t_j`` is still at risk at ``t_j``. The estimate and its
    pointwise confidence interval (Greenwood's variance on the log-log
    scale) come from :func:`scipy.stats.ecdf`.

    Parameters
    ----------
    days : sequence of float
        Each case's duration (until the event, or until censoring).
    ended : sequence of bool
        True where the event was observed, False where the case was censored.
    interval : float
        The confidence level of the interval.

    Returns
    -------
    DataFrame
        One row for day 0 and one per distinct time: ``day``, ``at_risk``,
        ``events``, ``censored``, ``survival``, ``lower``, ``upper`` (NaN
        where the interval is undefined: where the estimate is 1 or 0).

    Raises
    ------
    ValueError
        If the inputs differ in length, are empty, negative or not finite.

    Examples
    --------
    >>> table = kaplan_meier([1, 2, 2, 3, 4], [True, True, False, True, False])
    >>> table["survival"].round(3).tolist()
    [1.0, 0.8, 0.6, 0.3, 0.3]
    """
    from scipy import stats  # slow to import; only needed here

    days = np.asarray(list(days), dtype=float)
    ended = np.asarray(list(ended), dtype=bool)
    interval = check_interval(interval)
    if days.shape != ended.shape or days.ndim != 1 or len(days) == 0:
        raise ValueError(f"days and ended: got {days.size} and {ended.size} values, expected "
                         "the same number, at least 1")
    if not np.isfinite(days).all() or (days < 0).any():
        raise ValueError("days: expected finite durations >= 0")
    times = np.unique(days)
    at_risk = np.array([(days >= t).sum() for t in times])
    events = np.array([((days == t) & ended).sum() for t in times])
    censored = np.array([((days == t) & ~ended).sum() for t in times])
    if ended.any():
        data = stats.CensoredData(uncensored=days[ended], right=days[~ended])
        result = stats.ecdf(data).sf
        survival = result.evaluate(times)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # undefined where S is 0 or 1
            bounds = result.confidence_interval(interval, method="log-log")
        lower, upper = bounds.low.evaluate(times), bounds.high.evaluate(times)
        defined = (survival > 0) & (survival < 1)
        lower, upper = np.where(defined, lower, np.nan), np.where(defined, upper, np.nan)
    else:  # nothing ended: the estimate stays at 1
        survival = np.ones(len(times))
        lower = upper = np.full(len(times), np.nan)
    frame = pd.DataFrame({"day": times, "at_risk": at_risk, "events": events,
                          "censored": censored, "survival": survival,
                          "lower": lower, "upper": upper})
    if times[0] > 0:
        first = pd.DataFrame({"day": [0.0], "at_risk": [len(days)], "events": [0],
                              "censored": [0], "survival": [1.0], "lower": [np.nan],
                              "upper": [np.nan]})
        frame = pd.concat([first, frame], ignore_index=True)
    frame.attrs = {"interval": interval, "cases": int(len(days)), "events": int(ended.sum())}
    return frame
