"""Readers' tables and computed text for skill, calibration and signposts."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis import narrative


@pytest.fixture(scope="module")
def baseline():
    return analysis.load_scenario("baseline")


@pytest.fixture(scope="module")
def scored(baseline):
    forecasts = analysis.forecast_resolutions(baseline, "gaza_2025", n_draws=500, rng=1)
    scores = analysis.score_forecasts(forecasts)
    baselines = analysis.baseline_scores(baseline, "gaza_2025", scores)
    return forecasts, scores, baselines, analysis.skill_summary(baselines)


def test_skill_text_states_the_numbers_of_the_tables(baseline, scored):
    _, scores, baselines, skill = scored
    summary = analysis.score_summary(scores)
    text = str(narrative.skill_summary_text(baseline, summary, skill, baselines))
    uniform = skill.set_index("baseline").loc["uniform", "skill"]
    assert f"skill {uniform:+.2f}, better than it" in text
    assert f"mean Brier score {summary['brier'].iloc[0]:.3f} over 3 final answers" in text
    assert "2 provisional left out" in text
    assert "Against persistence (the status quo holds): no skill score" in text
    titled = narrative.titled(summary, [baseline])  # frames may name it by its title
    assert f"**{baseline.title}**" in str(narrative.skill_summary_text(
        baseline, titled, narrative.titled(skill, [baseline]),
        narrative.titled(baselines, [baseline])))
    table = narrative.skill_reader_table(skill)
    assert "Skill" in table.to_html() and f"{uniform:.2f}" in table.to_html()


def test_skill_text_without_final_answers(baseline):
    summary = pd.DataFrame({"scenario": [baseline.name], "questions": [0], "brier": [0.0],
                            "log_score": [0.0], "log_score_total": [0.0], "provisional": [1]})
    empty = pd.DataFrame(columns=["scenario", "baseline", "questions", "brier",
                                  "baseline_brier", "skill"])
    assert "No final answer to score yet" in str(
        narrative.skill_summary_text(baseline, summary, empty, empty.assign(provisional=[])))


def test_calibration_text_says_why_it_is_not_shown(scored):
    forecasts = scored[0]
    text = str(narrative.calibration_summary(analysis.calibration_table(forecasts)))
    assert "not shown: 3 final answers, fewer than the 20 needed" in text


def test_watchlist_table_and_summary(baseline):
    watch = analysis.watch_table(baseline, "gaza_2025")
    html = narrative.watchlist_table(baseline, watch).to_html()
    assert "Hamas hands heavy weapons" in html and "Governance" in html
    assert "Seen in" not in html  # nothing seen without evidence
    top = watch[watch["rank"] == 1]
    big = top.loc[top["change"].abs().idxmax()]
    text = str(narrative.watchlist_summary(baseline, watch))
    assert f"({100 * big['change']:+.1f} points)" in text
    rises = int((watch[watch["outcome"] == "renewed_war"]["change"] >= 0.005).sum())
    assert f"{rises} signposts would raise it" in text
    later = analysis.watch_table(baseline, "gaza_2025", evidence="gaza_2025")
    assert "1 signpost marked seen by the log" in str(
        narrative.watchlist_summary(baseline, watch, later))
    assert "Seen in" in narrative.watchlist_table(baseline, later).to_html()
