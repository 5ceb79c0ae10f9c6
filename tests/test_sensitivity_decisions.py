"""Sensitivity with stakeholders and decisions: utility outputs, two-way grids, thresholds.

On the venture of ``test_value_of_information`` (sure thing 45): with stage
one at ``v`` (stage two at its mean 0.8), the venture is worth ``80 v`` and
P(won) is ``0.8 v`` when it is taken, so the optimal option switches at
``v = 45 / 80 = 0.5625`` and P(won) crosses 0.4 at ``v = 0.5``.
"""

import numpy as np
import pandas as pd
import pytest
from test_value_of_information import _venture

import analysis
from analysis import QueryError
from analysis.analyses.sensitivity import output_results
from analysis.model.outputs import resolve_outputs
from analysis.model.parameters import sweep_theta, uncertain_parameters


@pytest.fixture
def venture(tmp_path):
    return _venture(tmp_path, 45)


def test_utility_output_is_the_expected_utility(venture):
    sweep = analysis.one_way_sensitivity(venture, output=["won", "utility:investor"],
                                         parameters=["stage_one.ok"], n_points=5)
    won = sweep[sweep.output == "won"]["result"].to_numpy()
    utility = sweep[sweep.output == "utility:investor"]["result"].to_numpy()
    assert utility == pytest.approx(100 * won)
    assert sweep[sweep.output == "utility:investor"]["output_label"].iloc[0] == (
        "Investor: expected utility (points)")
    assert sweep.attrs["decision_maker"] is None


def test_a_decision_maker_re_optimises_at_every_value(venture):
    sweep = analysis.one_way_sensitivity(venture, output="utility:investor",
                                         parameters=["stage_one.ok"], n_points=9,
                                         decision_maker="investor")
    values = sweep["value"].to_numpy()
    assert sweep["result"].to_numpy() == pytest.approx(np.maximum(80 * values, 45))
    assert sweep["base"].iloc[0] == pytest.approx(48)
    assert sweep.attrs["decision_maker"] == "investor"
    table = analysis.tornado_table(venture, output="utility:investor", decision_maker="investor")
    row = table.set_index("parameter").loc["stage_one.ok"]
    assert row.result_low == pytest.approx(max(80 * row.low, 45))
    assert table.attrs["unit"] == "points"


def test_threshold_where_the_optimal_option_switches(venture):
    table = analysis.find_switches(venture, "stage_one.ok", decision_maker="investor")
    assert len(table) == 1
    row = table.iloc[0]
    assert row.threshold == pytest.approx(45 / 80, abs=1e-10)
    assert (row.kind, row.from_option, row.to_option) == ("switch", "sure_thing", "venture")
    assert row.information == "(start)" and row.in_interval
    assert row["mean"] == pytest.approx(0.6)
    # stage two: 100 * 0.6 * v = 45 at v = 0.75
    other = analysis.find_switches(venture, "stage_two.ok", decision_maker="investor")
    assert other["threshold"].iloc[0] == pytest.approx(0.75, abs=1e-10)


def test_threshold_where_an_output_crosses_a_level(venture):
    row = analysis.find_threshold(venture, "stage_one.ok", output="won", level=0.4).iloc[0]
    assert row.kind == "level" and row.threshold == pytest.approx(0.5, abs=1e-10)
    missing = analysis.find_threshold(venture, "stage_one.ok", output="won", level=0.9)
    assert len(missing) == 1 and np.isnan(missing["threshold"].iloc[0])
    assert "no crossing of 0.9 in [0, 1]" in missing["note"].iloc[0]
    assert not missing["in_interval"].iloc[0]
    bounded = analysis.find_threshold(venture, "stage_one.ok", output="won", level=0.4,
                                      bounds=(0.6, 1.0))
    assert np.isnan(bounded["threshold"].iloc[0])


def test_threshold_of_a_conditional_output_is_exact():
    mediation = analysis.load_scenario("mediation")
    given = {"exchanges": "complete"}
    key = "withdrawal.reversed"
    row = analysis.find_threshold(mediation, key, output="renewed_war", level=0.5,
                                  given=given).iloc[0]
    [parameter] = uncertain_parameters(mediation, [key])
    [output] = resolve_outputs(mediation, "renewed_war")
    theta = sweep_theta(mediation.tree, parameter, np.array([row.threshold]))
    at = output_results(mediation, theta, output.weights[:, None], given)[0, 0]
    assert at == pytest.approx(0.5, abs=1e-10)


def test_thresholds_of_the_deal_policy():
    """After a complete exchange the force beats the mission (28.75) when its value is higher.

    The force's withdrawal (phased .5, stalls .35) leads to governance with the
    force: after withdrawal 100 u + 60 (1 - u) 4/5 (withdrawal without
    disarmament) as its 'implemented' share u moves (the others keep their 4:1
    proportion), at the line 30.5. The force's value .5 (48 + 52 u) + .35 (30.5)
    - 8 = 26.675 + 26 u passes 28.75 at u = 2.075 / 26.
    """
    mediation = analysis.load_scenario("mediation")
    table = analysis.find_switches(mediation, "governance.force_after_withdrawal.implemented",
                                   decision_maker="mediators")
    row = table.iloc[0]
    assert row.threshold == pytest.approx(2.075 / 26, abs=1e-10)
    assert (row.from_option, row.to_option) == ("monitoring_mission", "stabilization_force")
    assert row.information == "ceasefire=holds > exchanges=complete"


def test_two_way_grid(venture):
    frame = analysis.two_way_sensitivity(venture, output="won", x="stage_one.ok",
                                         y="stage_two.ok", n_points=5)
    assert len(frame) == 25
    assert frame["result"].to_numpy() == pytest.approx(
        (frame["x_value"] * frame["y_value"]).to_numpy())
    assert frame.attrs["base"] == pytest.approx(0.48)
    assert frame.attrs["unit"] == "probability"
    assert (frame.attrs["x_mean"], frame.attrs["y_mean"]) == pytest.approx((0.6, 0.8))
    optimal = analysis.two_way_sensitivity(venture, output="utility:investor", x="stage_one.ok",
                                           y="stage_two.ok", n_points=5,
                                           decision_maker="investor")
    expected = np.maximum(100 * optimal["x_value"] * optimal["y_value"], 45)
    assert optimal["result"].to_numpy() == pytest.approx(expected.to_numpy())
    venture_wins = 100 * optimal["x_value"] * optimal["y_value"] > 45
    assert set(optimal.loc[venture_wins, "policy"]) == {"Venture"}
    assert set(optimal.loc[~venture_wins, "policy"]) == {"Sure thing"}


def test_two_way_within_one_set_leaves_the_rest_to_the_others():
    mediation = analysis.load_scenario("mediation")
    x, y = "withdrawal.phased", "withdrawal.stalls"
    frame = analysis.two_way_sensitivity(mediation, output="renewed_war", x=x, y=y, n_points=4)
    over = frame["x_value"] + frame["y_value"] > 1
    assert frame.loc[over, "result"].isna().all()
    assert frame.loc[~over, "result"].notna().all()
    point = frame.loc[~over].iloc[0]
    reversed_share = 1 - point.x_value - point.y_value
    changed = mediation.with_priors({f"withdrawal.{b}": v for b, v in (
        ("phased", point.x_value), ("stalls", point.y_value), ("reversed", reversed_share))})
    expected = analysis.outcome_distribution(changed).set_index("outcome")["probability"]
    assert point.result == pytest.approx(expected["renewed_war"])


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: analysis.two_way_sensitivity(s, output="won", x="stage_one.ok", y="stage_one.ok"),
     "both 'stage_one.ok'"),
    (lambda s: analysis.two_way_sensitivity(s, output="won", x="stage_one.ok", y="stage_two.ok",
                                            n_points=1), "n_points == 1"),
    (lambda s: analysis.two_way_sensitivity(s, output=["won"], x="stage_one.ok",
                                            y="stage_two.ok"), "expected one outcome"),
    (lambda s: analysis.find_switches(s, "stage_one.ok", decision_maker="investor",
                                      bounds=(0.5, 0.2)), "bounds =="),
    (lambda s: analysis.find_threshold(s, "stage_one.ok", output="won", level=0.5,
                                       bounds=(0.5, "x")), "bounds =="),
    (lambda s: analysis.find_switches(s, "stage_one.fails", decision_maker="investor"),
     "unknown or fixed parameter"),
    (lambda s: analysis.find_threshold(s, "stage_one.ok", output="wn", level=0.5),
     "unknown output 'wn'"),
    (lambda s: analysis.one_way_sensitivity(s, output="utility:investr"), "did you mean"),
    (lambda s: analysis.one_way_sensitivity(s, decision_maker="nobody"),
     "unknown stakeholder"),
])
def test_bad_queries_are_clear_errors(venture, call, message):
    with pytest.raises(QueryError, match=message):
        call(venture)


def test_scenarios_without_decisions_are_unchanged():
    baseline = analysis.load_scenario("baseline")
    sweep = analysis.one_way_sensitivity(baseline, n_points=3)
    exact = analysis.outcome_distribution(baseline)["probability"].to_numpy()
    first = sweep[sweep.parameter == sweep.parameter.iloc[0]]
    assert first["base"].to_numpy()[:len(exact)] == pytest.approx(exact)
    assert isinstance(sweep, pd.DataFrame)
