"""The decision maker's choice under several decision rules, side by side.

:func:`compare_rules` solves the scenario once per rule (expected value,
maximin, maximax, minimax regret and Hurwicz at a few degrees of optimism,
by default) and tabulates, for each, the option chosen at each node of the
decision maker's first decision, the policy's value under the rule, and its
expected utility: where the recommendation depends on the attitude to risk
and ignorance, and what each rule gives up in expectation.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..core.arguments import Given
from ..core.errors import QueryError
from ..model.scenario import Scenario
from .decisions import rollback

__all__ = ["DEFAULT_RULES", "compare_rules"]

#: The rules compared by default.
DEFAULT_RULES = ("expected_value", "maximin", "maximax", "minimax_regret",
                 {"name": "hurwicz", "alpha": 0.25}, {"name": "hurwicz", "alpha": 0.75})


def compare_rules(scenario: Scenario, *, decision_maker: str,
                  rules: Iterable[str | dict] | None = None,
                  given: Given = None) -> pd.DataFrame:
    """Return the decision maker's choices and values under each decision rule.

    Parameters
    ----------
    scenario : Scenario
    decision_maker : str
    rules : iterable, optional
        Rules as :func:`analysis.rollback` takes them; default :data:`DEFAULT_RULES`.
    given : mapping, optional
        As :func:`analysis.rollback`.

    Returns
    -------
    DataFrame
        One row per rule and node of the first decision: ``rule`` (in
        words), ``information``, ``information_label``, ``option``,
        ``option_label``, ``rule_value`` (the policy's value under the rule:
        for minimax regret its largest regret), ``expected_utility`` (the
        policy's expected utility) and ``loss`` (what it gives up in
        expectation against the expected-value policy). ``attrs``:
        ``scenario``, ``changes``, ``decision_maker``, ``unit``.

    Raises
    ------
    QueryError
        As :func:`analysis.rollback`, and for an empty list of rules.
    """
    rules = list(DEFAULT_RULES if rules is None else rules)
    if not rules:
        raise QueryError("rules: got none, expected at least one decision rule")
    best = rollback(scenario, decision_maker=decision_maker, given=given,
                    rule="expected_value").value
    rows = []
    for rule in rules:
        result = rollback(scenario, decision_maker=decision_maker, given=given, rule=rule)
        chosen = result.option_values[result.option_values["chosen"]].drop_duplicates("node")
        for row in chosen.itertuples(index=False):
            rows.append({"rule": result.rule, "information": row.information,
                         "information_label": row.information_label, "option": row.option,
                         "option_label": row.option_label, "rule_value": result.rule_value,
                         "expected_utility": result.value, "loss": best - result.value})
    frame = pd.DataFrame(rows, columns=["rule", "information", "information_label", "option",
                                        "option_label", "rule_value", "expected_utility",
                                        "loss"])
    frame.attrs = {**scenario.metadata(), "decision_maker": decision_maker,
                   "unit": scenario.model.utilities[decision_maker].unit}
    return frame
