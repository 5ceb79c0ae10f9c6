"""``dealtree tornado`` and ``dealtree decide``: output in every format, and exit codes."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.delivery.cli import main

TEXACO = str(Path(__file__).resolve().parent / "data" / "texaco_pennzoil.yaml")


def run(*args):
    """Run ``python -m analysis ARGS`` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True)


def test_tornado_json_matches_the_api(capsys):
    assert main(["tornado", "mediation", "--output", "renewed_war", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    table = analysis.tornado_table(analysis.load_scenario("mediation"), output="renewed_war")
    assert [p["parameter"] for p in payload["parameters"]] == table["parameter"].tolist()
    assert [p["swing"] for p in payload["parameters"]] == pytest.approx(table["swing"].tolist())
    assert payload["unit"] == "probability" and payload["interval"] == 0.9
    assert payload["base"] == pytest.approx(table["base"].iloc[0])


def test_tornado_csv_with_a_decision_maker_and_top(capsys):
    assert main(["tornado", "mediation", "--output", "utility:mediators", "--for", "mediators",
                 "--top", "3", "--interval", "0.8", "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    table = analysis.tornado_table(analysis.load_scenario("mediation"), output="utility:mediators",
                                   interval=0.8, decision_maker="mediators").head(3)
    assert frame["parameter"].tolist() == table["parameter"].tolist()
    assert frame["result_high"].to_numpy() == pytest.approx(table["result_high"].to_numpy())


def test_tornado_table_is_readable(capsys):
    assert main(["tornado", "baseline", "--output", "renewed_war", "--given",
                 "exchanges=complete", "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "tornado of Renewed war  (given exchanges=complete)" in out
    assert "At the priors' means:" in out and "%" in out
    assert len(out.strip().splitlines()) == 2 + 2 + 2  # title, base, blank, header, 2 rows


def test_decide_json_matches_the_api(capsys):
    assert main(["decide", TEXACO, "--for", "pennzoil", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["value"] == pytest.approx(4.6348)
    chosen = [row["option"] for row in payload["policy"] if row["chosen"]]
    assert chosen == ["counteroffer_5", "refuse_3"]
    assert payload["best_options"][0]["option"] == "counteroffer_5"
    assert {row["option"] for row in payload["option_values"]} == {"accept_2",
                                                                   "counteroffer_5", "court"}


def test_decide_table_and_csv(capsys):
    assert main(["decide", "mediation", "--for", "mediators"]) == 0
    out = capsys.readouterr().out
    # by hand: 10/11 (0.5 39.675 + 0.4 21) = 25.6705 (see test_decisions)
    assert "Expected utility of the optimal policy for Mediators: 25.67 points" in out
    assert "* Stabilization force" in out
    assert "Best for each: Israel: Stabilization force; Hamas: Monitoring mission" in out
    assert main(["decide", "mediation", "--for", "mediators", "--given", "exchanges=partial",
                 "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert set(frame["information"]) == {"ceasefire=holds > exchanges=partial"}
    assert len(frame) == 3 * 5  # options x stakeholders


@pytest.mark.parametrize(("args", "message"), [
    (["tornado", "mediation", "--output", "renewed_wr"], "did you mean 'renewed_war'"),
    (["tornado", "mediation", "--output", "renewed_war", "--for", "hamas"],
     "takes no decision"),
    (["tornado", "nowhere", "--output", "renewed_war"], "no such file"),
    (["decide", "mediation", "--for", "mediatrs"], "did you mean 'mediators'"),
    (["decide", "baseline", "--for", "mediators"], "unknown stakeholder"),
    (["decide", "mediation", "--for", "mediators", "--given", "governance=implemented"],
     "at or after the decision"),
    (["decide", "mediation", "--for", "mediators", "--given", "exchanges"],
     "expected PHASE=BRANCH"),
])
def test_bad_input_exits_2_without_a_traceback(args, message):
    result = run(*args)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_required_options_are_usage_errors():
    for args in (["tornado", "mediation"], ["decide", "mediation"]):
        result = run(*args)
        assert result.returncode == 2
        assert "required" in result.stderr and "Traceback" not in result.stderr
