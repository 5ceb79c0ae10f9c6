"""Decisions: rollback (backward induction), optimal policies and stakeholders' best options.

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
import pandas as pd

from .errors import QueryError
from .evaluate import Given, _condition
from .scenario import Scenario
from .schema import display_label
from .stakeholders import decision_phases, path_utilities
from .tree import SKIPPED
from .validation import did_you_mean

__all__ = [
    "TIE_TOLERANCE",
    "RollbackResult",
    "best_options",
    "expected_utilities",
    "rollback",
]

#: Options whose expected utilities differ by at most this are reported as ties.
TIE_TOLERANCE = 1e-9

Others = Literal["assumed", "optimal"]


# ------------------------------------------------------------------------------ engine


@dataclass(frozen=True, eq=False)
class _Node:
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
class _Solution:
    """Backward induction for a batch of probability vectors (one row per vector)."""

    chosen: np.ndarray  # (D, n_nodes) option chosen at each node
    policy: np.ndarray  # (D, n_paths) bool: the path follows the policy everywhere
    values: dict[int, np.ndarray] = field(default_factory=dict)  # node -> (D, S, n_options)


class _Engine:
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
        nodes: list[_Node] = []
        for k in self.decision_phases:
            phase = model.phases[k]
            column = tree.branch_index[:, k]
            reached = np.flatnonzero(column >= 0)
            prefixes = tree.branch_index[reached, :k]
            if k == 0:
                groups = [reached]
                keys = [()]
            else:
                unique, first, inverse = np.unique(prefixes, axis=0, return_index=True,
                                                   return_inverse=True)
                order = np.argsort(first, kind="stable")
                groups = [reached[inverse.ravel() == g] for g in order]
                keys = [tuple(int(v) for v in unique[g]) for g in order]
            options = tuple(phase.branches)
            assumed = options.index(phase.assumed) if phase.assumed in options else 0
            for paths, key in zip(groups, keys, strict=True):
                nodes.append(_Node(len(nodes), k, phase.decision_maker, paths, column[paths],
                                   key, options, assumed))
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
              report: bool = False) -> _Solution:
        """Solve the nodes by backward induction for every row of ``edges``.

        ``choosers[n]`` is the stakeholder row that node ``n`` maximises, or
        None to take the node's assumed option.
        """
        n_draws, n_paths, _ = edges.shape
        policy = np.ones((n_draws, n_paths), dtype=bool)
        chosen = np.zeros((n_draws, len(self.nodes)), dtype=np.int64)
        suffix: dict[int, np.ndarray] = {}
        values: dict[int, np.ndarray] = {}
        for node in reversed(self.nodes):
            if node.phase not in suffix:
                suffix[node.phase] = edges[:, :, node.phase + 1:].prod(axis=2)
            weight = policy[:, node.paths] * suffix[node.phase][:, node.paths]  # (D, m)
            chooser = choosers[node.number]
            rows = (np.arange(len(self.stakeholders)) if report else
                    ([] if chooser is None else [chooser]))
            option_values = np.zeros((n_draws, len(rows), len(node.option_ids)))
            for o in range(len(node.option_ids)):
                on = node.options == o
                option_values[:, :, o] = weight[:, on] @ self.utilities[np.ix_(rows, node.paths[
                    on])].T if len(rows) else 0.0
            if chooser is None:
                choice = np.full(n_draws, node.assumed)
            else:
                mine = option_values[:, list(rows).index(chooser), :]
                best = mine.max(axis=1, keepdims=True)
                choice = np.argmax(mine >= best - TIE_TOLERANCE, axis=1)
            policy[:, node.paths] &= node.options[None, :] == choice[:, None]
            chosen[:, node.number] = choice
            if report:
                values[node.number] = option_values
        return _Solution(chosen, policy, values)

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

    def information(self, node: _Node) -> str:
        """Return the path so far, as ``phase=branch > ...``, or ``(start)``."""
        phases = self.scenario.model.phases
        steps = [f"{phases[j].id}={list(phases[j].branches)[b]}"
                 for j, b in enumerate(node.prefix) if b != SKIPPED and b >= 0]
        return " > ".join(steps) or "(start)"

    def information_label(self, node: _Node) -> str:
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


def _engine(scenario: Scenario) -> _Engine:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: got {type(scenario).__name__}, expected a Scenario "
                        "(see analysis.load_scenario)")
    engine = _ENGINES.get(scenario)
    if engine is None:
        engine = _ENGINES[scenario] = _Engine(scenario)
    return engine


def _check_decision_maker(scenario: Scenario, decision_maker: str) -> None:
    engine = _engine(scenario)
    if not isinstance(decision_maker, str) or decision_maker not in engine.stakeholders:
        raise QueryError(f"unknown stakeholder {decision_maker!r}"
                         f"{did_you_mean(str(decision_maker), engine.stakeholders)}; expected "
                         f"one of: {', '.join(engine.stakeholders) or '(none declared)'}")
    owners = sorted({node.owner for node in engine.nodes})
    if decision_maker not in owners:
        raise QueryError(f"stakeholder {decision_maker!r} takes no decision in scenario "
                         f"{scenario.id!r}; decision makers: {', '.join(owners) or '(none)'}")


def _check_others(others: str) -> None:
    if others not in ("assumed", "optimal"):
        raise QueryError(f"others == {others!r}, expected 'assumed' (other stakeholders' "
                         "decisions keep their assumed options) or 'optimal'")


def _theta(scenario: Scenario, theta) -> np.ndarray:
    """Validate a flat probability vector (default: the priors' means)."""
    tree = scenario.tree
    if theta is None:
        return tree.mean_theta()[None, :]
    array = np.asarray(theta, dtype=float)
    if array.ndim != 1 or array.shape[0] != tree.n_theta:
        raise QueryError(f"theta has shape {array.shape}, expected ({tree.n_theta},): one "
                         "entry per branch of every probability set")
    return array[None, :]


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class RollbackResult:
    """The solution of a scenario's decisions for one decision maker.

    Attributes
    ----------
    scenario : str
    decision_maker : str
    phase : str
        The decision maker's first decision phase: ``option_values``,
        ``risk_profiles`` and ``best_options`` are about its nodes.
    value : float
        The decision maker's expected utility under the optimal policy.
    policy : DataFrame
        One row per decision node and option: ``phase``, ``phase_label``,
        ``owner`` (whose decision), ``chooser`` (whose utility picked the
        option, or ``"assumed"``), ``node`` (number), ``information`` (the
        path so far, ``phase=branch > ...``), ``information_label`` (the
        same in labels), ``option``, ``option_label``, ``expected_utility``
        (for the decision maker, given the node is reached, with the
        optimal policy after it), ``chosen``, ``tie`` (the option and at
        least one other are within :data:`TIE_TOLERANCE` of the chooser's
        best) and
        ``reach_probability`` (of the information state, under the policy).
    option_values : DataFrame
        One row per node of ``phase``, option and stakeholder:
        ``node``, ``information``, ``information_label``, ``option``, ``option_label``,
        ``stakeholder``, ``stakeholder_label``, ``unit``, ``expected_utility``
        (given the node is reached; the decision maker's optimal policy
        after it), ``best`` (the option is, or ties with, the best for that
        stakeholder) and ``chosen`` (the decision maker's choice).
    risk_profiles : DataFrame
        One row per node of ``phase``, option and outcome: ``node``,
        ``information``, ``information_label``, ``option``, ``option_label``, ``outcome``,
        ``label``, ``colour``, ``probability`` (given the node and option).
    best_options : DataFrame
        One row per node of ``phase`` and stakeholder: ``node``,
        ``information``, ``information_label``, ``stakeholder``, ``stakeholder_label``,
        ``option`` (the best for them, the first in file order on a tie),
        ``option_label``, ``expected_utility``, ``tied_options`` (all the
        options tied for best, joined by ``" | "``), ``tie`` and
        ``agrees`` (the decision maker chooses that option too).
    expected_utilities : DataFrame
        Each stakeholder's expected utility under the optimal policy:
        ``stakeholder``, ``label``, ``unit``, ``expected_utility``.
    """

    scenario: str
    decision_maker: str
    phase: str
    value: float
    policy: pd.DataFrame = field(repr=False)
    option_values: pd.DataFrame = field(repr=False)
    risk_profiles: pd.DataFrame = field(repr=False)
    best_options: pd.DataFrame = field(repr=False)
    expected_utilities: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`option_values` (options x stakeholders at the first decision)."""
        return self.option_values.copy()

    def chosen_options(self) -> dict[str, str]:
        """Return the decision maker's choice at each node of :attr:`phase`, by information."""
        chosen = self.option_values[self.option_values["chosen"]].drop_duplicates("node")
        return dict(zip(chosen["information"], chosen["option"], strict=True))


def rollback(
    scenario: Scenario,
    decision_maker: str,
    *,
    given: Given = None,
    theta: np.ndarray | None = None,
    others: Others = "assumed",
) -> RollbackResult:
    """Solve the decision maker's decisions by backward induction (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        A scenario with at least one decision phase of ``decision_maker``.
    decision_maker : str
        A stakeholder id: whose decisions are optimised, for their utility.
    given : mapping, optional
        Condition on the results of chance phases before the decision
        maker's first decision (``{"exchanges": "complete"}``): the policy
        is then shown for the information states where it holds, and
        expected utilities are conditional on it.
    theta : array, optional
        A flat probability vector (``scenario.tree.n_theta`` entries);
        default: the priors' means. The entries of decision phases are
        ignored.
    others : {"assumed", "optimal"}
        What other stakeholders' decisions do: keep their assumed options,
        or each pick the best option for its own decision maker.

    Returns
    -------
    RollbackResult

    Raises
    ------
    QueryError
        If ``decision_maker`` is not a stakeholder taking a decision, or
        ``given`` names a decision phase, a phase at or after the first
        decision, an unknown branch, or has probability 0.

    Examples
    --------
    >>> import analysis
    >>> mediation = analysis.load_scenario("mediation")
    >>> result = analysis.rollback(mediation, "mediators")
    >>> result.phase
    'international_presence'
    """
    _check_decision_maker(scenario, decision_maker)
    _check_others(others)
    engine = _engine(scenario)
    model, tree = scenario.model, scenario.tree
    edges = engine.edges(_theta(scenario, theta))
    solution = engine.solve(edges, engine.choosers(decision_maker, others), report=True)
    chosen = solution.chosen[0]
    first = min(node.phase for node in engine.nodes if node.owner == decision_maker)
    holds = _given_mask(scenario, given, first)
    reach = edges[0].prod(axis=1) * holds
    policy_paths = solution.policy[0]
    total = float((reach * policy_paths).sum())
    if total <= 0:
        raise QueryError("given: the condition has probability 0 under the optimal policy")
    dm = engine.stakeholders.index(decision_maker)
    s_labels = [model.stakeholders[s].label for s in engine.stakeholders]
    units = [model.utilities[s].unit for s in engine.stakeholders]

    policy_rows, value_rows, risk_rows, best_rows = [], [], [], []
    choosers = engine.choosers(decision_maker, others)
    for node in engine.nodes:
        if not holds[node.paths].any():
            continue
        phase = model.phases[node.phase]
        values = solution.values[node.number][0]  # (S, n_options)
        chooser = choosers[node.number]
        tied = (values[chooser] >= values[chooser].max() - TIE_TOLERANCE
                if chooser is not None else np.zeros(len(node.option_ids), bool))
        node_reach = float((reach[node.paths] * policy_paths[node.paths]).sum()) / total
        info, info_label = engine.information(node), engine.information_label(node)
        labels = [display_label(o, phase.branches[o].label) for o in node.option_ids]
        for o, option in enumerate(node.option_ids):
            policy_rows.append({
                "phase": phase.id, "phase_label": display_label(phase.id, phase.label),
                "owner": node.owner,
                "chooser": "assumed" if chooser is None else engine.stakeholders[chooser],
                "node": node.number, "information": info, "information_label": info_label,
                "option": option, "option_label": labels[o], "expected_utility": values[dm, o],
                "chosen": o == chosen[node.number],
                "tie": bool(tied[o]) and int(tied.sum()) > 1,
                "reach_probability": node_reach,
            })
        if node.phase != first:
            continue
        for s, name in enumerate(engine.stakeholders):
            best = values[s] >= values[s].max() - TIE_TOLERANCE
            for o, option in enumerate(node.option_ids):
                value_rows.append({
                    "node": node.number, "information": info, "information_label": info_label,
                    "option": option,
                    "option_label": labels[o], "stakeholder": name,
                    "stakeholder_label": s_labels[s], "unit": units[s],
                    "expected_utility": values[s, o], "best": bool(best[o]),
                    "chosen": o == chosen[node.number],
                })
            top = int(np.argmax(best))
            best_rows.append({
                "node": node.number, "information": info, "information_label": info_label,
                "stakeholder": name,
                "stakeholder_label": s_labels[s], "option": node.option_ids[top],
                "option_label": labels[top], "expected_utility": values[s, top],
                "tied_options": " | ".join(o for o, b in zip(node.option_ids, best, strict=True)
                                           if b),
                "tie": int(best.sum()) > 1, "agrees": bool(best[chosen[node.number]]),
            })
        # Risk profiles: the outcome distribution given the node, for each option.
        later = edges[0, node.paths, node.phase + 1:].prod(axis=1)
        mask = engine.policy_mask(solution.chosen, after=node.phase)[0, node.paths]
        for o, option in enumerate(node.option_ids):
            weight = later * mask * (node.options == o)
            mass = np.bincount(tree.outcome_index[node.paths], weights=weight,
                               minlength=len(tree.outcomes))
            for k, outcome in enumerate(tree.outcomes):
                risk_rows.append({
                    "node": node.number, "information": info, "information_label": info_label,
                    "option": option,
                    "option_label": labels[o], "outcome": outcome,
                    "label": model.outcomes[outcome].label,
                    "colour": model.outcomes[outcome].colour, "probability": mass[k],
                })

    weights = reach * policy_paths / total
    expected = engine.utilities @ weights
    attrs = {"scenario": scenario.id, "decision_maker": decision_maker,
             "given": dict(given or {}), "others": others}

    def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
        result = pd.DataFrame(rows, columns=columns)
        result.attrs = dict(attrs)
        return result

    return RollbackResult(
        scenario=scenario.id, decision_maker=decision_maker, phase=model.phases[first].id,
        value=float(expected[dm]),
        policy=frame(policy_rows, ["phase", "phase_label", "owner", "chooser", "node",
                                   "information", "information_label", "option",
                                   "option_label",
                                   "expected_utility", "chosen", "tie", "reach_probability"]),
        option_values=frame(value_rows, ["node", "information", "information_label",
                                         "option", "option_label",
                                         "stakeholder", "stakeholder_label", "unit",
                                         "expected_utility", "best", "chosen"]),
        risk_profiles=frame(risk_rows, ["node", "information", "information_label",
                                        "option", "option_label",
                                        "outcome", "label", "colour", "probability"]),
        best_options=frame(best_rows, ["node", "information", "information_label",
                                       "stakeholder",
                                       "stakeholder_label", "option", "option_label",
                                       "expected_utility", "tied_options", "tie", "agrees"]),
        expected_utilities=frame(
            [{"stakeholder": s, "label": s_labels[i], "unit": units[i],
              "expected_utility": float(expected[i])}
             for i, s in enumerate(engine.stakeholders)],
            ["stakeholder", "label", "unit", "expected_utility"]),
    )


def _given_mask(scenario: Scenario, given: Given, first_decision: int) -> np.ndarray:
    """Paths where ``given`` holds; ``given`` may name chance phases before the first decision."""
    tree = scenario.tree
    if not given:
        return np.ones(tree.n_paths)
    phases = list(tree.phases)
    for phase in given:
        if phase in phases:
            k = phases.index(phase)
            if scenario.model.phases[k].decision_maker is not None:
                raise QueryError(f"given: {phase!r} is a decision; to fix its option use "
                                 f"scenario.with_decisions({{{phase!r}: ...}})")
            if k >= first_decision:
                raise QueryError(
                    f"given: phase {phase!r} comes at or after the decision "
                    f"{phases[first_decision]!r}; rollback conditions only on what is known "
                    f"before deciding: {', '.join(phases[:first_decision]) or '(nothing)'}")
    return _condition(scenario, given)[1].astype(float)


def best_options(scenario: Scenario, decision_maker: str | None = None, *,
                 given: Given = None) -> pd.DataFrame:
    """Return the best option for each stakeholder, side by side, at the first decision.

    A shortcut for ``rollback(scenario, decision_maker, given=given).best_options``;
    ``decision_maker`` defaults to the owner of the scenario's first decision.
    See :class:`RollbackResult` for the columns.
    """
    if decision_maker is None:
        nodes = _engine(scenario).nodes
        if not nodes:
            raise QueryError(f"scenario {scenario.id!r} has no decision phase")
        decision_maker = nodes[0].owner
    return rollback(scenario, decision_maker, given=given).best_options


def expected_utilities(scenario: Scenario, given: Given = None) -> pd.DataFrame:
    """Return each stakeholder's expected utility under the assumed options.

    Like :func:`analysis.expected_attributes`, with decisions at their
    ``assumed`` options (use :func:`rollback` for optimal ones).

    Returns
    -------
    DataFrame
        Columns ``stakeholder``, ``label``, ``unit``, ``expected``, ``sd``
        (over paths); ``attrs``: ``scenario``, ``given``.
    """
    engine = _engine(scenario)
    weights = _condition(scenario, given)[0]
    expected = engine.utilities @ weights
    variance = ((engine.utilities - expected[:, None]) ** 2) @ weights
    model = scenario.model
    frame = pd.DataFrame({
        "stakeholder": engine.stakeholders,
        "label": [model.stakeholders[s].label for s in engine.stakeholders],
        "unit": [model.utilities[s].unit for s in engine.stakeholders],
        "expected": expected,
        "sd": np.sqrt(np.maximum(variance, 0.0)),
    })
    frame.attrs = {"scenario": scenario.id, "given": dict(given or {})}
    return frame


# ------------------------------------------------------------- helpers for other modules


def _policy_probabilities(scenario: Scenario, theta: np.ndarray, decision_maker: str,
                          others: Others = "assumed") -> np.ndarray:
    """Path probabilities under the decision maker's optimal policy, one row per theta row."""
    engine = _engine(scenario)
    edges = engine.edges(theta)
    solution = engine.solve(edges, engine.choosers(decision_maker, others))
    return edges.prod(axis=2) * solution.policy


def _stakeholder_utilities(scenario: Scenario) -> tuple[list[str], np.ndarray]:
    """Stakeholder ids and their path utilities, shape ``(S, n_paths)``."""
    engine = _engine(scenario)
    return engine.stakeholders, engine.utilities
