"""Draws of the priors for the analyses that weight them: evidence, timing, scores.

Draws of the flat probability vector ``theta`` come from
:func:`analysis.engines.sampling.sample_theta` (the compiled kernel and its
seeding); this module adds what evidence needs on top: each draw's path
distribution and importance weight, the effective sample size, and weighted
quantiles.
"""

from __future__ import annotations

import numpy as np

from ..model.scenario import Scenario
from .sampling import sample_theta

__all__ = ["effective_sample_size", "path_draws", "theta_draws", "weighted_quantiles"]

def theta_draws(scenario: Scenario, n_draws: int, seed: np.random.SeedSequence) -> np.ndarray:
    """Return ``n_draws`` rows of ``theta`` drawn from the scenario's priors.

    An updated scenario's priors are its count-updated ones; the evidence's
    likelihood is applied by the callers.
    """
    tree = scenario.tree
    uncertain = tree.space is not None and bool(tree.space.uncertain)
    if not uncertain and not any(pset.kind in ("beta", "dirichlet") for pset in tree.sets):
        return np.tile(tree.mean_theta(), (n_draws, 1))
    return sample_theta(scenario, n_draws=n_draws, rng=seed)[0]


def path_draws(scenario: Scenario, n_draws: int, seed: np.random.SeedSequence,
               mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``theta`` and return each draw's path distribution and importance weight.

    For draw ``i`` the unnormalised weight of path ``p`` is
    ``P_i(p) * L(p) * mask(p)``, with ``L`` the evidence likelihood of a
    posterior (1 for a plain scenario). Returns the rows normalised (the
    path distribution given the evidence, per draw) and each row's total,
    ``P_i(evidence)``: the importance weight that turns draws from the
    priors into draws from the posterior.
    """
    theta = theta_draws(scenario, n_draws, seed)
    joint = scenario.tree.joint_probabilities(theta)
    if mask is not None:
        joint = joint * mask
    total = joint.sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    return joint / safe[:, None], total


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` of importance weights."""
    weights = np.asarray(weights, dtype=float)
    square = float((weights**2).sum())
    return float(weights.sum() ** 2 / square) if square > 0 else 0.0


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, levels) -> np.ndarray:
    """Quantiles of each column of ``values`` (draws x k) under draw ``weights``.

    The weighted empirical distribution with each draw's mass at its value,
    interpolated between the midpoints of the masses (with equal weights this
    is the "Hazen" quantile, numpy's ``method="hazen"``). Returns an array of
    shape ``(len(levels), k)``.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    weights = np.asarray(weights, dtype=float)
    levels = np.atleast_1d(np.asarray(levels, dtype=float))
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
