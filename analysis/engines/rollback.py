"""The decision engine: backward induction over a scenario's decision nodes.

A **decision phase** (``decision_maker:`` in the file) is chosen by a
stakeholder instead of drawn. Exact evaluation elsewhere in dealtree takes
each decision's ``assumed`` option; here the options are open and the
decision maker picks, at every **decision node**, the best option for them
under their decision rule (:mod:`analysis.engines.rules`; by default the
highest expected utility).

A decision node is a decision phase together with an **information state**:
what the decision maker knows when deciding. By default that is everything
that happened on the path before the phase; a decision that declares
``observes:`` knows only the results of those chance phases (and every
earlier decision). One node then gathers several **histories** (paths so
far that differ only in what is not observed), and the engine weighs them
by their probabilities: Bayes' rule, done by the engine, so a tree written
in its natural order (state, test result, decision on the result) needs no
hand-computed posteriors.

For a node reached by histories ``h`` and an option ``o``, the expected
utility given the node is::

    EU(node, o) = sum_h P(h) / sum_h P(h) * sum over paths p through (h, o)
                  following the policy below of [product of p's chance
                  probabilities after the phase] * u(p)

(with one history, the first factor is 1, so unreachable nodes get values
too). Nodes are solved deepest first; the chosen option at each node
restricts the paths that earlier nodes see. With perfect recall (checked
when the file loads) this is optimal. Options within the relative tie
tolerance (:mod:`analysis.core.ties`) of the best are ties: all are
reported, and the policy follows the first of them in file order. Options a
scenario excludes (:meth:`analysis.Scenario.with_options`) are never chosen.

Decisions of other stakeholders keep their assumed options (``others=
"assumed"``, the default) or are each optimised for their own decision maker
(``others="optimal"``: backward induction over every actor, the
subgame-perfect solution of the game of perfect information).

Payoffs, costs and utilities may be formulas over named parameters, so
:meth:`DecisionEngine.prepare` returns, for rows of ``theta``, both the edge
probabilities and the stakeholders' path utilities.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..core.errors import QueryError
from ..core.text import did_you_mean, display_label
from ..core.ties import TIE_RELATIVE, tie_tolerance
from ..model.scenario import Scenario
from ..model.stakeholders import decision_phases, path_utilities
from ..model.tree import SKIPPED
from .rules import Rule, enumerate_policies, state_matrix

__all__ = [
    "HIDDEN",
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

#: Options whose values differ by at most this fraction of the scale of the values are ties.
TIE_TOLERANCE = TIE_RELATIVE
#: In a node's prefix, a phase the decision does not observe.
HIDDEN = -3

Others = Literal["assumed", "optimal"]


@dataclass(frozen=True, eq=False)
class DecisionNode:
    """A decision phase reached with one information state.

    ``prefix`` holds the branch of each earlier phase as the decision maker
    knows it (``SKIPPED`` where skipped, :data:`HIDDEN` where not observed);
    ``histories`` (one path per distinct full history) and ``history_of``
    (each of ``paths``' history) are set when the node gathers several.
    """

    number: int
    phase: int  # index into the model's phases
    owner: str
    paths: np.ndarray  # the paths through the node
    options: np.ndarray  # the option each of those paths takes
    prefix: tuple[int, ...]
    option_ids: tuple[str, ...]
    assumed: int
    allowed: np.ndarray = field(default=None)  # bool per option
    histories: np.ndarray | None = None
    history_of: np.ndarray | None = None

    @property
    def hidden(self) -> bool:
        """Whether the node gathers several histories (something before it is not observed)."""
        return self.histories is not None


@dataclass(frozen=True, eq=False)
class Solution:
    """Backward induction for a batch of probability vectors (one row per vector).

    ``values[node]``: every stakeholder's expected utility of each option,
    given the node (``(D, S, n_options)``, with ``report=True``);
    ``criteria[node]``: the chooser's value of each option under the rule
    (``(D, n_options)``); ``rule_value``: the decision maker's value of the
    whole policy under the rule (``(D,)``).
    """

    chosen: np.ndarray  # (D, n_nodes) option chosen at each node
    policy: np.ndarray  # (D, n_paths) bool: the path follows the policy everywhere
    values: dict[int, np.ndarray] = field(default_factory=dict)
    criteria: dict[int, np.ndarray] = field(default_factory=dict)
    rule_value: np.ndarray | None = None


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
        for k in self.decision_phases:
            phase = model.phases[k]
            column = tree.branch_index[:, k]
            reached = np.flatnonzero(column >= 0)
            seen = _observed(model, k)
            options = tuple(phase.branches)
            assumed = options.index(phase.assumed) if phase.assumed in options else 0
            limits = scenario.option_limits.get(phase.id)
            allowed = np.array([limits is None or o in limits for o in options])
            if k == 0:
                groups, keys = [reached], [()]
            else:
                known = tree.branch_index[reached][:, seen]
                unique, first, inverse = np.unique(known, axis=0, return_index=True,
                                                   return_inverse=True)
                order = np.argsort(first, kind="stable")
                groups = [reached[inverse.ravel() == g] for g in order]
                keys = []
                for g in order:
                    prefix = [HIDDEN] * k
                    for j, value in zip(seen, unique[g], strict=True):
                        prefix[j] = int(value)
                    keys.append(tuple(prefix))
            for paths, key in zip(groups, keys, strict=True):
                histories = history_of = None
                if len(seen) < k:
                    full = tree.branch_index[paths, :k]
                    _, first_path, inverse = np.unique(full, axis=0, return_index=True,
                                                       return_inverse=True)
                    if len(first_path) > 1:
                        histories, history_of = paths[first_path], inverse.ravel()
                nodes.append(DecisionNode(len(nodes), k, phase.decision_maker, paths,
                                          column[paths], key, options, assumed, allowed,
                                          histories, history_of))
        self.nodes = nodes
        self.phase_layouts = _phase_layouts(nodes)

    # -- probabilities and utilities

    def prepare(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(edges, utilities)`` for rows of ``theta``.

        ``edges``: each path's edge probabilities, ``(D, n_paths, n_phases)``,
        options open; ``utilities``: ``(D, S, n_paths)``, or ``(1, S, n_paths)``
        when they do not depend on the parameters.
        """
        tree = self.scenario.tree
        theta = tree.derive(np.array(theta, dtype=float, ndmin=2))
        values = tree.values
        if values is None or values.constant:
            utilities = self.utilities[None]
        else:
            utilities = values.utilities(theta[:, tree.parameter_slice])
        return self._edges(theta), utilities

    def edges(self, theta: np.ndarray) -> np.ndarray:
        """Each path's edge probabilities, shape ``(D, n_paths, n_phases)``, options open."""
        tree = self.scenario.tree
        return self._edges(tree.derive(np.array(theta, dtype=float, ndmin=2)))

    def row_utilities(self, theta: np.ndarray) -> np.ndarray:
        """Stakeholders' path utilities for rows of ``theta``: ``(D or 1, S, n_paths)``."""
        return self.prepare(theta)[1]

    def _edges(self, theta: np.ndarray) -> np.ndarray:
        tree = self.scenario.tree
        theta = np.array(theta, dtype=float, ndmin=2)
        theta[:, self.decision_columns] = 1.0
        padded = np.concatenate([theta, np.ones((theta.shape[0], 1))], axis=1)
        return padded[:, tree.edge_index]

    # -- backward induction

    def solve(self, edges: np.ndarray, choosers: Sequence[int | None], *,
              report: bool = False, utilities: np.ndarray | None = None,
              rule: Rule | None = None, fixed: np.ndarray | None = None) -> Solution:
        """Solve the nodes by backward induction for every row of ``edges``.

        ``choosers[n]`` is the stakeholder row that node ``n`` serves, or None
        to take the node's assumed option. ``utilities`` (``(D or 1, S,
        n_paths)``) defaults to the base case; ``rule`` to expected value;
        ``fixed`` (``(D, n_nodes)``) imposes the options instead of choosing
        them (a policy held fixed), still reporting the values.
        """
        rule = rule or Rule()
        utilities = self.utilities[None] if utilities is None else utilities
        whole = None  # rules over whole policies: (nodes, candidates, scores)
        if rule.by_policy and fixed is None:
            fixed, whole = self._best_policies(edges, choosers, utilities, rule)
        n_draws, n_paths, _ = edges.shape
        policy = np.ones((n_draws, n_paths), dtype=bool)
        chosen = np.zeros((n_draws, len(self.nodes)), dtype=np.int64)
        suffix: dict[int, np.ndarray] = {}
        values: dict[int, np.ndarray] = {}
        criteria: dict[int, np.ndarray] = {}
        criterion_values: dict[int, tuple[np.ndarray, np.ndarray]] = {}

        def criterion(chooser: int) -> tuple[np.ndarray, np.ndarray]:
            if chooser not in criterion_values:
                path_values = _criterion_values(utilities, chooser, rule, self.stakeholders)
                tolerance = np.asarray(tie_tolerance(path_values), dtype=float).reshape(-1, 1)
                criterion_values[chooser] = (path_values, tolerance)
            return criterion_values[chooser]

        def solve_node(node: DecisionNode) -> None:
            if node.phase not in suffix:
                suffix[node.phase] = edges[:, :, node.phase + 1:].prod(axis=2)
            weight = policy[:, node.paths] * suffix[node.phase][:, node.paths]  # (D, m)
            if node.hidden:
                weight = weight * _history_weights(edges, node)
            chooser = choosers[node.number]
            n_options = len(node.option_ids)
            if report:
                values[node.number] = _expectations(weight, utilities, node, n_options)
            if chooser is not None:
                path_values, tolerance = criterion(chooser)
                if report and rule.name == "expected_value" and not rule.weights and \
                        rule.direction == "maximize":
                    crit = values[node.number][:, chooser, :]
                else:
                    crit = _node_criteria(weight, path_values, node, rule, n_options)
                if whole is not None:
                    crit = _policy_scores(whole, node, n_options)
                criteria[node.number] = _reported(crit, rule)
            if fixed is not None and (chooser is not None or rule.by_policy):
                choice = fixed[:, node.number]
            elif chooser is None:
                choice = np.full(n_draws, node.assumed)
            else:
                masked = np.where(node.allowed[None, :], crit, -np.inf)
                best = masked.max(axis=1, keepdims=True)
                choice = np.argmax(masked >= best - tolerance, axis=1)
            choice = np.broadcast_to(choice, (n_draws,))
            policy[:, node.paths] &= node.options[None, :] == choice[:, None]
            chosen[:, node.number] = choice

        # The nodes of one phase have disjoint paths: solved together when the rule
        # sums over paths (expected values), one at a time otherwise.
        together = whole is None and rule.name not in ("maximin", "maximax")
        for layout in reversed(self.phase_layouts):
            owners = {choosers[n.number] for n in layout.nodes}
            if together and layout.paths is not None and len(owners) == 1:
                chooser = owners.pop()
                choice = _solve_phase(layout, edges, policy, utilities, rule, report, values,
                                      criteria, None if chooser is None else criterion(chooser),
                                      chooser, fixed)
                chosen[:, [n.number for n in layout.nodes]] = choice
            else:
                for node in reversed(layout.nodes):
                    solve_node(node)
        rule_value = None
        mine = [c for c in choosers if c is not None]
        if mine:
            path_values = _criterion_values(utilities, mine[0], rule, self.stakeholders)
            rule_value = _reported(_root_value(edges, policy, path_values, rule,
                                               None if whole is None else whole[2]), rule)
        return Solution(chosen, policy, values, criteria, rule_value)

    def _best_policies(self, edges: np.ndarray, choosers: Sequence[int | None],
                       utilities: np.ndarray, rule: Rule) -> tuple[np.ndarray, tuple]:
        """Hurwicz and minimax regret: the best whole policy for each row."""
        rows = {c for c in choosers if c is not None}
        if len(rows) > 1:
            raise QueryError(f"rule {rule.name!r} compares whole policies of one decision maker; "
                             "other stakeholders' decisions must keep their assumed options "
                             "(others='assumed')")
        mine = [n for n in self.nodes if choosers[n.number] is not None]
        tree = self.scenario.tree
        base = np.ones(tree.n_paths, dtype=bool)
        for node in self.nodes:
            if choosers[node.number] is None:
                base[node.paths] &= node.options == node.assumed
        candidates = enumerate_policies([np.flatnonzero(n.allowed) for n in mine])
        masks = np.ones((len(candidates), tree.n_paths), dtype=bool)
        for j, node in enumerate(mine):
            masks[:, node.paths] &= node.options[None, :] == candidates[:, j][:, None]
        masks &= base[None, :]
        chooser = next(iter(rows)) if rows else 0
        path_values = _criterion_values(utilities, chooser, rule, self.stakeholders)
        probability = edges.prod(axis=2)
        n_draws = edges.shape[0]
        fixed = np.zeros((n_draws, len(self.nodes)), dtype=np.int64)
        for node in self.nodes:
            fixed[:, node.number] = node.assumed
        scores = np.empty((n_draws, len(candidates)))
        for d in range(n_draws):
            v = path_values[min(d, path_values.shape[0] - 1)]
            possible = probability[d] > 0
            if rule.name == "hurwicz":
                reach = masks & possible[None, :]
                reach = np.where(reach.any(axis=1, keepdims=True), reach, masks)
                best = np.where(reach, v[None, :], -np.inf).max(axis=1)
                worst = np.where(reach, v[None, :], np.inf).min(axis=1)
                scores[d] = rule.alpha * best + (1 - rule.alpha) * worst
            else:
                chance = [k for k in range(len(tree.phases)) if k not in self.decision_phases]
                sizes = [len(self.scenario.model.phases[k].branches) for k in chance]
                states = state_matrix(tree.branch_index, chance, sizes)
                states = states[(states & possible[None, :]).any(axis=1)]
                payoff = (masks.astype(float) * v[None, :]) @ states.T.astype(float)
                scores[d] = -(payoff.max(axis=0, keepdims=True) - payoff).max(axis=1)
            tolerance = tie_tolerance(v)
            top = int(np.argmax(scores[d] >= scores[d].max() - tolerance))
            for j, node in enumerate(mine):
                fixed[d, node.number] = candidates[top, j]
        return fixed, (mine, candidates, scores)

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
        """Return what is known at the node, as ``phase=branch > ...``, or ``(start)``."""
        phases = self.scenario.model.phases
        steps = [f"{phases[j].id}={list(phases[j].branches)[b]}"
                 for j, b in enumerate(node.prefix) if b != SKIPPED and b >= 0]
        return " > ".join(steps) or "(start)"

    def information_label(self, node: DecisionNode) -> str:
        """Return what is known at the node in labels: ``Ceasefire: Holds → ...``, or ``Start``."""
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


def _observed(model, k: int) -> list[int]:
    """Return the earlier phases whose results a decision at phase ``k`` knows."""
    phase = model.phases[k]
    if phase.observes is None:
        return list(range(k))
    listed = set(phase.observes)
    return [j for j in range(k) if model.phases[j].decision_maker is not None
            or model.phases[j].id in listed]


@dataclass(frozen=True, eq=False)
class _PhaseLayout:
    """The nodes of one decision phase, with their paths laid out to be solved together.

    ``paths`` is None when a node sees only part of its history (its paths are
    weighed by their histories, node by node).
    """

    nodes: list[DecisionNode]
    paths: np.ndarray | None = None  # the phase's paths, sorted by (node, option)
    starts: np.ndarray | None = None  # where each (node, option) cell starts in paths
    empty: np.ndarray | None = None  # cells without paths
    node_of_path: np.ndarray | None = None  # each sorted path's node, 0 for the first
    option_of_path: np.ndarray | None = None


def _phase_layouts(nodes: list[DecisionNode]) -> list[_PhaseLayout]:
    """Group the nodes by phase (in order), laying out each phase's paths by (node, option)."""
    by_phase: dict[int, list[DecisionNode]] = {}
    for node in nodes:
        by_phase.setdefault(node.phase, []).append(node)
    layouts = []
    for members in by_phase.values():
        if any(node.hidden for node in members):
            layouts.append(_PhaseLayout(members))
            continue
        n_options = len(members[0].option_ids)
        node_of = np.concatenate([np.full(len(n.paths), j) for j, n in enumerate(members)])
        paths = np.concatenate([n.paths for n in members])
        options = np.concatenate([n.options for n in members])
        cell = node_of * n_options + options
        order = np.argsort(cell, kind="stable")
        starts = np.searchsorted(cell[order], np.arange(len(members) * n_options))
        empty = np.diff(np.append(starts, len(paths))) == 0
        layouts.append(_PhaseLayout(members, paths[order],
                                    np.minimum(starts, max(len(paths) - 1, 0)), empty,
                                    node_of[order], options[order]))
    return layouts


def _solve_phase(layout: _PhaseLayout, edges: np.ndarray, policy: np.ndarray,
                 utilities: np.ndarray, rule: Rule, report: bool, values: dict,
                 criteria: dict, criterion: tuple | None, chooser: int | None,
                 fixed: np.ndarray | None) -> np.ndarray:
    """Solve every node of one phase at once (a rule that sums over paths); return the choices.

    Fills ``values`` and ``criteria`` as the node-by-node solution does, and
    restricts ``policy`` to the choices; returns them, ``(D, n_nodes)``.
    """
    nodes = layout.nodes
    n_draws = edges.shape[0]
    n_nodes, n_options = len(nodes), len(nodes[0].option_ids)
    paths = layout.paths
    weight = policy[:, paths] * edges[:, paths, nodes[0].phase + 1:].prod(axis=2)

    def cell_sums(terms: np.ndarray) -> np.ndarray:  # (D, m) -> (D, nodes, options)
        sums = np.add.reduceat(terms, layout.starts, axis=1) if terms.shape[1] else \
            np.zeros((terms.shape[0], n_nodes * n_options))
        sums[:, layout.empty] = 0.0  # reduceat gives an element for an empty cell
        return sums.reshape(terms.shape[0], n_nodes, n_options)

    expected = None
    if report:
        on_paths = utilities[:, :, paths]  # (D or 1, S, m)
        expected = np.stack([cell_sums(weight * on_paths[:, s]) for s in
                             range(on_paths.shape[1])], axis=1)  # (D, S, nodes, options)
        for j, node in enumerate(nodes):
            values[node.number] = expected[:, :, j, :]
    crit = None
    if chooser is not None:
        path_values, tolerance = criterion
        if expected is not None and rule.name == "expected_value" and not rule.weights and \
                rule.direction == "maximize":
            crit = expected[:, chooser]
        else:
            crit = cell_sums(weight * path_values[:, paths])
        for j, node in enumerate(nodes):
            criteria[node.number] = _reported(crit[:, j, :], rule)
    numbers = [node.number for node in nodes]
    if fixed is not None and (chooser is not None or rule.by_policy):
        choice = fixed[:, numbers]
    elif chooser is None:
        choice = np.tile([node.assumed for node in nodes], (n_draws, 1))
    else:
        masked = np.where(nodes[0].allowed[None, None, :], crit, -np.inf)
        best = masked.max(axis=2, keepdims=True)
        choice = np.argmax(masked >= best - tolerance[:, :, None], axis=2)
    choice = np.broadcast_to(choice, (n_draws, n_nodes))
    policy[:, paths] &= layout.option_of_path[None, :] == choice[:, layout.node_of_path]
    return choice


def _reported(values: np.ndarray, rule: Rule) -> np.ndarray:
    """Turn maximised values back into the rule's own terms (a regret is positive)."""
    return -values if rule.name == "minimax_regret" else rule.sign * values


def _history_weights(edges: np.ndarray, node: DecisionNode) -> np.ndarray:
    """Each of the node's paths' history weight ``P(h) / sum P(h)``, ``(D, m)``."""
    prior = edges[:, node.histories, :node.phase].prod(axis=2)  # (D, H)
    total = prior.sum(axis=1, keepdims=True)
    uniform = np.full_like(prior, 1.0 / prior.shape[1])
    share = np.where(total > 0, prior / np.where(total > 0, total, 1.0), uniform)
    return share[:, node.history_of]


def _expectations(weight: np.ndarray, utilities: np.ndarray, node: DecisionNode,
                  n_options: int) -> np.ndarray:
    """Every stakeholder's expected utility of each option, ``(D, S, n_options)``."""
    n_draws = weight.shape[0]
    out = np.zeros((n_draws, utilities.shape[1], n_options))
    for o in range(n_options):
        on = node.options == o
        paths = node.paths[on]
        if utilities.shape[0] == 1:
            out[:, :, o] = weight[:, on] @ utilities[0][:, paths].T
        else:
            out[:, :, o] = np.einsum("dm,dsm->ds", weight[:, on], utilities[:, :, paths])
    return out


def _criterion_values(utilities: np.ndarray, chooser: int, rule: Rule,
                      stakeholders: list[str]) -> np.ndarray:
    """Return the values the chooser's rule maximises, per path: ``(D or 1, n_paths)``."""
    if rule.weights:
        values = sum(weight * utilities[:, stakeholders.index(name), :]
                     for name, weight in rule.weights.items())
    else:
        values = utilities[:, chooser, :]
    return rule.sign * np.asarray(values, dtype=float)


def _node_criteria(weight: np.ndarray, values: np.ndarray, node: DecisionNode, rule: Rule,
                   n_options: int) -> np.ndarray:
    """Return the chooser's value of each option at a node, ``(D, n_options)``."""
    n_draws = weight.shape[0]
    mine = np.broadcast_to(values[:, node.paths], (n_draws, len(node.paths)))
    out = np.zeros((n_draws, n_options))
    for o in range(n_options):
        on = node.options == o
        if rule.name in ("maximin", "maximax"):
            # The values the option can lead to: paths of positive probability that follow
            # the policy below (all the paths, if none has a positive probability).
            possible = weight[:, on] > 0
            mask = np.where(possible.any(axis=1, keepdims=True), possible, True)
            if rule.name == "maximin":
                out[:, o] = np.where(mask, mine[:, on], np.inf).min(axis=1, initial=np.inf)
            else:
                out[:, o] = np.where(mask, mine[:, on], -np.inf).max(axis=1, initial=-np.inf)
        else:
            out[:, o] = (weight[:, on] * mine[:, on]).sum(axis=1)
    return out


def _policy_scores(whole: tuple, node: DecisionNode, n_options: int) -> np.ndarray:
    """Rules over whole policies: each option's score, the best of the policies taking it."""
    mine, candidates, scores = whole
    if node not in mine:
        return np.zeros((scores.shape[0], n_options))
    j = mine.index(node)
    out = np.full((scores.shape[0], n_options), -np.inf)
    for o in range(n_options):
        taking = candidates[:, j] == o
        if taking.any():
            out[:, o] = scores[:, taking].max(axis=1)
    return out


def _root_value(edges: np.ndarray, policy: np.ndarray, values: np.ndarray, rule: Rule,
                scores: np.ndarray | None) -> np.ndarray:
    """Return the value of the whole policy under the rule, ``(D,)`` (maximised)."""
    probability = edges.prod(axis=2) * policy
    n_draws = probability.shape[0]
    v = np.broadcast_to(values, (n_draws, values.shape[-1]))
    if rule.name in ("maximin", "maximax"):
        possible = probability > 0
        possible = np.where(possible.any(axis=1, keepdims=True), possible, policy)
        if rule.name == "maximin":
            return np.where(possible, v, np.inf).min(axis=1)
        return np.where(possible, v, -np.inf).max(axis=1)
    if rule.by_policy and scores is not None:
        return scores.max(axis=1)
    return (probability * v).sum(axis=1)


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
                         others: Others = "assumed", *, rule: Rule | None = None,
                         fixed: np.ndarray | None = None) -> np.ndarray:
    """Path probabilities under the decision maker's policy, one row per theta row.

    The policy is optimal for each row under ``rule``, or, with ``fixed``
    (the ``chosen`` options of a :class:`Solution`, one row), held fixed.
    """
    engine = decision_engine(scenario)
    edges, utilities = engine.prepare(theta)
    if fixed is not None:
        mask = engine.policy_mask(np.broadcast_to(fixed, (edges.shape[0], len(engine.nodes))))
        return edges.prod(axis=2) * mask
    solution = engine.solve(edges, engine.choosers(decision_maker, others),
                            utilities=utilities, rule=rule)
    return edges.prod(axis=2) * solution.policy
