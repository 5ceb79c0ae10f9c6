"""Decision rules, options forced or excluded, ties at any scale, risk attitude, payoffs.

The payoff table is the real-estate example of Taylor, *Introduction to
Management Science* (ch. 12, "decision analysis"): an apartment building
(50,000 if the economy is good, 30,000 if poor), an office building
(100,000 / -40,000), a warehouse (30,000 / 10,000). Textbook answers:
maximax the office, maximin the apartment, minimax regret the apartment
(largest regrets 50,000, 70,000, 70,000), Hurwicz with alpha 0.4 the
apartment (38,000 against 16,000 and 18,000), expected value with P(good)
= 0.6 the office (44,000 against 42,000 and 22,000).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis

PAYOFFS = {"apartment": (50_000, 30_000), "office": (100_000, -40_000),
           "warehouse": (30_000, 10_000)}
JOBS = {"apartment": 10, "office": 50, "warehouse": 20}


def _table(payoffs: dict = PAYOFFS, p_good: float = 0.6) -> str:
    """The payoff table as a scenario: the economy first, unobserved by the decision."""
    outcomes, utilities, city, rules = [], [], [], []
    for option, values in payoffs.items():
        for state, value in zip(("good", "poor"), values, strict=True):
            outcomes.append(f"  {option}_{state}: {{label: {option} {state}, colour: '#7f7f7f'}}")
            utilities.append(f"{option}_{state}: {value!r}")
            city.append(f"{option}_{state}: {JOBS[option]}")
            rules.append(f"  - {{when: {{build: {option}, economy: {state}}}, "
                         f"outcome: {option}_{state}}}")
    return "\n".join([
        "id: real_estate", "title: Real-estate investment (Taylor)", "as_of: 2000-01-01",
        "parameters:", f"  p_good: {{value: {p_good!r}, sensitivity: {{low: 0, high: 1}}}}",
        "outcomes:", *outcomes,
        "stakeholders:", "  investor: {label: Investor}", "  city: {label: City}",
        "utilities:",
        f"  investor: {{scale: $, unit: $, outcomes: {{{', '.join(utilities)}}}}}",
        f"  city: {{scale: jobs, unit: jobs, outcomes: {{{', '.join(city)}}}}}",
        "phases:",
        "  - id: economy", "    question: How does the economy go?", "    branches:",
        "      good: {prior: p_good}", "      poor: {prior: '#'}",
        "  - id: build", "    question: What to build?", "    decision_maker: investor",
        "    observes: []", "    branches:",
        "      apartment: {}", "      office: {}", "      warehouse: {}",
        "outcome_rules:", *rules, ""])


@pytest.fixture
def real_estate(write_yaml):
    return analysis.load_scenario(write_yaml(_table()))


@pytest.mark.parametrize(("rule", "choice", "value"), [
    ("expected_value", "office", 44_000),
    ("maximax", "office", 100_000),
    ("maximin", "apartment", 30_000),
    ("minimax_regret", "apartment", 50_000),
    ({"name": "hurwicz", "alpha": 0.4}, "apartment", 38_000),
])
def test_textbook_rules_on_a_payoff_table(real_estate, rule, choice, value):
    result = analysis.rollback(real_estate, decision_maker="investor", rule=rule)
    assert result.chosen_options() == {"(start)": choice}
    assert result.rule_value == pytest.approx(value)
    assert result.policy.attrs["rule"] == result.rule


def test_minimising_turns_values_into_costs(real_estate):
    """As costs, the least expected cost is the warehouse (22,000) and the least worst
    case the warehouse too (30,000)."""
    for name in ("expected_value", "maximin"):
        result = analysis.rollback(real_estate, decision_maker="investor",
                                   rule={"name": name, "direction": "minimize"})
        assert result.chosen_options() == {"(start)": "warehouse"}
    assert analysis.rollback(real_estate, decision_maker="investor", rule={
        "name": "maximin", "direction": "minimize"}).rule_value == pytest.approx(30_000)


def test_weighted_criteria(real_estate):
    """Investor's EV plus 500 per job: apartment 42,000 + 5,000; office 44,000 + 25,000."""
    result = analysis.rollback(real_estate, decision_maker="investor",
                               rule={"name": "weighted", "weights": {"investor": 1,
                                                                     "city": 500}})
    assert result.chosen_options() == {"(start)": "office"}
    assert result.rule_value == pytest.approx(44_000 + 500 * 50)
    only_jobs = analysis.rollback(real_estate, decision_maker="investor",
                                  rule={"name": "maximin", "weights": {"city": 1}})
    assert only_jobs.chosen_options() == {"(start)": "office"}


def test_rules_are_refused_clearly(real_estate):
    with pytest.raises(analysis.QueryError, match="unknown rule 'maximum'"):
        analysis.rollback(real_estate, decision_maker="investor", rule="maximum")
    with pytest.raises(analysis.QueryError, match="needs alpha"):
        analysis.rollback(real_estate, decision_maker="investor", rule="hurwicz")
    with pytest.raises(analysis.QueryError, match="unknown stakeholder 'town'"):
        analysis.rollback(real_estate, decision_maker="investor",
                          rule={"name": "weighted", "weights": {"town": 1}})
    with pytest.raises(TypeError, match="rule"):
        analysis.rollback(real_estate, decision_maker="investor", rule=3)


def test_switches_follow_the_rule(real_estate):
    """Expected value: office while 140,000 p - 40,000 > 20,000 p + 30,000, p > 7/12."""
    switches = analysis.find_switches(real_estate, "p_good", decision_maker="investor")
    row = switches[switches["to_option"] == "office"].iloc[0]
    assert row["threshold"] == pytest.approx(7 / 12)


def test_options_can_be_forced_or_excluded(real_estate):
    no_office = real_estate.with_options(exclude={"build": "office"})
    result = analysis.rollback(no_office, decision_maker="investor")
    assert result.chosen_options() == {"(start)": "apartment"}
    rows = result.policy.set_index("option")
    assert not rows.loc["office", "allowed"] and not rows.loc["office", "chosen"]
    assert no_office.changes == ("build: not office",)
    forced = real_estate.with_options(force={"build": "warehouse"})
    assert analysis.rollback(forced, decision_maker="investor").value == pytest.approx(22_000)
    assert forced.changes == ("build = warehouse (forced)",)
    with pytest.raises(analysis.ScenarioError, match="no option of decision 'build'"):
        forced.with_options(exclude={"build": "warehouse"})
    with pytest.raises(analysis.ScenarioError, match="unknown option"):
        real_estate.with_options(force={"build": "castle"})


def test_a_tie_is_a_tie_in_dollars_and_in_cents(write_yaml, scenario_text):
    """Two options tied exactly, at values about 9e7 (cents) and 9e5 (dollars)."""
    for scale in (1.0, 100.0):
        text = scenario_text(f"""\
            stakeholders:
              firm: {{label: Firm}}
            utilities:
              firm: {{scale: money, outcomes: {{good: 0, bad: 0}}}}
            phases:
              - id: choice
                question: Which?
                decision_maker: firm
                branches:
                  a: {{payoffs: {{firm: {0.1 * 9e5 * scale!r}}}}}
                  b: {{payoffs: {{firm: {0.3 * 3e5 * scale!r}}}}}
              - id: luck
                question: Luck?
                branches:
                  up: {{prior: 0.7, payoffs: {{firm: {0.7 * 3e5 * scale!r}}}, outcome: good}}
                  down: {{prior: "#", payoffs: {{firm: {0.1 * 7e5 * scale!r}}}, outcome: bad}}
            """)
        result = analysis.rollback(analysis.load_scenario(write_yaml(text)),
                                   decision_maker="firm")
        assert result.policy["tie"].all(), (scale, result.policy)


@given(st.floats(0.01, 0.99), st.floats(-100, 100), st.floats(-100, 100),
       st.floats(-100, 100))
@settings(max_examples=30, deadline=None)
def test_maximin_is_below_expected_value_below_maximax(p, a, b, c):
    """For the same scenario: best worst case <= best expected value <= best best case."""
    import tempfile
    from pathlib import Path

    payoffs = {"apartment": (a, b), "office": (b, c), "warehouse": (c, a)}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.yaml"
        path.write_text(_table(payoffs, p), encoding="utf-8")
        scenario = analysis.load_scenario(path)
        values = {rule: analysis.rollback(scenario, decision_maker="investor",
                                          rule=rule).rule_value
                  for rule in ("maximin", "expected_value", "maximax")}
    assert values["maximin"] <= values["expected_value"] + 1e-9
    assert values["expected_value"] <= values["maximax"] + 1e-9


# ---------------------------------------------------------------------------- risk


def test_exponential_utility_certainty_equivalent_closed_form(write_yaml, scenario_text):
    """A 50-50 gamble of +-x for a risk tolerance R: CE = -R ln cosh(x / R)."""
    x, tolerance = 300.0, 500.0
    text = scenario_text(f"""\
        stakeholders:
          me: {{label: Me}}
        utilities:
          me: {{scale: $, outcomes: {{good: 0, bad: 0}}, risk_tolerance: {tolerance}}}
        phases:
          - id: play
            question: Play?
            decision_maker: me
            branches:
              play: {{}}
              pass: {{outcome: bad, payoffs: {{me: -1}}}}
          - id: coin
            question: Heads?
            branches:
              heads: {{prior: 0.5, payoffs: {{me: {x}}}, outcome: good}}
              tails: {{prior: "#", costs: {{me: {x}}}, outcome: bad}}
        """)
    scenario = analysis.load_scenario(write_yaml(text))
    forced = scenario.with_options(force={"play": "play"})
    result = analysis.rollback(forced, decision_maker="me")
    assert result.certainty_equivalent == pytest.approx(-tolerance * math.log(math.cosh(
        x / tolerance)))
    # Risk averse: declining (a sure -1) beats a fair gamble with a CE of about -86.
    assert analysis.rollback(scenario, decision_maker="me").chosen_options() == {
        "(start)": "pass"}


def test_costs_on_chance_branches_add_up_along_the_path(write_yaml, scenario_text):
    text = scenario_text("""\
        parameters:
          repair: {value: 30, sensitivity: {low: 0, high: 100}}
        stakeholders:
          owner: {label: Owner}
        utilities:
          owner: {scale: $, outcomes: {good: 100, bad: 0}}
        phases:
          - id: machine
            question: Does it break?
            branches:
              works: {prior: 0.8, outcome: good}
              breaks: {prior: "#", costs: {owner: repair}}
          - id: fix
            question: Is the fix good?
            branches:
              fixed: {prior: 0.5, payoffs: {owner: 10}, outcome: good}
              scrapped: {prior: "#", costs: {owner: 5}, outcome: bad}
        """)
    scenario = analysis.load_scenario(write_yaml(text))
    table = analysis.expected_utilities(scenario).set_index("stakeholder")
    expected = 0.8 * 100 + 0.2 * (0.5 * (100 + 10 - 30) + 0.5 * (0 - 5 - 30))
    assert table.loc["owner", "expected"] == pytest.approx(expected)
    tornado = analysis.tornado_table(scenario, output="utility:owner")
    assert tornado["parameter"].tolist() == ["repair"]  # a fixed tree: a cost is swept
    assert tornado.iloc[0]["swing"] == pytest.approx(0.2 * 100)
    level = analysis.find_threshold(scenario, "repair", output="utility:owner", level=80)
    assert level["threshold"].iloc[0] == pytest.approx((expected - 80) / 0.2 + 30)


def test_sensitivity_on_a_named_probability_with_a_dirichlet_partner(write_yaml,
                                                                     scenario_text):
    text = scenario_text("""\
        parameters:
          shares: {dirichlet: {a: 2, b: 1, c: 1}}
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: a, outcome: good}
              y: {prior: b, outcome: bad}
              z: {prior: c, outcome: bad}
        """)
    scenario = analysis.load_scenario(write_yaml(text))
    sweep = analysis.one_way_sensitivity(scenario, output="good", parameters=["a"],
                                         ranges={"a": (0.2, 0.8)}, n_points=4)
    assert sweep["result"].to_numpy() == pytest.approx(np.linspace(0.2, 0.8, 4))
    spider = analysis.spider_table(scenario, output="good", parameters=["a"], change=0.5,
                                   n_points=3)
    assert spider["result"].tolist() == pytest.approx([0.25, 0.5, 0.75])


def test_compare_rules_and_its_chart(real_estate):
    from analysis.plotting import plot_rule_comparison

    table = analysis.compare_rules(real_estate, decision_maker="investor")
    chosen = dict(zip(table["rule"], table["option"], strict=True))
    assert chosen == {"expected value": "office", "maximin (best worst case)": "apartment",
                      "maximax (best best case)": "office", "minimax regret": "apartment",
                      "Hurwicz (alpha = 0.25)": "apartment", "Hurwicz (alpha = 0.75)": "office"}
    loss = dict(zip(table["rule"], table["loss"], strict=True))
    assert loss["maximin (best worst case)"] == pytest.approx(44_000 - 42_000)
    figure = plot_rule_comparison(table)
    assert list(figure.data[0].y)[::-1] == list(table["rule"])
    assert "Decision rules for investor" in figure.layout.title.text
    with pytest.raises(analysis.QueryError, match="at least one"):
        analysis.compare_rules(real_estate, decision_maker="investor", rules=[])
