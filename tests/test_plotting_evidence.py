"""Charts of evidence, timing, scores and analysts: the figures' data, never rendered."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import analysis
from analysis import plotting


@pytest.fixture(scope="module")
def baseline():
    return analysis.load_scenario("baseline")


@pytest.fixture(scope="module")
def timeline(baseline):
    return analysis.belief_timeline(baseline, "gaza_2025", n_draws=500, rng=1)


def by_role(fig: go.Figure, role: str) -> list:
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def test_belief_timeline_draws_each_outcome_with_its_band(baseline, timeline):
    fig = plotting.plot_belief_timeline(timeline)
    lines = by_role(fig, "outcome")
    colours = {o: v.colour for o, v in baseline.model.outcomes.items()}
    assert [t.meta["outcome"] for t in lines] == list(colours)
    for trace in lines:
        assert trace.line.color == colours[trace.meta["outcome"]]
        assert trace.line.shape == "hv"
        assert len(trace.x) == timeline["step"].nunique()
        assert "After: %{customdata[1]}" in trace.hovertemplate
    war = next(t for t in lines if t.meta["outcome"] == "renewed_war")
    expected = timeline[timeline.outcome == "renewed_war"]["probability"].tolist()
    assert list(war.y) == pytest.approx(expected)
    assert war.customdata[2][1].startswith("All 20 living hostages freed")
    assert "Change:" in war.customdata[2][3]
    bands = by_role(fig, "band")
    assert len(bands) == 4 and all(b.fill == "tonexty" for b in bands)
    assert bands[0].fillcolor == "rgba(27, 158, 119, 0.15)"
    symbols = war.marker.symbol
    assert symbols[0] == "star" and "diamond" in symbols and "circle" in symbols
    assert [t.meta["kind"] for t in by_role(fig, "legend")] == ["observation", "likelihood"]
    # one panel per outcome: each outcome's line and band on its own axes
    assert len({t.yaxis for t in lines}) == len(lines)
    assert all(b.yaxis == t.yaxis for b, t in zip(bands, lines, strict=True))
    assert fig.layout.title.text == "How beliefs moved — baseline | evidence gaza_2025"
    assert "90% credible intervals (500 draws" in fig.layout.title.subtitle.text
    assert fig.layout.yaxis.title.text == "Probability"
    bottom = fig.layout[f"xaxis{len(lines)}"]
    assert bottom.title.text == "Date of the evidence"
    assert fig.layout.template == pio.templates["plotly_white"]


def test_survival_chart_shows_model_reference_and_censoring(baseline):
    curve = analysis.survival_curve(baseline, event="renewed_war", horizon=400, step=10,
                                    n_draws=2000, rng=1)
    truces = analysis.reference_truces()
    km = analysis.kaplan_meier(truces["days"], truces["ended_in_war"])
    fig = plotting.plot_survival(curve, km)
    [model] = by_role(fig, "model")
    assert list(model.y) == pytest.approx(curve["survival"].tolist())
    assert "still holding" in model.hovertemplate
    [reference] = by_role(fig, "reference")
    assert reference.line.shape == "hv"
    assert list(reference.y) == pytest.approx(km["survival"].tolist())
    [censored] = by_role(fig, "censored")
    assert list(censored.x) == [265] and censored.marker.symbol == "line-ns-open"
    assert len(by_role(fig, "band")) == 2
    assert fig.layout.xaxis.title.text == "Days since the start"
    assert fig.layout.yaxis.title.text == "Probability the deal still holds"
    assert fig.layout.title.text == "Does the deal hold? — baseline"
    assert "renewed war" in fig.layout.title.subtitle.text
    assert any("never ends in the model" in (a.text or "") for a in fig.layout.annotations)


def test_survival_chart_with_several_scenarios_and_no_reference(baseline):
    impasse = analysis.load_scenario("disarmament_impasse")
    curves = pd.concat([analysis.survival_curve(s, event="renewed_war", horizon=100, step=50,
                                                n_draws=500, rng=1)
                        .assign(scenario=s.id) for s in (baseline, impasse)])
    fig = plotting.plot_survival(curves)
    assert [t.meta["scenario"] for t in by_role(fig, "model")] == ["baseline",
                                                                    "disarmament_impasse"]
    assert not by_role(fig, "reference")


def test_phase_completion_chart(baseline):
    curve = analysis.completion_curve(baseline, horizon=300, step=10, n_draws=500, rng=1)
    fig = plotting.plot_phase_completion(curve)
    assert [t.meta["phase"] for t in by_role(fig, "phase")] == list(baseline.phases)
    assert fig.layout.title.text == "When the phases complete — baseline"
    assert fig.layout.yaxis.title.text == "Probability the phase has completed"


def test_scores_chart_has_both_scores_per_scenario(baseline):
    impasse = analysis.load_scenario("disarmament_impasse")
    scores = analysis.score_forecasts(analysis.forecast_resolutions(
        [baseline, impasse], "gaza_2025", n_draws=500, rng=1))
    fig = plotting.plot_scores(scores)
    bars = by_role(fig, "scores")
    assert [(t.meta["score"], t.meta["scenario"]) for t in bars] == [
        ("brier", "baseline"), ("brier", "disarmament_impasse"),
        ("log_score", "baseline"), ("log_score", "disarmament_impasse")]
    assert list(bars[0].x) == pytest.approx(scores[scores.scenario == "baseline"]["brier"])
    assert "withdrawal stalled (provisional)" in bars[0].y
    assert bars[0].showlegend and not bars[2].showlegend
    assert bars[0].marker.color != bars[1].marker.color
    assert "Happened: %{customdata[1]}" in bars[0].hovertemplate
    assert fig.layout.xaxis.title.text.startswith("Brier score")
    assert fig.layout.xaxis2.title.text.startswith("−ln p")
    assert fig.layout.title.text == "Scores against what happened — gaza_2025"


def test_disagreement_chart_shows_the_most_disputed_first():
    frame = analysis.analyst_disagreement(analysis.load_analysts())
    fig = plotting.plot_analyst_disagreement(frame, top=4)
    [span] = by_role(fig, "range")
    assert list(span.y)[0] == "Ceasefire: Holds" and len(span.y) == 4
    analysts = by_role(fig, "analyst")
    assert [t.meta["analyst"] for t in analysts] == ["base_rates", "mediator_lens",
                                                     "security_lens"]
    first = frame[frame["key"] == "ceasefire.holds"].set_index("analyst")["mean"]
    assert analysts[0].x[0] == pytest.approx(first["base_rates"])
    assert span.base[0] == pytest.approx(first.min())
    assert span.x[0] == pytest.approx(first.max() - first.min())
    assert fig.layout.xaxis.tickformat == ".0%"
    with pytest.raises(ValueError, match="top == 0"):
        plotting.plot_analyst_disagreement(frame, top=0)


def test_pool_comparison_draws_with_the_outcome_chart():
    fig = plotting.plot_outcome_distribution(analysis.pool_comparison(analysis.load_analysts()))
    names = [t.meta["scenario"] for t in fig.data if t.meta["role"] == "bars"]
    assert names == ["base_rates", "mediator_lens", "security_lens", "linear pool", "log pool"]


@pytest.mark.parametrize("function", [plotting.plot_belief_timeline, plotting.plot_survival,
                                      plotting.plot_phase_completion, plotting.plot_scores,
                                      plotting.plot_analyst_disagreement])
def test_charts_check_their_frames(function):
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        function([1, 2, 3])
    with pytest.raises(ValueError, match="missing column"):
        function(pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize("make", ["timeline", "scores", "disagreement"])
def test_every_hover_ends_cleanly_and_uses_the_house_template(make, timeline):
    if make == "timeline":
        fig = plotting.plot_belief_timeline(timeline)
    elif make == "scores":
        fig = plotting.plot_scores(analysis.score_forecasts(analysis.forecast_resolutions(
            analysis.load_analysts(), "gaza_2025", n_draws=200, rng=1)))
    else:
        fig = plotting.plot_analyst_disagreement(
            analysis.analyst_disagreement(analysis.load_analysts()))
    assert fig.layout.template == pio.templates["plotly_white"]
    for trace in fig.data:
        if trace.hovertemplate:
            assert trace.hovertemplate.endswith("<extra></extra>")
