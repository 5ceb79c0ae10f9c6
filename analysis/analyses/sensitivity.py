"""One-way, two-way and spider sensitivity of a scenario's results to its parameters.

A parameter (:mod:`analysis.model.parameters`) is a branch probability or a
named parameter (a probability, a payoff, a cost...). It is swept across its
prior's central interval, or across an explicit range (``ranges=``, or
``sensitivity:`` in the file: how a fixed value is swept), while every
other parameter stays at its base value; a branch probability's siblings
keep their proportions and share the rest. With branch probabilities alone
an outcome's probability or an attribute's expectation is linear in the
swept value; formulas may bend it.

Outputs are outcome ids, attribute ids and ``"utility:STAKEHOLDER"``
(:mod:`analysis.model.outputs`). Decisions take their assumed options, unless
a ``decision_maker`` is given; then ``policy`` says what their decisions do
at each value, and every table says it in ``attrs["policy"]``:
``"optimal"`` re-solves them (:func:`analysis.rollback`, under ``rule``) at
every value, so results are piecewise and bend where the policy switches;
``"fixed"`` holds the policy that is optimal at the base case (as
SilverDecisions's tornado and spider plots do). Where an output crosses a
level, or the optimal option switches, is :mod:`analysis.analyses.thresholds`.
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
from ..engines.rules import resolve_rule
from ..model.outputs import resolve_outputs
from ..model.parameters import (
    Ranges,
    all_parameters,
    parameter_label,
    set_branch_values,
    set_parameter,
    sweep_theta,
    uncertain_parameters,
)
from ..model.scenario import Scenario

__all__ = [
    "POLICIES",
    "base_policy",
    "check_policy",
    "most_influential",
    "one_way_sensitivity",
    "output_results",
    "policy_descriptions",
    "policy_words",
    "sensitivity_parameters",
    "spider_table",
    "tornado_table",
    "two_way_sensitivity",
]

#: What a decision maker's decisions do while a parameter moves.
POLICIES = ("optimal", "fixed")


def check_policy(policy: object) -> str:
    """Return ``policy`` if it is ``"optimal"`` or ``"fixed"``."""
    if policy not in POLICIES:
        raise QueryError(f"policy == {policy!r}, expected 'optimal' (re-optimised at every "
                         "value) or 'fixed' (the base-case optimal policy held fixed)")
    return str(policy)


def policy_words(decision_maker: str | None, policy: str) -> str:
    """Say what decisions do during a sweep, for ``attrs["policy"]`` and chart titles."""
    if decision_maker is None:
        return "decisions at their assumed options"
    if policy == "fixed":
        return f"{decision_maker}'s base-case optimal policy held fixed"
    return f"{decision_maker}'s policy re-optimised at every value"


def base_policy(scenario: Scenario, decision_maker: str, rule=None) -> np.ndarray:
    """Return the options chosen at every node at the base case (one row), under ``rule``."""
    engine = decision_engine(scenario)
    resolved = resolve_rule(rule, scenario.model.decision_rule, engine.stakeholders)
    edges, utilities = engine.prepare(scenario.tree.mean_theta())
    return engine.solve(edges, engine.choosers(decision_maker, "assumed"),
                        utilities=utilities, rule=resolved).chosen


def sensitivity_parameters(scenario: Scenario, *, interval: float = 0.9,
                           ranges: Ranges = None) -> pd.DataFrame:
    """Return every parameter one-way sensitivity sweeps, and its range.

    Columns: ``parameter`` (the key), ``phase``, ``branch`` (empty for a
    named parameter), ``label``, ``mean`` (the base value), ``low``,
    ``high``, ``kind`` (``probability`` or ``parameter``) and ``uncertain``.
    Listed: every uncertain branch probability and named parameter, and the
    fixed ones with a range (``ranges``, or ``sensitivity:`` in the file);
    the branch that takes the rest beside a Beta prior mirrors the other one
    and is left out.
    """
    sets = scenario.tree.sets
    frame = pd.DataFrame([
        {"parameter": p.key, "phase": "" if p.named else sets[p.set_number].phase,
         "branch": "" if p.named else sets[p.set_number].branches[p.branch_number],
         "label": parameter_label(scenario, p), "mean": p.mean, "low": p.low, "high": p.high,
         "kind": "parameter" if p.named else "probability", "uncertain": p.uncertain}
        for p in uncertain_parameters(scenario, interval=interval, ranges=ranges)
    ], columns=["parameter", "phase", "branch", "label", "mean", "low", "high", "kind",
                "uncertain"])
    frame.attrs = {**scenario.metadata(), "interval": interval}
    return frame


def output_results(scenario: Scenario, theta: np.ndarray, weights,
                   given: Given = None, decision_maker: str | None = None, *,
                   policy: str = "optimal", rule=None,
                   fixed: np.ndarray | None = None) -> np.ndarray:
    """Return the outputs for each row of ``theta``, given ``given``.

    ``weights`` is a list of :class:`~analysis.model.outputs.Output` (their
    weights may vary with the parameters), or an array ``(n_paths, k)`` of
    fixed weights. With ``decision_maker``, path probabilities follow that
    stakeholder's policy: optimal for each row under ``rule`` (the policy is
    solved before conditioning), or with ``policy="fixed"`` the options
    ``fixed`` (default: the base-case optimum).

    Raises
    ------
    QueryError
        If ``given`` has probability 0 in some row, or a formula fails.
    """
    tree = scenario.tree
    theta = tree.derive(np.array(theta, dtype=float, ndmin=2))
    if decision_maker is None:
        probabilities = tree.path_probabilities(theta)
    else:
        if policy == "fixed" and fixed is None:
            fixed = base_policy(scenario, decision_maker, rule)
        resolved = resolve_rule(rule, scenario.model.decision_rule,
                                decision_engine(scenario).stakeholders)
        probabilities = policy_probabilities(scenario, theta, decision_maker, rule=resolved,
                                             fixed=fixed if policy == "fixed" else None)
        if tree.likelihood is not None:
            joint = probabilities * tree.likelihood
            probabilities = joint / np.where(joint.sum(axis=1, keepdims=True) > 0,
                                             joint.sum(axis=1, keepdims=True), 1.0)
    holds = given_mask(scenario, given)
    totals = probabilities[:, holds].sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise QueryError("given: the condition has probability 0 at some swept value")
    conditional = probabilities * holds / totals
    if isinstance(weights, np.ndarray):
        return conditional @ weights
    return np.column_stack([(conditional * o.row_weights(theta)).sum(axis=1)
                            for o in weights])


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
    ranges: Ranges = None,
    policy: str = "optimal",
    rule=None,
) -> pd.DataFrame:
    """Sweep each parameter across its range (default: its prior's central interval).

    Parameters
    ----------
    scenario : Scenario
    output : str or list of str, optional
        Outcome ids (their probability), attribute ids (their expected
        value) or ``"utility:STAKEHOLDER"`` (that stakeholder's expected
        utility); default: every outcome.
    parameters : iterable of str, optional
        Keys as :func:`sensitivity_parameters` lists them (branch
        probabilities ``"phase.branch"`` and named parameters); default: all.
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
    ranges : mapping, optional
        Parameter key -> ``(low, high)``: the range swept instead of the
        prior's interval (a fixed parameter needs one unless the file gives it).
    policy : {"optimal", "fixed"}
        With a ``decision_maker``: re-optimise their decisions at every value,
        or hold the base-case optimal policy fixed.
    rule : str or mapping, optional
        The decision rule (see :func:`analysis.rollback`).

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``label``, ``mean`` (the parameter's base
        value), ``value``, ``output``, ``output_label``, ``colour`` (an
        outcome's colour, grey for an attribute or a utility), ``result``
        and ``base`` (the result at the base case); ``attrs`` holds
        ``scenario``, ``changes``, ``interval``, ``given``, ``decision_maker``,
        ``policy`` (in words) and ``rule``.
    """
    n_points = check_n_points(n_points)
    interval = check_interval(interval)
    policy = check_policy(policy)
    _check_options(scenario, decision_maker)
    outputs = resolve_outputs(scenario, output)
    tree = scenario.tree
    fixed = (base_policy(scenario, decision_maker, rule)
             if decision_maker is not None and policy == "fixed" else None)

    def evaluate(theta):
        return output_results(scenario, theta, outputs, given, decision_maker, policy=policy,
                              rule=rule, fixed=fixed)

    base = evaluate(tree.mean_theta()[None, :])[0]
    frames = []
    for parameter in uncertain_parameters(scenario, parameters, interval=interval,
                                          ranges=ranges):
        values = np.linspace(parameter.low, parameter.high, n_points)
        if include_mean:
            values = np.unique(np.append(values, parameter.mean))
        results = evaluate(_sweep(tree, parameter, values))
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
                   **scenario.decision_maker_attrs(decision_maker),
                   "policy": policy_words(decision_maker, policy),
                   "rule": _rule_words(scenario, decision_maker, rule)}
    return frame


def _rule_words(scenario: Scenario, decision_maker: str | None, rule) -> str | None:
    if decision_maker is None:
        return None
    return resolve_rule(rule, scenario.model.decision_rule,
                        decision_engine(scenario).stakeholders).describe()


def _sweep(tree, parameter, values: np.ndarray) -> np.ndarray:
    """Rows of theta for a sweep; a value with no valid siblings is refused."""
    theta = sweep_theta(tree, parameter, values)
    if np.isnan(theta).any():
        bad = values[np.isnan(theta).any(axis=1)][0]
        raise QueryError(f"{parameter.key} = {bad:g} leaves its siblings no probability, "
                         "expected a value in [0, 1]")
    return theta


def tornado_table(scenario: Scenario, *, output: str, interval: float = 0.9,
                  given: Given = None, decision_maker: str | None = None,
                  parameters: Iterable[str] | None = None, ranges: Ranges = None,
                  policy: str = "optimal", rule=None, n_points: int = 2) -> pd.DataFrame:
    """Return each parameter's swing of ``output``, largest first.

    Columns: ``parameter``, ``label``, ``low``, ``high`` (the range's
    ends), ``result_low``, ``result_high`` (the output there), ``base``,
    ``swing`` (``|result_high - result_low|``), and ``minimum`` and
    ``maximum`` (the output's extremes over the ``n_points`` values swept:
    with formulas or a re-optimised policy it may bend inside the range).
    ``output``, ``parameters``, ``ranges``, ``decision_maker``, ``policy``
    and ``rule`` are as in :func:`one_way_sensitivity`; ``attrs`` adds
    ``output``, ``output_label``, ``unit`` and ``base`` (the output at the
    base case, also when no parameter is uncertain).
    """
    if not isinstance(output, str):
        raise QueryError(f"output == {output!r}, expected one outcome, attribute or utility")
    [resolved] = resolve_outputs(scenario, output)
    sweep = one_way_sensitivity(scenario, output=output, interval=interval, n_points=n_points,
                                given=given, decision_maker=decision_maker,
                                parameters=parameters, ranges=ranges, policy=policy, rule=rule)
    ends = sweep.groupby("parameter", sort=False).agg(
        label=("label", "first"), low=("value", "first"), high=("value", "last"),
        result_low=("result", "first"), result_high=("result", "last"), base=("base", "first"),
        minimum=("result", "min"), maximum=("result", "max"))
    ends["swing"] = (ends["result_high"] - ends["result_low"]).abs()
    ends = ends[["label", "low", "high", "result_low", "result_high", "base", "swing",
                 "minimum", "maximum"]]
    table = ends.sort_values("swing", ascending=False, kind="stable").reset_index()
    base = output_results(scenario, scenario.tree.mean_theta()[None, :], [resolved], given,
                          decision_maker, policy=policy, rule=rule)[0, 0]
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


def policy_descriptions(scenario: Scenario, theta: np.ndarray, decision_maker: str, *,
                        rule=None, fixed: np.ndarray | None = None) -> list[str]:
    """Describe the decision maker's policy for each row of ``theta``, in words.

    The optimal policy under ``rule``, or ``fixed`` (one row of chosen options).
    """
    engine = decision_engine(scenario)
    if fixed is not None:
        chosen = np.broadcast_to(fixed, (np.atleast_2d(theta).shape[0], len(engine.nodes)))
    else:
        resolved = resolve_rule(rule, scenario.model.decision_rule, engine.stakeholders)
        edges, utilities = engine.prepare(theta)
        chosen = engine.solve(edges, engine.choosers(decision_maker, "assumed"),
                              utilities=utilities, rule=resolved).chosen
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
    ranges: Ranges = None,
    policy: str = "optimal",
    rule=None,
) -> pd.DataFrame:
    """Sweep two parameters together over a grid of their ranges.

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
    ranges, policy, rule
        As in :func:`one_way_sensitivity`.

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
    policy = check_policy(policy)
    tree = scenario.tree
    px, py = uncertain_parameters(scenario, [x, y], interval=interval, ranges=ranges)
    same = not px.named and px.set_number == py.set_number
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
        set_parameter(tree, theta, px, grid_x)
        set_parameter(tree, theta, py, grid_y)
    valid = ~np.isnan(theta).any(axis=1)
    fixed = (base_policy(scenario, decision_maker, rule)
             if decision_maker is not None and policy == "fixed" else None)

    def evaluate(rows):
        return output_results(scenario, rows, [resolved], given, decision_maker,
                              policy=policy, rule=rule, fixed=fixed)[:, 0]

    results = np.full(len(grid_x), np.nan)
    results[valid] = evaluate(theta[valid])
    frame = pd.DataFrame({
        "x_parameter": x, "x_label": parameter_label(scenario, px),
        "y_parameter": y, "y_label": parameter_label(scenario, py),
        "x_value": grid_x, "y_value": grid_y, "output": resolved.name,
        "output_label": resolved.label, "result": results,
    })
    if decision_maker is not None:
        described = np.full(len(grid_x), "", dtype=object)
        described[valid] = policy_descriptions(scenario, theta[valid], decision_maker,
                                               rule=rule, fixed=fixed)
        frame["policy"] = described
    base = evaluate(tree.mean_theta()[None, :])[0]
    frame.attrs = {
        **scenario.metadata(), "output": resolved.name, "output_label": resolved.label,
        "unit": resolved.unit, "interval": interval, "given": dict(given or {}),
        **scenario.decision_maker_attrs(decision_maker), "base": float(base),
        "x_mean": px.mean, "y_mean": py.mean,
        "policy": policy_words(decision_maker, policy),
        "rule": _rule_words(scenario, decision_maker, rule),
    }
    return frame


def spider_table(scenario: Scenario, *, output: str, change: float = 0.5, n_points: int = 11,
                 parameters: Iterable[str] | None = None, given: Given = None,
                 decision_maker: str | None = None, policy: str = "fixed",
                 rule=None) -> pd.DataFrame:
    """Move each parameter from ``-change`` to ``+change`` of its base value: a spider plot.

    Every parameter with a non-zero base value is moved by the same
    relative amounts (by default -50% to +50%, ``n_points`` values), the
    others at their base values; a probability is kept within [0, 1] (values
    outside are left out). As in SilverDecisions, a decision maker's policy
    is held at its base-case optimum by default (``policy="fixed"``).

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``label``, ``change`` (relative, e.g. -0.5),
        ``value``, ``result``, ``base``; ``attrs`` as
        :func:`one_way_sensitivity`'s, with ``output``, ``output_label``,
        ``unit`` and ``change``.
    """
    if not isinstance(output, str):
        raise QueryError(f"output == {output!r}, expected one outcome, attribute or utility")
    if isinstance(change, bool) or not isinstance(change, int | float) or not 0 < change:
        raise QueryError(f"change == {change!r}, expected a positive fraction such as 0.5")
    n_points = check_n_points(n_points, minimum=3)
    policy = check_policy(policy)
    _check_options(scenario, decision_maker)
    [resolved] = resolve_outputs(scenario, output)
    tree = scenario.tree
    fixed = (base_policy(scenario, decision_maker, rule)
             if decision_maker is not None and policy == "fixed" else None)

    def evaluate(rows):
        return output_results(scenario, rows, [resolved], given, decision_maker,
                              policy=policy, rule=rule, fixed=fixed)[:, 0]

    base = float(evaluate(tree.mean_theta()[None, :])[0])
    steps = np.linspace(-change, change, n_points)
    everything = _spider_parameters(scenario, parameters)
    rows = []
    for parameter in everything:
        values = parameter.mean * (1 + steps)
        keep = (values >= 0) & (values <= 1) if parameter.probability else np.ones(
            len(values), bool)
        if not keep.any() or parameter.mean == 0:
            continue
        results = evaluate(_sweep(tree, parameter, values[keep]))
        for step, value, result in zip(steps[keep], values[keep], results, strict=True):
            rows.append({"parameter": parameter.key, "label": parameter_label(scenario, parameter),
                         "change": float(step), "value": float(value), "result": float(result),
                         "base": base})
    frame = pd.DataFrame(rows, columns=["parameter", "label", "change", "value", "result",
                                        "base"])
    frame.attrs = {**scenario.metadata(), "output": resolved.name,
                   "output_label": resolved.label, "unit": resolved.unit, "change": change,
                   "given": dict(given or {}), "decision_maker": decision_maker,
                   "policy": policy_words(decision_maker, policy),
                   "rule": _rule_words(scenario, decision_maker, rule)}
    return frame


def _spider_parameters(scenario: Scenario, keys) -> list:
    """Every parameter (fixed ones included), or those named, with a wide range."""
    found = all_parameters(scenario)
    if keys is None:
        return [p for p in found.values() if p.mean != 0]
    keys = [keys] if isinstance(keys, str) else list(keys)
    for key in keys:
        if key not in found:
            uncertain_parameters(scenario, [key])  # raises the usual message
    return [found[key] for key in keys]
