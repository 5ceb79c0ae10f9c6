"""Uncertainty over the priors: the priors as distributions, and summaries of Monte Carlo draws.

:func:`prior_marginals` lists the Beta behind every uncertain branch
probability and :func:`prior_densities` gives their densities on a grid. The
other functions read the :class:`~analysis.OutcomeSamples`
of :func:`analysis.sample_outcomes` and return tidy frames with the scenario,
condition, seed and number of draws in ``attrs``.

Means and standard deviations are exact over the draws. Quantiles (medians,
interval ends), exceedance probabilities and the charts' histograms come from
the run's histogram of :data:`~analysis.engines.sampling.HIST_BINS` equal
bins over each quantity's possible range, interpolated linearly within a bin:
within one bin width of the draws' own quantiles, below the Monte Carlo error
of any run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from numbers import Real

import numpy as np
import pandas as pd

from ..core.arguments import check_count, check_interval, check_intervals, check_n_points
from ..core.beta import beta_quantiles, beta_sd
from ..core.text import display_label
from ..engines.sampling import HIST_BINS, OutcomeSamples
from ..model.scenario import Scenario

__all__ = [
    "attribute_ecdf",
    "attribute_intervals",
    "exceedance_probabilities",
    "outcome_comparisons",
    "outcome_histogram",
    "outcome_intervals",
    "outcome_ranks",
    "prior_densities",
    "prior_marginals",
]

#: :func:`prior_densities` draws each density where its prior has this much of its mass.
DENSITY_MASS = 0.999


def prior_marginals(scenario: Scenario, *, interval: float = 0.9) -> pd.DataFrame:
    """Return the Beta distribution behind every uncertain branch probability.

    A Beta-kind prior (Beta, elicited range, mean and sd, counts) is its own
    Beta on the branch it is written on (the other branch, which takes the
    rest, is ``1 -`` it and not listed); a branch of a Dirichlet with
    concentrations ``c`` has the marginal ``Beta(c_i, sum(c) - c_i)``. Fixed
    probabilities are not listed.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.
    interval : float
        The central credible interval to report, strictly between 0 and 1.

    Returns
    -------
    DataFrame
        One row per uncertain branch, in the order of
        :meth:`~analysis.Scenario.priors_table`. Columns: ``key`` (what
        :meth:`~analysis.Scenario.with_priors` takes), ``phase``, ``rule``,
        ``branch``, ``kind`` (beta, range, mean_sd, counts or dirichlet),
        ``detail`` (the prior as written, e.g. ``"8 of 9 cases, prior
        Beta(1, 1)"``), ``alpha``, ``beta``, ``mean``, ``sd``, ``lower``,
        ``upper`` (the interval's ends), ``cite`` (claim ids, comma-separated)
        and ``rationale``. ``attrs``: ``scenario``, ``changes``, ``interval``.

    Raises
    ------
    QueryError
        If ``interval`` is not strictly between 0 and 1.
    """
    interval = check_interval(interval)
    rows = []
    for pset in scenario.tree.sets:
        if pset.kind not in ("beta", "dirichlet"):
            continue
        total = (sum(p.concentration for p in pset.priors) if pset.kind == "dirichlet"
                 else None)
        lows, highs = pset.intervals(interval)
        for b, (branch, prior) in enumerate(zip(pset.branches, pset.priors, strict=True)):
            if prior is None or prior.kind == "fixed":
                continue
            alpha, beta = pset.marginal(b)
            rows.append({
                "key": f"{pset.key}.{branch}", "phase": pset.phase, "rule": pset.rule or "",
                "branch": branch, "kind": prior.kind, "detail": _detail(prior, total),
                "alpha": alpha, "beta": beta, "mean": alpha / (alpha + beta),
                "sd": beta_sd(alpha, beta), "lower": lows[b], "upper": highs[b],
                "cite": ", ".join(prior.cite), "rationale": prior.rationale or "",
            })
    frame = pd.DataFrame(rows, columns=["key", "phase", "rule", "branch", "kind", "detail",
                                        "alpha", "beta", "mean", "sd", "lower", "upper",
                                        "cite", "rationale"])
    frame.attrs = {**scenario.metadata(), "interval": interval}
    return frame


def prior_densities(scenario: Scenario, *, interval: float = 0.9,
                    n_points: int = 121) -> pd.DataFrame:
    """Return the density of every uncertain branch probability on a grid (for charts).

    Each prior of :func:`prior_marginals` gets ``n_points`` evenly spaced
    points from its ``(1 - DENSITY_MASS) / 2`` to its ``(1 + DENSITY_MASS) / 2``
    quantile (where 99.9% of its mass lies), plus its central interval's ends
    and its mean, so that a chart can shade the interval and mark the mean
    exactly.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.
    interval : float
        The central credible interval, strictly between 0 and 1.
    n_points : int
        Evenly spaced grid points per prior (at least 2).

    Returns
    -------
    DataFrame
        One row per uncertain branch probability and grid point, in
        increasing ``value``. Columns: those of :func:`prior_marginals`
        (``key``, ``phase``, ``rule``, ``branch``, ``kind``, ``detail``,
        ``alpha``, ``beta``, ``mean``, ``sd``, ``lower``, ``upper``, ``cite``,
        ``rationale``), with ``phase_label`` and ``branch_label`` after
        ``phase`` and ``branch``, then ``value`` (a probability) and
        ``density`` (the Beta's density there). ``attrs``: ``scenario``,
        ``changes``, ``interval``, ``n_points``.

    Raises
    ------
    QueryError
        If ``interval`` is not strictly between 0 and 1, or ``n_points`` is below 2.
    """
    from scipy import stats  # slow to import; only needed here

    points = check_n_points(n_points)
    marginals = prior_marginals(scenario, interval=interval)
    phases = {p.id: p for p in scenario.model.phases}
    marginals.insert(marginals.columns.get_loc("phase") + 1, "phase_label",
                     [display_label(p, phases[p].label) for p in marginals["phase"]])
    marginals.insert(marginals.columns.get_loc("branch") + 1, "branch_label",
                     [display_label(b, phases[p].branches[b].label)
                      for p, b in zip(marginals["phase"], marginals["branch"], strict=True)])
    tails = [(1 - DENSITY_MASS) / 2, (1 + DENSITY_MASS) / 2]
    grids = []
    for prior in marginals.itertuples(index=False):
        left, right = beta_quantiles(prior.alpha, prior.beta, tails)
        grids.append(np.unique(np.concatenate([np.linspace(left, right, points),
                                               [prior.lower, prior.upper, prior.mean]])))
    rows = np.repeat(np.arange(len(marginals)), [len(g) for g in grids])
    frame = marginals.iloc[rows].reset_index(drop=True)
    frame["value"] = np.concatenate(grids) if grids else np.zeros(0)
    frame["density"] = stats.beta.pdf(frame["value"], frame["alpha"], frame["beta"])
    frame.attrs = {**marginals.attrs, "n_points": points}
    return frame


def _number(value: float) -> str:
    return f"{value:.4g}"


def _detail(prior, total: float | None) -> str:
    """Return the prior as written, in words: ``"8 of 9 cases, prior Beta(1, 1)"``."""
    if prior.kind == "dirichlet":
        return f"Dirichlet share: concentration {_number(prior.concentration)} of {_number(total)}"
    if prior.kind == "counts":
        return (f"{prior.successes} of {prior.trials} cases, prior "
                f"Beta({_number(prior.prior_alpha)}, {_number(prior.prior_beta)})")
    if prior.kind == "range":
        return f"PERT range {_number(prior.low)} / {_number(prior.mode)} / {_number(prior.high)}"
    if prior.kind == "mean_sd":
        return f"mean {_number(prior.mean_value)}, sd {_number(prior.sd)}"
    return f"Beta({_number(prior.alpha)}, {_number(prior.beta)})"


def _check_samples(samples: object) -> OutcomeSamples:
    if not isinstance(samples, OutcomeSamples):
        raise TypeError(f"samples: got {type(samples).__name__}, expected the OutcomeSamples "
                        "that sample_outcomes returns")
    return samples


def _quantiles(samples: OutcomeSamples, column: int, levels: Sequence[float]) -> np.ndarray:
    """Quantiles of one column, interpolated within the histogram's bins."""
    counts = samples.histogram[column]
    cumulative = np.cumsum(counts)
    low, high = samples.hist_low[column], samples.hist_high[column]
    width = (high - low) / HIST_BINS
    out = np.empty(len(levels))
    for i, level in enumerate(levels):
        target = level * samples.n_draws
        b = int(np.searchsorted(cumulative, target, side="left"))
        b = min(b, HIST_BINS - 1)
        before = cumulative[b - 1] if b > 0 else 0
        share = (target - before) / counts[b] if counts[b] > 0 else 0.0
        out[i] = low + width * (b + share)
    return np.clip(out, samples.lowest[column], samples.highest[column])


def _cdf(samples: OutcomeSamples, column: int, points: np.ndarray) -> np.ndarray:
    """Return the share of draws at or below each point, interpolated within bins."""
    points = np.asarray(points, dtype=float)
    counts = samples.histogram[column]
    cumulative = np.concatenate([[0], np.cumsum(counts)])
    low, high = samples.hist_low[column], samples.hist_high[column]
    lowest, highest = samples.lowest[column], samples.highest[column]
    if high > low:
        position = np.clip((points - low) / (high - low) * HIST_BINS, 0, HIST_BINS)
        b = np.minimum(position.astype(np.int64), HIST_BINS - 1)
        below = cumulative[b] + counts[b] * (position - b)
        share = below / samples.n_draws
    else:
        share = np.zeros_like(points)
    share = np.where(points >= highest, 1.0, np.where(points < lowest, 0.0, share))
    return np.clip(share, 0.0, 1.0)


def _summary(samples: OutcomeSamples, columns: range, intervals: tuple[float, ...]
             ) -> dict[str, list]:
    out: dict[str, list] = {k: [] for k in ("interval", "at_means", "mean", "sd", "mcse",
                                            "median", "lower", "upper", "row")}
    for row, column in enumerate(columns):
        for interval in intervals:
            median, lower, upper = _quantiles(
                samples, column, [0.5, (1 - interval) / 2, (1 + interval) / 2])
            out["row"].append(row)
            out["interval"].append(interval)
            out["at_means"].append(samples.at_means[column])
            out["mean"].append(samples.mean[column])
            out["sd"].append(samples.sd[column])
            out["mcse"].append(samples.sd[column] / math.sqrt(samples.n_draws))
            out["median"].append(median)
            out["lower"].append(lower)
            out["upper"].append(upper)
    return out


def outcome_intervals(samples: OutcomeSamples, *,
                      interval: float | Iterable[float] = 0.9) -> pd.DataFrame:
    """Return each outcome's probability across draws: mean, median and credible intervals.

    Parameters
    ----------
    samples : OutcomeSamples
        From :func:`sample_outcomes`.
    interval : float or sequence of float
        Central interval(s) to report, e.g. ``0.9`` (the 5% and 95%
        quantiles) or ``(0.5, 0.9)``.

    Returns
    -------
    DataFrame
        One row per outcome and interval. Columns: ``outcome``, ``label``,
        ``colour``, ``interval``, ``at_means`` (the exact probability at the
        priors' means), ``mean`` and ``sd`` (over the draws), ``mcse`` (the
        Monte Carlo standard error of ``mean``, ``sd / sqrt(n_draws)``),
        ``median``, ``lower``, ``upper`` (the interval's ends). ``attrs``:
        ``scenario``, ``given``, ``n_draws``, ``seed``, ``interval``.

    Raises
    ------
    TypeError
        If ``samples`` is not an :class:`OutcomeSamples`.
    ValueError
        If an interval is not strictly between 0 and 1.
    """
    samples = _check_samples(samples)
    intervals = check_intervals(interval)
    stats = _summary(samples, range(samples.n_outcomes), intervals)
    frame = samples.outcomes.iloc[stats.pop("row")].reset_index(drop=True)
    frame = frame.assign(**stats)
    frame.attrs = {**samples.metadata(), "interval": intervals}
    return frame


def attribute_intervals(samples: OutcomeSamples, *,
                        interval: float | Iterable[float] = 0.9) -> pd.DataFrame:
    """Return each attribute's expected value across draws: mean, median and credible intervals.

    Each draw gives the attribute's expectation over the tree's paths; this
    is how that expectation varies with the priors (the spread over paths
    within one tree is :func:`analysis.expected_attributes`'s ``sd``).

    Parameters
    ----------
    samples : OutcomeSamples
        From :func:`sample_outcomes`.
    interval : float or sequence of float
        Central interval(s) to report.

    Returns
    -------
    DataFrame
        One row per attribute and interval. Columns: ``attribute``, ``label``,
        ``unit``, ``interval``, ``at_means``, ``mean``, ``sd``, ``mcse``,
        ``median``, ``lower``, ``upper``, as in :func:`outcome_intervals`.
    """
    samples = _check_samples(samples)
    intervals = check_intervals(interval)
    n = samples.n_outcomes
    stats = _summary(samples, range(n, n + len(samples.attributes)), intervals)
    frame = samples.attributes.iloc[stats.pop("row")].reset_index(drop=True)
    frame = frame.assign(**stats)
    frame.attrs = {**samples.metadata(), "interval": intervals}
    return frame


def exceedance_probabilities(samples: OutcomeSamples,
                             thresholds: float | Iterable[float]) -> pd.DataFrame:
    """Return the share of draws in which each outcome's probability exceeds each threshold.

    Parameters
    ----------
    samples : OutcomeSamples
        From :func:`sample_outcomes`.
    thresholds : float or sequence of float
        Probabilities in [0, 1].

    Returns
    -------
    DataFrame
        One row per outcome and threshold. Columns: ``outcome``, ``label``,
        ``colour``, ``threshold``, ``probability`` (the share of draws with
        ``P(outcome) > threshold``), ``mcse`` (its binomial standard error).

    Raises
    ------
    ValueError
        If a threshold is outside [0, 1].
    """
    samples = _check_samples(samples)
    values = (thresholds,) if isinstance(thresholds, Real) else tuple(thresholds)
    for t in values:
        if isinstance(t, bool) or not isinstance(t, Real):
            raise TypeError(f"thresholds: got {t!r}, expected numbers")
        if not 0 <= t <= 1:
            raise ValueError(f"threshold == {t}, expected a probability in [0, 1]")
    rows = []
    for column, outcome in enumerate(samples.outcomes.itertuples(index=False)):
        above = 1.0 - _cdf(samples, column, np.array(values, dtype=float))
        for t, p in zip(values, above, strict=True):
            rows.append((outcome.outcome, outcome.label, outcome.colour, float(t), p,
                         math.sqrt(p * (1 - p) / samples.n_draws)))
    frame = pd.DataFrame(rows, columns=["outcome", "label", "colour", "threshold",
                                        "probability", "mcse"])
    frame.attrs = samples.metadata()
    return frame


def outcome_comparisons(samples: OutcomeSamples) -> pd.DataFrame:
    """Return, for every ordered pair of outcomes, the share of draws where the first is likelier.

    When the intervals of two outcomes overlap, this says how often the
    priors' uncertainty reverses their order: 0.5 means a coin toss.

    Returns
    -------
    DataFrame
        One row per ordered pair ``(outcome, other)`` of different outcomes.
        Columns: ``outcome``, ``label``, ``other``, ``other_label``,
        ``probability`` (the share of draws with ``P(outcome) > P(other)``),
        ``mcse``.
    """
    samples = _check_samples(samples)
    ids, labels = list(samples.outcomes["outcome"]), list(samples.outcomes["label"])
    rows = []
    for i, j in ((i, j) for i in range(len(ids)) for j in range(len(ids)) if i != j):
        p = samples.greater[i, j] / samples.n_draws
        rows.append((ids[i], labels[i], ids[j], labels[j], p,
                     math.sqrt(p * (1 - p) / samples.n_draws)))
    frame = pd.DataFrame(rows, columns=["outcome", "label", "other", "other_label",
                                        "probability", "mcse"])
    frame.attrs = samples.metadata()
    return frame


def outcome_ranks(samples: OutcomeSamples) -> pd.DataFrame:
    """Return how often each outcome is the most likely, the second most likely, and so on.

    Returns
    -------
    DataFrame
        One row per outcome and rank. Columns: ``outcome``, ``label``,
        ``colour``, ``rank`` (1 = most likely; tied outcomes share the better
        rank), ``probability`` (share of draws).
    """
    samples = _check_samples(samples)
    n = samples.n_outcomes
    frame = samples.outcomes.iloc[np.repeat(np.arange(n), n)].reset_index(drop=True)
    frame["rank"] = np.tile(np.arange(1, n + 1), n)
    frame["probability"] = (samples.ranks / samples.n_draws).ravel()
    frame.attrs = samples.metadata()
    return frame


def outcome_histogram(samples: OutcomeSamples, *, n_bins: int = 60) -> pd.DataFrame:
    """Return, per outcome, the share of draws in bins of its probability (for charts).

    Each outcome gets its own bins, of equal width, over the range its draws
    cover (widths are multiples of ``1 / HIST_BINS``).

    Parameters
    ----------
    samples : OutcomeSamples
        From :func:`sample_outcomes`.
    n_bins : int
        About how many bins per outcome (at least 1).

    Returns
    -------
    DataFrame
        Columns: ``outcome``, ``label``, ``colour``, ``lower``, ``upper`` (the
        bin's ends), ``share`` (of draws in the bin), ``density`` (``share``
        per unit of probability).
    """
    samples = _check_samples(samples)
    bins = check_count(n_bins, "n_bins")
    frames = []
    for column, outcome in enumerate(samples.outcomes.itertuples(index=False)):
        counts = samples.histogram[column]
        low, high = samples.hist_low[column], samples.hist_high[column]
        width = (high - low) / HIST_BINS
        used = np.flatnonzero(counts)
        first, last = int(used[0]), int(used[-1]) + 1
        factor = max(1, math.ceil((last - first) / bins))
        first -= first % factor
        groups = counts[first:first + factor * math.ceil((last - first) / factor)]
        groups = np.pad(groups, (0, factor * math.ceil(len(groups) / factor) - len(groups)))
        share = groups.reshape(-1, factor).sum(axis=1) / samples.n_draws
        lower = low + width * (first + factor * np.arange(len(share)))
        frames.append(pd.DataFrame({
            "outcome": outcome.outcome, "label": outcome.label, "colour": outcome.colour,
            "lower": lower, "upper": lower + width * factor, "share": share,
            "density": share / (width * factor)}))
    frame = pd.concat(frames, ignore_index=True)
    frame.attrs = samples.metadata()
    return frame


def attribute_ecdf(samples: OutcomeSamples, *, n_points: int = 200) -> pd.DataFrame:
    """Return each attribute's empirical CDF across draws, on a grid (for charts).

    Parameters
    ----------
    samples : OutcomeSamples
        From :func:`sample_outcomes`.
    n_points : int
        Grid points per attribute, spread evenly from the smallest to the
        largest value drawn (at least 2).

    Returns
    -------
    DataFrame
        Columns: ``attribute``, ``label``, ``unit``, ``value``, ``cumulative``
        (the share of draws whose expected attribute is at most ``value``).
    """
    samples = _check_samples(samples)
    points = check_n_points(n_points)
    frames = []
    for i, attribute in enumerate(samples.attributes.itertuples(index=False)):
        column = samples.n_outcomes + i
        grid = np.linspace(samples.lowest[column], samples.highest[column], points)
        frames.append(pd.DataFrame({
            "attribute": attribute.attribute, "label": attribute.label, "unit": attribute.unit,
            "value": grid, "cumulative": _cdf(samples, column, grid)}))
    columns = ["attribute", "label", "unit", "value", "cumulative"]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    frame.attrs = samples.metadata()
    return frame
