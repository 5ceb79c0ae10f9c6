"""The dealtree command line: output and exit codes, run as a user would."""

import json
import subprocess
import sys

import pytest

import analysis
from analysis.delivery.cli import main


def run(*args):
    """Run ``python -m analysis ARGS`` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True)


def test_summary_json_outcomes_sum_to_one_and_match_the_api():
    result = run("summary", "baseline", "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    probabilities = [o["probability"] for o in payload["outcomes"]]
    assert sum(probabilities) == pytest.approx(1, abs=1e-12)
    exact = analysis.outcome_distribution(analysis.load_scenario("baseline"))
    assert probabilities == pytest.approx(exact["probability"].tolist(), abs=1e-15)
    assert {a["attribute"] for a in payload["attributes"]} >= {"living_hostages_returned"}


def test_summary_given_conditions_like_the_api(capsys):
    assert main(["summary", "baseline", "--given", "exchanges=complete", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    expected = analysis.outcome_distribution(analysis.load_scenario("baseline"),
                                             given={"exchanges": "complete"})
    assert payload["given"] == {"exchanges": ["complete"]}
    assert [o["probability"] for o in payload["outcomes"]] == pytest.approx(
        expected["probability"].tolist())


def test_summary_given_accepts_alternatives(capsys):
    assert main(["summary", "baseline", "--given", "exchanges=complete|partial",
                 "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "kind,name,label,value,unit"
    outcome_values = [float(line.split(",")[3]) for line in lines if line.startswith("outcome,")]
    assert sum(outcome_values) == pytest.approx(1)


def test_summary_table_shows_percentages(capsys):
    assert main(["summary", "disarmament_impasse"]) == 0
    out = capsys.readouterr().out
    assert "impasse over disarmament" in out and "Renewed war" in out and "%" in out


@pytest.mark.parametrize("given", ["exchanges=nope", "nophase=x", "exchanges"])
def test_summary_bad_condition_exits_2_without_traceback(given):
    result = run("summary", "baseline", "--given", given)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "error:" in result.stderr


def test_summary_unknown_scenario_suggests_a_name():
    result = run("summary", "baselin")
    assert result.returncode == 2
    assert "did you mean 'baseline'" in result.stderr


def test_validate_ok_files_exit_0():
    result = run("validate", "scenarios/baseline.yaml", "scenarios/disarmament_impasse.yaml")
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(": ok") == 2


def test_validate_reports_each_bad_file_with_located_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((analysis.model.scenario.scenarios_dir() / "baseline.yaml").read_text()
                   .replace("concentration: 5", "concentration: -5", 1))
    missing = tmp_path / "missing.yaml"
    result = run("validate", "scenarios/baseline.yaml", str(bad), str(missing))
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "scenarios/baseline.yaml: ok" in result.stdout
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1)
                if "concentration: -5" in text)
    assert (f"{bad}:{line}: phases[1].branches.complete.prior.concentration: got -5"
            in result.stdout)
    assert f"{missing}: (document): no such file" in result.stdout


def test_validate_prints_warnings_but_passes(tmp_path):
    text = (analysis.model.scenario.scenarios_dir() / "baseline.yaml").read_text()
    text = text.replace("outcomes:\n", "outcomes:\n  unused:\n    label: Unused\n"
                        "    colour: \"#000000\"\n", 1)
    path = tmp_path / "warn.yaml"
    path.write_text(text)
    result = run("validate", str(path))
    assert result.returncode == 0
    assert "warning:" in result.stdout and "'unused'" in result.stdout


def test_schema_command_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "dealtree scenario"


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("dealtree ")


# ------------------------------------------------------------- Monte Carlo columns


def test_summary_without_draws_has_no_interval_columns(capsys):
    assert main(["summary", "baseline", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "kind,name,label,value,unit"


def test_summary_draws_add_intervals_like_the_api(capsys):
    assert main(["summary", "baseline", "--draws", "20000", "--seed", "4", "--format",
                 "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["draws"], payload["seed"], payload["interval"]) == (20000, 4, 0.9)
    baseline = analysis.load_scenario("baseline")
    samples = analysis.sample_outcomes(baseline, n_draws=20000, rng=4)
    expected = analysis.outcome_intervals(samples)
    for row, (_, want) in zip(payload["outcomes"], expected.iterrows(), strict=True):
        assert row["probability"] == pytest.approx(want["at_means"])
        assert (row["mean"], row["p05"], row["median"], row["p95"]) == pytest.approx(
            (want["mean"], want["lower"], want["median"], want["upper"]), rel=1e-12)
    assert set(payload["attributes"][0]) == {"attribute", "label", "unit", "expected", "sd",
                                             "mean", "p05", "median", "p95"}


def test_summary_draws_same_seed_same_output(capsys):
    args = ["summary", "baseline", "--draws", "5000", "--seed", "0", "--interval", "0.8"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first
    lines = first.splitlines()
    assert lines[2].split() == ["label", "probability", "p10", "median", "p90"]
    assert "the central 80% of 5,000 draws of the priors (seed 0)" in first


def test_summary_draws_csv_and_given(capsys):
    assert main(["summary", "baseline", "--draws", "3000", "--seed", "1", "--interval", "0.95",
                 "--given", "exchanges=complete", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "kind,name,label,value,unit,mean,p2.5,median,p97.5"
    rows = [line.split(",") for line in lines[1:] if line.startswith("outcome,")]
    assert sum(float(r[5]) for r in rows) == pytest.approx(1)
    for row in rows:
        assert float(row[6]) <= float(row[7]) <= float(row[8])


@pytest.mark.parametrize(("args", "message"), [
    (["--draws", "1"], "argument --draws: got 1, expected at least 2"),
    (["--draws", "many"], "argument --draws: got 'many', expected a whole number"),
    (["--draws", "10", "--seed", "-1"], "argument --seed: got -1, expected 0 or more"),
    (["--draws", "10", "--interval", "1"], "argument --interval: got 1.0, expected a probability"),
    (["--seed", "3"], "--seed and --interval go with --draws N"),
    (["--interval", "0.5"], "--seed and --interval go with --draws N"),
])
def test_summary_bad_draw_options_exit_2(args, message):
    result = run("summary", "baseline", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_summary_draws_without_a_terminal_bar_for_small_runs():
    result = run("summary", "baseline", "--draws", "2000", "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
