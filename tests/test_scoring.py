"""Resolutions and scores: the format, hand-computed Brier and log scores, errors."""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import marked_line, problem_at

import analysis
from analysis import (
    ScenarioError,
    forecast_resolutions,
    load_resolutions,
    resolutions_table,
    score_forecasts,
    score_summary,
)
from analysis.analyses.scoring import LOG_CLIP, NOT_HAPPENING
from analysis.formats.resolutions_file import resolutions_json_schema

ROOT = Path(__file__).resolve().parent.parent

# start: go 0.6 / halt 0.4 (ends: bad); middle (reached after go): well 0.6, badly 0.2,
# fails 0.2 (ends: bad); well -> good, badly -> meh. Durations for survival questions:
# halt after an exponential 50 days, fails after 10 days more than start's 5.
TWO = textwrap.dedent("""\
    id: two
    title: Two phases
    as_of: 2025-01-01
    outcomes:
      good: {label: Good, colour: "#1b9e77"}
      meh: {label: Meh, colour: "#7570b3"}
      renewed_war: {label: War, colour: "#d95f02"}
    phases:
      - id: start
        question: Does it start?
        branches:
          go: {prior: {alpha: 6, beta: 4}, duration: {distribution: fixed, mean: 5}}
          halt: {outcome: renewed_war, duration: {distribution: exponential, mean: 50}}
      - id: middle
        question: How does it go?
        branches:
          well: {prior: 0.6, outcome: good, duration: {distribution: fixed, mean: 1}}
          badly: {prior: 0.2, outcome: meh, duration: {distribution: fixed, mean: 1}}
          fails: {prior: 0.2, outcome: renewed_war, duration: {distribution: fixed, mean: 10}}
    """)

HEAD = textwrap.dedent("""\
    id: test_resolutions
    title: Test resolutions
    day_zero: 2025-01-10
    questions:
    """)


def question(body: str) -> str:
    return textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n"


def phase_q(phase: str, branch: str, date: str = "2025-03-01", name: str | None = None,
            extra: str = "") -> str:
    return f"""
    - id: {name or phase}
      question: What did {phase} do?
      resolved_on: {date}
      cite: [ceasefire-facts.truce-2008-06]
      phase: {phase}
      branch: {branch}{extra}
    """


@pytest.fixture
def two(write_yaml):
    return analysis.load_scenario(write_yaml(TWO, "two.yaml"))


@pytest.fixture
def write_resolutions(write_yaml):
    def write(*questions: str, head: str = HEAD) -> Path:
        return write_yaml(head + "".join(question(q) for q in questions), "resolutions.yaml")

    return write


def scores_of(scenarios, path, **options):
    return score_forecasts(forecast_resolutions(scenarios, path, rng=1, **options))


# ------------------------------------------------------------------ hand-computed scores


def test_phase_question_scores(two, write_resolutions):
    scores = scores_of(two, write_resolutions(phase_q("start", "go")))
    row = scores.iloc[0]
    # categories go 0.6, halt 0.4, (does not happen) 0
    assert row["probability"] == pytest.approx(0.6)
    assert row["brier"] == pytest.approx(0.4**2 + 0.4**2)
    assert row["log_score"] == pytest.approx(-math.log(0.6))
    assert row["observed"] == "Go" and row["given"] == ""


def test_sequential_forecasts_condition_on_earlier_answers(two, write_resolutions):
    path = write_resolutions(phase_q("start", "go", date="2025-02-01"),
                             phase_q("middle", "badly", date="2025-03-01"))
    sequential = scores_of(two, path).set_index("question").loc["middle"]
    # given start = go: well 0.6, badly 0.2, fails 0.2, (does not happen) 0
    assert sequential["probability"] == pytest.approx(0.2)
    assert sequential["brier"] == pytest.approx(0.6**2 + 0.8**2 + 0.2**2)
    assert sequential["given"] == "start = go"
    marginal = scores_of(two, path, sequential=False).set_index("question").loc["middle"]
    # unconditional: well 0.36, badly 0.12, fails 0.12, (does not happen) 0.4
    assert marginal["probability"] == pytest.approx(0.12)
    assert marginal["brier"] == pytest.approx(0.36**2 + 0.88**2 + 0.12**2 + 0.4**2)
    assert marginal["given"] == ""


def test_same_day_answers_do_not_condition_each_other(two, write_resolutions):
    path = write_resolutions(phase_q("start", "go"), phase_q("middle", "badly"))
    assert scores_of(two, path).set_index("question").loc["middle", "probability"] == \
        pytest.approx(0.12)


def test_not_happening_is_a_category(two, write_resolutions):
    forecasts = forecast_resolutions(two, write_resolutions(phase_q("middle", "well")))
    row = forecasts.set_index("category").loc[NOT_HAPPENING]
    assert row["probability"] == pytest.approx(0.4) and not row["observed"]
    assert forecasts["probability"].sum() == pytest.approx(1)
    assert list(forecasts.columns) == ["scenario", "question", "resolved_on", "kind",
                                       "category", "label", "probability", "observed",
                                       "given", "provisional"]


def test_outcome_question_scores(two, write_resolutions):
    outcome = """
    - id: ending
      question: How did it end?
      resolved_on: 2025-06-01
      cite: [ceasefire-facts.truce-2008-06]
      outcome: meh
    """
    row = scores_of(two, write_resolutions(outcome)).iloc[0]
    # good 0.36, meh 0.12, war 0.52
    assert row["probability"] == pytest.approx(0.12)
    assert row["brier"] == pytest.approx(0.36**2 + 0.88**2 + 0.52**2)


def test_survival_question_uses_the_survival_curve(two, write_resolutions):
    survival = """
    - id: held
      question: Still holding on day 30?
      resolved_on: 2025-02-09
      cite: [ceasefire-facts.truce-2008-06]
      survival: {event: renewed_war, day: 30, held: true}
    """
    row = scores_of(two, write_resolutions(survival)).iloc[0]
    # war by day 30: halt (0.4, exponential mean 50) or fails (0.12, at day 15)
    held = 1 - 0.4 * (1 - math.exp(-30 / 50)) - 0.12
    assert row["probability"] == pytest.approx(held, abs=0.01)
    assert row["brier"] == pytest.approx(2 * (1 - row["probability"]) ** 2)


def test_log_score_is_clipped(write_yaml, write_resolutions):
    scenario = analysis.load_scenario(write_yaml(
        TWO.replace("badly: {prior: 0.2", "badly: {prior: 0.0").replace(
            "fails: {prior: 0.2", "fails: {prior: 0.4"), "zero.yaml"))
    row = scores_of(scenario, write_resolutions(phase_q("middle", "badly"))).iloc[0]
    assert row["probability"] == 0
    assert row["log_score"] == pytest.approx(-math.log(LOG_CLIP))


def test_impossible_earlier_answers_fall_back_to_marginal_forecasts(write_yaml,
                                                                    write_resolutions):
    scenario = analysis.load_scenario(write_yaml(
        TWO.replace("badly: {prior: 0.2", "badly: {prior: 0.0").replace(
            "fails: {prior: 0.2", "fails: {prior: 0.4"), "zero.yaml"))
    path = write_resolutions(phase_q("middle", "badly", date="2025-02-01"),
                             phase_q("start", "go", date="2025-03-01"))
    row = scores_of(scenario, path).set_index("question").loc["start"]
    assert row["probability"] == pytest.approx(0.6)
    assert "earlier answers had probability 0" in row["given"]


def test_summary_and_several_scenarios(two, write_yaml, write_resolutions):
    other = analysis.load_scenario(write_yaml(TWO.replace("id: two", "id: other").replace(
        "{alpha: 6, beta: 4}", "{alpha: 9, beta: 1}"), "other.yaml"))
    path = write_resolutions(phase_q("start", "go", date="2025-02-01"),
                             phase_q("middle", "well", date="2025-03-01",
                                     extra="\n      provisional: true"))
    scores = scores_of([two, other], path)
    assert scores["scenario"].tolist() == ["two", "two", "other", "other"]
    assert scores["provisional"].tolist() == [False, True, False, True]
    summary = score_summary(scores).set_index("scenario")
    assert list(summary.columns) == ["questions", "brier", "log_score", "log_score_total"]
    assert summary.loc["two", "log_score_total"] == pytest.approx(-math.log(0.6 * 0.6))
    assert summary.loc["other", "log_score"] == pytest.approx(-math.log(0.9 * 0.6) / 2)
    assert summary.loc["two", "brier"] == pytest.approx(
        (0.32 + (0.4**2 + 0.2**2 + 0.2**2)) / 2)
    without = scores_of(two, path, include_provisional=False)
    assert without["question"].tolist() == ["start"]


def test_forecasts_carry_their_settings():
    forecasts = forecast_resolutions([analysis.load_scenario("baseline")], "gaza_2025",
                                     n_draws=1000, rng=4)
    assert forecasts.attrs == {"resolutions": "gaza_2025", "sequential": True,
                               "n_draws": 1000, "seed": 4}
    again = forecast_resolutions([analysis.load_scenario("baseline")], "gaza_2025",
                                 n_draws=1000, rng=4)
    assert again.equals(forecasts)
    assert score_forecasts(forecasts).attrs["log_clip"] == LOG_CLIP


def test_score_functions_check_their_input():
    with pytest.raises(TypeError, match="forecast_resolutions"):
        score_forecasts([1, 2])
    with pytest.raises(ValueError, match="missing column"):
        import pandas as pd
        score_forecasts(pd.DataFrame({"scenario": []}))
    with pytest.raises(TypeError, match="score_forecasts"):
        score_summary("scores")
    with pytest.raises(TypeError, match="Scenario objects"):
        forecast_resolutions(["baseline"], "gaza_2025")


# ------------------------------------------------------------------ the project's files


def test_gaza_resolutions_score_baseline_and_impasse():
    scenarios = [analysis.load_scenario(n) for n in ("baseline", "disarmament_impasse")]
    scores = scores_of(scenarios, "gaza_2025")
    table = scores.set_index(["scenario", "question"])
    assert table.loc[("baseline", "ceasefire_held"), "probability"] == pytest.approx(10 / 11)
    assert table.loc[("baseline", "exchanges_completed"), "probability"] == pytest.approx(0.5)
    assert table.loc[("baseline", "withdrawal_stalled"), "probability"] == pytest.approx(0.5)
    assert table.loc[("disarmament_impasse", "withdrawal_stalled"), "probability"] == \
        pytest.approx(0.65)
    assert 0.6 < table.loc[("baseline", "truce_held_265_days"), "probability"] < 0.95
    summary = score_summary(scores).set_index("scenario")
    assert summary.loc["disarmament_impasse", "brier"] < summary.loc["baseline", "brier"]


def test_resolutions_table():
    table = resolutions_table("gaza_2025")
    assert list(table.columns) == ["question", "resolved_on", "kind", "answer", "text",
                                   "provisional", "cite", "rationale"]
    assert table.set_index("question").loc["truce_held_265_days", "answer"] == (
        "held to day 265 (event: renewed_war)")


def test_json_schema_file_is_current():
    stored = (ROOT / "scenarios" / "resolutions" / "resolutions.schema.json").read_text()
    assert stored == resolutions_json_schema(), "run `make schema`"


def test_readme_example_loads(tmp_path):
    text = (ROOT / "scenarios" / "resolutions" / "README.md").read_text()
    example = re.search(r"```yaml\n(schema_version.*?)```", text, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example)
    resolutions = load_resolutions(path)
    assert [q.kind for q in resolutions.questions] == ["phase", "survival", "outcome"]
    scores = scores_of(analysis.load_scenario("baseline"), resolutions, n_draws=2000)
    assert len(scores) == 3 and np.isfinite(scores["brier"]).all()


# ------------------------------------------------------------------------- validation


def expect_problem(write_resolutions, questions, location, *fragments, head=HEAD):
    path = write_resolutions(*questions, head=head)
    with pytest.raises(ScenarioError) as caught:
        load_resolutions(path)
    problem = problem_at(caught.value, location)
    text = path.read_text()
    assert problem.file == str(path)
    if "# <-" in text:
        assert problem.line == marked_line(text), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, problem.message
    return caught.value


@pytest.mark.parametrize(("body", "location", "fragments"), [
    ("""
    - id: q  # <-
      question: Two kinds?
      resolved_on: 2025-03-01
      cite: [ceasefire-facts.truce-2008-06]
      phase: start
      branch: go
      outcome: meh
    """, "questions[0]", ["exactly one of phase (with branch), outcome or survival",
                          "phase and outcome"]),
    ("""
    - id: q  # <-
      question: No branch?
      resolved_on: 2025-03-01
      cite: [ceasefire-facts.truce-2008-06]
      phase: start
    """, "questions[0]", ["phase and branch go together"]),
    ("""
    - id: q
      question: Held?
      resolved_on: 2025-03-01
      cite: [ceasefire-facts.truce-2008-06]
      survival: {event: renewed_war, day: 0, held: true}  # <-
    """, "questions[0].survival.day", ["expected a number > 0"]),
    ("""
    - id: q
      question: Held?
      resolved_on: 2025-03-01
      cite: [ceasefire-facts.truce-2008-06]
      survival: {event: renewed_war, day: 30, hold: true}  # <-
    """, "questions[0].survival.hold", ["unknown key 'hold'", "did you mean 'held'"]),
    ("""
    - id: q
      question: Held?
      resolved_on: 2025-01-20  # <-
      cite: [ceasefire-facts.truce-2008-06]
      survival: {event: renewed_war, day: 30, held: true}
    """, "questions[0].resolved_on", ["before day 30 (2025-02-09)"]),
    ("""
    - id: q
      question: What?
      resolved_on: 2025-03-01
      cite: [ceasefire-facts.outcome-2026-01-26-last-remains]  # <-
      outcome: meh
    """, "questions[0].cite[0]", ["dated 2026-01-26, after this entry's resolved_on 2025-03-01"]),
])
def test_each_file_rule_is_reported(write_resolutions, body, location, fragments):
    expect_problem(write_resolutions, [body], location, *fragments)


def test_survival_questions_need_day_zero(write_resolutions):
    survival = """
    - id: q
      question: Held?
      resolved_on: 2025-03-01
      cite: [ceasefire-facts.truce-2008-06]
      survival: {event: renewed_war, day: 30, held: true}  # <-
    """
    expect_problem(write_resolutions, [survival], "questions[0].survival", "needs day_zero",
                   head=HEAD.replace("day_zero: 2025-01-10\n", ""))


def test_order_and_duplicates(write_resolutions):
    error = expect_problem(write_resolutions,
                           [phase_q("start", "go", date="2025-03-01", name="a"),
                            phase_q("start", "go", date="2025-02-01", name="a")],
                           "questions[1].resolved_on", "before the previous entry's")
    assert "duplicate id 'a'" in problem_at(error, "questions[1].id").message


@pytest.mark.parametrize(("body", "location", "fragments"), [
    (phase_q("strat", "go"), "questions[0].phase", ["unknown phase 'strat'",
                                                    "did you mean 'start'"]),
    (phase_q("start", "gone"), "questions[0].branch", ["phase 'start' has no branch 'gone'"]),
    ("""
    - id: q
      question: What?
      resolved_on: 2025-03-01
      cite: [ceasefire-facts.truce-2008-06]
      outcome: mehh
    """, "questions[0].outcome", ["unknown outcome 'mehh'", "did you mean 'meh'"]),
    ("""
    - id: q
      question: Held?
      resolved_on: 2025-03-01
      cite: [ceasefire-facts.truce-2008-06]
      survival: {event: [war], day: 30, held: true}
    """, "questions[0].survival.event", ["unknown outcome 'war'"]),
    (phase_q("start", "go", date="2025-01-01"), "questions[0].resolved_on",
     ["not after the priors of scenario 'two' (2025-01-01)", "not be a forecast"]),
])
def test_each_scenario_rule_is_reported(two, write_resolutions, body, location, fragments):
    path = write_resolutions(body)
    with pytest.raises(ScenarioError) as caught:
        forecast_resolutions(two, path)
    problem = problem_at(caught.value, location)
    assert problem.file == str(path)
    for fragment in fragments:
        assert fragment in problem.message, problem.message


def test_survival_needs_durations(write_yaml, write_resolutions):
    timeless = analysis.load_scenario(write_yaml(re.sub(r", duration: \{[^}]*\}", "", TWO),
                                                 "timeless.yaml"))
    survival = """
    - id: q
      question: Held?
      resolved_on: 2025-03-01
      cite: [ceasefire-facts.truce-2008-06]
      survival: {event: renewed_war, day: 30, held: true}
    """
    with pytest.raises(analysis.QueryError, match="gives no branch a duration"):
        forecast_resolutions(timeless, write_resolutions(survival))


def test_unknown_file_name():
    with pytest.raises(ScenarioError, match="no resolutions file of that name"):
        load_resolutions("gaza_2024")
