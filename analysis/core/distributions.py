"""The distributions a named parameter may have: means, spreads, quantiles and draws.

Every distribution is written as a kind and a tuple of numbers:

=============  ==================  ==============================================
kind           numbers             distribution
=============  ==================  ==============================================
``fixed``      value               the value
``beta``       alpha, beta         Beta(alpha, beta) on [0, 1]
``pert``       low, mode, high     PERT: low + (high - low) * Beta(1 + 4 (mode -
                                   low) / (high - low), 1 + 4 (high - mode) /
                                   (high - low)); mean (low + 4 mode + high) / 6
``normal``     mean, sd            Normal(mean, sd)
``uniform``    low, high           Uniform(low, high)
``triangular`` low, mode, high     triangular on [low, high] peaking at mode
``lognormal``  mean, sd            of the quantity itself: sigma^2 = ln(1 +
                                   sd^2 / mean^2), mu = ln(mean) - sigma^2 / 2
=============  ==================  ==============================================

Draws take a :class:`numpy.random.Generator`; quantiles use scipy (imported
on first use).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: `dealtree validate` never needs it
    np = lazy_module("numpy")

__all__ = ["KINDS", "distribution_mean", "distribution_quantiles", "distribution_sd",
           "draw_distribution"]

#: Each kind and the names of its numbers.
KINDS = {
    "fixed": ("value",),
    "beta": ("alpha", "beta"),
    "pert": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("mean", "sd"),
}


def _pert_shapes(low: float, mode: float, high: float) -> tuple[float, float]:
    width = high - low
    return 1 + 4 * (mode - low) / width, 1 + 4 * (high - mode) / width


def _lognormal(mean: float, sd: float) -> tuple[float, float]:
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def distribution_mean(kind: str, numbers: tuple[float, ...]) -> float:
    """Return the mean of a distribution."""
    if kind == "fixed":
        return float(numbers[0])
    if kind == "beta":
        a, b = numbers
        return a / (a + b)
    if kind in ("pert",):
        low, mode, high = numbers
        return (low + 4 * mode + high) / 6
    if kind in ("normal", "lognormal"):
        return float(numbers[0])
    if kind == "uniform":
        return (numbers[0] + numbers[1]) / 2
    if kind == "triangular":
        return sum(numbers) / 3
    raise ValueError(f"unknown distribution {kind!r}")


def distribution_sd(kind: str, numbers: tuple[float, ...]) -> float:
    """Return the standard deviation of a distribution."""
    if kind == "fixed":
        return 0.0
    if kind == "beta":
        a, b = numbers
        return math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    if kind == "pert":
        low, _, high = numbers
        a, b = _pert_shapes(*numbers)
        return (high - low) * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    if kind in ("normal", "lognormal"):
        return float(numbers[1])
    if kind == "uniform":
        return (numbers[1] - numbers[0]) / math.sqrt(12)
    if kind == "triangular":
        a, c, b = numbers
        return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18)
    raise ValueError(f"unknown distribution {kind!r}")


def distribution_quantiles(kind: str, numbers: tuple[float, ...], levels) -> np.ndarray:
    """Return the distribution's quantiles at ``levels``."""
    levels = np.asarray(levels, dtype=float)
    if kind == "fixed":
        return np.full(levels.shape, float(numbers[0]))
    if kind == "uniform":
        low, high = numbers
        return low + levels * (high - low)
    if kind == "triangular":
        low, mode, high = numbers
        split = (mode - low) / (high - low)
        left = low + np.sqrt(levels * (high - low) * (mode - low))
        right = high - np.sqrt((1 - levels) * (high - low) * (high - mode))
        return np.where(levels < split, left, right)
    from scipy import stats  # slow to import; only needed here

    if kind == "beta":
        return np.asarray(stats.beta.ppf(levels, *numbers), dtype=float)
    if kind == "pert":
        low, _, high = numbers
        return low + (high - low) * np.asarray(stats.beta.ppf(levels, *_pert_shapes(*numbers)))
    if kind == "normal":
        return np.asarray(stats.norm.ppf(levels, loc=numbers[0], scale=numbers[1]), dtype=float)
    if kind == "lognormal":
        mu, sigma = _lognormal(*numbers)
        return np.asarray(stats.lognorm.ppf(levels, sigma, scale=math.exp(mu)), dtype=float)
    raise ValueError(f"unknown distribution {kind!r}")


def draw_distribution(kind: str, numbers: tuple[float, ...], rng: np.random.Generator,
                      size: int) -> np.ndarray:
    """Return ``size`` draws from a distribution."""
    if kind == "fixed":
        return np.full(size, float(numbers[0]))
    if kind == "beta":
        return rng.beta(*numbers, size=size)
    if kind == "pert":
        low, _, high = numbers
        return low + (high - low) * rng.beta(*_pert_shapes(*numbers), size=size)
    if kind == "normal":
        return rng.normal(numbers[0], numbers[1], size=size)
    if kind == "uniform":
        return rng.uniform(numbers[0], numbers[1], size=size)
    if kind == "triangular":
        low, mode, high = numbers
        return rng.triangular(low, mode, high, size=size)
    if kind == "lognormal":
        mu, sigma = _lognormal(*numbers)
        return rng.lognormal(mu, sigma, size=size)
    raise ValueError(f"unknown distribution {kind!r}")
