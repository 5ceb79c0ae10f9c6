"""The command line's contract: every mistake exits 2 with a message, never a traceback.

Every subcommand is run, as a separate process with its processor time
capped, with arguments a user could get wrong; each must exit with status 2,
print an error (argparse's usage, or dealtree's one message), print no
traceback, and refuse within 2 s of processor time and 1 GB of memory.
In-process tests cover what a subprocess cannot stage as root (a permission
error) and the last-resort paths (an interruption, a bug).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_hostile import MAX_RSS_BYTES, REFUSAL_CPU_SECONDS, run_bounded

from analysis.delivery import cli
from analysis.formats import source

BAD = {
    "(none)": [[], ["frobnicate"], ["--bogus"]],
    "validate": [[], ["no_such_file.yaml"], ["validate", "--bogus"]],
    "summary": [
        [], ["baselin"], ["baseline", "--given", "exchanges"],
        ["baseline", "--given", "exchanges=nope"], ["baseline", "--given", "=x"],
        ["baseline", "--draws", "0"], ["baseline", "--draws", "-3"],
        ["baseline", "--draws", "abc"], ["baseline", "--draws", "1e3"],
        ["baseline", "--draws", "10000000000000"], ["baseline", "--draws", "1" + "0" * 40],
        ["baseline", "--draws", "100", "--seed", "-1"], ["baseline", "--seed", "3"],
        ["baseline", "--draws", "100", "--interval", "1.5"],
        ["baseline", "--draws", "100", "--interval", "nan"],
        ["baseline", "--format", "xml"], [""],
    ],
    "schema": [["nosuchkind"], ["--output", ""], ["--output", "/dev/full"],
               ["--output", "/no/such/folder/schema.json"]],
    "update": [["baseline"], ["baseline", "no_such_log"], ["no_such", "gaza_2025"],
               ["baseline", "gaza_2025", "--until", "2025-13-45"],
               ["baseline", "gaza_2025", "--until", "tomorrow"],
               ["baseline", "gaza_2025", "--format", "yaml"]],
    "score": [["mediation"], ["baseline", "no_such"], ["baseline", "--evidence", "nope"],
              ["baseline", "gaza_2025", "--draws", "0"],
              ["baseline", "gaza_2025", "--draws", "x"], ["baseline", "gaza_2025", "--seed", "-1"],
              ["baseline", "gaza_2025", "--draws", "100000000000"],
              ["baseline", "gaza_2025", "--draws", "5000000000"],
              ["baseline", "gaza_2025", "--draws", "1" + "0" * 30]],
    "watch": [[], ["no_such"], ["mediation"], ["baseline", "--signposts", "nope"],
              ["baseline", "--evidence", "nope"], ["baseline", "--top", "0"],
              ["baseline", "--top", "x"], ["baseline", "--format", "xml"]],
    "tornado": [["mediation"], ["mediation", "--output", "nope"],
                ["mediation", "--output", "renewed_war", "--for", "nobody"],
                ["mediation", "--output", "renewed_war", "--interval", "2"],
                ["mediation", "--output", "renewed_war", "--top", "0"],
                ["mediation", "--output", "renewed_war", "--given", "ceasefire=never"]],
    "decide": [["mediation"], ["mediation", "--for", "nobody"], ["baseline", "--for", "anyone"],
               ["mediation", "--for", "mediators", "--given", "ceasefire=never"]],
    "report": [["--output", "/dev/null"], ["no_such_notebook.ipynb"], ["--scenario", ""],
               ["--scenario", "no_such_scenario"], ["--timeout", "5"],
               ["--param", "SEED"], ["--param", "1X=3"], ["--param", "SEED=[1, 2"],
               ["--param", "SEED=.nan"], ["--param", "SEED=2025-01-01"],
               ["--param", "NO_SUCH_PARAMETER=3", "--output", "r"],
               ["--param", "PRIOR_OVERRIDES=[1]", "--output", "r"],
               ["--evidence", "no_such_log", "--output", "r"],
               ["--resolutions", "no_such", "--output", "r"],
               ["--jobs", "0"], ["--jobs", "x"], ["--jobs", "-2"], ["--output", "/proc/r"]],
    "new": [[], ["Bad-Name"], ["x", "--output", "/no/such/dir/x.yaml"], ["x", "--output", "."],
            ["x", "--output", ""], ["x", "--output", "/dev/full"]],
    "import": [[], ["no_such.json"], ["."], ["x.json", "--tree", "-1"],
               ["x.json", "--tree", "one"]],
    "export": [["mediation"], ["no_such", "--format", "silverdecisions"],
               ["mediation", "--format", "xml"],
               ["mediation", "--format", "silverdecisions", "--for", "nobody"],
               ["mediation", "--format", "silverdecisions", "--criterion", "nope"],
               ["mediation", "--format", "silverdecisions", "--output", "."],
               ["mediation", "--format", "silverdecisions", "--output", "/no/such/x.json"],
               ["mediation", "--format", "silverdecisions", "--output", "/dev/full"]],
    "sweep": [["mediation"], ["no_such", "--output", "s"], ["mediation", "--output", "/proc/s"],
              ["mediation", "--output", "s", "--n", "0"],
              ["mediation", "--output", "s", "--n", "100000000000"],
              ["mediation", "--output", "s", "--method", "monte_carlo", "--draws",
               "100000000000"],
              ["mediation", "--output", "s", "--ranges", "no_such.yaml"],
              ["mediation", "--output", "s", "--scheduler", "not-an-address"],
              ["mediation", "--output", "s", "--for", "nobody"],
              ["mediation", "--output", "s", "--percentile", "2"],
              ["mediation", "--output", "s", "--satisficing", "nan"],
              ["mediation", "--output", "s", "--workers", "0"],
              ["baseline", "--output", "s"]],
}
CASES = [(command, args if command == "(none)" or not args or args[0] == command
          else [command, *args]) for command, variants in BAD.items() for args in variants]


def test_every_subcommand_is_covered():
    parser = cli._parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert set(commands) <= set(BAD)


@pytest.mark.parametrize(("command", "args"), CASES,
                         ids=[" ".join(a) or "(nothing)" for _, a in CASES])
def test_a_mistake_exits_2_quickly_without_a_traceback(command, args, tmp_path):
    result = run_bounded(args, tmp_path, cpu_seconds=20, wall_seconds=60)
    shown = f"{args}: exit {result['code']}\n{result['stdout'][-1500:]}\n{result['stderr'][-1500:]}"
    assert result["code"] == 2, shown
    assert "Traceback" not in result["stdout"] + result["stderr"], shown
    # argparse's usage error, dealtree's one message, or validate's report of each file
    assert "error:" in result["stderr"] or "problem(s)" in result["stdout"], shown
    assert result["cpu"] <= REFUSAL_CPU_SECONDS, f"{shown}\n{result['cpu']:.2f} s of processor"
    assert result["rss"] <= MAX_RSS_BYTES, shown


def test_closed_standard_output_is_quiet():
    """``dealtree ... | head``: the reader went away; no BrokenPipeError traceback."""
    process = subprocess.Popen([sys.executable, "-m", "analysis", "decide", "mediation",
                                "--for", "mediators", "--format", "json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait() == cli.EXIT_PIPE_CLOSED
    assert error == ""


def test_an_unreadable_file_is_a_located_error(monkeypatch, capsys, tmp_path):
    """A file the user may not read (root cannot stage it: permissions do not stop root)."""
    path = tmp_path / "secret.yaml"
    path.write_text("id: x\n")
    real_open = os.open

    def refuse(name, flags, *args, **kwargs):
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(source.os, "open", refuse)
    assert cli.main(["validate", str(path)]) == 2
    assert "cannot read the file: Permission denied" in capsys.readouterr().out
    assert cli.main(["summary", str(path)]) == 2
    err = capsys.readouterr().err
    assert "cannot read the file: Permission denied" in err and "Traceback" not in err


def test_an_interruption_and_a_bug_print_no_traceback(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    def broken(args):
        raise RuntimeError("something unexpected")

    monkeypatch.setitem(cli._COMMANDS, "validate", interrupted)
    assert cli.main(["validate", "x.yaml"]) == cli.EXIT_INTERRUPTED
    assert capsys.readouterr().err == "error: interrupted\n"
    monkeypatch.setitem(cli._COMMANDS, "validate", broken)
    monkeypatch.delenv("DEALTREE_DEBUG", raising=False)
    assert cli.main(["validate", "x.yaml"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: something unexpected" in err
    assert "DEALTREE_DEBUG=1" in err and "Traceback" not in err


def test_new_import_and_export_replace_only_their_own_files_or_with_force(tmp_path, capsys):
    """main's commands wrote with write_text: any file at --output was replaced."""
    mine = tmp_path / "mine.yaml"
    mine.write_text("my own notes\n", encoding="utf-8")
    assert cli.main(["new", "grain_deal", "--output", str(mine)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    assert cli.main(["new", "grain_deal", "--output", str(mine), "--force"]) == 0
    assert "id: grain_deal" in mine.read_text(encoding="utf-8")

    exported = tmp_path / "mediation.json"
    args = ["export", "mediation", "--format", "silverdecisions", "--output", str(exported)]
    assert cli.main(args) == 0
    first = exported.read_text(encoding="utf-8")
    assert cli.main(args) == 2  # no way to tell a SilverDecisions file of ours: --force
    assert "--force" in capsys.readouterr().err
    assert cli.main([*args, "--force"]) == 0 and exported.read_text(encoding="utf-8") == first

    imported = tmp_path / "imported.yaml"
    again = ["import", str(exported), "--output", str(imported)]
    assert cli.main(again) == 0
    assert cli.main(again) == 0  # its own output: replaced without --force
    assert cli.main(["import", str(exported), "--output", str(mine)]) == 2
    assert "not an imported scenario written by dealtree" in capsys.readouterr().err
    assert cli.main(["validate", str(imported)]) == 0


def test_a_latin_hypercube_over_the_memory_budget_is_refused(tmp_path, capsys):
    """Its points are held at once: 10**7 variants of 23 parameters are 1.8 GB.

    In process: the check needs the parameter space, after pandas and Dask's
    imports, which take most of the 2 s a subprocess is allowed.
    """
    assert cli.main(["sweep", "mediation", "--output", str(tmp_path / "s"), "--design",
                     "latin_hypercube", "--n", "10000000"]) == 2
    err = capsys.readouterr().err
    assert "a Latin hypercube of 27 parameters is held in memory at once" in err
    at_most = 512 * 2**20 // (8 * 27)  # the memory budget over 8 bytes a parameter
    assert f"expected at most {at_most:,} variants" in err
    assert not (tmp_path / "s" / "chunks").exists()

