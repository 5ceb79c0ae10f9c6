"""Decisions: rollback's optimal policy, and each stakeholder's best options, as tables.

The decision engine (:mod:`analysis.engines.rollback`) solves the tree by
backward induction; this module turns its solution into tidy frames: the
policy at every decision node, every stakeholder's expected utility of each
option at the decision maker's first decision, their best options side by
side, and each option's risk profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.arguments import Given
from ..core.errors import QueryError
from ..core.text import display_label
from ..core.ties import tie_tolerance
from ..engines.exact import condition, given_mask
from ..engines.rollback import (
    DecisionEngine,
    DecisionNode,
    Others,
    Solution,
    check_decision_maker,
    check_others,
    decision_engine,
    theta_rows,
)
from ..engines.rules import Rule, resolve_rule
from ..model.scenario import Scenario
from ..model.values import certainty_equivalent

__all__ = ["RollbackResult", "best_options", "expected_utilities", "rollback"]


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
    rule : str
        The decision rule, in words (``"expected value"``, ``"maximin (best
        worst case)"``, ...); ``rule_value`` is the policy's value under it
        (for expected value, ``value``; for maximin, its worst case; for
        minimax regret, its largest regret).
    certainty_equivalent : float
        The sure amount worth ``value`` to the decision maker (``value``
        itself without a risk tolerance).
    policy : DataFrame
        One row per decision node and option: ``phase``, ``phase_label``,
        ``owner`` (whose decision), ``chooser`` (whose utility picked the
        option, or ``"assumed"``), ``node`` (number), ``information`` (the
        path so far, ``phase=branch > ...``), ``information_label`` (the
        same in labels), ``option``, ``option_label``, ``expected_utility``
        (for the decision maker, given the node is reached, with the
        optimal policy after it), ``chosen``, ``tie`` (the option and at
        least one other are within the relative tie tolerance of
        :mod:`analysis.core.ties` of the chooser's best, under the rule),
        ``reach_probability`` (of the information state, under the policy),
        ``rule_value`` (the option's value under the rule, for the chooser)
        and ``allowed`` (False for an option the scenario excludes).
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
    rule: str = "expected value"
    rule_value: float = float("nan")
    certainty_equivalent: float = float("nan")

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`option_values` (options x stakeholders at the first decision)."""
        return self.option_values.copy()

    def chosen_options(self) -> dict[str, str]:
        """Return the decision maker's choice at each node of :attr:`phase`, by information."""
        chosen = self.option_values[self.option_values["chosen"]].drop_duplicates("node")
        return dict(zip(chosen["information"], chosen["option"], strict=True))


_POLICY_COLUMNS = ["phase", "phase_label", "owner", "chooser", "node", "information",
                   "information_label", "option", "option_label", "expected_utility", "chosen",
                   "tie", "reach_probability", "rule_value", "allowed"]
_VALUE_COLUMNS = ["node", "information", "information_label", "option", "option_label",
                  "stakeholder", "stakeholder_label", "unit", "expected_utility", "best",
                  "chosen"]
_RISK_COLUMNS = ["node", "information", "information_label", "option", "option_label",
                 "outcome", "label", "colour", "probability"]
_BEST_COLUMNS = ["node", "information", "information_label", "stakeholder",
                 "stakeholder_label", "option", "option_label", "expected_utility",
                 "tied_options", "tie", "agrees"]


@dataclass(frozen=True, eq=False)
class _Solved:
    """One rollback: the engine's solution and what the tables need from it."""

    scenario: Scenario
    engine: DecisionEngine
    solution: Solution
    edges: np.ndarray  # (n_paths, n_phases), options open
    utilities: np.ndarray  # (S, n_paths)
    rule: Rule
    choosers: list[int | None]
    decision_maker: int  # the decision maker's stakeholder row
    first: int  # the decision maker's first decision phase
    holds: np.ndarray  # paths where ``given`` holds (0 or 1)
    reach: np.ndarray  # each path's probability under the policy, given ``given``

    def node_values(self, node: DecisionNode) -> np.ndarray:
        """Every stakeholder's expected utility of each option at ``node``: (S, n_options)."""
        return self.solution.values[node.number][0]

    def tolerance(self, stakeholder: int) -> float:
        """Return the tie tolerance for a stakeholder's values (relative to their utilities)."""
        return float(tie_tolerance(self.utilities[stakeholder]))

    def later(self, node: DecisionNode) -> np.ndarray:
        """Return each of the node's paths' weight given the node (histories by Bayes' rule)."""
        later = self.edges[node.paths, node.phase + 1:].prod(axis=1)
        if node.hidden:
            prior = self.edges[node.histories, :node.phase].prod(axis=1)
            total = prior.sum()
            share = prior / total if total > 0 else np.full(len(prior), 1 / len(prior))
            later = later * share[node.history_of]
        return later

    def labels(self, node: DecisionNode) -> list[str]:
        phase = self.scenario.model.phases[node.phase]
        return [display_label(o, phase.branches[o].label) for o in node.option_ids]


def rollback(scenario: Scenario, *, decision_maker: str, given: Given = None,
             theta: np.ndarray | None = None, others: Others = "assumed",
             rule: str | dict | None = None) -> RollbackResult:
    """Solve the decision maker's decisions by backward induction.

    See :mod:`analysis.engines.rollback` for the method.

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
    rule : str or mapping, optional
        The decision rule (:mod:`analysis.engines.rules`): ``"maximin"``,
        ``{"name": "hurwicz", "alpha": 0.3}``, ``{"name": "weighted",
        "weights": {...}}``...; default: the scenario's ``decision_rule``,
        else expected value.

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
    >>> result = analysis.rollback(mediation, decision_maker="mediators")
    >>> result.phase
    'international_presence'
    """
    solved = _solve(scenario, decision_maker, given, theta, others, rule)
    model = scenario.model
    attrs = {**scenario.metadata(), **scenario.decision_maker_attrs(decision_maker),
             "given": dict(given or {}), "others": others, "rule": solved.rule.describe()}

    def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
        result = pd.DataFrame(rows, columns=columns)
        result.attrs = dict(attrs)
        return result

    weights = solved.reach / solved.reach.sum()
    expected = solved.utilities @ weights
    stakeholders = solved.engine.stakeholders
    value = float(expected[solved.decision_maker])
    tolerance = scenario.tree.values.risk_tolerance(solved.decision_maker, theta_rows(
        scenario, theta)[:, scenario.tree.parameter_slice]) if scenario.tree.values else None
    equivalent = float(np.asarray(certainty_equivalent(
        value, None if tolerance is None else float(tolerance[0]))))
    plain = solved.rule.name == "expected_value" and not solved.rule.weights and \
        solved.rule.direction == "maximize"
    rule_value = value if plain else float(solved.solution.rule_value[0])
    return RollbackResult(
        scenario=scenario.id, decision_maker=decision_maker,
        phase=model.phases[solved.first].id,
        value=value, rule=solved.rule.describe(), rule_value=rule_value,
        certainty_equivalent=equivalent,
        policy=frame(_policy_rows(solved), _POLICY_COLUMNS),
        option_values=frame(_option_value_rows(solved), _VALUE_COLUMNS),
        risk_profiles=frame(_risk_rows(solved), _RISK_COLUMNS),
        best_options=frame(_best_rows(solved), _BEST_COLUMNS),
        expected_utilities=frame(
            [{"stakeholder": s, "label": model.stakeholders[s].label,
              "unit": model.utilities[s].unit, "expected_utility": float(expected[i])}
             for i, s in enumerate(stakeholders)],
            ["stakeholder", "label", "unit", "expected_utility"]),
    )


def _solve(scenario: Scenario, decision_maker: str, given: Given, theta,
           others: Others, rule=None) -> _Solved:
    check_decision_maker(scenario, decision_maker)
    check_others(others)
    engine = decision_engine(scenario)
    resolved = resolve_rule(rule, scenario.model.decision_rule, engine.stakeholders)
    edges, utilities = engine.prepare(theta_rows(scenario, theta))
    choosers = engine.choosers(decision_maker, others)
    solution = engine.solve(edges, choosers, report=True, utilities=utilities, rule=resolved)
    first = min(node.phase for node in engine.nodes if node.owner == decision_maker)
    holds = _given_mask(scenario, given, first)
    reach = edges[0].prod(axis=1) * holds * solution.policy[0]
    if not reach.sum() > 0:
        raise QueryError("given: the condition has probability 0 under the optimal policy")
    return _Solved(scenario, engine, solution, edges[0], utilities[0], resolved, choosers,
                   engine.stakeholders.index(decision_maker), first, holds, reach)


def _shown(solved: _Solved, *, first_only: bool) -> list[DecisionNode]:
    """Return the nodes the tables show: where ``given`` can hold (at the first decision)."""
    return [node for node in solved.engine.nodes if solved.holds[node.paths].any()
            and (not first_only or node.phase == solved.first)]


def _ties(values: np.ndarray, tolerance: float) -> np.ndarray:
    """Options within ``tolerance`` of the best (values of excluded options are -inf)."""
    return values >= values.max() - tolerance


def _policy_rows(solved: _Solved) -> list[dict]:
    engine, model = solved.engine, solved.scenario.model
    total = solved.reach.sum()
    chosen = solved.solution.chosen[0]
    rows = []
    for node in _shown(solved, first_only=False):
        phase = model.phases[node.phase]
        values = solved.node_values(node)
        chooser = solved.choosers[node.number]
        criteria = (solved.solution.criteria[node.number][0] if chooser is not None
                    else values[solved.decision_maker])
        if chooser is not None:
            compared = np.where(node.allowed, -criteria if solved.rule.name == "minimax_regret"
                                else solved.rule.sign * criteria, -np.inf)
            tied = _ties(compared, solved.tolerance(chooser)) & node.allowed
        else:
            tied = np.zeros(len(node.option_ids), bool)
        reach = float(solved.reach[node.paths].sum() / total)
        labels = solved.labels(node)
        for o, option in enumerate(node.option_ids):
            rows.append({
                "phase": phase.id, "phase_label": display_label(phase.id, phase.label),
                "owner": node.owner,
                "chooser": "assumed" if chooser is None else engine.stakeholders[chooser],
                "node": node.number, "information": engine.information(node),
                "information_label": engine.information_label(node),
                "option": option, "option_label": labels[o],
                "expected_utility": values[solved.decision_maker, o],
                "chosen": o == chosen[node.number],
                "tie": bool(tied[o]) and int(tied.sum()) > 1,
                "reach_probability": reach,
                "rule_value": float(criteria[o]), "allowed": bool(node.allowed[o]),
            })
    return rows


def _by_stakeholder(solved: _Solved):
    """Yield each node of the first decision, stakeholder and their tied-for-best options."""
    engine, model = solved.engine, solved.scenario.model
    chosen = solved.solution.chosen[0]
    for node in _shown(solved, first_only=True):
        values, labels = solved.node_values(node), solved.labels(node)
        where = {"node": node.number, "information": engine.information(node),
                 "information_label": engine.information_label(node)}
        for s, name in enumerate(engine.stakeholders):
            who = {"stakeholder": name, "stakeholder_label": model.stakeholders[name].label}
            yield (node, where, who, values[s], labels, _ties(values[s], solved.tolerance(s)),
                   chosen[node.number])


def _option_value_rows(solved: _Solved) -> list[dict]:
    model = solved.scenario.model
    return [{**where, "option": option, "option_label": labels[o], **who,
             "unit": model.utilities[who["stakeholder"]].unit, "expected_utility": values[o],
             "best": bool(best[o]), "chosen": o == chosen}
            for node, where, who, values, labels, best, chosen in _by_stakeholder(solved)
            for o, option in enumerate(node.option_ids)]


def _best_rows(solved: _Solved) -> list[dict]:
    rows = []
    for node, where, who, values, labels, best, chosen in _by_stakeholder(solved):
        top = int(np.argmax(best))
        rows.append({**where, **who, "option": node.option_ids[top],
                     "option_label": labels[top], "expected_utility": values[top],
                     "tied_options": " | ".join(o for o, b in zip(node.option_ids, best,
                                                                  strict=True) if b),
                     "tie": int(best.sum()) > 1, "agrees": bool(best[chosen])})
    return rows


def _risk_rows(solved: _Solved) -> list[dict]:
    """Return the outcome distribution given each node of the first decision and option."""
    engine, scenario = solved.engine, solved.scenario
    tree, model = scenario.tree, scenario.model
    rows = []
    for node in _shown(solved, first_only=True):
        later = solved.later(node)
        mask = engine.policy_mask(solved.solution.chosen, after=node.phase)[0, node.paths]
        labels = solved.labels(node)
        for o, option in enumerate(node.option_ids):
            weight = later * mask * (node.options == o)
            mass = np.bincount(tree.outcome_index[node.paths], weights=weight,
                               minlength=len(tree.outcomes))
            for k, outcome in enumerate(tree.outcomes):
                rows.append({
                    "node": node.number, "information": engine.information(node),
                    "information_label": engine.information_label(node), "option": option,
                    "option_label": labels[o], "outcome": outcome,
                    "label": model.outcomes[outcome].label,
                    "colour": model.outcomes[outcome].colour, "probability": mass[k],
                })
    return rows


def _given_mask(scenario: Scenario, given: Given, first_decision: int) -> np.ndarray:
    """Paths where ``given`` holds; ``given`` may name chance phases before the first decision."""
    tree = scenario.tree
    if not given:
        return np.ones(tree.n_paths)
    phases = list(tree.phases)
    given_mask(scenario, given)  # checks the phases and branches it names
    for phase in given:
        k = phases.index(phase)
        if scenario.model.phases[k].decision_maker is not None:
            raise QueryError(f"given: {phase!r} is a decision; to fix its option use "
                             f"scenario.with_decisions({{{phase!r}: ...}})")
        if k >= first_decision:
            raise QueryError(
                f"given: phase {phase!r} comes at or after the decision "
                f"{phases[first_decision]!r}; rollback conditions only on what is known "
                f"before deciding: {', '.join(phases[:first_decision]) or '(nothing)'}")
    return condition(scenario, given)[1].astype(float)


def best_options(scenario: Scenario, *, decision_maker: str, given: Given = None
                 ) -> pd.DataFrame:
    """Return the best option for each stakeholder, side by side, at the first decision.

    A shortcut for ``rollback(scenario, decision_maker=..., given=given).best_options``;
    see :class:`RollbackResult` for the columns.
    """
    return rollback(scenario, decision_maker=decision_maker, given=given).best_options


def expected_utilities(scenario: Scenario, *, given: Given = None) -> pd.DataFrame:
    """Return each stakeholder's expected utility under the assumed options.

    Like :func:`analysis.expected_attributes`, with decisions at their
    ``assumed`` options (use :func:`rollback` for optimal ones).

    Returns
    -------
    DataFrame
        Columns ``stakeholder``, ``label``, ``unit``, ``expected``, ``sd``
        (over paths); ``attrs``: ``scenario``, ``changes``, ``given``.
    """
    engine = decision_engine(scenario)
    weights = condition(scenario, given)[0]
    utilities = engine.utilities
    expected = utilities @ weights
    variance = ((utilities - expected[:, None]) ** 2) @ weights
    model = scenario.model
    frame = pd.DataFrame({
        "stakeholder": engine.stakeholders,
        "label": [model.stakeholders[s].label for s in engine.stakeholders],
        "unit": [model.utilities[s].unit for s in engine.stakeholders],
        "expected": expected,
        "sd": np.sqrt(np.maximum(variance, 0.0)),
    })
    frame.attrs = {**scenario.metadata(), "given": dict(given or {})}
    return frame
