"""Turning elicited judgements into Beta distributions.

Every uncertain probability in a scenario is, in the end, a Beta (one branch of
a yes/no question) or a Dirichlet (several branches). Analysts rarely think in
Beta parameters, so dealtree also accepts:

- a mean and a standard deviation, matched by the method of moments::

      k = m (1 - m) / sd**2 - 1,    alpha = m k,    beta = (1 - m) k

  which needs ``sd**2 < m (1 - m)`` (otherwise no Beta has that spread);
- a low / most likely / high range, read as a PERT judgement: its mean is
  ``(low + 4 mode + high) / 6`` and its standard deviation ``(high - low) / 6``,
  then matched by the method of moments above. The result is a Beta on [0, 1]
  whose mean and spread agree with the classic PERT rule;
- reference-class counts, ``k`` of ``n`` comparable cases, as a conjugate
  update of a stated ``Beta(a0, b0)`` prior (uniform by default)::

      alpha = a0 + k,    beta = b0 + n - k

- a central credible interval (:func:`beta_from_quantiles`): the Beta whose
  ``(1 - mass) / 2`` and ``(1 + mass) / 2`` quantiles are ``low`` and
  ``high``, solved numerically with scipy.

The first three are also scenario-file forms (``{mean, sd}``,
``{low, mode, high}``, ``{successes, trials}``);
:func:`analysis.prior_marginals` lists the Beta behind every uncertain branch
of a scenario.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported by the two functions that need it
    import numpy as np

__all__ = [
    "beta_from_counts",
    "beta_from_mean_sd",
    "beta_from_quantiles",
    "beta_from_range",
    "beta_mean",
    "beta_quantiles",
    "beta_sd",
]


def beta_from_mean_sd(mean: float, sd: float) -> tuple[float, float]:
    """Return ``(alpha, beta)`` of the Beta with this mean and standard deviation.

    Parameters
    ----------
    mean : float
        Mean, strictly between 0 and 1.
    sd : float
        Standard deviation, positive and below ``sqrt(mean * (1 - mean))``.

    Raises
    ------
    ValueError
        If no Beta distribution has this mean and spread.

    Examples
    --------
    >>> [round(x, 9) for x in beta_from_mean_sd(0.5, 0.1)]
    [12.0, 12.0]
    """
    if not 0 < mean < 1:
        raise ValueError(f"mean == {mean}, expected a value strictly between 0 and 1")
    if not sd > 0:
        raise ValueError(f"sd == {sd}, expected a positive value")
    variance_limit = mean * (1 - mean)
    if sd**2 >= variance_limit:
        raise ValueError(
            f"sd == {sd} is too wide for mean {mean}: no Beta fits; "
            f"expected sd < {variance_limit**0.5:.4g}"
        )
    k = variance_limit / sd**2 - 1
    return mean * k, (1 - mean) * k


def beta_from_range(low: float, mode: float, high: float) -> tuple[float, float]:
    """Return ``(alpha, beta)`` for a low / most likely / high judgement (PERT).

    Raises
    ------
    ValueError
        If the values are not ordered ``0 <= low <= mode <= high <= 1`` with
        ``low < high``, or if no Beta fits the implied mean and spread.

    Examples
    --------
    >>> a, b = beta_from_range(0.2, 0.5, 0.8)
    >>> round(a / (a + b), 6)
    0.5
    """
    if not (0 <= low <= mode <= high <= 1 and low < high):
        raise ValueError(
            f"range (low={low}, mode={mode}, high={high}) is out of order, "
            "expected 0 <= low <= mode <= high <= 1 with low < high"
        )
    mean = (low + 4 * mode + high) / 6
    sd = (high - low) / 6
    return beta_from_mean_sd(mean, sd)


def beta_from_counts(successes: int, trials: int,
                     prior: tuple[float, float] = (1.0, 1.0)) -> tuple[float, float]:
    """Return ``(alpha, beta)`` after seeing ``successes`` in ``trials`` cases.

    The conjugate update of a ``Beta(a0, b0)`` prior by binomial counts:
    ``alpha = a0 + successes`` and ``beta = b0 + trials - successes``. With the
    default uniform prior ``Beta(1, 1)`` the mean is Laplace's rule of
    succession, ``(successes + 1) / (trials + 2)``. Other common choices are
    Jeffreys' ``(0.5, 0.5)`` and, to let the counts speak almost alone, a small
    prior such as ``(0.1, 0.1)``.

    Parameters
    ----------
    successes : int
        Cases in the reference class where the event happened, ``0 <= successes <= trials``.
    trials : int
        Cases in the reference class, at least 1.
    prior : (float, float)
        ``(a0, b0)``, both positive: the Beta before the counts.

    Returns
    -------
    (float, float)
        ``(alpha, beta)`` of the posterior Beta.

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        If the counts are out of range or a prior parameter is not positive.

    Examples
    --------
    Eight of nine earlier truces lasted six weeks:

    >>> beta_from_counts(8, 9)
    (9.0, 2.0)
    >>> beta_from_counts(8, 9, prior=(0.5, 0.5))
    (8.5, 1.5)
    """
    for name, value in (("successes", successes), ("trials", trials)):
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise TypeError(f"{name} == {value!r} ({type(value).__name__}), expected an integer")
    if trials < 1:
        raise ValueError(f"trials == {trials}, expected at least 1 case")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes == {successes} with trials == {trials}, expected "
                         "0 <= successes <= trials")
    try:
        a0, b0 = prior
    except (TypeError, ValueError):
        raise TypeError(f"prior == {prior!r}, expected a pair (a0, b0)") from None
    for name, value in (("a0", a0), ("b0", b0)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"prior {name} == {value!r}, expected a number")
        if not (value > 0 and math.isfinite(value)):
            raise ValueError(f"prior {name} == {value}, expected a positive number")
    return float(a0 + successes), float(b0 + trials - successes)


def beta_from_quantiles(low: float, high: float, *, mass: float = 0.9
                        ) -> tuple[float, float]:
    """Return ``(alpha, beta)`` of the Beta whose central ``mass`` interval is ``[low, high]``.

    Solves ``F(low) = (1 - mass) / 2`` and ``F(high) = (1 + mass) / 2`` for
    the Beta's distribution function ``F`` (``scipy.special.betainc``), in
    ``log(alpha)`` and ``log(beta)`` with ``scipy.optimize.root``, starting
    from the method-of-moments Beta whose mean is the interval's midpoint and
    whose standard deviation is its half-width divided by the normal quantile
    of ``(1 + mass) / 2`` (then from a coarse grid, for skewed or U-shaped
    answers). This is the form of an analyst's "90% sure it is between 0.6
    and 0.9".

    Parameters
    ----------
    low, high : float
        The interval's ends, ``0 < low < high < 1``.
    mass : float
        The probability between them, strictly between 0 and 1.

    Returns
    -------
    (float, float)
        ``(alpha, beta)``, found to a relative accuracy of about 1e-10 in the
        two quantiles.

    Raises
    ------
    ValueError
        If the values are out of range, or if the solver finds no Beta (only
        for extreme intervals, e.g. one that needs parameters beyond 1e6).

    Examples
    --------
    >>> a, b = beta_from_quantiles(0.6, 0.9)
    >>> from scipy import stats
    >>> [round(float(q), 6) for q in stats.beta.ppf([0.05, 0.95], a, b)]
    [0.6, 0.9]
    """
    if not 0 < mass < 1:
        raise ValueError(f"mass == {mass}, expected a probability strictly between 0 and 1")
    if not 0 < low < high < 1:
        raise ValueError(f"interval (low={low}, high={high}) is out of order, expected "
                         "0 < low < high < 1")
    import numpy as np
    from scipy import optimize, special, stats  # slow to import; only needed here

    levels = np.array([(1 - mass) / 2, (1 + mass) / 2])
    targets = np.array([low, high])

    def residuals(log_params: np.ndarray) -> np.ndarray:
        a, b = np.exp(np.clip(log_params, -30, 30))
        return special.betainc(a, b, targets) - levels

    mean = (low + high) / 2
    sd = min((high - low) / (2 * stats.norm.ppf(levels[1])), 0.99 * math.sqrt(mean * (1 - mean)))
    # The moment-matched Beta first, then a coarse grid for skewed or U-shaped answers.
    starts = [np.log(beta_from_mean_sd(mean, sd))]
    starts += [np.log([a, b]) for a in (0.2, 1.0, 5.0, 50.0) for b in (0.2, 1.0, 5.0, 50.0)]
    best, error = starts[0], np.inf
    for start in starts:
        solution = optimize.root(residuals, start, method="hybr", options={"xtol": 1e-12})
        found = np.abs(residuals(solution.x)).max()
        if found < error:
            best, error = solution.x, found
        if error < 1e-10:
            break
    a, b = (float(v) for v in np.exp(best))
    if not (np.isfinite(error) and error < 1e-9 and 0 < a <= 1e6 and 0 < b <= 1e6):
        raise ValueError(f"no Beta found with {mass:g} of its mass between {low} and {high}: "
                         f"the closest has quantile error {error:.2g}; expected a less "
                         "extreme interval")
    return a, b


def beta_mean(alpha: float, beta: float) -> float:
    """Return the mean ``alpha / (alpha + beta)`` of a Beta distribution."""
    return alpha / (alpha + beta)


def beta_sd(alpha: float, beta: float) -> float:
    """Return the standard deviation of a Beta distribution."""
    total = alpha + beta
    return math.sqrt(alpha * beta / (total**2 * (total + 1)))


def beta_quantiles(alpha: float, beta: float, levels) -> np.ndarray:
    """Return the Beta's quantiles at ``levels`` (``scipy.stats.beta.ppf``)."""
    import numpy as np
    from scipy import stats  # slow to import; only needed here

    return np.asarray(stats.beta.ppf(levels, alpha, beta), dtype=float)
