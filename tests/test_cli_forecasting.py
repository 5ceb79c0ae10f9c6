"""``dealtree score`` (skill, open questions) and ``dealtree watch``: outputs, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import analysis
from analysis.delivery.cli import main


def run(*args):
    """Run ``python -m analysis ARGS`` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True)


def test_score_defaults_to_the_scenarios_resolutions_and_reports_skill(capsys):
    assert main(["score", "baseline", "--draws", "2000"]) == 0
    out = capsys.readouterr().out
    assert "forecasts of gaza_2025" in out
    assert "Skill against base rate:" in out and "Skill against uniform:" in out
    assert "Calibration not shown: 3 final answer(s), fewer than the 20" in out
    assert "2 provisional answer(s) left out" in out
    assert "ends_in_war *" in out  # the main outcome, provisionally answered
    assert "Open questions (current forecast):" in out and "how_the_deal_ends" in out


def test_score_with_evidence_averages_over_each_questions_life(capsys):
    assert main(["score", "baseline", "--evidence", "gaza_2025", "--draws", "2000",
                 "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    steps = analysis.brier_over_time(analysis.load_scenario("baseline"), "gaza_2025",
                                     "gaza_2025", n_draws=2000, rng=0)
    averages = steps.drop_duplicates("question").set_index("question")["time_averaged"]
    got = {q["question"]: q["brier_time_averaged"] for q in payload["questions"]}
    assert got == pytest.approx(averages.to_dict())
    final = [q for q in payload["questions"] if not q["provisional"]]
    assert payload["overall"]["brier_time_averaged"] == pytest.approx(
        sum(q["brier_time_averaged"] for q in final) / len(final))
    assert payload["evidence"] == "gaza_2025"
    assert all(q["brier_persistence"] is None or q["brier_persistence"] >= 0
               for q in payload["questions"])


def test_watch_table_json_and_csv(capsys):
    assert main(["watch", "baseline"]) == 0
    out = capsys.readouterr().out
    assert "signposts of gaza_2025" in out and "weapons_handed_over" in out
    assert "percentage points" in out
    assert main(["watch", "baseline", "--format", "json", "--top", "3"]) == 0
    payload = json.loads(capsys.readouterr().out)
    ranked = payload["watchlist"]
    assert [s["rank"] for s in ranked] == [1, 2, 3]
    assert ranked[0]["largest"] >= ranked[1]["largest"] >= ranked[2]["largest"]
    table = analysis.watch_table(analysis.load_scenario("baseline"), "gaza_2025")
    top = table[table["rank"] == 1]
    assert [o["change"] for o in ranked[0]["outcomes"]] == pytest.approx(top["change"].tolist())
    for signpost in ranked:
        assert sum(o["after"] for o in signpost["outcomes"]) == pytest.approx(1)
    assert main(["watch", "baseline", "--format", "csv", "--evidence", "gaza_2025"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("rank,signpost,watch,phase,favours,written,outcome,label,before,after,"
                        "change,largest,seen_in")
    assert len(lines) == 1 + 10 * 5  # a row per signpost and outcome


LINKED = textwrap.dedent("""\
    id: linked
    title: Linked log
    items:
      - id: deaths
        date: 2025-11-01
        title: A deadly week
        cite: [ceasefire-facts.outcome-2025-10-28-strikes]
        phase: ceasefire
        likelihoods: {collapses: 2}
        signpost: {signpost}
    """)


def test_watch_marks_the_signposts_evidence_resolves(tmp_path, capsys):
    log = tmp_path / "linked.yaml"
    log.write_text(LINKED.replace("{signpost}", "weekly_deaths_above_100"))
    assert main(["watch", "baseline", "--evidence", str(log), "--format", "json"]) == 0
    seen = {s["signpost"]: s["seen_in"] for s in json.loads(capsys.readouterr().out)
            ["watchlist"]}
    assert seen["weekly_deaths_above_100"] == "deaths"
    assert seen["weapons_handed_over"] == ""


@pytest.mark.parametrize(("args", "message"), [
    (["watch", "baseline", "--signposts", "nope"], "no watchlist of that name"),
    (["watch", "baseline", "--top", "0"], "--top: expected a whole number from 1"),
    (["watch", "baseline", "--evidence", "{bad_link}"], "unknown signpost 'weekly_deaths'"),
    (["watch", "{no_notebooks}"], "no watchlist for"),
    (["score", "{no_notebooks}"], "no resolutions for"),
])
def test_bad_input_exits_2_without_traceback(tmp_path, args, message):
    bad_link = tmp_path / "bad_link.yaml"
    bad_link.write_text(LINKED.replace("{signpost}", "weekly_deaths"))
    plain = tmp_path / "plain.yaml"
    text = (analysis.load_scenario("baseline").folder / "baseline.yaml").read_text()
    start = text.index("notebooks:")
    end = text.index("\noutcomes:")
    plain.write_text(text[:start] + text[end + 1:])
    args = [a.format(bad_link=bad_link, no_notebooks=plain) for a in args]
    result = run(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and message in result.stderr, result.stderr


OPEN = textwrap.dedent("""\
    id: open_only
    title: Open only
    day_zero: 2025-10-10
    questions:
      - id: how
        question: Which outcome?
        criteria: The outcomes.
        resolver: Wire reports.
        opens: 2025-10-10
        deadline: 2027-12-31
        outcome: all
      - id: war
        question: War by 2026?
        criteria: A declared operation.
        resolver: Wire reports.
        opens: 2025-10-10
        deadline: 2026-12-31
        outcome: [renewed_war]
        answer: {value: "no", resolved_on: 2026-07-02, provisional: true,
                 cite: [ceasefire-facts.truce-2025-10]}
    """)


def test_score_with_no_final_answer(tmp_path, capsys):
    path = tmp_path / "open.yaml"
    path.write_text(OPEN)
    assert main(["score", "baseline", str(path), "--draws", "500"]) == 0
    out = capsys.readouterr().out
    assert "Overall: no final answer to score (1 provisional answer(s) left out)." in out
    assert "how: Durable settlement" in out
    assert main(["score", "baseline", str(path), "--draws", "500", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["overall"]["brier"] is None and payload["skill"] == []
    assert payload["questions"][0]["brier_uniform"] == 0.5
    assert payload["questions"][0]["brier_base_rate"] is None


def test_schema_of_watchlists(capsys, tmp_path):
    from analysis.formats.signposts_file import signposts_json_schema

    assert main(["schema", "signposts"]) == 0
    assert capsys.readouterr().out == signposts_json_schema()
    target = tmp_path / "schema.json"
    assert main(["schema", "signposts", "--output", str(target)]) == 0
    assert target.read_text() == signposts_json_schema()
