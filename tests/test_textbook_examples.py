"""The textbook problems of scenarios/examples/, written in their natural order.

No posterior is typed into these files: each decision sees only what it
observes, and the engine applies Bayes' rule. Each test recomputes the
published answer by hand in its docstring.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import analysis

EXAMPLES = Path(analysis.__file__).resolve().parents[1] / "scenarios" / "examples"
DATA = Path(__file__).resolve().parent / "data"


def _load(name: str):
    return analysis.load_scenario(EXAMPLES / f"{name}.yaml")


def test_wildcatter_with_a_seismic_test_in_its_natural_order():
    """Raiffa's wildcatter: site, then the test's result, then drill seeing the result only.

    P(no structure) = .5(.6) + .3(.3) + .2(.1) = .41, P(open) = .35, P(closed) = .24.
    EV(drill | no) = (.30(-70) + .09(50) + .02(200)) / .41 < 0; | open = 11.5 / .35;
    | closed = 21 / .24. EV(test) = 11.5 + 21 - 10 = 22.5 > EV(no test) = 20: test,
    then drill unless no structure (Raiffa's answer, 22.5).
    """
    scenario = _load("wildcatter_seismic")
    result = analysis.rollback(scenario, decision_maker="wildcatter")
    assert result.value == pytest.approx(22.5)
    assert result.chosen_options() == {"(start)": "seismic_test"}
    drill = result.policy[(result.policy["phase"] == "drill") & result.policy["chosen"]]
    assert dict(zip(drill["information"], drill["option"], strict=True)) == {
        "test=seismic_test > seismic=no_structure": "no_drill",
        "test=seismic_test > seismic=open_structure": "drill",
        "test=seismic_test > seismic=closed_structure": "drill",
        "test=no_test": "drill"}
    reach = result.policy.drop_duplicates("node").set_index("information")["reach_probability"]
    assert reach["test=seismic_test > seismic=no_structure"] == pytest.approx(0.41)


def test_the_natural_order_gives_the_hand_computed_posteriors_version():
    """The same problem with the posteriors worked out by hand (tests/data): same values."""
    natural = analysis.rollback(_load("wildcatter_seismic"), decision_maker="wildcatter")
    by_hand = analysis.rollback(analysis.load_scenario(DATA / "wildcatter_test.yaml"),
                                decision_maker="wildcatter")
    mine = natural.policy.set_index(["information", "option"])["expected_utility"]
    theirs = by_hand.policy.set_index(["information", "option"])["expected_utility"]
    assert mine.sort_index().to_numpy() == pytest.approx(theirs.sort_index().to_numpy())


def test_wildcatter_test_is_worth_up_to_its_value_of_information():
    """The test pays while its cost is below 32.5 - 20 = 12.5: the threshold on its cost."""
    switches = analysis.find_switches(_load("wildcatter_seismic"), "test_cost",
                                      decision_maker="wildcatter")
    first = switches[switches["information"] == "(start)"].iloc[0]
    assert (first["from_option"], first["to_option"]) == ("seismic_test", "no_test")
    assert first["threshold"] == pytest.approx(12.5)


def test_wildcatter_perfect_information_about_the_unobserved_site():
    """Knowing the site before drilling (with the test available): 55 - 22.5 = 32.5."""
    site = analysis.evppi(_load("wildcatter_seismic"), decision_maker="wildcatter",
                          about="outcomes", groups=["site"]).iloc[0]
    assert site["evppi"] == pytest.approx(32.5)


def test_oil_field_with_a_test_of_given_sensitivity_and_specificity():
    """SilverDecisions's Rockefeller tree: 1075 at the root (its saved value).

    P(+) = .5(.9) + .5(.3) = .6. Install | + : -250 + (.45 / .6) 2500 = 1625 > sell 1000;
    install | - : -250 + (.05 / .4) 2500 = 62.5 < sell 500. Test: -100 + .6(1625) + .4(500)
    = 1075 > install (-250 + .5(2500) = 1000) > sell (750).
    """
    scenario = _load("oil_field_test")
    result = analysis.rollback(scenario, decision_maker="owner")
    assert result.value == pytest.approx(1075)
    values = result.policy.set_index(["phase", "option"])["expected_utility"]
    assert values[("first", "sell")] == pytest.approx(750)
    assert values[("first", "install")] == pytest.approx(1000)
    assert values[("after_positive", "install")] == pytest.approx(1625 - 100)
    assert values[("after_negative", "sell")] == pytest.approx(500 - 100)


def test_oil_field_tornado_is_silverdecisionss():
    """SilverDecisions's tornado CSV (its policy held fixed): prior 175..1975, sensitivity
    287.5..1162.5, specificity 850..1150 (sd-computations test/data/csv)."""
    table = analysis.tornado_table(_load("oil_field_test"), output="utility:owner",
                                   decision_maker="owner", policy="fixed", n_points=11,
                                   parameters=["prior_oil", "sensitivity", "specificity"])
    ranges = table.set_index("parameter")[["minimum", "maximum"]]
    assert ranges.loc["prior_oil"].tolist() == pytest.approx([175, 1975])
    assert ranges.loc["sensitivity"].tolist() == pytest.approx([287.5, 1162.5])
    assert ranges.loc["specificity"].tolist() == pytest.approx([850, 1150])
    assert table.attrs["policy"] == "owner's base-case optimal policy held fixed"


def test_contract_with_legal_fees():
    """Texaco-Pennzoil: 4.6348 with no fee (Clemen: 4.63).

    With a fee f on every court path: court = 4.56 - f; refuse $3 billion while
    4.56 - f > 3, f < 1.56; then counter = .17(5) + .5(4.56 - f) + .33(3) = 4.12 - .5 f,
    below accepting $2 billion once f > 4.24.
    """
    scenario = _load("contract_legal_fees")
    result = analysis.rollback(scenario, decision_maker="pennzoil")
    assert result.value == pytest.approx(4.6348)
    switches = analysis.find_switches(scenario, "legal_fee", decision_maker="pennzoil")
    found = dict(zip(switches["from_option"] + ">" + switches["to_option"],
                     switches["threshold"], strict=True))
    assert found == pytest.approx({"refuse_3>accept_3": 1.56, "counteroffer_5>accept_2": 4.24})
    # Holding the no-fee policy (counteroffer, refuse $3 billion): .85 + .83 (4.56 - f),
    # which falls to the $2 billion offered at f = (4.6348 - 2) / .83.
    level = analysis.find_threshold(scenario, "legal_fee", output="utility:pennzoil", level=2,
                                    decision_maker="pennzoil", policy="fixed")
    assert level["threshold"].iloc[0] == pytest.approx((4.6348 - 2) / 0.83)
    assert "held fixed" in level.attrs["policy"]
