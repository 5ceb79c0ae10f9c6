"""``dealtree sweep`` in-process: output formats, resuming, and errors with exit code 2."""

from __future__ import annotations

import json

import pytest

from analysis.delivery.cli import main


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("DEALTREE_PROGRESS", "0")


def test_table_names_each_state_and_marks_the_minimax_regret_option(tmp_path, capsys):
    code = main(["sweep", "mediation", "--n", "128", "--seed", "4", "--output",
                 str(tmp_path / "s"), "--scheduler", "synchronous", "--satisficing", "30"])
    out = capsys.readouterr().out
    assert code == 0
    assert "128 variants (sobol design over 27 parameters, seed 4) and 4 analysts" in out
    assert out.count("At international_presence |") == 2  # after a complete, a partial exchange
    marked = [line for line in out.splitlines() if line.strip().startswith("* ")]
    assert len(marked) == 2 and ">= 30" in out
    assert "robustness of the options of Mediators" in out


def test_json_and_a_resumed_run_give_the_same_numbers(tmp_path, capsys):
    args = ["sweep", "mediation", "--n", "128", "--output", str(tmp_path / "s"),
            "--scheduler", "synchronous", "--format", "json", "--no-analysts"]
    assert main([*args, "--seed", "8"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0  # the seed comes from the manifest
    again = json.loads(capsys.readouterr().out)
    assert first == again
    assert first["seed"] == 8 and first["analysts"] == 0
    rows = first["robustness"]
    assert len(rows) == 6 and {"max_regret", "share_best"} <= set(rows[0])


@pytest.mark.parametrize(("args", "message"), [
    (["baseline"], "no decision phase"),
    (["mediation", "--for", "israel"], "takes no decision"),
    (["mediation", "--scheduler", "127.0.0.1:8786"], "--scheduler"),
    (["mediation", "--ranges", "nowhere.yaml"], "no such file"),
])
def test_bad_input_exits_2_with_a_message(tmp_path, capsys, args, message):
    code = main(["sweep", *args, "--n", "8", "--output", str(tmp_path / "s")])
    assert code == 2
    assert message in capsys.readouterr().err


def test_an_unreachable_scheduler_is_an_error_not_a_traceback(tmp_path, capsys):
    code = main(["sweep", "mediation", "--n", "8", "--output", str(tmp_path / "s"),
                 "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "could not reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
