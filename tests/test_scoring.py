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


COMMON = """criteria: Whatever the test needs.
      resolver: The test.
      opens: 2025-01-10
      deadline: 2025-12-31"""


def answer(value: str, date: str = "2025-03-01", extra: str = "",
           cite: str = "ceasefire-facts.truce-2008-06") -> str:
    return f"""
      answer:
        value: {value}
        resolved_on: {date}
        cite: [{cite}]{extra}"""


def phase_q(phase: str, branch: str, date: str = "2025-03-01", name: str | None = None,
            extra: str = "") -> str:
    return f"""
    - id: {name or phase}
      question: What did {phase} do?
      {COMMON}
      phase: {phase}{answer(branch, date, extra)}
    """


def target_q(target: str, value: str | None, date: str = "2025-03-01", name: str = "q",
             more: str = "") -> str:
    """A question with any target (one line, or lines indented by six) and an answer."""
    return f"""
    - id: {name}
      question: Which?
      {COMMON}
      {target}{more}{answer(value, date) if value else ""}
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
                                       "given", "provisional", "status"]


def test_outcome_set_question_is_yes_or_no(two, write_resolutions):
    row = scores_of(two, write_resolutions(target_q("outcome: [meh, renewed_war]", "no"))).iloc[0]
    # meh 0.12 + war 0.52 = 0.64 yes; good 0.36 no
    assert row["probability"] == pytest.approx(0.36)
    assert row["brier"] == pytest.approx(2 * 0.64**2)


def test_survival_day_defaults_to_the_deadline(two, write_resolutions):
    at_deadline = target_q("survival: {event: renewed_war}", "held", "2025-12-31")
    explicit = target_q("survival: {event: renewed_war, day: 355}", "held", "2025-12-31")
    a = scores_of(two, write_resolutions(at_deadline)).iloc[0]["probability"]
    b = scores_of(two, write_resolutions(explicit)).iloc[0]["probability"]
    assert a == b  # deadline 2025-12-31 is day 355 after day_zero 2025-01-10
    assert a == pytest.approx(1 - 0.4 * (1 - math.exp(-355 / 50)) - 0.12, abs=0.01)


def test_open_questions_are_forecast_not_scored(two, write_resolutions):
    path = write_resolutions(phase_q("start", "go", date="2025-02-01"),
                             target_q("outcome: all", None, name="ending"))
    forecasts = forecast_resolutions(two, path, include_open=True)
    ending = forecasts[forecasts["question"] == "ending"].set_index("category")
    assert (ending["status"] == "open").all() and not ending["observed"].any()
    # given start = go: good 0.6, meh 0.2, war 0.2
    assert ending["probability"].tolist() == pytest.approx([0.6, 0.2, 0.2])
    assert score_forecasts(forecasts)["question"].tolist() == ["start"]
    assert "ending" not in forecast_resolutions(two, path)["question"].tolist()


def test_outcome_question_scores(two, write_resolutions):
    row = scores_of(two, write_resolutions(target_q("outcome: all", "meh"))).iloc[0]
    # good 0.36, meh 0.12, war 0.52
    assert row["probability"] == pytest.approx(0.12)
    assert row["brier"] == pytest.approx(0.36**2 + 0.88**2 + 0.52**2)


def test_survival_question_uses_the_survival_curve(two, write_resolutions):
    survival = target_q("survival: {event: renewed_war, day: 30}", "held", "2025-02-09")
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
                                     extra="\n        provisional: true"))
    scores = scores_of([two, other], path)
    assert scores["scenario"].tolist() == ["two", "two", "other", "other"]
    assert scores["provisional"].tolist() == [False, True, False, True]
    summary = score_summary(scores, include_provisional=True).set_index("scenario")
    assert list(summary.columns) == ["questions", "brier", "log_score", "log_score_total",
                                     "provisional"]
    assert summary.loc["two", "log_score_total"] == pytest.approx(-math.log(0.6 * 0.6))
    assert summary.loc["other", "log_score"] == pytest.approx(-math.log(0.9 * 0.6) / 2)
    assert summary.loc["two", "brier"] == pytest.approx(
        (0.32 + (0.4**2 + 0.2**2 + 0.2**2)) / 2)
    final = score_summary(scores).set_index("scenario")  # the rule: provisional left out
    assert final.loc["two", "questions"] == 1 and final.loc["two", "provisional"] == 1
    assert final.loc["two", "brier"] == pytest.approx(0.32)
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
    summary = score_summary(scores, include_provisional=True).set_index("scenario")
    # holds with 10/11: Brier (1/11)^2 + (1/11)^2 over holds and collapses
    assert table.loc[("baseline", "ceasefire_held"), "brier"] == pytest.approx(2 / 121)
    for name in ("baseline", "disarmament_impasse"):
        assert summary.loc[name, "brier"] == pytest.approx(
            scores[scores["scenario"] == name]["brier"].mean())


def test_resolutions_table():
    table = resolutions_table("gaza_2025")
    assert list(table.columns) == ["question", "text", "target", "criteria", "resolver",
                                   "opens", "deadline", "status", "answer", "resolved_on",
                                   "cite", "rationale"]
    rows = table.set_index("question")
    assert rows.loc["truce_held_265_days", "answer"] == "held"
    assert rows.loc["truce_held_265_days", "target"] == "no collapse to the deadline"
    assert rows.loc["withdrawal_stalled", "status"] == "provisional"
    assert rows.loc["how_the_deal_ends", "status"] == "open"
    assert rows.loc["how_the_deal_ends", "resolved_on"] is None
    # every question states what counts and who settles it
    assert (table["criteria"].str.len() > 10).all() and (table["resolver"].str.len() > 10).all()


def test_json_schema_file_is_current():
    stored = (ROOT / "scenarios" / "resolutions" / "resolutions.schema.json").read_text()
    assert stored == resolutions_json_schema(), "run `make schema`"


def test_readme_example_loads(tmp_path):
    text = (ROOT / "scenarios" / "resolutions" / "README.md").read_text()
    example = re.search(r"```yaml\n(schema_version.*?)```", text, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example)
    resolutions = load_resolutions(path)
    assert [q.kind for q in resolutions.questions] == ["phase", "survival", "outcome",
                                                       "outcomes"]
    scores = scores_of(analysis.load_scenario("baseline"), resolutions, n_draws=2000)
    assert len(scores) == 3 and np.isfinite(scores["brier"]).all()  # one question is open


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
    (target_q("phase: start\n      outcome: all", "go").replace("- id: q", "- id: q  # <-"),
     "questions[0]", ["expected exactly one target", "phase and outcome"]),
    (target_q("outcome: all", None).replace("deadline: 2025-12-31",
                                            "deadline: 2025-01-01  # <-"),
     "questions[0].deadline", ["deadline 2025-01-01 is before the question opens (2025-01-10)"]),
    (target_q("outcome: all", None).replace("      resolver: The test.\n", "").replace(
        "- id: q", "- id: q  # <-"), "questions[0].resolver", ["missing required key"]),
    (target_q("survival: {event: renewed_war, day: 0}  # <-", None),
     "questions[0].survival.day", ["expected a number > 0"]),
    (target_q("survival: {event: renewed_war, day: 30, held: true}  # <-", None),
     "questions[0].survival.held", ["unknown key 'held'"]),
    (target_q("survival: {event: renewed_war, day: 30}", "lasted"),
     "questions[0]", ["answer.value 'lasted', expected one of: held, ended"]),
    (target_q("outcome: [meh]", "go", more="\n      status_quo: maybe"),
     "questions[0]", ["status_quo 'maybe', expected one of: yes, no"]),
    (target_q("survival: {event: renewed_war, day: 30}", "held", "2025-01-20").replace(
        "resolved_on: 2025-01-20", "resolved_on: 2025-01-20  # <-"),
     "questions[0].answer.resolved_on", ["before day 30 (2025-02-09)"]),
    (target_q("outcome: all", "meh").replace("ceasefire-facts.truce-2008-06]",
                                             "ceasefire-facts.outcome-2026-01-26-last-remains]"
                                             "  # <-"),
     "questions[0].answer.cite[0]",
     ["dated 2026-01-26, after this entry's resolved_on 2025-03-01"]),
    (target_q("outcome: all", "meh", "2025-01-05"), "questions[0].answer.resolved_on",
     ["resolved on 2025-01-05, before the question opens (2025-01-10)"]),
    (target_q("outcome: [meh]", None, more="""
      base_rate: {value: yes, probability: 0.3}"""), "questions[0].base_rate",
     ["a stated probability needs cite"]),
    (target_q("outcome: [meh]", None, more="""
      base_rate: {value: yes, probability: 0.3, cases: [ceasefire-facts.truce-2008-06]}"""),
     "questions[0].base_rate", ["exactly one of probability"]),
    (target_q("survival: {event: renewed_war}", None, more="""
      base_rate: {value: held, cases: [ceasefire-facts.truce-2008-06,
                                       ceasefire-facts.study-fortna-2004]}  # <-"""),
     "questions[0].base_rate.cases[1]", ["has no numeric data.days"]),
    (target_q("survival: {event: renewed_war}", None, more="""
      base_rate: {value: held, cases: [ceasefire-facts.truce-2008-06,
                                       ceasefire-facts.outcome-2026-01-26-last-remains]}"""),
     "questions[0].base_rate.cases[1]", ["dated 2026-01-26, after this entry's opens 2025-01-10"]),
    (target_q("outcome: [meh]", None, more="""
      base_rate: {value: yes, cases: [ceasefire-facts.truce-2008-06]}"""),
     "questions[0].base_rate", ["cases need day"]),
])
def test_each_file_rule_is_reported(write_resolutions, body, location, fragments):
    expect_problem(write_resolutions, [body], location, *fragments)


def test_survival_questions_need_day_zero(write_resolutions):
    survival = target_q("survival: {event: renewed_war, day: 30}  # <-", "held")
    expect_problem(write_resolutions, [survival], "questions[0].survival", "needs day_zero",
                   head=HEAD.replace("day_zero: 2025-01-10\n", ""))


def test_duplicates(write_resolutions):
    expect_problem(write_resolutions, [phase_q("start", "go", date="2025-03-01", name="a"),
                                       phase_q("start", "go", date="2025-02-01", name="a")],
                   "questions[1].id", "duplicate id 'a'")


@pytest.mark.parametrize(("body", "location", "fragments"), [
    (phase_q("strat", "go"), "questions[0].phase", ["unknown phase 'strat'",
                                                    "did you mean 'start'"]),
    (phase_q("start", "gone"), "questions[0].answer.value",
     ["phase 'start' has no branch 'gone'"]),
    (target_q("phase: start", None, more="\n      status_quo: stop"), "questions[0].status_quo",
     ["phase 'start' has no branch 'stop'"]),
    (target_q("outcome: all", "mehh"), "questions[0].answer.value",
     ["scenario 'two' has no outcome 'mehh'", "did you mean 'meh'"]),
    (target_q("outcome: [good, mehh]", "yes"), "questions[0].outcome[1]",
     ["unknown outcome 'mehh'"]),
    (target_q("survival: {event: [war], day: 30}", "held"), "questions[0].survival.event[0]",
     ["unknown outcome 'war'"]),
    (phase_q("start", "go", date="2025-01-01").replace("opens: 2025-01-10", "opens: 2025-01-01"),
     "questions[0].answer.resolved_on",
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
    survival = target_q("survival: {event: renewed_war, day: 30}", "held")
    with pytest.raises(analysis.QueryError, match="gives no branch a duration"):
        forecast_resolutions(timeless, write_resolutions(survival))


def test_unknown_file_name():
    with pytest.raises(ScenarioError, match="no resolutions file of that name"):
        load_resolutions("gaza_2024")


def test_provisional_answers_condition_nothing(two, write_resolutions):
    provisional = phase_q("start", "go", date="2025-02-01",
                          extra="\n        provisional: true")
    path = write_resolutions(provisional, phase_q("middle", "badly", date="2025-03-01"))
    row = scores_of(two, path).set_index("question").loc["middle"]
    assert row["given"] == "" and row["probability"] == pytest.approx(0.12)
