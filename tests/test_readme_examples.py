"""Every complete scenario in scenarios/README.md loads, and computes what the text says.

A fenced ``yaml`` block with a top-level ``phases:`` (or ``extends:``) is a
complete scenario: each is written to a temporary folder and loaded. The
numbers the README states about them are checked by hand below.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import analysis

README = Path(analysis.__file__).resolve().parents[1] / "scenarios" / "README.md"
EXAMPLES_README = README.parent / "examples" / "README.md"


def _blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S)
            if re.search(r"^(phases|extends):", b, re.M)]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("readme") / "scenarios"
    folder.mkdir()
    scenarios = {}
    for number, block in enumerate(_blocks()):
        path = folder / f"block{number}.yaml"
        path.write_text(block, encoding="utf-8")
        scenario = analysis.load_scenario(path)
        scenarios[scenario.id] = scenario
    return scenarios


def test_every_complete_example_loads(loaded):
    assert len(_blocks()) >= 8
    assert {"example", "monitoring_choice", "parameters_example", "conditions_example",
            "risk_example", "information_example", "rule_example"} <= set(loaded)


def test_the_conditions_example(loaded):
    """OK when the trip goes or it rains: .5(.9) + .3(.6, the fee is over 10) + .2 = .83."""
    dist = analysis.outcome_distribution(loaded["conditions_example"]).set_index("outcome")
    assert dist.loc["ok", "probability"] == pytest.approx(0.83)
    cheap = loaded["conditions_example"].with_priors({"fee": 5})
    dist = analysis.outcome_distribution(cheap).set_index("outcome")
    assert dist.loc["ok", "probability"] == pytest.approx(0.5 * 0.9 + 0.3 * 0.9 + 0.2)


def test_the_parameters_example(loaded):
    """P(positive) = p s + (1 - p)(1 - c) at the priors' means; cost E = P(+)(E[cost] + 50) ..."""
    scenario = loaded["parameters_example"]
    p, s = 13 / 102, 45 / 50
    c = (0.8 + 4 * 0.9 + 0.95) / 6
    positive = p * s + (1 - p) * (1 - c)
    dist = analysis.outcome_distribution(scenario).set_index("outcome")
    assert dist.loc["treated", "probability"] == pytest.approx(positive)
    cost = analysis.expected_attributes(scenario).set_index("attribute").loc["cost", "expected"]
    assert cost == pytest.approx(positive * 2050 + (1 - positive) * 50)


def test_the_risk_example(loaded):
    """Invest: a total of 160 or -100, even odds; u(x) = 500 (1 - exp(-x / 500))."""
    result = analysis.rollback(loaded["risk_example"], decision_maker="investor")
    utility = 0.5 * 500 * (1 - math.exp(-160 / 500)) + 0.5 * 500 * (1 - math.exp(100 / 500))
    assert result.chosen_options() == {"(start)": "invest"}
    assert result.value == pytest.approx(utility)
    assert result.certainty_equivalent == pytest.approx(-500 * math.log(1 - utility / 500))


def test_the_information_example(loaded):
    """Treat if positive (P(sick | +) = .09 / .27), wait if negative: .27(29/3) + .73(...)."""
    scenario = loaded["information_example"]
    result = analysis.rollback(scenario, decision_maker="doctor")
    assert result.chosen_options() == {"test=positive": "treat", "test=negative": "wait"}
    negative = (0.01 * 3 + 0.72 * 10) / 0.73
    assert result.value == pytest.approx(0.27 * (0.09 * 10 + 0.18 * 9.5) / 0.27
                                         + 0.73 * negative)
    worth = analysis.evppi(scenario, decision_maker="doctor", about="outcomes",
                           groups=["disease"]).iloc[0]
    assert worth["evppi"] == pytest.approx(10 - result.value)


def test_the_rule_example(loaded):
    scenario = loaded["rule_example"]
    hurwicz = analysis.rollback(scenario, decision_maker="firm")
    assert hurwicz.rule == "Hurwicz (alpha = 0.3)"
    assert hurwicz.chosen_options() == {"(start)": "safe"}
    expected = analysis.rollback(scenario, decision_maker="firm", rule="expected_value")
    assert expected.chosen_options() == {"(start)": "bold"}
    assert expected.value == pytest.approx(0.6 * 10 - 0.4 * 2)


def test_the_examples_folder_has_a_readme_naming_every_example():
    text = EXAMPLES_README.read_text(encoding="utf-8")
    for path in README.parent.joinpath("examples").glob("*.yaml"):
        assert path.name in text, path.name
