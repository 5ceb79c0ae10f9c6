"""Monte Carlo over the priors: closed forms, convergence to exact, reproducibility.

Tolerances are stated as a number of Monte Carlo standard errors (K_SE), each
computed from the known distribution or from the sample; every run has a fixed
seed, so every test is deterministic. Histogram-based summaries (quantiles,
exceedance) may also be off by one bin width.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import analysis
from analysis import QueryError
from analysis.engines import sampling
from analysis.engines.sampling import BLOCK_SIZE, HIST_BINS, OutcomeSamples, sample_outcomes

#: Tolerance, in Monte Carlo standard errors.
K_SE = 5
#: The width of one histogram bin of a probability.
BIN = 1 / HIST_BINS

HEADER = """\
id: test
title: Test scenario
as_of: 2025-01-01
"""


def load(write_yaml, body: str):
    return analysis.load_scenario(write_yaml(HEADER + textwrap.dedent(body)))


@pytest.fixture(scope="module")
def baseline():
    return analysis.load_scenario("baseline")


@pytest.fixture
def beta_scenario(write_yaml):
    """One yes/no question with Beta(3, 7) on 'yes': P(good) is Beta(3, 7) across draws."""
    return load(write_yaml, """\
        outcomes:
          good: {label: Good, colour: "#1b9e77"}
          bad: {label: Bad, colour: "#d95f02"}
        attributes:
          gain: {label: Gain, unit: dollars}
        phases:
          - id: q
            question: Yes?
            branches:
              "yes": {prior: {alpha: 3, beta: 7}, outcome: good, attributes: {gain: 10}}
              "no": {outcome: bad}
        """)


@pytest.fixture
def dirichlet_scenario(write_yaml):
    return load(write_yaml, """\
        outcomes:
          a: {label: A, colour: "#1b9e77"}
          b: {label: B, colour: "#d95f02"}
          c: {label: C, colour: "#7570b3"}
        phases:
          - id: q
            question: Which?
            branches:
              x: {prior: {concentration: 2}, outcome: a}
              y: {prior: {concentration: 3}, outcome: b}
              z: {prior: {concentration: 5}, outcome: c}
        """)


def beta_moments(a: float, b: float) -> tuple[float, float, float]:
    """Mean, variance and the standard error factor of the sample variance."""
    mean, var, _, kurt = (float(v) for v in stats.beta.stats(a, b, moments="mvsk"))
    fourth = (kurt + 3) * var**2
    return mean, var, math.sqrt(fourth - var**2)


# ------------------------------------------------------------------ closed forms


def test_beta_binomial_closed_form(beta_scenario):
    n, (a, b) = 200_000, (3, 7)
    samples = sample_outcomes(beta_scenario, n_draws=n, rng=11, keep_draws=True)
    mean, var, var_factor = beta_moments(a, b)
    assert mean == pytest.approx(a / (a + b))
    assert var == pytest.approx(a * b / ((a + b) ** 2 * (a + b + 1)))
    p_good = samples.mean[0]
    assert abs(p_good - mean) < K_SE * math.sqrt(var / n)
    assert abs(samples.sd[0] ** 2 - var) < K_SE * var_factor / math.sqrt(n)
    # the exceedance probability is the Beta's survival function
    thresholds = [0.1, 0.25, 0.3, 0.5, 0.7]
    table = analysis.exceedance_probabilities(samples, thresholds).query("outcome == 'good'")
    for t, p in zip(thresholds, table["probability"], strict=True):
        exact = stats.beta.sf(t, a, b)
        assert abs(p - exact) < K_SE * math.sqrt(exact * (1 - exact) / n) + 1e-4, t
    # quantiles: standard error sqrt(q (1 - q) / n) / density
    summary = analysis.outcome_intervals(samples, interval=(0.5, 0.9)).query("outcome == 'good'")
    for level, column in [(0.5, "median"), (0.05, "lower"), (0.95, "upper")]:
        exact = stats.beta.ppf(level, a, b)
        se = math.sqrt(level * (1 - level) / n) / stats.beta.pdf(exact, a, b)
        got = summary[column].iloc[-1]
        assert abs(got - exact) < K_SE * se + BIN, level
    # the whole distribution (a fixed seed: the p-value is fixed too)
    assert stats.kstest(samples.values[:, 0], stats.beta(a, b).cdf).pvalue > 1e-3
    # the attribute is 10 * P(yes) in every draw
    np.testing.assert_allclose(samples.values[:, 2], 10 * samples.values[:, 0], rtol=1e-12)


def test_dirichlet_marginals_are_betas(dirichlet_scenario):
    n, alphas = 100_000, np.array([2.0, 3.0, 5.0])
    samples = sample_outcomes(dirichlet_scenario, n_draws=n, rng=5, keep_draws=True)
    np.testing.assert_allclose(samples.values.sum(axis=1), 1, atol=1e-12)
    for i, a in enumerate(alphas):
        b = alphas.sum() - a
        mean, var, var_factor = beta_moments(a, b)
        assert abs(samples.mean[i] - mean) < K_SE * math.sqrt(var / n)
        assert abs(samples.sd[i] ** 2 - var) < K_SE * var_factor / math.sqrt(n)
        assert stats.kstest(samples.values[:, i], stats.beta(a, b).cdf).pvalue > 1e-3
    # the covariance of a Dirichlet: -a_i a_j / (A^2 (A + 1))
    total = alphas.sum()
    cov = np.cov(samples.values[:, 0], samples.values[:, 1])[0, 1]
    exact = -alphas[0] * alphas[1] / (total**2 * (total + 1))
    assert cov == pytest.approx(exact, rel=0.05)


@pytest.mark.parametrize("alphas", [(0.05, 0.1, 0.3), (0.5, 0.9, 1.0), (0.001, 0.002, 0.003)])
def test_small_concentrations_stay_finite_and_unbiased(write_yaml, alphas):
    scenario = load(write_yaml, f"""\
        outcomes:
          a: {{label: A, colour: "#1b9e77"}}
          b: {{label: B, colour: "#d95f02"}}
          c: {{label: C, colour: "#7570b3"}}
        phases:
          - id: q
            question: Which?
            branches:
              x: {{prior: {{concentration: {alphas[0]}}}, outcome: a}}
              y: {{prior: {{concentration: {alphas[1]}}}, outcome: b}}
              z: {{prior: {{concentration: {alphas[2]}}}, outcome: c}}
        """)
    n = 60_000
    samples = sample_outcomes(scenario, n_draws=n, rng=3, keep_draws=True)
    assert np.isfinite(samples.values).all()
    np.testing.assert_allclose(samples.values.sum(axis=1), 1, atol=1e-12)
    total = sum(alphas)
    for i, a in enumerate(alphas):
        _, var, _ = beta_moments(a, total - a)
        assert abs(samples.mean[i] - a / total) < K_SE * math.sqrt(var / n)
    if min(alphas) >= 0.05:  # below, most draws are 0 or 1 to double precision
        a = alphas[0]
        assert stats.kstest(samples.values[:, 0], stats.beta(a, total - a).cdf).pvalue > 1e-3


def test_beta_with_small_parameters(write_yaml):
    scenario = load(write_yaml, """\
        outcomes:
          good: {label: Good, colour: "#1b9e77"}
          bad: {label: Bad, colour: "#d95f02"}
        phases:
          - id: q
            question: Yes?
            branches:
              "yes": {prior: {alpha: 0.3, beta: 0.6}, outcome: good}
              "no": {outcome: bad}
        """)
    samples = sample_outcomes(scenario, n_draws=50_000, rng=9, keep_draws=True)
    assert stats.kstest(samples.values[:, 0], stats.beta(0.3, 0.6).cdf).pvalue > 1e-3


# ------------------------------------------------------------ convergence to exact


def test_mean_converges_to_the_exact_result_at_the_means(baseline):
    samples = sample_outcomes(baseline, n_draws=200_000, rng=2025)
    exact = np.concatenate([analysis.outcome_distribution(baseline)["probability"],
                            analysis.expected_attributes(baseline)["expected"]])
    np.testing.assert_allclose(samples.at_means, exact, rtol=1e-12)
    mcse = samples.sd / math.sqrt(samples.n_draws)
    assert (np.abs(samples.mean - exact) < K_SE * mcse).all(), (samples.mean - exact) / mcse
    table = analysis.outcome_intervals(samples)
    assert (np.abs(table["mean"] - table["at_means"]) < K_SE * table["mcse"]).all()


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_means_converge_for_any_seed(baseline, seed):
    samples = sample_outcomes(baseline, n_draws=20_000, rng=seed)
    z = (samples.mean - samples.at_means) / (samples.sd / math.sqrt(samples.n_draws))
    assert (np.abs(z) < 6).all(), z  # 7 quantities x 8 seeds: 6 SE is never crossed by chance


def test_kept_draws_recompute_from_the_kept_parameters(baseline):
    samples = sample_outcomes(baseline, n_draws=10_000, rng=4, keep_draws=True)
    tree = baseline.tree
    theta = np.tile(tree.mean_theta(), (samples.n_draws, 1))
    keys = {f"{s.key}.{b}": int(o) + i for s, o in zip(tree.sets, tree.offsets, strict=True)
            for i, b in enumerate(s.branches)}
    for j, key in enumerate(samples.parameter_keys):
        theta[:, keys[key]] = samples.parameters[:, j]
    paths = tree.path_probabilities(theta)
    outcomes = np.stack([paths[:, tree.outcome_index == o].sum(axis=1)
                         for o in range(len(tree.outcomes))], axis=1)
    k = len(tree.outcomes)
    np.testing.assert_allclose(samples.values[:, :k], outcomes, atol=1e-14)
    np.testing.assert_allclose(samples.values[:, k:], paths @ tree.attribute_values, rtol=1e-13)
    # the streamed summaries agree with the kept draws
    np.testing.assert_allclose(samples.mean, samples.values.mean(axis=0), rtol=1e-11)
    np.testing.assert_allclose(samples.sd, samples.values.std(axis=0, ddof=1), rtol=1e-9)
    assert (samples.lowest == samples.values.min(axis=0)).all()
    assert (samples.highest == samples.values.max(axis=0)).all()
    table = analysis.outcome_intervals(samples)
    exact = np.quantile(samples.values[:, :k], [0.5, 0.05, 0.95], axis=0)
    np.testing.assert_allclose(table[["median", "lower", "upper"]].to_numpy().T, exact,
                               atol=BIN)
    # every Beta and Dirichlet set sums to 1 in every draw
    frame = samples.parameter_draws()
    for pset in tree.sets:
        if pset.kind != "fixed":
            columns = [f"{pset.key}.{b}" for b in pset.branches]
            np.testing.assert_allclose(frame[columns].sum(axis=1), 1, atol=1e-12)


def test_a_prior_shared_by_several_nodes_is_one_quantity(write_yaml):
    # 'second' has one Beta, used after both branches of 'first': within a draw
    # it takes the same value at both nodes, so P(win) is exactly that value.
    scenario = load(write_yaml, """\
        outcomes:
          win: {label: Win, colour: "#1b9e77"}
          lose: {label: Lose, colour: "#d95f02"}
        phases:
          - id: first
            question: Left or right?
            branches:
              left: {prior: 0.5}
              right: {}
          - id: second
            question: Does it work?
            branches:
              works: {prior: {alpha: 2, beta: 3}}
              fails: {}
        outcome_rules:
          - when: {second: works}
            outcome: win
          - outcome: lose
        """)
    samples = sample_outcomes(scenario, n_draws=50_000, rng=8, keep_draws=True)
    works = samples.parameter_draws()["second.works"].to_numpy()
    np.testing.assert_allclose(samples.outcome_draws()["win"], works, rtol=1e-14)
    _, var, var_factor = beta_moments(2, 3)  # independent draws per node would halve it
    assert abs(samples.sd[0] ** 2 - var) < K_SE * var_factor / math.sqrt(samples.n_draws)


def test_a_rule_shared_by_two_paths_is_one_quantity(baseline):
    # governance.at_the_line applies after withdrawal 'stalls' only; after_partial_exchange
    # after exchanges 'partial' only: each rule's set is one column of parameters.
    samples = sample_outcomes(baseline, n_draws=1000, rng=1, keep_draws=True)
    keys = samples.parameter_keys
    assert len(keys) == len(set(keys))
    assert {"governance.at_the_line.implemented", "ceasefire.holds"} <= set(keys)


def test_given_conditions_each_draw(baseline):
    given = {"exchanges": "complete"}
    samples = sample_outcomes(baseline, n_draws=5000, rng=12, given=given, keep_draws=True)
    exact = analysis.outcome_distribution(baseline, given=given)["probability"].to_numpy()
    k = len(baseline.tree.outcomes)
    np.testing.assert_allclose(samples.at_means[:k], exact, rtol=1e-12)
    np.testing.assert_allclose(samples.values[:, :k].sum(axis=1), 1, atol=1e-12)
    tree = baseline.tree
    theta = np.tile(tree.mean_theta(), (samples.n_draws, 1))
    keys = {f"{s.key}.{b}": int(o) + i for s, o in zip(tree.sets, tree.offsets, strict=True)
            for i, b in enumerate(s.branches)}
    for j, key in enumerate(samples.parameter_keys):
        theta[:, keys[key]] = samples.parameters[:, j]
    paths = tree.path_probabilities(theta)
    holds = tree.branch_index[:, tree.phases.index("exchanges")] == 0
    paths = np.where(holds, paths, 0) / paths[:, holds].sum(axis=1, keepdims=True)
    np.testing.assert_allclose(samples.values[:, 3],
                               paths[:, tree.outcome_index == 3].sum(axis=1), atol=1e-14)
    assert analysis.outcome_intervals(samples).attrs["given"] == given


def test_given_errors_are_query_errors(baseline):
    with pytest.raises(QueryError, match="unknown phase 'nope'"):
        sample_outcomes(baseline, n_draws=10, given={"nope": "x"})


def test_fixed_scenario_has_no_spread(data_dir):
    scenario = analysis.load_scenario(data_dir / "two_stage.yaml")
    samples = sample_outcomes(scenario, n_draws=1000, rng=0)
    assert samples.parameter_keys == ()
    assert (samples.sd == 0).all()
    table = analysis.outcome_intervals(samples)
    for column in ["mean", "median", "lower", "upper"]:
        np.testing.assert_allclose(table[column], table["at_means"], atol=1e-15)
    above = analysis.exceedance_probabilities(samples, [0.17, 0.18, 0.19])
    win = above.query("outcome == 'win'")["probability"].tolist()
    assert win == [1.0, 0.0, 0.0]  # P(win) is exactly 0.6 * 0.3 = 0.18 in every draw


# ------------------------------------------------------------------ reproducibility


FIELDS = ["mean", "sd", "lowest", "highest", "histogram", "greater", "ranks", "values",
          "parameters"]


def assert_identical(left: OutcomeSamples, right: OutcomeSamples) -> None:
    for name in FIELDS:
        a, b = getattr(left, name), getattr(right, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a.dtype == b.dtype and a.shape == b.shape, name
            assert a.tobytes() == b.tobytes(), name  # bit for bit


def test_same_seed_gives_bit_identical_results(baseline):
    first = sample_outcomes(baseline, n_draws=20_000, rng=99, keep_draws=True)
    second = sample_outcomes(baseline, n_draws=20_000, rng=99, keep_draws=True)
    assert_identical(first, second)
    other = sample_outcomes(baseline, n_draws=20_000, rng=100, keep_draws=True)
    assert not np.array_equal(first.values, other.values)


@settings(max_examples=25, deadline=None)
@given(n_draws=st.integers(2, 3 * BLOCK_SIZE + 17), chunk=st.integers(1, 5 * BLOCK_SIZE),
       workers=st.integers(1, 3), keep=st.booleans())
def test_chunk_size_and_threads_never_change_the_results(baseline, n_draws, chunk, workers,
                                                          keep):
    scenario = baseline
    reference = sample_outcomes(scenario, n_draws=n_draws, rng=7, keep_draws=keep)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampling, "_cpu_count", lambda: workers)
        again = sample_outcomes(scenario, n_draws=n_draws, rng=7, keep_draws=keep, chunk_size=chunk)
    assert_identical(reference, again)


def test_keeping_the_draws_does_not_change_the_summaries(baseline):
    kept = sample_outcomes(baseline, n_draws=9000, rng=1, keep_draws=True)
    streamed = sample_outcomes(baseline, n_draws=9000, rng=1)
    assert streamed.values is None and streamed.parameters is None
    for name in FIELDS[:7]:
        assert np.array_equal(getattr(kept, name), getattr(streamed, name)), name


def test_rng_forms(baseline):
    from_int = sample_outcomes(baseline, n_draws=500, rng=5)
    from_sequence = sample_outcomes(baseline, n_draws=500, rng=np.random.SeedSequence(5))
    assert_identical(from_int, from_sequence)
    assert from_int.seed == 5 and from_int.spawn_key == ()
    # a Generator is asked once for seed material: it advances, and the run repeats
    generator = np.random.default_rng(5)
    first = sample_outcomes(baseline, n_draws=500, rng=generator)
    second = sample_outcomes(baseline, n_draws=500, rng=generator)
    assert not np.array_equal(first.mean, second.mean)
    assert_identical(first, sample_outcomes(baseline, n_draws=500, rng=np.random.default_rng(5)))
    assert_identical(first, sample_outcomes(baseline, n_draws=500, rng=first.seed))
    # None: fresh entropy, recorded so that the run can be repeated
    fresh = sample_outcomes(baseline, n_draws=500)
    assert_identical(fresh, sample_outcomes(baseline, n_draws=500, rng=fresh.seed))
    # a spawned sequence keeps its key
    child = np.random.SeedSequence(5).spawn(2)[1]
    spawned = sample_outcomes(baseline, n_draws=500, rng=child)
    assert spawned.spawn_key == (1,)
    assert not np.array_equal(spawned.mean, from_int.mean)


def test_seed_zero_is_a_seed(baseline):
    assert_identical(sample_outcomes(baseline, n_draws=300, rng=0),
                     sample_outcomes(baseline, n_draws=300, rng=0))


def test_the_generator_is_numpys_sfc64():
    from analysis.engines import kernel as _kernel

    child = np.random.SeedSequence(1234, spawn_key=(3,))
    words = child.generate_state(3, np.uint64)
    expected = np.random.SFC64(np.random.SeedSequence(1234, spawn_key=(3,))).random_raw(1000)
    assert np.array_equal(_kernel.sfc64_raw(words, 1000), expected)


# ---------------------------------------------------------------------- summaries


def test_summary_frames(baseline):
    samples = sample_outcomes(baseline, n_draws=30_000, rng=17)
    meta = {"scenario": "baseline", "changes": [], "given": {}, "n_draws": 30_000, "seed": 17}
    table = analysis.outcome_intervals(samples, interval=[0.5, 0.9])
    assert list(table.columns) == ["outcome", "label", "colour", "interval", "at_means", "mean",
                                   "sd", "mcse", "median", "lower", "upper"]
    assert table.attrs == {**meta, "interval": (0.5, 0.9)}
    assert len(table) == 2 * len(baseline.model.outcomes)
    narrow, wide = table[table["interval"] == 0.5], table[table["interval"] == 0.9]
    assert (wide["lower"].to_numpy() <= narrow["lower"].to_numpy()).all()
    assert (narrow["upper"].to_numpy() <= wide["upper"].to_numpy()).all()
    assert ((table["lower"] <= table["median"]) & (table["median"] <= table["upper"])).all()

    attributes = analysis.attribute_intervals(samples)
    assert list(attributes.columns[:4]) == ["attribute", "label", "unit", "interval"]
    assert list(attributes["attribute"]) == list(baseline.model.attributes)

    ranks = analysis.outcome_ranks(samples)
    assert list(ranks.columns) == ["outcome", "label", "colour", "rank", "probability"]
    np.testing.assert_allclose(ranks.groupby("outcome")["probability"].sum(), 1)
    np.testing.assert_allclose(ranks.groupby("rank")["probability"].sum(), 1)

    pairs = analysis.outcome_comparisons(samples).set_index(["outcome", "other"])["probability"]
    assert len(pairs) == len(baseline.model.outcomes) * (len(baseline.model.outcomes) - 1)
    assert pairs["renewed_war", "frozen_conflict"] + pairs["frozen_conflict", "renewed_war"] \
        == pytest.approx(1)
    assert pairs["renewed_war", "frozen_conflict"] == pytest.approx(
        ranks.query("outcome == 'renewed_war' and rank == 1")["probability"].item(), abs=0.01)

    histogram = analysis.outcome_histogram(samples, n_bins=40)
    assert list(histogram.columns) == ["outcome", "label", "colour", "lower", "upper", "share",
                                       "density"]
    np.testing.assert_allclose(histogram.groupby("outcome")["share"].sum(), 1)
    assert histogram.groupby("outcome").size().max() <= 41
    ecdf = analysis.attribute_ecdf(samples, n_points=50)
    for _, part in ecdf.groupby("attribute"):
        assert (np.diff(part["cumulative"]) >= 0).all()
        assert part["cumulative"].iloc[-1] == 1.0
    for frame in (attributes, ranks, histogram, ecdf):
        assert {k: frame.attrs[k] for k in meta} == meta


def test_exceedance_matches_the_kept_draws(baseline):
    samples = sample_outcomes(baseline, n_draws=40_000, rng=21, keep_draws=True)
    thresholds = [0.0, 0.1, 0.3, 0.5, 0.75, 1.0]
    table = analysis.exceedance_probabilities(samples, thresholds)
    draws = samples.outcome_draws()
    outcomes = list(samples.outcomes["outcome"])
    for row in table.itertuples(index=False):
        exact = (draws[row.outcome] > row.threshold).mean()
        # interpolation within a bin: off by at most the share of draws in that bin
        b = min(int(row.threshold * HIST_BINS), HIST_BINS - 1)
        in_bin = samples.histogram[outcomes.index(row.outcome), b] / samples.n_draws
        assert abs(row.probability - exact) <= in_bin + 1e-12, row


def test_samples_are_read_only(baseline):
    samples = sample_outcomes(baseline, n_draws=100, rng=1, keep_draws=True)
    with pytest.raises(ValueError, match="read-only"):
        samples.mean[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        samples.values[0, 0] = 1.0
    assert "n_draws=100" in repr(samples)


@pytest.mark.parametrize(("kwargs", "error", "pattern"), [
    ({"n_draws": 1}, ValueError, r"n_draws == 1, expected at least 2"),
    ({"n_draws": -5}, ValueError, r"n_draws == -5"),
    ({"n_draws": 1.5}, TypeError, r"n_draws: got 1\.5 \(float\), expected an integer"),
    ({"n_draws": True}, TypeError, r"n_draws: got True"),
    ({"n_draws": 10, "chunk_size": 0}, ValueError, r"chunk_size == 0"),
    ({"n_draws": 10, "rng": -1}, ValueError, r"rng == -1, expected a non-negative integer"),
    ({"n_draws": 10, "rng": 1.0}, TypeError, r"rng: got float"),
    ({"n_draws": 10, "rng": True}, TypeError, r"rng: got bool"),
    ({"n_draws": 10, "rng": np.random.PCG64(1)}, TypeError, r"rng: got PCG64"),
])
def test_bad_arguments(baseline, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        sample_outcomes(baseline, **kwargs)


def test_bad_summary_arguments(baseline):
    samples = sample_outcomes(baseline, n_draws=100, rng=1)
    with pytest.raises(TypeError, match="expected the OutcomeSamples"):
        analysis.outcome_intervals(analysis.outcome_distribution(baseline))
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError, match=rf"interval == {bad}, expected a probability"):
            analysis.outcome_intervals(samples, interval=bad)
    with pytest.raises(ValueError, match="got no values"):
        analysis.attribute_intervals(samples, interval=[])
    with pytest.raises(TypeError, match="interval: got 'x'"):
        analysis.outcome_intervals(samples, interval=["x"])
    with pytest.raises(ValueError, match=r"threshold == 1\.5, expected a probability in \[0, 1\]"):
        analysis.exceedance_probabilities(samples, [0.5, 1.5])
    with pytest.raises(ValueError, match="keep_draws=True"):
        samples.outcome_draws()
    with pytest.raises(ValueError, match="n_points == 1, expected at least 2"):
        analysis.attribute_ecdf(samples, n_points=1)
    with pytest.raises(TypeError, match="expected a Scenario"):
        sample_outcomes("baseline", n_draws=10)


def test_a_bare_compiled_tree_can_be_sampled(baseline):
    from_tree = sample_outcomes(baseline.tree, n_draws=2000, rng=3)
    from_scenario = sample_outcomes(baseline, n_draws=2000, rng=3)
    assert np.array_equal(from_tree.mean, from_scenario.mean)
    assert list(from_tree.outcomes["outcome"]) == list(baseline.model.outcomes)
    with pytest.raises(TypeError, match="pass a Scenario"):
        sample_outcomes(baseline.tree, n_draws=10, given={"exchanges": "complete"})


# --------------------------------------------------------------- memory, progress


def test_memory_does_not_grow_with_the_draws(baseline):
    sample_outcomes(baseline, n_draws=1000, rng=1)  # compiled and warm
    tracemalloc.start()
    try:
        sample_outcomes(baseline, n_draws=1_000_000, rng=1, progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak  # kept draws alone would take 56 MB


@pytest.mark.parametrize(("environment", "n_draws", "expected"), [
    ({}, 10, False),
    ({}, sampling.PROGRESS_MIN_DRAWS, True),
    ({"DEALTREE_PROGRESS": "0"}, 10**7, False),
    ({"DEALTREE_PROGRESS": "1"}, 10, True),
    ({"CI": "true"}, 10**7, False),
    ({"CI": "0"}, 10**7, True),
    ({"CI": "true", "DEALTREE_PROGRESS": "1"}, 10, True),
])
def test_progress_default(monkeypatch, environment, n_draws, expected):
    monkeypatch.delenv("DEALTREE_PROGRESS", raising=False)
    monkeypatch.delenv("CI", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert sampling._progress_wanted(None, n_draws) is expected
    assert sampling._progress_wanted(False, n_draws) is False
    assert sampling._progress_wanted(True, n_draws) is True


def test_progress_bar_writes_to_stderr_only_when_asked(baseline, capsys):
    sample_outcomes(baseline, n_draws=5000, rng=1, progress=True)
    shown = capsys.readouterr()
    assert shown.out == "" and "Sampling baseline" in shown.err and "5.00k" in shown.err
    sample_outcomes(baseline, n_draws=5000, rng=1, progress=False)
    assert capsys.readouterr() == ("", "")


def test_importing_the_package_does_not_import_numba():
    code = ("import sys, analysis; analysis.load_scenario('baseline'); "
            "print('numba' in sys.modules)")
    env = {**os.environ}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env=env)
    assert result.stdout.strip() == "False"


def test_summaries_match_pandas_quantiles_on_the_kept_draws(baseline):
    samples = sample_outcomes(baseline, n_draws=20_000, rng=31, keep_draws=True)
    draws = samples.attribute_draws()
    assert isinstance(draws, pd.DataFrame) and draws.index.name == "draw"
    table = analysis.attribute_intervals(samples).set_index("attribute")
    for name in draws.columns:
        width = (samples.hist_high - samples.hist_low)[4 + list(draws.columns).index(name)]
        assert abs(table.loc[name, "median"] - draws[name].median()) <= width / HIST_BINS


def test_sample_theta_matches_the_kept_draws_and_fixed_values():
    from analysis.engines.sampling import sample_theta

    baseline = analysis.load_scenario("baseline")
    theta, seed = sample_theta(baseline, n_draws=500, rng=7)
    samples = analysis.sample_outcomes(baseline, n_draws=500, rng=7, keep_draws=True)
    assert seed == 7 and theta.shape == (500, baseline.tree.n_theta)
    direct = baseline.tree.path_probabilities(theta)
    outcome = np.stack([direct[:, baseline.tree.outcome_index == k].sum(axis=1)
                        for k in range(len(baseline.tree.outcomes))], axis=1)
    np.testing.assert_allclose(outcome, samples.outcome_draws().iloc[:, -len(outcome[0]):]
                               .to_numpy(), rtol=1e-9, atol=1e-12)


def test_a_posterior_is_refused_with_a_pointer_to_belief_timeline():
    baseline = analysis.load_scenario("baseline")
    posterior = analysis.update_scenario(baseline, "gaza_2025")
    with pytest.raises(analysis.QueryError, match="belief_timeline"):
        analysis.sample_outcomes(posterior, n_draws=100, rng=1)
