"""Draws of the priors for the analyses that weight them: evidence, timing, scores.

Draws of the flat probability vector ``theta`` come from
:func:`analysis.engines.sampling.theta_chunks` (the compiled kernel and its
seeding), a chunk at a time; this module adds what evidence needs on top:
each draw's path distribution, reduced at once to the few numbers an
analysis keeps (:func:`path_draws`), its importance weight (in logarithms,
so that it never underflows), the effective sample size, and weighted
quantiles. Memory grows with the draws only by what is kept per draw.
"""

from __future__ import annotations

import numpy as np

from ..core.arguments import check_budget
from ..model.scenario import Scenario
from .sampling import theta_chunks, theta_seconds

__all__ = ["draw_seconds", "effective_sample_size", "path_draws", "weighted_quantiles"]


def draw_seconds(scenario: Scenario, n_draws: int) -> float:
    """Return the estimated seconds of one draw of :func:`path_draws` (for budgets)."""
    tree = scenario.tree
    return theta_seconds(scenario, n_draws) + 2e-8 * tree.n_paths * (len(tree.phases) + 2)


def path_draws(scenario: Scenario, n_draws: int, seed: np.random.SeedSequence,
               weights: np.ndarray, mask: np.ndarray | None = None, *,
               draws_last: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``theta`` and return, per draw, ``weights`` over its path distribution.

    For draw ``i`` the path distribution is ``P_i(p) L(p) mask(p)``
    renormalised, with ``L`` the evidence likelihood of a posterior (1 for
    a plain scenario). Returns that distribution times ``weights`` (shape
    ``(n_paths, k)``: the ``k`` numbers kept per draw, e.g. an outcome's
    indicator or a path's distribution function) and each draw's importance
    weight ``P_i(evidence and mask)``, relative to the largest (so at most
    1): the weight that turns draws from the priors into draws from the
    posterior. The draws are taken a chunk at a time. With ``draws_last``
    the kept numbers come as shape ``(k, n_draws)`` (rows contiguous: faster
    to take quantiles of when ``k`` is large), else ``(n_draws, k)``.

    Raises
    ------
    QueryError
        If the kept numbers would not fit the memory budget.
    """
    weights = np.asarray(weights, dtype=float)
    check_budget(n_draws, what=f"weighting the draws of scenario {scenario.id!r}",
                 bytes_per_draw=8.0 * (weights.shape[1] + 1))
    tree = scenario.tree
    values = np.empty((weights.shape[1], n_draws) if draws_last else (n_draws, weights.shape[1]))
    log_weights = np.empty(n_draws)
    used = np.flatnonzero(np.any(weights != 0, axis=1))  # paths that add nothing are skipped
    weights_t = np.ascontiguousarray(weights[used].T)
    for rows, theta in theta_chunks(scenario, n_draws=n_draws, rng=seed):
        per_path, log_total = tree.weighted_paths(theta, mask)
        if draws_last:
            np.matmul(weights_t, per_path[:, used].T, out=values[:, rows])
        else:
            values[rows] = per_path[:, used] @ weights[used]
        log_weights[rows] = log_total
    top = np.max(log_weights, initial=-np.inf)
    if not np.isfinite(top):
        return values, np.zeros(n_draws)
    return values, np.exp(log_weights - top)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` of importance weights."""
    weights = np.asarray(weights, dtype=float)
    top = float(weights.max(initial=0.0))
    if not top > 0:
        return 0.0
    scaled = weights / top  # the ratio does not depend on the scale, and cannot overflow
    return float(scaled.sum() ** 2 / (scaled**2).sum())


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, levels, *,
                       overwrite: bool = False) -> np.ndarray:
    """Quantiles of each column of ``values`` (draws x k) under draw ``weights``.

    The weighted empirical distribution with each draw's mass at its value,
    interpolated between the midpoints of the masses (with equal weights this
    is the "Hazen" quantile, numpy's ``method="hazen"``, which is what is
    computed then: a selection, without sorting the draws). Returns an
    array of shape ``(len(levels), k)``. With ``overwrite``, ``values`` may be
    reordered in place (it saves a copy when the caller no longer needs them).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    weights = np.asarray(weights, dtype=float)
    levels = np.atleast_1d(np.asarray(levels, dtype=float))
    if len(weights) and np.ptp(weights) <= 1e-12 * np.abs(weights).max() and weights[0] > 0:
        return _hazen(values, levels, overwrite=overwrite)
    order = np.argsort(values, axis=0, kind="stable")
    out = np.empty((len(levels), values.shape[1]))
    total = weights.sum()
    for j in range(values.shape[1]):
        sorted_values = values[order[:, j], j]
        w = weights[order[:, j]]
        keep = w > 0
        sorted_values, w = sorted_values[keep], w[keep]
        cdf = (np.cumsum(w) - 0.5 * w) / total
        out[:, j] = np.interp(levels, cdf, sorted_values)
    return out


def _hazen(values: np.ndarray, levels: np.ndarray, *, overwrite: bool = False) -> np.ndarray:
    """``np.quantile(values, levels, axis=0, method="hazen")``, by partial selections.

    Each column's needed order statistics are selected in a copy laid out
    with the draws contiguous, one statistic at a time (numpy's partition
    with several ``kth`` is several times slower than one), each next one the
    minimum of what lies above: much faster than sorting the draws.
    """
    n = values.shape[0]
    position = np.clip(n * levels - 0.5, 0, n - 1)  # 0-based, between the midpoints
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, n - 1)
    columns = values.T  # one row per column: the selections run along contiguous rows
    if not (overwrite and columns.flags.c_contiguous and columns.flags.writeable):
        columns = np.array(columns, order="C")
    stats: dict[int, np.ndarray] = {}
    start = 0
    for k in sorted(set(low.tolist())):
        columns[:, start:].partition(k - start, axis=1)
        stats[k] = columns[:, k].copy()
        stats[k + 1] = columns[:, k + 1:].min(axis=1) if k + 1 < n else stats[k]
        start = k + 1
    fraction = (position - low)[:, None]
    lows = np.stack([stats[int(k)] for k in low])
    highs = np.stack([stats[int(k)] for k in high])
    return lows * (1 - fraction) + highs * fraction
