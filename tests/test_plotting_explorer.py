"""The what-if explorer and the attribute distribution chart: their data, not pixels."""

import numpy as np
import pytest

import analysis
from analysis import plotting


@pytest.fixture(scope="module")
def baseline():
    return analysis.load_scenario("baseline")


@pytest.fixture(scope="module")
def sweep(baseline):
    keys = ["ceasefire.holds", "withdrawal.phased"]
    return analysis.one_way_sensitivity(baseline, parameters=keys, n_points=5, include_mean=True)


def test_what_if_starts_at_the_priors_means(baseline, sweep):
    fig = plotting.plot_what_if(sweep)
    exact = analysis.outcome_distribution(baseline)
    bars, marks = fig.data
    assert list(bars.customdata) == list(exact["label"])
    assert list(fig.layout.xaxis.ticktext) == list(exact["label"])
    assert all(m > b + 0.3 for m, b in zip(marks.x, bars.x, strict=True))  # beside the bars
    assert list(bars.marker.color) == list(exact["colour"])
    np.testing.assert_allclose(bars.y, exact["probability"])
    np.testing.assert_allclose(marks.y, exact["probability"])
    slider = fig.layout.sliders[0]
    assert slider.steps[slider.active].label == "81.8%"  # Beta(9, 2) mean
    assert fig.layout.title.text.startswith("What if?")
    assert fig.layout.yaxis.title.text == "Probability"
    assert fig.layout.xaxis.title.text == "Outcome"


def test_every_slider_step_shows_that_values_outcome_distribution(baseline, sweep):
    fig = plotting.plot_what_if(sweep)
    menu = fig.layout.updatemenus[0].buttons
    assert [b.label for b in menu] == ["Ceasefire: Holds", "Withdrawal: Phased withdrawal"]
    for button, key in zip(menu, ["ceasefire.holds", "withdrawal.phased"], strict=True):
        [slider] = button.args[1]["sliders"]
        assert len(slider["steps"]) == 6  # 5 points and the mean
        values = sorted(sweep.loc[sweep.parameter == key, "value"].unique())
        for step, value in zip(slider["steps"], values, strict=True):
            [y], traces = step["args"][0]["y"], step["args"][1]
            assert traces == [0]
            if key == "ceasefire.holds":  # a two-branch question: a fixed value is the same
                expected = analysis.outcome_distribution(baseline.with_priors({key: value}))
                np.testing.assert_allclose(y, expected["probability"])
            assert sum(y) == pytest.approx(1)


def test_what_if_rejects_an_empty_sweep(sweep):
    with pytest.raises(ValueError, match="nothing to explore"):
        plotting.plot_what_if(sweep.iloc[0:0])


def test_attribute_distribution_bars_and_expected_line(baseline):
    distribution = analysis.attribute_distribution(baseline)
    fig = plotting.plot_attribute_distribution(distribution)
    expected = analysis.expected_attributes(baseline).set_index("attribute")["expected"]
    bars = [t for t in fig.data if t.meta["role"] == "attribute"]
    assert [b.meta["attribute"] for b in bars] == list(expected.index)
    for bar in bars:
        rows = distribution[distribution.attribute == bar.meta["attribute"]]
        np.testing.assert_allclose(bar.x, rows["value"])
        np.testing.assert_allclose(bar.y, rows["probability"])
    lines = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    np.testing.assert_allclose([s.x0 for s in lines], expected.to_numpy())
    units = {fig.layout[key].title.text for key in fig.layout if key.startswith("xaxis")}
    assert units == {"people", "% of territory"}
    assert fig.layout.title.text == "Attributes across paths — baseline"
