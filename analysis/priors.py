"""Turning elicited judgements into Beta distributions.

Every uncertain probability in a scenario is, in the end, a Beta (one branch of
a yes/no question) or a Dirichlet (several branches). Analysts rarely think in
Beta parameters, so the scenario format also accepts:

- a mean and a standard deviation, matched by the method of moments::

      k = m (1 - m) / sd**2 - 1,    alpha = m k,    beta = (1 - m) k

  which needs ``sd**2 < m (1 - m)`` (otherwise no Beta has that spread);
- a low / most likely / high range, read as a PERT judgement: its mean is
  ``(low + 4 mode + high) / 6`` and its standard deviation ``(high - low) / 6``,
  then matched by the method of moments above. The result is a Beta on [0, 1]
  whose mean and spread agree with the classic PERT rule.
"""

from __future__ import annotations

__all__ = ["beta_from_mean_sd", "beta_from_range", "beta_mean"]


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


def beta_mean(alpha: float, beta: float) -> float:
    """Return the mean ``alpha / (alpha + beta)`` of a Beta distribution."""
    return alpha / (alpha + beta)
