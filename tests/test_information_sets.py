"""Information sets (``observes:``) and conditions (not, any_of, parameter comparisons).

A decision that does not observe an earlier chance phase gathers the paths
it cannot tell apart into one node; its options' values are the Bayes
posterior expectations, checked here against the same problem with the
posteriors written by hand, and against Bayes' rule directly.
"""

from __future__ import annotations

import pytest

import analysis


def _test_decision(observes: str = "observes: [test]") -> str:
    return f"""\
        stakeholders:
          doctor: {{label: Doctor}}
        utilities:
          doctor: {{scale: points, outcomes: {{good: 1, bad: 0}}}}
        phases:
          - id: disease
            question: Sick?
            branches:
              sick: {{prior: 0.2}}
              healthy: {{prior: "#"}}
          - id: test
            question: Result?
            branches:
              positive: {{prior: 0.8}}
              negative: {{prior: "#"}}
            rules:
              - id: healthy
                when: {{disease: healthy}}
                priors: {{positive: 0.1, negative: "#"}}
          - id: treat
            question: Treat?
            decision_maker: doctor
            {observes}
            branches:
              treat: {{}}
              wait: {{}}
        outcome_rules:
          - when: {{disease: sick, treat: treat}}
            outcome: good
          - when: {{disease: healthy, treat: wait}}
            outcome: good
          - outcome: bad
        """


def test_a_hidden_phase_is_weighed_by_bayes_rule(write_yaml, scenario_text):
    """P(sick | +) = .16 / (.16 + .08) = 2/3: treat (2/3) beats wait (1/3);
    P(sick | -) = .04 / .76: wait (.72 / .76) beats treat."""
    scenario = analysis.load_scenario(write_yaml(scenario_text(_test_decision())))
    result = analysis.rollback(scenario, decision_maker="doctor")
    values = result.policy.set_index(["information", "option"])["expected_utility"]
    assert values[("test=positive", "treat")] == pytest.approx(2 / 3)
    assert values[("test=positive", "wait")] == pytest.approx(1 / 3)
    assert values[("test=negative", "wait")] == pytest.approx(0.72 / 0.76)
    assert result.value == pytest.approx(0.16 + 0.72)
    assert set(result.policy["information"]) == {"test=positive", "test=negative"}
    risk = result.risk_profiles
    good = risk[(risk["information"] == "test=positive") & (risk["option"] == "treat")
                & (risk["outcome"] == "good")]
    assert good["probability"].iloc[0] == pytest.approx(2 / 3)


def test_without_observes_the_decision_sees_everything(write_yaml, scenario_text):
    scenario = analysis.load_scenario(write_yaml(scenario_text(_test_decision(""))))
    result = analysis.rollback(scenario, decision_maker="doctor")
    assert result.value == pytest.approx(1.0)
    assert len(result.policy) == 8  # four information states, two options


def test_observing_nothing_is_one_node(write_yaml, scenario_text):
    scenario = analysis.load_scenario(write_yaml(scenario_text(_test_decision("observes: []"))))
    result = analysis.rollback(scenario, decision_maker="doctor")
    assert result.chosen_options() == {"(start)": "wait"}
    assert result.value == pytest.approx(0.8)
    clairvoyant = analysis.evpi(scenario, decision_maker="doctor", about="outcomes").iloc[0]
    assert clairvoyant["evpi"] == pytest.approx(0.2)


@pytest.mark.parametrize(("observes", "location", "fragment"), [
    ("observes: [tset]  # <-", "phases[2].observes[0]", "did you mean 'test'"),
    ("observes: [treat]  # <-", "phases[2].observes[0]", "unknown or later phase"),
])
def test_observes_is_checked(scenario_text, expect_problem, observes, location, fragment):
    expect_problem(scenario_text(_test_decision(observes)), location, fragment)


def test_observes_only_on_a_decision(scenario_text, expect_problem):
    text = scenario_text(_test_decision()).replace(
        "    question: Result?\n", "    question: Result?\n    observes: [disease]  # <-\n")
    expect_problem(text, "phases[1].observes", "only a decision")


def test_a_decision_maker_forgets_nothing(scenario_text, expect_problem):
    text = scenario_text(_test_decision("observes: [disease, test]") + """\
          - id: follow_up
            question: Follow up?
            decision_maker: doctor
            observes: [test]  # <-
            branches:
              yes: {}
              no: {}
        """)
    text = text.replace("        outcome_rules:", "        outcome_rules:", 1)
    # Move the outcome rules after the new phase.
    head, rules = text.split("outcome_rules:\n", 1)
    rules_text, phase = rules.split("  - id: follow_up", 1)
    text = head + "  - id: follow_up" + phase + "outcome_rules:\n" + rules_text
    expect_problem(text, "phases[3].observes", "does not observe disease", "perfect recall")


# ------------------------------------------------------------------------- conditions


CONDITIONS = """\
    parameters:
      fee: {distribution: uniform, low: 0, high: 20}
    phases:
      - id: weather
        question: Weather?
        branches:
          sun: {prior: 0.5}
          cloud: {prior: 0.3}
          rain: {prior: "#"}
      - id: trip
        question: Trip?
        applies_when: {weather: {not: rain}}
        branches:
          goes: {prior: 0.9}
          cancelled: {prior: "#"}
        rules:
          - id: expensive
            when: {parameters: "fee > 10"}
            priors: {goes: 0.5, cancelled: "#"}
    outcome_rules:
      - when: {any_of: [{trip: goes}, {not: {weather: [sun, cloud]}}]}
        outcome: good
      - outcome: bad
    """


def test_not_any_of_and_a_parameter_comparison(write_yaml, scenario_text):
    """fee ~ Uniform(0, 20): at its base (10) the rule does not hold: good = .8(.9) + .2.
    Over the draws it holds half the time: E[good] = .8(.5 .9 + .5 .5) + .2 = .76."""
    scenario = analysis.load_scenario(write_yaml(scenario_text(CONDITIONS)))
    dist = analysis.outcome_distribution(scenario).set_index("outcome")
    assert dist.loc["good", "probability"] == pytest.approx(0.8 * 0.9 + 0.2)
    samples = analysis.sample_outcomes(scenario, n_draws=40_000, rng=5)
    table = analysis.outcome_intervals(samples).set_index("outcome")
    assert table.loc["good", "mean"] == pytest.approx(0.76, abs=4 * table.loc["good", "mcse"])
    sweep = analysis.one_way_sensitivity(scenario, output="good", parameters=["fee"],
                                         ranges={"fee": (5, 15)}, n_points=2)
    assert sweep["result"].tolist() == pytest.approx([0.92, 0.8 * 0.5 + 0.2])


@pytest.mark.parametrize(("old", "new", "location", "fragment"), [
    ("{weather: {not: rain}}", "{weather: {not: snow}}  # <-",
     "phases[1].applies_when.weather.not", "unknown branch"),
    ("{weather: {not: rain}}", "{wheather: sun}  # <-", "phases[1].applies_when.wheather",
     "did you mean 'weather'"),
    ("  - when: {any_of: [{trip: goes}, {not: {weather: [sun, cloud]}}]}",
     "  - when: {parameters: \"fee > 10\"}  # <-\n    outcome: bad\n"
     "  - when: {any_of: [{trip: goes}, {not: {weather: [sun, cloud]}}]}",
     "outcome_rules[0].when", "a path's outcome cannot depend on them"),
    ("{parameters: \"fee > 10\"}", "{parameters: \"fe > 10\"}  # <-",
     "phases[1].rules[0].when.parameters", "unknown parameter 'fe'"),
    ("when: {any_of: [{trip: goes}, {not: {weather: [sun, cloud]}}]}",
     "when: {any_of: {trip: goes}}  # <-", "outcome_rules[0].when.any_of",
     "expected a list of conditions"),
])
def test_condition_problems_are_located(scenario_text, expect_problem, old, new, location,
                                        fragment):
    text = scenario_text(CONDITIONS)
    assert old in text
    expect_problem(text.replace(old, new, 1), location, fragment)


def test_a_chance_phase_may_apply_depending_on_parameters(write_yaml, scenario_text):
    """The trip happens only when the fee is at most 10 (else it is skipped: good only in
    rain). Base fee 10: .8(.9) + .2; Uniform(0, 20) draws: half the time .8(.9) + .2,
    half .2, so E = .2 + .4(.9) = .56."""
    text = scenario_text(CONDITIONS).replace(
        "applies_when: {weather: {not: rain}}",
        "applies_when: {weather: {not: rain}, parameters: \"fee <= 10\"}")
    scenario = analysis.load_scenario(write_yaml(text))
    dist = analysis.outcome_distribution(scenario).set_index("outcome")
    assert dist.loc["good", "probability"] == pytest.approx(0.8 * 0.9 + 0.2)
    samples = analysis.sample_outcomes(scenario, n_draws=40_000, rng=2)
    table = analysis.outcome_intervals(samples).set_index("outcome")
    assert table.loc["good", "mean"] == pytest.approx(0.56, abs=4 * table.loc["good", "mcse"])
    sweep = analysis.one_way_sensitivity(scenario, output="good", parameters=["fee"],
                                         ranges={"fee": (5, 15)}, n_points=2)
    assert sweep["result"].tolist() == pytest.approx([0.92, 0.2])
    paths = analysis.path_table(scenario)
    assert paths["probability"].sum() == pytest.approx(1.0)


def test_a_decision_cannot_apply_depending_on_parameters(scenario_text, expect_problem):
    text = scenario_text(_test_decision()).replace(
        "    decision_maker: doctor\n",
        "    decision_maker: doctor\n    applies_when: {parameters: \"1 > 0\"}  # <-\n")
    expect_problem(text, "phases[2].applies_when", "cannot depend on parameters")


def test_a_phase_may_not_be_named_like_a_condition_word(scenario_text, expect_problem):
    text = scenario_text("""\
        phases:
          - id: any_of  # <-
            question: Weather?
            branches:
              sun: {prior: 0.5, outcome: good}
              rain: {prior: "#", outcome: bad}
        """)
    expect_problem(text, "phases[0].id", "a word of conditions")
