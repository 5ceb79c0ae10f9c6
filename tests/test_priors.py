"""Elicited judgements to Beta parameters, checked against scipy.stats.beta."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.priors import beta_from_mean_sd, beta_from_range, beta_mean


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
