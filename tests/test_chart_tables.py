"""The tables behind the charts: analysis.path_steps and analysis.prior_densities."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis
from analysis.core.errors import QueryError

TINY = textwrap.dedent("""\
    schema_version: 1
    id: tiny
    title: Tiny test scenario
    as_of: 2025-01-01
    outcomes:
      good: {label: Good, colour: "#00aa00"}
      meh: {label: Meh, colour: "#0000aa"}
      bad: {label: Bad, colour: "#aa0000"}
    attributes:
      cost: {label: Cost, unit: dollars}
      state: {label: State, unit: points, combine: last, initial: 7}
    phases:
      - id: start
        question: Does it start?
        branches:
          go: {prior: 0.6, attributes: {cost: 10, state: 1}}
          halt: {outcome: bad}
      - id: middle_step
        question: How does it go?
        branches:
          well: {prior: {alpha: 1, beta: 3}}
          badly: {attributes: {cost: 5, state: 2}}
      - id: finish
        question: Does it finish?
        applies_when: {middle_step: well}
        branches:
          done: {prior: 0.8, attributes: {state: 3}}
          not_done: {}
    outcome_rules:
      - when: {finish: done}
        outcome: good
      - outcome: meh
    """)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    path.write_text(TINY)
    return analysis.load_scenario(path)


@pytest.fixture(scope="module")
def baseline():
    return analysis.load_scenario("baseline")


def by_path(steps: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {path: rows for path, rows in steps.groupby("path", sort=False)}


# ------------------------------------------------------------------------ path_steps


def test_path_steps_of_tiny_by_hand(tiny):
    steps = analysis.path_steps(tiny)
    assert list(steps.columns) == [
        "path", "position", "phase", "phase_label", "question", "status", "branch",
        "branch_label", "ends_path", "conditional", "probability_so_far", "probability",
        "outcome", "outcome_label", "colour", "cost", "state"]
    paths = by_path(steps)
    assert list(paths) == ["go > well > done", "go > well > not_done", "go > badly", "halt"]
    # every path lists every phase, in order
    assert all(list(rows["position"]) == [0, 1, 2] for rows in paths.values())
    assert all(list(rows["phase"]) == ["start", "middle_step", "finish"]
               for rows in paths.values())
    assert list(paths["go > badly"]["status"]) == ["taken", "taken", "skipped"]
    assert list(paths["halt"]["status"]) == ["taken", "not reached", "not reached"]
    assert paths["halt"]["branch"].iloc[1:].isna().all()
    assert list(paths["go > well > done"]["branch_label"]) == ["Go", "Well", "Done"]
    assert list(paths["go > well > done"]["phase_label"]) == ["Start", "Middle step", "Finish"]
    assert paths["halt"]["question"].iloc[0] == "Does it start?"
    # the branch that sets the outcome ends the path; no other does
    ends = steps[steps["ends_path"]]
    assert list(zip(ends["path"], ends["branch"], strict=True)) == [("halt", "halt")]
    # probabilities at the priors' means: go 0.6, well 1/4 (Beta(1, 3)), done 0.8
    expected = {"go > well > done": 0.6 * 0.25 * 0.8, "go > well > not_done": 0.6 * 0.25 * 0.2,
                "go > badly": 0.6 * 0.75, "halt": 0.4}
    for path, rows in paths.items():
        assert rows["probability"].tolist() == pytest.approx([expected[path]] * 3)
    done = paths["go > well > done"]
    np.testing.assert_allclose(done["conditional"], [0.6, 0.25, 0.8])
    np.testing.assert_allclose(done["probability_so_far"], [0.6, 0.15, 0.12])
    assert pd.isna(paths["go > badly"]["conditional"].iloc[2])  # no branch taken: skipped
    assert paths["halt"]["probability_so_far"].tolist() == pytest.approx([0.4] * 3)
    assert set(steps["outcome_label"]) == {"Good", "Meh", "Bad"}
    assert dict(zip(steps["outcome"], steps["colour"], strict=True))["bad"] == "#aa0000"


def test_path_steps_attributes_accumulate_as_declared(tiny):
    paths = by_path(analysis.path_steps(tiny))
    # cost adds up from 0; state starts at 7 and each branch naming it sets it
    assert list(paths["go > well > done"]["cost"]) == [10, 10, 10]
    assert list(paths["go > well > done"]["state"]) == [1, 1, 3]
    assert list(paths["go > well > not_done"]["state"]) == [1, 1, 1]
    assert list(paths["go > badly"]["cost"]) == [10, 15, 15]
    assert list(paths["go > badly"]["state"]) == [1, 2, 2]
    assert list(paths["halt"]["state"]) == [7, 7, 7]
    assert list(paths["halt"]["cost"]) == [0, 0, 0]


def test_path_steps_attrs(tiny):
    changed = tiny.with_priors({"start.go": 0.5})
    steps = analysis.path_steps(changed, given={"start": "go"})
    assert steps.attrs["scenario"] == "tiny"
    assert steps.attrs["changes"] == ["start.go = 0.5"]
    assert steps.attrs["given"] == {"start": "go"}
    assert steps.attrs["title"] == "Tiny test scenario"
    assert steps.attrs["outcomes"] == ["good", "meh", "bad"]
    assert steps.attrs["attributes"] == {
        "cost": {"label": "Cost", "unit": "dollars", "initial": 0},
        "state": {"label": "State", "unit": "points", "initial": 7}}


@pytest.mark.parametrize("name", analysis.scenario_names())
@pytest.mark.parametrize("given", [None, {"ceasefire": "holds"}])
def test_path_steps_agree_with_path_table(name, given):
    scenario = analysis.load_scenario(name)
    table = analysis.path_table(scenario, given=given)
    steps = analysis.path_steps(scenario, given=given)
    n = len(scenario.phases)
    assert len(steps) == n * len(table)
    first = steps.iloc[::n].reset_index(drop=True)
    assert list(first["path"]) == list(table["path"])
    np.testing.assert_allclose(first["probability"], table["probability"])
    assert list(first["outcome"]) == list(table["outcome"])
    # the branch of every phase, as path_table has it (missing where none is taken)
    for k, phase in enumerate(scenario.phases):
        column = steps.iloc[k::n].reset_index(drop=True)
        taken = column["status"] == "taken"
        assert (taken == table[phase].notna()).all()
        assert list(column.loc[taken, "branch"]) == list(table.loc[taken, phase])
    # the values on the last row are the path's
    last = steps.iloc[n - 1::n].reset_index(drop=True)
    for attribute in scenario.model.attributes:
        np.testing.assert_allclose(last[attribute], table[attribute])
    # agreeing with a path through the last phase is being that path
    np.testing.assert_allclose(last["probability_so_far"], table["probability"])


def test_path_steps_conditionals_are_the_branch_probabilities(baseline):
    steps = analysis.path_steps(baseline)
    taken = steps[steps["status"] == "taken"]
    holds = taken[(taken["phase"] == "ceasefire") & (taken["branch"] == "holds")]
    assert holds["conditional"].tolist() == pytest.approx([9 / 11] * len(holds))
    # a first phase's conditional and probability so far are its marginal probability
    marginals = analysis.phase_marginals(baseline).set_index(["phase", "branch"])
    for row in taken[taken["position"] == 0].itertuples():
        p = marginals.loc[(row.phase, row.branch), "probability"]
        assert row.conditional == pytest.approx(p) and row.probability_so_far == pytest.approx(p)
    # each node's branches' conditionals sum to 1
    before = taken.assign(node=[" > ".join(p.split(" > ")[:k]) for p, k in zip(
        taken["path"], taken.groupby("path").cumcount(), strict=True)])
    sums = before.drop_duplicates(["node", "phase", "branch"]).groupby(["node", "phase"])[
        "conditional"].sum()
    np.testing.assert_allclose(sums, 1.0)


def test_path_steps_given_renormalises(baseline):
    steps = analysis.path_steps(baseline, given={"exchanges": "complete"})
    taken = steps[steps["status"] == "taken"]
    exchanges = taken[taken["phase"] == "exchanges"]
    assert set(exchanges["branch"]) == {"complete"}
    np.testing.assert_allclose(exchanges["conditional"], 1.0)
    assert steps.drop_duplicates("path")["probability"].sum() == pytest.approx(1)


def test_path_steps_below_a_zero_probability_node(tiny):
    steps = analysis.path_steps(tiny.with_priors({"start.go": 0.0}))
    middle = steps[(steps["phase"] == "middle_step") & (steps["status"] == "taken")]
    assert middle["conditional"].isna().all()  # nothing reaches it: undefined
    assert (middle["probability_so_far"] == 0).all()


def test_path_steps_checks_given(tiny):
    with pytest.raises(QueryError, match="unknown phase"):
        analysis.path_steps(tiny, given={"nope": "go"})


# ------------------------------------------------------------------- prior_densities


def test_prior_densities_are_the_beta_densities(baseline):
    densities = analysis.prior_densities(baseline)
    marginals = analysis.prior_marginals(baseline)
    assert list(pd.unique(densities["key"])) == list(marginals["key"])
    for _, curve in densities.groupby("key", sort=False):
        alpha, beta = curve["alpha"].iat[0], curve["beta"].iat[0]
        np.testing.assert_allclose(curve["density"], stats.beta.pdf(curve["value"], alpha, beta))
        assert (np.diff(curve["value"]) > 0).all()
        # drawn where 99.9% of the mass lies: it integrates to about 0.999
        assert np.trapezoid(curve["density"], curve["value"]) == pytest.approx(0.999, abs=2e-3)
        low, high = stats.beta.ppf([0.0005, 0.9995], alpha, beta)
        assert curve["value"].min() == pytest.approx(low)
        assert curve["value"].max() == pytest.approx(high)
        # the interval's ends and the mean are grid points, for shading and marking
        for column in ("lower", "upper", "mean"):
            assert curve[column].iat[0] in set(curve["value"])
        assert 121 <= len(curve) <= 124
    # ceasefire.holds is 8 of 9 cases on a uniform prior: Beta(9, 2)
    holds = densities[densities["key"] == "ceasefire.holds"]
    assert (holds["alpha"].iat[0], holds["beta"].iat[0]) == (9, 2)
    x = holds["value"].to_numpy()
    np.testing.assert_allclose(holds["density"], 90 * x**8 * (1 - x))  # 1 / B(9, 2) = 90
    assert (holds["phase_label"].iat[0], holds["branch_label"].iat[0]) == ("Ceasefire", "Holds")


def test_prior_densities_columns_and_attrs(baseline):
    densities = analysis.prior_densities(baseline.with_priors({"ceasefire.holds": 0.9}),
                                         interval=0.8, n_points=11)
    marginals = analysis.prior_marginals(baseline, interval=0.8)
    assert [c for c in densities.columns if c not in ("phase_label", "branch_label", "value",
                                                      "density")] == list(marginals.columns)
    assert densities.attrs == {"scenario": "baseline", "changes": ["ceasefire.holds = 0.9"],
                               "interval": 0.8, "n_points": 11}
    assert "ceasefire.holds" not in set(densities["key"])  # fixed now
    assert densities.groupby("key").size().between(11, 14).all()


def test_prior_densities_of_fixed_priors_is_empty(tiny):
    fixed = tiny.with_priors({"middle_step.well": 0.25})
    densities = analysis.prior_densities(fixed)
    assert densities.empty
    assert {"key", "value", "density", "phase_label"} <= set(densities.columns)


def test_prior_densities_checks_its_arguments(baseline):
    with pytest.raises(QueryError, match="interval"):
        analysis.prior_densities(baseline, interval=1.5)
    with pytest.raises(QueryError, match="n_points"):
        analysis.prior_densities(baseline, n_points=1)
    with pytest.raises(TypeError, match="n_points"):
        analysis.prior_densities(baseline, n_points=2.5)
