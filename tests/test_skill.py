"""Skill against naive baselines, the Brier score over a question's life, calibration.

Every number is computed by hand from the two-phase scenario of test_scoring.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from test_scoring import TWO, phase_q, target_q

import analysis
from analysis import (
    baseline_scores,
    brier_over_time,
    calibration_table,
    forecast_resolutions,
    score_forecasts,
    skill_summary,
)
from analysis.analyses.skill import MIN_CALIBRATION_QUESTIONS

HEAD = textwrap.dedent("""\
    id: test_resolutions
    title: Test resolutions
    day_zero: 2025-01-10
    questions:
    """)


@pytest.fixture
def two(write_yaml):
    return analysis.load_scenario(write_yaml(TWO, "two.yaml"))


@pytest.fixture
def write_resolutions(write_yaml):
    def write(*questions: str) -> str:
        body = "".join(textwrap.indent(textwrap.dedent(q).strip("\n"), "  ") + "\n"
                       for q in questions)
        return write_yaml(HEAD + body, "resolutions.yaml")

    return write


def baselines_of(scenario, path, **options):
    scores = score_forecasts(forecast_resolutions(scenario, path, rng=1))
    return baseline_scores(scenario, path, scores), scores


def test_baselines_and_skill_by_hand(two, write_resolutions):
    # start: forecast go 0.6 -> Brier 2 * 0.4**2 = 0.32
    start = phase_q("start", "go", date="2025-02-01").replace(
        "phase: start", "phase: start\n      status_quo: halt\n      base_rate: {value: go, "
        "probability: 0.7, cite: [ceasefire-facts.truce-2008-06]}")
    # outcome in [meh]: forecast yes 0.12 (answer no) -> Brier 2 * 0.12**2 = 0.0288
    ending = target_q("outcome: [meh]", "no", date="2025-03-01", name="ending")
    path = write_resolutions(start, ending)
    baselines, scores = baselines_of(two, path)
    table = baselines.set_index(["question", "baseline"])
    assert table.loc[("start", "uniform"), "baseline_brier"] == pytest.approx(0.5)
    assert table.loc[("start", "base_rate"), "baseline_brier"] == pytest.approx(2 * 0.3**2)
    assert table.loc[("start", "persistence"), "baseline_brier"] == pytest.approx(2.0)
    assert table.loc[("start", "persistence"), "baseline_probability"] == 0
    assert table.loc[("ending", "uniform"), "baseline_brier"] == pytest.approx(0.5)
    assert ("ending", "base_rate") not in table.index  # no base rate, no status quo
    assert ("ending", "persistence") not in table.index
    # given start = go the scenario ends in meh with 0.2: Brier 2 * 0.2**2
    assert scores.set_index("question").loc["ending", "brier"] == pytest.approx(0.08)
    skill = skill_summary(baselines).set_index("baseline")
    assert list(skill.index) == ["base_rate", "uniform", "persistence"]
    assert skill.loc["uniform", "questions"] == 2
    assert skill.loc["uniform", "skill"] == pytest.approx(1 - (0.32 + 0.08) / 2 / 0.5)
    assert skill.loc["base_rate", "skill"] == pytest.approx(1 - 0.32 / 0.18)
    assert skill.loc["persistence", "skill"] == pytest.approx(1 - 0.32 / 2)


def test_base_rate_counted_from_reference_cases(two, write_resolutions):
    # cases of 1396, 594, 7 and 275 days, all ended: beyond day 300, S = 3/4 * 2/3 = 0.5
    survival = target_q("survival: {event: renewed_war, day: 300}", "held", "2025-11-10",
                        more="""
      base_rate:
        value: held
        cases: [ceasefire-facts.truce-2009-01, ceasefire-facts.truce-2012-11,
                ceasefire-facts.truce-2023-11, ceasefire-facts.truce-2022-08]""")
    baselines, _ = baselines_of(two, write_resolutions(survival))
    row = baselines.set_index("baseline").loc["base_rate"]
    assert row["baseline_probability"] == pytest.approx(0.5)
    assert row["baseline_brier"] == pytest.approx(0.5)
    persistence = baselines.set_index("baseline").loc["persistence"]  # held by default
    assert persistence["baseline_brier"] == 0


def test_perfect_baselines_have_no_skill_and_provisional_answers_are_left_out(
        two, write_resolutions):
    held = target_q("survival: {event: renewed_war, day: 30}", "held", "2025-02-09")
    provisional = phase_q("start", "halt", date="2025-03-01").replace(
        "cite: [ceasefire-facts.truce-2008-06]",
        "cite: [ceasefire-facts.truce-2008-06]\n        provisional: true")
    baselines, _ = baselines_of(two, write_resolutions(held, provisional))
    skill = skill_summary(baselines).set_index("baseline")
    assert "persistence" not in skill.index  # right with certainty: undefined
    assert skill.loc["uniform", "questions"] == 1  # the provisional answer left out
    everything = skill_summary(baselines, include_provisional=True).set_index("baseline")
    assert everything.loc["uniform", "questions"] == 2


EVIDENCE = textwrap.dedent("""\
    id: test_log
    title: Test log
    items:
      - id: hint
        date: 2025-02-01
        title: A hint that it starts
        cite: [ceasefire-facts.truce-2008-06]
        phase: start
        likelihoods: {go: 2}
      - id: started
        date: 2025-03-01
        title: It started
        cite: [ceasefire-facts.truce-2008-06]
        observed: {start: go}
      - id: after
        date: 2025-04-01
        title: On the day it resolves (left out)
        cite: [ceasefire-facts.truce-2008-06]
        phase: start
        likelihoods: {halt: 100}
    """)


def test_brier_over_time_is_the_hand_computed_step_function(two, write_yaml,
                                                           write_resolutions):
    log = write_yaml(EVIDENCE, "log.yaml")
    path = write_resolutions(phase_q("start", "go", date="2025-04-01"))
    steps = brier_over_time(two, path, log, rng=1)
    assert steps["start"].astype(str).tolist() == ["2025-01-10", "2025-02-01", "2025-03-01"]
    assert steps["days"].tolist() == [22, 28, 31]
    assert steps["item"].tolist() == ["prior", "hint", "started"]
    # go 0.6, then 0.6 * 2 / (0.6 * 2 + 0.4) = 0.75, then 1
    assert steps["probability"].tolist() == pytest.approx([0.6, 0.75, 1.0])
    assert steps["brier"].tolist() == pytest.approx([0.32, 0.125, 0.0])
    expected = (0.32 * 22 + 0.125 * 28 + 0 * 31) / 81
    assert steps["time_averaged"].tolist() == pytest.approx([expected] * 3)


def test_brier_over_time_of_a_question_closing_the_day_it_opens(two, write_yaml,
                                                               write_resolutions):
    log = write_yaml(EVIDENCE, "log.yaml")
    same_day = phase_q("start", "go", date="2025-01-10").replace(
        "deadline: 2025-12-31", "deadline: 2025-01-10")
    steps = brier_over_time(two, write_resolutions(same_day), log, rng=1)
    assert steps["days"].tolist() == [0]
    assert steps["time_averaged"].tolist() == pytest.approx([0.32])


def test_calibration_table_by_hand():
    # 20 yes/no questions: forecasts 0.15 (happened 2 of 10) and 0.85 (happened 9 of 10)
    rows = []
    for q in range(20):
        p = 0.15 if q < 10 else 0.85
        happened = (q < 2) or (q >= 11)
        rows += [{"scenario": "s", "question": f"q{q}", "category": "yes", "probability": p,
                  "observed": happened, "provisional": False, "status": "final"},
                 {"scenario": "s", "question": f"q{q}", "category": "no",
                  "probability": 1 - p, "observed": not happened, "provisional": False,
                  "status": "final"}]
    table = calibration_table(pd.DataFrame(rows), bins=10)
    assert table.attrs["enough"] and table.attrs["questions"] == 20
    by_bin = table.set_index("bin")
    assert list(by_bin.index) == [1, 8]
    assert by_bin.loc[1, "forecasts"] == 20
    # bin 0.1-0.2: yes on the first ten (2 happened) and no on the last ten (1 happened)
    assert by_bin.loc[1, "observed_frequency"] == pytest.approx(3 / 20)
    assert by_bin.loc[8, "observed_frequency"] == pytest.approx(17 / 20)
    assert by_bin.loc[8, "mean_probability"] == pytest.approx(0.85)
    few = calibration_table(pd.DataFrame(rows[:10]))
    assert not few.attrs["enough"] and few.attrs["min_questions"] == MIN_CALIBRATION_QUESTIONS
    with pytest.raises(ValueError, match="bins"):
        calibration_table(pd.DataFrame(rows), bins=0)


def test_the_flagship_scores_have_skill_and_cover_the_main_outcome():
    baseline = analysis.load_scenario("baseline")
    forecasts = forecast_resolutions(baseline, "gaza_2025", include_open=True, rng=1)
    kinds = set(forecasts["kind"])
    assert {"phase", "survival", "outcome"} <= kinds
    scores = score_forecasts(forecasts)
    baselines = baseline_scores(baseline, "gaza_2025", scores)
    skill = skill_summary(baselines).set_index("baseline")
    assert {"base_rate", "uniform"} <= set(skill.index)
    assert np.isfinite(skill["skill"]).all()
    # the base rate of the 72-hour question: all 9 earlier truces lasted past day 3 (the
    # shortest, the 2023 pause, lasted 7 days)
    ceasefire = baselines.set_index(["question", "baseline"]).loc[
        ("ceasefire_held", "base_rate")]
    assert ceasefire["baseline_probability"] == pytest.approx(9 / 9)
    # and of day 265: 5 of the 9
    survival = baselines.set_index(["question", "baseline"]).loc[
        ("truce_held_265_days", "base_rate")]
    assert survival["baseline_probability"] == pytest.approx(5 / 9)
    # the main outcome, war by the end of 2027 (day 812): 3 of the 9 lasted beyond it, and
    # the answer (provisional) is no war, so the base rate gave it 3 / 9
    war = baselines.set_index(["question", "baseline"]).loc[("ends_in_war", "base_rate")]
    assert war["baseline_probability"] == pytest.approx(3 / 9) and war["provisional"]


def test_survival_questions_take_the_scenarios_reference_class(write_yaml, write_resolutions):
    # citing ceasefire-facts gives the scenario its truces as a reference class; those
    # closed before the question opens on 2025-01-10: 2008-06 (191 days), 2009-01 (1396),
    # 2012-11 (594), 2014-08 (2449), 2021-05 (869), 2022-08 (275), 2023-05 (147),
    # 2023-11 (7); the 2025 truces had not begun. Beyond day 300: 4 of 8 ended by then
    # (7, 147, 191, 275), so the Kaplan-Meier share is 4 / 8.
    cited = analysis.load_scenario(write_yaml(TWO.replace(
        "{alpha: 6, beta: 4}", "{alpha: 6, beta: 4, cite: [ceasefire-facts.truce-2008-06]}"),
        "cited.yaml"))
    survival = target_q("survival: {event: renewed_war, day: 300}", "held", "2025-11-10")
    baselines, _ = baselines_of(cited, write_resolutions(survival))
    assert baselines.set_index("baseline").loc["base_rate", "baseline_probability"] == \
        pytest.approx(0.5)
    uncited, _ = baselines_of(analysis.load_scenario(write_yaml(TWO, "two.yaml")),
                              write_resolutions(survival))
    assert "base_rate" not in set(uncited["baseline"])
