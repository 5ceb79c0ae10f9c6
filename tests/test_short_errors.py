"""dealtree's errors in a notebook: the located message, and the full traceback folded below.

Run in a real kernel (nbclient), as a notebook runs them.
"""

import re

import nbformat
import pytest
from nbclient import NotebookClient

from analysis import QueryError, ScenarioError
from analysis.core.errors import Problem

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def outputs():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('import analysis\nbaseline = analysis.load_scenario("baseline")'),
        nbformat.v4.new_code_cell('x = 1\nbaseline.with_priors({"ceasefire.hold": 0.5})'),
        nbformat.v4.new_code_cell('analysis.outcome_distribution(baseline, given={"exchanges": '
                                  '"nope"})'),
        nbformat.v4.new_code_cell("1 / 0"),
    ]
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    return [cell.outputs for cell in nb.cells]


def test_a_scenario_error_shows_its_located_message_and_the_line_that_raised_it(outputs):
    error, folded = outputs[1]
    assert error.output_type == "error" and error.ename == "ScenarioError"
    lines = [ANSI.sub("", line) for line in error.traceback]
    assert len("\n".join(lines).splitlines()) <= 5  # not the 20 frames of the call stack
    assert lines[0].startswith("ScenarioError: 1 problem found:")
    assert "<with_priors>: ceasefire.hold: unknown branch 'hold'" in lines[0]
    assert re.fullmatch(r"raised by Cell In\[\d+\], line 2: baseline\.with_priors\(.*\)",
                        lines[1])
    assert "folded below" in lines[2]
    # The full traceback, one click away: an HTML <details>, closed.
    assert folded.output_type == "display_data"
    html = folded.data["text/html"]
    assert html.startswith('<details class="dealtree-traceback"><summary>Full traceback')
    assert "analysis/model/scenario.py" in html and " open" not in html.split(">")[0]


def test_a_query_error_too(outputs):
    error, folded = outputs[2]
    assert error.ename == "QueryError"
    assert "has no branch 'nope'" in ANSI.sub("", error.traceback[0])
    assert "engines/exact.py" in folded.data["text/html"]


def test_other_errors_keep_their_usual_traceback(outputs):
    [error] = outputs[3]
    assert error.ename == "ZeroDivisionError"
    assert any("Traceback" in ANSI.sub("", line) for line in error.traceback)


def test_outside_a_kernel_nothing_changes():
    error = QueryError("bad query")
    assert str(error) == "bad query" and isinstance(error, ValueError)
    problem = ScenarioError([Problem("f.yaml", 3, "phases[0]", "wrong")])
    assert problem._render_traceback_()[0].endswith("f.yaml:3: phases[0]: wrong\x1b[0m")
