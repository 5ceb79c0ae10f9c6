"""EVPI and EVPPI against closed forms, and their behaviour.

The reference problem: invest in a venture that succeeds with probability
``p * q`` (two independent stages, ``p ~ Beta(3, 2)`` and ``q ~ Beta(4, 1)``)
and then pays 100, or take a sure ``s``. With ``X ~ Beta(a, b)``, mean ``m``
and ``t`` in [0, 1], ``E[max(c X, s)] = s I_t(a, b) + c m (1 - I_t(a + 1, b))``
with ``t = s / c`` (``I`` the regularised incomplete Beta function), so:

- EVPPI of ``p`` = ``E[max(100 E[q] p, s)] - max(100 E[p] E[q], s)``, closed form;
- EVPPI of ``q``, the same with the roles swapped;
- EVPI = ``E_p[ E_q[max(100 p q, s)] ] - max(...)``: the inner expectation in
  closed form, the outer one a one-dimensional integral (``scipy.integrate.quad``).

The Monte Carlo estimates must fall within four standard errors of these.
"""

import textwrap

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

import analysis
from analysis import QueryError

A1, B1, A2, B2 = 3.0, 2.0, 4.0, 1.0
M1, M2 = A1 / (A1 + B1), A2 / (A2 + B2)

VENTURE = """\
    id: venture
    title: A two-stage venture
    as_of: 2025-01-01
    outcomes:
      won: {{label: Won, colour: "#1b9e77"}}
      lost: {{label: Lost, colour: "#d95f02"}}
      sure: {{label: Sure thing, colour: "#999999"}}
    stakeholders:
      investor: {{label: Investor}}
    utilities:
      investor:
        scale: payoff
        outcomes: {{won: 100, lost: 0, sure: {sure}}}
    phases:
      - id: choose
        question: Venture or sure thing?
        decision_maker: investor
        branches:
          venture: {{}}
          sure_thing: {{outcome: sure}}
      - id: stage_one
        question: Does the first stage succeed?
        branches:
          ok: {{prior: {{alpha: {a1}, beta: {b1}}}}}
          fails: {{outcome: lost}}
      - id: stage_two
        question: Does the second stage succeed?
        branches:
          ok: {{prior: {{alpha: {a2}, beta: {b2}}}}}
          fails: {{outcome: lost}}
    outcome_rules:
      - outcome: won
"""


def _venture(tmp_path, sure):
    path = tmp_path / f"venture_{sure}.yaml"
    path.write_text(textwrap.dedent(VENTURE.format(sure=sure, a1=A1, b1=B1, a2=A2, b2=B2)))
    return analysis.load_scenario(path)


def _expected_max(c, s, a, b):
    """E[max(c X, s)] for X ~ Beta(a, b), c > 0."""
    t = min(max(s / c, 0.0), 1.0)
    return s * special.betainc(a, b, t) + c * a / (a + b) * (1 - special.betainc(a + 1, b, t))


def _exact(sure):
    now = max(100 * M1 * M2, sure)
    evppi_p = _expected_max(100 * M2, sure, A1, B1) - now
    evppi_q = _expected_max(100 * M1, sure, A2, B2) - now

    def inner(p):
        return _expected_max(100 * p, sure, A2, B2) if p > 0 else sure

    def density(p):
        return np.exp((A1 - 1) * np.log(p) + (B1 - 1) * np.log1p(-p) - special.betaln(A1, B1))

    outer, _ = integrate.quad(lambda p: inner(p) * density(p), 0, 1, epsabs=1e-12,
                              points=[sure / 100])
    return outer - now, evppi_p, evppi_q


@pytest.mark.parametrize("sure", [45, 52])
def test_evpi_and_evppi_match_the_closed_forms(tmp_path, sure):
    scenario = _venture(tmp_path, sure)
    evpi, evppi_p, evppi_q = _exact(sure)
    assert evpi > evppi_p > 0 and evpi > evppi_q > 0  # a case where all three matter
    table = analysis.evpi(scenario, decision_maker="investor", n_draws=20_000, rng=2024).iloc[0]
    assert table.value_now == pytest.approx(max(100 * M1 * M2, sure))
    assert abs(table.evpi - evpi) < 4 * table.standard_error
    assert table.standard_error < 0.05 * evpi
    partial = analysis.evppi(scenario, decision_maker="investor", n_draws=20_000,
                             rng=2024).set_index("group")
    for group, exact in (("stage_one", evppi_p), ("stage_two", evppi_q)):
        row = partial.loc[group]
        assert abs(row.evppi - exact) < 4 * row.standard_error + 1e-9, group
    assert partial.attrs["evpi"] == pytest.approx(table.evpi)  # same seed, same draws
    both = analysis.evppi(scenario, decision_maker="investor", groups={"both": ["stage_one",
                                                                                "stage_two"]},
                          n_draws=20_000, rng=2024)
    assert both["evppi"].iloc[0] == pytest.approx(table.evpi)


def test_a_dominant_option_has_no_value_of_information(tmp_path):
    scenario = _venture(tmp_path, 0)  # the venture pays at least the sure 0
    assert analysis.evpi(scenario, decision_maker="investor", n_draws=500,
                         rng=1)["evpi"].iloc[0] == 0.0
    assert (analysis.evppi(scenario, decision_maker="investor", n_draws=500,
                           rng=1)["evppi"] == 0).all()


def test_same_seed_same_result_and_other_seeds_differ(tmp_path):
    scenario = _venture(tmp_path, 45)
    one = analysis.evppi(scenario, decision_maker="investor", n_draws=2000, rng=7)
    two = analysis.evppi(scenario, decision_maker="investor", n_draws=2000, rng=7)
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs["seed"] == 7
    other = analysis.evppi(scenario, decision_maker="investor", n_draws=2000, rng=8)
    assert not np.allclose(one["evppi"], other["evppi"])
    generator = np.random.default_rng(3)
    assert analysis.evpi(scenario, decision_maker="investor", n_draws=500,
                         rng=generator)["evpi"].iloc[0] > 0


def test_outcome_information_on_the_venture(tmp_path):
    """Knowing whether both stages succeed: take the venture only if it will win.

    With s = 45 and P(win) = .48: .48(100) + .52(45) = 71.4; EVPI = 71.4 - 48 = 23.4.
    """
    scenario = _venture(tmp_path, 45)
    row = analysis.evpi(scenario, decision_maker="investor", about="outcomes").iloc[0]
    assert (row.value_now, row.value_informed, row.evpi) == pytest.approx((48, 71.4, 23.4))
    assert row.n_draws == 0 and row.standard_error == 0
    # Knowing stage one only: if it fails, take the sure 45; if it succeeds, .8(100) = 80.
    partial = analysis.evppi(scenario, decision_maker="investor", groups=["stage_one"],
                             about="outcomes")
    assert partial["evppi"].iloc[0] == pytest.approx(0.6 * 80 + 0.4 * 45 - 48)


def test_the_deal_value_of_information_lies_in_governance():
    mediation = analysis.load_scenario("mediation")
    table = analysis.evppi(mediation, decision_maker="mediators", n_draws=2000,
                           rng=5).set_index("group")
    # The mediators decide after the ceasefire and the exchanges, before the withdrawal and
    # governance: only those two phases' priors can change the choice.
    assert table.loc[["ceasefire", "exchanges"], "evppi"].tolist() == [0, 0]
    assert 0 < table.loc["withdrawal", "evppi"] < table.loc["governance", "evppi"]
    assert table.loc["governance", "evppi"] <= table.attrs["evpi"] + 1e-9
    # Not defined for phases whose results the decision changes; the note says why.
    outcomes = analysis.evppi(mediation, decision_maker="mediators",
                              about="outcomes").set_index("group")
    assert np.isnan(outcomes.loc["governance", "evppi"])
    assert "not defined" in outcomes.loc["governance", "note"]
    assert outcomes.loc["ceasefire", "evppi"] == 0.0


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda s: analysis.evpi(s, decision_maker="investor", about="everything"), QueryError,
     "about =="),
    (lambda s: analysis.evpi(s, decision_maker="nobody"), QueryError, "unknown stakeholder"),
    (lambda s: analysis.evpi(s, decision_maker="investor", n_draws=1), ValueError, "n_draws == 1"),
    (lambda s: analysis.evpi(s, decision_maker="investor", n_draws=2.5), TypeError, "n_draws"),
    (lambda s: analysis.evppi(s, decision_maker="investor", groups=["stage_three"]), QueryError,
     "did you mean 'stage_two'"),
    (lambda s: analysis.evppi(s, decision_maker="investor", groups=["choose"], about="outcomes"),
     QueryError,
     "is a decision"),
    (lambda s: analysis.evpi(s, decision_maker="investor", rng="seed"), TypeError, "rng"),
])
def test_bad_arguments_are_clear_errors(tmp_path, call, error, message):
    with pytest.raises(error, match=message):
        call(_venture(tmp_path, 45))
