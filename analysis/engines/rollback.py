"""The decision engine: backward induction over a scenario's decision nodes.

A **decision phase** (``decision_maker:`` in the file) is chosen by a
stakeholder instead of drawn. Exact evaluation elsewhere in dealtree takes
each decision's ``assumed`` option; here the options are open and the
decision maker picks, at every **decision node**, the option with the
highest expected utility for them.

A decision node is a decision phase together with an **information state**:
everything that happened on the path before the phase (earlier chances and
earlier decisions). Decisions taken after chance phases are thus taken
knowing their results, so a decision can have a different optimal option in
each information state (a test-then-act problem is solved this way).

Rollback works on the compiled tree's paths. For a node at phase ``k`` and an
option ``o``, the expected utility is::

    EU(node, o) = sum over paths p through (node, o) that follow the policy below
                  of  [product of p's chance probabilities after phase k] * u(p)

The products after phase ``k`` are conditional probabilities given the node,
so the sum needs no normalisation and unreachable nodes get values too.
Nodes are solved deepest first (backward induction); the chosen option at
each node restricts the paths that earlier nodes see. Options within
:data:`TIE_TOLERANCE` of the best are ties: all are reported, and the policy
follows the first of them in file order.

Decisions of other stakeholders keep their assumed options (``others=
"assumed"``, the default) or are each optimised for their own decision maker
(``others="optimal"``: backward induction over every actor, the
subgame-perfect solution of the game of perfect information).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..core.errors import QueryError
from ..core.text import did_you_mean, display_label
from ..model.scenario import Scenario
from ..model.stakeholders import decision_phases, path_utilities
from ..model.tree import SKIPPED

__all__ = [
    "TIE_TOLERANCE",
    "DecisionEngine",
    "DecisionNode",
    "Others",
    "Solution",
    "check_decision_maker",
    "check_others",
    "decision_engine",
    "policy_probabilities",
    "theta_rows",
]

#: Options whose expected utilities differ by at most this are reported as ties.
TIE_TOLERANCE = 1e-9

Others = Literal["assumed", "optimal"]



@dataclass(frozen=True, eq=False)
class DecisionNode:
    """A decision phase reached with one information state."""

    number: int
    phase: int  # index into the model's phases
    owner: str
    paths: np.ndarray  # the paths through the node
    options: np.ndarray  # the option each of those paths takes
    prefix: tuple[int, ...]  # branch index per earlier phase (SKIPPED where skipped)
    option_ids: tuple[str, ...]
    assumed: int


@dataclass(frozen=True, eq=False)
class _PhaseGroup:
    """The nodes of one decision phase, laid out for solving them together."""

    phase: int
    owner: str
    first_node: int  # the phase's nodes are numbered first_node, first_node + 1, ...
    n_nodes: int
    n_options: int
    assumed: int
    paths: np.ndarray  # the phase's paths, sorted by (node, option)
    starts: np.ndarray  # where each (node, option) starts in paths
    empty: np.ndarray  # (node, option) pairs without paths
    node_of_path: np.ndarray  # each of those paths' node (0 for the phase's first)
    option_of_path: np.ndarray


@dataclass(frozen=True, eq=False)
class Solution:
    """Backward induction for a batch of probability vectors (one row per vector)."""

    chosen: np.ndarray  # (D, n_nodes) option chosen at each node
    policy: np.ndarray  # (D, n_paths) bool: the path follows the policy everywhere
    values: dict[int, np.ndarray] = field(default_factory=dict)  # node -> (D, S, n_options)


class DecisionEngine:
    """What rollback needs about one scenario, computed once per scenario object."""

    def __init__(self, scenario: Scenario):
        model, tree = scenario.model, scenario.tree
        self.scenario = scenario
        self.stakeholders = list(model.stakeholders)
        self.utilities = path_utilities(model, tree)
        self.decision_phases = decision_phases(model)
        decision_ids = {model.phases[k].id for k in self.decision_phases}
        self.decision_columns = np.concatenate(
            [np.arange(off, off + len(s.branches)) for s, off in zip(tree.sets, tree.offsets,
                                                                     strict=True)
             if s.phase in decision_ids and s.rule is None] or [np.zeros(0, int)]).astype(int)
        nodes: list[DecisionNode] = []
        self.phase_groups: list[_PhaseGroup] = []
        for k in self.decision_phases:
            phase = model.phases[k]
            column = tree.branch_index[:, k]
            reached = np.flatnonzero(column >= 0)
            if k == 0:
                group_of = np.zeros(len(reached), dtype=np.int64)
                keys = [()]
            else:  # one node per distinct information state, in order of first path
                unique, first, inverse = np.unique(tree.branch_index[reached, :k], axis=0,
                                                   return_index=True, return_inverse=True)
                order = np.argsort(first, kind="stable")
                rank = np.empty(len(order), dtype=np.int64)
                rank[order] = np.arange(len(order))
                group_of = rank[inverse.ravel()]
                keys = [tuple(int(v) for v in unique[g]) for g in order]
            options = tuple(phase.branches)
            assumed = options.index(phase.assumed) if phase.assumed in options else 0
            by_group = np.argsort(group_of, kind="stable")  # paths of each node, in path order
            bounds = np.searchsorted(group_of[by_group], np.arange(len(keys) + 1))
            first_node = len(nodes)
            for g, key in enumerate(keys):
                paths = reached[by_group[bounds[g]:bounds[g + 1]]]
                nodes.append(DecisionNode(len(nodes), k, phase.decision_maker, paths,
                                          column[paths], key, options, assumed))
            # The phase's paths sorted by (node, option): sums over them are reduceat's.
            cell = group_of * len(options) + column[reached]
            by_cell = np.argsort(cell, kind="stable")
            starts = np.searchsorted(cell[by_cell], np.arange(len(keys) * len(options)))
            empty = np.diff(np.append(starts, len(reached))) == 0
            self.phase_groups.append(_PhaseGroup(
                phase=k, owner=phase.decision_maker, first_node=first_node, n_nodes=len(keys),
                n_options=len(options), assumed=assumed, paths=reached[by_cell],
                starts=np.minimum(starts, max(len(reached) - 1, 0)), empty=empty,
                node_of_path=group_of[by_cell],
                option_of_path=column[reached][by_cell]))
        self.nodes = nodes

    # -- probabilities

    def edges(self, theta: np.ndarray) -> np.ndarray:
        """Each path's edge probabilities, shape ``(D, n_paths, n_phases)``, options open."""
        tree = self.scenario.tree
        theta = np.array(theta, dtype=float, ndmin=2)
        theta[:, self.decision_columns] = 1.0
        padded = np.concatenate([theta, np.ones((theta.shape[0], 1))], axis=1)
        return padded[:, tree.edge_index]

    # -- backward induction

    def solve(self, edges: np.ndarray, choosers: Sequence[int | None], *,
              report: bool = False) -> Solution:
        """Solve the nodes by backward induction for every row of ``edges``.

        ``choosers[n]`` is the stakeholder row that node ``n`` maximises, or
        None to take the node's assumed option. The nodes of one phase are
        solved together (their paths are disjoint), deepest phase first.
        """
        n_draws, n_paths, _ = edges.shape
        policy = np.ones((n_draws, n_paths), dtype=bool)
        chosen = np.zeros((n_draws, len(self.nodes)), dtype=np.int64)
        values: dict[int, np.ndarray] = {}
        n_stakeholders = len(self.stakeholders)
        for group in reversed(self.phase_groups):
            numbers = range(group.first_node, group.first_node + group.n_nodes)
            owners = {choosers[n] for n in numbers}
            if len(owners) != 1:  # not expected: a phase has one decision maker
                raise ValueError("choosers: the nodes of one phase must share a chooser")
            chooser = owners.pop()
            rows = list(range(n_stakeholders)) if report else (
                [] if chooser is None else [chooser])
            paths = group.paths
            weight = policy[:, paths] * edges[:, paths, group.phase + 1:].prod(axis=2)
            option_values = np.zeros((n_draws, len(rows), group.n_nodes, group.n_options))
            for j, r in enumerate(rows):
                sums = np.add.reduceat(weight * self.utilities[r, paths], group.starts, axis=1)
                sums[:, group.empty] = 0.0  # reduceat gives an element for an empty group
                option_values[:, j] = sums.reshape(n_draws, group.n_nodes, group.n_options)
            if chooser is None:
                choice = np.full((n_draws, group.n_nodes), group.assumed)
            else:
                mine = option_values[:, rows.index(chooser)]
                best = mine.max(axis=2, keepdims=True)
                choice = np.argmax(mine >= best - TIE_TOLERANCE, axis=2)
            policy[:, paths] &= group.option_of_path[None, :] == choice[:, group.node_of_path]
            chosen[:, group.first_node:group.first_node + group.n_nodes] = choice
            if report:
                for local, number in enumerate(numbers):
                    values[number] = option_values[:, :, local, :]
        return Solution(chosen, policy, values)

    def policy_mask(self, chosen: np.ndarray, *, free_phase: int | None = None,
                    option: int | None = None, after: int = -1) -> np.ndarray:
        """Return the paths following ``chosen`` at every node of a phase after ``after``.

        At nodes of ``free_phase`` the paths taking ``option`` (any, if None) follow.
        """
        mask = np.ones((chosen.shape[0], self.scenario.tree.n_paths), dtype=bool)
        for node in self.nodes:
            if node.phase <= after:
                continue
            if node.phase == free_phase:
                if option is not None:
                    mask[:, node.paths] &= (node.options == option)[None, :]
                continue
            mask[:, node.paths] &= node.options[None, :] == chosen[:, node.number][:, None]
        return mask

    def choosers(self, decision_maker: str, others: Others) -> list[int | None]:
        """Return the stakeholder row each node maximises (None: its assumed option)."""
        rows = []
        for node in self.nodes:
            if node.owner == decision_maker or others == "optimal":
                rows.append(self.stakeholders.index(node.owner))
            else:
                rows.append(None)
        return rows

    def information(self, node: DecisionNode) -> str:
        """Return the path so far, as ``phase=branch > ...``, or ``(start)``."""
        phases = self.scenario.model.phases
        steps = [f"{phases[j].id}={list(phases[j].branches)[b]}"
                 for j, b in enumerate(node.prefix) if b != SKIPPED and b >= 0]
        return " > ".join(steps) or "(start)"

    def information_label(self, node: DecisionNode) -> str:
        """Return the path so far in labels: ``Ceasefire: Holds → ...``, or ``Start``."""
        phases = self.scenario.model.phases
        steps = []
        for j, b in enumerate(node.prefix):
            if b < 0:
                continue
            branch_id = list(phases[j].branches)[b]
            branch = phases[j].branches[branch_id]
            steps.append(f"{display_label(phases[j].id, phases[j].label)}: "
                         f"{display_label(branch_id, branch.label)}")
        return " → ".join(steps) or "Start"


_ENGINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def decision_engine(scenario: Scenario) -> DecisionEngine:
    """Return the scenario's decision engine, built once per scenario object."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: got {type(scenario).__name__}, expected a Scenario "
                        "(see analysis.load_scenario)")
    engine = _ENGINES.get(scenario)
    if engine is None:
        engine = _ENGINES[scenario] = DecisionEngine(scenario)
    return engine


def check_decision_maker(scenario: Scenario, decision_maker: str) -> None:
    """Raise a QueryError unless ``decision_maker`` is a stakeholder who takes a decision."""
    engine = decision_engine(scenario)
    if not isinstance(decision_maker, str) or decision_maker not in engine.stakeholders:
        raise QueryError(f"unknown stakeholder {decision_maker!r}"
                         f"{did_you_mean(str(decision_maker), engine.stakeholders)}; expected "
                         f"one of: {', '.join(engine.stakeholders) or '(none declared)'}")
    owners = sorted({node.owner for node in engine.nodes})
    if decision_maker not in owners:
        raise QueryError(f"stakeholder {decision_maker!r} takes no decision in scenario "
                         f"{scenario.id!r}; decision makers: {', '.join(owners) or '(none)'}")


def check_others(others: str) -> None:
    """Raise a QueryError unless ``others`` is ``"assumed"`` or ``"optimal"``."""
    if others not in ("assumed", "optimal"):
        raise QueryError(f"others == {others!r}, expected 'assumed' (other stakeholders' "
                         "decisions keep their assumed options) or 'optimal'")


def theta_rows(scenario: Scenario, theta) -> np.ndarray:
    """Validate a flat probability vector (default: the priors' means)."""
    tree = scenario.tree
    if theta is None:
        return tree.mean_theta()[None, :]
    array = np.asarray(theta, dtype=float)
    if array.ndim != 1 or array.shape[0] != tree.n_theta:
        raise QueryError(f"theta has shape {array.shape}, expected ({tree.n_theta},): one "
                         "entry per branch of every probability set")
    return array[None, :]


def policy_probabilities(scenario: Scenario, theta: np.ndarray, decision_maker: str,
                          others: Others = "assumed") -> np.ndarray:
    """Path probabilities under the decision maker's optimal policy, one row per theta row."""
    engine = decision_engine(scenario)
    edges = engine.edges(theta)
    solution = engine.solve(edges, engine.choosers(decision_maker, others))
    return edges.prod(axis=2) * solution.policy
