"""Shared fixtures: writing YAML scenarios to a temporary folder and checking problems.

A broken scenario in a test marks the line where its problem should be
reported with a trailing ``# <-`` comment; :func:`marked_line` finds it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analysis import Problem, ScenarioError, load_scenario

#: The hostile-input corpus holds files broken on purpose (a notebook that is not
#: JSON among them): they are inputs of tests/test_hostile.py, never tests themselves.
collect_ignore = ["hostile"]

DATA_DIR = Path(__file__).resolve().parent / "data"
MARKER = "# <-"

#: The first lines of most test scenarios: two outcomes and one attribute.
HEADER = """\
id: test
title: Test scenario
as_of: 2025-01-01
outcomes:
  good: {label: Good, colour: "#1b9e77"}
  bad: {label: Bad, colour: "#d95f02"}
attributes:
  cost: {label: Cost, unit: dollars}
"""


def marked_line(text: str, marker: str = MARKER) -> int:
    """Return the 1-based line of ``text`` that carries ``marker`` (exactly one must)."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if marker in line]
    assert len(lines) == 1, f"expected one line marked {marker!r}, found {lines}"
    return lines[0]


def problem_at(error: ScenarioError, location: str) -> Problem:
    """Return the problem of ``error`` reported at ``location`` (there must be one)."""
    found = [p for p in error.problems if p.location == location]
    assert found, f"no problem at {location!r}; the error was:\n{error}"
    return found[0]


@pytest.fixture
def data_dir() -> Path:
    """The folder of fixture scenarios, ``tests/data``."""
    return DATA_DIR


@pytest.fixture
def write_yaml(tmp_path):
    """Return ``write(text, name='scenario.yaml') -> Path``.

    The file lands in ``tmp_path/scenarios/``, so no ``seeds/`` folder stands
    beside it and scenarios cite the project's claims.
    """
    folder = tmp_path / "scenarios"
    folder.mkdir()

    def write(text: str | bytes, name: str = "scenario.yaml") -> Path:
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def scenario_text():
    """Return ``make(body) -> str``: :data:`HEADER` followed by the dedented ``body``."""

    def make(body: str) -> str:
        return HEADER + textwrap.dedent(body).lstrip("\n")

    return make


@pytest.fixture
def load_error(write_yaml):
    """Return ``load(text) -> (path, error)``: write ``text``, load it, expect a ScenarioError.

    The error must be exactly a :class:`ScenarioError`, never a subclass or a
    raw pydantic, yaml or numpy exception.
    """

    def load(text: str | bytes) -> tuple[Path, ScenarioError]:
        path = write_yaml(text)
        try:
            load_scenario(path)
        except Exception as exc:  # the exact type is what is checked
            assert type(exc) is ScenarioError, (
                f"expected ScenarioError, got {type(exc).__module__}.{type(exc).__name__}: {exc}")
            return path, exc
        pytest.fail("the scenario loaded without a ScenarioError")

    return load


@pytest.fixture
def expect_problem(load_error):
    """Return ``check(text, location, *fragments)``.

    Loads ``text`` and checks that a problem is reported at ``location``, in
    the written file, on the line marked ``# <-``, with a message containing
    every fragment. Returns the :class:`ScenarioError`.
    """

    def check(text: str, location: str, *fragments: str) -> ScenarioError:
        path, error = load_error(text)
        problem = problem_at(error, location)
        assert problem.file == str(path)
        assert problem.line == marked_line(text), str(problem)
        for fragment in fragments:
            assert fragment in problem.message, f"{fragment!r} not in {problem.message!r}"
        return error

    return check
