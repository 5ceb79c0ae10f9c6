"""Properties of exact evaluation on random valid scenarios (hypothesis).

Scenarios are drawn as Python dicts (1-5 phases of 2-4 branches; fixed,
Dirichlet, Beta, range or mean/sd priors; random ``outcome:`` on branches,
``applies_when`` and rules on earlier phases; a catch-all outcome rule), dumped
to YAML text and built with the package's own reader and builder.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import (
    QueryError,
    ScenarioWarning,
    outcome_distribution,
    path_table,
    phase_marginals,
)
from analysis.formats.source import parse_yaml
from analysis.model.scenario import build_scenario as _build

OUTCOMES = ["o0", "o1", "o2"]
SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def prior_sets(draw, k: int) -> list:
    """One raw prior (or None: takes the rest) per branch of a k-branch question."""
    kinds = ["fixed", "dirichlet"] + (["beta", "range", "mean_sd"] if k == 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "dirichlet":
        return [{"concentration": draw(st.sampled_from([0.5, 1, 2, 3.5, 10]))}
                for _ in range(k)]
    if kind == "fixed":
        weights = draw(st.lists(st.integers(0, 10), min_size=k, max_size=k)
                       .filter(lambda w: sum(w) > 0))
        values = [w / sum(weights) for w in weights]
        priors: list = list(values)
        if draw(st.booleans()):
            priors[draw(st.integers(0, k - 1))] = None
        return priors
    if kind == "beta":
        prior = {"alpha": draw(st.integers(1, 20)), "beta": draw(st.integers(1, 20))}
    elif kind == "range":
        low, mode, high = sorted(draw(st.lists(st.integers(0, 10), min_size=3, max_size=3)
                                      .filter(lambda v: min(v) < max(v))))
        prior = {"low": low / 10, "mode": mode / 10, "high": high / 10}
    else:
        prior = {"mean": draw(st.sampled_from([0.2, 0.35, 0.5, 0.8])),
                 "sd": draw(st.sampled_from([0.05, 0.1, 0.15]))}
    uncertain = draw(st.integers(0, 1))
    return [prior if b == uncertain else None for b in range(2)]


@st.composite
def conditions(draw, branches_of: dict[str, list[str]]) -> dict:
    """A condition on one or two earlier phases."""
    phases = draw(st.lists(st.sampled_from(sorted(branches_of)), min_size=1, max_size=2,
                           unique=True))
    condition = {}
    for phase in phases:
        chosen = draw(st.lists(st.sampled_from(branches_of[phase]), min_size=1, unique=True))
        condition[phase] = chosen[0] if len(chosen) == 1 and draw(st.booleans()) else chosen
    return condition


@st.composite
def scenario_dicts(draw) -> dict:
    branches_of: dict[str, list[str]] = {}
    phases = []
    for i in range(draw(st.integers(1, 5))):
        names = [f"b{j}" for j in range(draw(st.integers(2, 4)))]
        branches = {}
        for name, prior in zip(names, draw(prior_sets(len(names))), strict=True):
            branch: dict = {}
            if prior is not None:
                branch["prior"] = prior
            if draw(st.integers(0, 3)) == 0:
                branch["outcome"] = draw(st.sampled_from(OUTCOMES))
            if draw(st.booleans()):
                branch["attributes"] = {"cost": draw(st.integers(-5, 5))}
            branches[name] = branch
        phase: dict = {"id": f"p{i}", "question": f"Question {i}?", "branches": branches}
        if branches_of and draw(st.booleans()):
            phase["applies_when"] = draw(conditions(branches_of))
        if branches_of:
            rules = []
            for r in range(draw(st.integers(0, 2))):
                priors = draw(prior_sets(len(names)))
                rules.append({"id": f"r{r}", "when": draw(conditions(branches_of)),
                              "priors": {n: p for n, p in zip(names, priors, strict=True)
                                         if p is not None}})
            if rules:
                phase["rules"] = rules
        phases.append(phase)
        branches_of[phase["id"]] = names
    outcome_rules = [{"when": draw(conditions(branches_of)),
                      "outcome": draw(st.sampled_from(OUTCOMES))}
                     for _ in range(draw(st.integers(0, 2)))]
    outcome_rules.append({"outcome": draw(st.sampled_from(OUTCOMES))})
    return {
        "id": "random",
        "title": "A random scenario",
        "as_of": "2025-01-01",
        "outcomes": {o: {"label": o.upper(), "colour": "#123456"} for o in OUTCOMES},
        "attributes": {"cost": {"label": "Cost", "unit": "dollars"}},
        "phases": phases,
        "outcome_rules": outcome_rules,
    }


def build(data: dict):
    """Dump ``data`` to YAML and build it like a file (unused rules, outcomes: fine)."""
    text = yaml.safe_dump(data, sort_keys=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        return _build(parse_yaml(text, "random.yaml"), None)


def quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        return function(*args, **kwargs)


@SETTINGS
@given(scenario_dicts())
def test_path_probabilities_sum_to_one(data):
    scenario = build(data)
    assert scenario.tree.path_probabilities().sum() == pytest.approx(1, abs=1e-9)
    table = path_table(scenario)
    assert table["probability"].sum() == pytest.approx(1, abs=1e-9)
    assert (table["probability"] >= 0).all()
    assert table["path"].is_unique


@SETTINGS
@given(scenario_dicts())
def test_phase_marginals_agree_with_path_table(data):
    scenario = build(data)
    table = path_table(scenario)
    marginals = phase_marginals(scenario)
    for phase, rows in marginals.groupby("phase"):
        assert rows["probability"].sum() == pytest.approx(1, abs=1e-9)
        for row in rows.itertuples():
            if row.branch.startswith("("):
                continue
            taken = table.loc[table[phase] == row.branch, "probability"].sum()
            assert row.probability == pytest.approx(taken, abs=1e-12)
        reached = rows[~rows["branch"].str.startswith("(")]
        absent = table.loc[table[phase].isna(), "probability"].sum()
        assert 1 - reached["probability"].sum() == pytest.approx(absent, abs=1e-9)


@SETTINGS
@given(scenario_dicts())
def test_outcome_distribution_is_path_table_grouped(data):
    scenario = build(data)
    grouped = path_table(scenario).groupby("outcome")["probability"].sum()
    dist = outcome_distribution(scenario).set_index("outcome")["probability"]
    assert list(dist.index) == OUTCOMES
    assert grouped.reindex(OUTCOMES, fill_value=0).to_numpy() == pytest.approx(
        dist.to_numpy(), abs=1e-12)


@SETTINGS
@given(scenario_dicts(), st.data())
def test_conditioning_obeys_bayes(data, draw):
    scenario = build(data)
    table = path_table(scenario)
    phase = draw.draw(st.sampled_from(scenario.phases))
    branch = draw.draw(st.sampled_from(list(scenario.model.phases[
        scenario.phases.index(phase)].branches)))
    rows = table[table[phase] == branch]
    p_branch = rows["probability"].sum()
    if p_branch == 0:
        with pytest.raises(QueryError, match="probability 0"):
            outcome_distribution(scenario, given={phase: branch})
        return
    conditional = outcome_distribution(scenario, given={phase: branch})
    joint = rows.groupby("outcome")["probability"].sum().reindex(OUTCOMES, fill_value=0)
    # P(outcome | phase=b) P(phase=b) = P(outcome and phase=b)
    assert (conditional["probability"].to_numpy() * p_branch) == pytest.approx(
        joint.to_numpy(), abs=1e-12)
    assert conditional["probability"].sum() == pytest.approx(1, abs=1e-9)


def _override(table, draw):
    """A (key, value, expected mean or None) override that keeps the scenario valid."""
    key = draw.draw(st.sampled_from(list(table["key"])))
    row = table.set_index("key").loc[key]
    siblings = table[(table["phase"] == row["phase"]) & (table["rule"] == row["rule"])]
    if row["kind"] == "dirichlet":
        concentration = draw.draw(st.sampled_from([0.5, 2.0, 7.0]))
        return key, {"concentration": concentration}, None
    if len(siblings) == 2:
        value = draw.draw(st.floats(0, 1))
        return key, value, value
    rest = siblings.loc[siblings["kind"] == "rest", "mean"].sum()
    if row["kind"] == "rest" or rest == 0:
        return key, float(row["mean"]), float(row["mean"])
    value = draw.draw(st.floats(0, float(row["mean"]) + float(rest)))
    return key, value, value


@SETTINGS
@given(scenario_dicts(), st.data())
def test_with_priors_keeps_a_valid_scenario(data, draw):
    scenario = build(data)
    before = scenario.priors_table()
    key, value, mean = _override(before, draw)
    changed = quietly(scenario.with_priors, {key: value})
    assert changed.tree.path_probabilities().sum() == pytest.approx(1, abs=1e-9)
    assert outcome_distribution(changed)["probability"].sum() == pytest.approx(1, abs=1e-9)
    after = changed.priors_table()
    if mean is not None:
        assert after.set_index("key").loc[key, "mean"] == pytest.approx(mean, abs=1e-12)
    set_means = after.groupby(["phase", "rule"])["mean"].sum()
    assert np.allclose(set_means.to_numpy(), 1, atol=1e-9)
    assert scenario.priors_table().equals(before)  # the original is unchanged
