"""Evaluating many variants of a scenario's priors: every option of one decision maker.

A :class:`SweepPlan` says what a sweep evaluates: the scenario, the
:class:`~analysis.model.ranges.ParameterSpace` whose values make a variant,
the design (``n_design`` points over the ranges, then any extra variants
such as analysts' priors), the decision maker, and the method:

``"exact"``
    Each variant's tree at its priors' means, solved by backward induction
    (:mod:`analysis.engines.rollback`).
``"monte_carlo"``
    The same policy (optimal at the variant's means), its values averaged
    over ``n_draws`` draws of the variant's priors (every uncertain set a
    Dirichlet with the variant's means and the set's concentration), with
    standard errors. Every expected utility of a fixed policy is multilinear
    in independent probability sets, so both methods estimate the same
    numbers: Monte Carlo is the check, and the route for models that are
    not multilinear.

For each variant it returns, at each **node** of the decision maker's first
decision phase (each information state), the decision maker's expected
utility of each option given the node is reached (their optimal policy
after it, other stakeholders' decisions at their assumed options); the
probability of reaching each node; the value of the optimal policy; and the
outcome distribution under the optimal policy and under each option taken
at every node of that phase.

Reproducibility
---------------
Variants are evaluated in blocks of :data:`BLOCK` aligned to the variant
index (design variants from 0, extra variants from ``n_design``), so every
block has the same arrays whatever the chunks or workers; design point
``i`` depends only on the seed and ``i`` (:mod:`analysis.engines.design`);
the draws of variant ``i`` come from the fixed child ``(1, i)`` of the
seed. The same seed therefore gives bit-identical results for any chunk
size and any number of workers (with the same library versions and
processor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.arguments import check_count
from ..core.errors import QueryError
from ..core.rng import child_sequence
from ..model.ranges import ParameterSpace, VariantPriors
from .design import unit_design
from .rollback import check_decision_maker, decision_engine

__all__ = [
    "BLOCK",
    "METHODS",
    "ExtraVariant",
    "SweepPlan",
    "check_method",
    "evaluate_variants",
]

#: Variants evaluated together; chunks of a sweep are whole blocks.
BLOCK = 64
#: How a variant is evaluated.
METHODS = ("exact", "monte_carlo")


def check_method(method: object) -> str:
    """Return ``method`` if it is one of :data:`METHODS`."""
    if method not in METHODS:
        raise QueryError(f"method == {method!r}, expected 'exact' (each variant at its "
                         "priors' means) or 'monte_carlo' (n_draws draws of its priors)")
    return str(method)


@dataclass(frozen=True, eq=False)
class ExtraVariant:
    """A variant outside the design (an analyst's priors): its values and its priors."""

    name: str
    values: np.ndarray  # (n_parameters,)
    priors: VariantPriors  # one row


@dataclass(frozen=True, eq=False)
class SweepPlan:
    """Everything a worker needs to evaluate any slice of a sweep's variants."""

    space: ParameterSpace
    decision_maker: str
    design: str
    n_design: int
    seed: np.random.SeedSequence
    method: str = "exact"
    n_draws: int = 0
    extras: tuple[ExtraVariant, ...] = ()
    points: np.ndarray | None = None  # unit design points when the design cannot be sliced

    def __post_init__(self):
        check_decision_maker(self.space.scenario, self.decision_maker)
        check_method(self.method)
        check_count(self.n_design, "n_variants", minimum=0)
        if self.method == "monte_carlo":
            check_count(self.n_draws, "n_draws", minimum=2)
        if self.n_variants == 0:
            raise QueryError("n_variants == 0 and no extra variant: nothing to evaluate")

    @property
    def n_variants(self) -> int:
        """Design variants and extra variants."""
        return self.n_design + len(self.extras)

    @property
    def scenario(self):
        """The swept scenario."""
        return self.space.scenario

    def layout(self) -> dict:
        """Return the first decision phase's nodes and options, the policies and the outcomes."""
        engine = decision_engine(self.scenario)
        first = min(n.phase for n in engine.nodes if n.owner == self.decision_maker)
        nodes = [n for n in engine.nodes if n.phase == first]
        return {"phase": first, "nodes": nodes, "options": nodes[0].option_ids,
                "policies": ("optimal", *nodes[0].option_ids),
                "outcomes": self.scenario.tree.outcomes}

    def blocks(self) -> list[tuple[int, int]]:
        """Return the blocks of variants, in order: ``(start, stop)``."""
        edges = [*range(0, self.n_design, BLOCK), self.n_design,
                 *range(self.n_design + BLOCK, self.n_variants, BLOCK), self.n_variants]
        edges = sorted(set(edges))
        return list(zip(edges[:-1], edges[1:], strict=True))

    def columns(self) -> list[str]:
        """Return the names of the columns :func:`evaluate_variants` returns, in order."""
        layout = self.layout()
        nodes, options = range(len(layout["nodes"])), layout["options"]
        return (["variant", "kind", "name"]
                + [f"x:{name}" for name in self.space.names]
                + [f"value:{j}:{o}" for j in nodes for o in options]
                + [f"value_se:{j}:{o}" for j in nodes for o in options]
                + [f"reach:{j}" for j in nodes] + ["optimal_value"]
                + [f"outcome:{p}:{o}" for p in layout["policies"] for o in layout["outcomes"]])


def evaluate_variants(plan: SweepPlan, start: int, stop: int) -> dict[str, np.ndarray]:
    """Evaluate variants ``[start, stop)`` (whole blocks) and return named 1-D columns.

    See :meth:`SweepPlan.columns` for the names.
    """
    boundaries = {edge for block in plan.blocks() for edge in block}
    if start not in boundaries or stop not in boundaries or not start < stop:
        raise QueryError(f"variants [{start}, {stop}) are not whole blocks of the sweep")
    parts = [_evaluate_block(plan, a, b) for a, b in plan.blocks() if start <= a and b <= stop]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _block_inputs(plan: SweepPlan, start: int, stop: int):
    """Values, priors, kinds and names of variants ``[start, stop)`` (one block)."""
    space = plan.space
    if start < plan.n_design:
        if plan.points is not None:
            unit = plan.points[start:stop]
        else:
            unit = unit_design(plan.design, n_points=plan.n_design,
                               n_dims=len(space.parameters), seed=plan.seed, start=start,
                               stop=stop)
        values = space.scale(unit)
        return values, space.variant_priors(values), ["design"] * len(values), [""] * len(values)
    extras = plan.extras[start - plan.n_design:stop - plan.n_design]
    values = np.array([e.values for e in extras])
    priors = VariantPriors(np.concatenate([e.priors.theta for e in extras]),
                           np.concatenate([e.priors.concentration for e in extras]))
    return values, priors, ["analyst"] * len(extras), [e.name for e in extras]


def _evaluate_block(plan: SweepPlan, start: int, stop: int) -> dict[str, np.ndarray]:
    engine = decision_engine(plan.scenario)
    layout = plan.layout()
    nodes, options, first = layout["nodes"], layout["options"], layout["phase"]
    dm = engine.stakeholders.index(plan.decision_maker)
    utilities = engine.utilities[dm]
    values, priors, kinds, names = _block_inputs(plan, start, stop)
    n = stop - start
    edges = engine.edges(priors.theta)
    solution = engine.solve(edges, engine.choosers(plan.decision_maker, "assumed"), report=True)
    probabilities = edges.prod(axis=2)
    by_outcome = (plan.scenario.tree.outcome_index[:, None]
                  == np.arange(len(layout["outcomes"]))[None, :]).astype(float)
    masks = [solution.policy] + [engine.policy_mask(solution.chosen, free_phase=first, option=o)
                                 for o in range(len(options))]
    option_values = np.stack([solution.values[node.number][:, dm, :] for node in nodes], axis=1)
    option_se = np.zeros_like(option_values)
    optimal = (probabilities * solution.policy) @ utilities
    outcomes = np.stack([(probabilities * mask) @ by_outcome for mask in masks], axis=1)
    reach = np.stack([(probabilities * solution.policy)[:, node.paths].sum(axis=1)
                      for node in nodes], axis=1)
    if plan.method == "monte_carlo":
        for i in range(n):
            draws = _draw_theta(plan.scenario.tree, priors.theta[i], priors.concentration[i],
                                plan.n_draws, child_sequence(plan.seed, 1, start + i))
            mean, se, optimal[i], outcomes[i] = _fixed_policy(
                engine, draws, solution.chosen[i:i + 1], solution.policy[i], nodes, utilities,
                [mask[i] for mask in masks], by_outcome)
            option_values[i], option_se[i] = mean, se
    columns: dict[str, np.ndarray] = {
        "variant": np.arange(start, stop, dtype=np.int64),
        "kind": np.array(kinds, dtype=object), "name": np.array(names, dtype=object)}
    for k, name in enumerate(plan.space.names):
        columns[f"x:{name}"] = values[:, k]
    for label, array in (("value", option_values), ("value_se", option_se)):
        for j in range(len(nodes)):
            for o, option in enumerate(options):
                columns[f"{label}:{j}:{option}"] = array[:, j, o]
    for j in range(len(nodes)):
        columns[f"reach:{j}"] = reach[:, j]
    columns["optimal_value"] = optimal
    for p, policy in enumerate(layout["policies"]):
        for k, outcome in enumerate(layout["outcomes"]):
            columns[f"outcome:{policy}:{outcome}"] = outcomes[:, p, k]
    return columns


def _draw_theta(tree, mean: np.ndarray, concentration: np.ndarray, n_draws: int,
                seed: np.random.SeedSequence) -> np.ndarray:
    """Draw ``theta`` from Dirichlets with these means and concentrations, set by set."""
    generator = np.random.default_rng(seed)
    theta = np.tile(mean, (n_draws, 1))
    for s, pset in enumerate(tree.sets):
        total = concentration[s]
        if not np.isfinite(total):
            continue
        start, size = int(tree.offsets[s]), len(pset.branches)
        block = mean[start:start + size]
        gammas = generator.standard_gamma(total * block, size=(n_draws, size))
        sums = gammas.sum(axis=1, keepdims=True)
        theta[:, start:start + size] = np.where(sums > 0, gammas / np.where(sums > 0, sums, 1),
                                                block[None, :])
    return theta


def _fixed_policy(engine, theta: np.ndarray, chosen: np.ndarray, policy: np.ndarray, nodes,
                  utilities: np.ndarray, masks: list[np.ndarray], by_outcome: np.ndarray):
    """Average one variant's fixed policy over draws: option values, their s.e., and the rest."""
    edges = engine.edges(theta)
    n_draws = theta.shape[0]
    means = np.empty((len(nodes), len(nodes[0].option_ids)))
    errors = np.empty_like(means)
    for j, node in enumerate(nodes):
        later = edges[:, node.paths, node.phase + 1:].prod(axis=2)
        after = engine.policy_mask(chosen, after=node.phase)[0, node.paths]
        for o in range(len(node.option_ids)):
            on = (node.options == o) & after
            draws = later[:, on] @ utilities[node.paths[on]]
            means[j, o] = draws.mean()
            errors[j, o] = draws.std(ddof=1) / np.sqrt(n_draws)
    probabilities = edges.prod(axis=2)
    optimal = float(((probabilities * policy) @ utilities).mean())
    outcomes = np.stack([((probabilities * mask) @ by_outcome).mean(axis=0) for mask in masks])
    return means, errors, optimal, outcomes
