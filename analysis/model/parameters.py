"""A scenario's uncertain parameters: which branch probabilities vary, how, and in groups.

A **parameter** is one branch's probability in one probability set, named by
the key :meth:`Scenario.with_priors` takes (``"withdrawal.phased"``); it is
uncertain when its prior is (a Beta-kind prior or a Dirichlet share; the
branch that takes the rest beside a Beta mirrors the other and is not listed).
Its plausible range is its marginal Beta's central interval.

Setting a parameter to ``v`` moves its set's other branches in proportion to
their means, so that they share ``1 - v`` (:func:`set_branch_values`). A
**group** is a union of probability sets: a phase (all its sets), or one
set by its key (``"phase.rule"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ..core.arguments import check_interval
from ..core.errors import QueryError
from ..core.text import did_you_mean, display_label
from .scenario import Scenario
from .tree import CompiledTree

__all__ = [
    "Groups",
    "Parameter",
    "ParameterGroup",
    "branch_label",
    "parameter_label",
    "resolve_groups",
    "set_branch_values",
    "sweep_theta",
    "uncertain_parameters",
    "uncertain_sets",
]

Groups = Iterable[str] | Mapping[str, Iterable[str]] | None


@dataclass(frozen=True)
class Parameter:
    """One uncertain branch probability and its prior's central interval."""

    key: str
    set_number: int
    branch_number: int
    mean: float
    low: float
    high: float


def uncertain_parameters(scenario: Scenario, keys: Iterable[str] | None = None, *,
                         interval: float = 0.9) -> list[Parameter]:
    """Return the uncertain parameters (all, or those named by ``keys``, in that order).

    Raises
    ------
    QueryError
        For a key that names no uncertain parameter, or a bad ``interval``.
    """
    interval = check_interval(interval)
    found: dict[str, Parameter] = {}
    for s, pset in enumerate(scenario.tree.sets):
        if pset.kind == "fixed":
            continue
        means = pset.means()
        lows, highs = pset.intervals(interval)
        for b, (branch, prior) in enumerate(zip(pset.branches, pset.priors, strict=True)):
            if prior is None:  # the rest beside a Beta
                continue
            key = f"{pset.key}.{branch}"
            found[key] = Parameter(key, s, b, float(means[b]), float(lows[b]), float(highs[b]))
    if keys is None:
        return list(found.values())
    if isinstance(keys, str):
        keys = [keys]
    chosen = []
    for key in keys:
        if key not in found:
            raise QueryError(f"unknown or fixed parameter {key!r}"
                             f"{did_you_mean(str(key), found)}; expected one of: "
                             f"{', '.join(found) or '(none: every probability is fixed)'}")
        chosen.append(found[key])
    return chosen


def parameter_label(scenario: Scenario, parameter: Parameter) -> str:
    """Return a parameter in words: ``"Governance: Implemented (at the line)"``."""
    pset = scenario.tree.sets[parameter.set_number]
    return branch_label(scenario, pset.phase, pset.branches[parameter.branch_number], pset.rule)


def branch_label(scenario: Scenario, phase_id: str, branch: str, rule: str | None = None
                 ) -> str:
    """Return ``"Phase: Branch"`` in labels, with ``" (rule)"`` for a rule's probability."""
    phase = scenario.model.phases[scenario.phases.index(phase_id)]
    text = (f"{display_label(phase.id, phase.label)}: "
            f"{display_label(branch, phase.branches[branch].label)}")
    return text + (f" ({rule.replace('_', ' ')})" if rule else "")


def set_branch_values(tree: CompiledTree, theta: np.ndarray, set_number: int,
                      values: Mapping[int, np.ndarray]) -> np.ndarray:
    """Set some branches of one set in every row of ``theta`` (in place, and returned).

    The set's other branches share what is left in proportion to their means
    (equally if their means are all 0). Rows whose set values sum above 1
    become NaN: no such probabilities exist.
    """
    start = int(tree.offsets[set_number])
    size = len(tree.sets[set_number].branches)
    others = np.array([b not in values for b in range(size)])
    total = np.sum([np.asarray(v, dtype=float) for v in values.values()], axis=0)
    means = tree.sets[set_number].means()
    rest = means[others].sum()
    share = means[others] / rest if rest > 0 else np.full(others.sum(), 1 / others.sum())
    block = theta[:, start:start + size]
    block[:, others] = np.clip(1 - total, 0, None)[:, None] * share
    for b, value in values.items():
        block[:, b] = value
    theta[np.broadcast_to(total, theta.shape[:1]) > 1 + 1e-12] = np.nan
    return theta


def sweep_theta(tree: CompiledTree, parameter: Parameter, values: np.ndarray) -> np.ndarray:
    """Return one probability vector per value: the parameter set to it, the rest at means."""
    values = np.asarray(values, dtype=float)
    theta = np.tile(tree.mean_theta(), (len(values), 1))
    return set_branch_values(tree, theta, parameter.set_number, {parameter.branch_number: values})


@dataclass(frozen=True)
class ParameterGroup:
    """Probability sets whose uncertainty is considered together."""

    name: str
    label: str
    keys: tuple[str, ...]  # the uncertain branch keys, as with_priors takes them
    sets: tuple[int, ...]  # set numbers in the tree
    columns: np.ndarray  # theta columns of those sets


def uncertain_sets(scenario: Scenario) -> dict[str, list[int]]:
    """Phase id -> its uncertain probability sets (set numbers), in file order."""
    found: dict[str, list[int]] = {}
    for s, pset in enumerate(scenario.tree.sets):
        if pset.kind != "fixed":
            found.setdefault(pset.phase, []).append(s)
    return {phase: found[phase] for phase in scenario.phases if phase in found}


def resolve_groups(scenario: Scenario, groups: Groups = None) -> list[ParameterGroup]:
    """Return the groups that ``groups`` names (default: one per phase with uncertain priors).

    Each item is a phase id (all the phase's uncertain probability sets) or
    a rule's key ``"phase.rule"`` (that set alone). A list makes one group
    per item; a mapping names groups of several items.

    Raises
    ------
    QueryError
        For an item that names no uncertain probabilities, or an empty group.
    """
    if groups is None:
        return [_make_group(scenario, phase, [phase]) for phase in uncertain_sets(scenario)]
    if isinstance(groups, str):
        groups = [groups]
    if isinstance(groups, Mapping):
        return [_make_group(scenario, str(name), items) for name, items in groups.items()]
    return [_make_group(scenario, item, [item]) for item in groups]


def _make_group(scenario: Scenario, name: str, items: Iterable[str]) -> ParameterGroup:
    tree, model = scenario.tree, scenario.model
    by_phase = uncertain_sets(scenario)
    by_key = {tree.sets[s].key: s for sets in by_phase.values() for s in sets}
    known = list(by_phase) + [k for k in by_key if k not in by_phase]
    chosen: list[int] = []
    items = [items] if isinstance(items, str) else list(items)
    if not items:
        raise QueryError(f"group {name!r} is empty, expected phase ids or 'phase.rule' keys")
    for item in items:
        if item in by_phase:
            chosen += by_phase[item]
        elif item in by_key:
            chosen.append(by_key[item])
        else:
            fixed = any(p.id == item for p in model.phases)
            why = " (its probabilities are all fixed)" if fixed else ""
            raise QueryError(f"group {name!r}: {item!r} names no uncertain probabilities{why}"
                             f"{did_you_mean(str(item), known)}; expected a phase id or a "
                             f"'phase.rule' key: {', '.join(known)}")
    sets = tuple(dict.fromkeys(chosen))
    columns = np.concatenate([np.arange(tree.offsets[s], tree.offsets[s]
                                        + len(tree.sets[s].branches)) for s in sets])
    keys = tuple(f"{tree.sets[s].key}.{b}" for s in sets
                 for b, prior in zip(tree.sets[s].branches, tree.sets[s].priors, strict=True)
                 if prior is not None)
    if items == [name] and name in by_phase:
        phase = model.phases[scenario.phases.index(name)]
        label = display_label(phase.id, phase.label)
    elif items == [name] and name in by_key:
        pset = tree.sets[by_key[name]]
        phase = model.phases[scenario.phases.index(pset.phase)]
        rule = (pset.rule or "default").replace("_", " ")
        label = f"{display_label(phase.id, phase.label)} ({rule})"
    else:
        label = name
    return ParameterGroup(name, label, keys, sets, columns.astype(int))
