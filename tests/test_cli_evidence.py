"""``dealtree update`` and ``dealtree score`` (and their schemas): output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import analysis
from analysis.delivery.cli import main
from analysis.formats.evidence_file import evidence_json_schema
from analysis.formats.resolutions_file import resolutions_json_schema


def run(*args):
    """Run ``python -m analysis ARGS`` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True)


def test_update_json_matches_the_api(capsys):
    assert main(["update", "baseline", "gaza_2025", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    baseline = analysis.load_scenario("baseline")
    posterior = analysis.update_scenario(baseline, "gaza_2025")
    assert payload["scenario"] == "baseline" and payload["evidence"] == ["gaza_2025"]
    assert [o["posterior"] for o in payload["outcomes"]] == pytest.approx(
        analysis.outcome_distribution(posterior)["probability"].tolist())
    assert [o["prior"] for o in payload["outcomes"]] == pytest.approx(
        analysis.outcome_distribution(baseline)["probability"].tolist())
    assert payload["items"][0] == {"id": "truce_takes_effect", "date": "2025-10-10",
                                   "kind": "likelihood", "title": posterior.evidence.items[0].title}


def test_update_until_and_csv(capsys):
    assert main(["update", "baseline", "gaza_2025", "--until", "2025-10-13",
                 "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "outcome,label,prior,posterior"
    posterior = analysis.update_scenario(analysis.load_scenario("baseline"), "gaza_2025",
                                         until="2025-10-13")
    values = [float(line.split(",")[3]) for line in lines[1:]]
    assert values == pytest.approx(analysis.outcome_distribution(posterior)["probability"])


def test_update_table_names_the_evidence():
    result = run("update", "baseline", "gaza_2025")
    assert result.returncode == 0, result.stderr
    assert "Updated on 15 evidence items of gaza_2025, to 2026-06-30" in result.stdout
    assert "Frozen conflict" in result.stdout and "posterior" in result.stdout


def test_score_table_json_and_csv(capsys):
    assert main(["score", "baseline", "gaza_2025", "--format", "json", "--draws", "2000"]) == 0
    payload = json.loads(capsys.readouterr().out)
    forecasts = analysis.forecast_resolutions(analysis.load_scenario("baseline"), "gaza_2025",
                                              n_draws=2000, rng=0)
    scores = analysis.score_forecasts(forecasts)
    assert [q["brier"] for q in payload["questions"]] == pytest.approx(scores["brier"])
    # the rule: the provisional answer is listed but left out of the overall scores
    assert payload["overall"]["questions"] == 3 and payload["sequential"] is True
    assert payload["overall"]["provisional_left_out"] == 2
    assert payload["questions"][0]["resolved_on"] == "2025-10-13"
    assert {s["baseline"] for s in payload["skill"]} >= {"base_rate", "uniform"}
    assert payload["calibration"]["shown"] is False
    assert {q["question"] for q in payload["open"]} == {"truce_held_two_years",
                                                        "how_the_deal_ends"}
    assert main(["score", "baseline", "gaza_2025", "--format", "csv", "--marginal",
                 "--exclude-provisional"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("scenario,question,resolved_on,kind,observed,probability,brier,"
                        "log_score,brier_base_rate,brier_uniform,brier_persistence,"
                        "provisional")
    assert len(lines) == 4  # the provisional question left out
    assert main(["score", "disarmament_impasse", "gaza_2025", "--include-provisional"]) == 0
    out = capsys.readouterr().out
    assert "withdrawal_stalled *" in out and "Overall: 5 questions" in out


@pytest.mark.parametrize("kind", ["evidence", "resolutions"])
def test_schema_of_each_format(capsys, tmp_path, kind):
    make = evidence_json_schema if kind == "evidence" else resolutions_json_schema
    assert main(["schema", kind]) == 0
    assert capsys.readouterr().out == make()
    target = tmp_path / "schema.json"
    assert main(["schema", kind, "--output", str(target)]) == 0
    assert target.read_text() == make()


BAD_LOG = textwrap.dedent("""\
    id: bad
    title: Bad log
    items:
      - id: a
        date: 2025-11-01
        title: Halt
        cite: [ceasefire-facts.truce-2008-06]
        observed: {ceasefire: holds}
      - id: b
        date: 2025-11-02
        title: Contradiction
        cite: [ceasefire-facts.truce-2008-06]
        observed: {ceasefire: collapses}
    """)


@pytest.mark.parametrize("args", [
    ["update", "baseline", "nope"],
    ["update", "nope", "gaza_2025"],
    ["update", "baseline", "gaza_2025", "--until", "2025-13-01"],
    ["update", "baseline", "{bad}"],
    ["score", "baseline", "nope"],
    ["score", "baseline", "gaza_2025", "--draws", "0"],
    ["score", "baseline", "{log}"],
])
def test_bad_input_exits_2_without_traceback(tmp_path, args):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_LOG)
    args = [a.format(bad=bad, log=bad) for a in args]
    result = run(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "error:" in result.stderr


def test_contradictory_evidence_names_the_items(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_LOG)
    assert main(["update", "baseline", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:13: items[1].observed: item 'b'" in err
    assert "contradicts earlier item 'a'" in err
