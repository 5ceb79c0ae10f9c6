"""Rollback, optimal policies and best options, on textbook decision trees with known answers.

The textbook trees live in ``tests/data``: the oil wildcatter of Raiffa
(1968), without and with a seismic test (the test's likelihoods as in
Shachter, "Evaluating influence diagrams", Operations Research 34 (1986)),
and Texaco versus Pennzoil from Clemen, *Making Hard Decisions* (ch. 4).
Each test recomputes the published answer by hand in its docstring.
"""

import itertools
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis
from analysis import QueryError
from analysis.engines.rollback import decision_engine as _engine


def _load(data_dir, name):
    return analysis.load_scenario(data_dir / f"{name}.yaml")


def _values(result, node=0):
    rows = result.option_values[(result.option_values["node"] == node)]
    return rows.set_index("option")["expected_utility"].to_dict()


def test_wildcatter_one_stage(data_dir):
    """Raiffa's wildcatter, drill or not (payoffs in $ thousand, net of drilling).

    EV(drill) = .5(-70) + .3(50) + .2(200) = -35 + 15 + 40 = 20 > EV(no drill) = 0: drill.
    With perfect information about the site: drill only if wet or soaking,
    .3(50) + .2(200) = 55, so EVPI = 55 - 20 = 35.
    """
    scenario = _load(data_dir, "wildcatter")
    result = analysis.rollback(scenario, decision_maker="wildcatter")
    assert _values(result) == pytest.approx({"drill": 20.0, "no_drill": 0.0})
    assert result.value == pytest.approx(20.0)
    assert result.chosen_options() == {"(start)": "drill"}
    profile = result.risk_profiles[result.risk_profiles["option"] == "drill"]
    assert profile.set_index("outcome")["probability"].to_dict() == pytest.approx(
        {"abandoned": 0.0, "dry_hole": 0.5, "wet_well": 0.3, "soaking_well": 0.2})
    voi = analysis.evpi(scenario, decision_maker="wildcatter", about="outcomes").iloc[0]
    assert (voi.value_now, voi.value_informed, voi.evpi) == pytest.approx((20.0, 55.0, 35.0))


def test_wildcatter_with_a_seismic_test(data_dir):
    """Raiffa's wildcatter with a $10 thousand seismic test before the drilling decision.

    P(no structure) = .5(.6) + .3(.3) + .2(.1) = .41, P(open) = .35, P(closed) = .24.
    EV(drill | no structure) = (.30(-70) + .09(50) + .02(200)) / .41 = -12.5 / .41 < 0,
    EV(drill | open) = 11.5 / .35 = 32.86 and EV(drill | closed) = 21 / .24 = 87.5:
    drill unless the test shows no structure. EV(test) = 11.5 + 21 - 10 = 22.5 >
    EV(no test) = 20, so test (the published answer: test, then drill unless no
    structure, 22.5). The test's information is worth 32.5 - 20 = 12.5 before its cost.
    Perfect information about the site, with the test available, is worth
    55 - 22.5 = 32.5.
    """
    scenario = _load(data_dir, "wildcatter_test")
    result = analysis.rollback(scenario, decision_maker="wildcatter")
    assert _values(result) == pytest.approx({"seismic_test": 22.5, "no_test": 20.0})
    assert result.value == pytest.approx(22.5)
    policy = result.policy
    chosen = policy[policy["chosen"] & (policy["phase"] == "drill")]
    by_state = dict(zip(chosen["information"], chosen["option"], strict=True))
    assert by_state == {
        "test=seismic_test > seismic=no_structure": "no_drill",
        "test=seismic_test > seismic=open_structure": "drill",
        "test=seismic_test > seismic=closed_structure": "drill",
        "test=no_test": "drill",
    }
    drill = policy[(policy["phase"] == "drill") & (policy["option"] == "drill")]
    # Node values include the test's cost already paid on those paths.
    assert drill["expected_utility"].to_numpy() == pytest.approx(
        [-12.5 / 0.41 - 10, 11.5 / 0.35 - 10, 21 / 0.24 - 10, 20.0])
    reach = policy.drop_duplicates("node").set_index("information")["reach_probability"]
    assert reach["test=seismic_test > seismic=no_structure"] == pytest.approx(0.41)
    assert reach["test=no_test"] == 0.0  # the policy never goes there
    profile = result.risk_profiles[result.risk_profiles["option"] == "seismic_test"]
    assert profile.set_index("outcome")["probability"].to_dict() == pytest.approx(
        {"abandoned": 0.41, "dry_hole": 0.20, "wet_well": 0.21, "soaking_well": 0.18})
    # Value of the test's information, before its cost: 22.5 + 10 - 20.
    values = _values(result)
    assert values["seismic_test"] + 10 - values["no_test"] == pytest.approx(12.5)
    site = analysis.evppi(scenario, decision_maker="wildcatter", groups=["oil"],
                          about="outcomes").iloc[0]
    assert site.evppi == pytest.approx(32.5)
    # The seismic result on untested paths would be correlated with the site: undefined.
    with pytest.raises(QueryError, match="'seismic' is not defined"):
        analysis.evpi(scenario, decision_maker="wildcatter", about="outcomes")


def test_texaco_pennzoil(data_dir):
    """Clemen's Texaco-Pennzoil decision ($ billion).

    Court: .2(10.3) + .5(5) + .3(0) = 4.56. If Texaco counters with 3, refuse
    (4.56 > 3). Counteroffer 5: .17(5) + .5(4.56) + .33(4.56) = 0.85 + 2.28 +
    1.5048 = 4.6348 (published: 4.63), better than going to court (4.56) or
    accepting 2: counteroffer, and refuse a counteroffer of 3.

    Perfect information about the verdict a: the best of 2, a and .17(5) +
    .5 a + .33 max(3, a): 10.3 if a = 10.3, 5 if a = 5 (5.0 both ways), 2 if
    a = 0; .2(10.3) + .5(5) + .3(2) = 5.16, EVPPI = 5.16 - 4.6348 = 0.5252.
    About Texaco's answer alone: counteroffering stays best whatever it is,
    EVPPI = 0. About both: for Texaco accepting, refusing, countering the
    values are E max(2, a, 5) = 6.06, E max(2, a) = 5.16, E max(3, a) = 5.46;
    .17(6.06) + .5(5.16) + .33(5.46) = 5.412, EVPI = 0.7772.
    """
    scenario = _load(data_dir, "texaco_pennzoil")
    result = analysis.rollback(scenario, decision_maker="pennzoil")
    assert _values(result) == pytest.approx({"accept_2": 2.0, "counteroffer_5": 4.6348,
                                             "court": 4.56})
    assert round(result.value, 2) == 4.63
    reply = result.policy[result.policy["phase"] == "reply"].set_index("option")
    assert reply.loc["refuse_3", "chosen"] and not reply.loc["accept_3", "chosen"]
    assert reply["expected_utility"].to_dict() == pytest.approx({"accept_3": 3.0,
                                                                 "refuse_3": 4.56})
    assert reply["reach_probability"].iloc[0] == pytest.approx(0.33)
    profile = result.risk_profiles[result.risk_profiles["option"] == "counteroffer_5"]
    assert profile.set_index("outcome")["probability"].to_dict() == pytest.approx(
        {"settle_2": 0, "settle_3": 0, "settle_5": 0.17, "award_10_3": 0.83 * 0.2,
         "award_5": 0.83 * 0.5, "award_0": 0.83 * 0.3})
    evppi = analysis.evppi(scenario, decision_maker="pennzoil", about="outcomes").set_index("group")
    assert evppi["evppi"].to_dict() == pytest.approx({"texaco": 0.0, "verdict": 0.5252})
    voi = analysis.evpi(scenario, decision_maker="pennzoil", about="outcomes").iloc[0]
    assert (voi.value_now, voi.evpi) == pytest.approx((4.6348, 0.7772))
    assert evppi.attrs["evpi"] == pytest.approx(0.7772)


def _all_policies(scenario, decision_maker):
    """Every pure policy's expected utility, by brute force over the decision nodes."""
    engine = _engine(scenario)
    mine = [n for n in engine.nodes if n.owner == decision_maker]
    reach = engine.edges(scenario.tree.mean_theta())[0].prod(axis=1)
    utility = engine.utilities[engine.stakeholders.index(decision_maker)]
    values = []
    for choice in itertools.product(*[range(len(n.option_ids)) for n in mine]):
        chosen = np.zeros((1, len(engine.nodes)), dtype=int)
        for node, option in zip(mine, choice, strict=True):
            chosen[0, node.number] = option
        values.append(float((reach * engine.policy_mask(chosen)[0]) @ utility))
    return values


@pytest.mark.parametrize(("name", "decision_maker"), [
    ("wildcatter", "wildcatter"), ("wildcatter_test", "wildcatter"),
    ("texaco_pennzoil", "pennzoil")])
def test_rollback_finds_the_best_of_all_policies(data_dir, name, decision_maker):
    scenario = _load(data_dir, name)
    best = max(_all_policies(scenario, decision_maker))
    assert analysis.rollback(scenario, decision_maker=decision_maker).value == pytest.approx(best)


def test_the_deal_policy_by_hand():
    """The mediators' choice, from the file's concentrations (means) and costs.

    Mediators value durable 100, withdrawal without disarmament 60, disarmament
    with forces in place 65, frozen 35, war 0; the force costs 8, the mission 3.
    The decision comes before the withdrawal, whose probabilities (phased,
    stalls, reversed) it sets: force (.5, .35, .15), mission (.3, .5, .2), none
    (.2, .55, .25). Governance after a phased withdrawal (durable, withdrawal
    without disarmament, war): force .5(100) + .4(60) = 74, mission .3(100) +
    .5(60) = 60, none .2(100) + .4(60) = 44; at the line (disarmament with
    forces in place, frozen, war): force .2(65) + .5(35) = 30.5, mission .1(65)
    + .6(35) = 27.5, none .05(65) + .5(35) = 20.75. After a complete exchange:
    force .5(74) + .35(30.5) - 8 = 39.675, mission .3(60) + .5(27.5) - 3 =
    28.75, none .2(44) + .55(20.75) = 20.2125. After a partial exchange (no
    withdrawal): force .15(65) + .5(35) - 8 = 19.25, mission .1(65) + .5(35) -
    3 = 21, none .05(65) + .45(35) = 19.
    """
    mediation = analysis.load_scenario("mediation")
    result = analysis.rollback(mediation, decision_maker="mediators")
    mine = result.option_values[result.option_values["stakeholder"] == "mediators"]
    table = mine.pivot(index="information", columns="option", values="expected_utility")
    expected = {
        "ceasefire=holds > exchanges=complete": (39.675, 28.75, 20.2125),
        "ceasefire=holds > exchanges=partial": (19.25, 21, 19),
    }
    for info, values in expected.items():
        assert table.loc[info, ["stabilization_force", "monitoring_mission",
                                "no_presence"]].tolist() == pytest.approx(values)
    assert result.chosen_options() == {
        "ceasefire=holds > exchanges=complete": "stabilization_force",
        "ceasefire=holds > exchanges=partial": "monitoring_mission",
    }
    # Hamas prefers the mission everywhere (the force costs it 10 and disarms it more).
    hamas = result.best_options[result.best_options["stakeholder"] == "hamas"]
    assert set(hamas["option"]) == {"monitoring_mission"}
    first = result.best_options[result.best_options["node"] == 0].set_index("stakeholder")
    assert first["agrees"].to_dict() == {"israel": True, "hamas": False, "civilians": True,
                                         "mediators": True, "hostage_families": True}


def test_the_deal_with_its_assumed_option_is_the_baseline():
    baseline = analysis.load_scenario("baseline")
    mediation = analysis.load_scenario("mediation")
    pd.testing.assert_series_equal(
        analysis.outcome_distribution(mediation)["probability"],
        analysis.outcome_distribution(baseline)["probability"], rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(analysis.expected_attributes(mediation),
                                  analysis.expected_attributes(baseline), check_exact=False)
    common = baseline.priors_table().set_index("key")
    ours = mediation.priors_table().set_index("key")
    shared = common.index[~common.index.str.startswith("governance.")]
    pd.testing.assert_frame_equal(ours.loc[shared, ["kind", "mean", "p05", "p95"]],
                                  common.loc[shared, ["kind", "mean", "p05", "p95"]])
    for rule in ("after_withdrawal", "at_the_line", "after_partial_exchange"):
        keys = common.index[common.index.str.startswith(f"governance.{rule}.")]
        assert ours.loc[keys, "mean"].tolist() == common.loc[keys, "mean"].tolist()


def test_expected_utilities_follow_the_assumed_options(data_dir):
    scenario = _load(data_dir, "texaco_pennzoil")  # assumes its first option, accept 2
    table = analysis.expected_utilities(scenario)
    assert table.set_index("stakeholder").loc["pennzoil", ["expected", "sd"]].tolist() == (
        pytest.approx([2.0, 0.0]))
    court = analysis.expected_utilities(scenario.with_decisions({"offer": "court"}))
    assert court["expected"].iloc[0] == pytest.approx(4.56)
    assert court["sd"].iloc[0] == pytest.approx(np.sqrt(0.2 * 10.3**2 + 0.5 * 25 - 4.56**2))


def test_best_options_is_rollbacks_table(data_dir):
    scenario = _load(data_dir, "texaco_pennzoil")
    table = analysis.best_options(scenario, decision_maker="pennzoil")
    assert table[["stakeholder", "option", "tie", "agrees"]].values.tolist() == [
        ["pennzoil", "counteroffer_5", False, True]]


GAME = """\
    id: entry
    title: Entry deterrence
    as_of: 2025-01-01
    outcomes:
      out: {label: Stays out, colour: "#999999"}
      fight: {label: Price war, colour: "#d95f02"}
      share: {label: Shared market, colour: "#1b9e77"}
    stakeholders:
      entrant: {label: Entrant}
      incumbent: {label: Incumbent}
    utilities:
      entrant:
        scale: profit
        outcomes: {out: 0, fight: -1, share: 1}
      incumbent:
        scale: profit
        outcomes: {out: 2, fight: -1, share: 1}
    phases:
      - id: enter
        question: Enter the market?
        decision_maker: entrant
        branches:
          stay_out: {outcome: out}
          enter: {}
      - id: respond
        question: Fight or accommodate?
        decision_maker: incumbent
        branches:
          fight: {outcome: fight}
          accommodate: {outcome: share}
"""


@pytest.fixture
def game(tmp_path):
    path = tmp_path / "entry.yaml"
    path.write_text(textwrap.dedent(GAME))
    return analysis.load_scenario(path)


def test_other_decisions_keep_their_assumed_options_or_optimise(game):
    """Selten's entry game: the incumbent's threat to fight is not credible.

    If the incumbent is assumed to fight (its first option), entering gives
    -1 < 0: stay out. If it optimises, it accommodates (1 > -1), so entering
    gives 1 > 0: enter (the subgame-perfect equilibrium).
    """
    assumed = analysis.rollback(game, decision_maker="entrant")
    assert assumed.chosen_options() == {"(start)": "stay_out"}
    assert assumed.value == 0.0
    optimal = analysis.rollback(game, decision_maker="entrant", others="optimal")
    assert optimal.chosen_options() == {"(start)": "enter"}
    assert optimal.value == 1.0
    respond = optimal.policy[optimal.policy["phase"] == "respond"].set_index("option")
    assert respond.loc["accommodate", "chosen"]
    assert set(optimal.policy["chooser"]) == {"entrant", "incumbent"}
    assert set(assumed.policy["chooser"]) == {"entrant", "assumed"}
    incumbent = optimal.expected_utilities.set_index("stakeholder")["expected_utility"]
    assert incumbent["incumbent"] == 1.0


def test_ties_are_reported_with_every_tied_option(tmp_path):
    text = textwrap.dedent(GAME).replace("outcomes: {out: 0, fight: -1, share: 1}",
                                         "outcomes: {out: 0, fight: -1, share: 0}")
    path = tmp_path / "tie.yaml"
    path.write_text(text)
    game = analysis.load_scenario(path)
    result = analysis.rollback(game, decision_maker="entrant", others="optimal")
    first = result.policy[result.policy["phase"] == "enter"]
    assert first["tie"].tolist() == [True, True]  # 0 either way
    assert first["chosen"].tolist() == [True, False]  # the first in file order
    best = result.best_options.set_index("stakeholder")
    assert best.loc["entrant", "tie"] and best.loc["entrant", "tied_options"] == (
        "stay_out | enter")
    assert best.loc["incumbent", "option"] == "stay_out"


def test_given_conditions_on_what_is_known_before_deciding():
    mediation = analysis.load_scenario("mediation")
    whole = analysis.rollback(mediation, decision_maker="mediators")
    given = analysis.rollback(mediation, decision_maker="mediators", given={"exchanges": "partial"})
    assert given.policy["node"].unique().tolist() == [1]
    assert given.policy["reach_probability"].iloc[0] == pytest.approx(1.0)
    assert given.value == pytest.approx(21.0)  # the mission's value after a partial exchange
    same = whole.option_values[whole.option_values["node"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(given.option_values.reset_index(drop=True), same)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"decision_maker": "hamas"}, "takes no decision"),
    ({"decision_maker": "mediator"}, "did you mean 'mediators'"),
    ({"decision_maker": "mediators", "given": {"governance": "implemented"}},
     "at or after the decision"),
    ({"decision_maker": "mediators", "given": {"international_presence": "no_presence"}},
     "is a decision"),
    ({"decision_maker": "mediators", "others": "best"}, "others == 'best'"),
    ({"decision_maker": "mediators", "theta": [0.5]}, "theta has shape"),
])
def test_bad_rollback_queries_are_clear_errors(kwargs, message):
    mediation = analysis.load_scenario("mediation")
    with pytest.raises(QueryError, match=message):
        analysis.rollback(mediation, **kwargs)


def test_rollback_at_another_theta_agrees_with_changed_priors():
    mediation = analysis.load_scenario("mediation")
    key = "governance.force_at_the_line.implemented"
    changed = mediation.with_priors({key: {"concentration": 6}})
    direct = analysis.rollback(changed, decision_maker="mediators")
    tree = mediation.tree
    theta = tree.mean_theta().copy()
    s = next(i for i, p in enumerate(tree.sets) if p.key == "governance.force_at_the_line")
    theta[tree.offsets[s]:tree.offsets[s] + 3] = np.array([6, 5, 3]) / 14
    via_theta = analysis.rollback(mediation, decision_maker="mediators", theta=theta)
    assert via_theta.value == pytest.approx(direct.value)
    assert via_theta.chosen_options() == direct.chosen_options()
    assert direct.chosen_options()[
        "ceasefire=holds > exchanges=complete"] == "stabilization_force"


def test_result_is_frozen_and_to_frame_is_option_values(data_dir):
    result = analysis.rollback(_load(data_dir, "wildcatter"), decision_maker="wildcatter")
    with pytest.raises(AttributeError):
        result.value = 0
    pd.testing.assert_frame_equal(result.to_frame(), result.option_values)
    assert result.option_values.attrs["decision_maker"] == "wildcatter"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payoffs=st.lists(st.integers(-100, 300), min_size=4, max_size=4),
       cost=st.integers(0, 40))
def test_rollback_is_optimal_for_any_payoffs(data_dir, tmp_path, payoffs, cost):
    text = (data_dir / "wildcatter_test.yaml").read_text()
    old = "outcomes: {abandoned: 0, dry_hole: -70, wet_well: 50, soaking_well: 200}"
    new = "outcomes: {{abandoned: {}, dry_hole: {}, wet_well: {}, soaking_well: {}}}".format(
        *payoffs)
    assert old in text
    text = text.replace(old, new)
    text = text.replace("costs: {wildcatter: 10}", f"costs: {{wildcatter: {cost}}}")
    path = tmp_path / "random.yaml"
    path.write_text(text)
    scenario = analysis.load_scenario(path)
    result = analysis.rollback(scenario, decision_maker="wildcatter")
    assert result.value == pytest.approx(max(_all_policies(scenario, "wildcatter")))
    # Each node's chosen option is the best there, ties included.
    for _, rows in result.policy.groupby("node"):
        best = rows["expected_utility"].max()
        assert rows.loc[rows["chosen"], "expected_utility"].iloc[0] == pytest.approx(best)
        top = rows["expected_utility"] >= best - 1e-9
        assert rows["tie"].tolist() == (top & (top.sum() > 1)).tolist()


def test_an_unreachable_first_decision_still_gets_values_and_risk_profiles(game):
    # The entrant is assumed to stay out, so the incumbent's decision is never reached.
    result = analysis.rollback(game, decision_maker="incumbent")
    assert result.policy["reach_probability"].tolist() == [1.0, 1.0, 0.0, 0.0]
    assert result.policy["chooser"].tolist() == ["assumed", "assumed", "incumbent",
                                                 "incumbent"]
    respond = result.policy[result.policy["phase"] == "respond"].set_index("option")
    assert respond["expected_utility"].to_dict() == {"fight": -1.0, "accommodate": 1.0}
    profile = result.risk_profiles.set_index(["option", "outcome"])["probability"]
    assert profile[("fight", "fight")] == 1.0 and profile[("accommodate", "share")] == 1.0
    assert result.value == 2.0  # the entrant stays out
