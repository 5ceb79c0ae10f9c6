"""A scenario's paths walked in pure Python: probability sets, conditions, the path count.

Before any array is built, the tree is counted (:func:`count_paths`) and
then expanded (:func:`expand_paths`) into plain rows: the branch each path
takes at each phase, the probability set and branch of each of its edges,
and its outcome. :mod:`analysis.model.tree` turns the rows into arrays.

Counting comes first so that a tree of more than :data:`MAX_PATHS` paths,
finished or not (a path that never reaches an outcome counts too), is
refused in milliseconds with its size in the message, before the walk
starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..core.beta import beta_quantiles
from ..core.expressions import Expression
from ..core.lazy import lazy_module
from ..formats.scenario_file import FixedPrior, Prior, ScenarioFile
from .conditions import Condition, parse_condition
from .formulas import CompiledFormula, Locate, ParameterSpace

if TYPE_CHECKING:
    import numpy as np
else:  # the walk is pure Python; only a set's means and intervals need numpy
    np = lazy_module("numpy")

__all__ = [
    "MAX_PATHS",
    "NOT_REACHED",
    "SKIPPED",
    "SUM_TOLERANCE",
    "Expansion",
    "ProbabilitySet",
    "compile_conditions",
    "count_paths",
    "default_set",
    "expand_paths",
    "rule_set",
    "too_many_paths",
]

#: Bound on the number of paths a scenario may expand to (finished or not).
MAX_PATHS = 100_000
#: Branch index of a phase skipped by ``applies_when`` on a path.
SKIPPED = -1
#: Branch index of a phase after the path has already ended.
NOT_REACHED = -2
#: How far a set of sibling probabilities may sum from 1.
SUM_TOLERANCE = 1e-6


def _is_rest(prior) -> bool:
    return prior is None or getattr(prior, "kind", None) == "rest"


@dataclass(frozen=True)
class ProbabilitySet:
    """The branch probabilities of one phase where one rule (or the default) applies.

    Attributes
    ----------
    key : str
        ``phase`` for the default set, ``phase.rule`` for a rule's set.
    branches : tuple of str
        All the phase's branches, in file order.
    priors : tuple
        One prior per branch; ``None`` for the branch that takes the rest.
    location : tuple
        Where the set is written in the file.
    formulas : tuple or None
        For a set written with formulas: each branch's compiled formula (None
        for a fixed value or the rest).
    base : tuple of float or None
        A derived set's probabilities at the base case.
    select : tuple or None
        A selector set's choices: ``(condition, source)`` pairs, the first
        whose condition (a formula, or None for always) holds wins; a source
        is a set number, or ``"one"`` / ``"zero"`` (every entry 1 or 0: the
        gates of a phase whose ``applies_when`` compares parameters).
    """

    key: str
    phase: str
    rule: str | None
    branches: tuple[str, ...]
    priors: tuple[Prior | None, ...]
    location: tuple
    formulas: tuple[CompiledFormula | None, ...] | None = field(default=None, compare=False)
    base: tuple[float, ...] | None = field(default=None, compare=False)
    select: tuple | None = field(default=None, compare=False)

    @cached_property
    def kind(self) -> str:
        """``'dirichlet'``, ``'beta'`` (one uncertain branch), ``'derived'`` or ``'fixed'``."""
        if self.select is not None:
            return "derived"
        kinds = {p.kind for p in self.priors if p is not None}
        if "dirichlet" in kinds:
            return "dirichlet"
        if "formula" in kinds:
            return "derived"
        return "fixed" if kinds <= {"fixed", "rest"} else "beta"

    @property
    def uncertain_branch(self) -> int | None:
        """In a ``'beta'`` set, the branch whose prior is uncertain (the other takes the rest)."""
        if self.kind != "beta":
            return None
        return next(i for i, p in enumerate(self.priors) if not _is_rest(p)
                    and p.kind != "fixed")

    def marginal(self, branch: int) -> tuple[float, float] | None:
        """Return ``(alpha, beta)`` of one branch's marginal Beta, or None if it is fixed.

        A Beta-kind prior is its own branch's Beta and the mirror ``(beta,
        alpha)`` for the branch that takes the rest; a Dirichlet share with
        concentration ``c_i`` of ``sum(c)`` has ``Beta(c_i, sum(c) - c_i)``.
        """
        if self.kind == "dirichlet":
            alphas = [p.concentration for p in self.priors]
            return float(alphas[branch]), float(sum(alphas) - alphas[branch])
        if self.kind == "beta":
            a, b = self.priors[self.uncertain_branch].beta_parameters
            return (float(a), float(b)) if branch == self.uncertain_branch else (float(b), float(a))
        return None

    def intervals(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Return each branch's central ``level`` interval under the prior (fixed: its value)."""
        means = self.means()
        lows, highs = means.copy(), means.copy()
        tails = [(1 - level) / 2, (1 + level) / 2]
        for b in range(len(self.branches)):
            marginal = self.marginal(b)
            if marginal is not None:
                lows[b], highs[b] = beta_quantiles(*marginal, tails)
        return lows, highs

    def means(self) -> np.ndarray:
        """Return each branch's probability at the priors' means (a derived set: its base case)."""
        if self.base is not None:
            return np.array(self.base, dtype=float)
        if self.kind == "dirichlet":
            alphas = np.array([p.concentration for p in self.priors])
            return alphas / alphas.sum()
        values = np.array([np.nan if _is_rest(p) else p.mean for p in self.priors])
        rest = np.isnan(values)
        if rest.any():
            values[rest] = max(0.0, 1.0 - values[~rest].sum()) / rest.sum()
        total = values.sum()
        return values / total if total > 0 else values  # absorbs rounding within SUM_TOLERANCE


def _formulas_of(priors: tuple, location: tuple, branches: tuple[str, ...],
                 space: ParameterSpace | None, problems: list | None):
    if not any(getattr(p, "kind", None) == "formula" for p in priors):
        return None
    formulas = []
    for branch, prior in zip(branches, priors, strict=True):
        if getattr(prior, "kind", None) == "formula":
            loc = (*location, branch)
            if space is None:
                formulas.append(None)
                continue
            compiled, message = space.formula(prior.formula, loc)
            if message and problems is not None:
                problems.append((loc, message))
            formulas.append(compiled)
        else:
            formulas.append(None)
    return tuple(formulas)


def default_set(model: ScenarioFile, phase_number: int, *, space: ParameterSpace | None = None,
                problems: list | None = None) -> ProbabilitySet | None:
    """Return the phase's default probability set, from its branches' priors (or None).

    A decision phase (one with a ``decision_maker``) compiles to fixed
    probabilities: 1 on its ``assumed`` option (default: the first), 0 on the
    others, so that every chance-only evaluation sees the assumed option
    taken; :mod:`analysis.engines.rollback` optimises over the options instead.
    """
    phase = model.phases[phase_number]
    location = ("phases", phase_number, "branches")
    if phase.decision_maker is not None:
        # An unknown 'assumed' is reported by the scenario's checks; fall back quietly here.
        assumed = phase.assumed if phase.assumed in phase.branches else next(iter(phase.branches))
        why = f"decision by {phase.decision_maker}: 1 on the assumed option {assumed!r}"
        priors = tuple(FixedPrior(value=float(b == assumed), rationale=why)
                       for b in phase.branches)
        return ProbabilitySet(phase.id, phase.id, None, tuple(phase.branches), priors, location)
    priors = tuple(b.prior for b in phase.branches.values())
    if all(p is None for p in priors):
        return None
    branches = tuple(phase.branches)
    return ProbabilitySet(phase.id, phase.id, None, branches, priors, location,
                          formulas=_formulas_of(priors, location, branches, space, problems))


def rule_set(model: ScenarioFile, phase_number: int, rule_number: int, *,
             space: ParameterSpace | None = None, problems: list | None = None
             ) -> ProbabilitySet:
    """Return the probability set of one of the phase's rules."""
    phase = model.phases[phase_number]
    rule = phase.rules[rule_number]
    priors = tuple(rule.priors.get(b) for b in phase.branches)
    location = ("phases", phase_number, "rules", rule_number, "priors")
    branches = tuple(phase.branches)
    return ProbabilitySet(f"{phase.id}.{rule.id}", phase.id, rule.id, branches, priors,
                          location,
                          formulas=_formulas_of(priors, location, branches, space, problems))


def compile_conditions(model: ScenarioFile, space: ParameterSpace | None
                       ) -> tuple[dict[tuple, Condition], list[tuple[tuple, str]]]:
    """Check every condition of the file; return them by location, and the problems."""
    found: dict[tuple, Condition] = {}
    problems: list[tuple[tuple, str]] = []
    branches_of: dict[str, list[str]] = {}

    def add(raw, loc):
        if raw is None:
            return
        condition, issues = parse_condition(raw, loc, branches_of, space)
        problems.extend(issues)
        if condition is not None:
            found[loc] = condition

    for i, phase in enumerate(model.phases):
        add(phase.applies_when, ("phases", i, "applies_when"))
        for r, rule in enumerate(phase.rules):
            add(rule.when, ("phases", i, "rules", r, "when"))
        branches_of[phase.id] = list(phase.branches)
    for r, rule in enumerate(model.outcome_rules):
        add(rule.when, ("outcome_rules", r, "when"))
    return found, problems


def count_paths(model: ScenarioFile, conditions: dict[tuple, Condition], *,
                limit: int = MAX_PATHS) -> tuple[int, bool]:
    """Return how many paths ``model`` expands to, finished or not, without expanding it.

    Only ``applies_when`` changes the shape of the tree (rules change its
    probabilities, outcome rules where its paths end); one that compares
    parameters keeps both versions of the phase (skipped, and taken). So
    partial paths are counted in groups that agree on the phases later
    ``applies_when`` conditions name: the count is exact and quick however
    large it is. Only when the groups themselves pass ``limit`` does
    counting stop, with a count already above ``limit``.

    Returns
    -------
    (int, bool)
        The count, and whether it is complete (False: the paths are more).
    """
    phases = model.phases
    applies = [conditions.get(("phases", i, "applies_when")) for i in range(len(phases))]
    # The phases that a later phase's applies_when names, after each phase.
    named_later: list[frozenset[str]] = [frozenset()] * len(phases)
    seen: set[str] = set()
    for i in range(len(phases) - 1, -1, -1):
        named_later[i] = frozenset(seen)
        if applies[i] is not None:
            seen |= applies[i].phases
    groups: dict[tuple, int] = {(): 1}
    ended = 0
    for i, phase in enumerate(phases):
        endings = [branch.outcome is not None for branch in phase.branches.values()]
        going_on = [b for b, ends in zip(phase.branches, endings, strict=True) if not ends]
        following: dict[tuple, int] = {}
        for key, paths in groups.items():
            value = True if applies[i] is None else applies[i].on_path(dict(key))
            steps: list[str | None] = []
            if value is not False:  # taken (a comparison of parameters: taken and skipped)
                ended += paths * sum(endings)
                steps += going_on
            if value is not True:
                steps.append(None)
            for branch in steps:
                grown = tuple((k, v) for k, v in (*key, (phase.id, branch))
                              if k in named_later[i])
                following[grown] = following.get(grown, 0) + paths
        groups = following
        if len(groups) > limit:  # as many groups as paths: stop, the count is past the limit
            return ended + sum(groups.values()), False
    return ended + sum(groups.values()), True


def too_many_paths(count: int, *, exact: bool) -> str:
    """Return the message for a tree of ``count`` paths, more than :data:`MAX_PATHS`."""
    size = f"{count:,}" if count < 10**12 else f"about {float(count):.2g}"
    return (f"the scenario expands to {'' if exact else 'more than '}{size} paths, expected at "
            f"most {MAX_PATHS:,} (merge branches, end paths earlier, or skip phases with "
            "applies_when)")


@dataclass
class Expansion:
    """The paths of a tree in plain Python (no arrays yet), or why there are none.

    ``rows`` holds, per path: its branch at each phase (or :data:`SKIPPED` /
    :data:`NOT_REACHED`), its edges as ``(phase number, set number,
    branch)``, and its outcome's number. ``sets`` are the probability sets
    the edges use, in order of first use (``set_order``: key -> number).
    """

    rows: list[tuple[list[int], list[tuple[int, int, int]], int]]
    sets: list[ProbabilitySet]
    set_order: dict[str, int]
    problems: list[tuple[tuple, str]]


class _PathLimit(Exception):
    pass


def expand_paths(model: ScenarioFile, conditions: dict[tuple, Condition],
                 space: ParameterSpace, locate: Locate, found: list | None = None
                 ) -> Expansion:
    """Walk every path of ``model``; collect its rows, probability sets and problems.

    The paths are counted first (:func:`count_paths`): a tree of more than
    :data:`MAX_PATHS` paths, finished or not, is refused before the walk.
    ``found`` collects the problems of compiling the sets' formulas.
    """
    total, complete = count_paths(model, conditions)
    if total > MAX_PATHS:
        return Expansion([], [], {}, [((), too_many_paths(total, exact=complete))])
    phases = model.phases
    outcome_ids = list(model.outcomes)
    found = [] if found is None else found
    defaults = [default_set(model, i, space=space, problems=found) for i in range(len(phases))]
    rules = [[rule_set(model, i, r, space=space, problems=found) for r in range(len(p.rules))]
             for i, p in enumerate(phases)]
    if found:
        return Expansion([], [], {}, list(found))

    set_order: dict[str, int] = {}
    sets: list[ProbabilitySet] = []
    rows: list[tuple[list[int], list[tuple[int, int, int]], int]] = []
    problems_at: dict[tuple, str] = {}
    counted = [0]  # paths met so far, finished or not

    def set_number(pset: ProbabilitySet) -> int:
        if pset.key not in set_order:
            set_order[pset.key] = len(sets)
            sets.append(pset)
        return set_order[pset.key]

    def describe(taken: dict) -> str:
        steps = [f"{p}={b}" for p, b in taken.items() if b is not None]
        return " > ".join(steps) or "(start)"

    def count() -> None:
        counted[0] += 1
        if counted[0] > MAX_PATHS:  # not expected after the count: a bound on the work
            raise _PathLimit

    def holds(loc: tuple, taken: dict, what: str) -> bool:
        condition = conditions.get(loc)
        if condition is None:
            return True
        value = condition.on_path(taken)
        if isinstance(value, bool):
            return value
        problems_at.setdefault(loc, (
            f"{what} compares parameters ({value.text}): a path's outcome cannot depend on "
            "them; compare parameters in a rule's 'when' or a chance phase's applies_when, "
            "or inside a formula (ifelse(...))"))
        return False

    def choose(i: int, taken: dict) -> ProbabilitySet | None:
        """Return the phase's set on this path: a rule's, the default, or a selector."""
        choices: list[tuple[Expression | None, ProbabilitySet]] = []
        for r, pset in enumerate(rules[i]):
            value = conditions[("phases", i, "rules", r, "when")].on_path(taken)
            if value is False:
                continue
            choices.append((None if value is True else value, pset))
            if value is True:
                break
        else:
            if defaults[i] is not None:
                choices.append((None, defaults[i]))
        if not choices:
            return None
        if choices[0][0] is None:
            return choices[0][1]
        if choices[-1][0] is not None:
            problems_at.setdefault(("phases", i, "rules"), (
                f"no probabilities for path {describe(taken)} where the parameters make none "
                f"of the rules hold ({', '.join(c.text for c, _ in choices)}): give the "
                "phase's branches default priors"))
            return None
        numbers = tuple(set_number(pset) for _, pset in choices)
        select = tuple((None if c is None else CompiledFormula(c, locate(
            ("phases", i, "rules"))), n) for (c, _), n in zip(choices, numbers, strict=True))
        keys = "|".join(pset.rule or "default" for _, pset in choices)
        first = choices[0][1]
        return ProbabilitySet(f"{phases[i].id}.<{keys}>", phases[i].id, None, first.branches,
                              tuple(None for _ in first.branches), ("phases", i, "rules"),
                              select=select)

    def finish(choices, edges, outcome):
        count()
        padded = choices + [NOT_REACHED] * (len(phases) - len(choices))
        rows.append((padded, edges, outcome_ids.index(outcome)))

    def gate(i: int, condition: Expression, pset: ProbabilitySet | None, text: str
             ) -> ProbabilitySet:
        """Return a set equal to ``pset`` (or 1) where ``condition`` holds, 0 elsewhere."""
        formula = CompiledFormula(condition, locate(("phases", i, "applies_when")))
        source = "one" if pset is None else set_number(pset)
        return ProbabilitySet(f"{phases[i].id}.<{text}>", phases[i].id, None,
                              tuple(phases[i].branches),
                              tuple(None for _ in phases[i].branches),
                              ("phases", i, "applies_when"),
                              select=((formula, source), (None, "zero")))

    def visit(i, choices, edges, taken):
        if i == len(phases):
            for r, rule in enumerate(model.outcome_rules):
                if holds(("outcome_rules", r, "when"), taken, "outcome rule"):
                    finish(choices, edges, rule.outcome)
                    return
            count()
            problems_at.setdefault(("outcome_rules",),
                                   f"path {describe(taken)} reaches no outcome: no branch on "
                                   "it ends the scenario and no outcome rule matches it")
            return
        phase = phases[i]
        where = ("phases", i, "applies_when")
        applies = conditions[where].on_path(taken) if where in conditions else True
        if applies is False:
            visit(i + 1, choices + [SKIPPED], edges, {**taken, phase.id: None})
            return
        if applies is not True and phase.decision_maker is not None:
            count()
            problems_at.setdefault(where, (
                f"decision {phase.id!r}: applies_when compares parameters "
                f"({applies.text}); a decision's presence cannot depend on parameters "
                "(compare them in a chance phase before it, or in a formula)"))
            return
        if applies is not True:  # compares parameters: a skipped copy, gated
            skipped = gate(i, applies.negate(), None, f"skipped unless {applies.text}")
            visit(i + 1, choices + [SKIPPED], edges + [(i, set_number(skipped), 0)],
                  {**taken, phase.id: None})
        pset = choose(i, taken)
        if pset is None:
            count()
            problems_at.setdefault(("phases", i, "branches"),
                                   f"no probabilities for path {describe(taken)}: none of the "
                                   "phase's rules matches it and its branches have no default "
                                   "prior")
            return
        if applies is not True:
            pset = gate(i, applies, pset, f"{pset.key} if {applies.text}")
        base = set_number(pset)
        for b, (branch_id, branch) in enumerate(phase.branches.items()):
            step = (choices + [b], edges + [(i, base, b)])
            if branch.outcome is not None:
                finish(*step, branch.outcome)
            else:
                visit(i + 1, *step, {**taken, phase.id: branch_id})

    try:
        visit(0, [], [], {})
    except _PathLimit:
        return Expansion([], [], {}, [((), too_many_paths(counted[0], exact=False))])
    return Expansion(rows, sets, set_order, list(problems_at.items()))
