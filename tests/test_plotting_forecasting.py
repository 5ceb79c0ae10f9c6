"""Charts of the watchlist and of calibration: what they draw, hovers, frame checks."""

from __future__ import annotations

import pandas as pd
import plotly.io as pio
import pytest

import analysis
from analysis import plotting


def by_role(fig, role):
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


@pytest.fixture(scope="module")
def watch():
    return analysis.watch_table(analysis.load_scenario("baseline"), "gaza_2025")


def test_watchlist_draws_each_outcomes_change_in_points(watch):
    fig = plotting.plot_watchlist(watch)
    bars = by_role(fig, "watchlist")
    assert [b.meta["outcome"] for b in bars] == list(analysis.load_scenario("baseline")
                                                    .model.outcomes)
    war = watch[watch["outcome"] == "renewed_war"].sort_values("rank")
    assert list(bars[-1].x) == pytest.approx(list(100 * war["change"]))
    assert bars[-1].marker.color == war["colour"].iloc[0]
    assert bars[0].y[0].startswith("Hamas hands heavy weapons")  # the largest move first
    assert list(fig.layout.yaxis.categoryarray)[0] == bars[0].y[0]
    assert fig.layout.xaxis.title.text == "Change if seen (percentage points)"
    assert fig.layout.title.text == "What each signpost would change — baseline"
    assert "from the priors" in fig.layout.title.subtitle.text
    assert fig.layout.template == pio.templates["plotly_white"]
    assert all(b.hovertemplate.endswith("<extra></extra>") for b in bars)
    top = plotting.plot_watchlist(watch, top=3)
    assert len(set(by_role(top, "watchlist")[0].y)) == 3
    with pytest.raises(ValueError, match="top == 0"):
        plotting.plot_watchlist(watch, top=0)


def test_watchlist_marks_what_was_seen_and_escapes_text(watch):
    seen = watch.assign(seen_in=["item"] * 4 + [""] * (len(watch) - 4),
                        watch=watch["watch"].str.replace("Hamas", "<b>Hamas</b>"))
    fig = plotting.plot_watchlist(seen)
    first = by_role(fig, "watchlist")[0].y[0]
    assert first.endswith("(seen)") and "<b>" not in first and "&lt;b&gt;" in first


def test_reliability_diagram():
    table = pd.DataFrame({"scenario": ["s", "s"], "bin": [1, 8], "lower": [0.1, 0.8],
                          "upper": [0.2, 0.9], "forecasts": [20, 20],
                          "mean_probability": [0.15, 0.85],
                          "observed_frequency": [0.15, 0.85]})
    table.attrs = {"resolutions": "r", "questions": 20}
    fig = plotting.plot_reliability(table)
    [points] = by_role(fig, "reliability")
    assert list(points.x) == [0.15, 0.85] and list(points.y) == [0.15, 0.85]
    assert fig.data[0].name == "Perfect calibration"
    assert fig.layout.title.text == "Calibration — r"
    assert fig.layout.xaxis.title.text == "Forecast probability"
    assert fig.layout.yaxis.title.text == "Observed frequency"
    assert points.hovertemplate.endswith("<extra></extra>")


@pytest.mark.parametrize("function", [plotting.plot_watchlist, plotting.plot_reliability])
def test_charts_check_their_frames(function):
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        function([1, 2, 3])
    with pytest.raises(ValueError, match="missing column"):
        function(pd.DataFrame({"x": [1]}))


def test_brier_over_time_steps_and_averages():
    baseline = analysis.load_scenario("baseline")
    steps = analysis.brier_over_time(baseline, "gaza_2025", "gaza_2025", n_draws=500, rng=1)
    fig = plotting.plot_brier_over_time(steps, resolutions=analysis.load_resolutions("gaza_2025"))
    lines = by_role(fig, "life")
    assert [t.meta["question"] for t in lines] == list(pd.unique(steps["question"]))
    first = steps[steps["question"] == lines[0].meta["question"]]
    assert list(lines[0].y) == pytest.approx([*first["brier"], first["brier"].iloc[-1]])
    assert lines[0].x[-1] == str(first["end"].iloc[-1]) and lines[0].line.shape == "hv"
    averages = by_role(fig, "life_average")
    assert averages[0].y[0] == pytest.approx(first["time_averaged"].iloc[0])
    assert any(t.name.endswith("(provisional)") for t in lines)
    assert "take effect" in lines[0].hovertemplate  # the question's text
    assert fig.layout.yaxis.title.text == "Brier score (0 best, 2 worst)"
    with pytest.raises(ValueError, match="missing column"):
        plotting.plot_brier_over_time(pd.DataFrame({"x": [1]}))
