"""Sweeps: parameters and ranges, designs, exact against hand and Monte Carlo, reproducibility."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.analyses.sweep import load_sweep
from analysis.engines.design import unit_design
from analysis.engines.sweep import SweepPlan, evaluate_variants
from analysis.formats.ranges_file import load_ranges
from analysis.model.ranges import parameter_space

DRILL = """\
id: drill
title: Drill or not
as_of: 2025-01-01
outcomes:
  none: {label: Not drilled, colour: "#999999"}
  dry: {label: Dry, colour: "#d95f02"}
  wet: {label: Wet, colour: "#1b9e77"}
stakeholders:
  owner: {label: Owner}
utilities:
  owner:
    scale: dollars
    outcomes: {none: 0, dry: -70, wet: 130}
phases:
  - id: act
    question: Drill?
    decision_maker: owner
    branches:
      drill: {}
      walk_away: {}
  - id: oil
    question: What is there?
    branches:
      dry: {prior: {alpha: 2, beta: 3}}
      wet: {}
outcome_rules:
  - when: {act: walk_away}
    outcome: none
  - when: {oil: dry}
    outcome: dry
  - outcome: wet
"""


@pytest.fixture(scope="module")
def mediation():
    return analysis.load_scenario("mediation")


@pytest.fixture
def drill(tmp_path):
    path = tmp_path / "drill.yaml"
    path.write_text(DRILL)
    return analysis.load_scenario(path)


def _sync(scenario, **kwargs):
    kwargs.setdefault("scheduler", "synchronous")
    kwargs.setdefault("analysts", None)
    return analysis.sweep(scenario, **kwargs)


# ------------------------------------------------------------------ parameters and ranges


def test_every_dirichlet_is_broken_into_independent_shares(mediation):
    table = analysis.sweep_parameters(mediation)
    exchanges = table[table["parameter"].str.startswith("exchanges.")]
    assert list(exchanges["parameter"]) == ["exchanges.complete", "exchanges.partial"]
    assert list(exchanges["meaning"]) == ["probability", "share of the rest"]
    # Dirichlet(5, 4, 1): partial's share of what complete leaves is Beta(4, 1), mean 0.8.
    assert exchanges["centre"].tolist() == pytest.approx([0.5, 0.8])
    assert exchanges["label"].iloc[1] == "Exchanges: Partial if not Complete"


def test_centres_give_the_priors_means_and_values_round_trip(mediation):
    space = parameter_space(mediation)
    centres = np.array([p.centre for p in space.parameters])
    priors = space.variant_priors(centres[None, :])
    assert np.allclose(priors.theta[0], mediation.tree.mean_theta(), atol=1e-15)
    values = space.scale(np.random.default_rng(1).random((5, len(centres))))
    theta = space.variant_priors(values).theta
    for row, expected in zip(theta, values, strict=True):
        priors = {}
        for pset, offset in zip(mediation.tree.sets, mediation.tree.offsets, strict=True):
            if pset.kind != "fixed":
                block = row[offset:offset + len(pset.branches)]
                assert block.sum() == pytest.approx(1.0)
                assert (block >= 0).all()
                for b, branch in enumerate(pset.branches):
                    priors[f"{pset.key}.{branch}"] = float(block[b])
        variant = mediation.with_priors({k: v for k, v in priors.items()
                                         if not k.startswith("ceasefire.")})
        got, _ = space.values_of(variant.with_priors({"ceasefire.holds": priors[
            "ceasefire.holds"]}))
        assert got == pytest.approx(expected, abs=1e-9)


def test_ranges_file_replaces_ranges_and_bad_names_are_refused(mediation, tmp_path):
    path = tmp_path / "ranges.yaml"
    path.write_text("ranges:\n  ceasefire.holds: [0.5, 0.99]\n"
                    "  exchanges.partial: {low: 0.1, high: 0.2, rationale: narrow}\n")
    table = analysis.sweep_parameters(mediation, ranges=path)
    row = table.set_index("parameter").loc["ceasefire.holds"]
    assert (row["low"], row["high"], row["source"]) == (0.5, 0.99, "ranges file")
    assert table.set_index("parameter").loc["withdrawal.phased", "source"] == "prior 90%"
    only = tmp_path / "only.yaml"
    only.write_text("only_listed: true\nranges:\n  ceasefire.holds: [0.5, 0.99]\n")
    assert list(analysis.sweep_parameters(mediation, ranges=only)["parameter"]) == [
        "ceasefire.holds"]
    with pytest.raises(analysis.QueryError, match="'ceasefire.hold'.*did you mean"):
        analysis.sweep_parameters(mediation, ranges={"ceasefire.hold": (0.1, 0.2)})
    bad = tmp_path / "bad.yaml"
    bad.write_text("ranges:\n  ceasefire.holds: [0.9, 0.1]\n")
    with pytest.raises(analysis.ScenarioError, match="above high"):
        load_ranges(bad)


def test_designs_fill_the_cube_and_slices_do_not_depend_on_chunks():
    seed = np.random.SeedSequence(7)
    whole = unit_design("sobol", n_points=300, n_dims=4, seed=seed)
    parts = [unit_design("sobol", n_points=300, n_dims=4, seed=seed, start=a, stop=b)
             for a, b in ((0, 64), (64, 200), (200, 300))]
    assert np.array_equal(np.concatenate(parts), whole)
    lhs = unit_design("latin_hypercube", n_points=50, n_dims=3, seed=seed)
    for column in lhs.T:  # one point in each of the 50 strata of every dimension
        assert sorted(np.floor(column * 50).astype(int)) == list(range(50))
    with pytest.raises(analysis.QueryError, match="design == 'grid'"):
        unit_design("grid", n_points=4, n_dims=1, seed=seed)


# ------------------------------------------------------------------ numbers against truth


def test_regret_of_a_one_decision_tree_matches_the_hand_computation(drill):
    # Value of drilling with P(dry) = x: -70 x + 130 (1 - x) = 130 - 200 x; walking away: 0.
    result = _sync(drill, decision_maker="owner", n_variants=200, rng=3,
                   ranges={"oil.dry": (0.4, 0.9)})
    x = result.variants.set_index("variant")["oil.dry"]
    assert x.between(0.4, 0.9).all()
    regrets = analysis.regret_table(result).set_index(["variant", "option"])
    drill_value = 130 - 200 * x
    assert np.allclose(regrets.xs("drill", level="option")["value"], drill_value)
    assert np.allclose(regrets.xs("drill", level="option")["regret"],
                       np.maximum(0, -drill_value))
    assert np.allclose(regrets.xs("walk_away", level="option")["regret"],
                       np.maximum(0, drill_value))
    table = analysis.robustness_table(result, satisficing=-20, percentile=0.5).set_index(
        "option")
    assert table.loc["drill", "max_regret"] == pytest.approx(max(0, (200 * x - 130).max()))
    assert table.loc["walk_away", "max_regret"] == pytest.approx((130 - 200 * x).max())
    assert table.loc["drill", "share_best"] == pytest.approx((drill_value >= 0).mean())
    assert table.loc["drill", "share_satisficing"] == pytest.approx((drill_value >= -20).mean())
    assert table.loc["walk_away", "share_satisficing"] == 1.0
    assert table.loc["drill", "percentile_regret"] == pytest.approx(
        np.quantile(np.maximum(0, -drill_value), 0.5))
    assert table["minimax_regret"].sum() == 1
    optimal = result.variants.set_index("variant")["optimal_value"]
    assert np.allclose(optimal, np.maximum(drill_value, 0))


def test_exact_values_equal_rollback_and_analysts_are_their_own_priors(mediation):
    result = _sync(mediation, decision_maker="mediators", n_variants=64, rng=5,
                   analysts="auto")
    analysts = result.variants[result.variants["kind"] == "analyst"]
    assert sorted(analysts["name"]) == ["base_rates", "mediator_lens", "security_lens"]
    space = parameter_space(mediation)
    names = list(result.parameters["parameter"])
    rows = result.variants.set_index("variant")
    for variant in (0, 17, 63):
        theta = space.variant_priors(rows.loc[variant, names].to_numpy(float)[None]).theta[0]
        expected = analysis.rollback(mediation, decision_maker="mediators", theta=theta)
        assert rows.loc[variant, "optimal_value"] == pytest.approx(expected.value, abs=1e-12)
        mine = result.values[result.values["variant"] == variant]
        theirs = expected.option_values[expected.option_values["stakeholder"] == "mediators"]
        assert np.allclose(mine["value"].to_numpy(), theirs["expected_utility"].to_numpy(),
                           atol=1e-12)
    lens = analysis.load_scenario("scenarios/analysts/security_lens.yaml")
    import yaml
    priors = yaml.safe_load(open(lens.source.split(" ")[0]))["priors"]
    applied = analysis.rollback(mediation.with_priors(priors), decision_maker="mediators")
    row = analysts.set_index("name").loc["security_lens"]
    assert row["optimal_value"] == pytest.approx(applied.value, abs=1e-12)


def test_monte_carlo_agrees_with_exact_within_its_standard_errors(mediation):
    exact = _sync(mediation, decision_maker="mediators", n_variants=64, rng=11)
    mc = _sync(mediation, decision_maker="mediators", n_variants=64, rng=11,
               method="monte_carlo", n_draws=3000)
    assert (exact.values["value_se"] == 0).all()
    z = (mc.values["value"] - exact.values["value"]) / mc.values["value_se"]
    # 576 comparisons: |z| < 5 fails with probability below 1e-3 if both are right.
    assert np.abs(z).max() < 5
    assert 0.7 < float((z**2).mean()) < 1.3
    war = mc.outcomes["probability"] - exact.outcomes["probability"]
    assert np.abs(war).max() < 0.03


# ------------------------------------------------------------------ reproducibility


def test_same_seed_same_bits_whatever_the_chunk_size(mediation, tmp_path):
    plan = SweepPlan(parameter_space(mediation), "mediators", "sobol", 300,
                     np.random.SeedSequence(2))
    whole = evaluate_variants(plan, 0, 300)
    parts = [evaluate_variants(plan, a, b) for a, b in ((0, 64), (64, 256), (256, 300))]
    for name, column in whole.items():
        assert np.array_equal(np.concatenate([p[name] for p in parts]), column), name
    with pytest.raises(analysis.QueryError, match="whole blocks"):
        evaluate_variants(plan, 10, 64)
    small = _sync(mediation, decision_maker="mediators", n_variants=300, rng=2, chunk_size=64,
                  output=tmp_path / "small")
    large = _sync(mediation, decision_maker="mediators", n_variants=300, rng=2,
                  chunk_size=4096)
    for name in ("variants", "values", "outcomes"):
        pd.testing.assert_frame_equal(getattr(small, name), getattr(large, name),
                                      check_exact=True)
    assert len(list((tmp_path / "small" / "chunks").glob("*.parquet"))) == 5


def test_a_folder_holding_another_sweep_is_refused(mediation, tmp_path):
    _sync(mediation, decision_maker="mediators", n_variants=64, rng=1, output=tmp_path)
    with pytest.raises(analysis.QueryError, match="holds another sweep.*seed"):
        _sync(mediation, decision_maker="mediators", n_variants=64, rng=2, output=tmp_path)
    again = _sync(mediation, decision_maker="mediators", n_variants=64, rng=1, output=tmp_path)
    assert len(again.variants) == 64
    with pytest.raises(analysis.QueryError, match="no sweep"):
        load_sweep(tmp_path / "nothing")


def test_bad_arguments_name_the_argument(mediation):
    with pytest.raises(analysis.QueryError, match="stakeholder 'israel' takes no decision"):
        _sync(mediation, decision_maker="israel", n_variants=8)
    with pytest.raises(analysis.QueryError, match="method == 'mcmc'"):
        _sync(mediation, decision_maker="mediators", n_variants=8, method="mcmc")
    with pytest.raises(analysis.QueryError, match="scheduler == 'localhost:1'"):
        _sync(mediation, decision_maker="mediators", n_variants=8, scheduler="localhost:1")
    with pytest.raises(TypeError, match="n_variants"):
        _sync(mediation, decision_maker="mediators", n_variants=1.5)
    with pytest.raises(analysis.QueryError, match="satisficing"):
        analysis.robustness_table(_sync(mediation, decision_maker="mediators", n_variants=8),
                                  satisficing=float("nan"))


def test_importing_the_package_leaves_the_sweep_libraries_alone():
    code = ("import sys, analysis; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'dask', 'distributed', 'ema_workbench', 'sklearn', 'matplotlib'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
