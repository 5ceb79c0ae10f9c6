"""One-way sensitivity of a scenario's results to each uncertain probability.

A **parameter** is one branch's probability in one probability set, named by
the key :meth:`Scenario.with_priors` takes (``"withdrawal.phased"``). It is
swept across its prior's central interval (the marginal Beta of a Beta or
Dirichlet prior) while every other set stays at its mean. When a branch's
probability is set to ``v``, its siblings keep their proportions and share
``1 - v`` (for a two-branch question, the other branch is ``1 - v``), so every
set still sums to 1.

Each path uses a set at most once, so an outcome's probability or an
attribute's expectation is linear in the swept value: the ends of the
interval give the extremes that a tornado diagram shows.

Outputs are outcome ids (their probability), attribute ids (their expected
value) and ``"utility:STAKEHOLDER"`` (a stakeholder's expected utility, see
:mod:`analysis.stakeholders`). Decisions take their assumed options, unless a
``decision_maker`` is given: that stakeholder's decisions are then re-solved
(:func:`analysis.rollback`) at every value, and results are piecewise linear.
:func:`two_way_sensitivity` moves two parameters over a grid;
:func:`find_threshold` finds, by Brent's method on these exact functions, the
value at which an output crosses a level or the optimal option switches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .decisions import (
    TIE_TOLERANCE,
    _check_decision_maker,
    _engine,
    _policy_probabilities,
    _stakeholder_utilities,
)
from .errors import QueryError
from .evaluate import Given, _condition
from .scenario import Scenario
from .schema import display_label
from .tree import ProbabilitySet
from .validation import did_you_mean

_ATTRIBUTE_COLOUR = "#7f7f7f"

__all__ = [
    "UTILITY_PREFIX", "find_threshold", "most_influential", "one_way_sensitivity",
    "output_unit", "sensitivity_parameters", "tornado_table", "two_way_sensitivity",
]

#: Outputs named ``"utility:STAKEHOLDER"`` are a stakeholder's expected utility.
UTILITY_PREFIX = "utility:"


@dataclass(frozen=True)
class _Parameter:
    key: str
    set_number: int
    branch_number: int
    low: float
    high: float


def _marginal_interval(pset: ProbabilitySet, branch: int, level: float) -> tuple[float, float]:
    """Return the central ``level`` interval of one branch's probability under its prior."""
    from scipy import stats  # slow to import; only needed here

    tail = (1 - level) / 2
    if pset.kind == "dirichlet":
        alphas = np.array([p.concentration for p in pset.priors])
        a, b = alphas[branch], alphas.sum() - alphas[branch]
    elif pset.kind == "beta":
        uncertain = next(i for i, p in enumerate(pset.priors) if p is not None)
        a, b = pset.priors[uncertain].beta_parameters
        if branch != uncertain:
            a, b = b, a
    else:
        mean = pset.means()[branch]
        return mean, mean
    low, high = stats.beta.ppf([tail, 1 - tail], a, b)
    return float(low), float(high)


def sensitivity_parameters(scenario: Scenario, *, interval: float = 0.9) -> pd.DataFrame:
    """Return every uncertain branch probability and its central interval.

    Columns: ``parameter`` (the key), ``phase``, ``branch``, ``label``,
    ``mean``, ``low``, ``high``. Fixed probabilities are not uncertain and are
    left out, as is the branch that takes the rest beside a Beta prior (it
    mirrors the other one).
    """
    return pd.DataFrame([
        {"parameter": p.key, "phase": scenario.tree.sets[p.set_number].phase,
         "branch": scenario.tree.sets[p.set_number].branches[p.branch_number],
         "label": _label(scenario, p),
         "mean": scenario.tree.sets[p.set_number].means()[p.branch_number],
         "low": p.low, "high": p.high}
        for p in _parameters(scenario, None, interval)
    ], columns=["parameter", "phase", "branch", "label", "mean", "low", "high"])


def _parameters(scenario: Scenario, keys: Iterable[str] | None,
                interval: float) -> list[_Parameter]:
    if not 0 < interval < 1:
        raise QueryError(f"interval == {interval}, expected a level between 0 and 1, e.g. 0.9")
    found: dict[str, _Parameter] = {}
    for s, pset in enumerate(scenario.tree.sets):
        if pset.kind == "fixed":
            continue
        for b, (branch, prior) in enumerate(zip(pset.branches, pset.priors, strict=True)):
            if prior is None:  # the rest beside a Beta
                continue
            low, high = _marginal_interval(pset, b, interval)
            found[f"{pset.key}.{branch}"] = _Parameter(f"{pset.key}.{branch}", s, b, low, high)
    if keys is None:
        return list(found.values())
    chosen = []
    for key in keys:
        if key not in found:
            raise QueryError(f"unknown or fixed parameter {key!r}{did_you_mean(key, found)}; "
                             f"expected one of: {', '.join(found)}")
        chosen.append(found[key])
    return chosen


def _label(scenario: Scenario, parameter: _Parameter) -> str:
    pset = scenario.tree.sets[parameter.set_number]
    phase = next(p for p in scenario.model.phases if p.id == pset.phase)
    branch = pset.branches[parameter.branch_number]
    branch_label = display_label(branch, phase.branches[branch].label)
    text = f"{display_label(phase.id, phase.label)}: {branch_label}"
    return text + (f" ({pset.rule.replace('_', ' ')})" if pset.rule else "")


def _outputs(
    scenario: Scenario, output: str | Sequence[str] | None
) -> list[tuple[str, str, str, np.ndarray]]:
    """``(name, label, colour, weights over paths)`` for each requested output."""
    tree, model = scenario.tree, scenario.model
    table = {o: (model.outcomes[o].label, model.outcomes[o].colour,
                 (tree.outcome_index == k).astype(float))
             for k, o in enumerate(tree.outcomes)}
    for a, name in enumerate(tree.attributes):
        attribute = model.attributes[name]
        table.setdefault(name, (f"{attribute.label} ({attribute.unit})", _ATTRIBUTE_COLOUR,
                                tree.attribute_values[:, a]))
    stakeholders, utilities = _stakeholder_utilities(scenario)
    for s, name in enumerate(stakeholders):
        unit = model.utilities[name].unit
        table[f"{UTILITY_PREFIX}{name}"] = (
            f"{model.stakeholders[name].label}: expected utility ({unit})", _ATTRIBUTE_COLOUR,
            utilities[s])
    names = list(tree.outcomes) if output is None else (
        [output] if isinstance(output, str) else list(output))
    for name in names:
        if name not in table:
            raise QueryError(f"unknown output {name!r}{did_you_mean(name, table)}; expected an "
                             f"outcome, an attribute or 'utility:STAKEHOLDER': "
                             f"{', '.join(table)}")
    return [(name, *table[name]) for name in names]


def output_unit(scenario: Scenario, output: str) -> str:
    """Return the unit of an output: ``"probability"``, an attribute's or a utility's unit."""
    model = scenario.model
    _outputs(scenario, output)  # raises for an unknown output
    if output in model.outcomes:
        return "probability"
    if output.startswith(UTILITY_PREFIX) and output[len(UTILITY_PREFIX):] in model.utilities:
        return model.utilities[output[len(UTILITY_PREFIX):]].unit
    return model.attributes[output].unit


def _sweep_theta(scenario: Scenario, parameter: _Parameter, values: np.ndarray) -> np.ndarray:
    """Probability vectors (one row per value) with one branch set, siblings rescaled."""
    tree = scenario.tree
    theta = np.tile(tree.mean_theta(), (len(values), 1))
    start = tree.offsets[parameter.set_number]
    size = len(tree.sets[parameter.set_number].branches)
    block = theta[:, start:start + size]
    others = np.arange(size) != parameter.branch_number
    rest = block[0, others].sum()
    share = block[0, others] / rest if rest > 0 else np.full(others.sum(), 1 / others.sum())
    block[:, others] = (1 - values)[:, None] * share
    block[:, parameter.branch_number] = values
    return theta


def one_way_sensitivity(
    scenario: Scenario,
    output: str | Sequence[str] | None = None,
    *,
    parameters: Iterable[str] | None = None,
    interval: float = 0.9,
    n_points: int = 11,
    include_mean: bool = False,
    given: Given = None,
    decision_maker: str | None = None,
) -> pd.DataFrame:
    """Sweep each parameter across its prior's central interval.

    Parameters
    ----------
    scenario : Scenario
    output : str or list of str, optional
        Outcome ids (their probability), attribute ids (their expected
        value) or ``"utility:STAKEHOLDER"`` (that stakeholder's expected
        utility); default: every outcome.
    parameters : iterable of str, optional
        Keys as :func:`sensitivity_parameters` lists them; default: all.
    interval : float
        Central probability of the interval swept, 0.9 for 5%-95%.
    n_points : int
        Evenly spaced values per parameter, ends included.
    include_mean : bool
        Also evaluate each parameter at its prior mean.
    given : mapping, optional
        Condition every result on these phases' branches (Bayes' rule).
    decision_maker : str, optional
        Without it, decisions take their assumed options. With a
        stakeholder id, that stakeholder's decisions take their optimal
        options at every swept value (:func:`analysis.rollback`,
        re-solved for each value; other decisions keep their assumed
        options), so the results are piecewise linear in the value and
        bend where the optimal policy switches.

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``label``, ``mean`` (the parameter's prior
        mean), ``value``, ``output``,
        ``output_label``, ``colour`` (an outcome's colour, grey for an
        attribute or a utility), ``result`` and ``base`` (the result at the priors'
        means); ``attrs`` holds ``scenario``, ``interval``, ``given`` and
        ``decision_maker``.
    """
    if n_points < 2:
        raise QueryError(f"n_points == {n_points}, expected at least 2")
    if decision_maker is not None:
        _check_decision_maker(scenario, decision_maker)
    outputs = _outputs(scenario, output)
    weights = np.column_stack([w for *_, w in outputs])
    base = _results(scenario, scenario.tree.mean_theta()[None, :], weights, given,
                    decision_maker)[0]
    frames = []
    for parameter in _parameters(scenario, parameters, interval):
        values = np.linspace(parameter.low, parameter.high, n_points)
        mean = scenario.tree.sets[parameter.set_number].means()[parameter.branch_number]
        if include_mean:
            values = np.unique(np.append(values, mean))
        results = _results(scenario, _sweep_theta(scenario, parameter, values), weights, given,
                           decision_maker)
        frames.append(pd.DataFrame({
            "parameter": parameter.key,
            "label": _label(scenario, parameter),
            "mean": mean,
            "value": np.repeat(values, len(outputs)),
            "output": [name for _ in values for name, *_ in outputs],
            "output_label": [label for _ in values for _, label, *_ in outputs],
            "colour": [colour for _ in values for _, _, colour, _ in outputs],
            "result": results.ravel(),
            "base": np.tile(base, len(values)),
        }))
    columns = ["parameter", "label", "mean", "value", "output", "output_label", "colour",
               "result", "base"]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    frame.attrs = {"scenario": scenario.id, "interval": interval, "given": dict(given or {}),
                   "decision_maker": decision_maker}
    return frame


def _results(scenario: Scenario, theta: np.ndarray, weights: np.ndarray,
             given: Given, decision_maker: str | None = None) -> np.ndarray:
    """Return the outputs for each row of ``theta``, conditional on ``given``.

    With ``decision_maker``, path probabilities follow that stakeholder's
    optimal policy for each row (the policy is solved before conditioning).
    """
    if decision_maker is None:
        probabilities = scenario.tree.path_probabilities(theta)
    else:
        probabilities = _policy_probabilities(scenario, theta, decision_maker)
    holds = _condition(scenario, given)[1]
    totals = probabilities[:, holds].sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise QueryError("given: the condition has probability 0 at some swept value")
    return (probabilities * holds / totals) @ weights


def tornado_table(scenario: Scenario, output: str, *, interval: float = 0.9,
                  given: Given = None, decision_maker: str | None = None) -> pd.DataFrame:
    """Return each parameter's swing of ``output``, largest first.

    Columns: ``parameter``, ``label``, ``low``, ``high`` (the interval's
    ends), ``result_low``, ``result_high`` (the output there), ``base`` and
    ``swing`` (``|result_high - result_low|``). ``output`` and
    ``decision_maker`` are as in :func:`one_way_sensitivity` (with a
    decision maker the result may bend inside the interval; the table
    shows its ends); ``attrs`` adds ``output``, ``output_label`` and ``unit``.
    """
    if not isinstance(output, str):
        raise QueryError(f"output == {output!r}, expected one outcome or attribute id")
    sweep = one_way_sensitivity(scenario, output, interval=interval, n_points=2, given=given,
                                decision_maker=decision_maker)
    ends = sweep.groupby("parameter", sort=False).agg(
        label=("label", "first"), low=("value", "first"), high=("value", "last"),
        result_low=("result", "first"), result_high=("result", "last"), base=("base", "first"))
    ends["swing"] = (ends["result_high"] - ends["result_low"]).abs()
    table = ends.sort_values("swing", ascending=False, kind="stable").reset_index()
    table.attrs = {**sweep.attrs, "output": output,
                   "output_label": _outputs(scenario, output)[0][1],
                   "unit": output_unit(scenario, output)}
    return table


def most_influential(scenario: Scenario, count: int = 4, *, interval: float = 0.9,
                     given: Given = None) -> list[str]:
    """Return the ``count`` parameters that move some outcome's probability most.

    Each parameter is ranked by its largest swing, over all outcomes, across
    its prior's central interval.
    """
    sweep = one_way_sensitivity(scenario, interval=interval, n_points=2, given=given)
    ends = sweep.groupby(["parameter", "output"], sort=False)["result"]
    swing = (ends.last() - ends.first()).abs().groupby("parameter", sort=False).max()
    return list(swing.sort_values(ascending=False, kind="stable").index[:count])


# ------------------------------------------------------------ two-way and thresholds


def _set_branches(scenario: Scenario, theta: np.ndarray, set_number: int,
                  fixed: dict[int, np.ndarray]) -> None:
    """Set some branches of one set, row by row; the others share the rest in proportion.

    Rows whose fixed values sum above 1 become NaN (no such probabilities exist).
    """
    tree = scenario.tree
    start = int(tree.offsets[set_number])
    size = len(tree.sets[set_number].branches)
    others = np.array([b not in fixed for b in range(size)])
    total = np.sum(list(fixed.values()), axis=0)
    means = tree.sets[set_number].means()
    rest = means[others].sum()
    share = means[others] / rest if rest > 0 else np.full(others.sum(), 1 / others.sum())
    block = theta[:, start:start + size]
    block[:, others] = np.clip(1 - total, 0, None)[:, None] * share
    for b, values in fixed.items():
        block[:, b] = values
    theta[total > 1 + 1e-12] = np.nan


def _node_names(scenario: Scenario, decision_maker: str) -> dict[int, str]:
    """Name each node of the decision maker by the last step of its information state."""
    engine = _engine(scenario)
    phases = scenario.model.phases
    names = {}
    for node in engine.nodes:
        if node.owner != decision_maker:
            continue
        steps = [(j, b) for j, b in enumerate(node.prefix) if b >= 0]
        if not steps:
            names[node.number] = ""
            continue
        j, b = steps[-1]
        branch = list(phases[j].branches)[b]
        names[node.number] = (f"{display_label(phases[j].id, phases[j].label)}: "
                              f"{display_label(branch, phases[j].branches[branch].label)}")
    return names


def _policies(scenario: Scenario, theta: np.ndarray, decision_maker: str) -> list[str]:
    """Describe the decision maker's optimal policy for each row of ``theta``."""
    engine = _engine(scenario)
    chosen = engine.solve(engine.edges(theta),
                          engine.choosers(decision_maker, "assumed")).chosen
    names = _node_names(scenario, decision_maker)
    phases = scenario.model.phases
    texts = []
    for row in chosen:
        parts = []
        for node in engine.nodes:
            if node.number not in names:
                continue
            phase = phases[node.phase]
            option = node.option_ids[row[node.number]]
            label = display_label(option, phase.branches[option].label)
            parts.append(f"{names[node.number]} → {label}" if names[node.number] else label)
        texts.append("; ".join(parts))
    return texts


def two_way_sensitivity(
    scenario: Scenario,
    output: str,
    x: str,
    y: str,
    n_points: int = 21,
    *,
    interval: float = 0.9,
    given: Given = None,
    decision_maker: str | None = None,
) -> pd.DataFrame:
    """Sweep two parameters together over a grid of their central intervals.

    Every other probability set stays at its mean. Each parameter's
    siblings share the rest of its set in proportion, as in
    :func:`one_way_sensitivity`; when ``x`` and ``y`` are branches of the
    same set, both are set and the set's other branches share what is left
    (grid points where ``x + y > 1`` have no result: NaN).

    Parameters
    ----------
    scenario : Scenario
    output : str
        An outcome id, an attribute id or ``"utility:STAKEHOLDER"``.
    x, y : str
        Parameter keys, as :func:`sensitivity_parameters` lists them.
    n_points : int
        Grid points per parameter, ends included.
    interval : float
        Central probability of each parameter's interval, 0.9 for 5%-95%.
    given : mapping, optional
        Condition the results on these phases' branches.
    decision_maker : str, optional
        Solve that stakeholder's decisions at every grid point (see
        :func:`one_way_sensitivity`); adds a ``policy`` column.

    Returns
    -------
    DataFrame
        One row per grid point: ``x_parameter``, ``x_label``,
        ``y_parameter``, ``y_label``, ``x_value``, ``y_value``, ``output``,
        ``output_label``, ``result`` (and ``policy``, the optimal options in
        words, with a decision maker). ``attrs``: ``scenario``, ``output``,
        ``output_label``, ``unit``, ``interval``, ``given``,
        ``decision_maker``, ``base`` (the result at the priors' means),
        ``x_mean`` and ``y_mean``.

    Raises
    ------
    QueryError
        For an unknown output or parameter, ``x == y``, the two branches of
        a two-branch set, or ``n_points < 2``.
    """
    if not isinstance(output, str):
        raise QueryError(f"output == {output!r}, expected one outcome, attribute or utility")
    if n_points < 2:
        raise QueryError(f"n_points == {n_points}, expected at least 2")
    if x == y:
        raise QueryError(f"x and y are both {x!r}, expected two different parameters")
    if decision_maker is not None:
        _check_decision_maker(scenario, decision_maker)
    tree = scenario.tree
    px, py = _parameters(scenario, [x, y], interval)
    same = px.set_number == py.set_number
    if same and len(tree.sets[px.set_number].branches) == 2:
        raise QueryError(f"{x!r} and {y!r} are the two branches of one set: they always sum "
                         "to 1, so they cannot vary separately")
    [(name, label, _, weights)] = _outputs(scenario, output)
    xs = np.linspace(px.low, px.high, n_points)
    ys = np.linspace(py.low, py.high, n_points)
    grid_x, grid_y = (g.ravel() for g in np.meshgrid(xs, ys, indexing="ij"))
    theta = np.tile(tree.mean_theta(), (len(grid_x), 1))
    if same:
        _set_branches(scenario, theta, px.set_number,
                      {px.branch_number: grid_x, py.branch_number: grid_y})
    else:
        _set_branches(scenario, theta, px.set_number, {px.branch_number: grid_x})
        _set_branches(scenario, theta, py.set_number, {py.branch_number: grid_y})
    valid = ~np.isnan(theta).any(axis=1)
    results = np.full(len(grid_x), np.nan)
    results[valid] = _results(scenario, theta[valid], weights[:, None], given,
                              decision_maker)[:, 0]
    frame = pd.DataFrame({
        "x_parameter": x, "x_label": _label(scenario, px),
        "y_parameter": y, "y_label": _label(scenario, py),
        "x_value": grid_x, "y_value": grid_y, "output": name, "output_label": label,
        "result": results,
    })
    if decision_maker is not None:
        policy = np.full(len(grid_x), "", dtype=object)
        policy[valid] = _policies(scenario, theta[valid], decision_maker)
        frame["policy"] = policy
    base = _results(scenario, tree.mean_theta()[None, :], weights[:, None], given,
                    decision_maker)[0, 0]
    frame.attrs = {
        "scenario": scenario.id, "output": name, "output_label": label,
        "unit": output_unit(scenario, name), "interval": interval,
        "given": dict(given or {}), "decision_maker": decision_maker, "base": float(base),
        "x_mean": float(tree.sets[px.set_number].means()[px.branch_number]),
        "y_mean": float(tree.sets[py.set_number].means()[py.branch_number]),
    }
    return frame


_THRESHOLD_COLUMNS = ["parameter", "label", "kind", "output", "level", "decision_maker",
                      "node", "information", "from_option", "to_option", "threshold", "low",
                      "high", "mean", "interval_low", "interval_high", "in_interval", "note"]


def find_threshold(
    scenario: Scenario,
    parameter: str,
    *,
    output: str | None = None,
    level: float | None = None,
    decision_maker: str | None = None,
    given: Given = None,
    bounds: tuple[float, float] = (0.0, 1.0),
    interval: float = 0.9,
    n_grid: int = 201,
) -> pd.DataFrame:
    """Find where an output crosses a level, or where the optimal option switches.

    Two questions, by the keywords given:

    - ``output`` and ``level``: the values of ``parameter`` at which
      ``output`` equals ``level`` (with ``decision_maker``, under that
      stakeholder's optimal policy at each value);
    - ``decision_maker`` alone: the values at which the decision maker's
      optimal option changes at some decision node.

    The parameter moves as in :func:`one_way_sensitivity` (siblings
    rescaled, every other set at its mean). Crossings are bracketed on a
    grid of ``n_grid`` points over ``bounds`` and then found by Brent's
    method (:func:`scipy.optimize.brentq`, to 1e-12) on the exact function:
    an output is linear (or, with ``given``, linear-fractional) in the
    parameter, an option's expected utility piecewise linear. Two crossings
    closer than a grid step may be missed.

    Parameters
    ----------
    scenario : Scenario
    parameter : str
        A key as :func:`sensitivity_parameters` lists it.
    output : str, optional
        An outcome id, an attribute id or ``"utility:STAKEHOLDER"``.
    level : float, optional
        The level ``output`` is to cross; required with ``output``.
    decision_maker : str, optional
        A stakeholder taking decisions.
    given : mapping, optional
        Condition the output on these phases' branches.
    bounds : (float, float)
        The range searched, within [0, 1]; default: all of it.
    interval : float
        The prior's central interval reported beside each threshold.
    n_grid : int
        Grid points that bracket the crossings.

    Returns
    -------
    DataFrame
        One row per crossing, in increasing order of the parameter:
        ``parameter``, ``label``, ``kind`` (``"level"`` or ``"switch"``),
        ``output``, ``level``, ``decision_maker``, ``node`` and
        ``information`` (the decision node, for a switch), ``from_option``
        and ``to_option`` (the optimal option below and above the
        threshold), ``threshold``, ``low`` and ``high`` (the range
        searched), ``mean`` (the prior mean), ``interval_low``,
        ``interval_high``, ``in_interval`` and ``note``. With no crossing,
        a single row whose ``threshold`` is NaN and whose ``note`` says
        "no crossing in [low, high]".

    Raises
    ------
    QueryError
        For an unknown parameter, output or stakeholder, a missing
        ``level``, neither ``output`` nor ``decision_maker``, or bad bounds.
    """
    from scipy.optimize import brentq  # slow to import; only needed here

    [p] = _parameters(scenario, [parameter], interval)
    low, high = (float(v) for v in bounds)
    if not 0 <= low < high <= 1:
        raise QueryError(f"bounds == {bounds!r}, expected (low, high) with 0 <= low < high <= 1")
    if n_grid < 3:
        raise QueryError(f"n_grid == {n_grid}, expected at least 3")
    if decision_maker is not None:
        _check_decision_maker(scenario, decision_maker)
    if output is None and decision_maker is None:
        raise QueryError("find_threshold needs output= and level= (where an output crosses a "
                         "level) or decision_maker= (where the optimal option switches)")
    if output is not None and level is None:
        raise QueryError(f"output == {output!r} needs level=, the value it is to cross")
    mean = float(scenario.tree.sets[p.set_number].means()[p.branch_number])
    common = {"parameter": parameter, "label": _label(scenario, p), "output": output,
              "level": level, "decision_maker": decision_maker, "low": low, "high": high,
              "mean": mean, "interval_low": p.low, "interval_high": p.high}
    grid = np.linspace(low, high, n_grid)
    rows: list[dict] = []

    if output is not None:
        [(_, _, _, weights)] = _outputs(scenario, output)

        def gap(values: np.ndarray) -> np.ndarray:
            theta = _sweep_theta(scenario, p, np.atleast_1d(values))
            return _results(scenario, theta, weights[:, None], given, decision_maker)[:, 0] - level

        values = gap(grid)
        roots = _roots(lambda v: float(gap(np.array([v]))[0]), grid, values, brentq)
        for root in roots:
            span = 1e-7 * (high - low)
            jump = abs(float(gap(np.array([min(high, root + span)]))[0])
                       - float(gap(np.array([max(low, root - span)]))[0])) > 1e-6 * (
                           1 + abs(level))
            rows.append({**common, "kind": "level", "node": None, "information": None,
                         "from_option": None, "to_option": None, "threshold": root,
                         "note": ("the output jumps across the level where the optimal policy "
                                  "switches" if jump else "")})
        if not rows:
            rows.append({**common, "kind": "level", "node": None, "information": None,
                         "from_option": None, "to_option": None, "threshold": np.nan,
                         "note": f"no crossing of {level:g} in [{low:g}, {high:g}]: {output} "
                                 f"stays between {values.min() + level:.6g} and "
                                 f"{values.max() + level:.6g}"})
    else:
        engine = _engine(scenario)
        choosers = engine.choosers(decision_maker, "assumed")
        dm_row = engine.stakeholders.index(decision_maker)
        tolerance = TIE_TOLERANCE * max(1.0, float(np.abs(engine.utilities[dm_row]).max()))
        mine = [node for node in engine.nodes if node.owner == decision_maker]

        def solve(values: np.ndarray, report: bool = False):
            theta = _sweep_theta(scenario, p, np.atleast_1d(values))
            return engine.solve(engine.edges(theta), choosers, report=report)

        chosen = solve(grid).chosen
        for node in mine:
            def option_value(v: float, option: int, node=node) -> float:
                return float(solve(np.array([v]), report=True).values[node.number][0, dm_row,
                                                                                    option])

            column = chosen[:, node.number]
            for i in np.flatnonzero(column[1:] != column[:-1]):
                a, b = int(column[i]), int(column[i + 1])

                def difference(v: float, a=a, b=b) -> float:
                    return option_value(v, a) - option_value(v, b)

                root = _bracketed_root(difference, grid[i], grid[i + 1], brentq, tolerance)
                phase = scenario.model.phases[node.phase]
                rows.append({**common, "kind": "switch", "node": node.number,
                             "information": engine.information(node),
                             "from_option": node.option_ids[a], "to_option": node.option_ids[b],
                             "threshold": root,
                             "note": f"{display_label(phase.id, phase.label)}: "
                                     f"{node.option_ids[a]} -> {node.option_ids[b]}"})
        if not rows:
            rows.append({**common, "kind": "switch", "node": None, "information": None,
                         "from_option": None, "to_option": None, "threshold": np.nan,
                         "note": f"no switch of {decision_maker}'s optimal options in "
                                 f"[{low:g}, {high:g}]"})
    frame = pd.DataFrame(rows)
    frame["in_interval"] = (frame["threshold"] >= p.low) & (frame["threshold"] <= p.high)
    frame = frame.sort_values("threshold", kind="stable", na_position="last")
    frame = frame.reset_index(drop=True)[_THRESHOLD_COLUMNS]
    frame.attrs = {"scenario": scenario.id, "given": dict(given or {}), "interval": interval}
    return frame


def _bracketed_root(function, a: float, b: float, brentq, tolerance: float = 0.0) -> float:
    """Return a root of ``function`` in [a, b], whose ends differ in sign (or touch zero).

    Values within ``tolerance`` of 0 count as 0 (a tie at a grid point).
    """
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


def _roots(function, grid: np.ndarray, values: np.ndarray, brentq) -> list[float]:
    """Roots of ``function`` bracketed by sign changes of its ``values`` on ``grid``."""
    roots: list[float] = []
    for i, value in enumerate(values):
        if value == 0 and (not roots or abs(roots[-1] - grid[i]) > 1e-12):
            roots.append(float(grid[i]))
    for i in np.flatnonzero(values[1:] * values[:-1] < 0):
        roots.append(float(brentq(function, grid[i], grid[i + 1], xtol=1e-12, rtol=1e-12)))
    return sorted(roots)
