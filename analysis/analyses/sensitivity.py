"""One-way and two-way sensitivity of a scenario's results to its uncertain probabilities.

A parameter (:mod:`analysis.model.parameters`) is swept across its prior's
central interval while every other set stays at its mean; its siblings keep
their proportions and share the rest. Each path uses a set at most once, so
an outcome's probability or an attribute's expectation is linear in the
swept value: the ends of the interval give the extremes that a tornado
diagram shows.

Outputs are outcome ids, attribute ids and ``"utility:STAKEHOLDER"``
(:mod:`analysis.model.outputs`). Decisions take their assumed options, unless
a ``decision_maker`` is given: that stakeholder's decisions are then re-solved
(:func:`analysis.rollback`) at every value, and results are piecewise linear.
Where an output crosses a level, or the optimal option switches, is
:mod:`analysis.analyses.thresholds`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..core.arguments import Given, check_count, check_interval, check_n_points
from ..core.errors import QueryError
from ..core.text import display_label
from ..engines.exact import given_mask
from ..engines.rollback import check_decision_maker, decision_engine, policy_probabilities
from ..model.outputs import resolve_outputs
from ..model.parameters import (
    parameter_label,
    set_branch_values,
    sweep_theta,
    uncertain_parameters,
)
from ..model.scenario import Scenario

__all__ = [
    "most_influential",
    "one_way_sensitivity",
    "output_results",
    "policy_descriptions",
    "sensitivity_parameters",
    "tornado_table",
    "two_way_sensitivity",
]


def sensitivity_parameters(scenario: Scenario, *, interval: float = 0.9) -> pd.DataFrame:
    """Return every uncertain branch probability and its central interval.

    Columns: ``parameter`` (the key), ``phase``, ``branch``, ``label``,
    ``mean``, ``low``, ``high``. Fixed probabilities are not uncertain and are
    left out, as is the branch that takes the rest beside a Beta prior (it
    mirrors the other one).
    """
    sets = scenario.tree.sets
    frame = pd.DataFrame([
        {"parameter": p.key, "phase": sets[p.set_number].phase,
         "branch": sets[p.set_number].branches[p.branch_number],
         "label": parameter_label(scenario, p), "mean": p.mean, "low": p.low, "high": p.high}
        for p in uncertain_parameters(scenario, interval=interval)
    ], columns=["parameter", "phase", "branch", "label", "mean", "low", "high"])
    frame.attrs = {**scenario.metadata(), "interval": interval}
    return frame


def output_results(scenario: Scenario, theta: np.ndarray, weights: np.ndarray,
                   given: Given = None, decision_maker: str | None = None) -> np.ndarray:
    """Return the outputs (columns of ``weights``) for each row of ``theta``, given ``given``.

    With ``decision_maker``, path probabilities follow that stakeholder's
    optimal policy for each row (the policy is solved before conditioning).

    Raises
    ------
    QueryError
        If ``given`` has probability 0 in some row.
    """
    if decision_maker is None:
        probabilities = scenario.tree.path_probabilities(theta)
    else:
        probabilities = policy_probabilities(scenario, theta, decision_maker)
    holds = given_mask(scenario, given)
    totals = probabilities[:, holds].sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise QueryError("given: the condition has probability 0 at some swept value")
    return (probabilities * holds / totals) @ weights


def _check_options(scenario: Scenario, decision_maker: str | None) -> None:
    if decision_maker is not None:
        check_decision_maker(scenario, decision_maker)


def one_way_sensitivity(
    scenario: Scenario,
    *,
    output: str | Sequence[str] | None = None,
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
        options at every swept value (re-solved for each value; other
        decisions keep their assumed options), so the results are piecewise
        linear in the value and bend where the optimal policy switches.

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``label``, ``mean`` (the parameter's prior
        mean), ``value``, ``output``, ``output_label``, ``colour`` (an
        outcome's colour, grey for an attribute or a utility), ``result``
        and ``base`` (the result at the priors' means); ``attrs`` holds
        ``scenario``, ``changes``, ``interval``, ``given`` and ``decision_maker``.
    """
    n_points = check_n_points(n_points)
    interval = check_interval(interval)
    _check_options(scenario, decision_maker)
    outputs = resolve_outputs(scenario, output)
    weights = np.column_stack([o.weights for o in outputs])
    tree = scenario.tree
    base = output_results(scenario, tree.mean_theta()[None, :], weights, given,
                          decision_maker)[0]
    frames = []
    for parameter in uncertain_parameters(scenario, parameters, interval=interval):
        values = np.linspace(parameter.low, parameter.high, n_points)
        if include_mean:
            values = np.unique(np.append(values, parameter.mean))
        results = output_results(scenario, sweep_theta(tree, parameter, values), weights, given,
                                 decision_maker)
        frames.append(pd.DataFrame({
            "parameter": parameter.key,
            "label": parameter_label(scenario, parameter),
            "mean": parameter.mean,
            "value": np.repeat(values, len(outputs)),
            "output": [o.name for _ in values for o in outputs],
            "output_label": [o.label for _ in values for o in outputs],
            "colour": [o.colour for _ in values for o in outputs],
            "result": results.ravel(),
            "base": np.tile(base, len(values)),
        }))
    columns = ["parameter", "label", "mean", "value", "output", "output_label", "colour",
               "result", "base"]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    frame.attrs = {**scenario.metadata(), "interval": interval, "given": dict(given or {}),
                   "decision_maker": decision_maker}
    return frame


def tornado_table(scenario: Scenario, *, output: str, interval: float = 0.9,
                  given: Given = None, decision_maker: str | None = None) -> pd.DataFrame:
    """Return each parameter's swing of ``output``, largest first.

    Columns: ``parameter``, ``label``, ``low``, ``high`` (the interval's
    ends), ``result_low``, ``result_high`` (the output there), ``base`` and
    ``swing`` (``|result_high - result_low|``). ``output`` and
    ``decision_maker`` are as in :func:`one_way_sensitivity` (with a
    decision maker the result may bend inside the interval; the table
    shows its ends); ``attrs`` adds ``output``, ``output_label``, ``unit`` and ``base``
    (the output at the priors' means, also when no prior is uncertain).
    """
    if not isinstance(output, str):
        raise QueryError(f"output == {output!r}, expected one outcome, attribute or utility")
    [resolved] = resolve_outputs(scenario, output)
    sweep = one_way_sensitivity(scenario, output=output, interval=interval, n_points=2,
                                given=given, decision_maker=decision_maker)
    ends = sweep.groupby("parameter", sort=False).agg(
        label=("label", "first"), low=("value", "first"), high=("value", "last"),
        result_low=("result", "first"), result_high=("result", "last"), base=("base", "first"))
    ends["swing"] = (ends["result_high"] - ends["result_low"]).abs()
    table = ends.sort_values("swing", ascending=False, kind="stable").reset_index()
    base = output_results(scenario, scenario.tree.mean_theta()[None, :],
                          resolved.weights[:, None], given, decision_maker)[0, 0]
    table.attrs = {**sweep.attrs, "output": output, "output_label": resolved.label,
                   "unit": resolved.unit, "base": float(base)}
    return table


def most_influential(scenario: Scenario, *, top: int = 4, interval: float = 0.9,
                     given: Given = None) -> list[str]:
    """Return the ``top`` parameters that move some outcome's probability most.

    Each parameter is ranked by its largest swing, over all outcomes, across
    its prior's central interval.
    """
    top = check_count(top, "top")
    sweep = one_way_sensitivity(scenario, interval=interval, n_points=2, given=given)
    ends = sweep.groupby(["parameter", "output"], sort=False)["result"]
    swing = (ends.last() - ends.first()).abs().groupby("parameter", sort=False).max()
    return list(swing.sort_values(ascending=False, kind="stable").index[:top])


def _node_names(scenario: Scenario, decision_maker: str) -> dict[int, str]:
    """Name each node of the decision maker by the last step of its information state."""
    engine = decision_engine(scenario)
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


def policy_descriptions(scenario: Scenario, theta: np.ndarray, decision_maker: str
                        ) -> list[str]:
    """Describe the decision maker's optimal policy for each row of ``theta``, in words."""
    engine = decision_engine(scenario)
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
    *,
    output: str,
    x: str,
    y: str,
    n_points: int = 21,
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
        words, with a decision maker). ``attrs``: ``scenario``, ``changes``,
        ``output``, ``output_label``, ``unit``, ``interval``, ``given``,
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
    n_points = check_n_points(n_points)
    if x == y:
        raise QueryError(f"x and y are both {x!r}, expected two different parameters")
    _check_options(scenario, decision_maker)
    tree = scenario.tree
    px, py = uncertain_parameters(scenario, [x, y], interval=interval)
    same = px.set_number == py.set_number
    if same and len(tree.sets[px.set_number].branches) == 2:
        raise QueryError(f"{x!r} and {y!r} are the two branches of one set: they always sum "
                         "to 1, so they cannot vary separately")
    [resolved] = resolve_outputs(scenario, output)
    xs = np.linspace(px.low, px.high, n_points)
    ys = np.linspace(py.low, py.high, n_points)
    grid_x, grid_y = (g.ravel() for g in np.meshgrid(xs, ys, indexing="ij"))
    theta = np.tile(tree.mean_theta(), (len(grid_x), 1))
    if same:
        set_branch_values(tree, theta, px.set_number,
                          {px.branch_number: grid_x, py.branch_number: grid_y})
    else:
        set_branch_values(tree, theta, px.set_number, {px.branch_number: grid_x})
        set_branch_values(tree, theta, py.set_number, {py.branch_number: grid_y})
    valid = ~np.isnan(theta).any(axis=1)
    weights = resolved.weights[:, None]
    results = np.full(len(grid_x), np.nan)
    results[valid] = output_results(scenario, theta[valid], weights, given, decision_maker)[:, 0]
    frame = pd.DataFrame({
        "x_parameter": x, "x_label": parameter_label(scenario, px),
        "y_parameter": y, "y_label": parameter_label(scenario, py),
        "x_value": grid_x, "y_value": grid_y, "output": resolved.name,
        "output_label": resolved.label, "result": results,
    })
    if decision_maker is not None:
        policy = np.full(len(grid_x), "", dtype=object)
        policy[valid] = policy_descriptions(scenario, theta[valid], decision_maker)
        frame["policy"] = policy
    base = output_results(scenario, tree.mean_theta()[None, :], weights, given,
                          decision_maker)[0, 0]
    frame.attrs = {
        **scenario.metadata(), "output": resolved.name, "output_label": resolved.label,
        "unit": resolved.unit, "interval": interval, "given": dict(given or {}),
        "decision_maker": decision_maker, "base": float(base),
        "x_mean": px.mean, "y_mean": py.mean,
    }
    return frame
