"""Compile a scenario into arrays: one row per path, one column per phase.

Every probability in a compiled tree lives in one flat vector ``theta`` (one
entry per branch of every probability set), followed by one entry per named
parameter (:mod:`analysis.model.formulas`). A path's probability is the
product of the entries its edges point to, so evaluating the tree for one
vector of probabilities, or for a matrix of them (one row per Monte Carlo
draw), is a single gather and product.

Probability sets written as formulas (``prior: "sensitivity * p"``) are
**derived**: their entries are computed from the parameter entries of each
row by :meth:`CompiledTree.derive`, which every evaluation calls, and which
checks that they are probabilities summing to 1 (naming the file, the line,
the formula and the row when they are not). A rule whose ``when`` compares
parameters makes a **selector** set: at each row, the probabilities of the
first rule that holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ..core.beta import beta_quantiles
from ..core.errors import QueryError
from ..core.expressions import Expression
from ..formats.scenario_file import FixedPrior, Prior, ScenarioFile
from .conditions import Condition, parse_condition
from .formulas import CompiledFormula, Locate, ParameterSpace, build_parameter_space, plain_locate
from .values import PathValues, build_path_values

__all__ = [
    "MAX_PATHS",
    "NOT_REACHED",
    "SKIPPED",
    "SUM_TOLERANCE",
    "CompiledTree",
    "ProbabilitySet",
    "compile_conditions",
    "compile_sets",
    "compile_tree",
    "default_set",
    "rule_set",
]

#: Bound on the number of paths a scenario may expand to.
MAX_PATHS = 100_000
#: Rows of probability vectors evaluated at once: bounds memory to about this many
#: (path x phase) cells per chunk.
CHUNK_CELLS = 4_000_000
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


@dataclass(frozen=True, eq=False)
class CompiledTree:
    """A scenario's paths as arrays (see the module docstring).

    Attributes
    ----------
    sets : tuple of ProbabilitySet
        Every probability set some path uses, in order of first use.
    offsets : ndarray of int, shape (n_sets,)
        Where each set's branches start in ``theta``.
    branch_index : ndarray of int, shape (n_paths, n_phases)
        The branch each path takes at each phase, or ``SKIPPED`` / ``NOT_REACHED``.
    edge_index : ndarray of int, shape (n_paths, n_phases)
        Index into ``theta`` of each edge's probability; ``n_theta`` (a
        constant 1) where the path takes no branch.
    outcome_index : ndarray of int, shape (n_paths,)
    attribute_values : ndarray of float, shape (n_paths, n_attributes)
        At the base case (see :attr:`values` for other parameter values).
    space : ParameterSpace
        The named parameters, whose entries follow the sets' in ``theta``.
    values : PathValues or None
        The paths' attribute values and stakeholders' utilities as functions
        of the parameters (:mod:`analysis.model.values`).
    """

    phases: tuple[str, ...]
    outcomes: tuple[str, ...]
    attributes: tuple[str, ...]
    sets: tuple[ProbabilitySet, ...]
    offsets: np.ndarray
    branch_index: np.ndarray
    edge_index: np.ndarray
    outcome_index: np.ndarray
    attribute_values: np.ndarray
    likelihood: np.ndarray | None = field(default=None, repr=False)
    space: ParameterSpace | None = field(default=None, repr=False)
    values: PathValues | None = field(default=None, repr=False)

    @property
    def n_paths(self) -> int:
        """Number of paths."""
        return len(self.outcome_index)

    @cached_property
    def n_set_entries(self) -> int:
        """Entries of ``theta`` that are branch probabilities (the parameters follow)."""
        return int(sum(len(s.branches) for s in self.sets))

    @property
    def n_parameters(self) -> int:
        """Entries of ``theta`` that are named parameters."""
        return 0 if self.space is None else self.space.size

    @property
    def n_theta(self) -> int:
        """Length of the flat vector: branch probabilities, then named parameters."""
        return self.n_set_entries + self.n_parameters

    @property
    def parameter_slice(self) -> slice:
        """Where the named parameters sit in ``theta``."""
        return slice(self.n_set_entries, self.n_theta)

    @cached_property
    def is_derived(self) -> bool:
        """Whether some probabilities are computed from the parameters."""
        return any(s.kind == "derived" for s in self.sets)

    def parameter_column(self, name: str) -> int:
        """Return the ``theta`` column of a named parameter."""
        return self.n_set_entries + self.space.index(name)

    def mean_theta(self) -> np.ndarray:
        """Return the flat vector at the base case: every prior's mean (or stated base)."""
        return self._base_theta.copy()

    @cached_property
    def _base_theta(self) -> np.ndarray:
        parts = [s.means() for s in self.sets]
        if self.space is not None and self.space.size:
            parts.append(self.space.base_values())
        return np.concatenate(parts) if parts else np.zeros(0)

    def derive(self, theta: np.ndarray, row_text: Callable[[int], str] | None = None
               ) -> np.ndarray:
        """Return ``theta`` (rows) with formula parameters and derived sets recomputed.

        A copy when anything is recomputed; ``theta`` itself otherwise.

        Raises
        ------
        QueryError
            If a formula is not a finite number, or a derived set's
            probabilities leave [0, 1] or do not sum to 1, in some row: the
            message names the file, the line, the formula and the row
            (``row_text(i)``, default ``row i``).
        """
        has_formulas = self.space is not None and any(
            p.expression is not None for p in self.space.parameters)
        if not (self.is_derived or has_formulas):
            return theta
        theta = np.array(theta, dtype=float, ndmin=2)
        parameters = theta[:, self.parameter_slice]
        if has_formulas:
            self.space.complete(parameters, row_text)
            theta[:, self.parameter_slice] = parameters
        values = self.space.mapping(parameters) if self.space is not None else {}
        for number, pset in enumerate(self.sets):
            if pset.kind != "derived":
                continue
            start = int(self.offsets[number])
            block = theta[:, start:start + len(pset.branches)]
            if pset.select is not None:
                _select(self, theta, block, pset, values, row_text)
            else:
                _derive_set(block, pset, values, row_text)
        return theta

    def prior_probabilities(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Return each path's probability for ``theta`` of shape ``(..., n_theta)``, no evidence.

        ``theta`` defaults to the base case; a 2-D ``theta`` (one row per
        draw) gives one row of path probabilities per draw.
        """
        if theta is None:
            theta = self.mean_theta()
        theta = np.asarray(theta, dtype=float)
        if self.is_derived or self.n_parameters:
            shape = theta.shape
            theta = self.derive(theta.reshape(-1, shape[-1])).reshape(shape)
        ones = np.ones(theta.shape[:-1] + (1,))
        padded = np.concatenate([theta, ones], axis=-1)
        return padded[..., self.edge_index].prod(axis=-1)

    def joint_probabilities(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Return ``P_theta(path) * L(path)``, not renormalised (``L``: the evidence likelihood).

        Without evidence this is :meth:`prior_probabilities`; with it, its sum
        is the probability of the evidence (up to the scale of soft evidence).
        """
        prior = self.prior_probabilities(theta)
        return prior if self.likelihood is None else prior * self.likelihood

    def path_probabilities(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Return each path's probability for ``theta``, given the evidence if there is some.

        ``P_theta(path) L(path)`` renormalised over the paths (per row for a
        2-D ``theta``); without evidence, :meth:`prior_probabilities`.
        """
        if self.likelihood is None:
            return self.prior_probabilities(theta)
        joint = self.joint_probabilities(theta)
        total = joint.sum(axis=-1, keepdims=True)
        return joint / np.where(total > 0, total, 1.0)

    def row_chunks(self, n_rows: int) -> list[slice]:
        """Split ``n_rows`` probability vectors into chunks of at most :data:`CHUNK_CELLS` cells."""
        size = max(1, CHUNK_CELLS // max(1, self.n_paths * len(self.phases)))
        return [slice(i, min(i + size, n_rows)) for i in range(0, n_rows, size)]

    def with_likelihood(self, likelihood: np.ndarray | None) -> CompiledTree:
        """Return the same tree with its paths weighted by an evidence ``likelihood``."""
        return replace(self, likelihood=likelihood)

    def with_sets(self, sets: tuple[ProbabilitySet, ...]) -> CompiledTree:
        """Return the same paths with new priors on the same probability sets."""
        if [(s.key, len(s.branches)) for s in sets] != [(s.key, len(s.branches))
                                                         for s in self.sets]:
            raise ValueError("with_sets: the new sets must have the keys and sizes of the old")
        return replace(self, sets=tuple(sets))

    def with_model(self, model: ScenarioFile, locate: Locate
                   ) -> tuple[CompiledTree | None, list[tuple[tuple, str]]]:
        """Return the same paths with ``model``'s priors, parameters and values.

        For a model that differs from this tree's only in priors and
        parameters (what :meth:`Scenario.with_priors` changes).
        """
        space, problems = build_parameter_space(model, locate)
        if problems:
            return None, problems
        sets, problems = compile_sets(model, self.sets, space=space)
        if problems:
            return None, problems
        tree = replace(self, sets=tuple(sets), space=space)
        return _with_values(tree, model, space)


def _derive_set(block: np.ndarray, pset: ProbabilitySet, values: dict,
                row_text: Callable[[int], str] | None) -> None:
    size = block.shape[0]
    rest = []
    for b, prior in enumerate(pset.priors):
        formula = pset.formulas[b]
        if formula is not None:
            block[:, b] = formula.evaluate(values, size, row_text)
        elif _is_rest(prior):
            rest.append(b)
        else:
            block[:, b] = prior.mean
    others = [b for b in range(len(pset.branches)) if b not in rest]
    where = pset.formulas and next((f.where for f in pset.formulas if f is not None), "")
    for b in others:
        low, high = block[:, b].min(initial=0.0), block[:, b].max(initial=1.0)
        if low < -1e-12 or high > 1 + 1e-12:
            row = int(np.argmax((block[:, b] < -1e-12) | (block[:, b] > 1 + 1e-12)))
            formula = pset.formulas[b]
            text = formula.expression.text if formula else repr(pset.priors[b].mean)
            raise QueryError(
                f"{formula.where if formula else where}: branch {pset.branches[b]!r}: "
                f"{text!r} = {block[row, b]:.6g}, expected a probability in [0, 1], "
                f"{_row_name(row, size, row_text)}{_shown(formula, values, row, size)}")
    total = block[:, others].sum(axis=1)
    if rest:
        left = 1.0 - total
        if (left < -SUM_TOLERANCE).any():
            row = int(np.argmax(left < -SUM_TOLERANCE))
            raise QueryError(f"{where}: the probabilities of {pset.key!r} other than "
                             f"{', '.join(pset.branches[b] for b in rest)} sum to "
                             f"{total[row]:.6g}, expected at most 1, "
                             f"{_row_name(row, size, row_text)}")
        block[:, rest] = np.clip(left, 0.0, None)[:, None] / len(rest)
    elif (np.abs(total - 1) > SUM_TOLERANCE).any():
        row = int(np.argmax(np.abs(total - 1) > SUM_TOLERANCE))
        raise QueryError(f"{where}: the probabilities of {pset.key!r} sum to {total[row]:.6g}, "
                         f"expected 1 (within {SUM_TOLERANCE:g}; or write '#' on a branch to "
                         f"take the rest), {_row_name(row, size, row_text)}")
    sums = block.sum(axis=1, keepdims=True)
    block /= np.where(sums > 0, sums, 1.0)


def _select(tree: CompiledTree, theta: np.ndarray, block: np.ndarray, pset: ProbabilitySet,
            values: dict, row_text) -> None:
    size = block.shape[0]
    chosen = np.zeros(size, dtype=bool)
    for condition, number in pset.select:
        if number in ("one", "zero"):
            source = np.full(block.shape, 1.0 if number == "one" else 0.0)
        else:
            start = int(tree.offsets[number])
            source = theta[:, start:start + len(pset.branches)]
        if condition is None:
            holds = ~chosen
        else:
            holds = condition.evaluate(values, size, row_text) != 0
            holds &= ~chosen
        block[holds] = source[holds]
        chosen |= holds
    if not chosen.all():
        row = int(np.argmax(~chosen))
        raise QueryError(f"{pset.key!r}: none of the rules holds and the phase has no default "
                         f"probabilities, {_row_name(row, size, row_text)}")


def _row_name(row: int, size: int, row_text) -> str:
    if row_text is not None:
        return row_text(row)
    return "at the base case" if size == 1 else f"in row {row}"


def _shown(formula: CompiledFormula | None, values: dict, row: int, size: int) -> str:
    if formula is None or not formula.expression.names:
        return ""
    shown = [f"{n} = {np.broadcast_to(values[n], (size,))[row]:.6g}"
             for n in sorted(formula.expression.names)]
    return f" ({', '.join(shown)})"


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


def compile_sets(model: ScenarioFile, sets: tuple[ProbabilitySet, ...], *,
                 space: ParameterSpace | None = None
                 ) -> tuple[tuple[ProbabilitySet, ...], list[tuple[tuple, str]]]:
    """Rebuild ``sets`` from ``model``: the same keys, with the model's priors now.

    Returns the sets and the problems found (unknown names in formulas, derived
    probabilities that are not probabilities at the base case).
    """
    numbers = {p.id: i for i, p in enumerate(model.phases)}
    problems: list[tuple[tuple, str]] = []
    rebuilt = []
    for pset in sets:
        i = numbers[pset.phase]
        if pset.select is not None:
            rebuilt.append(pset)
        elif pset.rule is None:
            rebuilt.append(default_set(model, i, space=space, problems=problems))
        else:
            rebuilt.append(rule_set(model, i, [r.id for r in model.phases[i].rules]
                                    .index(pset.rule), space=space, problems=problems))
    if problems:
        return tuple(rebuilt), problems
    return _with_bases(tuple(rebuilt), space)


def _with_bases(sets: tuple[ProbabilitySet, ...], space: ParameterSpace | None
                ) -> tuple[tuple[ProbabilitySet, ...], list[tuple[tuple, str]]]:
    """Compute every derived set's base case (selectors after the sets they choose from)."""
    if not any(s.kind == "derived" for s in sets):
        return sets, []
    offsets = np.cumsum([0] + [len(s.branches) for s in sets])
    sizes = {id(s): len(s.branches) for s in sets}
    del sizes
    parts = [np.full(len(s.branches), np.nan) if s.kind == "derived" else s.means()
             for s in sets]
    theta = np.concatenate(parts + ([space.base_values()] if space is not None else []))[None]
    tree = CompiledTree((), (), (), sets, offsets[:-1], np.zeros((0, 0), int),
                        np.zeros((0, 0), int), np.zeros(0, int), np.zeros((0, 0)), space=space)
    try:
        theta = tree.derive(theta)
    except QueryError as exc:
        return sets, [((), str(exc))]
    return tuple(replace(s, base=tuple(float(v) for v in theta[0, offsets[k]:offsets[k + 1]]))
                 if s.kind == "derived" else s for k, s in enumerate(sets)), []


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


class _PathLimit(Exception):
    pass


def compile_tree(model: ScenarioFile, locate: Locate | None = None
                 ) -> tuple[CompiledTree | None, list[tuple[tuple, str]], list[str]]:
    """Expand ``model`` into a :class:`CompiledTree`.

    ``locate`` turns a location into ``file:line: location`` for messages at
    evaluation time. Returns the tree (``None`` if it could not be built),
    the problems found as ``(location, message)`` pairs, and warnings as
    text. The model's probability sets are assumed to have passed their own
    checks (:mod:`analysis.model.checks`).
    """
    locate = locate or plain_locate("<scenario>")
    space, problems = build_parameter_space(model, locate)
    if problems:
        return None, problems, []
    conditions, problems = compile_conditions(model, space)
    if problems:
        return None, problems, []
    phases = model.phases
    phase_ids = [p.id for p in phases]
    outcome_ids = list(model.outcomes)
    found: list[tuple[tuple, str]] = []
    defaults = [default_set(model, i, space=space, problems=found) for i in range(len(phases))]
    rules = [[rule_set(model, i, r, space=space, problems=found) for r in range(len(p.rules))]
             for i, p in enumerate(phases)]
    if found:
        return None, found, []

    set_order: dict[str, int] = {}
    sets: list[ProbabilitySet] = []
    rows: list[tuple[list[int], list[tuple[int, int]], int]] = []
    problems_at: dict[tuple, str] = {}

    def set_number(pset: ProbabilitySet) -> int:
        if pset.key not in set_order:
            set_order[pset.key] = len(sets)
            sets.append(pset)
        return set_order[pset.key]

    def describe(taken: dict) -> str:
        steps = [f"{p}={b}" for p, b in taken.items() if b is not None]
        return " > ".join(steps) or "(start)"

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
        if len(rows) >= MAX_PATHS:
            raise _PathLimit
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
        return None, [((), f"the scenario expands to more than {MAX_PATHS} paths, "
                           "expected fewer (merge branches or end paths earlier)")], []
    if problems_at:
        return None, list(problems_at.items()), []
    ordered, problems = _with_bases(tuple(sets), space)
    if problems:
        return None, problems, []

    offsets = np.cumsum([0] + [len(s.branches) for s in ordered])
    n_theta = int(offsets[-1]) + space.size
    edge_index = np.full((len(rows), len(phases)), n_theta, dtype=np.int64)
    for p, (_, edges, _) in enumerate(rows):
        for k, set_no, b in edges:
            edge_index[p, k] = offsets[set_no] + b
    tree = CompiledTree(
        phases=tuple(phase_ids),
        outcomes=tuple(outcome_ids),
        attributes=tuple(model.attributes),
        sets=ordered,
        offsets=offsets[:-1],
        branch_index=np.array([r[0] for r in rows], dtype=np.int64).reshape(len(rows), -1),
        edge_index=edge_index,
        outcome_index=np.array([r[2] for r in rows], dtype=np.int64),
        attribute_values=np.zeros((len(rows), len(model.attributes))),
        space=space,
    )
    tree, problems = _with_values(tree, model, space)
    if tree is None:
        return None, problems, []
    used = set(set_order) | {f"{phases[i].id}.{r.id}" for s in ordered if s.select
                             for i, p in enumerate(phases) if p.id == s.phase for r in p.rules}
    warnings = _unused(model, tree, used)
    return tree, [], warnings


def _with_values(tree: CompiledTree, model: ScenarioFile, space: ParameterSpace
                 ) -> tuple[CompiledTree | None, list[tuple[tuple, str]]]:
    """Attach the paths' values (attributes, utilities) as functions of the parameters."""
    values, problems = build_path_values(model, tree, space)
    if values is None:
        return None, problems
    return replace(tree, values=values, attribute_values=values.base_attributes), []


def _unused(model: ScenarioFile, tree: CompiledTree, used_sets: dict[str, int]) -> list[str]:
    messages = []
    reached = set(tree.outcome_index.tolist())
    for k, outcome in enumerate(tree.outcomes):
        if k not in reached:
            messages.append(f"outcomes.{outcome}: no path of the tree reaches outcome {outcome!r}")
    for i, phase in enumerate(model.phases):
        for r, rule in enumerate(phase.rules):
            if f"{phase.id}.{rule.id}" not in used_sets:
                messages.append(f"phases[{i}].rules[{r}]: rule {rule.id!r} applies on no path "
                                "(an earlier rule or the phase's applies_when always wins)")
    return messages
