"""Variance-based (Sobol') indices against their closed form on a product of two Betas.

With the venture of ``test_value_of_information`` assumed taken, ``P(won) =
p q`` for independent ``p ~ Beta(3, 2)`` and ``q ~ Beta(4, 1)``:

    Var(Y) = E[p^2] E[q^2] - E[p]^2 E[q]^2
    S_p = E[q]^2 Var(p) / Var(Y),      S_q = E[p]^2 Var(q) / Var(Y)
    ST_p = 1 - S_q,                    ST_q = 1 - S_p
"""

import numpy as np
import pandas as pd
import pytest
from test_value_of_information import A1, A2, B1, B2, _venture

import analysis
from analysis import QueryError


def _moments(a, b):
    mean = a / (a + b)
    second = a * (a + 1) / ((a + b) * (a + b + 1))
    return mean, second - mean**2, second


def test_indices_match_the_closed_form(tmp_path):
    m1, v1, s1 = _moments(A1, B1)
    m2, v2, s2 = _moments(A2, B2)
    variance = s1 * s2 - (m1 * m2) ** 2
    first_p, first_q = m2**2 * v1 / variance, m1**2 * v2 / variance
    table = analysis.global_sensitivity(_venture(tmp_path, 45), output="won", n_draws=20_000,
                                        rng=11).set_index("group")
    assert table.attrs["variance"] == pytest.approx(variance, rel=0.03)
    for group, first, total in (("stage_one", first_p, 1 - first_q),
                                ("stage_two", first_q, 1 - first_p)):
        row = table.loc[group]
        assert abs(row.first_order - first) < 4 * row.first_order_se, group
        assert abs(row.total_order - total) < 4 * row.total_order_se + 0.01, group
    assert list(table.index) == ["stage_one", "stage_two"]  # ranked, largest first
    assert table["first_order"].sum() < 1 < table["total_order"].sum()  # an interaction


def test_utility_outputs_and_a_fixed_policy(tmp_path):
    scenario = _venture(tmp_path, 45)
    won = analysis.global_sensitivity(scenario, output="won", n_draws=2000, rng=3)
    utility = analysis.global_sensitivity(scenario, output="utility:investor", n_draws=2000, rng=3)
    # The investor's utility under the assumed venture is 100 P(won): same shares.
    pd.testing.assert_series_equal(won["first_order"], utility["first_order"])
    assert utility.attrs["unit"] == "points" and won.attrs["unit"] == "probability"
    # The optimal policy at the means takes the venture (48 > 45): same output again.
    policy = analysis.global_sensitivity(scenario, output="utility:investor", n_draws=2000, rng=3,
                                         decision_maker="investor")
    pd.testing.assert_series_equal(policy["first_order"], utility["first_order"])


def test_the_deal_groups_and_reproducibility():
    mediation = analysis.load_scenario("mediation")
    groups = analysis.parameter_groups(mediation).set_index("group")
    assert list(groups.index) == ["ceasefire", "exchanges", "withdrawal", "governance"]
    assert groups.loc["governance", "sets"] == 9
    one = analysis.global_sensitivity(mediation, output="renewed_war", n_draws=1000, rng=4)
    two = analysis.global_sensitivity(mediation, output="renewed_war", n_draws=1000, rng=4)
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs["n_draws"] == 1000 and one.attrs["seed"] == 4
    assert one["first_order"].is_monotonic_decreasing
    custom = analysis.global_sensitivity(
        mediation, output="renewed_war", n_draws=1000, rng=4,
        groups={"governance, force": ["governance.force_after_withdrawal",
                                      "governance.force_at_the_line"]})
    assert custom["group"].tolist() == ["governance, force"]
    assert np.all(custom["first_order"] < 1e-12)  # the assumed option is the mission


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"output": "wn"}, "unknown output 'wn'"),
    ({"output": "won", "groups": ["choose"]}, "all fixed"),
    ({"output": "won", "groups": ["stage_3"]}, "did you mean"),
    ({"output": "won", "groups": {"empty": []}}, "is empty"),
    ({"output": "sure"}, "does not vary"),
])
def test_bad_queries_are_clear_errors(tmp_path, kwargs, message):
    with pytest.raises(QueryError, match=message):
        analysis.global_sensitivity(_venture(tmp_path, 45), n_draws=200, rng=1, **kwargs)
