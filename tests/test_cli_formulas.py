"""The command line's new options: decision rules, explicit ranges, the policy held fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.delivery.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "scenarios" / "examples"
OIL = str(EXAMPLES / "oil_field_test.yaml")
WILDCATTER = str(EXAMPLES / "wildcatter_seismic.yaml")


def test_decide_with_a_rule(capsys):
    assert main(["decide", WILDCATTER, "--for", "wildcatter", "--rule", "hurwicz",
                 "--alpha", "0.5", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["rule"] == "Hurwicz (alpha = 0.5)"
    assert payload["rule_value"] == pytest.approx(0.5 * 200 + 0.5 * -70)
    assert main(["decide", WILDCATTER, "--for", "wildcatter", "--rule", "maximin"]) == 0
    assert "Decision rule: maximin (best worst case)" in capsys.readouterr().out


def test_tornado_with_ranges_and_a_fixed_policy(capsys):
    assert main(["tornado", OIL, "--output", "utility:owner", "--for", "owner", "--policy",
                 "fixed", "--range", "test_cost=0:300", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    rows = {r["parameter"]: r for r in payload["parameters"]}
    assert rows["test_cost"]["result_low"] == pytest.approx(1175)
    assert rows["test_cost"]["result_high"] == pytest.approx(875)


@pytest.mark.parametrize(("args", "fragment"), [
    (["decide", OIL, "--for", "owner", "--rule", "maximum"], "unknown rule 'maximum'"),
    (["decide", OIL, "--for", "owner", "--rule", "hurwicz"], "needs alpha"),
    (["tornado", OIL, "--output", "utility:owner", "--range", "test_cost=3"],
     "expected PARAMETER=LOW:HIGH"),
    (["tornado", OIL, "--output", "utility:owner", "--range", "tets_cost=0:3"],
     "did you mean 'test_cost'"),
    (["tornado", OIL, "--output", "utility:owner", "--policy", "fixed"], "goes with --for"),
    (["export", OIL, "--format", "silverdecisions", "--for", "nobody"], "nobody"),
])
def test_bad_options_exit_2_without_a_traceback(capsys, args, fragment):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
