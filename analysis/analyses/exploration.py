"""The priors a person can move in a live panel, and the overrides that reproduce a setting.

Every uncertain probability set of a scenario is described by a mean per
branch and one **strength**: ``alpha + beta`` of a Beta-kind prior (a yes/no
question, however its file states it: counts, a range, a mean and sd), the
sum of the concentrations of a Dirichlet. A strength is how many cases'
worth of evidence the prior carries: the larger, the narrower.

:func:`prior_controls` lists them, as a panel draws its sliders;
:func:`explored_overrides` turns moved means and strengths back into the
``PRIOR_OVERRIDES`` that :meth:`~analysis.Scenario.with_priors` takes, so a
setting found by exploring is a reproducible run.

Examples
--------
>>> import analysis
>>> baseline = analysis.load_scenario("baseline")
>>> controls = prior_controls(baseline)
>>> explored_overrides(baseline, means={"ceasefire.holds": 0.9})
{'ceasefire.holds': {'alpha': 9.9, 'beta': 1.1}}
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..core.arguments import Given
from ..core.errors import QueryError
from ..core.text import did_you_mean
from ..engines.exact import condition
from ..model.parameters import branch_label
from ..model.scenario import Scenario
from ..model.tree import ProbabilitySet

__all__ = ["MEAN_RANGE", "STRENGTH_RANGE", "explored_overrides", "path_count",
           "prior_controls"]

#: The means a panel offers: a probability strictly inside (0, 1), which every prior kind can take.
MEAN_RANGE = (0.01, 0.99)
#: The strengths a panel offers (``alpha + beta``, or the sum of concentrations).
STRENGTH_RANGE = (0.5, 500.0)
#: Significant digits kept in overrides: enough for every number a chart shows.
_DIGITS = 6


def _uncertain(pset: ProbabilitySet) -> list[int]:
    """Return the branches of a set that a panel moves (not the rest beside a Beta)."""
    if pset.kind == "dirichlet":
        return list(range(len(pset.branches)))
    if pset.kind == "beta":
        return [pset.uncertain_branch]
    return []


def _strength(pset: ProbabilitySet) -> float:
    if pset.kind == "dirichlet":
        return float(sum(p.concentration for p in pset.priors))
    return float(sum(pset.priors[pset.uncertain_branch].beta_parameters))


def prior_controls(scenario: Scenario) -> pd.DataFrame:
    """Return one row per uncertain branch probability: what a panel's sliders start from.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario (with any overrides already applied).

    Returns
    -------
    DataFrame
        Columns: ``key`` (the override key, ``"phase.branch"`` or
        ``"phase.rule.branch"``), ``set`` (its probability set,
        ``"phase"`` or ``"phase.rule"``), ``phase``, ``rule``, ``branch``,
        ``label`` (``"Phase: Branch"`` in words), ``kind`` (``"beta"`` or
        ``"dirichlet"``), ``mean``, ``strength`` (of the whole set).
        Sets in the tree's order, branches in the file's. ``attrs``:
        ``scenario``, ``changes``.
    """
    rows = []
    for pset in scenario.tree.sets:
        branches = _uncertain(pset)
        if not branches:
            continue
        means = pset.means()
        strength = _strength(pset)
        for b in branches:
            rows.append({
                "key": f"{pset.key}.{pset.branches[b]}",
                "set": pset.key,
                "phase": pset.phase,
                "rule": pset.rule or "",
                "branch": pset.branches[b],
                "label": branch_label(scenario, pset.phase, pset.branches[b], pset.rule),
                "kind": pset.kind,
                "mean": float(means[b]),
                "strength": strength,
            })
    frame = pd.DataFrame(rows, columns=["key", "set", "phase", "rule", "branch", "label",
                                        "kind", "mean", "strength"])
    frame.attrs = scenario.metadata()
    return frame


def _rounded(value: float) -> float:
    return float(f"{value:.{_DIGITS}g}")


def explored_overrides(scenario: Scenario, *, means: Mapping[str, float] | None = None,
                       strengths: Mapping[str, float] | None = None) -> dict[str, dict]:
    """Return the prior overrides that give branches these means and sets these strengths.

    A Beta-kind branch with mean ``m`` in a set of strength ``s`` becomes
    ``{"alpha": m s, "beta": (1 - m) s}``. In a Dirichlet the branches named
    in ``means`` take those means and the others share the rest in
    proportion to their current means; every branch of the set is then
    written as ``{"concentration": mean * strength}``. Sets neither
    ``means`` nor ``strengths`` names are left out. Numbers are rounded to
    six significant digits, so the overrides printed are the overrides used.

    Parameters
    ----------
    scenario : Scenario
        The scenario the means and strengths are relative to.
    means : mapping, optional
        Override key (a ``key`` of :func:`prior_controls`) -> mean, in
        :data:`MEAN_RANGE`.
    strengths : mapping, optional
        Set (a ``set`` of :func:`prior_controls`) -> strength, in :data:`STRENGTH_RANGE`.

    Returns
    -------
    dict
        What :meth:`~analysis.Scenario.with_priors` takes, in the tree's order.

    Raises
    ------
    QueryError
        For a key or set that names no uncertain prior, a value out of its
        range, or Dirichlet means that add up to more than 1.
    """
    means, strengths = dict(means or {}), dict(strengths or {})
    sets = {pset.key: pset for pset in scenario.tree.sets if _uncertain(pset)}
    keys = {f"{pset.key}.{pset.branches[b]}": (pset.key, b)
            for pset in sets.values() for b in _uncertain(pset)}
    for key, value in means.items():
        if key not in keys:
            raise QueryError(f"means: {key!r} names no uncertain prior{did_you_mean(key, keys)}"
                             f"; expected one of: {', '.join(keys)}")
        _check_range(f"means[{key!r}]", value, MEAN_RANGE)
    for key, value in strengths.items():
        if key not in sets:
            raise QueryError(f"strengths: {key!r} names no uncertain probability set"
                             f"{did_you_mean(key, sets)}; expected one of: {', '.join(sets)}")
        _check_range(f"strengths[{key!r}]", value, STRENGTH_RANGE)

    overrides: dict[str, dict] = {}
    for set_key, pset in sets.items():
        moved = {b: float(means[f"{set_key}.{pset.branches[b]}"]) for b in _uncertain(pset)
                 if f"{set_key}.{pset.branches[b]}" in means}
        if not moved and set_key not in strengths:
            continue
        strength = float(strengths.get(set_key, _strength(pset)))
        if pset.kind == "beta":
            b = pset.uncertain_branch
            mean = moved.get(b, float(pset.means()[b]))
            overrides[f"{set_key}.{pset.branches[b]}"] = {
                "alpha": _rounded(mean * strength), "beta": _rounded((1 - mean) * strength)}
            continue
        shares = _dirichlet_shares(set_key, pset.means(), moved)
        for b, branch in enumerate(pset.branches):
            overrides[f"{set_key}.{branch}"] = {
                "concentration": _rounded(max(shares[b] * strength, 1e-6))}
    return overrides


def _dirichlet_shares(set_key: str, current: np.ndarray, moved: Mapping[int, float]
                      ) -> np.ndarray:
    total = sum(moved.values())
    if total > 1 + 1e-9:
        raise QueryError(f"means of {set_key!r} add up to {total:g}, must be at most 1")
    shares = np.array(current, dtype=float)
    others = np.array([b not in moved for b in range(len(shares))])
    rest = shares[others].sum()
    if others.any():
        scale = (1 - total) / rest if rest > 0 else 0.0
        shares[others] = (shares[others] * scale if rest > 0
                          else (1 - total) / others.sum())
    for b, value in moved.items():
        shares[b] = value
    return shares


def _check_range(name: str, value: object, bounds: tuple[float, float]) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise QueryError(f"{name}: got {type(value).__name__}, expected a number")
    if not bounds[0] <= float(value) <= bounds[1]:
        raise QueryError(f"{name} == {value!r}, must be in [{bounds[0]:g}, {bounds[1]:g}]")


def path_count(scenario: Scenario, *, given: Given = None) -> int:
    """Return how many paths of the tree ``given`` keeps (all of them without it).

    Raises
    ------
    QueryError
        For an unknown phase or branch in ``given``, or a condition of probability 0.
    """
    return int(condition(scenario, given)[1].sum())
