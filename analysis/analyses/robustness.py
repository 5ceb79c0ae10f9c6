"""Robustness: which option holds up across every variant of the priors a sweep tried.

For each variant ``v`` of a sweep (:func:`analysis.sweep`), each information
state ``s`` of the decision maker's first decision and each option ``o``,
the sweep gives the decision maker's expected utility ``V(v, s, o)`` given
the state is reached. An option's **regret** in a variant is what it gives
up against the best option there (Savage's minimax-regret criterion, as in
robust decision making)::

    regret(v, s, o) = max over o' of V(v, s, o') - V(v, s, o)   (>= 0)

:func:`robustness_table` summarises each option over the variants: its
worst and mean value, its maximum and percentile regret, the share of
variants in which it is best (ties within
:data:`~analysis.engines.rollback.TIE_TOLERANCE` all count as best), and
the share in which it meets a stated **satisficing** threshold (its value is
at least the threshold). Every variant counts once: the design spreads them
evenly over the box of plausible ranges, so the shares are shares of that
box (plus the analysts' variants), not probabilities.

Examples
--------
>>> import analysis
>>> mediation = analysis.load_scenario("mediation")
>>> result = analysis.sweep(mediation, decision_maker="mediators", n_variants=128, rng=1,
...                         scheduler="synchronous")
>>> table = analysis.robustness_table(result, satisficing=30)
>>> list(table.columns)[:6]
['node', 'information', 'information_label', 'option', 'option_label', 'mean_value']
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import pandas as pd

from ..core.arguments import check_probability
from ..core.errors import QueryError
from ..engines.rollback import TIE_TOLERANCE
from .sweep import SweepResult

__all__ = ["regret_table", "robustness_table"]

_VALUE_COLUMNS = ("variant", "node", "information", "information_label", "option",
                  "option_label", "value")
_TABLE_COLUMNS = ["node", "information", "information_label", "option", "option_label",
                  "mean_value", "worst_value", "min_regret", "regret_p25", "regret_median",
                  "regret_p75", "percentile_regret", "max_regret", "mean_regret", "share_best",
                  "share_satisficing", "n_variants", "minimax_regret"]


def _values(result) -> pd.DataFrame:
    if isinstance(result, SweepResult):
        return result.values
    if isinstance(result, pd.DataFrame):
        missing = [c for c in _VALUE_COLUMNS if c not in result.columns]
        if missing:
            raise QueryError(f"values: missing columns {missing}; expected a sweep's values "
                             "(analysis.sweep(...).values)")
        return result
    raise TypeError(f"result: got {type(result).__name__}, expected a SweepResult "
                    "(analysis.sweep) or its values frame")


def regret_table(result: SweepResult | pd.DataFrame) -> pd.DataFrame:
    """Return every option's regret in every variant and information state.

    Parameters
    ----------
    result : SweepResult or DataFrame
        A sweep, or its ``values`` frame (possibly filtered, e.g. to the
        design's variants).

    Returns
    -------
    DataFrame
        The values frame with ``best_value`` (the best option's value in the
        variant and state), ``regret`` and ``best`` (the option is, or ties
        with, the best).
    """
    values = _values(result)
    best = values.groupby(["variant", "node"], observed=True, sort=False)["value"].transform(
        "max")
    frame = values.assign(best_value=best.to_numpy(),
                          regret=np.maximum(best.to_numpy() - values["value"].to_numpy(), 0.0))
    frame["best"] = frame["regret"].to_numpy() <= TIE_TOLERANCE * np.maximum(
        1.0, np.abs(frame["best_value"].to_numpy()))
    frame.attrs = dict(values.attrs)
    return frame


def robustness_table(result: SweepResult | pd.DataFrame, *, satisficing: float | None = None,
                     percentile: float = 0.9) -> pd.DataFrame:
    """Summarise each option's robustness over a sweep's variants, per information state.

    Parameters
    ----------
    result : SweepResult or DataFrame
        A sweep, or its ``values`` frame (or a filtered part of it).
    satisficing : float, optional
        The decision maker's expected utility an option must reach, in their
        unit; without it ``share_satisficing`` is NaN.
    percentile : float
        The regret percentile reported (0.9: the regret exceeded in only
        10% of the variants).

    Returns
    -------
    DataFrame
        One row per information state and option, in file order: ``node``,
        ``information``, ``information_label``, ``option``, ``option_label``,
        ``mean_value``, ``worst_value``, ``min_regret``, ``regret_p25``,
        ``regret_median``, ``regret_p75``, ``percentile_regret``, ``max_regret``,
        ``mean_regret``, ``share_best``, ``share_satisficing``, ``n_variants``
        and ``minimax_regret`` (the option with the smallest maximum regret in
        the state, the first in file order on a tie). ``attrs``: the sweep's,
        with ``satisficing`` and ``percentile``.

    Raises
    ------
    QueryError
        For a percentile outside (0, 1) or a threshold that is not finite.
    """
    percentile = check_probability(percentile, "percentile", open_ends=True)
    if satisficing is not None and (isinstance(satisficing, bool) or not isinstance(
            satisficing, Real) or not math.isfinite(satisficing)):
        raise QueryError(f"satisficing == {satisficing!r}, expected a finite number in the "
                         "decision maker's unit, or None")
    regrets = regret_table(result)
    if regrets.empty:
        raise QueryError("the sweep has no variants to summarise")
    groups = regrets.groupby(["node", "information", "information_label", "option",
                              "option_label"], observed=True, sort=True)
    table = groups.agg(mean_value=("value", "mean"), worst_value=("value", "min"),
                       min_regret=("regret", "min"), max_regret=("regret", "max"),
                       regret_p25=("regret", lambda r: float(np.quantile(r, 0.25))),
                       regret_median=("regret", "median"),
                       regret_p75=("regret", lambda r: float(np.quantile(r, 0.75))),
                       percentile_regret=("regret", lambda r: float(np.quantile(r, percentile))),
                       mean_regret=("regret", "mean"), share_best=("best", "mean"),
                       n_variants=("value", "size")).reset_index()
    if satisficing is None:
        table["share_satisficing"] = np.nan
    else:
        meets = (regrets["value"] >= satisficing).groupby(
            [regrets["node"], regrets["option"]], observed=True, sort=True).mean()
        table["share_satisficing"] = meets.to_numpy()
    smallest = table.groupby("node", sort=False)["max_regret"].transform("min")
    first = (table["max_regret"] <= smallest + TIE_TOLERANCE).groupby(table["node"]).cumsum()
    table["minimax_regret"] = (table["max_regret"] <= smallest + TIE_TOLERANCE) & (first == 1)
    table = table[_TABLE_COLUMNS]
    for column in ("information", "information_label", "option", "option_label"):
        table[column] = table[column].astype(str)
    table.attrs = {**regrets.attrs, "satisficing": satisficing, "percentile": percentile}
    return table
