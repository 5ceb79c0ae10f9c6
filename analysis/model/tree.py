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

The paths are counted and walked in pure Python first
(:mod:`analysis.model.expansion`): a tree of more than :data:`MAX_PATHS`
paths, finished or not, is refused before anything is built. Evidence
weighs the paths by likelihoods kept as logarithms, so that many tiny or
huge likelihood ratios never underflow or overflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from ..core.errors import QueryError
from ..core.lazy import lazy_module
from ..formats.scenario_file import ScenarioFile
from .expansion import (
    MAX_PATHS,
    NOT_REACHED,
    SKIPPED,
    SUM_TOLERANCE,
    Expansion,
    ProbabilitySet,
    compile_conditions,
    default_set,
    expand_paths,
    rule_set,
)
from .formulas import CompiledFormula, Locate, ParameterSpace, build_parameter_space, plain_locate
from .values import build_path_values

if TYPE_CHECKING:
    import numpy as np

    from .values import PathValues
else:  # imported on first use: `dealtree validate` never needs it
    np = lazy_module("numpy")

__all__ = [
    "MAX_PATHS",
    "NOT_REACHED",
    "SKIPPED",
    "SUM_TOLERANCE",
    "CompiledTree",
    "ProbabilitySet",
    "check_tree",
    "compile_sets",
    "compile_tree",
    "normalise_logs",
]

#: Rows of probability vectors evaluated at once: bounds memory to about this many
#: (path x phase) cells per chunk.
CHUNK_CELLS = 4_000_000
#: Below this, a sum of path probabilities is recomputed in logarithms (see weighted_paths).
_TINY = 1e-250


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
    log_likelihood : ndarray of float, shape (n_paths,), or None
        With evidence: the logarithm of each path's likelihood (``-inf``
        where the evidence rules the path out).
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
    log_likelihood: np.ndarray | None = field(default=None, repr=False)
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

    @property
    def likelihood(self) -> np.ndarray | None:
        """The evidence's likelihood of each path, scaled so that the largest is 1 (or None).

        Only ratios of likelihoods matter; the tree keeps their logarithms
        (``log_likelihood``, ``-inf`` for a path the evidence rules out), so
        that many small or large factors never underflow or overflow.
        """
        if self.log_likelihood is None:
            return None
        return np.exp(self.log_likelihood - _finite_max(self.log_likelihood))

    def joint_probabilities(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Return ``P_theta(path) * L(path)``, not renormalised (``L``: :attr:`likelihood`).

        Without evidence this is :meth:`prior_probabilities`; with it, its sum
        is proportional to the probability of the evidence (``L`` is scaled
        so that its largest value is 1). :meth:`weighted_paths` gives the robust
        form of that sum.
        """
        prior = self.prior_probabilities(theta)
        return prior if self.log_likelihood is None else prior * self.likelihood

    def weighted_paths(self, theta: np.ndarray | None = None, mask: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Return each row's path distribution given the evidence, and its log weight.

        For row ``i`` of ``theta`` the weight is ``log sum_p P_i(p) L(p) mask(p)``
        (``-inf`` where nothing is left); the distribution is ``P_i L mask``
        renormalised (all zeros where the weight is ``-inf``). ``L`` is scaled
        so that its largest value is 1, and a row whose products underflow is
        computed again in logarithms, so no row is lost to underflow.
        """
        prior = self.prior_probabilities(theta)
        if mask is not None:
            prior = prior * np.asarray(mask, dtype=float)
        scale = 0.0
        joint = prior
        if self.log_likelihood is not None:
            scale = _finite_max(self.log_likelihood)
            joint = prior * np.exp(self.log_likelihood - scale)
        total = joint.sum(axis=-1, keepdims=True)
        tiny = (total < _TINY) & (prior.sum(axis=-1, keepdims=True) > 0)
        if np.any(tiny) and self.log_likelihood is not None:  # underflow: in logarithms
            with np.errstate(divide="ignore"):
                redo = np.log(prior) + (self.log_likelihood - scale)
            weights, log_total = normalise_logs(redo)
            rows = tiny[..., 0]
            joint = np.where(tiny, weights, joint)
            total = np.where(tiny, 1.0, total)
            with np.errstate(divide="ignore"):
                log_sum = np.where(rows, log_total, np.log(total[..., 0]))
        else:
            with np.errstate(divide="ignore"):
                log_sum = np.log(total[..., 0])
        return joint / np.where(total > 0, total, 1.0), log_sum + scale

    def path_probabilities(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Return each path's probability for ``theta``, given the evidence if there is some.

        ``P_theta(path) L(path)`` renormalised over the paths (per row for a
        2-D ``theta``), in logarithms; without evidence, :meth:`prior_probabilities`.
        """
        if self.log_likelihood is None:
            return self.prior_probabilities(theta)
        return self.weighted_paths(theta)[0]

    def row_chunks(self, n_rows: int) -> list[slice]:
        """Split ``n_rows`` probability vectors into chunks of at most :data:`CHUNK_CELLS` cells."""
        size = max(1, CHUNK_CELLS // max(1, self.n_paths * len(self.phases)))
        return [slice(i, min(i + size, n_rows)) for i in range(0, n_rows, size)]

    def with_likelihood(self, likelihood: np.ndarray | None) -> CompiledTree:
        """Return the same tree with its paths weighted by an evidence ``likelihood``."""
        if likelihood is None:
            return replace(self, log_likelihood=None)
        with np.errstate(divide="ignore"):
            return self.with_log_likelihood(np.log(np.asarray(likelihood, dtype=float)))

    def with_log_likelihood(self, log_likelihood: np.ndarray | None) -> CompiledTree:
        """Return the same tree with its paths weighted by the logarithm of a likelihood."""
        if log_likelihood is not None:
            log_likelihood = np.asarray(log_likelihood, dtype=float)
            if np.isnan(log_likelihood).any() or np.isposinf(log_likelihood).any():
                raise ValueError("log_likelihood: expected finite numbers or -inf, one per path")
        return replace(self, log_likelihood=log_likelihood)

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


def _finite_max(values: np.ndarray, axis=None) -> np.ndarray | float:
    """Return the largest finite value (0 if there is none), to subtract before ``exp``."""
    top = np.max(values, axis=axis, keepdims=axis is not None, initial=-np.inf)
    return np.where(np.isfinite(top), top, 0.0) if axis is not None else (
        float(top) if np.isfinite(top) else 0.0)


def normalise_logs(log_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``exp(log_weights)`` normalised along the last axis, and the log of its sum.

    The largest value of each row is subtracted before ``exp``, so rows of
    tiny or huge weights keep their proportions; a row of ``-inf`` gives
    zeros and a log sum of ``-inf``.
    """
    top = _finite_max(log_weights, axis=-1)
    weights = np.exp(log_weights - top)
    total = weights.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        log_total = (top + np.log(total))[..., 0]
    return weights / np.where(total > 0, total, 1.0), log_total


def _derive_set(block: np.ndarray, pset: ProbabilitySet, values: dict,
                row_text: Callable[[int], str] | None) -> None:
    size = block.shape[0]
    rest = []
    for b, prior in enumerate(pset.priors):
        formula = pset.formulas[b]
        if formula is not None:
            block[:, b] = formula.evaluate(values, size, row_text)
        elif prior is None or getattr(prior, "kind", None) == "rest":
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


def _expand(model: ScenarioFile, locate: Locate
            ) -> tuple[ParameterSpace | None, Expansion | None, list[tuple[tuple, str]]]:
    """Return the parameter space and the paths of ``model``, or the problems found."""
    space, problems = build_parameter_space(model, locate)
    if problems:
        return None, None, problems
    conditions, problems = compile_conditions(model, space)
    if problems:
        return space, None, problems
    expansion = expand_paths(model, conditions, space, locate)
    if expansion.problems:
        return space, None, expansion.problems
    return space, expansion, []


def compile_tree(model: ScenarioFile, locate: Locate | None = None
                 ) -> tuple[CompiledTree | None, list[tuple[tuple, str]], list[str]]:
    """Expand ``model`` into a :class:`CompiledTree`.

    ``locate`` turns a location into ``file:line: location`` for messages at
    evaluation time. Returns the tree (``None`` if it could not be built),
    the problems found as ``(location, message)`` pairs, and warnings as
    text. The model's probability sets are assumed to have passed their own
    checks (:mod:`analysis.model.checks`).

    The paths are counted from the phases first
    (:func:`~analysis.model.expansion.count_paths`), whether they reach an
    outcome or not, so a tree of more than :data:`MAX_PATHS` paths is
    refused before it is expanded.
    """
    locate = locate or plain_locate("<scenario>")
    space, expansion, problems = _expand(model, locate)
    if expansion is None:
        return None, problems, []
    ordered, problems = _with_bases(tuple(expansion.sets), space)
    if problems:
        return None, problems, []
    rows = expansion.rows
    phases = model.phases
    offsets = np.cumsum([0] + [len(s.branches) for s in ordered])
    n_theta = int(offsets[-1]) + space.size
    edge_index = np.full((len(rows), len(phases)), n_theta, dtype=np.int64)
    for p, (_, edges, _) in enumerate(rows):
        for k, set_no, b in edges:
            edge_index[p, k] = offsets[set_no] + b
    tree = CompiledTree(
        phases=tuple(p.id for p in phases),
        outcomes=tuple(model.outcomes),
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
    return tree, [], _unused(model, expansion)


def check_tree(model: ScenarioFile, locate: Locate | None = None
               ) -> tuple[list[tuple[tuple, str]], list[str]]:
    """Return the problems and warnings of :func:`compile_tree`.

    What ``dealtree validate`` needs: the same checks and the same messages.
    A tree without parameters or formulas is checked by its walk alone, in
    pure Python (numpy is not imported): its values are plain numbers within
    their bounds, so building them finds nothing more.
    """
    if not model.parameters and not _has_formulas(model):
        space, expansion, problems = _expand(model, locate or plain_locate("<scenario>"))
        if expansion is None:
            return problems, []
        if not any(s.kind == "derived" or s.select is not None for s in expansion.sets):
            return [], _unused(model, expansion)
    tree, problems, warnings = compile_tree(model, locate)
    return problems, warnings


def _has_formulas(model: ScenarioFile) -> bool:
    """Whether any value of ``model`` (attributes, costs, payoffs, utilities) is a formula."""
    amounts = [v for phase in model.phases for branch in phase.branches.values()
               for v in (*branch.attributes.values(), *branch.costs.values(),
                         *branch.payoffs.values())]
    for utility in model.utilities.values():
        amounts += [*utility.outcomes.values(), *utility.attributes.values(),
                    utility.risk_tolerance]
    return any(isinstance(v, str) for v in amounts)


def _with_values(tree: CompiledTree, model: ScenarioFile, space: ParameterSpace
                 ) -> tuple[CompiledTree | None, list[tuple[tuple, str]]]:
    """Attach the paths' values (attributes, utilities) as functions of the parameters."""
    values, problems = build_path_values(model, tree, space)
    if values is None:
        return None, problems
    return replace(tree, values=values, attribute_values=values.base_attributes), []


def _unused(model: ScenarioFile, expansion: Expansion) -> list[str]:
    messages = []
    reached = {row[2] for row in expansion.rows}
    used = set(expansion.set_order) | {
        f"{p.id}.{r.id}" for s in expansion.sets if s.select
        for p in model.phases if p.id == s.phase for r in p.rules}
    for k, outcome in enumerate(model.outcomes):
        if k not in reached:
            messages.append(f"outcomes.{outcome}: no path of the tree reaches outcome {outcome!r}")
    for i, phase in enumerate(model.phases):
        for r, rule in enumerate(phase.rules):
            if f"{phase.id}.{rule.id}" not in used:
                messages.append(f"phases[{i}].rules[{r}]: rule {rule.id!r} applies on no path "
                                "(an earlier rule or the phase's applies_when always wins)")
    return messages
