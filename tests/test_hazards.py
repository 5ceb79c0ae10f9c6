"""Outcome roles, hazards of collapse on open outcomes, concurrent tracks: closed forms."""

from __future__ import annotations

import datetime as dt
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis
from analysis import QueryError, ScenarioError, ScenarioWarning, collapse_by_date, survival_curve
from analysis.engines.durations import hazard_cdf, piecewise_exponential

# One phase: holds (p = 3/4, fixed) ends in a frozen state on day 10; breaks ends in war
# after an exponential time of mean 50 days. The frozen state carries HAZARD.
HAZARD_SCENARIO = textwrap.dedent("""\
    id: haz
    title: Hazard
    as_of: 2025-01-01
    day_zero: 2025-01-02
    outcomes:
      frozen:
        label: Frozen
        colour: "#1b9e77"
        hazard: HAZARD
      war: {label: War, colour: "#d95f02", role: collapse}
    phases:
      - id: truce
        question: Does it hold?
        branches:
          holds:
            prior: 0.75
            outcome: frozen
            duration: {distribution: fixed, mean: 10}
          breaks:
            outcome: war
            duration: {distribution: exponential, mean: 50}
    """)


def load(write_yaml, text, name="scenario.yaml"):
    return analysis.load_scenario(write_yaml(text, name))


def with_hazard(write_yaml, hazard: str):
    return load(write_yaml, HAZARD_SCENARIO.replace("HAZARD", hazard), "haz.yaml")


def war_branch(t):
    return 0.25 * np.exp(-np.asarray(t, dtype=float) / 50)


# ---------------------------------------------------------------- closed forms


def test_constant_hazard_gives_an_exponential_tail(write_yaml):
    scenario = with_hazard(write_yaml, "{unit: days, rate: {value: 0.01}}")
    curve = survival_curve(scenario, horizon=300, step=10, n_draws=20_000, rng=1)
    t = curve["day"].to_numpy()
    exact = 0.75 * np.where(t < 10, 1, np.exp(-0.01 * (t - 10))) + war_branch(t)
    # each F_path has standard error <= 0.0036 at 20,000 draws: 0.006 is about 2 se
    assert curve["survival"].to_numpy() == pytest.approx(exact, abs=0.006)
    # the two routes to collapse add up; the frozen state's hazard is the second
    total = curve["by_branches"] + curve["by_hazards"]
    assert total.to_numpy() == pytest.approx(1 - curve["survival"].to_numpy(), abs=1e-12)
    assert curve["by_hazards"].iloc[-1] == pytest.approx(0.75 * (1 - np.exp(-2.9)), abs=0.006)
    assert curve.attrs["never"] == 0 and curve.attrs["hazards"] == ["frozen"]
    # fixed probabilities and a known rate: no band to speak of (binning error only)
    assert curve["lower"].to_numpy() == pytest.approx(exact, abs=0.006)


def test_gamma_rate_prior_gives_a_lomax_tail_and_its_band(write_yaml):
    # rate ~ Gamma(shape 4, rate 400 days): P(no collapse t - 10 days after entry) is
    # E exp(-rate (t - 10)) = (400 / (400 + t - 10))^4
    scenario = with_hazard(write_yaml, "{unit: days, rate: {mean: 0.01, sd: 0.005}}")
    curve = survival_curve(scenario, horizon=400, step=50, n_draws=40_000, rng=2)
    t = curve["day"].to_numpy()
    lag = np.clip(t - 10, 0, None)
    exact = 0.75 * (400 / (400 + lag)) ** 4 + war_branch(t)
    assert curve["survival"].to_numpy() == pytest.approx(exact, abs=0.006)
    # the band: S_i(t) falls with the rate, so its 5% comes from the rate's 95%
    slow, fast = stats.gamma.ppf([0.05, 0.95], 4, scale=1 / 400)
    assert curve["upper"].to_numpy() == pytest.approx(
        0.75 * np.exp(-slow * lag) + war_branch(t), abs=0.01)
    assert curve["lower"].to_numpy() == pytest.approx(
        0.75 * np.exp(-fast * lag) + war_branch(t), abs=0.01)


def test_piecewise_hazard_matches_its_closed_form(write_yaml):
    # 0.02 a day until day 100, then 0.005: entered on day 10
    scenario = with_hazard(write_yaml, "{unit: days, pieces: [{until: 100, rate: {value: 0.02}},"
                                       " {rate: {value: 0.005}}]}")
    curve = survival_curve(scenario, horizon=400, step=20, n_draws=40_000, rng=3)
    t = curve["day"].to_numpy()
    cumulative = 0.02 * (np.clip(t, 10, 100) - 10) + 0.005 * np.clip(t - 100, 0, None)
    exact = 0.75 * np.exp(-cumulative) + war_branch(t)
    assert curve["survival"].to_numpy() == pytest.approx(exact, abs=0.006)
    assert curve["lower"].to_numpy() == pytest.approx(exact, abs=0.006)


def test_counts_prior_in_years_is_a_gamma_posterior(write_yaml):
    # 9 events in 10 years: Gamma(0.5 + 9, 10) a year, mean 0.95 a year
    scenario = with_hazard(write_yaml, "{unit: years, rate: {events: 9, exposure: 10}}")
    rate = scenario.model.outcomes["frozen"].hazard.rate
    assert rate.gamma_parameters == (9.5, 10) and rate.rate_mean == pytest.approx(0.95)
    curve = survival_curve(scenario, horizon=730, step=73, n_draws=40_000, rng=4)
    t = curve["day"].to_numpy()
    lag_years = np.clip(t - 10, 0, None) / 365.25
    exact = 0.75 * (10 / (10 + lag_years)) ** 9.5 + war_branch(t)
    assert curve["survival"].to_numpy() == pytest.approx(exact, abs=0.006)


def test_piecewise_exponential_inverts_the_cumulative_hazard():
    start = np.array([0.0, 50.0, 150.0, 20.0])
    rates = np.tile([0.02, 0.005], (4, 1))
    draws = np.array([1.0, 1.0, 0.5, 10.0])
    fired = piecewise_exponential(start, rates, [100.0], draws)
    # 1 at 0.02 from day 0: day 50; from day 50: 50 days reach 1.0 exactly at 100
    # from day 150 at 0.005: 100 days; 10 from day 20: 1.6 by day 100, then 8.4 / 0.005
    assert fired == pytest.approx([50.0, 100.0, 250.0, 100 + 8.4 / 0.005])
    assert piecewise_exponential(start[:1], np.zeros((1, 1)), [], draws[:1])[0] == np.inf


def test_hazard_cdf_bins_the_entries():
    days = np.arange(0, 101, 1.0)
    cdf = hazard_cdf(np.full(1000, 10.0), days, np.array([[0.01]]), [])
    expected = np.where(days >= 10, 1 - np.exp(-0.01 * (days - 10)), 0)
    assert cdf[0] == pytest.approx(expected, abs=1e-12)


def test_collapse_by_date_is_the_complement_dated_from_day_zero(write_yaml):
    scenario = with_hazard(write_yaml, "{unit: days, rate: {value: 0.01}}")
    war = collapse_by_date(scenario, horizon=100, step=50, n_draws=4000, rng=5)
    curve = survival_curve(scenario, horizon=100, step=50, n_draws=4000, rng=5)
    assert war["probability"].to_numpy() == pytest.approx(1 - curve["survival"].to_numpy())
    assert war["lower"].to_numpy() == pytest.approx(1 - curve["upper"].to_numpy())
    assert war["date"].dt.date.tolist() == [dt.date(2025, 1, 2), dt.date(2025, 2, 21),
                                            dt.date(2025, 4, 12)]
    assert war.attrs["day_zero"] == "2025-01-02"


def test_held_until_conditions_the_hazard_too(write_yaml):
    scenario = with_hazard(write_yaml, "{unit: days, rate: {value: 0.01}}")
    curve = survival_curve(scenario, horizon=300, step=50, held_until=75, n_draws=40_000,
                           rng=6)
    t = curve["day"].to_numpy()

    def s(x):
        return 0.75 * np.where(x < 10, 1, np.exp(-0.01 * (x - 10))) + war_branch(x)

    assert curve["day"].iloc[0] == 75
    assert curve["survival"].to_numpy() == pytest.approx(s(t) / s(75.0), abs=0.008)
    assert curve["lower"].to_numpy() == pytest.approx(s(t) / s(75.0), abs=0.01)


# ---------------------------------------------------------------- roles and checks


def test_roles_on_the_scenario_and_event_defaults(write_yaml):
    scenario = with_hazard(write_yaml, "{unit: days, rate: {value: 0.01}}")
    assert scenario.collapse_outcomes == ("war",)
    assert scenario.open_outcomes == ("frozen",) and scenario.success_outcomes == ()
    # another event than the collapse: hazards do not count
    other = survival_curve(scenario, event="frozen", horizon=100, step=50, n_draws=2000, rng=1)
    assert other.attrs["hazards"] == [] and other.attrs["never"] == pytest.approx(0.25)


def test_no_collapse_outcome_is_a_located_error(write_yaml):
    text = HAZARD_SCENARIO.replace("hazard: HAZARD", "role: success").replace(
        "role: collapse", "role: success")
    scenario = load(write_yaml, text, "roleless.yaml")
    with pytest.raises(QueryError, match=r"roleless.yaml: outcomes: .*role: collapse"):
        survival_curve(scenario)


def test_hazard_format_errors(write_yaml):
    cases = {
        "{unit: days}": "either rate: .* or pieces:",
        "{rate: {value: 0.1}, pieces: [{rate: {value: 0.1}}]}": "not both",
        "{pieces: [{until: 1, rate: {value: 0.1}}]}": "no 'until' on the last piece",
        "{pieces: [{until: 2, rate: {value: 0.1}}, {until: 1, rate: {value: 0.1}}, "
        "{rate: {value: 0.1}}]}": "expected increasing times",
        "{rate: {mean: 0.1}}": "give both",
        "{rate: {value: 0.1, events: 2, exposure: 3}}": "got value, events and exposure",
        "{rate: {value: 0.1, cite: [nowhere.claim]}}": "nowhere.claim",
    }
    for hazard, message in cases.items():
        with pytest.raises(ScenarioError, match=message):
            with_hazard(write_yaml, hazard)
    on_collapse = HAZARD_SCENARIO.replace("hazard: HAZARD", "role: success").replace(
        "role: collapse}", "role: collapse, hazard: {rate: {value: 1}}}")
    with pytest.raises(ScenarioError, match="carries no hazard"):
        load(write_yaml, on_collapse, "bad.yaml")


def test_open_outcome_without_hazard_warns_with_its_line(write_yaml):
    text = HAZARD_SCENARIO.replace("\n    hazard: HAZARD", "")
    with pytest.warns(ScenarioWarning, match=r"open.yaml:6: outcomes.frozen: .*no hazard"):
        load(write_yaml, text, "open.yaml")
    untimed = text.replace("duration: {distribution: fixed, mean: 10}", "").replace(
        "duration: {distribution: exponential, mean: 50}", "")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        load(write_yaml, untimed, "untimed.yaml")  # no durations: no timing, no warning


def test_notebooks_event_is_refused_with_the_new_way(write_yaml):
    text = HAZARD_SCENARIO.replace("HAZARD", "{rate: {value: 1}}") + "notebooks: {event: war}\n"
    with pytest.raises(ScenarioError, match="role: collapse"):
        load(write_yaml, text, "old.yaml")


# ---------------------------------------------------------------- concurrent tracks

TRACKS = textwrap.dedent("""\
    id: tracks
    title: Two tracks
    as_of: 2025-01-01
    outcomes:
      done: {label: Done, colour: "#1b9e77", role: success}
      war: {label: War, colour: "#d95f02", role: collapse}
    phases:
      - id: start
        question: Start?
        branches:
          go: {prior: 0.9, duration: {distribution: fixed, mean: 10}}
          stop: {outcome: war, duration: {distribution: fixed, mean: 5}}
      - id: track_a
        question: A?
        after: [start]
        branches:
          ok: {prior: 0.8, duration: {distribution: fixed, mean: 30}}
          fails: {outcome: war, duration: {distribution: fixed, mean: 7}}
      - id: track_b
        question: B?
        after: [start]
        branches:
          ok: {prior: 0.5, duration: {distribution: fixed, mean: 50}}
          fails: {outcome: war, duration: {distribution: fixed, mean: 20}}
      - id: final
        question: Final?
        after: [track_a, track_b]
        branches:
          ok: {prior: 1, outcome: done, duration: {distribution: fixed, mean: 5}}
          never: {outcome: war, duration: {distribution: fixed, mean: 1}}
    """)


def test_parallel_tracks_end_at_the_latest_and_collapse_at_their_own_end(write_yaml):
    scenario = load(write_yaml, TRACKS, "tracks.yaml")
    completion = analysis.phase_completion(scenario, n_draws=100, rng=1).set_index("phase")
    # both tracks start on day 10: A ends on 40 (ok) or 17 (fails); B, reached where A is
    # ok, on 60 or 30; final waits for both: 10 + max(30, 50) + 5
    assert completion.loc["track_a", "mean"] == pytest.approx(0.8 * 40 + 0.2 * 17)
    assert completion.loc["track_b", "mean"] == pytest.approx(0.5 * 60 + 0.5 * 30)
    assert completion.loc["final", "mean"] == pytest.approx(65)
    curve = survival_curve(scenario, horizon=70, step=1, n_draws=100, rng=1).set_index("day")
    # war at 5 (start stops, 0.1), 17 (A fails, 0.9 * 0.2), 30 (B fails while A ran on to
    # day 40: 0.9 * 0.8 * 0.5); nothing after: the rest is done on day 65
    drops = {5: 0.1, 17: 0.18, 30: 0.36}
    expected = [1 - sum(p for d, p in drops.items() if d <= day) for day in curve.index]
    assert curve["survival"].to_numpy() == pytest.approx(expected, abs=1e-12)


def test_after_defaults_to_the_phase_before_and_empty_is_day_zero(write_yaml):
    sequential = load(write_yaml, TRACKS.replace("    after: [start]\n", "")
                      .replace("    after: [track_a, track_b]\n", ""), "seq.yaml")
    completion = analysis.phase_completion(sequential, n_draws=10, rng=1).set_index("phase")
    assert completion.loc["final", "mean"] == pytest.approx(10 + 30 + 50 + 5)
    day_zero = load(write_yaml, TRACKS.replace("after: [start]", "after: []"), "zero.yaml")
    completion = analysis.phase_completion(day_zero, n_draws=10, rng=1).set_index("phase")
    assert completion.loc["track_a", "mean"] == pytest.approx(0.8 * 30 + 0.2 * 7)
    assert completion.loc["final", "mean"] == pytest.approx(max(10, 30, 50) + 5)


def test_after_must_name_earlier_phases(write_yaml):
    for after, message in (("[final]", "unknown or later phase 'final'"),
                           ("[track_a]", "cannot start after itself"),
                           ("[strat]", "did you mean 'start'"),
                           ("[start, start]", "named twice")):
        with pytest.raises(ScenarioError, match=message) as raised:
            load(write_yaml, TRACKS.replace("question: A?\n    after: [start]",
                                            f"question: A?\n    after: {after}"), "bad.yaml")
        assert "bad.yaml:15" in str(raised.value)


# ---------------------------------------------------------------- Kaplan-Meier's band


def test_kaplan_meier_band_matches_the_textbook_greenwood_example():
    """The 6-MP arm of Freireich's leukaemia trial (Klein & Moeschberger, table 4.1A).

    Published: S(6) = 0.857 (se 0.076), S(7) = 0.807 (0.087), S(10) = 0.753 (0.096),
    S(13) = 0.690 (0.107), S(16) = 0.627 (0.114), S(22) = 0.538 (0.128), S(23) = 0.448
    (0.135); the log-log 95% interval at week 6 is 0.620 to 0.952.
    """
    weeks = [6, 6, 6, 7, 10, 13, 16, 22, 23, 6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]
    ended = [True] * 9 + [False] * 12
    table = analysis.kaplan_meier(weeks, ended).set_index("day")
    published = {6: (0.857, 0.076), 7: (0.807, 0.087), 10: (0.753, 0.096),
                 13: (0.690, 0.107), 16: (0.627, 0.114), 22: (0.538, 0.128),
                 23: (0.448, 0.135)}
    for week, (survival, se) in published.items():
        assert table.loc[week, "survival"] == pytest.approx(survival, abs=5e-4)
        assert table.loc[week, "std_error"] == pytest.approx(se, abs=5e-4)
    assert (table.loc[6, "lower"], table.loc[6, "upper"]) == pytest.approx((0.620, 0.952),
                                                                           abs=1.5e-3)


def test_reference_gap_against_a_hand_made_band():
    reference = analysis.kaplan_meier([10, 20, 30, 40], [True, True, True, False])
    collapse = pd.DataFrame({"day": [0.0, 5, 15, 25], "probability": [0, 0.5, 0.01, 0.5],
                             "lower": [0, 0.4, 0.005, 0.45], "upper": [0, 0.6, 0.02, 0.55]})
    gap = analysis.reference_gap(collapse, reference).set_index("day")
    # before any case ended (day 5, 4 at risk): 0 to 1 - 0.025^(1/4) = 0.602
    assert gap.loc[5, "reference_upper"] == pytest.approx(1 - 0.025 ** 0.25)
    assert gap.loc[5, "gap"] == 0
    # day 15: S = 3/4, the band's lower edge of collapse 1 - 0.96 = 0.04: 0.01 is below it
    band = reference.set_index("day").loc[10]
    assert gap.loc[15, "reference"] == pytest.approx(0.25)
    assert 1 - band["upper"] > 0.02
    assert gap.loc[15, "gap"] == pytest.approx(0.01 - (1 - band["upper"]))
    assert not gap.loc[15, "overlap"]
    assert gap.loc[25, "gap"] == 0 and gap.loc[25, "overlap"]


def test_collapse_chart_and_its_computed_text(write_yaml):
    from analysis import narrative, plotting

    scenario = with_hazard(write_yaml, "{unit: days, rate: {value: 0.01}}")
    collapse = collapse_by_date(scenario, horizon=60, step=1, n_draws=2000, rng=1)
    reference = analysis.kaplan_meier([3, 20, 50, 90], [True, True, True, False])
    fig = plotting.plot_collapse_by_date(collapse, reference)
    roles = [t.meta.get("role") for t in fig.data if t.meta]
    assert {"model", "hazards", "reference", "band"} <= set(roles)
    model = next(t for t in fig.data if (t.meta or {}).get("role") == "model")
    assert list(model.y) == pytest.approx(collapse["probability"].tolist())
    assert str(model.x[0])[:10] == "2025-01-02"
    assert fig.layout.xaxis.title.text == "Date (day 0 = 2025-01-02)"
    assert "Probability of collapse by date — haz" == fig.layout.title.text
    gap = analysis.reference_gap(collapse, reference)
    text = str(narrative.reference_gap_summary(gap, collapse, scenario))
    worst = gap.loc[gap["gap"].abs().idxmax()]
    if (gap["gap"] != 0).any():
        assert f"on day {worst['day']:,.0f}" in text and "outside" in text
    else:
        assert "inside the earlier cases' band" in text
    assert "4 cases, 3 of which ended" in text and "war by then" in text
    summary = str(narrative.collapse_summary(collapse, scenario, days=[30, 60]))
    assert "Frozen" in summary and "by day 60" in summary


def test_a_survival_question_without_event_scores_the_collapse_with_its_hazards(write_yaml):
    scenario = with_hazard(write_yaml, "{unit: days, rate: {value: 0.01}}")
    resolutions = write_yaml(textwrap.dedent("""\
        id: held
        title: Held
        day_zero: 2025-01-02
        questions:
          - id: held_30
            question: Still holding on day 30?
            criteria: No collapse outcome reached and no collapse from an open state.
            resolver: The test.
            opens: 2025-01-02
            deadline: 2025-02-01
            survival: {day: 30}
            answer: {value: held, resolved_on: 2025-02-01, cite: [ceasefire-facts.truce-2008-06]}
        """), "resolutions.yaml")
    forecasts = analysis.forecast_resolutions([scenario], resolutions, n_draws=40_000, rng=1)
    held = forecasts[forecasts["category"] == "held"]["probability"].iloc[0]
    assert held == pytest.approx(0.75 * np.exp(-0.2) + war_branch(30), abs=0.006)
    roleless = load(write_yaml, HAZARD_SCENARIO.replace("hazard: HAZARD", "role: success")
                    .replace("role: collapse", "role: success"), "roleless.yaml")
    with pytest.raises(ScenarioError, match="names no outcome that ends the deal"):
        analysis.forecast_resolutions([roleless], resolutions, rng=1)


def test_with_priors_replaces_a_hazard_and_says_so(write_yaml):
    scenario = with_hazard(write_yaml, "{unit: days, rate: {value: 0.01}}")
    faster = scenario.with_priors({"outcomes.frozen.hazard": {"unit": "days",
                                                              "rate": {"value": 0.02}}})
    assert faster.changes == ("outcomes.frozen.hazard = {unit: days, rate: {value: 0.02}}",)
    curve = survival_curve(faster, horizon=110, step=50, n_draws=20_000, rng=1)
    t = curve["day"].to_numpy()
    exact = 0.75 * np.where(t < 10, 1, np.exp(-0.02 * (t - 10))) + war_branch(t)
    assert curve["survival"].to_numpy() == pytest.approx(exact, abs=0.006)
    assert scenario.model.outcomes["frozen"].hazard.rate.value == 0.01  # unchanged
    with pytest.raises(ScenarioError, match="outcomes.war.hazard: names no outcome without a"):
        scenario.with_priors({"outcomes.war.hazard": {"rate": {"value": 1}}})
    with pytest.raises(ScenarioError, match="outcomes.frozen.hazard.rate: a rate takes one of"):
        scenario.with_priors({"outcomes.frozen.hazard": {"rate": {"value": 1, "mean": 1,
                                                                  "sd": 1}}})


def test_hazard_table_gives_each_piece_its_gamma_interval(write_yaml):
    scenario = with_hazard(write_yaml, "{unit: years, pieces: [{until: 1, rate: {events: 3, "
                                       "exposure: 2, cite: [ceasefire-facts.truce-2008-06]}}, "
                                       "{rate: {value: 0.5}}]}")
    table = analysis.hazard_table(scenario, interval=0.9)
    first, last = table.iloc[0], table.iloc[1]
    assert (first["from_day"], first["until_day"]) == (0, 365.25)
    assert (last["from_day"], last["until_day"]) == (365.25, np.inf)
    assert first["mean"] == pytest.approx(3.5 / 2)
    assert (first["lower"], first["upper"]) == pytest.approx(
        tuple(stats.gamma.ppf([0.05, 0.95], 3.5, scale=0.5)))
    assert (last["lower"], last["mean"], last["upper"]) == (0.5, 0.5, 0.5)
    assert first["cite"] == ["ceasefire-facts.truce-2008-06"]


def test_collapse_draws_repeat_whatever_the_chunking():
    """The chunked distribution functions equal one call's draws, hazards included."""
    from analysis.core.rng import seed_sequence
    from analysis.engines.durations import (
        completion_chunks,
        completion_times,
        event_times,
        path_event_cdf,
    )

    baseline = analysis.load_scenario("baseline")
    n_draws, days = 50_000, np.array([30.0, 265.0, 730.0])  # three chunks
    assert len(list(completion_chunks(baseline, n_draws, seed_sequence(3)))) > 1
    chunked = path_event_cdf(baseline, days, n_draws=n_draws, seed=seed_sequence(3))
    whole = np.sort(event_times(baseline, completion_times(baseline, n_draws, seed_sequence(3)),
                                seed=seed_sequence(3)), axis=1)
    once = np.stack([np.searchsorted(row, days, side="right") for row in whole]) / n_draws
    assert np.array_equal(chunked, once)
