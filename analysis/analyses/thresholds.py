"""Threshold analysis: where an output crosses a level, or where the optimal option switches.

A parameter moves as in :func:`analysis.one_way_sensitivity` (a branch
probability or a named parameter such as a cost; siblings rescaled, every
other parameter at its base value). Crossings are bracketed on a grid of
``n_points`` values over ``bounds`` (default: [0, 1] for a probability, the
parameter's range otherwise) and then found by Brent's method
(:func:`scipy.optimize.brentq`, to 1e-12) on the exact functions: with
branch probabilities alone an output is linear (or, with ``given``,
linear-fractional) in the parameter, an option's expected utility piecewise
linear; formulas may make them curve. Two crossings closer than a grid step
may be missed. Options count as equal within the relative tie tolerance of
:mod:`analysis.core.ties`, as in rollback.

Both functions return the same columns, one row per crossing in increasing
order of the parameter: ``parameter``, ``label``, ``kind`` (``"level"`` or
``"switch"``), ``output``, ``level``, ``decision_maker``, ``node`` and
``information`` (the decision node, for a switch), ``from_option`` and
``to_option`` (the optimal option below and above the threshold),
``threshold``, ``low`` and ``high`` (the range searched), ``mean`` (the prior
mean), ``interval_low``, ``interval_high``, ``in_interval`` and ``note``. With
no crossing, a single row whose ``threshold`` is NaN and whose ``note`` says so.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..core.arguments import Given, check_n_points
from ..core.errors import QueryError
from ..core.text import display_label
from ..core.ties import tie_tolerance
from ..engines.rollback import check_decision_maker, decision_engine
from ..engines.rules import resolve_rule
from ..model.outputs import resolve_outputs
from ..model.parameters import (
    Parameter,
    all_parameters,
    parameter_label,
    sweep_theta,
    uncertain_parameters,
)
from ..model.scenario import Scenario
from .sensitivity import base_policy, check_policy, output_results, policy_words

__all__ = ["find_switches", "find_threshold"]

_COLUMNS = ["parameter", "label", "kind", "output", "level", "decision_maker", "node",
            "information", "from_option", "to_option", "threshold", "low", "high", "mean",
            "interval_low", "interval_high", "in_interval", "note"]
_EMPTY = {"node": None, "information": None, "from_option": None, "to_option": None}


def find_threshold(
    scenario: Scenario,
    parameter: str,
    *,
    output: str,
    level: float,
    decision_maker: str | None = None,
    given: Given = None,
    bounds: tuple[float, float] | None = None,
    interval: float = 0.9,
    n_points: int = 201,
    policy: str = "optimal",
    rule=None,
) -> pd.DataFrame:
    """Find the values of ``parameter`` at which ``output`` equals ``level``.

    Parameters
    ----------
    scenario : Scenario
    parameter : str
        A key as :func:`analysis.sensitivity_parameters` lists it.
    output : str
        An outcome id, an attribute id or ``"utility:STAKEHOLDER"``.
    level : float
        The level ``output`` is to cross.
    decision_maker : str, optional
        Evaluate ``output`` under that stakeholder's policy at each value.
    given : mapping, optional
        Condition the output on these phases' branches.
    bounds : (float, float), optional
        The range searched; default: [0, 1] for a probability, the
        parameter's range (its prior's interval, or ``sensitivity:``)
        otherwise.
    interval : float
        The prior's central interval reported beside each threshold.
    n_points : int
        Grid points that bracket the crossings.
    policy : {"optimal", "fixed"}
        With a decision maker: re-optimise at every value, or hold the
        base-case optimal policy (see :func:`analysis.one_way_sensitivity`).
    rule : str or mapping, optional
        The decision rule (see :func:`analysis.rollback`).

    Returns
    -------
    DataFrame
        See the module docstring; ``kind`` is ``"level"``; ``attrs`` says
        the ``policy`` and the ``rule``.

    Raises
    ------
    QueryError
        For an unknown parameter, output or stakeholder, or bad bounds.
    """
    p, low, high, grid = _search(scenario, parameter, bounds, interval, n_points)
    policy = check_policy(policy)
    fixed = None
    if decision_maker is not None:
        check_decision_maker(scenario, decision_maker)
        if policy == "fixed":
            fixed = base_policy(scenario, decision_maker, rule)
    if isinstance(level, bool) or not isinstance(level, int | float):
        raise TypeError(f"level: got {level!r}, expected a number")
    [resolved] = resolve_outputs(scenario, output)

    def gap(values: np.ndarray) -> np.ndarray:
        theta = sweep_theta(scenario.tree, p, np.atleast_1d(values))
        return output_results(scenario, theta, [resolved], given, decision_maker,
                              policy=policy, rule=rule, fixed=fixed)[:, 0] - level

    common = _common(scenario, p, low, high) | {"kind": "level", "output": output,
                                                "level": level, "decision_maker": decision_maker}
    values = gap(grid)
    rows = []
    for root in _roots(lambda v: float(gap(np.array([v]))[0]), grid, values):
        span = 1e-7 * (high - low)
        jump = abs(float(gap(np.array([min(high, root + span)]))[0])
                   - float(gap(np.array([max(low, root - span)]))[0])) > 1e-6 * (1 + abs(level))
        rows.append({**common, **_EMPTY, "threshold": root,
                     "note": ("the output jumps across the level where the optimal policy "
                              "switches" if jump else "")})
    if not rows:
        rows.append({**common, **_EMPTY, "threshold": np.nan,
                     "note": f"no crossing of {level:g} in [{low:g}, {high:g}]: {output} "
                             f"stays between {values.min() + level:.6g} and "
                             f"{values.max() + level:.6g}"})
    frame = _frame(scenario, p, rows, given, interval)
    frame.attrs["policy"] = policy_words(decision_maker, policy)
    return frame


def find_switches(
    scenario: Scenario,
    parameter: str,
    *,
    decision_maker: str,
    bounds: tuple[float, float] | None = None,
    interval: float = 0.9,
    n_points: int = 201,
    rule=None,
) -> pd.DataFrame:
    """Find the values of ``parameter`` at which ``decision_maker``'s optimal option changes.

    Every decision node of the decision maker is watched; a switch between
    two options is located where their expected utilities are equal.

    Parameters
    ----------
    scenario : Scenario
    parameter : str
        A key as :func:`analysis.sensitivity_parameters` lists it.
    decision_maker : str
        A stakeholder taking decisions.
    bounds, interval, n_points
        As in :func:`find_threshold`.
    rule : str or mapping, optional
        The decision rule (see :func:`analysis.rollback`): the switch is where
        the options' values under it are equal.

    Returns
    -------
    DataFrame
        See the module docstring; ``kind`` is ``"switch"``.

    Raises
    ------
    QueryError
        For an unknown parameter or stakeholder, or bad bounds.
    """
    p, low, high, grid = _search(scenario, parameter, bounds, interval, n_points)
    check_decision_maker(scenario, decision_maker)
    engine = decision_engine(scenario)
    choosers = engine.choosers(decision_maker, "assumed")
    dm_row = engine.stakeholders.index(decision_maker)
    resolved = resolve_rule(rule, scenario.model.decision_rule, engine.stakeholders)
    tolerance = tie_tolerance(engine.utilities[dm_row])
    common = _common(scenario, p, low, high) | {"kind": "switch", "output": None, "level": None,
                                                "decision_maker": decision_maker}

    def solve(values: np.ndarray):
        theta = sweep_theta(scenario.tree, p, np.atleast_1d(values))
        edges, utilities = engine.prepare(theta)
        return engine.solve(edges, choosers, utilities=utilities, rule=resolved)

    chosen = solve(grid).chosen
    rows = []
    for node in (n for n in engine.nodes if n.owner == decision_maker):
        def option_value(v: float, option: int, node=node) -> float:
            criteria = solve(np.array([v])).criteria[node.number][0]
            return float(resolved.sign * criteria[option] if resolved.name != "minimax_regret"
                         else -criteria[option])

        column = chosen[:, node.number]
        for i in np.flatnonzero(column[1:] != column[:-1]):
            a, b = int(column[i]), int(column[i + 1])

            def difference(v: float, a=a, b=b) -> float:
                return option_value(v, a) - option_value(v, b)

            root = _bracketed_root(difference, grid[i], grid[i + 1], tolerance)
            phase = scenario.model.phases[node.phase]
            rows.append({**common, "node": node.number, "information": engine.information(node),
                         "from_option": node.option_ids[a], "to_option": node.option_ids[b],
                         "threshold": root,
                         "note": f"{display_label(phase.id, phase.label)}: "
                                 f"{node.option_ids[a]} -> {node.option_ids[b]}"})
    if not rows:
        rows.append({**common, **_EMPTY, "threshold": np.nan,
                     "note": f"no switch of {decision_maker}'s optimal options in "
                             f"[{low:g}, {high:g}]"})
    frame = _frame(scenario, p, rows, None, interval)
    frame.attrs["rule"] = resolved.describe()
    return frame


def _search(scenario: Scenario, parameter: str, bounds, interval: float, n_points: int
            ) -> tuple[Parameter, float, float, np.ndarray]:
    found = all_parameters(scenario, interval=interval)
    if parameter in found and found[parameter].low < found[parameter].high:
        p = found[parameter]
    elif parameter in found and bounds is not None:
        p = found[parameter]
    else:
        [p] = uncertain_parameters(scenario, [parameter], interval=interval)
    probability = p.probability
    expected = ("(low, high) with 0 <= low < high <= 1" if probability
                else "(low, high) with low < high")
    if bounds is None:
        bounds = (0.0, 1.0) if probability else (p.low, p.high)
    try:
        low, high = (float(v) for v in bounds)
        if isinstance(bounds, str) or any(isinstance(v, bool | str) for v in bounds):
            raise TypeError
    except (TypeError, ValueError):
        raise QueryError(f"bounds == {bounds!r}, expected {expected}") from None
    inside = (0 <= low < high <= 1) if probability else (low < high)
    if not (inside and np.isfinite(low) and np.isfinite(high)):
        raise QueryError(f"bounds == {bounds!r}, expected {expected}")
    n_points = check_n_points(n_points, minimum=3)
    return p, low, high, np.linspace(low, high, n_points)


def _common(scenario: Scenario, p: Parameter, low: float, high: float) -> dict:
    return {"parameter": p.key, "label": parameter_label(scenario, p), "low": low,
            "high": high, "mean": p.mean, "interval_low": p.low, "interval_high": p.high}


def _frame(scenario: Scenario, p: Parameter, rows: list[dict], given: Given,
           interval: float) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["in_interval"] = (frame["threshold"] >= p.low) & (frame["threshold"] <= p.high)
    frame["in_interval"] = frame["in_interval"].astype(bool)
    frame = frame.sort_values("threshold", kind="stable", na_position="last")
    frame = frame.reset_index(drop=True)[_COLUMNS]
    frame.attrs = {**scenario.metadata(), "given": dict(given or {}), "interval": interval}
    return frame


def _bracketed_root(function: Callable[[float], float], a: float, b: float,
                    tolerance: float = 0.0) -> float:
    """Return a root of ``function`` in [a, b], whose ends differ in sign (or touch zero).

    Values within ``tolerance`` of 0 count as 0 (a tie at a grid point).
    """
    from scipy.optimize import brentq  # slow to import; only needed here

    fa, fb = function(a), function(b)
    if abs(fa) <= tolerance:
        return float(a)
    if abs(fb) <= tolerance:
        return float(b)
    if fa * fb < 0:
        return float(brentq(function, a, b, xtol=1e-12, rtol=1e-12))
    # No sign change across the cell (a third option won in between): look closer.
    points = np.linspace(a, b, 65)
    values = np.array([function(v) for v in points])
    for i in np.flatnonzero(np.sign(values[1:]) != np.sign(values[:-1])):
        return float(brentq(function, points[i], points[i + 1], xtol=1e-12, rtol=1e-12))
    return float(points[np.argmin(np.abs(values))])


def _roots(function: Callable[[float], float], grid: np.ndarray, values: np.ndarray
           ) -> list[float]:
    """Roots of ``function`` bracketed by sign changes of its ``values`` on ``grid``."""
    from scipy.optimize import brentq  # slow to import; only needed here

    roots: list[float] = []
    for i, value in enumerate(values):
        if value == 0 and (not roots or abs(roots[-1] - grid[i]) > 1e-12):
            roots.append(float(grid[i]))
    for i in np.flatnonzero(values[1:] * values[:-1] < 0):
        roots.append(float(brentq(function, grid[i], grid[i + 1], xtol=1e-12, rtol=1e-12)))
    return sorted(roots)
