"""Durations: how long each phase takes on each path, drawn from the branches' distributions.

A branch may carry a ``duration``: how long its phase takes when it resolves
on that branch. The phases run one after another: the first starts on day 0,
each later phase when the one before it on the path completes; a skipped
phase, a phase after the path has ended and a phase without durations take
no time. Branch durations are independent draws, one per branch and draw,
from their own random stream (:func:`~analysis.core.rng.child_sequence` of
the run's seed, keyed by phase and branch).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core.arguments import check_budget, check_n_draws
from ..core.errors import QueryError
from ..core.rng import RNGLike, child_sequence, seed_sequence
from ..core.text import did_you_mean
from ..formats.scenario_file import Duration
from ..model.scenario import Scenario

__all__ = [
    "DURATION_STREAM",
    "THETA_STREAM",
    "completion_chunks",
    "completion_times",
    "event_paths",
    "event_times",
    "path_event_cdf",
    "sample_durations",
]

#: The child streams of a timing run's seed: the priors' draws, and the durations'.
THETA_STREAM, DURATION_STREAM = 0, 1


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


def completion_times(scenario: Scenario, n_draws: int, seed: np.random.SeedSequence
                      ) -> np.ndarray:
    """Each path's completion time of each phase: shape (n_paths, n_phases, n_draws).

    NaN where the path does not take a branch at the phase. The array grows
    with the draws: :func:`path_event_cdf` reduces them a chunk at a time.

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
    branches = []
    for k, phase in enumerate(scenario.model.phases):
        column = tree.branch_index[:, k]
        for b, branch in enumerate(phase.branches.values()):
            on = column == b
            if on.any():
                generator = (np.random.default_rng(child_sequence(seed, DURATION_STREAM, k, b))
                             if branch.duration is not None else None)
                branches.append((k, on, branch.duration, generator))
    for start in range(0, n_draws, size):
        count = min(size, n_draws - start)
        elapsed = np.zeros((n_paths, count))
        times = np.full((n_paths, n_phases, count), np.nan)
        for k, on, duration, generator in branches:
            if duration is not None:
                elapsed[on] += _sample(duration, count, generator)
            times[on, k] = elapsed[on]
        yield times


#: Bytes of completion times held at once by :func:`completion_chunks`.
_CHUNK_BYTES = 16 << 20
#: Estimated time per draw and path-phase of durations (measured: about 10 ns).
_SECONDS_PER_CELL = 3e-8


def _seconds_per_draw(scenario: Scenario) -> float:
    n_paths, n_phases = scenario.tree.branch_index.shape
    return _SECONDS_PER_CELL * n_paths * (n_phases + 2)


def event_paths(scenario: Scenario, event: str | Iterable[str]) -> tuple[list[str], np.ndarray]:
    """Return the event's outcome ids, and whether each path ends in one of them."""
    outcomes = list(scenario.model.outcomes)
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


def event_times(times: np.ndarray, is_event: np.ndarray) -> np.ndarray:
    """Each path's event time (n_paths, n_draws): its last completion, inf if no event."""
    last = np.nanmax(np.where(np.isnan(times), -np.inf, times), axis=1)
    return np.where(is_event[:, None], last, np.inf)


def path_event_cdf(scenario: Scenario, days: np.ndarray, *, event: str | Iterable[str],
                   n_draws: int, seed: np.random.SeedSequence) -> np.ndarray:
    """Return ``F_path(t)``, each path's probability of the event by day ``t``.

    Shape ``(n_paths, n_days)``. The durations are drawn a chunk at a time,
    so memory does not grow with ``n_draws``.

    Raises
    ------
    QueryError
        If ``event`` names no outcome, or the draws would not fit the time budget.
    """
    _, is_event = event_paths(scenario, event)
    check_budget(n_draws, what=f"drawing the durations of scenario {scenario.id!r}",
                 seconds_per_draw=_seconds_per_draw(scenario))
    days = np.asarray(days, dtype=float)
    counts = np.zeros((scenario.tree.n_paths, len(days)))
    for times in completion_chunks(scenario, n_draws, seed):  # memory flat in the draws
        ordered = np.sort(event_times(times, is_event), axis=1)
        counts += np.stack([np.searchsorted(row, days, side="right") for row in ordered])
    return counts / n_draws
