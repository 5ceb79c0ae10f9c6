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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import QueryError
from .evaluate import Given, _condition
from .scenario import Scenario
from .schema import display_label
from .tree import ProbabilitySet
from .validation import did_you_mean

_ATTRIBUTE_COLOUR = "#7f7f7f"

__all__ = [
    "most_influential", "one_way_sensitivity", "sensitivity_parameters", "tornado_table",
]


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
    names = list(tree.outcomes) if output is None else (
        [output] if isinstance(output, str) else list(output))
    for name in names:
        if name not in table:
            raise QueryError(f"unknown output {name!r}{did_you_mean(name, table)}; expected an "
                             f"outcome or attribute: {', '.join(table)}")
    return [(name, *table[name]) for name in names]


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
) -> pd.DataFrame:
    """Sweep each parameter across its prior's central interval.

    Parameters
    ----------
    scenario : Scenario
    output : str or list of str, optional
        Outcome ids (their probability) or attribute ids (their expected
        value); default: every outcome.
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

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``label``, ``mean`` (the parameter's prior
        mean), ``value``, ``output``,
        ``output_label``, ``colour`` (an outcome's colour, grey for an
        attribute), ``result`` and ``base`` (the result at the priors'
        means); ``attrs`` holds ``scenario``, ``interval`` and ``given``.
    """
    if n_points < 2:
        raise QueryError(f"n_points == {n_points}, expected at least 2")
    outputs = _outputs(scenario, output)
    weights = np.column_stack([w for *_, w in outputs])
    base = _condition(scenario, given)[0] @ weights
    frames = []
    for parameter in _parameters(scenario, parameters, interval):
        values = np.linspace(parameter.low, parameter.high, n_points)
        mean = scenario.tree.sets[parameter.set_number].means()[parameter.branch_number]
        if include_mean:
            values = np.unique(np.append(values, mean))
        results = _results(scenario, _sweep_theta(scenario, parameter, values), weights, given)
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
    frame.attrs = {"scenario": scenario.id, "interval": interval, "given": dict(given or {})}
    return frame


def _results(scenario: Scenario, theta: np.ndarray, weights: np.ndarray,
             given: Given) -> np.ndarray:
    """Return the outputs for each row of ``theta``, conditional on ``given``."""
    probabilities = scenario.tree.path_probabilities(theta)
    holds = _condition(scenario, given)[1]
    totals = probabilities[:, holds].sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise QueryError("given: the condition has probability 0 at some swept value")
    return (probabilities * holds / totals) @ weights


def tornado_table(scenario: Scenario, output: str, *, interval: float = 0.9,
                  given: Given = None) -> pd.DataFrame:
    """Return each parameter's swing of ``output``, largest first.

    Columns: ``parameter``, ``label``, ``low``, ``high`` (the interval's
    ends), ``result_low``, ``result_high`` (the output there), ``base`` and
    ``swing`` (``|result_high - result_low|``).
    """
    if not isinstance(output, str):
        raise QueryError(f"output == {output!r}, expected one outcome or attribute id")
    sweep = one_way_sensitivity(scenario, output, interval=interval, n_points=2, given=given)
    ends = sweep.groupby("parameter", sort=False).agg(
        label=("label", "first"), low=("value", "first"), high=("value", "last"),
        result_low=("result", "first"), result_high=("result", "last"), base=("base", "first"))
    ends["swing"] = (ends["result_high"] - ends["result_low"]).abs()
    table = ends.sort_values("swing", ascending=False, kind="stable").reset_index()
    table.attrs = {**sweep.attrs, "output": output,
                   "output_label": _outputs(scenario, output)[0][1]}
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
