"""Compile a scenario into arrays: one row per path, one column per phase.

Every probability in a compiled tree lives in one flat vector ``theta`` (one
entry per branch of every probability set). A path's probability is the
product of the entries its edges point to, so evaluating the tree for one
vector of probabilities, or for a matrix of them (one row per Monte Carlo
draw), is a single gather and product.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..core.beta import beta_quantiles
from ..formats.scenario_file import FixedPrior, Prior, ScenarioFile

__all__ = [
    "MAX_PATHS",
    "NOT_REACHED",
    "SKIPPED",
    "CompiledTree",
    "ProbabilitySet",
    "compile_sets",
    "compile_tree",
    "condition_holds",
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


def compile_tree(model: ScenarioFile) -> tuple[CompiledTree | None, list[tuple[tuple, str]],
                                               list[str]]:
    """Expand ``model`` into a :class:`CompiledTree`.

    Returns the tree (``None`` if it could not be built), the problems found
    as ``(location, message)`` pairs, and warnings as text. The model's
    probability sets are assumed to have passed their own checks.
    """
    phases = model.phases
    phase_ids = [p.id for p in phases]
    outcome_ids = list(model.outcomes)
    attribute_ids = list(model.attributes)
    combine = [a.combine for a in model.attributes.values()]
    defaults = [default_set(model, i) for i in range(len(phases))]
    rules = [[rule_set(model, i, r) for r in range(len(p.rules))] for i, p in enumerate(phases)]

    set_order: dict[str, int] = {}
    sets: list[ProbabilitySet] = []
    rows: list[tuple[list[int], list[tuple[int, int]], int, np.ndarray]] = []
    problems: dict[tuple, str] = {}

    def set_number(pset: ProbabilitySet) -> int:
        if pset.key not in set_order:
            set_order[pset.key] = len(sets)
            sets.append(pset)
        return set_order[pset.key]

    def describe(taken: list[str | None]) -> str:
        steps = [f"{p}={b}" for p, b in zip(phase_ids, taken, strict=False) if b is not None]
        return " > ".join(steps) or "(start)"

    def finish(choices, edges, taken, outcome, attrs):
        if len(rows) >= MAX_PATHS:
            raise _PathLimit
        padded = choices + [NOT_REACHED] * (len(phases) - len(choices))
        rows.append((padded, edges, outcome_ids.index(outcome), attrs))

    def visit(i, choices, edges, taken, attrs):
        if i == len(phases):
            for rule in model.outcome_rules:
                if condition_holds(rule.when, phase_ids, taken):
                    finish(choices, edges, taken, rule.outcome, attrs)
                    return
            problems.setdefault(("outcome_rules",),
                                f"path {describe(taken)} reaches no outcome: no branch on it "
                                "ends the scenario and no outcome rule matches it")
            return
        phase = phases[i]
        if not condition_holds(phase.applies_when, phase_ids, taken):
            visit(i + 1, choices + [SKIPPED], edges, taken + [None], attrs)
            return
        pset = next((rs for rs, rule in zip(rules[i], phase.rules, strict=True)
                     if condition_holds(rule.when, phase_ids, taken)), defaults[i])
        if pset is None:
            problems.setdefault(("phases", i, "branches"),
                                f"no probabilities for path {describe(taken)}: none of the "
                                f"phase's rules matches it and its branches have no default prior")
            return
        base = set_number(pset)
        for b, (branch_id, branch) in enumerate(phase.branches.items()):
            step_attrs = attrs.copy()
            for name, value in branch.attributes.items():
                k = attribute_ids.index(name)
                step_attrs[k] = value if combine[k] == "last" else step_attrs[k] + value
            step = (choices + [b], edges + [(base, b)], taken + [branch_id])
            if branch.outcome is not None:
                finish(*step, branch.outcome, step_attrs)
            else:
                visit(i + 1, *step, step_attrs)

    try:
        visit(0, [], [], [], np.array([a.initial for a in model.attributes.values()], float))
    except _PathLimit:
        return None, [((), f"the scenario expands to more than {MAX_PATHS} paths, "
                           "expected fewer (merge branches or end paths earlier)")], []
    if problems:
        return None, list(problems.items()), []

    offsets = np.cumsum([0] + [len(s.branches) for s in sets])
    n_theta = int(offsets[-1])
    edge_index = np.full((len(rows), len(phases)), n_theta, dtype=np.int64)
    for p, (choices, edges, _, _) in enumerate(rows):
        phase_positions = [k for k, c in enumerate(choices) if c >= 0]
        for k, (set_no, b) in zip(phase_positions, edges, strict=True):
            edge_index[p, k] = offsets[set_no] + b
    tree = CompiledTree(
        phases=tuple(phase_ids),
        outcomes=tuple(outcome_ids),
        attributes=tuple(attribute_ids),
        sets=tuple(sets),
        offsets=offsets[:-1],
        branch_index=np.array([r[0] for r in rows], dtype=np.int64).reshape(len(rows), -1),
        edge_index=edge_index,
        outcome_index=np.array([r[2] for r in rows], dtype=np.int64),
        attribute_values=np.array([r[3] for r in rows], dtype=float).reshape(
            len(rows), len(attribute_ids)),
    )
    warnings = _unused(model, tree, set_order)
    return tree, [], warnings


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
