"""Scenario discovery: PRIM recovers a planted box; its frames and errors."""

from __future__ import annotations

import pytest

import analysis

# tests/data/planted_box.yaml: renewed war is the hawk's optimal choice exactly when
# P(a says yes) is in (0.3, 0.6) and P(b says yes) in (0.2, 0.5); phase c is noise.
PLANTED = {"a.yes": (0.3, 0.6), "b.yes": (0.2, 0.5)}


@pytest.fixture(scope="module")
def planted(request):
    scenario = analysis.load_scenario(request.path.parent / "data" / "planted_box.yaml")
    return analysis.sweep(scenario, decision_maker="hawk", n_variants=2048, rng=3,
                          ranges={"a.yes": (0, 1), "b.yes": (0, 1), "c.rain": (0, 1)},
                          analysts=None, scheduler="synchronous")


def test_war_is_planted_exactly_in_the_box(planted):
    war = planted.outcomes[(planted.outcomes["policy"] == "optimal")
                           & (planted.outcomes["outcome"] == "renewed_war")]
    x = planted.variants.set_index("variant").loc[war["variant"]]
    inside = ((x["a.yes"] > 0.3) & (x["a.yes"] < 0.6) & (x["b.yes"] > 0.2)
              & (x["b.yes"] < 0.5)).to_numpy()
    assert ((war["probability"].to_numpy() > 0.5) == inside).all()


def test_prim_recovers_the_planted_box(planted):
    found = analysis.discover_scenarios(planted, outcome="renewed_war", threshold=0.5,
                                        min_density=0.95)
    box = found.box.set_index("parameter")
    assert sorted(box.index) == ["a.yes", "b.yes"]  # the noise parameter is left free
    for name, (low, high) in PLANTED.items():
        assert box.loc[name, "low"] == pytest.approx(low, abs=0.03)
        assert box.loc[name, "high"] == pytest.approx(high, abs=0.03)
    chosen = found.trajectory[found.trajectory["chosen"]].iloc[0]
    assert chosen["density"] >= 0.95 and chosen["coverage"] >= 0.85
    assert chosen["restricted_dimensions"] == 2
    trajectory = found.trajectory
    assert trajectory["coverage"].is_monotonic_decreasing
    assert trajectory.iloc[0]["mass"] == 1.0  # peeling starts from the whole box
    assert found.attrs["n_of_interest"] == pytest.approx(2048 * 0.3 * 0.3, rel=0.1)
    limits = found.limits
    assert set(limits["step"]) == set(trajectory["step"])
    assert limits.loc[limits["chosen"] & limits["restricted"], "p_value"].lt(1e-6).all()


def test_discovery_refuses_what_it_cannot_do(planted):
    with pytest.raises(analysis.QueryError, match="unknown outcome 'war'"):
        analysis.discover_scenarios(planted, outcome="war", threshold=0.5)
    with pytest.raises(analysis.QueryError, match="no variant has agreement above 1.5"):
        analysis.discover_scenarios(planted, outcome="agreement", threshold=1.5)
    with pytest.raises(analysis.QueryError, match="unknown policy"):
        analysis.discover_scenarios(planted, outcome="renewed_war", threshold=0.5,
                                    policy="peace")
    with pytest.raises(analysis.QueryError, match="unknown parameter 'd.yes'"):
        analysis.discover_scenarios(planted, outcome="renewed_war", threshold=0.5,
                                    parameters=["a.yes", "d.yes"])
    with pytest.raises(TypeError, match="SweepResult"):
        analysis.discover_scenarios(planted.variants, outcome="renewed_war", threshold=0.5)


def test_a_committed_option_is_a_policy_too(planted):
    # Always taking war: every variant ends in war, so nothing to discover.
    with pytest.raises(analysis.QueryError, match="every variant"):
        analysis.discover_scenarios(planted, outcome="renewed_war", threshold=0.5,
                                    policy="war")
