"""Phase timing: how long the phases take, and how long the deal survives.

A branch may carry a ``duration`` (see ``scenarios/README.md``): how long its
phase takes when the phase resolves on that branch (the rules are in
:mod:`analysis.engines.durations`). A path's **completion time of phase k**
is when phase k ends on it: its start (the end of the phase before it, or
the latest end of the phases it starts ``after``) plus its branch's duration;
with phases in sequence, the sum of the durations up to and including k.

Semantics
---------
- The **event** is the deal's collapse: reaching one of the outcomes the
  scenario marks ``role: collapse`` (or the outcomes given as ``event=``).
  On a path ending in one, it happens when the branch that ended the path
  completes (or, for a path through every phase, when its last phase ends;
  phases may run side by side: see :mod:`analysis.engines.durations`).
- A path ending in an **open** outcome (no role) with a ``hazard`` collapses
  later, at a piecewise-exponential time after its end; open outcomes
  without a hazard, and success outcomes, never collapse, so the curve
  levels off at their probability.

The **survival curve** ``S(t) = P(T > t)`` is
``1 - sum over paths of P(path) F_path(t)``: path probabilities are exact
(a posterior's too), and each path's distribution function ``F_path`` is
estimated from ``n_draws`` draws of its durations and hazards' rates. Its
credible band comes from draws of the priors, branch probabilities and
hazard rates together, each giving ``S_i(t)`` (the hazard's part in closed
form given the rates: :func:`~analysis.engines.durations.hazard_cdf`),
importance-weighted for a posterior or a condition.
:func:`collapse_by_date` gives ``1 - S`` by date, and :func:`reference_gap`
compares it with the reference class's Kaplan-Meier band.

The reference class (:func:`reference_truces`) is read from the claims of the
seeds digest tagged as such; :func:`kaplan_meier` estimates their survival,
with the cases still open right-censored, using :func:`scipy.stats.ecdf`.

Examples
--------
>>> import analysis
>>> baseline = analysis.load_scenario("baseline")
>>> curve = analysis.survival_curve(baseline, horizon=365, n_draws=2000, rng=1)
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
from ..engines.durations import (
    RATE_STREAM,
    THETA_STREAM,
    completion_times,
    event_paths,
    event_times,
    hazard_cdf,
    hazard_outcomes,
    path_ends,
    rate_draws,
)
from ..engines.exact import condition
from ..formats.seeds import known_by as claim_known_by
from ..formats.seeds import load_seeds
from ..model.scenario import Scenario

__all__ = [
    "collapse_by_date",
    "cited_documents",
    "completion_curve",
    "hazard_table",
    "kaplan_meier",
    "phase_completion",
    "reference_gap",
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


def _grid(horizon: object, step: object, held_until: object) -> tuple[np.ndarray, float]:
    """Return the days asked for (from ``held_until`` if given) and where the curve starts."""
    days = _check_days(horizon, step)
    if held_until is None:
        return days, 0.0
    if isinstance(held_until, bool) or not isinstance(held_until, Real) or held_until < 0:
        raise ValueError(f"held_until == {held_until!r}, expected a number of days >= 0")
    start = float(held_until)
    days = days[days >= start] if (days >= start).any() else np.array([start])
    if days[0] > start:
        days = np.concatenate([[start], days])
    return days, start


def survival_curve(scenario: Scenario, *, event: str | Iterable[str] | None = None,
                   horizon: float = 730, step: float = 1, given: Given = None,
                   held_until: float | None = None, n_draws: int = 20_000,
                   interval: float = 0.9, rng: RNGLike = None) -> pd.DataFrame:
    """Return the probability that the deal has not collapsed, day by day.

    Parameters
    ----------
    scenario : Scenario
        A scenario (or a posterior) whose branches carry durations.
    event : str or sequence of str, optional
        The outcome(s) whose arrival ends the deal; default: the scenario's
        collapse outcomes (``role: collapse``), with the hazards of its open
        outcomes.
    horizon, step : float
        Days from 0 to ``horizon``, every ``step`` days.
    given : mapping, optional
        Condition on phases' branches, as in :func:`analysis.outcome_distribution`.
    held_until : float, optional
        Condition on the deal having held until this day: the curve is
        ``S(t) / S(held_until)`` from that day on (and the band's draws are
        weighted by ``S_i(held_until)``).
    n_draws : int
        Draws of the durations (and hazards), and of the priors for the band.
    interval : float
        The band's central credible interval.
    rng : None, int, SeedSequence or Generator
        The same seed gives the same curve.

    Returns
    -------
    DataFrame
        One row per day: ``day``, ``survival`` (``P(T > day)``, the Monte
        Carlo mean over durations and hazards' rates, with exact path
        probabilities), ``lower`` and ``upper`` (the band over the priors:
        branch probabilities and hazards' rates), ``by_branches`` and
        ``by_hazards`` (the probability of the event by that day through a
        branch that ends the deal, or through the hazard of an open
        outcome). ``attrs``: ``scenario``, ``event``, ``hazards`` (the open
        outcomes whose hazard counts), ``given``, ``held_until``, ``never``
        (the probability that the event never comes: the curve's floor),
        ``n_draws``, ``interval``, ``seed``.

    Raises
    ------
    QueryError
        If the scenario has no durations, ``event`` names no outcome (or is
        None and no outcome has ``role: collapse``), ``given`` is invalid, or
        the deal cannot hold until ``held_until``.
    """
    n_draws = check_n_draws(n_draws)
    interval = check_interval(interval)
    days, start = _grid(horizon, step, held_until)
    seed = seed_sequence(rng)
    wanted, is_event = event_paths(scenario, event)
    hazards = hazard_outcomes(scenario, wanted)
    by_hazard = np.isin(scenario.tree.outcome_index, list(hazards))
    probabilities, holds = condition(scenario, given)
    # the hazards' bins (see hazard_cdf): at most a day apart, or 2,000 over the horizon
    fine = min(float(step), max(1.0, float(horizon) / 2000)) if hazards else float(step)
    grid = np.unique(np.concatenate([_check_days(max(horizon, start), fine), [start], days]))
    asked = np.searchsorted(grid, np.concatenate([[start], days]))
    # the band keeps one survival curve per draw: check it first
    check_budget(n_draws, what=f"the survival band of scenario {scenario.id!r} over "
                 f"{len(days):,} days", bytes_per_draw=8.0 * 4 * (len(days) + 1))
    times = completion_times(scenario, n_draws, seed)
    ordered = np.sort(event_times(scenario, times, event=wanted, seed=seed), axis=1)
    cdf = np.stack([np.searchsorted(row, grid, side="right") / n_draws for row in ordered])
    survival = (1 - probabilities @ cdf)[asked]
    if survival[0] <= 0:
        raise QueryError(f"held_until: the deal cannot hold until day {start:g} in scenario "
                         f"{scenario.id!r}")
    routes = {name: ((probabilities * mask) @ cdf)[asked] for name, mask in
              (("by_branches", is_event), ("by_hazards", by_hazard))}
    # per draw of the priors: the paths without a hazard reduced to their distribution
    # function at the asked days, and each hazard path's own probability (its hazard's
    # rate is drawn with the priors, so it is applied per draw below)
    hazard_paths = np.flatnonzero(by_hazard)
    kept = np.zeros((len(holds), len(asked) + len(hazard_paths)))
    kept[~by_hazard, :len(asked)] = cdf[~by_hazard][:, asked]
    kept[hazard_paths, len(asked) + np.arange(len(hazard_paths))] = 1.0
    values, weights = path_draws(scenario, n_draws, child_sequence(seed, THETA_STREAM), kept,
                                 holds.astype(float))
    draws = 1 - values[:, :len(asked)]
    column = dict(zip(hazard_paths.tolist(), range(len(asked), kept.shape[1]), strict=True))
    ends = path_ends(scenario, times) if hazards else None
    for o, hazard in hazards.items():
        rates = rate_draws(hazard, n_draws, seed, RATE_STREAM, o)
        for p in np.flatnonzero(scenario.tree.outcome_index == o):
            draws -= values[:, column[int(p)], None] * hazard_cdf(
                ends[p], grid, rates, hazard.breaks_days, keep=asked)
    weights = weights * draws[:, 0]
    draws = draws / np.where(draws[:, :1] > 0, draws[:, :1], 1.0)
    bounds = weighted_quantiles(draws[:, 1:], weights,
                                [(1 - interval) / 2, (1 + interval) / 2])
    frame = pd.DataFrame({"day": days, "survival": survival[1:] / survival[0],
                          "lower": bounds[0], "upper": bounds[1],
                          **{name: (value[1:] - value[0]) / survival[0]
                             for name, value in routes.items()}})
    frame.attrs = {**scenario.metadata(), "event": wanted,
                   "hazards": [list(scenario.model.outcomes)[o] for o in hazards],
                   "given": dict(given or {}), "held_until": held_until,
                   "never": float(probabilities[~is_event & ~by_hazard].sum() / survival[0]),
                   "n_draws": n_draws, "interval": interval, "seed": seed_of(seed)}
    return frame


def collapse_by_date(scenario: Scenario, *, event: str | Iterable[str] | None = None,
                     horizon: float = 730, step: float = 1, given: Given = None,
                     held_until: float | None = None, n_draws: int = 20_000,
                     interval: float = 0.9, rng: RNGLike = None) -> pd.DataFrame:
    """Return the probability that the deal has collapsed by each day, and by each date.

    The complement of :func:`survival_curve` (same parameters), dated from the
    scenario's day zero (its ``day_zero``, else its ``as_of``).

    Returns
    -------
    DataFrame
        One row per day: ``day``, ``date``, ``probability`` (of collapse by
        that day: the Monte Carlo mean), ``lower`` and ``upper`` (the
        interval over the priors' draws), ``by_branches`` and ``by_hazards``
        (the two routes to collapse, summing to ``probability``). ``attrs``
        as :func:`survival_curve`'s, with ``day_zero``.

    Examples
    --------
    >>> import analysis
    >>> war = analysis.collapse_by_date(analysis.load_scenario("baseline"), horizon=60,
    ...                                 step=30, n_draws=2000, rng=1)
    >>> list(war.columns)
    ['day', 'date', 'probability', 'lower', 'upper', 'by_branches', 'by_hazards']
    """
    curve = survival_curve(scenario, event=event, horizon=horizon, step=step, given=given,
                           held_until=held_until, n_draws=n_draws, interval=interval, rng=rng)
    day_zero = pd.Timestamp(scenario.day_zero)
    frame = pd.DataFrame({"day": curve["day"],
                          "date": day_zero + pd.to_timedelta(curve["day"], unit="D"),
                          "probability": 1 - curve["survival"], "lower": 1 - curve["upper"],
                          "upper": 1 - curve["lower"], "by_branches": curve["by_branches"],
                          "by_hazards": curve["by_hazards"]})
    frame.attrs = {**curve.attrs, "day_zero": scenario.day_zero.isoformat()}
    return frame


def hazard_table(scenario: Scenario, *, interval: float = 0.9) -> pd.DataFrame:
    """Return the hazards of collapse the scenario's open outcomes carry, piece by piece.

    Returns
    -------
    DataFrame
        One row per outcome and piece: ``outcome``, ``label``, ``from_day``,
        ``until_day`` (inf for the last piece), ``unit``, ``mean`` (the
        rate's prior mean, per unit), ``lower`` and ``upper`` (its central
        ``interval``; the value itself for a known rate), ``cite``,
        ``rationale``. Empty when no outcome carries a hazard.
    """
    from scipy import stats  # slow to import; only needed here

    interval = check_interval(interval)
    rows = []
    for name, outcome in scenario.model.outcomes.items():
        hazard = outcome.hazard
        if hazard is None:
            continue
        edges = [0.0, *hazard.breaks_days, np.inf]
        for k, rate in enumerate(hazard.rates):
            gamma = rate.gamma_parameters
            low, high = ((rate.value, rate.value) if gamma is None else
                         stats.gamma.ppf([(1 - interval) / 2, (1 + interval) / 2], gamma[0],
                                         scale=1 / gamma[1]))
            rows.append({"outcome": name, "label": outcome.label, "from_day": edges[k],
                         "until_day": edges[k + 1], "unit": hazard.unit,
                         "mean": rate.rate_mean, "lower": float(low), "upper": float(high),
                         "cite": list(rate.cite), "rationale": rate.rationale or ""})
    frame = pd.DataFrame(rows, columns=["outcome", "label", "from_day", "until_day", "unit",
                                        "mean", "lower", "upper", "cite", "rationale"])
    frame.attrs = {**scenario.metadata(), "interval": interval}
    return frame


def reference_gap(collapse: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Compare the model's probability of collapse with the reference class's, day by day.

    Parameters
    ----------
    collapse : DataFrame
        :func:`collapse_by_date` output.
    reference : DataFrame
        :func:`kaplan_meier` output over the reference class.

    Returns
    -------
    DataFrame
        One row per day of ``collapse`` up to the reference class's last
        time: ``day``, ``model``, ``model_lower``, ``model_upper``,
        ``reference`` (``1 - S_KM``), ``reference_lower``,
        ``reference_upper`` (its confidence band; before any case has ended,
        0 to the exact bound ``1 - (alpha / 2)^(1 / n)`` for no event among
        ``n``), ``gap`` (how far the model lies outside the band,
        in probability: positive above it, negative below, 0 inside) and
        ``overlap`` (whether the model's interval meets the band). ``attrs``:
        the model's ``interval``, the reference's ``reference_interval``,
        ``cases``, ``events``, ``scenario``.
    """
    steps = reference.sort_values("day")
    rows = collapse[collapse["day"] <= steps["day"].max()]
    at = np.searchsorted(steps["day"].to_numpy(), rows["day"].to_numpy(), side="right") - 1
    level = reference.attrs.get("interval", 0.95)
    survival = steps["survival"].to_numpy()[at]
    point = 1 - survival
    low = 1 - steps["upper"].fillna(steps["survival"]).to_numpy()[at]
    high = 1 - steps["lower"].fillna(steps["survival"]).to_numpy()[at]
    # Before any case has ended the log-log band is undefined: use the exact upper bound
    # for no event among the n at risk, 1 - (alpha / 2)^(1 / n) (Clopper-Pearson).
    at_risk = steps["at_risk"].to_numpy()[at].astype(float)
    none_yet = survival >= 1
    high = np.where(none_yet, 1 - ((1 - level) / 2) ** (1 / np.maximum(at_risk, 1)), high)
    model = rows["probability"].to_numpy()
    gap = np.where(model > high, model - high, np.where(model < low, model - low, 0.0))
    frame = pd.DataFrame({"day": rows["day"].to_numpy(), "model": model,
                          "model_lower": rows["lower"].to_numpy(),
                          "model_upper": rows["upper"].to_numpy(), "reference": point,
                          "reference_lower": low, "reference_upper": high, "gap": gap,
                          "overlap": (rows["upper"].to_numpy() >= low)
                          & (rows["lower"].to_numpy() <= high)})
    frame.attrs = {"scenario": collapse.attrs.get("scenario"),
                   "interval": collapse.attrs.get("interval"),
                   "reference_interval": reference.attrs.get("interval"),
                   "cases": reference.attrs.get("cases"), "events": reference.attrs.get("events")}
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


def cited_documents(scenario: Scenario) -> set[str]:
    """Return the ids of the source documents the scenario's priors, durations and hazards cite.

    The documents whose earlier cases are its reference class
    (:func:`reference_truces`'s ``documents``).
    """
    cited = set()
    for phase in scenario.model.phases:
        specs = [b.prior for b in phase.branches.values()]
        specs += [b.duration for b in phase.branches.values()]
        specs += [p for rule in phase.rules for p in rule.priors.values()]
        for spec in specs:
            cited |= {claim.split(".", 1)[0] for claim in getattr(spec, "cite", None) or ()}
    for outcome in scenario.model.outcomes.values():
        for rate in outcome.hazard.rates if outcome.hazard is not None else ():
            cited |= {claim.split(".", 1)[0] for claim in rate.cite}
    return cited


def reference_truces(seeds_dir=None, *, documents=None, known_by=None) -> pd.DataFrame:
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
    known_by : date, optional
        Only the claims known by this date (their ``date`` no later), e.g. a
        scenario's ``as_of``: a forecast's reference class holds no hindsight.

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
            if known_by is not None and not claim_known_by(claim.date, known_by):
                continue
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
        ``events``, ``censored``, ``survival``, ``std_error`` (Greenwood's:
        ``S(t) sqrt(sum d_j / (n_j (n_j - d_j)))``), ``lower``, ``upper`` (the
        log-log interval ``S^exp(+-z se / (S log S))``; NaN where it is
        undefined: where the estimate is 1 or 0).

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
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0)
    std_error = survival * np.sqrt(np.cumsum(terms))  # Greenwood's formula
    frame = pd.DataFrame({"day": times, "at_risk": at_risk, "events": events,
                          "censored": censored, "survival": survival, "std_error": std_error,
                          "lower": lower, "upper": upper})
    if times[0] > 0:
        first = pd.DataFrame({"day": [0.0], "at_risk": [len(days)], "events": [0],
                              "censored": [0], "survival": [1.0], "std_error": [0.0],
                              "lower": [np.nan], "upper": [np.nan]})
        frame = pd.concat([first, frame], ignore_index=True)
    frame.attrs = {"interval": interval, "cases": int(len(days)), "events": int(ended.sum())}
    return frame
