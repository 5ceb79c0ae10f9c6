"""Text from a user's file is shown as written, never run or read as markup.

Unit tests of :mod:`analysis.core.text`, then a label planted in every text field of the
flagship scenarios and carried through every notebook's computed text, tables and charts
(the notebooks' own code, run in this process): no tag of it survives as markup. The same
label in a built report, opened in Chromium, is in ``tests/test_browser.py``.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import nbformat
import plotly.graph_objects as go
import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from analysis.core.paths import PROJECT_ROOT
from analysis.core.text import escape_html, escape_markdown
from analysis.narrative import Prose, ReaderTable

#: Markup a label could carry: an image that runs code, italics, a script, Markdown
#: emphasis and a link, JupyterLab's maths, an entity.
PLANTED = ('<img src=x onerror="window.__pwned=1"><i>it</i><script>1</script> '
           "*_em_* [a](b) $x$ &amp;")
#: What must never appear in HTML made from it (the planted tags, and what Markdown
#: would make of the rest).
TAGS = re.compile(r"<(img|i|script|em|a)\b", re.IGNORECASE)
NOTEBOOKS = PROJECT_ROOT / "notebooks"
DURATION_UNITS = {"days", "weeks", "months"}  # a duration's unit is a keyword, not text


def test_escape_html_leaves_no_tag_and_keeps_quotes():
    assert escape_html('<b a="1">R&D</b>') == '&lt;b a="1"&gt;R&amp;D&lt;/b&gt;'
    assert escape_html(3) == "3"


@pytest.mark.parametrize("text", [PLANTED, "1. first", "- item", "# title", "===",
                                  "a_b_c and *d*", "cost: $5 or $6", "x | y", "~~z~~"])
def test_escape_markdown_renders_as_the_same_words(text):
    rendered = markdown2html_mistune(escape_markdown(text))
    assert not TAGS.search(rendered)
    assert re.fullmatch(r"<p>.*</p>\s*", rendered, re.S), rendered  # one paragraph, no block
    shown = re.sub(r"<[^>]+>", "", rendered)
    assert _unescape(shown).strip() == " ".join(text.split())


def test_escape_markdown_keeps_text_on_one_line():
    assert "\n" not in escape_markdown("first line\n\n- second\n# third")


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


# ------------------------------------------------------- a label through every notebook


def _plant(text: str) -> str:
    """Put PLANTED into every label, title, question, description and unit of a file."""
    lines = []
    for line in text.splitlines():
        code, hash_, comment = line.partition(" #")
        for key in ("label", "title", "question", "unit", "description"):
            flow = re.compile(rf"(\b{key}: )([^,}}{{>\n][^,}}]*)")  # {label: X, ...}
            block = re.compile(rf"^(\s*(?:- )?{key}: )([^{{>|].*)$")  # label: X
            pattern = flow if re.search(r"\{[^}]*$|\{.*\}", code) else block
            code = pattern.sub(lambda m: m.group(0) if m.group(2).strip() in DURATION_UNITS
                               else m.group(1) + json.dumps(
                                   f"{PLANTED} {m.group(2).strip().strip(chr(34))}"), code)
        lines.append(code + hash_ + comment)
    planted = "\n".join(lines) + "\n"
    # Folded descriptions: the planted words as their first line.
    return re.sub(r"(\bdescription: >-\n)(\s+)", lambda m: m.group(1) + m.group(2)
                  + PLANTED.replace("&amp;", "&") + "\n" + m.group(2), planted)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """A copy of scenarios/ and seeds/ whose baseline and mediation carry PLANTED."""
    root = tmp_path_factory.mktemp("planted")
    shutil.copytree(PROJECT_ROOT / "scenarios", root / "scenarios")
    shutil.copytree(PROJECT_ROOT / "seeds", root / "seeds")
    for name in ("baseline", "mediation"):
        path = root / "scenarios" / f"{name}.yaml"
        path.write_text(_plant(path.read_text(encoding="utf-8")), encoding="utf-8")
    return root / "scenarios"


def _run(notebook: Path, parameters: dict) -> list[object]:
    """Run a notebook's code here, with ``parameters`` after its parameters cell; return
    what each cell shows (its last expression's value)."""
    namespace: dict = {}
    shown = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, notebook.name, "exec"), namespace)  # noqa: S102 - our notebooks
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(parameters)
        if last is not None:
            shown.append(eval(compile(ast.Expression(last.value), notebook.name, "eval"),
                              namespace))
    return [value for value in shown if value is not None]


def _strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize(("notebook", "scenario", "parameters"), [
    ("01-outcomes", "baseline", {}),
    ("02-uncertainty", "baseline", {"N_DRAWS": 2000}),
    ("03-decisions", "mediation", {"N_DRAWS": 300}),
    ("04-evidence", "baseline", {"N_DRAWS": 300}),
    ("05-timing", "baseline", {"N_DRAWS": 2000}),
    ("06-robustness", "mediation", {"N_VARIANTS": 64}),
])
def test_planted_label_is_text_in_every_table_sentence_and_chart(planted, monkeypatch,
                                                                 notebook, scenario,
                                                                 parameters):
    monkeypatch.setenv("DEALTREE_PROGRESS", "0")
    shown = _run(NOTEBOOKS / f"{notebook}.ipynb",
                 {"SCENARIO": str(planted / f"{scenario}.yaml"), **parameters})
    kinds = {type(value) for value in shown}
    assert {Prose, ReaderTable, go.Figure} <= kinds, kinds
    seen = 0
    for value in shown:
        if isinstance(value, go.Figure):
            texts = list(_strings(value.to_plotly_json()))
        elif isinstance(value, ReaderTable):
            texts = [value.to_html()]
        elif isinstance(value, Prose):
            texts = [markdown2html_mistune(value._repr_markdown_())]
        else:
            continue
        for text in texts:
            assert not TAGS.search(text), f"{notebook}: {type(value).__name__}: {text[:300]}"
            seen += "&lt;img src=x" in text
    assert seen, "the planted label reached nothing"
