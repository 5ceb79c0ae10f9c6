"""A scenario's parameters: what a sensitivity analysis varies, how far, and in groups.

A **parameter** is either one branch's probability in one probability set,
named by the key :meth:`Scenario.with_priors` takes (``"withdrawal.phased"``),
or a **named parameter** of the ``parameters:`` section (``"test_cost"``).
A branch probability is uncertain when its prior is (a Beta-kind prior or a
Dirichlet share; the branch that takes the rest beside a Beta mirrors the
other and is not listed); a named parameter when it has a distribution.
Its range is its prior's central interval, unless one is given: in the file
(``sensitivity: {low, high}`` on a named parameter) or by the caller
(``ranges={"test_cost": (0, 30)}``), which is how a fixed value is swept.
Formula parameters are not swept: their inputs are.

Setting a branch probability to ``v`` moves its set's other branches in
proportion to their base values, so that they share ``1 - v``
(:func:`set_branch_values`); setting a Dirichlet member moves the other
members of its group the same way. A **group** is a union of probability
sets and named parameters: a phase (all its sets), one set by its key
(``"phase.rule"``), a named parameter, or a Dirichlet group by its name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.arguments import check_interval
from ..core.errors import QueryError
from ..core.lazy import lazy_module
from ..core.text import did_you_mean, display_label
from .scenario import Scenario
from .tree import CompiledTree

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: `dealtree validate` never needs it
    np = lazy_module("numpy")

__all__ = [
    "Groups",
    "Parameter",
    "ParameterGroup",
    "Ranges",
    "all_parameters",
    "check_ranges",
    "branch_label",
    "parameter_label",
    "resolve_groups",
    "set_branch_values",
    "set_parameter",
    "sweep_theta",
    "uncertain_named",
    "uncertain_parameters",
    "uncertain_sets",
]

Groups = Iterable[str] | Mapping[str, Iterable[str]] | None
#: Explicit ranges to sweep: parameter key -> (low, high).
Ranges = Mapping[str, tuple[float, float]] | None


@dataclass(frozen=True)
class Parameter:
    """One parameter and the range it is swept across.

    For a branch probability ``set_number`` and ``branch_number`` say where it
    is; for a named parameter they are -1 and ``column`` is its entry of
    ``theta``. ``mean`` is its base value; ``low`` and ``high`` the range
    swept; ``uncertain`` whether it has a prior; ``probability`` whether its
    values must lie in [0, 1].
    """

    key: str
    set_number: int
    branch_number: int
    mean: float
    low: float
    high: float
    column: int = -1
    uncertain: bool = True
    probability: bool = True
    label: str = ""
    unit: str = ""

    @property
    def named(self) -> bool:
        """Whether this is a named parameter (not a branch probability)."""
        return self.column >= 0


def check_ranges(ranges: Ranges) -> dict[str, tuple[float, float]]:
    """Return ``ranges`` checked: a mapping of keys to ``(low, high)`` with low < high."""
    if ranges is None:
        return {}
    if not isinstance(ranges, Mapping):
        raise TypeError(f"ranges: got {type(ranges).__name__}, expected a mapping such as "
                        "{'test_cost': (0, 30)}")
    checked = {}
    for key, value in ranges.items():
        try:
            low, high = (float(v) for v in value)
        except (TypeError, ValueError):
            raise QueryError(f"ranges[{key!r}] == {value!r}, expected (low, high)") from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise QueryError(f"ranges[{key!r}] == {value!r}, expected finite numbers with "
                             "low < high")
        checked[key] = (low, high)
    return checked


def all_parameters(scenario: Scenario, *, interval: float = 0.9, ranges: Ranges = None
                   ) -> dict[str, Parameter]:
    """Return every parameter that can be swept, uncertain or not, by key."""
    ranges = check_ranges(ranges)
    tree = scenario.tree
    found: dict[str, Parameter] = {}
    for s, pset in enumerate(tree.sets):
        if pset.select is not None or pset.kind == "derived":
            continue
        phase = scenario.model.phases[scenario.phases.index(pset.phase)]
        if phase.decision_maker is not None:
            continue
        means = pset.means()
        lows, highs = pset.intervals(interval)
        uncertain = pset.kind != "fixed"
        for b, (branch, prior) in enumerate(zip(pset.branches, pset.priors, strict=True)):
            if prior is None or getattr(prior, "kind", None) == "rest":  # the rest
                continue
            key = f"{pset.key}.{branch}"
            low, high = ranges.get(key, (float(lows[b]), float(highs[b])))
            found[key] = Parameter(key, s, b, float(means[b]), low, high, uncertain=uncertain,
                                   label=branch_label(scenario, pset.phase, branch, pset.rule))
    space = tree.space
    for j, named in enumerate(space.parameters if space is not None else ()):
        if named.expression is not None:
            continue
        low, high = named.interval(interval)
        if named.sweep is not None:
            low, high = named.sweep
        low, high = ranges.get(named.name, (low, high))
        probability = named.distribution in ("beta", "dirichlet")
        found[named.name] = Parameter(named.name, -1, -1, float(named.base), float(low),
                                      float(high), column=tree.n_set_entries + j,
                                      uncertain=named.uncertain, probability=probability,
                                      label=named.label, unit=named.unit)
    return found


def uncertain_parameters(scenario: Scenario, keys: Iterable[str] | None = None, *,
                         interval: float = 0.9, ranges: Ranges = None) -> list[Parameter]:
    """Return the parameters to sweep (all, or those named by ``keys``, in that order).

    Without ``keys``: every uncertain parameter, and every fixed one with a
    range (``sensitivity:`` in the file, or in ``ranges``). With ``keys``:
    those parameters, fixed ones needing a range.

    Raises
    ------
    QueryError
        For a key that names no parameter, a fixed parameter without a range,
        a formula parameter, or a bad ``interval`` or range.
    """
    interval = check_interval(interval)
    ranges = check_ranges(ranges)
    found = all_parameters(scenario, interval=interval, ranges=ranges)
    for key in ranges:
        if key not in found:
            raise QueryError(_unknown(scenario, key, found))
    swept = {k: p for k, p in found.items() if p.low < p.high}
    if keys is None:
        return list(swept.values())
    if isinstance(keys, str):
        keys = [keys]
    chosen = []
    for key in keys:
        if key not in found:
            raise QueryError(_unknown(scenario, key, found))
        if key not in swept:
            raise QueryError(f"parameter {key!r} is fixed at {found[key].mean:g} and has no "
                             f"range to sweep; give one: ranges={{{key!r}: (low, high)}}, or "
                             "'sensitivity: {low: ..., high: ...}' on a named parameter")
        chosen.append(swept[key])
    return chosen


def _unknown(scenario: Scenario, key: object, found: Mapping[str, Parameter]) -> str:
    space = scenario.tree.space
    formulas = {p.name for p in space.parameters if p.expression is not None} if space else set()
    if key in formulas:
        return (f"parameter {key!r} is a formula; sweep the parameters it uses: "
                f"{', '.join(sorted(space.parameters[space.index(key)].expression.names))}")
    return (f"unknown or fixed parameter {key!r}{did_you_mean(str(key), found)} (a branch "
            "that takes the rest mirrors its siblings and is not one); expected one of: "
            f"{', '.join(found) or '(none)'}")


def parameter_label(scenario: Scenario, parameter: Parameter) -> str:
    """Return a parameter in words: ``"Governance: Implemented (at the line)"``."""
    if parameter.label:
        return parameter.label
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


def set_parameter(tree: CompiledTree, theta: np.ndarray, parameter: Parameter,
                  values: np.ndarray) -> np.ndarray:
    """Set one parameter in every row of ``theta`` (in place, and returned).

    A branch probability's siblings share the rest (:func:`set_branch_values`);
    a Dirichlet member's fellow members likewise; rows where no such shares
    exist become NaN.
    """
    values = np.asarray(values, dtype=float)
    if not parameter.named:
        return set_branch_values(tree, theta, parameter.set_number,
                                 {parameter.branch_number: values})
    space = tree.space
    named = space.parameters[parameter.column - tree.n_set_entries]
    theta[:, parameter.column] = values
    if named.group is not None:
        members = [tree.n_set_entries + k for k, p in enumerate(space.parameters)
                   if p.group == named.group and p.name != named.name]
        means = np.array([space.parameters[c - tree.n_set_entries].base for c in members])
        share = means / means.sum() if means.sum() > 0 else np.full(len(members),
                                                                    1 / len(members))
        theta[:, members] = np.clip(1 - values, 0, None)[:, None] * share
        theta[np.broadcast_to(values, theta.shape[:1]) > 1 + 1e-12] = np.nan
    return theta


def sweep_theta(tree: CompiledTree, parameter: Parameter, values: np.ndarray) -> np.ndarray:
    """Return one vector per value: the parameter set to it, the rest at the base case."""
    values = np.asarray(values, dtype=float)
    theta = np.tile(tree.mean_theta(), (len(values), 1))
    return set_parameter(tree, theta, parameter, values)


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
        if pset.kind in ("beta", "dirichlet"):
            found.setdefault(pset.phase, []).append(s)
    return {phase: found[phase] for phase in scenario.phases if phase in found}


def uncertain_named(scenario: Scenario) -> dict[str, list[int]]:
    """Named parameter (or Dirichlet group) -> its theta columns, for the uncertain ones."""
    tree = scenario.tree
    found: dict[str, list[int]] = {}
    for j, named in enumerate(tree.space.parameters if tree.space is not None else ()):
        if named.uncertain:
            found.setdefault(named.group or named.name, []).append(tree.n_set_entries + j)
    return found


def resolve_groups(scenario: Scenario, groups: Groups = None) -> list[ParameterGroup]:
    """Return the groups that ``groups`` names.

    Default: one per phase with uncertain priors, then one per uncertain
    named parameter (or Dirichlet group). Each item is a phase id (all the
    phase's uncertain probability sets), a rule's key ``"phase.rule"`` (that
    set alone), a named parameter or a Dirichlet group's name. A list makes
    one group per item; a mapping names groups of several items.

    Raises
    ------
    QueryError
        For an item that names no uncertain probabilities, or an empty group.
    """
    if groups is None:
        return ([_make_group(scenario, phase, [phase]) for phase in uncertain_sets(scenario)]
                + [_make_group(scenario, name, [name]) for name in uncertain_named(scenario)])
    if isinstance(groups, str):
        groups = [groups]
    if isinstance(groups, Mapping):
        return [_make_group(scenario, str(name), items) for name, items in groups.items()]
    return [_make_group(scenario, item, [item]) for item in groups]


def _make_group(scenario: Scenario, name: str, items: Iterable[str]) -> ParameterGroup:
    tree, model = scenario.tree, scenario.model
    by_phase = uncertain_sets(scenario)
    by_key = {tree.sets[s].key: s for sets in by_phase.values() for s in sets}
    named = uncertain_named(scenario)
    known = list(by_phase) + [k for k in by_key if k not in by_phase] + list(named)
    chosen: list[int] = []
    columns: list[np.ndarray] = []
    keys: list[str] = []
    items = [items] if isinstance(items, str) else list(items)
    if not items:
        raise QueryError(f"group {name!r} is empty, expected phase ids, 'phase.rule' keys or "
                         "named parameters")
    for item in items:
        if item in by_phase:
            chosen += by_phase[item]
        elif item in by_key:
            chosen.append(by_key[item])
        elif item in named:
            columns.append(np.array(named[item]))
            keys += [tree.space.names[c - tree.n_set_entries] for c in named[item]]
        else:
            fixed = any(p.id == item for p in model.phases) or (
                tree.space is not None and item in tree.space.names)
            why = " (its probabilities are all fixed)" if fixed else ""
            raise QueryError(f"group {name!r}: {item!r} names no uncertain probabilities{why}"
                             f"{did_you_mean(str(item), known)}; expected a phase id, a "
                             f"'phase.rule' key or an uncertain parameter: {', '.join(known)}")
    sets = tuple(dict.fromkeys(chosen))
    columns = [np.arange(tree.offsets[s], tree.offsets[s] + len(tree.sets[s].branches))
               for s in sets] + columns
    keys = [f"{tree.sets[s].key}.{b}" for s in sets
            for b, prior in zip(tree.sets[s].branches, tree.sets[s].priors, strict=True)
            if prior is not None] + keys
    if items == [name] and name in by_phase:
        phase = model.phases[scenario.phases.index(name)]
        label = display_label(phase.id, phase.label)
    elif items == [name] and name in by_key:
        pset = tree.sets[by_key[name]]
        phase = model.phases[scenario.phases.index(pset.phase)]
        rule = (pset.rule or "default").replace("_", " ")
        label = f"{display_label(phase.id, phase.label)} ({rule})"
    elif items == [name] and name in named and name in tree.space.names:
        label = tree.space.parameters[tree.space.index(name)].label
    else:
        label = display_label(name, None) if items == [name] else name
    merged = np.concatenate(columns) if columns else np.zeros(0, int)
    return ParameterGroup(name, label, tuple(keys), sets, merged.astype(int))
