"""Monte Carlo helpers shared by updating, timing and scoring (private).

Draws of the flat probability vector ``theta`` come from
:func:`analysis.sampling.sample_outcomes` (its compiled kernel, its seeding
and its progress bar); this module only rebuilds the full vector from the
draws it keeps, and adds what evidence needs on top: the importance weights
of a posterior and weighted quantiles.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from .scenario import Scenario

RNGLike = None | int | np.random.SeedSequence | np.random.Generator


def seed_sequence(rng: RNGLike) -> np.random.SeedSequence:
    """Normalise ``rng`` once into a seed sequence (Scientific Python SPEC 7).

    An int or a ``SeedSequence`` fixes the results; ``None`` takes fresh
    entropy; a ``Generator`` is asked once for 128 bits. Reusing the returned
    sequence repeats the same draws, which keeps the steps of a timeline on
    common random numbers.
    """
    if rng is None:
        return np.random.SeedSequence()
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int.from_bytes(rng.bytes(16), "little"))
    if isinstance(rng, Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng == {rng}, expected a non-negative integer seed")
        return np.random.SeedSequence(int(rng))
    raise TypeError(f"rng: got {type(rng).__name__}, expected None, an int, a "
                    "numpy.random.SeedSequence or a numpy.random.Generator")


def seed_of(sequence: np.random.SeedSequence) -> int | tuple[int, ...]:
    """Return the entropy that repeats a run, for ``attrs``."""
    entropy = sequence.entropy
    return int(entropy) if isinstance(entropy, Integral) else tuple(int(e) for e in entropy)


def positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int >= 1, or raise TypeError / ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name}: got {value!r} ({type(value).__name__}), expected an integer")
    if value < 1:
        raise ValueError(f"{name} == {value}, expected at least 1")
    return int(value)


def check_interval(interval: object) -> float:
    """Return ``interval`` as a float strictly between 0 and 1."""
    if isinstance(interval, bool) or not isinstance(interval, int | float):
        raise TypeError(f"interval: got {interval!r}, expected a number such as 0.9")
    if not 0 < interval < 1:
        raise ValueError(f"interval == {interval}, expected a probability strictly between 0 "
                         "and 1 (0.9 for a 90% interval)")
    return float(interval)


def theta_draws(scenario: Scenario, n_draws: int, seed: np.random.SeedSequence) -> np.ndarray:
    """Return ``n_draws`` rows of ``theta`` drawn from the scenario's priors.

    The posterior's count-updated priors are drawn (its plain tree); evidence
    weights are applied by the callers.
    """
    tree = scenario.tree
    if not any(pset.kind != "fixed" for pset in tree.sets):
        return np.tile(tree.mean_theta(), (n_draws, 1))
    from .sampling import sample_theta  # compiles its kernel on first use

    return sample_theta(_plain(scenario), n_draws, rng=seed)[0]


def _plain(scenario: Scenario) -> Scenario:
    """Return the scenario on a plain tree (no evidence weights)."""
    return getattr(scenario, "base", None) or scenario


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
    tree = scenario.tree
    theta = theta_draws(scenario, n_draws, seed)
    joint = _plain(scenario).tree.path_probabilities(theta)
    likelihood = getattr(tree, "likelihood", None)
    if likelihood is not None:
        joint = joint * likelihood
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
