"""What a live panel's sliders start from, and the overrides that reproduce a setting."""

import pytest
from conftest import DATA_DIR

import analysis
from analysis import QueryError
from analysis.analyses.exploration import explored_overrides, path_count, prior_controls


@pytest.fixture(scope="module")
def baseline():
    return analysis.load_scenario("baseline")


def test_prior_controls_list_every_uncertain_branch_with_its_set_strength(baseline):
    controls = prior_controls(baseline)
    holds = controls.set_index("key").loc["ceasefire.holds"]
    assert (holds["kind"], holds["mean"], holds["strength"]) == ("beta", pytest.approx(9 / 11), 11)
    assert "ceasefire.collapses" not in set(controls["key"])  # the rest beside a Beta
    shares = controls[controls["set"] == "exchanges"]
    assert shares["mean"].sum() == pytest.approx(1)
    assert set(shares["kind"]) == {"dirichlet"} and set(shares["strength"]) == {10}
    assert "governance.at_the_line.partial" in set(controls["key"])  # a rule's set
    assert controls.attrs["scenario"] == "baseline"


def test_beta_overrides_keep_the_strength_and_set_the_mean(baseline):
    overrides = explored_overrides(baseline, means={"ceasefire.holds": 0.9})
    assert overrides == {"ceasefire.holds": {"alpha": 9.9, "beta": 1.1}}
    stronger = explored_overrides(baseline, strengths={"ceasefire": 110})
    assert stronger == {"ceasefire.holds": {"alpha": 90.0, "beta": 20.0}}
    moved = baseline.with_priors(overrides)
    assert prior_controls(moved).set_index("key").at["ceasefire.holds", "mean"] == \
        pytest.approx(0.9)


def test_dirichlet_overrides_rescale_the_other_shares_and_write_every_branch(baseline):
    overrides = explored_overrides(baseline, means={"exchanges.complete": 0.7},
                                   strengths={"exchanges": 20})
    assert overrides == {"exchanges.complete": {"concentration": 14.0},
                         "exchanges.partial": {"concentration": 4.8},
                         "exchanges.breaks_down": {"concentration": 1.2}}
    moved = prior_controls(baseline.with_priors(overrides)).set_index("key")
    assert moved.at["exchanges.partial", "mean"] == pytest.approx(0.24)
    assert moved.at["exchanges.complete", "strength"] == pytest.approx(20)


def test_untouched_sets_are_left_out_and_numbers_are_rounded(baseline):
    assert explored_overrides(baseline) == {}
    overrides = explored_overrides(baseline, means={"ceasefire.holds": 1 / 3})
    assert overrides["ceasefire.holds"] == {"alpha": 3.66667, "beta": 7.33333}


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"means": {"ceasefire.hold": 0.5}}, "did you mean 'ceasefire.holds'"),
    ({"means": {"ceasefire.holds": 1.0}}, r"must be in \[0.01, 0.99\]"),
    ({"means": {"ceasefire.holds": "high"}}, "expected a number"),
    ({"strengths": {"nowhere": 5}}, "names no uncertain probability set"),
    ({"strengths": {"ceasefire": 0}}, r"must be in \[0.5, 500\]"),
    ({"means": {"exchanges.complete": 0.7, "exchanges.partial": 0.6}}, "add up to 1.3"),
])
def test_bad_settings_are_refused_by_name(baseline, kwargs, match):
    with pytest.raises(QueryError, match=match):
        explored_overrides(baseline, **kwargs)


def test_path_count_follows_the_condition(baseline):
    assert path_count(baseline) == baseline.tree.n_paths
    small = analysis.load_scenario(DATA_DIR / "two_outcomes.yaml")
    assert path_count(small) == 8
    assert path_count(small, given={"talks": "fail"}) == 2
