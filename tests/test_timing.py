"""Phase timing: durations in the format, survival against closed forms, Kaplan-Meier."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from scipy import stats

import analysis
from analysis import (
    QueryError,
    completion_curve,
    kaplan_meier,
    phase_completion,
    reference_truces,
    survival_curve,
)
from analysis.engines.durations import sample_durations
from analysis.formats.scenario_file import Duration

# One phase: holds (p = 3/4 under Beta(3, 1)) ends in peace; breaks ends in war after an
# exponential time of mean 50 days. Closed form: S(t) = p + (1 - p) exp(-t / 50).
ONE = textwrap.dedent("""\
    id: one
    title: One phase
    as_of: 2025-01-01
    outcomes:
      peace: {label: Peace, colour: "#1b9e77", role: success}
      renewed_war: {label: War, colour: "#d95f02", role: collapse}
    phases:
      - id: truce
        question: Does it hold?
        branches:
          holds:
            prior: {alpha: 3, beta: 1}
            outcome: peace
            duration: {distribution: fixed, mean: 10}
          breaks:
            outcome: renewed_war
            duration: {distribution: exponential, mean: 50}
    """)

# Two phases in sequence: war after phase 1 breaks (exponential, mean 10), or after
# phase 1 holds (exponential, mean 20) and then phase 2 breaks (exponential, mean 40):
# a sum of two exponentials (hypoexponential).
TWO = textwrap.dedent("""\
    id: two
    title: Two phases
    as_of: 2025-01-01
    outcomes:
      peace: {label: Peace, colour: "#1b9e77", role: success}
      renewed_war: {label: War, colour: "#d95f02", role: collapse}
    phases:
      - id: first
        question: First?
        branches:
          holds: {prior: 0.7, duration: {distribution: exponential, mean: 20}}
          breaks: {outcome: renewed_war, duration: {distribution: exponential, mean: 10}}
      - id: second
        question: Second?
        branches:
          holds: {prior: 0.6, outcome: peace, duration: {distribution: fixed, mean: 3, unit: weeks}}
          breaks: {outcome: renewed_war, duration: {distribution: exponential, mean: 40}}
    """)


@pytest.fixture
def one(write_yaml):
    return analysis.load_scenario(write_yaml(ONE, "one.yaml"))


@pytest.fixture
def two(write_yaml):
    return analysis.load_scenario(write_yaml(TWO, "two.yaml"))


def exponential_cdf(t, mean):
    return 1 - np.exp(-np.asarray(t) / mean)


def hypoexponential_cdf(t, mean1, mean2):
    l1, l2 = 1 / mean1, 1 / mean2
    t = np.asarray(t, dtype=float)
    return 1 - (l2 * np.exp(-l1 * t) - l1 * np.exp(-l2 * t)) / (l2 - l1)


# ---------------------------------------------------------------- Monte Carlo vs closed form


def test_one_phase_survival_matches_the_closed_form(one):
    curve = survival_curve(one, horizon=300, step=5, n_draws=20_000, rng=1)
    expected = 0.75 + 0.25 * np.exp(-curve["day"] / 50)
    # each F_path(t) has standard error <= 0.0036; times 0.25, about 0.001
    assert curve["survival"].to_numpy() == pytest.approx(expected, abs=0.005)
    assert curve.attrs["never"] == pytest.approx(0.75)
    assert list(curve.columns) == ["day", "survival", "lower", "upper", "by_branches",
                                   "by_hazards"]
    assert curve["by_hazards"].eq(0).all()
    assert curve["by_branches"].to_numpy() == pytest.approx(1 - curve["survival"].to_numpy())
    # the override names the same outcome: the same curve
    assert survival_curve(one, event="renewed_war", horizon=300, step=5, n_draws=20_000,
                          rng=1).equals(curve)


def test_one_phase_band_matches_the_prior_quantiles(one):
    # S_theta(t) = theta + (1 - theta) exp(-t / 50) increases with theta ~ Beta(3, 1)
    curve = survival_curve(one, horizon=200, step=50, n_draws=40_000, rng=2)
    low, high = stats.beta.ppf([0.05, 0.95], 3, 1)
    decay = np.exp(-curve["day"].to_numpy() / 50)
    assert curve["lower"].to_numpy() == pytest.approx(low + (1 - low) * decay, abs=0.01)
    assert curve["upper"].to_numpy() == pytest.approx(high + (1 - high) * decay, abs=0.01)


def test_two_phase_survival_matches_the_hypoexponential(two):
    curve = survival_curve(two, horizon=400, step=10, n_draws=40_000, rng=3)
    t = curve["day"].to_numpy()
    expected = 1 - (0.3 * exponential_cdf(t, 10) + 0.7 * 0.4 * hypoexponential_cdf(t, 20, 40))
    assert curve["survival"].to_numpy() == pytest.approx(expected, abs=0.006)
    # fixed probabilities: no band to speak of
    assert curve["lower"].to_numpy() == pytest.approx(curve["upper"].to_numpy())


def test_held_until_conditions_on_surviving(one):
    curve = survival_curve(one, horizon=200, step=10, held_until=60,
                           n_draws=20_000, rng=4)
    assert curve["day"].iloc[0] == 60 and curve["survival"].iloc[0] == 1
    closed = 0.75 + 0.25 * np.exp(-curve["day"].to_numpy() / 50)
    assert curve["survival"].to_numpy() == pytest.approx(closed / closed[0], abs=0.005)
    assert curve.attrs["never"] == pytest.approx(0.75 / closed[0], abs=0.005)


def test_given_conditions_the_paths(two):
    curve = survival_curve(two, horizon=100, step=20,
                           given={"first": "holds"}, rng=5)
    t = curve["day"].to_numpy()
    assert curve["survival"].to_numpy() == pytest.approx(
        1 - 0.4 * hypoexponential_cdf(t, 20, 40), abs=0.01)


def test_posterior_survival_uses_the_posterior_paths(one, write_yaml):
    log = write_yaml(textwrap.dedent("""\
        id: log
        title: Log
        items:
          - id: report
            date: 2025-02-01
            title: A bad sign
            cite: [ceasefire-facts.truce-2008-06]
            phase: truce
            likelihoods: {breaks: 3}
        """), "log.yaml")
    posterior = analysis.update_scenario(one, log)
    p = 0.75 / (0.75 + 0.25 * 3)
    curve = survival_curve(posterior, horizon=100, step=25, rng=6)
    assert curve["survival"].to_numpy() == pytest.approx(
        p + (1 - p) * np.exp(-curve["day"].to_numpy() / 50), abs=0.006)


def test_same_seed_same_curve_other_seed_other_curve(one):
    first = survival_curve(one, horizon=50, n_draws=2000, rng=7)
    assert first.equals(survival_curve(one, horizon=50, n_draws=2000, rng=7))
    assert not first.equals(survival_curve(one, horizon=50, n_draws=2000,
                                           rng=8))
    generator = np.random.default_rng(9)
    assert not survival_curve(one, horizon=50, n_draws=2000,
                              rng=generator).equals(
        survival_curve(one, horizon=50, n_draws=2000, rng=generator))


def test_baseline_curve_levels_off_at_its_success_outcomes():
    baseline = analysis.load_scenario("baseline")
    curve = survival_curve(baseline, horizon=20_000, step=1000, n_draws=5000, rng=1)
    shares = analysis.outcome_distribution(baseline).set_index("outcome")["probability"]
    success = shares[list(baseline.success_outcomes)].sum()
    # the open outcomes carry hazards: only the success outcomes never collapse
    assert curve.attrs["never"] == pytest.approx(success)
    assert curve.attrs["hazards"] == list(baseline.open_outcomes)
    assert curve["survival"].iloc[-1] == pytest.approx(success, abs=0.01)
    assert (np.diff(curve["survival"]) <= 1e-12).all()
    assert curve["by_branches"].iloc[-1] == pytest.approx(
        shares[list(baseline.collapse_outcomes)].sum(), abs=0.01)


def test_baseline_hazard_counts_follow_the_claims_they_cite():
    """The open outcomes' rates are counts over the cited truces: first year, then after."""
    baseline = analysis.load_scenario("baseline")
    truces = reference_truces().set_index("claim")
    for name in baseline.open_outcomes:
        hazard = baseline.model.outcomes[name].hazard
        (first, later), year = hazard.rates, 365.25
        assert hazard.breaks_days == (year,)
        cases = truces.loc[list(first.cite)]
        assert cases["ended_in_war"].all() and cases.index.tolist() == list(later.cite)
        days = cases["days"].to_numpy()
        assert first.events == (days <= year).sum()
        assert first.exposure == pytest.approx(np.minimum(days, year).sum() / year, abs=0.01)
        assert later.events == (days > year).sum()
        assert later.exposure == pytest.approx(np.maximum(days - year, 0).sum() / year,
                                               abs=0.01)


def test_survival_errors(one, write_yaml):
    with pytest.raises(QueryError, match="no outcome 'renewed_wat'.*did you mean 'renewed_war'"):
        survival_curve(one, event="renewed_wat")  # an explicit event: checked
    timeless = analysis.load_scenario(write_yaml(
        ONE.replace("duration: {distribution: fixed, mean: 10}", "")
        .replace("duration: {distribution: exponential, mean: 50}", ""), "timeless.yaml"))
    with pytest.raises(QueryError, match="gives no branch a duration"):
        survival_curve(timeless)
    with pytest.raises(ValueError, match="horizon == -1"):
        survival_curve(one, horizon=-1)
    with pytest.raises(ValueError, match="held_until"):
        survival_curve(one, held_until=-5)
    with pytest.raises(QueryError, match="given"):
        survival_curve(one, given={"truce": "maybe"})


# ------------------------------------------------------------------- phase completion


def test_fixed_durations_give_exact_completion_times(write_yaml):
    text = textwrap.dedent("""\
        id: fixed
        title: Fixed durations
        as_of: 2025-01-01
        outcomes:
          done: {label: Done, colour: "#1b9e77"}
          stop: {label: Stopped, colour: "#d95f02"}
        phases:
          - id: a
            question: A?
            branches:
              go: {prior: 0.5, duration: {distribution: fixed, mean: 2, unit: weeks}}
              stop: {outcome: stop, duration: {distribution: fixed, mean: 3}}
          - id: b
            question: B?
            applies_when: {a: go}
            branches:
              fast:
                prior: 0.25
                outcome: done
                duration: {distribution: fixed, mean: 1, unit: months}
              slow: {outcome: done, duration: {distribution: fixed, mean: 100}}
        """)
    scenario = analysis.load_scenario(write_yaml(text, "fixed.yaml"))
    table = phase_completion(scenario, n_draws=100, rng=0).set_index("phase")
    assert table.loc["a", "probability"] == 1
    assert table.loc["a", "mean"] == pytest.approx(0.5 * 14 + 0.5 * 3)
    assert table.loc["b", "probability"] == 0.5
    month = 365.25 / 12
    assert table.loc["b", "mean"] == pytest.approx(14 + 0.25 * month + 0.75 * 100)
    assert table.loc["b", "p05"] == pytest.approx(14 + month, abs=1e-9)
    assert table.loc["b", "p95"] == pytest.approx(114)
    curve = completion_curve(scenario, horizon=120, step=1, n_draws=100, rng=0)
    b = curve[curve.phase == "b"].set_index("day")["probability"]
    assert b[44] == 0 and b[45] == pytest.approx(0.125) and b[114] == pytest.approx(0.5)
    assert list(curve.columns) == ["phase", "label", "day", "probability"]


def test_sample_durations_have_the_written_mean_and_sd():
    for distribution in ("gamma", "lognormal"):
        draws = sample_durations(Duration(distribution=distribution, mean=6, sd=2,
                                          unit="weeks"), n_draws=200_000, rng=1)
        assert draws.mean() == pytest.approx(42, rel=0.01)
        assert draws.std() == pytest.approx(14, rel=0.02)
    exponential = sample_durations(Duration(distribution="exponential", mean=2,
                                            unit="months"), n_draws=200_000, rng=2)
    assert exponential.mean() == pytest.approx(2 * 365.25 / 12, rel=0.01)
    assert exponential.std() == pytest.approx(2 * 365.25 / 12, rel=0.02)
    assert Duration(distribution="exponential", mean=3).sd_days == 3


# ---------------------------------------------------------------- the format's rules


@pytest.mark.parametrize(("duration", "location", "fragments"), [
    ("{distribution: gamma, mean: 5}", "duration", ["distribution 'gamma' needs sd > 0"]),
    ("{distribution: exponential, mean: 5, sd: 2}", "duration",
     ["distribution 'exponential' takes no sd", "its sd equals its mean"]),
    ("{distribution: fixed, mean: 5, sd: 2}", "duration", ["it does not vary"]),
    ("{distribution: lognormal, mean: 0, sd: 1}", "duration",
     ["only a fixed duration may be 0"]),
    ("{distribution: weibull, mean: 5}", "duration.distribution", ["weibull"]),
    ("{distribution: fixed, mean: -1}", "duration.mean", ["expected a number >= 0"]),
    ("{distribution: fixed, mean: 5, unit: years}", "duration.unit", ["years"]),
    ("{distribution: gamma, mean: 5, sd: 2, alpha: 3}", "duration.alpha",
     ["unknown key 'alpha'", "expected one of:"]),
    ("{distribution: fixed, mean: 5, cite: [ceasefire-facts.truce-2008-6]}", "duration.cite[0]",
     ["unknown claim", "did you mean"]),
])
def test_each_duration_rule_is_reported(expect_problem, scenario_text, duration, location,
                                        fragments):
    text = scenario_text(f"""
        phases:
          - id: p
            question: Q?
            branches:
              yes:
                outcome: good
                duration: {duration}  # <-
              no:
                outcome: bad
                duration: {{distribution: fixed, mean: 1}}
        """)
    expect_problem(text, f"phases[0].branches.yes.{location}", *fragments)


def test_durations_go_on_every_branch_of_a_phase_or_none(expect_problem, scenario_text):
    text = scenario_text("""
        phases:
          - id: p  # <-
            question: Q?
            branches:
              yes: {outcome: good, duration: {distribution: fixed, mean: 1}}
              no: {outcome: bad}
        """)
    expect_problem(text, "phases[0]", "branches with a duration: yes; without: no",
                   "on every branch of the phase, or on none")


def test_baseline_durations_leave_its_probabilities_alone():
    baseline = analysis.load_scenario("baseline")
    assert all(b.duration is not None for p in baseline.model.phases
               for b in p.branches.values())
    probabilities = analysis.outcome_distribution(baseline)["probability"]
    # by hand: the truce holds through the 72 hours with 10/11; then exchanges
    # .5/.4/.1, withdrawal .3/.5/.2 after a complete one, governance by rule
    h = 10 / 11
    assert probabilities.to_numpy() == pytest.approx([
        h * .5 * .3 * .3,                                 # durable settlement
        h * .5 * .3 * .5,                                 # withdrawal without disarmament
        h * (.5 * .5 * .1 + .4 * .1),                     # disarmament with forces in place
        h * (.5 * .5 * .6 + .4 * .5),                     # frozen conflict
        1 / 11 + h * (.1 + .5 * .2 + .5 * .3 * .2 + .5 * .5 * .3 + .4 * .4)])  # renewed war
    impasse = analysis.load_scenario("disarmament_impasse")
    assert impasse.model.phases[0].branches["holds"].duration.mean_days == 3


# ---------------------------------------------------------------------- Kaplan-Meier


def test_kaplan_meier_matches_a_hand_computation():
    # times 1 2 2 3 4, the 2nd 2 and the 4 censored:
    # S(1) = 4/5; S(2) = 4/5 * 3/4 (4 at risk, 1 event); S(3) = 0.6 * 1/2; S(4) = 0.3
    table = kaplan_meier([1, 2, 2, 3, 4], [True, True, False, True, False])
    assert table["day"].tolist() == [0, 1, 2, 3, 4]
    assert table["survival"].to_numpy() == pytest.approx([1, 0.8, 0.6, 0.3, 0.3])
    assert table["at_risk"].tolist() == [5, 5, 4, 2, 1]
    assert table["events"].tolist() == [0, 1, 1, 1, 0]
    assert table["censored"].tolist() == [0, 0, 1, 0, 1]
    # Greenwood's variance on the log-log scale at t = 2: sum d / (n (n - d))
    s, greenwood = 0.6, 1 / (5 * 4) + 1 / (4 * 3)
    se = math.sqrt(greenwood) / abs(math.log(s))
    z = stats.norm.ppf(0.975)
    row = table.set_index("day").loc[2]
    assert row["lower"] == pytest.approx(s ** math.exp(z * se))
    assert row["upper"] == pytest.approx(s ** math.exp(-z * se))
    assert np.isnan(table["lower"].iloc[0])


def test_kaplan_meier_edge_cases_and_errors():
    assert kaplan_meier([5, 7], [False, False])["survival"].tolist() == [1, 1, 1]
    assert kaplan_meier([0, 3], [True, True])["survival"].tolist() == [0.5, 0]
    with pytest.raises(ValueError, match="same number"):
        kaplan_meier([1, 2], [True])
    with pytest.raises(ValueError, match="finite durations"):
        kaplan_meier([1, -2], [True, True])


def test_reference_class_and_its_kaplan_meier():
    truces = reference_truces()
    assert len(truces) == 10 and truces["ended_in_war"].sum() == 9
    open_truce = truces[~truces["ended_in_war"]].iloc[0]
    assert open_truce["claim"] == "ceasefire-facts.truce-2025-10" and open_truce["days"] == 265
    # the two closed phased exchanges (2023-11, 2025-01) and the open one of 2025-10
    assert truces.loc[truces["phased_exchange"], "claim"].str[-7:].tolist() == [
        "2023-11", "2025-01", "2025-10"]
    table = kaplan_meier(truces["days"], truces["ended_in_war"]).set_index("day")
    # 10 at risk: 7, 58, 147, 191 end (0.9 ... 0.6); 265 is censored; then 5 at risk
    assert table.loc[191, "survival"] == pytest.approx(0.6)
    assert table.loc[265, "survival"] == pytest.approx(0.6)
    assert table.loc[275, "survival"] == pytest.approx(0.6 * 4 / 5)
    assert table.loc[2449, "survival"] == 0
    assert table.loc[275, "at_risk"] == 5


def test_a_scenarios_reference_class_holds_no_hindsight():
    """The October 2025 truce is dated when it was last known (2026-07-02): not before as_of."""
    from analysis.narrative import reference_cases

    everything = reference_truces()
    baseline = analysis.load_scenario("baseline")
    known = reference_cases(baseline)
    dates = {c.id: c.date for d in analysis.load_seeds().values() for c in d.claims}
    assert set(known["claim"]) < set(everything["claim"])
    assert all(dates[c] <= str(baseline.model.as_of) for c in known["claim"])
    assert "ceasefire-facts.truce-2025-10" in set(everything["claim"]) - set(known["claim"])
