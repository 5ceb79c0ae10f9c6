"""The decision and sensitivity charts: their data, titles and axes, not pixels."""

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis import plotting


@pytest.fixture(scope="module")
def mediation():
    return analysis.load_scenario("mediation")


@pytest.fixture(scope="module")
def result(mediation):
    return analysis.rollback(mediation, decision_maker="mediators")


def test_tornado_bars_run_from_the_base_to_each_end(mediation):
    table = analysis.tornado_table(mediation, output="renewed_war")
    fig = plotting.plot_tornado(table, top=5)
    low, high = (t for t in fig.data if t.type == "bar")
    top = table.head(5).iloc[::-1]  # largest swing drawn at the top
    assert list(low.y) == list(top["label"])
    np.testing.assert_allclose(low.base, top["base"])
    np.testing.assert_allclose(np.array(low.x) + np.array(low.base), top["result_low"])
    np.testing.assert_allclose(np.array(high.x) + np.array(high.base), top["result_high"])
    assert (low.meta["role"], high.meta["role"]) == ("low", "high")
    assert fig.layout.title.text == "Tornado: Renewed war — mediation"
    assert fig.layout.xaxis.title.text == "Renewed war (probability)"
    assert fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.yaxis.title.text
    assert "%{customdata[2]:.1%}" in low.hovertemplate
    [line] = fig.layout.shapes
    assert line.x0 == pytest.approx(table["base"].iloc[0])


def test_tornado_of_a_utility_names_its_unit(mediation):
    table = analysis.tornado_table(mediation, output="utility:mediators",
                                   decision_maker="mediators")
    fig = plotting.plot_tornado(table)
    assert fig.layout.xaxis.title.text == "Mediators: expected utility (points)"
    assert "re-optimised" in fig.layout.title.subtitle.text
    assert len(fig.data[0].y) == len(table)


def test_two_way_heatmap_holds_the_grid(mediation):
    x = "governance.force_after_withdrawal.implemented"
    y = "governance.force_at_the_line.implemented"
    frame = analysis.two_way_sensitivity(mediation, output="utility:mediators", x=x, y=y,
                                         n_points=6,
                                         decision_maker="mediators")
    fig = plotting.plot_two_way(frame)
    heatmap = next(t for t in fig.data if t.type == "heatmap")
    grid = frame.pivot(index="y_value", columns="x_value", values="result")
    np.testing.assert_allclose(heatmap.z, grid.to_numpy())
    np.testing.assert_allclose(heatmap.x, grid.columns)
    np.testing.assert_allclose(heatmap.y, grid.index)
    assert heatmap.colorbar.title.text == "points"
    assert fig.layout.xaxis.title.text.startswith("Governance: Implemented (force after")
    assert fig.layout.yaxis.title.text.endswith("(probability)")
    assert "Optimal: %{customdata[0]}" in heatmap.hovertemplate
    means = next(t for t in fig.data if t.meta and t.meta["role"] == "means")
    assert (means.x[0], means.y[0]) == pytest.approx((frame.attrs["x_mean"],
                                                      frame.attrs["y_mean"]))
    boundary = next(t for t in fig.data if t.meta and t.meta["role"] == "policy boundary")
    assert any(v is None for v in boundary.x)  # segments where the policy changes


def test_two_way_of_a_probability_without_policy(mediation):
    frame = analysis.two_way_sensitivity(mediation, output="renewed_war", x="ceasefire.holds",
                                         y="withdrawal.phased", n_points=4)
    fig = plotting.plot_two_way(frame)
    assert [t.type for t in fig.data] == ["heatmap", "scatter"]
    assert fig.data[0].colorbar.title.text == "probability"
    assert fig.data[0].colorbar.tickformat == ".0%"


def test_option_values_panels_bars_and_marks(result):
    fig = plotting.plot_option_values(result.option_values)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 3 * 3  # three information states, three options
    values = result.option_values
    for bar in bars:
        rows = values[(values["node"] == bar.meta["node"])
                      & (values["option"] == bar.meta["option"])]
        assert list(bar.x) == list(rows["stakeholder_label"])
        np.testing.assert_allclose(bar.y, rows["expected_utility"])
        assert list(bar.text) == ["★" if b else "" for b in rows["best"]]
        assert list(bar.marker.line.width) == [2.5 if c else 0.5 for c in rows["chosen"]]
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "Ceasefire: Holds → Exchanges: Complete → Withdrawal: Phased withdrawal"
    assert fig.layout.yaxis.title.text == "Expected utility (points)"
    assert fig.layout.title.text == ("Expected utility of each option, Mediators deciding "
                                     "— mediation")
    # The frame alone: the result itself is refused, with where to find the frame.
    with pytest.raises(TypeError, match=r"got RollbackResult.*rollback\(\.\.\.\)\.option_values"):
        plotting.plot_option_values(result)


def test_risk_profiles_stack_to_one(result):
    fig = plotting.plot_risk_profiles(result.risk_profiles)
    profiles = result.risk_profiles
    for trace in fig.data:
        rows = profiles[(profiles["node"] == trace.meta["node"])
                        & (profiles["outcome"] == trace.meta["outcome"])]
        np.testing.assert_allclose(trace.x, rows["probability"])
        assert trace.marker.color == rows["colour"].iloc[0]
    first = [t for t in fig.data if t.meta["node"] == 0]
    totals = np.sum([np.array(t.x) for t in first], axis=0)
    np.testing.assert_allclose(totals, 1.0)
    assert fig.layout.xaxis.title.text == "Probability"
    assert fig.layout.yaxis.title.text == "Option"


def test_global_sensitivity_bars_are_ranked(mediation):
    frame = analysis.global_sensitivity(mediation, output="utility:mediators", n_draws=500, rng=1)
    fig = plotting.plot_global_sensitivity(frame)
    bars, diamonds = fig.data
    ranked = frame.sort_values("first_order")
    assert list(bars.y) == list(ranked["label"])
    np.testing.assert_allclose(bars.x, ranked["first_order"])
    np.testing.assert_allclose(bars.error_x.array, 1.96 * ranked["first_order_se"])
    np.testing.assert_allclose(diamonds.x, ranked["total_order"])
    assert "Sobol" in fig.layout.xaxis.title.text
    assert "500 draws" in fig.layout.title.subtitle.text


def test_evppi_bars_and_evpi_line(mediation):
    frame = analysis.evppi(mediation, decision_maker="mediators", n_draws=500, rng=1)
    fig = plotting.plot_evppi(frame)
    [bars] = fig.data
    assert list(bars.y) == list(frame["label"].iloc[::-1])
    np.testing.assert_allclose(bars.x, frame["evppi"].iloc[::-1])
    [line] = fig.layout.shapes
    assert line.x0 == pytest.approx(frame.attrs["evpi"])
    assert fig.layout.xaxis.title.text == ("Expected value of partial perfect information "
                                           "(points)")
    assert "points" in bars.hovertemplate


@pytest.mark.parametrize("plot", [plotting.plot_tornado, plotting.plot_two_way,
                                  plotting.plot_global_sensitivity, plotting.plot_evppi,
                                  plotting.plot_option_values, plotting.plot_risk_profiles])
def test_wrong_input_is_a_clear_error(plot):
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        plot([1, 2])
    with pytest.raises(ValueError, match="missing column"):
        plot(pd.DataFrame({"x": [1]}))
