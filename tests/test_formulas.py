"""Named parameters and formulas: the language, its safety, located errors, draws.

Formulas are checked against a whitelist before anything is computed and
never reach Python's eval; hostile ones are refused with the file, the line
and the reason. Distributions are checked against their closed forms, and
Monte Carlo over named parameters against exact evaluation.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest
from conftest import marked_line
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis
from analysis.core.expressions import (
    MAX_LENGTH,
    EvaluationError,
    ExpressionError,
    parse_expression,
)

# ------------------------------------------------------------------------ the language


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("2 ^ 3 ^ 2", {}, 512.0),
    ("-2 ^ 2", {}, -4.0),
    ("a * b + c", {"a": 2, "b": 3, "c": 1}, 7.0),
    ("min(a, b, 3) + max(a, 10)", {"a": 2, "b": 5}, 12.0),
    ("a if a > b else b", {"a": 2, "b": 5}, 5.0),
    ("ifelse(a > 1 and b < 1, 10, 20)", {"a": 2, "b": 0.5}, 10.0),
    ("not (a == 2) or a != 2", {"a": 2}, 0.0),
    ("1 < a <= 2", {"a": 2}, 1.0),
    ("log(100, 10) + log10(1000) + exp(0) + sqrt(16)", {}, 10.0),
    ("clip(a, 0, 1) + abs(-2) + floor(1.5) + ceil(1.5) + round(2.4)", {"a": 7}, 8.0),
    ("pi", {}, math.pi),
    ("7 % 3", {}, 1.0),
])
def test_formulas_compute(text, values, expected):
    assert parse_expression(text).evaluate(values)[0] == pytest.approx(expected)


def test_formulas_are_vectorised_over_draws():
    values = {"p": np.array([0.1, 0.5, 0.9]), "q": 2.0}
    result = parse_expression("p * q + ifelse(p > 0.4, 1, 0)").evaluate(values, 3)
    assert result.tolist() == pytest.approx([0.2, 2.0, 2.8])


def test_only_the_branch_a_row_takes_is_checked():
    result = parse_expression("1 / x if x != 0 else 0").evaluate({"x": np.array([0.0, 2.0])}, 2)
    assert result.tolist() == [0.0, 0.5]


def test_an_error_names_the_part_and_the_first_bad_draw():
    with pytest.raises(EvaluationError) as info:
        parse_expression("1 + log(x)").evaluate({"x": np.array([1.0, 2.0, -1.0])}, 3)
    assert info.value.row == 2 and info.value.part == "log(x)"


@pytest.mark.parametrize(("text", "fragment"), [
    ("os.system('x')", "text"),
    ("os.system(1)", "only the listed functions"),
    ("x.__class__", "attribute access"),
    ("__import__(1)", "unknown function '__import__'"),
    ("__builtins__", "names may not start with '_'"),
    ("eval(1)", "unknown function 'eval'"),
    ("exec(1)", "unknown function 'exec'"),
    ("open(1)", "unknown function 'open'"),
    ("(lambda: 1)()", "only the listed functions"),
    ("lambda: 1", "a lambda"),
    ("[x for x in y]", "comprehension"),
    ("a[0]", "indexing"),
    ("{1: 2}", "a mapping"),
    ("a := 1", "not a formula"),
    ("a // b", "'//'"),
    ("a & b", "'&'"),
    ("a # comment", "comment"),
    ("min(a)", "at least 2"),
    ("f(x)", "unknown function 'f'"),
    ("1" + "0" * 400, "too large"),
    ("(" * 300 + "1" + ")" * 300, "nested"),
    ("-" * 40 + "1", "nested too deeply"),
    ("x" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH}"),
    ("", "empty"),
    ("#", "rest"),
    ("a if b", "else"),
    ("a\x00b", "unexpected character"),
])
def test_hostile_formulas_are_refused(text, fragment):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert fragment in str(info.value), str(info.value)


def test_huge_powers_are_refused_quickly_not_computed():
    start = time.perf_counter()
    with pytest.raises(EvaluationError, match="overflows"):
        parse_expression("9 ** 9 ** 9 ** 9").evaluate({})
    assert time.perf_counter() - start < 0.5


def test_nothing_is_executed(tmp_path, monkeypatch):
    """A formula naming Python's builtins never runs them: eval is never called."""
    import builtins

    called = []
    monkeypatch.setattr(builtins, "eval", lambda *a, **k: called.append(a))
    monkeypatch.setattr(builtins, "exec", lambda *a, **k: called.append(a))
    for text in ("eval(1)", "exec(1)", "__builtins__", "globals()"):
        with pytest.raises(ExpressionError):
            parse_expression(text)
    assert parse_expression("a + 1").evaluate({"a": 1})[0] == 2
    assert not called


@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))
@settings(max_examples=50, deadline=None)
def test_writing_a_formula_back_reads_the_same(a, b):
    formula = parse_expression("(a - b) ^ 2 / (1 + abs(b)) - -a * max(a, b)")
    again = parse_expression(formula.to_text())
    mathjs = parse_expression(formula.to_text("mathjs"))
    values = {"a": a, "b": b}
    first = formula.evaluate(values)[0]
    assert again.evaluate(values)[0] == pytest.approx(first, rel=1e-12)
    assert mathjs.evaluate(values)[0] == pytest.approx(first, rel=1e-12)


def test_linearity_is_known_for_the_value_of_information():
    assert parse_expression("p * s + (1 - p) * (1 - c)").is_linear_in("p")
    assert not parse_expression("s * p / (p * s + 1)").is_linear_in("p")
    assert not parse_expression("p ^ 2").is_linear_in("p")


# --------------------------------------------------------------------- in scenario files


def _scenario(scenario_text, parameters: str, prior: str = "p",
              extra: str = "") -> str:
    return scenario_text(f"""\
        parameters:
        {parameters}
        phases:
          - id: first
            question: First?
            branches:
              x: {{prior: "{prior}", outcome: good{extra}}}
              y: {{prior: "#", outcome: bad}}
        """)


def test_an_unknown_name_is_located_with_a_suggestion(scenario_text, expect_problem):
    text = _scenario(scenario_text, "  prob: 0.3", prior="prb * 2").replace(
        'outcome: good}', 'outcome: good}  # <-')
    expect_problem(text, "phases[0].branches.x", "unknown parameter 'prb'",
                   "did you mean 'prob'")


def test_a_hostile_formula_in_a_file_is_located(scenario_text, expect_problem):
    text = _scenario(scenario_text, "  p: 0.3", prior="os.system(1)").replace(
        'outcome: good}', 'outcome: good}  # <-')
    expect_problem(text, "phases[0].branches.x.prior", "only the listed functions")


def test_a_probability_out_of_range_names_the_formula_and_the_values(scenario_text,
                                                                     load_error):
    text = _scenario(scenario_text, "  p: 0.8", prior="p * 2")
    path, error = load_error(text)
    [problem] = error.problems
    assert problem.file == str(path) and problem.line == marked_line(
        text.replace('prior: "p * 2"', 'prior: "p * 2"  # <-'), "# <-")
    assert "'p * 2' = 1.6" in problem.message and "p = 0.8" in problem.message
    assert "at the base case" in problem.message


def test_a_probability_out_of_range_in_a_draw_names_the_draw(scenario_text, write_yaml):
    scenario = analysis.load_scenario(write_yaml(_scenario(
        scenario_text, "  p: {distribution: normal, mean: 0.5, sd: 0.3}")))
    with pytest.raises(analysis.QueryError, match=r"expected a probability in \[0, 1\], "
                                                  r"at draw \d+ \(p = "):
        analysis.sample_outcomes(scenario, n_draws=1000, rng=1)


def test_formula_parameters_in_a_cycle_are_refused(scenario_text, expect_problem):
    text = _scenario(scenario_text, '  p: "q + 0"  # <-\n          q: "p * 1"')
    expect_problem(text, "parameters.p", "cycle", "p -> q -> p")


def test_distribution_mistakes_are_explained(scenario_text, load_error):
    text = _scenario(scenario_text, "  p: {mean: 40, sd: 5}\n"
                                    "          q: {distribution: gamma, mean: 1}\n"
                                    "          r: {low: 3, mode: 1, high: 2}")
    _, error = load_error(text)
    messages = {p.location: p.message for p in error.problems}
    assert "distribution: normal" in messages["parameters.p"]
    assert "unknown distribution 'gamma'" in messages["parameters.q"]
    assert "low <= mode <= high" in messages["parameters.r"]


@pytest.mark.parametrize(("prior", "mean", "sd"), [
    ("{alpha: 2, beta: 6}", 0.25, math.sqrt(12 / (64 * 9))),
    ("{successes: 3, trials: 10}", 4 / 12, math.sqrt(4 * 8 / (144 * 13))),
    ("{mean: 0.3, sd: 0.1}", 0.3, 0.1),
    ("{low: 0.1, mode: 0.2, high: 0.6}", (0.1 + 0.8 + 0.6) / 6, None),
    ("{distribution: uniform, low: 0.2, high: 0.6}", 0.4, 0.4 / math.sqrt(12)),
    ("{distribution: triangular, low: 0.1, mode: 0.2, high: 0.6}", 0.3,
     math.sqrt((0.01 + 0.36 + 0.04 - 0.06 - 0.02 - 0.12) / 18)),
    ("{distribution: normal, mean: 0.5, sd: 0.05}", 0.5, 0.05),
    ("{distribution: lognormal, mean: 0.4, sd: 0.05}", 0.4, 0.05),
])
def test_each_distribution_has_its_closed_form_mean_and_spread(scenario_text, write_yaml,
                                                               prior, mean, sd):
    scenario = analysis.load_scenario(write_yaml(_scenario(scenario_text, f"  p: {prior}")))
    dist = analysis.outcome_distribution(scenario).set_index("outcome")
    assert dist.loc["good", "probability"] == pytest.approx(mean)
    samples = analysis.sample_outcomes(scenario, n_draws=40_000, rng=7, keep_draws=True)
    draws = samples.parameter_draws()["p"]
    assert draws.mean() == pytest.approx(mean, abs=4 * draws.std() / 200)
    if sd is not None:
        assert draws.std() == pytest.approx(sd, rel=0.03)


def test_a_dirichlet_group_defines_shares_that_sum_to_one(scenario_text, write_yaml):
    text = scenario_text("""\
        parameters:
          site: {dirichlet: {dry: 5, wet: 3, soaking: 2}}
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: dry, outcome: good}
              y: {prior: wet, outcome: bad}
              z: {prior: soaking, outcome: bad}
        """)
    scenario = analysis.load_scenario(write_yaml(text))
    samples = analysis.sample_outcomes(scenario, n_draws=20_000, rng=3, keep_draws=True)
    draws = samples.parameter_draws()
    assert np.allclose(draws[["dry", "wet", "soaking"]].sum(axis=1), 1)
    assert draws["dry"].mean() == pytest.approx(0.5, abs=0.01)
    groups = analysis.parameter_groups(scenario)
    assert groups.set_index("group").loc["site", "parameters"] == "dry, wet, soaking"


def test_remainders_share_the_rest_equally(scenario_text, write_yaml):
    text = scenario_text("""\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.4, outcome: good}
              y: {prior: "#", outcome: bad}
              z: {prior: "#", outcome: bad}
        """)
    scenario = analysis.load_scenario(write_yaml(text))
    assert scenario.tree.sets[0].means().tolist() == pytest.approx([0.4, 0.3, 0.3])


def test_monte_carlo_over_named_parameters_matches_exact_evaluation(scenario_text, write_yaml):
    """E[P(good)] = E[p] E[q] for independent p, q: exact within 4 standard errors."""
    text = scenario_text("""\
        parameters:
          p: {alpha: 3, beta: 2}
          q: {distribution: uniform, low: 0.2, high: 0.8}
          cost: {distribution: normal, mean: 100, sd: 20}
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: "p * q", attributes: {cost: cost}}
              y: {prior: "#", outcome: bad, attributes: {cost: "cost / 2"}}
          - id: second
            question: Second?
            branches:
              g: {prior: 1, outcome: good}
              h: {prior: 0, outcome: bad}
        """)
    scenario = analysis.load_scenario(write_yaml(text))
    samples = analysis.sample_outcomes(scenario, n_draws=50_000, rng=11)
    table = analysis.outcome_intervals(samples).set_index("outcome")
    exact = 0.6 * 0.5
    assert table.loc["good", "at_means"] == pytest.approx(exact)
    assert table.loc["good", "mean"] == pytest.approx(exact, abs=4 * table.loc["good", "mcse"])
    cost = analysis.attribute_intervals(samples).set_index("attribute").loc["cost"]
    assert cost["mean"] == pytest.approx(100 * (exact + (1 - exact) / 2), abs=1.0)
    again = analysis.sample_outcomes(scenario, n_draws=50_000, rng=11)
    assert np.array_equal(again.mean, samples.mean)  # the same seed, the same draws


def test_with_priors_changes_a_named_parameter(scenario_text, write_yaml):
    scenario = analysis.load_scenario(write_yaml(_scenario(scenario_text, "  p: 0.3")))
    changed = scenario.with_priors({"p": {"alpha": 1, "beta": 1}})
    assert changed.changes == ("p = {alpha: 1, beta: 1}",)
    dist = analysis.outcome_distribution(changed).set_index("outcome")
    assert dist.loc["good", "probability"] == pytest.approx(0.5)
    with pytest.raises(analysis.ScenarioError, match="names no parameter"):
        scenario.with_priors({"pp": 0.2})


@given(st.text(alphabet="pq+-*/^()<>=!%,.:[]_#'\" 0129eifnotal", max_size=40))
@settings(max_examples=300, deadline=None)
def test_any_text_as_a_formula_loads_or_is_refused_cleanly(text):
    """Whatever a file holds where a formula goes: a scenario, or a located ScenarioError."""
    import tempfile
    from pathlib import Path

    body = f"""\
id: fuzz
title: Fuzz
as_of: 2025-01-01
parameters:
  p: 0.4
  q: {{alpha: 2, beta: 3}}
outcomes:
  good: {{label: Good, colour: "#1b9e77"}}
  bad: {{label: Bad, colour: "#d95f02"}}
stakeholders:
  me: {{label: Me}}
utilities:
  me: {{scale: points, outcomes: {{good: 1, bad: 0}}}}
phases:
  - id: first
    question: First?
    branches:
      x: {{prior: {json.dumps(text)}, outcome: good, payoffs: {{me: {json.dumps(text)}}}}}
      y: {{prior: "#", outcome: bad}}
"""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(body, encoding="utf-8")
        try:
            scenario = analysis.load_scenario(path)
        except analysis.ScenarioError as error:
            assert error.problems and all(p.file == str(path) for p in error.problems)
            return
        analysis.outcome_distribution(scenario)
