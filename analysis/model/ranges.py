"""What a sweep varies: named parameters with plausible ranges, and what a variant evaluates.

A **sweep** (:func:`analysis.sweep`) evaluates a scenario under many
**variants**: one value for each swept parameter. This module is the seam
between the values and the machinery that evaluates them:

:class:`SweepParameter`
    A named scalar with a plausible range ``[low, high]`` and a centre.
:class:`ParameterSpace`
    The swept parameters of one scenario, and :meth:`ParameterSpace.variant_priors`,
    which turns a matrix of values (one row per variant) into what the
    engines evaluate: the probability vector ``theta`` at the variant's
    means, and each probability set's concentration (for Monte Carlo over
    the variant's priors). Nothing downstream knows what a parameter is.

:class:`BranchProbabilities` is the space of today's parameters, the uncertain
branch probabilities. Each uncertain probability set contributes:

- a Beta-kind prior (two branches): one parameter, the uncertain branch's
  probability; the other branch takes the rest;
- a Dirichlet over ``k`` branches: ``k - 1`` parameters by **stick-breaking**
  in file order: the first branch's probability, then each later branch's
  share of what the earlier ones leave (``"Exchanges: Partial (if not
  Complete)"``); the last branch takes the rest. Under a Dirichlet prior
  these shares are independent Betas, ``Beta(c_j, sum of the later c)``, so
  every point of the box of ranges is a valid probability set and the
  prior-derived ranges are exact. Setting only the first share and leaving
  the others at their means is what one-way sensitivity does (siblings
  share the rest in proportion to their means).

A parameter's plausible range is by default the central ``interval`` (90%)
of its prior, or what a ranges file (:mod:`analysis.formats.ranges_file`)
says. Another kind of parameter (named scalars with priors, issue 15) is
another :class:`ParameterSpace` subclass with the same two methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.arguments import check_interval
from ..core.beta import beta_quantiles
from ..core.errors import QueryError
from ..core.lazy import lazy_module
from ..core.text import did_you_mean, display_label
from ..formats.ranges_file import Range, RangesFile
from .scenario import Scenario

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: `dealtree validate` never needs it
    np = lazy_module("numpy")

__all__ = [
    "BranchProbabilities",
    "ParameterSpace",
    "SweepParameter",
    "VariantPriors",
    "parameter_space",
]


@dataclass(frozen=True)
class SweepParameter:
    """A named parameter a sweep varies over ``[low, high]``.

    Attributes
    ----------
    name : str
        What ranges files and result columns call it (a branch key:
        ``"ceasefire.holds"``, ``"governance.at_the_line.partial"``).
    label : str
        In words, for tables and charts.
    meaning : str
        ``"probability"``, or ``"share of the rest"`` for a later branch of a
        Dirichlet (its probability given none of the earlier branches).
    low, high : float
        The plausible range.
    centre : float
        The prior's mean of the parameter.
    source : str
        Where the range comes from: ``"prior 90%"`` or ``"ranges file"``.
    """

    name: str
    label: str
    meaning: str
    low: float
    high: float
    centre: float
    source: str


@dataclass(frozen=True, eq=False)
class VariantPriors:
    """What the engines evaluate for a batch of variants.

    Attributes
    ----------
    theta : ndarray, shape (n, n_theta)
        Each variant's probabilities at its priors' means.
    concentration : ndarray, shape (n, n_sets)
        Each probability set's total concentration: a variant's prior on set
        ``s`` is the Dirichlet with mean ``theta``'s block and this total
        (``inf`` for a fixed set, drawn as its mean).
    """

    theta: np.ndarray
    concentration: np.ndarray


class ParameterSpace:
    """The parameters a sweep varies for one scenario (see the module docstring).

    Subclasses set :attr:`scenario` and :attr:`parameters` and implement
    :meth:`variant_priors` and :meth:`values_of`.
    """

    scenario: Scenario
    parameters: tuple[SweepParameter, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The parameters' names, in order (the columns of a values matrix)."""
        return tuple(p.name for p in self.parameters)

    def scale(self, unit: np.ndarray) -> np.ndarray:
        """Map points of the unit cube (one row per variant) onto the ranges."""
        low = np.array([p.low for p in self.parameters])
        high = np.array([p.high for p in self.parameters])
        return low + np.asarray(unit, dtype=float) * (high - low)

    def variant_priors(self, values: np.ndarray) -> VariantPriors:
        """Return what the engines evaluate for each row of ``values``."""
        raise NotImplementedError

    def values_of(self, scenario: Scenario) -> tuple[np.ndarray, VariantPriors]:
        """Return the parameters' values in another scenario on the same tree, and its priors."""
        raise NotImplementedError


@dataclass(frozen=True)
class _Set:
    """One uncertain probability set, broken into sticks in order (see the module docstring)."""

    number: int
    order: tuple[int, ...]  # its branches in stick order; the last branch takes the rest
    rest: int
    columns: tuple[int, ...]  # per stick: its column in the values, or -1 (at its mean)
    centres: tuple[float, ...]  # per stick: its prior mean (the conditional share's)


class BranchProbabilities(ParameterSpace):
    """Today's parameters: the uncertain branch probabilities (see the module docstring).

    Build it with :func:`parameter_space`.
    """

    def __init__(self, scenario: Scenario, parameters: tuple[SweepParameter, ...],
                 sets: tuple[_Set, ...]):
        self.scenario = scenario
        self.parameters = parameters
        self._sets = sets

    def __repr__(self) -> str:
        return f"BranchProbabilities({self.scenario.id!r}, {len(self.parameters)} parameters)"

    def variant_priors(self, values: np.ndarray) -> VariantPriors:
        """Set each set's branches from the values, by stick-breaking; the rest at their means."""
        tree = self.scenario.tree
        values = np.array(values, dtype=float, ndmin=2)
        if values.shape[1] != len(self.parameters):
            raise QueryError(f"values has {values.shape[1]} columns, expected "
                             f"{len(self.parameters)}: one per parameter")
        n = values.shape[0]
        theta = np.tile(tree.mean_theta(), (n, 1))
        for pset in self._sets:
            start = int(tree.offsets[pset.number])
            remaining = np.ones(n)
            for branch, column, centre in zip(pset.order, pset.columns, pset.centres,
                                              strict=True):
                share = np.clip(values[:, column], 0.0, 1.0) if column >= 0 else centre
                theta[:, start + branch] = remaining * share
                remaining = remaining * (1.0 - share)
            theta[:, start + pset.rest] = remaining
        concentration = np.tile(_concentrations(self.scenario), (n, 1))
        return VariantPriors(theta, concentration)

    def values_of(self, scenario: Scenario) -> tuple[np.ndarray, VariantPriors]:
        """Return ``scenario``'s parameter values (its priors' means) and its own priors.

        ``scenario`` must be on the same tree (a variant of the swept
        scenario: ``with_priors``, or an analyst's file applied to it).
        """
        tree = self.scenario.tree
        if [(s.key, len(s.branches)) for s in scenario.tree.sets] != [
                (s.key, len(s.branches)) for s in tree.sets]:
            raise QueryError(f"scenario {scenario.id!r} is not on the tree of "
                             f"{self.scenario.id!r}: its probability sets differ")
        theta = scenario.tree.mean_theta()
        values = np.array([p.centre for p in self.parameters])
        for pset in self._sets:
            start = int(tree.offsets[pset.number])
            used = 0.0
            for branch, column in zip(pset.order, pset.columns, strict=True):
                p = float(theta[start + branch])
                if column >= 0 and 1 - used > 1e-12:
                    values[column] = min(1.0, p / (1 - used))
                used += p
        return values, VariantPriors(theta[None, :], _concentrations(scenario)[None, :])


def _concentrations(scenario: Scenario) -> np.ndarray:
    """Each probability set's total concentration (``inf`` for a fixed set)."""
    totals = []
    for pset in scenario.tree.sets:
        if pset.kind == "dirichlet":
            totals.append(float(sum(p.concentration for p in pset.priors)))
        elif pset.kind == "beta":
            totals.append(float(sum(pset.marginal(pset.uncertain_branch))))
        else:
            totals.append(np.inf)
    return np.array(totals)


def parameter_space(scenario: Scenario, *, ranges: RangesFile | Mapping | None = None,
                    interval: float | None = None) -> BranchProbabilities:
    """Return the parameters a sweep of ``scenario`` varies, with their plausible ranges.

    Parameters
    ----------
    scenario : Scenario
    ranges : RangesFile or mapping, optional
        Ranges that replace the prior-derived ones: a loaded ranges file
        (:func:`analysis.formats.ranges_file.load_ranges`) or a mapping of
        parameter names to ``(low, high)``.
    interval : float, optional
        The central interval of each prior that gives the other ranges
        (default: the ranges file's, else 0.9).

    Raises
    ------
    QueryError
        For a range that names no parameter, or a scenario without uncertain priors.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: got {type(scenario).__name__}, expected a Scenario "
                        "(see analysis.load_scenario)")
    if ranges is None or isinstance(ranges, RangesFile):
        spec = ranges or RangesFile()
    elif isinstance(ranges, Mapping):
        spec = RangesFile(ranges={str(k): Range.model_validate(v) for k, v in ranges.items()})
    else:
        raise TypeError(f"ranges: got {type(ranges).__name__}, expected a mapping of "
                        "parameter names to (low, high), or a loaded ranges file")
    level = check_interval(spec.interval if interval is None else interval)
    tree = scenario.tree
    parameters: list[SweepParameter] = []
    sets: list[_Set] = []
    for s, pset in enumerate(tree.sets):
        if pset.kind == "fixed":
            continue
        if pset.kind == "beta":
            order = [pset.uncertain_branch]
            rest = 1 - pset.uncertain_branch
            shapes = [pset.marginal(pset.uncertain_branch)]
        else:
            order = list(range(len(pset.branches) - 1))
            rest = len(pset.branches) - 1
            conc = np.array([p.concentration for p in pset.priors], dtype=float)
            shapes = [(float(conc[b]), float(conc[b + 1:].sum())) for b in order]
        columns, centres = [], []
        for j, (b, (a, later)) in enumerate(zip(order, shapes, strict=True)):
            name = f"{pset.key}.{pset.branches[b]}"
            centres.append(a / (a + later))
            given = spec.ranges.get(name)
            if given is None and spec.only_listed:
                columns.append(-1)
                continue
            if given is not None:
                low, high, source = given.low, given.high, "ranges file"
            else:
                low, high = (float(v) for v in beta_quantiles(a, later, [(1 - level) / 2,
                                                                          (1 + level) / 2]))
                source = f"prior {level:.0%}"
            earlier = tuple(order[:j])
            columns.append(len(parameters))
            parameters.append(SweepParameter(
                name=name, label=_label(scenario, pset, b, earlier),
                meaning="share of the rest" if earlier else "probability",
                low=float(low), high=float(high), centre=centres[-1], source=source))
        sets.append(_Set(s, tuple(order), rest, tuple(columns), tuple(centres)))
    every = _every_name(scenario)
    for name in spec.ranges:
        if name not in every:
            raise QueryError(f"ranges: {name!r} names no swept parameter of scenario "
                             f"{scenario.id!r}{did_you_mean(name, every)}; expected one of: "
                             f"{', '.join(every) or '(none: every probability is fixed)'}")
    if not parameters:
        raise QueryError(f"scenario {scenario.id!r} has no parameter to sweep: "
                         + ("only_listed is true and no range is listed" if spec.only_listed
                            else "every probability is fixed"))
    return BranchProbabilities(scenario, tuple(parameters), tuple(sets))


def _every_name(scenario: Scenario) -> list[str]:
    names = []
    for pset in scenario.tree.sets:
        if pset.kind == "beta":
            names.append(f"{pset.key}.{pset.branches[pset.uncertain_branch]}")
        elif pset.kind == "dirichlet":
            names += [f"{pset.key}.{b}" for b in pset.branches[:-1]]
    return names


def _label(scenario: Scenario, pset, branch: int, earlier: tuple[int, ...]) -> str:
    """``"Governance (at the line): Partly implemented if not Implemented"``."""
    phase = scenario.model.phases[scenario.phases.index(pset.phase)]

    def words(b: int) -> str:
        return display_label(pset.branches[b], phase.branches[pset.branches[b]].label)

    where = f" ({pset.rule.replace('_', ' ')})" if pset.rule else ""
    text = f"{display_label(phase.id, phase.label)}{where}: {words(branch)}"
    if earlier:
        text += " if not " + " or ".join(words(b) for b in earlier)
    return text
