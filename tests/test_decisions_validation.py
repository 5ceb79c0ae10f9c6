"""Every validation rule of stakeholders, utilities and decision phases, with its location."""

import pytest

import analysis
from analysis import ScenarioError

# A decision, then a chance phase whose probabilities depend on the option.
VALID = """\
stakeholders:
  buyer: {label: Buyer}
  seller: {label: Seller}
utilities:
  buyer:
    scale: 0 = worst outcome for them, 100 = best
    outcomes: {good: 100, bad: 0}
    attributes: {cost: -0.5}
  seller:
    scale: 0 = worst outcome for them, 100 = best
    outcomes: {good: 60, bad: 40}
phases:
  - id: choice
    question: Which supplier?
    decision_maker: buyer
    assumed: cheap
    branches:
      cheap: {attributes: {cost: 10}}
      reliable: {attributes: {cost: 30}, costs: {buyer: 5}}
  - id: delivery
    question: Is it delivered?
    branches:
      on_time: {prior: 0.5}
      late: {outcome: bad}
    rules:
      - id: reliable
        when: {choice: reliable}
        priors: {on_time: 0.9}
outcome_rules:
  - outcome: good
"""


@pytest.fixture
def valid(scenario_text):
    return scenario_text(VALID)


def test_the_valid_example_loads(write_yaml, valid):
    scenario = analysis.load_scenario(write_yaml(valid))
    assert scenario.model.phases[0].decision_maker == "buyer"
    # The assumed option is the one chance-only evaluation sees.
    table = analysis.path_table(scenario)
    assert table.groupby("choice")["probability"].sum().to_dict() == pytest.approx(
        {"cheap": 1.0, "reliable": 0.0})


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize(("old", "new", "location", "fragments"), [
    ("  buyer: {label: Buyer}\n", "  buyer: {label: Buyer}\n  third: {label: Third}  # <-\n",
     "stakeholders.third", ["has no utilities"]),
    ("  seller:\n    scale", "  seler:  # <-\n    scale", "utilities.seler",
     ["unknown stakeholder 'seler'", "did you mean 'seller'"]),
    ("    outcomes: {good: 60, bad: 40}", "    outcomes: {good: 60}  # <-",
     "utilities.seller.outcomes", ["no utility for outcome(s) bad"]),
    ("    outcomes: {good: 60, bad: 40}", "    outcomes: {good: 60, bad: 40, godo: 1}  # <-",
     "utilities.seller.outcomes.godo", ["unknown outcome 'godo'", "did you mean 'good'"]),
    ("    attributes: {cost: -0.5}", "    attributes: {costs: -0.5}  # <-",
     "utilities.buyer.attributes.costs", ["unknown attribute 'costs'"]),
    ("    decision_maker: buyer", "    decision_maker: byer  # <-", "phases[0].decision_maker",
     ["unknown stakeholder 'byer'", "did you mean 'buyer'"]),
    ("    assumed: cheap", "    assumed: chep  # <-", "phases[0].assumed",
     ["unknown option of decision 'choice': 'chep'", "did you mean 'cheap'"]),
    ("    question: Is it delivered?", "    question: Is it delivered?\n    assumed: on_time  # <-",
     "phases[1].assumed", ["is not a decision"]),
    ("      cheap: {attributes: {cost: 10}}",
     "      cheap: {attributes: {cost: 10}, prior: 0.5}  # <-",
     "phases[0].branches.cheap.prior", ["has a prior, expected none", "assumed"]),
    ("      reliable: {attributes: {cost: 30}, costs: {buyer: 5}}",
     "      reliable: {attributes: {cost: 30}, costs: {bueyr: 5}}  # <-",
     "phases[0].branches.reliable.costs.bueyr", ["unknown stakeholder 'bueyr'"]),
    ("      late: {outcome: bad}", "      late: {outcome: bad, costs: {bueyr: 1}}  # <-",
     "phases[1].branches.late.costs.bueyr", ["unknown stakeholder 'bueyr'"]),
    ("      reliable: {attributes: {cost: 30}, costs: {buyer: 5}}\n",
     "      reliable: {attributes: {cost: 30}, costs: {buyer: 5}}\n    rules:  # <-\n"
     "      - {id: r, when: {choice: cheap}, priors: {cheap: 1}}\n",
     "phases[0].rules", ["has rules, expected none"]),
])
def test_each_problem_is_located(valid, expect_problem, old, new, location, fragments):
    expect_problem(_replace(valid, old, new), location, *fragments)


def test_a_decision_maker_must_be_declared(scenario_text, expect_problem):
    text = scenario_text("""\
        phases:
          - id: choice
            question: Which?
            decision_maker: nobody  # <-
            branches:
              a: {outcome: good}
              b: {outcome: bad}
        """)
    error = expect_problem(text, "phases[0].decision_maker", "unknown stakeholder 'nobody'",
                           "(none declared)")
    assert isinstance(error, ScenarioError)


def test_a_utility_value_must_be_a_finite_number(valid, expect_problem):
    expect_problem(_replace(valid, "    outcomes: {good: 100, bad: 0}",
                            "    outcomes: {good: .inf, bad: 0}  # <-"),
                   "utilities.buyer.outcomes.good")


def test_several_problems_are_reported_at_once(valid, load_error):
    text = _replace(valid, "    decision_maker: buyer", "    decision_maker: byer")
    text = _replace(text, "    assumed: cheap", "    assumed: chep")
    _, error = load_error(text)
    locations = {p.location for p in error.problems}
    assert {"phases[0].decision_maker", "phases[0].assumed"} <= locations


def test_with_priors_cannot_put_a_prior_on_an_option(write_yaml, valid):
    scenario = analysis.load_scenario(write_yaml(valid))
    with pytest.raises(ScenarioError, match="has a prior, expected none"):
        scenario.with_priors({"choice.cheap": 0.5})


def test_with_decisions_changes_the_assumed_option(write_yaml, valid):
    scenario = analysis.load_scenario(write_yaml(valid))
    other = scenario.with_decisions({"choice": "reliable"})
    table = analysis.path_table(other)
    assert table.groupby("choice")["probability"].sum()["reliable"] == pytest.approx(1.0)
    good = analysis.outcome_distribution(other).set_index("outcome")["probability"]["good"]
    assert good == pytest.approx(0.9)
    assert scenario.model.phases[0].assumed == "cheap"  # the original is unchanged


@pytest.mark.parametrize(("choices", "message"), [
    ({"delivery": "on_time"}, "'delivery' is not a decision phase"),
    ({"chioce": "cheap"}, "did you mean 'choice'"),
    ({"choice": "cheaper"}, "unknown option 'cheaper' of decision 'choice'"),
])
def test_with_decisions_rejects_bad_choices(write_yaml, valid, choices, message):
    scenario = analysis.load_scenario(write_yaml(valid))
    with pytest.raises(ScenarioError, match=message):
        scenario.with_decisions(choices)


def test_the_deal_scenario_is_valid_and_cites_real_claims():
    # load_scenario checks every citation against seeds/.
    mediation = analysis.load_scenario("mediation")
    assert [p.decision_maker for p in mediation.model.phases].count("mediators") == 1
    assert set(mediation.model.stakeholders) == {"israel", "hamas", "civilians", "mediators",
                                                 "hostage_families"}
    for name, utilities in mediation.model.utilities.items():
        assert utilities.rationale, name


def test_the_format_readme_decision_example_loads(tmp_path):
    """The example in scenarios/README.md: deploy monitors after a complete exchange only.

    After a complete exchange the families get 60 points of hostages either way;
    monitors raise P(holds) from 1/2 to 4/5. Mediators: deploy 80 - 10 = 70 >
    not 50, in both information states (the exchange does not change their
    stakes), so deploy everywhere; value 70.
    """
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "scenarios" / "README.md").read_text()
    example = re.search(r"```yaml\n(# decisions example.*?)```", text, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example)
    scenario = analysis.load_scenario(path)
    assert scenario.tree.n_paths == 8
    result = analysis.rollback(scenario, decision_maker="mediators")
    assert set(result.chosen_options().values()) == {"deploy"}
    assert result.value == pytest.approx(70)
    holds = analysis.outcome_distribution(scenario).set_index("outcome")["probability"]
    assert holds["holds"] == pytest.approx(0.5)  # the assumed option: no monitors
    families = result.expected_utilities.set_index("stakeholder")["expected_utility"]
    assert families["families"] == pytest.approx(0.8 * 40 + 3 * (0.7 * 20 + 0.3 * 8))
