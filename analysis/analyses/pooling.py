"""Several analysts: pooling their scenarios, and where they disagree.

Each analyst is a scenario on the same tree (the same phases, branches and
path outcomes) with their own priors: usually a variant (``extends:
baseline`` with ``priors:``) in ``scenarios/analysts/``. Pools combine the
analysts' **path** distributions, evaluated exactly (a posterior's too),
with weights ``w`` (equal by default, normalised to sum to 1):

- **linear pool**: ``P(path) = sum_i w_i P_i(path)``. Pooling paths and then
  summing them into outcomes or phases gives the same as pooling outcomes
  or phases directly (the linear pool is the only pool that commutes with
  marginalising), so every table of the pool is consistent.
- **logarithmic pool**: ``P(path)`` proportional to ``prod_i P_i(path)**w_i``.
  It is pooled over paths, not over outcomes or branch probabilities,
  because at that level it is *externally Bayesian*: updating every analyst
  on the same evidence log and then pooling gives the same result as
  pooling and then updating (the evidence multiplies every path's
  probability by the same likelihood). A path any analyst with positive
  weight rules out (probability 0) is ruled out by the pool.

:func:`analyst_disagreement` compares the analysts' priors, branch
probability by branch probability, and ranks them by their spread.

Examples
--------
>>> import analysis
>>> analysts = analysis.load_analysts()
>>> pooled = analysis.pool_outcomes(analysts, method="log")
>>> round(float(pooled["probability"].sum()), 9)
1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import QueryError
from ..core.paths import project_folder
from ..model.parameters import branch_label
from ..model.scenario import Scenario, load_scenario
from .outcomes import compare_outcomes, path_table

__all__ = [
    "POOL_METHODS",
    "analyst_disagreement",
    "analysts_dir",
    "load_analysts",
    "pool_comparison",
    "pool_outcomes",
    "pool_paths",
]

#: The pooling methods: ``"linear"`` and ``"log"``.
POOL_METHODS = ("linear", "log")


def analysts_dir() -> Path:
    """Return the project's ``scenarios/analysts/`` folder."""
    return project_folder("scenarios", "analysts")


def load_analysts(folder: str | Path | None = None) -> list[Scenario]:
    """Load every scenario file in ``folder`` (default ``scenarios/analysts/``), by name.

    Raises
    ------
    ScenarioError
        If a file is invalid.
    QueryError
        If the folder holds no ``*.yaml`` file.
    """
    folder = Path(folder) if folder is not None else analysts_dir()
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise QueryError(f"no scenario files (*.yaml) in {folder}")
    return [load_scenario(path) for path in paths]


def _check(scenarios: Sequence[Scenario], weights) -> tuple[list[Scenario], np.ndarray]:
    if isinstance(scenarios, Scenario):
        raise TypeError("scenarios: got one Scenario, expected a sequence of them")
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("scenarios: got none, expected at least one")
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise TypeError(f"scenarios: got {type(s).__name__}, expected Scenario objects")
    ids = [s.id for s in scenarios]
    if len(set(ids)) != len(ids):
        raise ValueError(f"scenarios: ids {ids} repeat, expected one scenario per analyst")
    first = scenarios[0].tree
    for s in scenarios[1:]:
        same = (s.phases == scenarios[0].phases and s.tree.outcomes == first.outcomes
                and np.array_equal(s.tree.branch_index, first.branch_index)
                and np.array_equal(s.tree.outcome_index, first.outcome_index))
        if not same:
            raise QueryError(f"scenario {s.id!r} has a different tree from {scenarios[0].id!r}"
                             ": analysts must share phases, branches and each path's outcome "
                             "(write them as variants of one scenario)")
    if weights is None:
        w = np.ones(len(scenarios))
    elif isinstance(weights, Mapping):
        unknown = set(weights) - set(ids)
        if unknown:
            raise ValueError(f"weights: unknown analyst(s) {', '.join(map(str, unknown))}; "
                             f"expected ids among: {', '.join(ids)}")
        w = _numbers([weights.get(i, 0.0) for i in ids])
    elif isinstance(weights, str) or not isinstance(weights, Iterable):
        raise TypeError(f"weights: got {type(weights).__name__}, expected a number per "
                        "analyst, or a mapping of analyst ids to numbers")
    else:
        w = _numbers(list(weights))
        if w.shape != (len(scenarios),):
            raise ValueError(f"weights: got {w.size} values for {len(scenarios)} scenarios")
    if not np.isfinite(w).all() or (w < 0).any() or not (w > 0).any():
        raise ValueError(f"weights == {w.tolist()}, expected finite non-negative numbers, at "
                         "least one positive")
    w = w / w.max()  # first to at most 1: a sum of huge weights cannot overflow
    return scenarios, w / w.sum()


def _numbers(values: list) -> np.ndarray:
    for value in values:
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"weights: got {value!r} ({type(value).__name__}), expected numbers")
    return np.array(values, dtype=float)


def _pooled(scenarios: list[Scenario], w: np.ndarray, method: str) -> np.ndarray:
    if method not in POOL_METHODS:
        raise ValueError(f"method == {method!r}, expected one of: {', '.join(POOL_METHODS)}")
    paths = np.stack([s.tree.path_probabilities() for s in scenarios])
    if method == "linear":
        return w @ paths
    with np.errstate(divide="ignore"):
        logs = np.log(paths)
    used = w > 0
    log_pool = (w[used, None] * logs[used]).sum(axis=0)  # -inf where a weighted analyst has 0
    if not np.isfinite(log_pool).any():
        raise QueryError("the analysts with positive weight rule out every path between them "
                         "(each path has probability 0 for one of them): no log pool exists")
    pool = np.exp(log_pool - log_pool[np.isfinite(log_pool)].max())
    return pool / pool.sum()


def pool_paths(scenarios: Sequence[Scenario], *, method: str = "linear",
               weights: Sequence[float] | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Return the pooled distribution over the analysts' shared paths.

    Parameters
    ----------
    scenarios : sequence of Scenario
        One per analyst, on the same tree.
    method : {"linear", "log"}
    weights : sequence or mapping of id to weight, optional
        Equal by default; normalised to sum to 1 (an analyst left out of a
        mapping has weight 0).

    Returns
    -------
    DataFrame
        :func:`analysis.path_table`'s columns, with the pooled
        ``probability``. ``attrs``: ``scenario`` (``"linear pool"`` or
        ``"log pool"``), ``method``, ``analysts``, ``weights``.

    Raises
    ------
    QueryError
        If the trees differ, or a log pool has nothing left.
    """
    scenarios, w = _check(scenarios, weights)
    frame = path_table(scenarios[0])
    frame["probability"] = _pooled(scenarios, w, method)
    frame.attrs = _attrs(scenarios, w, method)
    return frame


def _attrs(scenarios, w, method) -> dict:
    return {"scenario": f"{method} pool", "given": {}, "method": method,
            "analysts": [s.id for s in scenarios], "weights": w.tolist()}


def pool_outcomes(scenarios: Sequence[Scenario], *, method: str = "linear",
                  weights: Sequence[float] | Mapping[str, float] | None = None
                  ) -> pd.DataFrame:
    """Return the outcome distribution of the pooled paths.

    Columns as :func:`analysis.outcome_distribution` (``outcome``, ``label``,
    ``colour``, ``probability``); ``attrs`` as :func:`pool_paths`.
    """
    scenarios, w = _check(scenarios, weights)
    tree = scenarios[0].tree
    totals = np.bincount(tree.outcome_index, weights=_pooled(scenarios, w, method),
                         minlength=len(tree.outcomes))
    outcomes = scenarios[0].model.outcomes
    frame = pd.DataFrame({"outcome": list(outcomes),
                          "label": [o.label for o in outcomes.values()],
                          "colour": [o.colour for o in outcomes.values()],
                          "probability": totals})
    frame.attrs = _attrs(scenarios, w, method)
    return frame


def pool_comparison(scenarios: Sequence[Scenario], *,
                    weights: Sequence[float] | Mapping[str, float] | None = None
                    ) -> pd.DataFrame:
    """Return every analyst's outcome distribution and both pools', stacked.

    Columns: ``scenario`` (an analyst's id, ``"linear pool"`` or ``"log
    pool"``), ``outcome``, ``label``, ``colour``, ``probability``: the form
    :func:`analysis.plotting.plot_outcome_distribution` draws side by side.
    """
    scenarios, w = _check(scenarios, weights)
    frames = [compare_outcomes(scenarios).assign(
        scenario=np.repeat([s.id for s in scenarios], len(scenarios[0].model.outcomes)))]
    for method in POOL_METHODS:
        frames.append(pool_outcomes(scenarios, method=method, weights=w)
                      .assign(scenario=f"{method} pool"))
    frame = pd.concat(frames, ignore_index=True)[
        ["scenario", "outcome", "label", "colour", "probability"]]
    frame.attrs = {"scenario": "analysts and pools", "given": {},
                   "analysts": [s.id for s in scenarios], "weights": w.tolist()}
    return frame


def analyst_disagreement(scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """Return each branch probability as every analyst sets it, most disputed first.

    Parameters
    ----------
    scenarios : sequence of Scenario
        One per analyst, on the same tree.

    Returns
    -------
    DataFrame
        One row per branch probability and analyst (of a two-branch
        question, only the first branch: the other is 1 minus it): ``key`` (as
        :meth:`~analysis.Scenario.with_priors` takes it), ``phase``,
        ``rule``, ``branch``, ``label`` (``"Phase: Branch (rule)"``),
        ``analyst``, ``mean``, ``p05``, ``p95`` (the analyst's prior),
        ``spread`` (the largest minus the smallest mean across analysts),
        ``sd`` (the standard deviation of the means across analysts) and
        ``rank`` (1 for the largest spread). Sorted by rank, then by the
        analysts' order. ``attrs``: ``analysts``.
    """
    scenarios, _ = _check(scenarios, None)
    parts = []
    mirrors = {f"{pset.key}.{pset.branches[1]}" for pset in scenarios[0].tree.sets
               if len(pset.branches) == 2}
    for s in scenarios:
        table = s.priors_table()[["key", "phase", "rule", "branch", "mean", "p05", "p95"]]
        table = table[~table["key"].isin(mirrors)]
        parts.append(table.assign(analyst=s.id, label=table["key"].map(_labels(s))))
    frame = pd.concat(parts, ignore_index=True)
    keys = list(dict.fromkeys(frame["key"]))
    stats = frame.groupby("key")["mean"].agg(["min", "max"])
    stats["spread"] = stats["max"] - stats["min"]
    stats["sd"] = frame.groupby("key")["mean"].std(ddof=0)
    order = sorted(keys, key=lambda k: (-round(stats.loc[k, "spread"], 12), keys.index(k)))
    rank = {k: r for r, k in enumerate(order, start=1)}
    frame["spread"] = frame["key"].map(stats["spread"])
    frame["sd"] = frame["key"].map(stats["sd"])
    frame["rank"] = frame["key"].map(rank)
    analysts = [s.id for s in scenarios]
    frame["_analyst"] = frame["analyst"].map(analysts.index)
    frame = frame.sort_values(["rank", "_analyst"], kind="stable").drop(columns="_analyst")
    frame = frame[["key", "phase", "rule", "branch", "label", "analyst", "mean", "p05", "p95",
                   "spread", "sd", "rank"]].reset_index(drop=True)
    frame.attrs = {"analysts": analysts}
    return frame


def _labels(scenario: Scenario) -> dict[str, str]:
    """Map each key to words: ``Governance: Partly implemented (at the line)``."""
    return {f"{pset.key}.{branch}": branch_label(scenario, pset.phase, branch, pset.rule)
            for pset in scenario.tree.sets for branch in pset.branches}
