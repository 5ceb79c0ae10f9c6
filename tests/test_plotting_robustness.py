"""Robustness and discovery charts: what they draw, from the frames they take."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis import plotting


@pytest.fixture(scope="module")
def result():
    return analysis.sweep(analysis.load_scenario("mediation"), decision_maker="mediators",
                          n_variants=256, rng=1, scheduler="synchronous")


def _roles(fig, role):
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def test_regret_chart_draws_the_tables_quantiles(result):
    table = analysis.robustness_table(result, percentile=0.8)
    fig = plotting.plot_regret(table)
    boxes = _roles(fig, "regret")
    assert len(boxes) == len(table) == 9
    first = table.iloc[0]
    assert boxes[0].q1 == (first["regret_p25"],) and boxes[0].upperfence == (
        first["max_regret"],)
    diamonds = _roles(fig, "percentile_regret")
    assert list(diamonds[0].x) == list(table[table["node"] == 0]["percentile_regret"])
    assert "Regret of each option" in fig.layout.title.text
    assert "80% of the variants regret less" in {t.name for t in fig.data}


def test_robustness_chart_shows_satisficing_only_with_a_threshold(result):
    with_threshold = plotting.plot_robustness(analysis.robustness_table(result, satisficing=30))
    assert len(_roles(with_threshold, "share_satisficing")) == 3
    without = plotting.plot_robustness(analysis.robustness_table(result))
    assert not _roles(without, "share_satisficing")
    assert list(_roles(without, "share_best")[0].x) == pytest.approx(
        list(analysis.robustness_table(result).query("node == 0")["share_best"]))


def test_discovery_charts_mark_the_chosen_box(result):
    found = analysis.discover_scenarios(result, outcome="renewed_war", threshold=0.55)
    fig = plotting.plot_peeling_trajectory(found.trajectory)
    chosen = _roles(fig, "chosen")[0]
    row = found.trajectory[found.trajectory["chosen"]].iloc[0]
    assert (chosen.x[0], chosen.y[0]) == (row["coverage"], row["density"])
    limits = plotting.plot_box_limits(found.limits)
    assert len(_roles(limits, "box")[0].y) == len(found.box)


def test_charts_refuse_other_frames():
    with pytest.raises(ValueError, match="missing column"):
        plotting.plot_regret(pd.DataFrame({"node": [0]}))
    with pytest.raises(TypeError, match="DataFrame"):
        plotting.plot_box_limits([1, 2])
