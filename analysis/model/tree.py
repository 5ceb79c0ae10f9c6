"""Compile a scenario into arrays: one row per path, one column per phase.

Every probability in a compiled tree lives in one flat vector ``theta`` (one
entry per branch of every probability set). A path's probability is the
product of the entries its edges point to, so evaluating the tree for one
vector of probabilities, or for a matrix of them (one row per Monte Carlo
draw), is a single gather and product.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..core.beta import beta_quantiles
from ..core.lazy import lazy_module
from ..formats.scenario_file import FixedPrior, Prior, ScenarioFile

if TYPE_CHECKING:
    import numpy as np
else:  # the tree is expanded and checked in pure Python; numpy builds its arrays
    np = lazy_module("numpy")

__all__ = [
    "MAX_PATHS",
    "NOT_REACHED",
    "SKIPPED",
    "CompiledTree",
    "ProbabilitySet",
    "check_tree",
    "compile_sets",
    "compile_tree",
    "condition_holds",
    "count_paths",
    "default_set",
    "normalise_logs",
    "rule_set",
]

#: Bound on the number of paths a scenario may expand to.
MAX_PATHS = 100_000
#: Rows of probability vectors evaluated at once: bounds memory to about this many
#: (path x phase) cells per chunk.
CHUNK_CELLS = 4_000_000
#: Below this, a sum of path probabilities is recomputed in logarithms (see weighted_paths).
_TINY = 1e-250
#: Branch index of a phase skipped by ``applies_when`` on a path.
SKIPPED = -1
#: Branch index of a phase after the path has already ended.
NOT_REACHED = -2


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
    """

    key: str
    phase: str
    rule: str | None
    branches: tuple[str, ...]
    priors: tuple[Prior | None, ...]
    location: tuple

    @property
    def kind(self) -> str:
        """``'dirichlet'``, ``'beta'`` (one uncertain branch) or ``'fixed'``."""
        kinds = {p.kind for p in self.priors if p is not None}
        if "dirichlet" in kinds:
            return "dirichlet"
        return "fixed" if kinds <= {"fixed"} else "beta"

    @property
    def uncertain_branch(self) -> int | None:
        """In a ``'beta'`` set, the branch whose prior is uncertain (the other takes the rest)."""
        if self.kind != "beta":
            return None
        return next(i for i, p in enumerate(self.priors) if p is not None and p.kind != "fixed")

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
        """Return each branch's probability at the priors' means."""
        if self.kind == "dirichlet":
            alphas = np.array([p.concentration for p in self.priors])
            return alphas / alphas.sum()
        values = np.array([np.nan if p is None else p.mean for p in self.priors])
        rest = np.isnan(values)
        values[rest] = max(0.0, 1.0 - values[~rest].sum())
        return values / values.sum()  # absorbs rounding within SUM_TOLERANCE


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
    log_likelihood : ndarray of float, shape (n_paths,), or None
        With evidence: the logarithm of each path's likelihood (``-inf``
        where the evidence rules the path out).
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

    @property
    def n_paths(self) -> int:
        """Number of paths."""
        return len(self.outcome_index)

    @property
    def n_theta(self) -> int:
        """Length of the flat probability vector."""
        return int(sum(len(s.branches) for s in self.sets))

    def mean_theta(self) -> np.ndarray:
        """Return the flat probability vector at every prior's mean."""
        if not self.sets:
            return np.zeros(0)
        return np.concatenate([s.means() for s in self.sets])

    def prior_probabilities(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Return each path's probability for ``theta`` of shape ``(..., n_theta)``, no evidence.

        ``theta`` defaults to the priors' means; a 2-D ``theta`` (one row per
        draw) gives one row of path probabilities per draw.
        """
        theta = self.mean_theta() if theta is None else np.asarray(theta, dtype=float)
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


def condition_holds(
    condition: dict | None, phase_ids: list[str], branches: list[str | None]
) -> bool:
    """Whether ``condition`` (phase -> branch or branches) holds for a partial path.

    ``branches[i]`` is the branch taken at ``phase_ids[i]`` so far (``None``
    if skipped). Phases the path has not reached do not match.
    """
    if condition is None:
        return True
    taken = dict(zip(phase_ids, branches, strict=False))
    for phase, wanted in condition.items():
        allowed = {wanted} if isinstance(wanted, str) else set(wanted)
        if taken.get(phase) not in allowed:
            return False
    return True


def default_set(model: ScenarioFile, phase_number: int) -> ProbabilitySet | None:
    """Return the phase's default probability set, from its branches' priors (or None).

    A decision phase (one with a ``decision_maker``) compiles to fixed
    probabilities: 1 on its ``assumed`` option (default: the first), 0 on the
    others, so that every chance-only evaluation sees the assumed option
    taken; :mod:`analysis.engines.rollback` optimises over the options instead.
    """
    phase = model.phases[phase_number]
    if phase.decision_maker is not None:
        # An unknown 'assumed' is reported by the scenario's checks; fall back quietly here.
        assumed = phase.assumed if phase.assumed in phase.branches else next(iter(phase.branches))
        why = f"decision by {phase.decision_maker}: 1 on the assumed option {assumed!r}"
        priors = tuple(FixedPrior(value=float(b == assumed), rationale=why)
                       for b in phase.branches)
        return ProbabilitySet(phase.id, phase.id, None, tuple(phase.branches), priors,
                              ("phases", phase_number, "branches"))
    priors = tuple(b.prior for b in phase.branches.values())
    if all(p is None for p in priors):
        return None
    return ProbabilitySet(phase.id, phase.id, None, tuple(phase.branches), priors,
                          ("phases", phase_number, "branches"))


def rule_set(model: ScenarioFile, phase_number: int, rule_number: int) -> ProbabilitySet:
    """Return the probability set of one of the phase's rules."""
    phase = model.phases[phase_number]
    rule = phase.rules[rule_number]
    priors = tuple(rule.priors.get(b) for b in phase.branches)
    return ProbabilitySet(f"{phase.id}.{rule.id}", phase.id, rule.id, tuple(phase.branches),
                          priors, ("phases", phase_number, "rules", rule_number, "priors"))


def compile_sets(model: ScenarioFile, sets: tuple[ProbabilitySet, ...]
                 ) -> tuple[ProbabilitySet, ...]:
    """Rebuild ``sets`` from ``model``: the same keys, with the model's priors now."""
    numbers = {p.id: i for i, p in enumerate(model.phases)}
    rebuilt = []
    for pset in sets:
        i = numbers[pset.phase]
        if pset.rule is None:
            rebuilt.append(default_set(model, i))
        else:
            rebuilt.append(rule_set(model, i, [r.id for r in model.phases[i].rules]
                                    .index(pset.rule)))
    return tuple(rebuilt)


class _PathLimit(Exception):
    pass


def count_paths(model: ScenarioFile, *, limit: int = MAX_PATHS) -> tuple[int, bool]:
    """Return how many paths ``model`` expands to, finished or not, without expanding it.

    Only ``applies_when`` changes the shape of the tree (rules change its
    probabilities, outcome rules where its paths end), so partial paths are
    counted in groups that agree on the phases later ``applies_when``
    conditions name: the count is exact and quick however large it is. Only
    when the groups themselves pass ``limit`` does counting stop, with a
    count already above ``limit``.

    Returns
    -------
    (int, bool)
        The count, and whether it is complete (False: the paths are more).
    """
    phases = model.phases
    phase_ids = [p.id for p in phases]
    applies = [_compiled(p.applies_when, phase_ids) for p in phases]
    # The phases that a later phase's applies_when names, after each phase.
    named_later: list[set[int]] = [set() for _ in phases]
    seen: set[int] = set()
    for i in range(len(phases) - 1, -1, -1):
        named_later[i] = {k for k in seen if k <= i}
        seen |= {k for k, _ in applies[i]}
    groups: dict[tuple, int] = {(): 1}
    ended = 0
    for i, phase in enumerate(phases):
        endings = [branch.outcome is not None for branch in phase.branches.values()]
        following: dict[tuple, int] = {}
        for key, paths in groups.items():
            taken = dict(key)
            if all(taken.get(k) in allowed for k, allowed in applies[i]):
                ended += paths * sum(endings)
                steps = [b for b, ends in zip(phase.branches, endings, strict=True) if not ends]
            else:
                steps = [None]
            for branch in steps:
                grown = tuple((k, v) for k, v in (*key, (i, branch)) if k in named_later[i])
                following[grown] = following.get(grown, 0) + paths
        groups = following
        if len(groups) > limit:  # as many groups as paths: stop, the count is past the limit
            return ended + sum(groups.values()), False
    return ended + sum(groups.values()), True


def _compiled(condition: dict | None, phase_ids: list[str]) -> list[tuple[int, frozenset]]:
    """Return a condition as ``(phase number, allowed branches)`` pairs for :func:`_matches`."""
    if condition is None:
        return []
    number = {p: i for i, p in enumerate(phase_ids)}
    return [(number.get(phase, len(phase_ids)),
             frozenset([wanted] if isinstance(wanted, str) else wanted))
            for phase, wanted in condition.items()]


def _matches(pairs: list[tuple[int, frozenset]], taken: list[str | None]) -> bool:
    for i, allowed in pairs:
        if i >= len(taken) or taken[i] not in allowed:
            return False
    return True


@dataclass
class _Expansion:
    """The paths of a tree in pure Python (no arrays yet), or why there are none."""

    rows: list  # (branch per phase, (set, branch) per edge, outcome number, attribute values)
    sets: list[ProbabilitySet]
    set_order: dict[str, int]
    problems: list[tuple[tuple, str]]


def compile_tree(model: ScenarioFile) -> tuple[CompiledTree | None, list[tuple[tuple, str]],
                                               list[str]]:
    """Expand ``model`` into a :class:`CompiledTree`.

    Returns the tree (``None`` if it could not be built), the problems found
    as ``(location, message)`` pairs, and warnings as text. The model's
    probability sets are assumed to have passed their own checks.

    The paths are counted from the phases first (:func:`count_paths`),
    whether they reach an outcome or not, so a tree of more than
    :data:`MAX_PATHS` paths is refused before it is expanded.
    """
    expansion = _expand(model)
    if expansion.problems:
        return None, expansion.problems, []
    rows, sets = expansion.rows, expansion.sets
    phases = model.phases
    offsets = np.cumsum([0] + [len(s.branches) for s in sets])
    n_theta = int(offsets[-1])
    edge_index = np.full((len(rows), len(phases)), n_theta, dtype=np.int64)
    for p, (choices, edges, _, _) in enumerate(rows):
        phase_positions = [k for k, c in enumerate(choices) if c >= 0]
        for k, (set_no, b) in zip(phase_positions, edges, strict=True):
            edge_index[p, k] = offsets[set_no] + b
    tree = CompiledTree(
        phases=tuple(p.id for p in phases),
        outcomes=tuple(model.outcomes),
        attributes=tuple(model.attributes),
        sets=tuple(sets),
        offsets=offsets[:-1],
        branch_index=np.array([r[0] for r in rows], dtype=np.int64).reshape(len(rows), -1),
        edge_index=edge_index,
        outcome_index=np.array([r[2] for r in rows], dtype=np.int64),
        attribute_values=np.array([r[3] for r in rows], dtype=float).reshape(
            len(rows), len(model.attributes)),
    )
    return tree, [], _unused(model, expansion)


def check_tree(model: ScenarioFile) -> tuple[list[tuple[tuple, str]], list[str]]:
    """Return the problems and warnings of :func:`compile_tree`, without building arrays.

    What ``dealtree validate`` needs: the same expansion and the same
    messages, in pure Python (numpy is never imported).
    """
    expansion = _expand(model)
    if expansion.problems:
        return expansion.problems, []
    return [], _unused(model, expansion)


def _expand(model: ScenarioFile) -> _Expansion:
    """Walk every path of ``model``; collect its rows, probability sets and problems."""
    phases = model.phases
    phase_ids = [p.id for p in phases]
    outcome_ids = list(model.outcomes)
    outcome_number = {o: k for k, o in enumerate(outcome_ids)}
    attribute_ids = list(model.attributes)
    combine = [a.combine for a in model.attributes.values()]
    defaults = [default_set(model, i) for i in range(len(phases))]
    rules = [[rule_set(model, i, r) for r in range(len(p.rules))] for i, p in enumerate(phases)]
    applies = [_compiled(p.applies_when, phase_ids) for p in phases]
    rule_when = [[_compiled(rule.when, phase_ids) for rule in p.rules] for p in phases]
    outcome_when = [(_compiled(rule.when, phase_ids), rule.outcome)
                    for rule in model.outcome_rules]
    branch_steps = [[(b, branch_id, branch.outcome,
                      [(attribute_ids.index(name), value) for name, value
                       in branch.attributes.items() if name in attribute_ids])
                     for b, (branch_id, branch) in enumerate(p.branches.items())]
                    for p in phases]

    set_order: dict[str, int] = {}
    sets: list[ProbabilitySet] = []
    rows: list[tuple[list[int], list[tuple[int, int]], int, list[float]]] = []
    problems: dict[tuple, str] = {}
    counted = [0]  # paths met so far, finished or not

    def set_number(pset: ProbabilitySet) -> int:
        if pset.key not in set_order:
            set_order[pset.key] = len(sets)
            sets.append(pset)
        return set_order[pset.key]

    def describe(taken: list[str | None]) -> str:
        steps = [f"{p}={b}" for p, b in zip(phase_ids, taken, strict=False) if b is not None]
        return " > ".join(steps) or "(start)"

    def count() -> None:
        counted[0] += 1
        if counted[0] > MAX_PATHS:
            raise _PathLimit

    def finish(choices, edges, outcome, attrs):
        counted[0] += 1
        if counted[0] > MAX_PATHS:
            raise _PathLimit
        if len(choices) < len(phases):
            choices = choices + [NOT_REACHED] * (len(phases) - len(choices))
        rows.append((choices, edges, outcome_number[outcome], attrs))

    def visit(i, choices, edges, taken, attrs):
        if i == len(phases):
            for pairs, outcome in outcome_when:
                if _matches(pairs, taken):
                    finish(choices, edges, outcome, attrs)
                    return
            count()
            problems.setdefault(("outcome_rules",),
                                f"path {describe(taken)} reaches no outcome: no branch on it "
                                "ends the scenario and no outcome rule matches it")
            return
        if not _matches(applies[i], taken):
            visit(i + 1, choices + [SKIPPED], edges, taken + [None], attrs)
            return
        pset = defaults[i] if not rules[i] else next(
            (rs for rs, pairs in zip(rules[i], rule_when[i], strict=True)
             if _matches(pairs, taken)), defaults[i])
        if pset is None:
            count()
            problems.setdefault(("phases", i, "branches"),
                                f"no probabilities for path {describe(taken)}: none of the "
                                f"phase's rules matches it and its branches have no default prior")
            return
        base = set_number(pset)
        for b, branch_id, outcome, values in branch_steps[i]:
            step_attrs = attrs
            if values:  # a branch without attributes shares its parent's (never changed)
                step_attrs = attrs.copy()
                for k, value in values:
                    step_attrs[k] = value if combine[k] == "last" else step_attrs[k] + value
            if outcome is not None:
                finish(choices + [b], edges + [(base, b)], outcome, step_attrs)
            else:
                visit(i + 1, choices + [b], edges + [(base, b)], taken + [branch_id], step_attrs)

    total, complete = count_paths(model)
    if total > MAX_PATHS:
        return _Expansion([], [], {}, [((), _too_many(total, exact=complete))])
    try:
        visit(0, [], [], [], [float(a.initial) for a in model.attributes.values()])
    except _PathLimit:  # not expected after the count; kept as a bound on the work
        return _Expansion([], [], {}, [((), _too_many(counted[0], exact=False))])
    return _Expansion(rows, sets, set_order, list(problems.items()))


def _unused(model: ScenarioFile, expansion: _Expansion) -> list[str]:
    messages = []
    reached = {row[2] for row in expansion.rows}
    for k, outcome in enumerate(model.outcomes):
        if k not in reached:
            messages.append(f"outcomes.{outcome}: no path of the tree reaches outcome {outcome!r}")
    for i, phase in enumerate(model.phases):
        for r, rule in enumerate(phase.rules):
            if f"{phase.id}.{rule.id}" not in expansion.set_order:
                messages.append(f"phases[{i}].rules[{r}]: rule {rule.id!r} applies on no path "
                                "(an earlier rule or the phase's applies_when always wins)")
    return messages


def _too_many(count: int, *, exact: bool) -> str:
    size = f"{count:,}" if count < 10**12 else f"about {float(count):.2g}"
    return (f"the scenario expands to {'' if exact else 'more than '}{size} paths, expected at "
            f"most {MAX_PATHS:,} (merge branches, end paths earlier, or skip phases with "
            "applies_when)")
