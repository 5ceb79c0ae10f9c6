"""One-way sensitivity and tornado tables, checked against hand computation."""

import textwrap

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis
from analysis import QueryError, one_way_sensitivity, sensitivity_parameters, tornado_table

# start: go (Beta 3, 1 -> mean .75) / halt (rest, ends: bad)
# route: a, b, c with concentrations 2, 1, 1 (means .5, .25, .25);
# outcome good when route is a, else meh. cost: a adds 10, b adds 20.
SMALL = """\
    id: small
    title: Small
    as_of: 2025-01-01
    outcomes:
      good: {label: Good, colour: "#00aa00"}
      meh: {label: Meh, colour: "#0000aa"}
      bad: {label: Bad, colour: "#aa0000"}
    attributes:
      cost: {label: Cost, unit: dollars}
    phases:
      - id: start
        question: Start?
        branches:
          go: {prior: {alpha: 3, beta: 1}}
          halt: {outcome: bad}
      - id: route
        question: Which route?
        branches:
          a: {prior: {concentration: 2}, attributes: {cost: 10}}
          b: {prior: {concentration: 1}, attributes: {cost: 20}}
          c: {prior: {concentration: 1}}
    outcome_rules:
      - when: {route: a}
        outcome: good
      - outcome: meh
"""


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(textwrap.dedent(SMALL))
    return analysis.load_scenario(path, seeds_dir=analysis.formats.seeds.default_seeds_dir())


def test_parameters_and_intervals_are_the_priors_marginals(small):
    table = sensitivity_parameters(small, interval=0.8).set_index("parameter")
    assert list(table.index) == ["start.go", "route.a", "route.b", "route.c"]  # not 'halt'
    assert table.loc["start.go", ["low", "high"]].tolist() == pytest.approx(
        stats.beta.ppf([0.1, 0.9], 3, 1))
    # A Dirichlet(2, 1, 1) share of 'b' is Beta(1, 3).
    assert table.loc["route.b", ["low", "high"]].tolist() == pytest.approx(
        stats.beta.ppf([0.1, 0.9], 1, 3))
    assert table.loc["route.a", "mean"] == pytest.approx(0.5)


def test_sweeping_a_dirichlet_share_rescales_its_siblings(small):
    sweep = one_way_sensitivity(small, output=["good", "meh", "cost"], parameters=["route.b"],
                                n_points=3)
    for value, rows in sweep.groupby("value"):
        result = rows.set_index("output")["result"]
        a = (1 - value) * 2 / 3  # a and c keep their 2:1 proportion of 1 - value
        assert result["good"] == pytest.approx(0.75 * a)
        assert result["meh"] == pytest.approx(0.75 * (1 - a))
        assert result["cost"] == pytest.approx(0.75 * (10 * a + 20 * value))


def test_sweeping_a_beta_agrees_with_fixing_the_prior(small):
    sweep = one_way_sensitivity(small, parameters=["start.go"], n_points=4)
    for value, rows in sweep.groupby("value"):
        fixed = analysis.outcome_distribution(small.with_priors({"start.go": value}))
        assert rows["result"].to_numpy() == pytest.approx(fixed["probability"].to_numpy())
    base = analysis.outcome_distribution(small)["probability"].to_numpy()
    assert sweep["base"].to_numpy() == pytest.approx(np.tile(base, 4))


def test_conditional_sensitivity_obeys_bayes(small):
    sweep = one_way_sensitivity(small, output="good", parameters=["start.go", "route.a"],
                                n_points=3,
                                given={"route": ["a", "b"]})
    route_a = sweep[sweep.parameter == "route.a"]
    for value, result in zip(route_a["value"], route_a["result"], strict=True):
        b = (1 - value) / 2
        assert result == pytest.approx(value / (value + b))
    start = sweep[sweep.parameter == "start.go"]  # 'go' is common to both: no effect
    assert start["result"].to_numpy() == pytest.approx(np.full(3, 0.5 / 0.75))


def test_outputs_are_linear_in_the_swept_value(small):
    sweep = one_way_sensitivity(analysis.load_scenario("baseline"), output="renewed_war",
                                n_points=3)
    for _, rows in sweep.groupby("parameter"):
        low, mid, high = rows["result"]
        assert mid == pytest.approx((low + high) / 2)


def test_tornado_is_sorted_by_swing_and_matches_the_sweep():
    baseline = analysis.load_scenario("baseline")
    table = tornado_table(baseline, output="renewed_war")
    assert table["swing"].is_monotonic_decreasing
    assert table["swing"].to_numpy() == pytest.approx(
        (table["result_high"] - table["result_low"]).abs().to_numpy())
    exact = analysis.outcome_distribution(baseline).set_index("outcome")["probability"]
    assert table["base"].to_numpy() == pytest.approx(np.full(len(table), exact["renewed_war"]))
    # the top prior is the collapse share after a partial exchange: renewed war is, by
    # hand, 1/11 (collapse in the window) + 10/11 (0.1 + 0.5 (0.2 + 0.3 0.2 + 0.5 0.3)
    # + 0.4 c), linear in that share c
    top = table.iloc[0]
    assert top.parameter == "governance.after_partial_exchange.collapses"
    for share, result in ((top.low, top.result_low), (top.high, top.result_high)):
        assert result == pytest.approx(1 / 11 + 10 / 11 * (0.305 + 0.4 * share))
    assert table.attrs["output"] == "renewed_war"


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: one_way_sensitivity(s, output="goood"),
     "unknown output 'goood'.*did you mean 'good'"),
    (lambda s: one_way_sensitivity(s, parameters=["start.halt"]), "unknown or fixed parameter"),
    (lambda s: one_way_sensitivity(s, interval=1.5), "interval == 1.5"),
    (lambda s: one_way_sensitivity(s, n_points=1), "n_points == 1"),
    (lambda s: tornado_table(s, output=["good"]), "expected one outcome"),
])
def test_bad_queries_are_clear_errors(small, call, message):
    with pytest.raises(QueryError, match=message):
        call(small)


def test_fixed_scenario_has_no_parameters(small):
    fixed = small.with_priors({"start.go": 0.5, "route.a": {"concentration": 1}})
    assert "start.go" not in set(sensitivity_parameters(fixed)["parameter"])
    assert isinstance(one_way_sensitivity(fixed, parameters=["route.a"]), pd.DataFrame)


def test_most_influential_ranks_by_largest_outcome_swing():
    from analysis import most_influential

    baseline = analysis.load_scenario("baseline")
    top = most_influential(baseline, top=3)
    sweep = one_way_sensitivity(baseline, n_points=2)
    ends = sweep.groupby(["parameter", "output"])["result"]
    swing = (ends.last() - ends.first()).abs().groupby("parameter").max()
    assert top == list(swing.sort_values(ascending=False).index[:3])
    assert swing[top[0]] >= swing[top[2]] > 0
