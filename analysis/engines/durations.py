"""Durations: when each phase ends on each path, and when the deal collapses.

A branch may carry a ``duration``: how long its phase takes when it resolves
on that branch. A phase starts when every phase it waits for has ended
(``after:``; by default the phase before it, the first on day 0; ``after:
[]`` is day 0), so tracks can run side by side. A phase ends at its start
plus its branch's duration; a skipped phase, or one whose branches carry no
duration, ends when it starts; a phase after the path has ended does not
happen. Branch durations are independent draws, one per branch and draw,
from their own random stream (:func:`~analysis.core.rng.child_sequence` of
the run's seed, keyed by phase and branch).

The **event** on a path is one of the event outcomes. A path ended by a
branch (``outcome:``) reaches it when that branch's phase ends; a path that
passes every phase reaches its outcome when the last of its phases ends
(the deal's completion). When the event is the scenario's collapse
(:func:`event_paths`), a path ending in an open outcome with a ``hazard``
collapses later: at its end T plus a waiting time with that hazard,
``Lambda^-1(Lambda(T) + E)`` where ``Lambda`` is the cumulative hazard since
day 0 and ``E`` a standard exponential; the rate is drawn from its gamma
prior in each sample.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core.arguments import check_budget, check_n_draws
from ..core.errors import QueryError
from ..core.rng import RNGLike, child_sequence, seed_sequence
from ..core.text import did_you_mean
from ..formats.hazard_section import Hazard
from ..formats.scenario_file import Duration
from ..model.scenario import Scenario

__all__ = [
    "DURATION_STREAM",
    "HAZARD_STREAM",
    "RATE_STREAM",
    "THETA_STREAM",
    "completion_chunks",
    "completion_times",
    "event_paths",
    "event_times",
    "hazard_cdf",
    "hazard_outcomes",
    "hazard_streams",
    "path_ends",
    "path_event_cdf",
    "piecewise_exponential",
    "rate_draws",
    "rate_generators",
    "sample_durations",
]

#: The child streams of a timing run's seed: the priors' draws, the durations', the
#: hazards' per-sample draws, and the hazards' rates drawn with the priors (the band).
THETA_STREAM, DURATION_STREAM, HAZARD_STREAM, RATE_STREAM = 0, 1, 2, 3


def sample_durations(duration: Duration, *, n_draws: int,
                     rng: RNGLike = None) -> np.ndarray:
    """Draw ``n_draws`` durations, in days.

    ``gamma``: shape ``(mean / sd)**2`` and scale ``sd**2 / mean``;
    ``lognormal``: ``sigma**2 = log(1 + sd**2 / mean**2)`` and
    ``mu = log(mean) - sigma**2 / 2``, so that the draws have the written
    mean and sd; ``exponential``: scale ``mean``; ``fixed``: ``mean``.

    Examples
    --------
    >>> from analysis.formats.scenario_file import Duration
    >>> sample_durations(Duration(distribution="fixed", mean=2, unit="weeks"), n_draws=3,
    ...                  rng=0)
    array([14., 14., 14.])
    """
    n_draws = check_n_draws(n_draws)
    generator = np.random.default_rng(seed_sequence(rng))
    return _sample(duration, n_draws, generator)


def _sample(duration: Duration, n: int, generator: np.random.Generator) -> np.ndarray:
    mean, sd = duration.mean_days, duration.sd_days
    if duration.distribution == "fixed":
        return np.full(n, mean)
    if duration.distribution == "exponential":
        return generator.exponential(mean, n)
    if duration.distribution == "gamma":
        return generator.gamma((mean / sd) ** 2, sd**2 / mean, n)
    sigma2 = np.log1p((sd / mean) ** 2)
    return generator.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), n)


def _waits_for(scenario: Scenario) -> list[list[int]]:
    """Each phase's prerequisites, as phase indices (``after``, default the phase before)."""
    ids = list(scenario.phases)
    return [([k - 1] if k else []) if phase.after is None else [ids.index(a) for a in phase.after]
            for k, phase in enumerate(scenario.model.phases)]


def completion_times(scenario: Scenario, n_draws: int, seed: np.random.SeedSequence
                      ) -> np.ndarray:
    """Each path's end time of each phase: shape (n_paths, n_phases, n_draws).

    NaN where the path does not take a branch at the phase (skipped, or after
    the path ended). The array grows with the draws: :func:`path_event_cdf`
    reduces them a chunk at a time where it can.

    Raises
    ------
    QueryError
        If the scenario has no durations, or the array would not fit the
        memory budget.
    """
    n_paths, n_phases = scenario.tree.branch_index.shape
    check_budget(n_draws, what=f"the phase completion times of scenario {scenario.id!r}",
                 bytes_per_draw=8.0 * 2 * n_paths * n_phases,
                 seconds_per_draw=_seconds_per_draw(scenario))
    return np.concatenate(list(completion_chunks(scenario, n_draws, seed)), axis=2)


def completion_chunks(scenario: Scenario, n_draws: int, seed: np.random.SeedSequence,
                      chunk_draws: int | None = None):
    """Yield :func:`completion_times` a chunk of draws at a time (the same numbers).

    Each branch's durations come from its own stream, drawn in order, so
    the chunks put together are exactly the array of one call.
    """
    tree = scenario.tree
    if not any(b.duration for p in scenario.model.phases for b in p.branches.values()):
        raise QueryError(f"scenario {scenario.id!r} gives no branch a duration; add "
                         "duration: to its branches (see scenarios/README.md)")
    n_paths, n_phases = tree.branch_index.shape
    size = chunk_draws or max(1, _CHUNK_BYTES // (8 * 2 * n_paths * n_phases))
    phases = []
    for k, (phase, waits) in enumerate(zip(scenario.model.phases, _waits_for(scenario),
                                           strict=True)):
        column = tree.branch_index[:, k]
        branches = []
        for b, branch in enumerate(phase.branches.values()):
            on = column == b
            if on.any():
                generator = (np.random.default_rng(child_sequence(seed, DURATION_STREAM, k, b))
                             if branch.duration is not None else None)
                branches.append((on, branch.duration, generator))
        phases.append((k, waits, branches))
    for first in range(0, n_draws, size):
        count = min(size, n_draws - first)
        ends = np.zeros((n_paths, n_phases, count))  # skipped phases end when they start
        times = np.full((n_paths, n_phases, count), np.nan)
        for k, waits, branches in phases:
            ends[:, k] = ends[:, waits, :].max(axis=1) if waits else 0.0
            for on, duration, generator in branches:
                if duration is not None:
                    ends[on, k] += _sample(duration, count, generator)
                times[on, k] = ends[on, k]
        yield times


#: Bytes of completion times held at once by :func:`completion_chunks`.
_CHUNK_BYTES = 16 << 20
#: Estimated time per draw and path-phase of durations (measured: about 10 ns).
_SECONDS_PER_CELL = 3e-8


def _seconds_per_draw(scenario: Scenario) -> float:
    n_paths, n_phases = scenario.tree.branch_index.shape
    return _SECONDS_PER_CELL * n_paths * (n_phases + 2)


def path_ends(scenario: Scenario, times: np.ndarray) -> np.ndarray:
    """Each path's end (n_paths, n_draws): when its ending branch's phase ends, else the last end.

    A path ended by a branch's ``outcome:`` ends with that branch's phase (the
    last phase it takes, in file order); a path that passes every phase ends
    when the last of its phases ends: the deal's completion time.
    """
    taken = ~np.isnan(times[:, :, 0])
    n_phases = times.shape[1]
    last = n_phases - 1 - np.argmax(taken[:, ::-1], axis=1)
    ended_by_branch = np.zeros(len(times), dtype=bool)
    for p, k in enumerate(last):
        if taken[p, k]:
            branch = list(scenario.model.phases[k].branches.values())[
                scenario.tree.branch_index[p, k]]
            ended_by_branch[p] = branch.outcome is not None
    completion = np.nanmax(np.where(np.isnan(times), -np.inf, times), axis=1)
    completion = np.where(np.isfinite(completion), completion, 0.0)
    at_branch = times[np.arange(len(times)), last]
    return np.where(ended_by_branch[:, None], at_branch, completion)


def event_paths(scenario: Scenario, event: str | Iterable[str] | None = None
                ) -> tuple[list[str], np.ndarray]:
    """Return the event's outcome ids, and whether each path ends in one of them.

    ``event=None`` is the scenario's collapse: its outcomes with ``role: collapse``.

    Raises
    ------
    QueryError
        If an id names no outcome, or ``event`` is None and no outcome has
        ``role: collapse``.
    """
    outcomes = list(scenario.model.outcomes)
    if event is None:
        wanted = list(scenario.collapse_outcomes)
        if not wanted:
            raise QueryError(f"{scenario.file_name}: outcomes: scenario {scenario.id!r} names "
                             "no outcome that ends the deal; expected 'role: collapse' on at "
                             f"least one of: {', '.join(outcomes)} (or pass event=)")
    else:
        wanted = [event] if isinstance(event, str) else list(event)
    if not wanted:
        raise QueryError("event: got no outcomes, expected at least one outcome id")
    for name in wanted:
        if name not in outcomes:
            raise QueryError(f"event: scenario {scenario.id!r} has no outcome {name!r}"
                             f"{did_you_mean(name, outcomes)}; expected one of: "
                             f"{', '.join(outcomes)}")
    codes = [outcomes.index(name) for name in wanted]
    return wanted, np.isin(scenario.tree.outcome_index, codes)


def hazard_outcomes(scenario: Scenario, wanted: Iterable[str]) -> dict[int, Hazard]:
    """Outcome index -> hazard, for the open outcomes whose hazard leads to the event.

    Hazards count when the event includes every collapse outcome (the
    scenario's collapse, the default event); for any other event, none do.
    """
    wanted = set(wanted)
    collapse = set(scenario.collapse_outcomes)
    if not collapse or not collapse <= wanted:
        return {}
    return {o: outcome.hazard for o, (name, outcome) in enumerate(scenario.model.outcomes.items())
            if outcome.hazard is not None and name not in wanted}


def rate_draws(hazard: Hazard, n: int, seed: np.random.SeedSequence | list,
               *key: int) -> np.ndarray:
    """Draw ``n`` rows of the hazard's rates per day, one column per piece.

    Each piece draws from its own generator (``child_sequence(seed, *key,
    piece)``), or from ``seed`` itself when it is a list of generators, one per
    piece, kept across chunks of draws so that they repeat one call's numbers.
    """
    generators = seed if isinstance(seed, list) else rate_generators(hazard, seed, *key)
    columns = []
    for prior, generator in zip(hazard.rates, generators, strict=True):
        gamma = prior.gamma_parameters
        per_unit = (np.full(n, float(prior.value)) if gamma is None
                    else generator.gamma(gamma[0], 1 / gamma[1], n))
        columns.append(per_unit / hazard.days_per_unit)
    return np.column_stack(columns)


def rate_generators(hazard: Hazard, seed: np.random.SeedSequence, *key: int) -> list:
    """One generator per piece of the hazard: ``child_sequence(seed, *key, piece)``."""
    return [np.random.default_rng(child_sequence(seed, *key, k))
            for k in range(len(hazard.rates))]


def piecewise_exponential(start: np.ndarray, rates: np.ndarray, breaks: Iterable[float],
                          exponential: np.ndarray) -> np.ndarray:
    """Return ``Lambda^-1(Lambda(start) + E)``: when a piecewise-constant hazard fires.

    ``rates`` (n, K) per day, piece k from ``breaks[k-1]`` to ``breaks[k]``
    (days since day 0; the last piece lasts for ever); ``exponential`` the
    standard exponential draws E. Inf where the hazard never fires (a zero rate
    to the end).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return _invert(start, rates, breaks, exponential)


def _invert(start, rates, breaks, exponential) -> np.ndarray:
    edges = np.concatenate([[0.0], np.asarray(list(breaks), dtype=float), [np.inf]])
    remaining = np.asarray(exponential, dtype=float).copy()
    result = np.full(remaining.shape, np.inf)
    open_ = np.ones(remaining.shape, dtype=bool)
    for k in range(rates.shape[1]):
        begin = np.maximum(start, edges[k])
        length = np.maximum(edges[k + 1] - begin, 0.0)
        rate = rates[:, k]
        capacity = np.where(rate > 0, rate * length, 0.0)
        fires = open_ & (remaining <= capacity) & (rate > 0)
        result = np.where(fires, begin + remaining / np.where(rate > 0, rate, 1.0), result)
        remaining = np.where(open_ & ~fires, remaining - capacity, remaining)
        open_ &= ~fires
    return result


def event_times(scenario: Scenario, times: np.ndarray, *, event: str | Iterable[str] | None
                = None, seed: np.random.SeedSequence | None = None,
                streams: dict | None = None) -> np.ndarray:
    """Each path's event time (n_paths, n_draws); inf where the event never comes.

    With hazards (:func:`hazard_outcomes`), a path ending in an open outcome
    collapses at a piecewise-exponential time after its end, its rate drawn in
    each sample (streams ``HAZARD_STREAM`` of ``seed``). Chunks of the draws
    share ``streams`` (from :func:`hazard_streams`), so that they put together
    are the draws of one call.
    """
    wanted, is_event = event_paths(scenario, event)
    ends = path_ends(scenario, times)
    result = np.where(is_event[:, None], ends, np.inf)
    hazards = hazard_outcomes(scenario, wanted)
    if hazards and streams is None:
        if seed is None:
            raise ValueError("event_times: hazards need a seed for their draws")
        streams = hazard_streams(scenario, hazards, seed)
    n_draws = times.shape[2]
    for o, hazard in hazards.items():
        rate_stream, path_streams = streams[o]
        rates = rate_draws(hazard, n_draws, rate_stream)
        for p, generator in path_streams.items():
            result[p] = piecewise_exponential(ends[p], rates, hazard.breaks_days,
                                              generator.standard_exponential(n_draws))
    return result


def hazard_streams(scenario: Scenario, hazards: dict[int, Hazard],
                   seed: np.random.SeedSequence) -> dict:
    """Outcome index -> (its rates' generator, path -> its waiting times' generator)."""
    return {o: (rate_generators(hazards[o], seed, HAZARD_STREAM, 0, o),
                {int(p): np.random.default_rng(child_sequence(seed, HAZARD_STREAM, 1, int(p)))
                 for p in np.flatnonzero(scenario.tree.outcome_index == o)})
            for o in hazards}


def path_event_cdf(scenario: Scenario, days: np.ndarray, *,
                   event: str | Iterable[str] | None = None, n_draws: int,
                   seed: np.random.SeedSequence) -> np.ndarray:
    """Return ``F_path(t)``, each path's probability of the event by day ``t``.

    Shape ``(n_paths, n_days)``; hazards' rates are drawn per sample (their
    prior is averaged over). The durations and waiting times are drawn a
    chunk at a time, so memory does not grow with ``n_draws``.

    Raises
    ------
    QueryError
        If ``event`` names no outcome, or the draws would not fit the time budget.
    """
    wanted, _ = event_paths(scenario, event)
    hazards = hazard_outcomes(scenario, wanted)
    streams = hazard_streams(scenario, hazards, seed) if hazards else None
    check_budget(n_draws, what=f"drawing the durations of scenario {scenario.id!r}",
                 seconds_per_draw=_seconds_per_draw(scenario))
    days = np.asarray(days, dtype=float)
    counts = np.zeros((scenario.tree.n_paths, len(days)))
    for times in completion_chunks(scenario, n_draws, seed):  # memory flat in the draws
        ordered = np.sort(event_times(scenario, times, event=event, streams=streams), axis=1)
        counts += np.stack([np.searchsorted(row, days, side="right") for row in ordered])
    return counts / n_draws


def hazard_cdf(ends: np.ndarray, days: np.ndarray, rates: np.ndarray,
               breaks: Iterable[float], keep: np.ndarray | None = None) -> np.ndarray:
    """Return ``P(collapse by day t | rates)`` for one path, for each row of ``rates``.

    ``ends`` are draws of the path's end time; ``rates`` (n_rates, K) per day.
    The ends are binned on the grid ``days`` (an end in ``(d[n-1], d[n]]``
    counts from ``d[n]``, so the result errs low by at most one grid step of
    hazard); then ``H(d[n]) = H(d[n-1]) exp(-(Lambda(d[n]) - Lambda(d[n-1]))) +
    w[n]`` gives the mass that entered and has not collapsed, and
    ``F(t) = P(end <= t) - H(t)``. Shape (n_rates, len(keep)): the columns
    ``keep`` of the grid (default: all).
    """
    days = np.asarray(days, dtype=float)
    keep = np.arange(len(days)) if keep is None else np.asarray(keep)
    edges = np.concatenate([[0.0], np.asarray(list(breaks), dtype=float), [np.inf]])
    bins = np.searchsorted(days, ends, side="left").clip(max=len(days))
    weights = np.bincount(bins, minlength=len(days) + 1)[: len(days)] / len(ends)
    entered = np.cumsum(weights)
    lower = np.concatenate([[days[0]], days[:-1]])
    overlap = np.clip(np.minimum(days[:, None], edges[None, 1:])
                      - np.maximum(lower[:, None], edges[None, :-1]), 0, None)
    held = np.empty((len(rates), len(keep)))
    slots: dict[int, list[int]] = {}
    for j, n in enumerate(keep):
        slots.setdefault(int(n), []).append(j)
    current = np.zeros(len(rates))
    for n in range(int(keep.max()) + 1 if len(keep) else 0):
        current = current * np.exp(-(rates @ overlap[n])) + weights[n]
        for j in slots.get(n, ()):
            held[:, j] = current
    return entered[keep][None, :] - held
