"""Reading YAML: line map, duplicate keys, YAML 1.2 booleans, size bounds."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from analysis import ScenarioError
from analysis.formats.source import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, parse_yaml, read_yaml

TEXT = """\
# a comment first
id: example
phases:
  - id: first
    branches:
      yes:
        prior: 0.5
        description: >-
          folded text
          on two lines
      no: {outcome: bad}
  - id: second
"""


@pytest.fixture
def doc():
    return parse_yaml(TEXT, "example.yaml")


@pytest.mark.parametrize(("loc", "line"), [
    ((), 2),
    (("id",), 2),
    (("phases",), 3),
    (("phases", 0), 4),
    (("phases", 0, "id"), 4),
    (("phases", 0, "branches"), 5),
    (("phases", 0, "branches", "yes"), 6),
    (("phases", 0, "branches", "yes", "prior"), 7),
    (("phases", 0, "branches", "yes", "description"), 8),
    (("phases", 0, "branches", "no"), 11),
    (("phases", 0, "branches", "no", "outcome"), 11),
    (("phases", 1), 12),
    (("phases", 1, "id"), 12),
])
def test_line_of(doc, loc, line):
    assert doc.line_of(loc) == line


@pytest.mark.parametrize(("loc", "line"), [
    (("phases", 0, "branches", "yes", "prior", "alpha"), 7),  # nearest ancestor
    (("phases", 1, "question"), 12),
    (("nope", "deeper"), 2),  # falls back to the document
])
def test_line_of_missing_location_uses_nearest_ancestor(doc, loc, line):
    assert doc.line_of(loc) == line


def test_problem_is_located(doc):
    problem = doc.problem(("phases", 0, "branches", "no", "outcome"), "bad outcome")
    assert (problem.file, problem.line, problem.location, problem.message) == (
        "example.yaml", 11, "phases[0].branches.no.outcome", "bad outcome")
    assert str(problem) == "example.yaml:11: phases[0].branches.no.outcome: bad outcome"


def test_data(doc):
    assert doc.file == "example.yaml"
    branches = doc.data["phases"][0]["branches"]
    assert list(branches) == ["yes", "no"]
    assert branches["yes"] == {"prior": 0.5, "description": "folded text on two lines"}


def test_yaml_12_booleans_only():
    data = parse_yaml("a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\nYes: 1\nNO: 2\n"
                      "t: true\nu: False\nv: TRUE\n").data
    assert data == {"a": "yes", "b": "no", "c": "on", "d": "off", "e": "y", "f": "n",
                    "Yes": 1, "NO": 2, "t": True, "u": False, "v": True}
    assert all(type(data[k]) is bool for k in "tuv")


def test_other_scalars_still_resolve():
    data = parse_yaml("i: 3\nf: 0.25\ne: 1.0e-3\nn: ~\nd: 2025-10-09\ns: '0.5'\n").data
    assert data == {"i": 3, "f": 0.25, "e": 1e-3, "n": None, "d": dt.date(2025, 10, 9),
                    "s": "0.5"}


def test_duplicate_keys_reported_with_both_lines():
    text = "a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\na: 4\n"
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "dup.yaml")
    got = {(p.line, p.location, p.message) for p in info.value.problems}
    assert got == {
        (5, "b.c", "duplicate key 'c' (first on line 3)"),
        (6, "a", "duplicate key 'a' (first on line 1)"),
    }


def test_collection_as_key():
    with pytest.raises(ScenarioError, match="a key is a collection") as info:
        parse_yaml("x: 1\n? [a, b]\n: 2\n")
    assert info.value.problems[0].line == 2


@pytest.mark.parametrize(("text", "line"), [
    ("a: 1\n  b: 2\n", 2),
    ("a: [1, 2\nb: 3\n", 2),
    ("a: 'unterminated\n", 2),
])
def test_syntax_error_has_line(text, line):
    with pytest.raises(ScenarioError, match="invalid YAML") as info:
        parse_yaml(text, "bad.yaml")
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.location) == ("bad.yaml", line, "(document)")


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
def test_empty_document(text):
    with pytest.raises(ScenarioError, match="file is empty, expected a mapping"):
        parse_yaml(text)


# --- bounds --------------------------------------------------------------------

def _nested(depth: int) -> str:
    """``a: [[...]]`` with ``depth`` lists: the innermost is at location depth ``depth``."""
    return "a: " + "[" * depth + "]" * depth + "\n"


def test_depth_limit_is_exact():
    innermost = parse_yaml(_nested(MAX_DEPTH)).data["a"]  # at the bound: fine
    for _ in range(MAX_DEPTH - 1):
        [innermost] = innermost
    assert innermost == []
    with pytest.raises(ScenarioError, match=f"nested deeper than {MAX_DEPTH} levels") as info:
        parse_yaml(_nested(MAX_DEPTH + 1))
    assert info.value.problems[0].line == 1


def test_very_deep_nesting_is_a_scenario_error():
    """Two kilobytes of brackets must not reach Python's recursion limit."""
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_yaml(_nested(1000))
    assert time.perf_counter() - start < 5


def _aliased(copies: int) -> str:
    """A document of ``103 + 101 * copies`` values, counting each alias's values again."""
    return ("a: &a [" + ", ".join(["0"] * 100) + "]\n"  # root, a's list and 100 items
            "b: [" + ", ".join(["*a"] * copies) + "]\n")  # b's list and 101 per copy


def test_node_limit_counts_aliases_exactly():
    below = (MAX_NODES - 103) // 101
    assert 103 + 101 * below <= MAX_NODES < 103 + 101 * (below + 1)
    assert len(parse_yaml(_aliased(below)).data["b"]) == below
    with pytest.raises(ScenarioError, match=f"more than {MAX_NODES} values"):
        parse_yaml(_aliased(below + 1))


def test_alias_bomb_is_rejected_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 10)]
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match=r"aliases included") as info:
        parse_yaml("\n".join(lines))
    assert time.perf_counter() - start < 5
    assert len(info.value.problems) == 1


def test_text_size_limit_counts_bytes():
    parse_yaml("a: " + "x" * (MAX_FILE_BYTES - 10))
    with pytest.raises(ScenarioError, match=f"longer than {MAX_FILE_BYTES} bytes"):
        parse_yaml("a: " + "é" * (MAX_FILE_BYTES // 2 + 1))  # fewer characters than the bound


def test_file_size_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * MAX_FILE_BYTES, encoding="utf-8")
    with pytest.raises(ScenarioError, match=f"is {MAX_FILE_BYTES + 3} bytes, expected at most "
                                            f"{MAX_FILE_BYTES}") as info:
        read_yaml(path)
    assert info.value.problems[0].file == str(path)


def test_read_yaml(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(TEXT, encoding="utf-8")
    doc = read_yaml(path)
    assert doc.file == str(path)
    assert doc.line_of(("phases", 1)) == 12


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        read_yaml(tmp_path / "absent.yaml")


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: café\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8"):
        read_yaml(path)


# --- values YAML can tag but not build -------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("id: x\nas_of: 2025-02-30\n", "2025-02-30"),
    ("id: x\nas_of: 2025-13-01\n", "2025-13-01"),
    ("id: x\nwhen: 2025-02-30 10:00:00\n", "2025-02-30"),
    ("id: x\nbad: !!float abc\n", "abc"),
    ("id: x\nbad: !!int abc\n", "abc"),
    ("id: x\nbad: !!timestamp soon\n", "soon"),
    ("id: x\nbad: !!python/name:os.system ''\n", "python/name:os.system"),
    ("id: x\nbad: !custom value\n", "!custom"),
], ids=["impossible_day", "month_13", "impossible_datetime", "float_tag", "int_tag",
        "timestamp_tag", "python_tag", "unknown_tag"])
def test_unbuildable_value_is_a_located_scenario_error(text, value):
    with pytest.raises(Exception) as info:
        parse_yaml(text, "tags.yaml")
    assert type(info.value) is ScenarioError, f"{type(info.value).__name__}: {info.value}"
    problem = info.value.problems[0]
    assert (problem.file, problem.line) == ("tags.yaml", 2)
    assert value in problem.message


def test_merge_of_a_scalar_is_a_scenario_error():
    with pytest.raises(Exception) as info:
        parse_yaml("id: x\n<<: 1\n", "merge.yaml")
    assert type(info.value) is ScenarioError, f"{type(info.value).__name__}: {info.value}"
    assert info.value.problems[0].line == 2
