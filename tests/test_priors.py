"""Elicited judgements to Beta parameters, checked against scipy.stats.beta."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import analysis
from analysis import prior_marginals
from analysis.core.beta import (
    beta_from_counts,
    beta_from_mean_sd,
    beta_from_quantiles,
    beta_from_range,
    beta_mean,
)


@pytest.mark.parametrize(("mean", "sd"), [
    (0.5, 0.1), (0.2, 0.05), (0.9, 0.02), (0.01, 0.005), (0.7, 0.45), (0.35, 0.3),
])
def test_mean_sd_fit_matches_scipy(mean, sd):
    alpha, beta = beta_from_mean_sd(mean, sd)
    fitted = stats.beta(alpha, beta)
    assert fitted.mean() == pytest.approx(mean, rel=1e-12)
    assert fitted.std() == pytest.approx(sd, rel=1e-9)


def test_mean_sd_closed_form():
    # k = m (1 - m) / sd^2 - 1 = 0.25 / 0.01 - 1 = 24, alpha = beta = 12
    assert beta_from_mean_sd(0.5, 0.1) == pytest.approx((12, 12), rel=1e-12)
    # m = 0.2, sd = 0.1: k = 0.16 / 0.01 - 1 = 15, alpha = 3, beta = 12
    assert beta_from_mean_sd(0.2, 0.1) == pytest.approx((3, 12), rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.001, 0.999), st.floats(0.01, 0.99))
def test_mean_sd_fit_matches_scipy_property(mean, share):
    sd = share * math.sqrt(mean * (1 - mean))  # any spread below the limit
    alpha, beta = beta_from_mean_sd(mean, sd)
    assert alpha > 0 and beta > 0
    assert stats.beta.mean(alpha, beta) == pytest.approx(mean, rel=1e-9)
    assert stats.beta.std(alpha, beta) == pytest.approx(sd, rel=1e-6)


@pytest.mark.parametrize(("low", "mode", "high"), [
    (0.2, 0.5, 0.8), (0.1, 0.2, 0.9), (0.0, 0.0, 0.3), (0.6, 0.95, 1.0), (0.0, 0.5, 1.0),
])
def test_range_is_pert_mean_and_sd(low, mode, high):
    alpha, beta = beta_from_range(low, mode, high)
    fitted = stats.beta(alpha, beta)
    assert fitted.mean() == pytest.approx((low + 4 * mode + high) / 6, rel=1e-12)
    assert fitted.std() == pytest.approx((high - low) / 6, rel=1e-9)


def test_range_closed_form():
    # mean (0.1 + 0.8 + 0.9) / 6 = 0.3, sd 0.8 / 6; k = 0.21 / sd^2 - 1
    k = 0.21 / (0.8 / 6) ** 2 - 1
    assert beta_from_range(0.1, 0.2, 0.9) == pytest.approx((0.3 * k, 0.7 * k), rel=1e-12)


def test_beta_mean():
    assert beta_mean(9, 2) == pytest.approx(9 / 11)
    assert beta_mean(3, 1.5) == pytest.approx(stats.beta(3, 1.5).mean())


@pytest.mark.parametrize(("mean", "sd", "pattern"), [
    (0.0, 0.1, r"mean == 0\.0, expected a value strictly between 0 and 1"),
    (1.0, 0.1, r"mean == 1\.0, expected a value strictly between 0 and 1"),
    (-0.2, 0.1, r"mean == -0\.2, expected"),
    (1.5, 0.1, r"mean == 1\.5, expected"),
    (math.nan, 0.1, r"mean == nan, expected"),
    (0.5, 0.0, r"sd == 0\.0, expected a positive value"),
    (0.5, -0.1, r"sd == -0\.1, expected a positive value"),
    (0.5, math.nan, r"sd == nan, expected a positive value"),
    (0.5, 0.5, r"sd == 0\.5 is too wide for mean 0\.5: no Beta fits; expected sd < 0\.5"),
    (0.1, 0.31, r"sd == 0\.31 is too wide for mean 0\.1: no Beta fits; expected sd < 0\.3\b"),
])
def test_mean_sd_impossible(mean, sd, pattern):
    with pytest.raises(ValueError, match=pattern):
        beta_from_mean_sd(mean, sd)


@pytest.mark.parametrize(("low", "mode", "high"), [
    (0.6, 0.5, 0.9),   # mode below low
    (0.1, 0.95, 0.9),  # mode above high
    (0.9, 0.5, 0.1),   # reversed
    (0.5, 0.5, 0.5),   # no width
    (-0.1, 0.2, 0.5),  # below 0
    (0.2, 0.5, 1.1),   # above 1
    (math.nan, 0.5, 0.9),
])
def test_range_impossible(low, mode, high):
    with pytest.raises(ValueError, match=r"range \(low=.*, mode=.*, high=.*\) is out of order, "
                                         r"expected 0 <= low <= mode <= high <= 1 with low < high"):
        beta_from_range(low, mode, high)


# ------------------------------------------------------------------ counts


@pytest.mark.parametrize(("k", "n", "prior"), [
    (8, 9, (1, 1)), (0, 5, (1, 1)), (5, 5, (0.5, 0.5)), (3, 40, (2, 8)), (1, 1, (0.1, 0.1)),
])
def test_counts_posterior_matches_a_numerical_bayes_update(k, n, prior):
    alpha, beta = beta_from_counts(k, n, prior)
    assert (alpha, beta) == (prior[0] + k, prior[1] + n - k)
    # Bayes' rule by quadrature: prior density x binomial likelihood, normalised
    def unnormalised(p):
        return stats.beta.pdf(p, *prior) * stats.binom.pmf(k, n, p)

    def moment(order):
        return integrate.quad(lambda p: p**order * unnormalised(p), 0, 1, limit=200)[0]

    total = moment(0)
    mean = moment(1) / total
    var = moment(2) / total - mean**2
    assert mean == pytest.approx(stats.beta.mean(alpha, beta), rel=1e-7)
    assert var == pytest.approx(stats.beta.var(alpha, beta), rel=1e-6)


def test_counts_default_prior_is_laplaces_rule():
    assert beta_from_counts(8, 9) == (9.0, 2.0)
    alpha, beta = beta_from_counts(8, 9)
    assert beta_mean(alpha, beta) == pytest.approx((8 + 1) / (9 + 2))


@pytest.mark.parametrize(("args", "error", "pattern"), [
    ((10, 9), ValueError, r"successes == 10 with trials == 9, expected 0 <= successes <= trials"),
    ((-1, 9), ValueError, r"successes == -1 with trials == 9"),
    ((0, 0), ValueError, r"trials == 0, expected at least 1 case"),
    ((8.0, 9), TypeError, r"successes == 8\.0 \(float\), expected an integer"),
    ((True, 9), TypeError, r"successes == True \(bool\)"),
    ((8, 9, (0, 1)), ValueError, r"prior a0 == 0, expected a positive number"),
    ((8, 9, (1, math.inf)), ValueError, r"prior b0 == inf, expected a positive number"),
    ((8, 9, (1,)), TypeError, r"prior == \(1,\), expected a pair"),
    ((8, 9, ("a", 1)), TypeError, r"prior a0 == 'a', expected a number"),
])
def test_counts_impossible(args, error, pattern):
    with pytest.raises(error, match=pattern):
        beta_from_counts(*args)


def test_counts_accept_numpy_integers():
    assert beta_from_counts(np.int64(2), np.int32(4)) == (3.0, 3.0)


# --------------------------------------------------------------- quantiles


@pytest.mark.parametrize("mass", [0.5, 0.8, 0.9, 0.95])
@pytest.mark.parametrize(("a", "b"), [(9, 2), (2, 9), (1, 1), (0.5, 0.5), (30, 70), (0.3, 4),
                                      (200, 20)])
def test_quantile_fit_recovers_the_beta(a, b, mass):
    low, high = stats.beta.ppf([(1 - mass) / 2, (1 + mass) / 2], a, b)
    alpha, beta = beta_from_quantiles(low, high, mass=mass)
    assert alpha == pytest.approx(a, rel=1e-6)
    assert beta == pytest.approx(b, rel=1e-6)


def test_quantile_fit_of_an_analysts_range():
    alpha, beta = beta_from_quantiles(0.6, 0.9)
    np.testing.assert_allclose(stats.beta.ppf([0.05, 0.95], alpha, beta), [0.6, 0.9],
                               atol=1e-9)


@pytest.mark.parametrize(("low", "high", "mass", "pattern"), [
    (0.5, 0.4, 0.9, r"interval \(low=0\.5, high=0\.4\) is out of order"),
    (0.0, 0.4, 0.9, r"interval \(low=0\.0, high=0\.4\)"),
    (0.2, 1.0, 0.9, r"interval \(low=0\.2, high=1\.0\)"),
    (0.2, 0.4, 1.0, r"mass == 1\.0, expected a probability strictly between 0 and 1"),
    (0.2, 0.4, 0.0, r"mass == 0\.0"),
    (0.4999999, 0.5000001, 0.99, r"no Beta found with 0\.99 of its mass"),
])
def test_quantile_fit_impossible(low, high, mass, pattern):
    with pytest.raises(ValueError, match=pattern):
        beta_from_quantiles(low, high, mass=mass)


# ----------------------------------------------------------- prior marginals


def test_prior_marginals_of_the_baseline():
    baseline = analysis.load_scenario("baseline")
    table = prior_marginals(baseline)
    assert list(table.columns) == ["key", "phase", "rule", "branch", "kind", "detail", "alpha",
                                   "beta", "mean", "sd", "lower", "upper", "cite", "rationale"]
    assert table.attrs == {"scenario": "baseline", "changes": [], "interval": 0.9}
    rows = table.set_index("key")
    # the Beta-kind prior on one branch of a two-branch question; the other is not listed
    assert "ceasefire.collapses" not in rows.index
    holds = rows.loc["ceasefire.holds"]
    assert (holds["alpha"], holds["beta"]) == (10, 1)  # 9 of 9 cases on Beta(1, 1)
    # Dirichlet branches have marginal Beta(c_i, sum(c) - c_i)
    complete = rows.loc["exchanges.complete"]
    assert (complete["alpha"], complete["beta"]) == (5, 5)
    assert complete["detail"] == "Dirichlet share: concentration 5 of 10"
    np.testing.assert_allclose(table["mean"], table["alpha"] / (table["alpha"] + table["beta"]))
    np.testing.assert_allclose(table["sd"], stats.beta.std(table["alpha"], table["beta"]))
    np.testing.assert_allclose(table["lower"], stats.beta.ppf(0.05, table["alpha"],
                                                              table["beta"]))
    np.testing.assert_allclose(table["upper"], stats.beta.ppf(0.95, table["alpha"],
                                                              table["beta"]))
    # the same 90% intervals as the priors table
    priors = baseline.priors_table().set_index("key").loc[table["key"]]
    np.testing.assert_allclose(table["lower"], priors["p05"])
    assert all(table["cite"] != "")
    wide = prior_marginals(baseline, interval=0.99)
    assert (wide["lower"].to_numpy() < table["lower"].to_numpy()).all()
    with pytest.raises(ValueError, match=r"interval == 1, expected a probability"):
        prior_marginals(baseline, interval=1)


def test_prior_marginals_describe_every_form():
    baseline = analysis.load_scenario("baseline")
    counts = baseline.with_priors({"ceasefire.holds": {"successes": 8, "trials": 9}})
    rows = prior_marginals(counts).set_index("key")
    assert rows.loc["ceasefire.holds", "detail"] == "8 of 9 cases, prior Beta(1, 1)"
    assert rows.loc["ceasefire.holds", "kind"] == "counts"
    assert (rows.loc["ceasefire.holds", "alpha"], rows.loc["ceasefire.holds", "beta"]) == (9, 2)
    fixed = baseline.with_priors({"ceasefire.holds": 0.8})
    assert "ceasefire.holds" not in set(prior_marginals(fixed)["key"])
    for value, detail in [({"low": 0.5, "mode": 0.8, "high": 0.95}, "PERT range 0.5 / 0.8 / 0.95"),
                          ({"mean": 0.8, "sd": 0.1}, "mean 0.8, sd 0.1"),
                          ({"alpha": 9, "beta": 2}, "Beta(9, 2)")]:
        rows = prior_marginals(baseline.with_priors({"ceasefire.holds": value})).set_index("key")
        assert rows.loc["ceasefire.holds", "detail"] == detail


# ------------------------------------------------------- the counts file form


def test_counts_form_in_a_scenario_file(write_yaml, scenario_text):
    path = write_yaml(scenario_text("""\
        phases:
          - id: truce
            question: Does it hold?
            branches:
              holds:
                prior: {successes: 8, trials: 9, cite: [ceasefire-facts.truce-2023-11]}
                outcome: good
              fails: {outcome: bad}
          - id: never
            question: Unused
            branches:
              a: {prior: {successes: 1, trials: 4, prior_alpha: 0.5, prior_beta: 0.5}}
              b: {}
        outcome_rules:
          - outcome: good
        """))
    scenario = analysis.load_scenario(path)
    table = scenario.priors_table().set_index("key")
    assert table.loc["truce.holds", "kind"] == "counts"
    assert table.loc["truce.holds", "mean"] == pytest.approx(9 / 11)
    assert table.loc["truce.fails", "mean"] == pytest.approx(2 / 11)
    assert table.loc["truce.holds", "p05"] == pytest.approx(stats.beta.ppf(0.05, 9, 2))
    same = scenario.with_priors({"truce.holds": {"alpha": 9, "beta": 2}})
    np.testing.assert_allclose(analysis.outcome_distribution(scenario)["probability"],
                               analysis.outcome_distribution(same)["probability"])


@pytest.mark.parametrize(("prior", "location", "fragment"), [
    ("{successes: 10, trials: 9}", "phases[0].branches.holds.prior",
     "successes == 10 with trials == 9, expected 0 <= successes <= trials"),
    ("{successes: 2, trials: 0}", "phases[0].branches.holds.prior.trials",
     "got 0, expected a number >= 1"),
    ("{successes: 2.5, trials: 9}", "phases[0].branches.holds.prior.successes",
     "input should be a valid integer"),
    ("{successes: 2}", "phases[0].branches.holds.prior.trials", "missing required key 'trials'"),
    ("{successes: 2, trials: 9, prior_alpha: 0}", "phases[0].branches.holds.prior.prior_alpha",
     "expected a number > 0"),
])
def test_counts_form_problems_are_located(expect_problem, scenario_text, prior, location,
                                          fragment):
    expect_problem(scenario_text(f"""\
        phases:
          - id: truce
            question: Does it hold?
            branches:
              holds:
                prior: {prior}  # <-
                outcome: good
              fails: {{outcome: bad}}
        """), location, fragment)


def test_counts_form_needs_a_two_branch_question(expect_problem, scenario_text):
    expect_problem(scenario_text("""\
        phases:
          - id: truce
            question: Does it hold?
            branches:
              holds:  # <-
                prior: {successes: 8, trials: 9}
                outcome: good
              wobbles: {outcome: good}
              fails: {outcome: bad}
        """), "phases[0].branches.holds",
        "an uncertain prior (Beta, range, mean and sd, or counts) on 'holds' needs a "
        "two-branch question")
