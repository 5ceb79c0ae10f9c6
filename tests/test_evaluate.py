"""Exact evaluation, checked against small trees worked out by hand.

``tests/data/two_stage.yaml``::

    a=stop (0.4)                -> lose, cost 1
    a=go (0.6) > b=high (0.3)   -> win,  cost 10 + 5     p = 0.18
    a=go (0.6) > b=mid (0.5)    -> draw, cost 10         p = 0.30
    a=go (0.6) > b=low (0.2)    -> lose, cost 10 + 2     p = 0.12

``tests/data/rules.yaml`` (picnic applies only when sunny; the first matching
rule sets mood; outcome rules are tried in order)::

    sun (0.7) > held (0.8) > happy (0.9, rule after_picnic)   0.504  great
    sun       > held       > sad                              0.056  meh
    sun       > cancelled (0.2) > happy (0.6, rule sunny)     0.084  great
    sun       > cancelled       > sad                         0.056  meh
    rain (0.3) > (skipped) > happy (0.5, default)             0.150  fine
    rain       > (skipped) > sad                              0.150  bad
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import pytest
from conftest import DATA_DIR
from scipy import stats

from analysis import (
    QueryError,
    expected_attributes,
    load_scenario,
    outcome_distribution,
    path_table,
    phase_marginals,
)

TWO_STAGE_PATHS = {  # path -> (probability, outcome, cost)
    "go > high": (0.18, "win", 15.0),
    "go > mid": (0.30, "draw", 10.0),
    "go > low": (0.12, "lose", 12.0),
    "stop": (0.40, "lose", 1.0),
}
RULES_PATHS = {
    "sun > held > happy": (0.504, "great"),
    "sun > held > sad": (0.056, "meh"),
    "sun > cancelled > happy": (0.084, "great"),
    "sun > cancelled > sad": (0.056, "meh"),
    "rain > happy": (0.150, "fine"),
    "rain > sad": (0.150, "bad"),
}


@pytest.fixture(scope="module")
def two_stage():
    return load_scenario(DATA_DIR / "two_stage.yaml")


@pytest.fixture(scope="module")
def rules():
    return load_scenario(DATA_DIR / "rules.yaml")


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def _by(frame: pd.DataFrame, key: str, column: str = "probability") -> dict:
    return dict(zip(frame[key], frame[column], strict=True))


# --- the two-stage tree ------------------------------------------------------

def test_path_table_two_stage(two_stage):
    table = path_table(two_stage)
    assert list(table.columns) == ["path", "a", "b", "probability", "outcome", "cost"]
    assert set(table["path"]) == set(TWO_STAGE_PATHS)
    for _, row in table.iterrows():
        probability, outcome, cost = TWO_STAGE_PATHS[row["path"]]
        assert row["probability"] == pytest.approx(probability, abs=1e-12)
        assert row["outcome"] == outcome
        assert row["cost"] == cost
    stop = table.set_index("path").loc["stop"]
    assert stop["a"] == "stop" and pd.isna(stop["b"])


def test_outcome_distribution_two_stage(two_stage):
    dist = outcome_distribution(two_stage)
    assert list(dist.columns) == ["outcome", "label", "colour", "probability"]
    assert list(dist["outcome"]) == ["win", "draw", "lose"]  # the file's order
    assert list(dist["label"]) == ["Win", "Draw", "Lose"]
    assert dist["probability"].tolist() == pytest.approx([0.18, 0.30, 0.52], abs=1e-12)


def test_expected_attributes_two_stage(two_stage):
    frame = expected_attributes(two_stage)
    assert list(frame.columns) == ["attribute", "label", "unit", "expected", "sd"]
    row = frame.set_index("attribute").loc["cost"]
    mean = 0.4 * 1 + 0.18 * 15 + 0.30 * 10 + 0.12 * 12  # 7.54
    second_moment = 0.4 * 1**2 + 0.18 * 15**2 + 0.30 * 10**2 + 0.12 * 12**2  # 88.18
    assert (row["label"], row["unit"]) == ("Cost", "dollars")
    assert row["expected"] == pytest.approx(7.54, abs=1e-12) == pytest.approx(mean)
    assert row["sd"] == pytest.approx(math.sqrt(88.18 - 7.54**2), abs=1e-12)
    assert row["sd"] == pytest.approx(math.sqrt(second_moment - mean**2))


def test_phase_marginals_two_stage(two_stage):
    frame = phase_marginals(two_stage)
    assert list(frame.columns) == ["phase", "phase_label", "branch", "label", "probability",
                                   "conditional"]
    got = {(r.phase, r.branch): (r.probability, r.conditional) for r in frame.itertuples()}
    expected = {
        ("a", "go"): (0.6, 0.6),
        ("a", "stop"): (0.4, 0.4),
        ("b", "high"): (0.18, 0.3),
        ("b", "mid"): (0.30, 0.5),
        ("b", "low"): (0.12, 0.2),
        ("b", "(not reached)"): (0.4, np.nan),
    }
    assert set(got) == set(expected)
    for key, (probability, conditional) in expected.items():
        assert got[key][0] == pytest.approx(probability, abs=1e-12)
        assert got[key][1] == pytest.approx(conditional, abs=1e-12, nan_ok=True)


def test_conditioning_on_one_branch_is_bayes(two_stage):
    # P(outcome | a=go) = P(outcome and a=go) / P(a=go) = (0.18, 0.30, 0.12) / 0.6
    dist = outcome_distribution(two_stage, given={"a": "go"})
    assert dist["probability"].tolist() == pytest.approx([0.3, 0.5, 0.2], abs=1e-12)
    cost = expected_attributes(two_stage, given={"a": "go"}).loc[0, "expected"]
    assert cost == pytest.approx((0.18 * 15 + 0.30 * 10 + 0.12 * 12) / 0.6, abs=1e-12)


def test_conditioning_on_a_list_of_branches(two_stage):
    # P(b in {high, mid}) = 0.48: win 0.18 / 0.48, draw 0.30 / 0.48, lose 0
    dist = outcome_distribution(two_stage, given={"b": ["high", "mid"]})
    assert dist["probability"].tolist() == pytest.approx([0.375, 0.625, 0.0], abs=1e-12)
    table = path_table(two_stage, given={"b": ["high", "mid"]})
    assert _by(table, "path") == pytest.approx({"go > high": 0.375, "go > mid": 0.625})


def test_conditioning_on_two_phases(two_stage):
    # a=go and b in {high, low}: 0.18 + 0.12 = 0.30
    dist = outcome_distribution(two_stage, given={"a": "go", "b": ["high", "low"]})
    assert dist["probability"].tolist() == pytest.approx([0.6, 0.0, 0.4], abs=1e-12)


def test_conditioned_marginals_renormalise(two_stage):
    frame = phase_marginals(two_stage, given={"b": "low"})
    got = {(r.phase, r.branch): r.probability for r in frame.itertuples()}
    assert got[("a", "go")] == pytest.approx(1.0)
    assert got[("a", "stop")] == 0.0
    assert got[("b", "low")] == pytest.approx(1.0)
    assert got[("b", "(not reached)")] == 0.0


def test_frames_carry_scenario_and_given(two_stage):
    given = {"a": "go"}
    for function in (path_table, outcome_distribution, expected_attributes, phase_marginals):
        plain, conditioned = function(two_stage).attrs, function(two_stage, given=given).attrs
        assert (plain["scenario"], plain["given"]) == ("two_stage", {})
        assert (conditioned["scenario"], conditioned["given"]) == ("two_stage", {"a": "go"})
    given["a"] = "stop"  # the frame keeps its own copy
    assert conditioned["given"] == {"a": "go"}


# --- rules, applies_when and outcome rules -----------------------------------

def test_rules_path_table(rules):
    table = path_table(rules)
    assert _by(table, "path") == pytest.approx({p: v[0] for p, v in RULES_PATHS.items()},
                                               abs=1e-12)
    assert _by(table, "path", "outcome") == {p: v[1] for p, v in RULES_PATHS.items()}
    skipped = table[table["weather"] == "rain"]
    assert skipped["picnic"].isna().all() and len(skipped) == 2


def test_first_matching_rule_wins_and_default_when_none(rules):
    table = path_table(rules)
    p = _by(table, "path")
    # after a held picnic both rules hold; after_picnic comes first: 0.9
    assert p["sun > held > happy"] / (p["sun > held > happy"] + p["sun > held > sad"]) == (
        pytest.approx(0.9))
    # a cancelled picnic on a sunny day: only `sunny` holds: 0.6
    assert p["sun > cancelled > happy"] / 0.14 == pytest.approx(0.6)
    # rain: no rule holds, the default 0.5
    assert p["rain > happy"] / 0.3 == pytest.approx(0.5)


def test_outcome_rules_in_order(rules):
    dist = outcome_distribution(rules)
    assert list(dist["outcome"]) == ["great", "fine", "meh", "bad"]
    # great: sunny and happy (the first rule), fine: happy but rainy (the second),
    # meh: the picnic happened either way, bad: rainy and sad (the skipped
    # picnic matches no branch list, so the catch-all applies)
    assert dist["probability"].tolist() == pytest.approx([0.588, 0.150, 0.112, 0.150],
                                                         abs=1e-12)


def test_phase_marginals_with_skipped_phase(rules):
    frame = phase_marginals(rules)
    got = {(r.phase, r.branch): (r.probability, r.conditional) for r in frame.itertuples()}
    assert got[("picnic", "held")] == pytest.approx((0.56, 0.8))
    assert got[("picnic", "cancelled")] == pytest.approx((0.14, 0.2))
    assert got[("picnic", "(skipped)")][0] == pytest.approx(0.3)
    assert math.isnan(got[("picnic", "(skipped)")][1])
    assert got[("mood", "happy")][0] == pytest.approx(0.504 + 0.084 + 0.150)
    assert ("mood", "(skipped)") not in got and ("mood", "(not reached)") not in got
    assert frame.groupby("phase")["probability"].sum().tolist() == pytest.approx([1, 1, 1])


def test_conditioning_on_two_phases_at_once(rules):
    # weather=sun and mood=happy: 0.504 + 0.084 = 0.588
    table = path_table(rules, given={"weather": "sun", "mood": "happy"})
    assert _by(table, "path") == pytest.approx({
        "sun > held > happy": 0.504 / 0.588,
        "sun > cancelled > happy": 0.084 / 0.588,
    })
    frame = phase_marginals(rules, given={"weather": "sun", "mood": "happy"})
    held = frame[(frame["phase"] == "picnic") & (frame["branch"] == "held")]
    assert held["probability"].item() == pytest.approx(6 / 7)


def test_conditioning_on_a_skipped_phase_excludes_it(rules):
    # paths that skip the picnic never match a condition on it
    dist = outcome_distribution(rules, given={"picnic": ["held", "cancelled"]})
    assert _by(dist, "outcome")["fine"] == 0.0
    assert _by(dist, "outcome")["great"] == pytest.approx(0.588 / 0.7)


# --- priors' means in exact evaluation ---------------------------------------

PRIORS = {
    "beta": ("{alpha: 3, beta: 1.5}", stats.beta(3, 1.5).mean()),
    "range": ("{low: 0.1, mode: 0.2, high: 0.9}", (0.1 + 4 * 0.2 + 0.9) / 6),
    "mean_sd": ("{mean: 0.35, sd: 0.1}", 0.35),
    "fixed": ("0.35", 0.35),
}


@pytest.mark.parametrize("kind", list(PRIORS))
def test_uncertain_prior_evaluates_at_its_mean(write_yaml, scenario_text, kind):
    prior, mean = PRIORS[kind]
    scenario = load_scenario(write_yaml(scenario_text(f"""\
        phases:
          - id: first
            question: First?
            branches:
              x: {{prior: {prior}, outcome: good}}
              y: {{outcome: bad}}
        """)))
    assert outcome_distribution(scenario)["probability"].tolist() == pytest.approx(
        [mean, 1 - mean], abs=1e-12)


def test_dirichlet_means(write_yaml, scenario_text):
    scenario = load_scenario(write_yaml(scenario_text("""\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {concentration: 1}}
              y: {prior: {concentration: 2}, outcome: good}
              z: {prior: {concentration: 3}, outcome: bad}
          - id: second
            question: Second?
            branches:
              u: {prior: {concentration: 0.5}, outcome: good}
              v: {prior: {concentration: 1.5}, outcome: bad}
        """)))
    dirichlet = stats.dirichlet([1, 2, 3]).mean()
    assert dirichlet.tolist() == pytest.approx([1 / 6, 2 / 6, 3 / 6])
    table = _by(path_table(scenario), "path")
    assert table == pytest.approx({
        "x > u": dirichlet[0] * 0.25,
        "x > v": dirichlet[0] * 0.75,
        "y": dirichlet[1],
        "z": dirichlet[2],
    }, abs=1e-12)


def test_rounded_fixed_probabilities_still_sum_to_one(write_yaml, scenario_text):
    """Thirds written to seven places sum to 0.9999999, inside SUM_TOLERANCE: the
    scenario is valid, so its outcome probabilities must still sum to 1."""
    scenario = load_scenario(write_yaml(scenario_text("""\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.3333333, outcome: good}
              y: {prior: 0.3333333, outcome: bad}
              z: {prior: 0.3333333, outcome: bad}
        """)))
    assert outcome_distribution(scenario)["probability"].sum() == pytest.approx(1, abs=1e-9)


def test_default_label_is_the_capitalised_id(write_yaml, scenario_text):
    """schema.Branch.label: 'Defaults to the id, capitalised.'"""
    scenario = load_scenario(write_yaml(scenario_text("""\
        phases:
          - id: first
            question: First?
            branches:
              breaks_down: {prior: 0.5, outcome: good}
              holds: {outcome: bad}
        """)))
    frame = phase_marginals(scenario)
    labels = _by(frame, "branch", "label")
    assert labels["holds"] == "Holds"
    assert labels["breaks_down"] == "Breaks down"
    assert set(frame["phase_label"]) == {"First"}


# --- query errors -------------------------------------------------------------

def test_condition_of_probability_zero(write_yaml, scenario_text):
    scenario = load_scenario(write_yaml(scenario_text("""\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 1, outcome: good}
              y: {prior: 0, outcome: bad}
        """)))
    with pytest.raises(QueryError, match=r"first=y has probability 0"):
        outcome_distribution(scenario, given={"first": "y"})


@pytest.mark.parametrize(("given", "pattern"), [
    ({"aa": "go"}, r"unknown phase 'aa' \(did you mean 'a'\?\); expected one of: a, b"),
    ({"a": "goo"}, r"phase 'a' has no branch 'goo' \(did you mean 'go'\?\); expected one of: go"),
    ({"b": ["high", "hihg"]}, r"no branch 'hihg' \(did you mean 'high'\?\)"),
])
def test_unknown_phase_or_branch_in_given(two_stage, given, pattern):
    for function in (path_table, outcome_distribution, expected_attributes, phase_marginals):
        with pytest.raises(QueryError, match=pattern):
            function(two_stage, given=given)


def test_query_error_is_a_value_error():
    assert issubclass(QueryError, ValueError)


# --- the baseline -------------------------------------------------------------

def test_baseline_outcomes_sum_to_one(baseline):
    dist = outcome_distribution(baseline)
    assert dist["probability"].sum() == pytest.approx(1, abs=1e-12)
    assert (dist["probability"] >= 0).all()
    assert list(dist["outcome"]) == list(baseline.model.outcomes)


def test_baseline_outcomes_agree_with_path_table(baseline):
    table = path_table(baseline)
    grouped = table.groupby("outcome")["probability"].sum()
    dist = outcome_distribution(baseline).set_index("outcome")["probability"]
    assert grouped.reindex(dist.index, fill_value=0).tolist() == pytest.approx(dist.tolist(),
                                                                              abs=1e-12)
    assert table["probability"].sum() == pytest.approx(1, abs=1e-12)
    assert table["path"].is_unique


def test_baseline_marginals_sum_to_one_per_phase(baseline):
    sums = phase_marginals(baseline).groupby("phase")["probability"].sum()
    assert sorted(sums.index) == sorted(baseline.phases)
    assert sums.tolist() == pytest.approx([1.0] * len(sums), abs=1e-12)


def test_attribute_distribution_by_hand(two_stage):
    from analysis import attribute_distribution

    table = attribute_distribution(two_stage)
    assert table["value"].tolist() == [1.0, 10.0, 12.0, 15.0]
    assert table["probability"].tolist() == pytest.approx([0.40, 0.30, 0.12, 0.18])
    given = attribute_distribution(two_stage, given={"a": "go"})
    assert given["probability"].tolist() == pytest.approx([0.0, 0.5, 0.2, 0.3])


def test_last_combined_attribute_keeps_the_last_value_set(write_yaml):
    path = write_yaml(textwrap.dedent("""\
        id: test
        title: Test
        as_of: 2025-01-01
        outcomes:
          good: {label: Good, colour: "#1b9e77"}
          bad: {label: Bad, colour: "#d95f02"}
        attributes:
          held: {label: Held, unit: "%", combine: last, initial: 50}
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.5, attributes: {held: 30}}
              y: {}
          - id: second
            question: Second?
            branches:
              z: {prior: 0.25, attributes: {held: 80}, outcome: bad}
              w: {outcome: good}
        """))
    table = path_table(load_scenario(path)).set_index("path")["held"]
    assert table.to_dict() == {"x > z": 80, "x > w": 30, "y > z": 80, "y > w": 50}
