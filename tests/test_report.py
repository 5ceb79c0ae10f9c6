"""Tests for analysis.delivery.report: real kernels on tiny notebooks built in tmp_path."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import analysis
from analysis import ScenarioError
from analysis.delivery import report
from analysis.delivery.report import ReportResult, build_reports

PLOTLYJS_MARKER = 'id="dealtree-plotlyjs"'  # the compressed plotly.js, once per page
PLOTLY_DIV = 'class="plotly-graph-div"'
HOSTILE_TITLE = "Good <script>alert(1)</script> report"
CODE_BLOCK = '<div class="highlight hl-ipython3">'  # a highlighted code input
PREVIOUS_REPORT = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>Bad, as built before</title>
<meta content="baseline" name="dealtree:scenario"/>
<meta content="2020-01-02T03:04:05Z" name="dealtree:built"/>
<meta content="0.0.1" name="dealtree:version"/>
</head><body>previous report, must survive</body></html>
"""

FIGURE_CELL = """\
import plotly.graph_objects as go
go.Figure(go.Bar(x=["a", "b"], y=[{a}, {b}]))"""


def write_notebook(path: Path, *cells: nbformat.NotebookNode) -> Path:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def parameters_cell(source: str = 'SCENARIO = "baseline"') -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"tags": ["parameters"]})


def good_notebook(folder: Path, title: str = HOSTILE_TITLE) -> Path:
    return write_notebook(
        folder / "01-good.ipynb",
        new_markdown_cell(f"Intro text.\n\n# {title}\n\nMore text."),
        parameters_cell(),
        new_code_cell(FIGURE_CELL.format(a=1, b=3)),
        new_code_cell(FIGURE_CELL.format(a=2, b=5)),
        new_code_cell("print(SCENARIO)"),
    )


def bad_notebook(folder: Path) -> Path:
    return write_notebook(
        folder / "02-bad.ipynb",
        new_markdown_cell("# Bad"),
        parameters_cell(),
        new_code_cell("value = 1 / 0\nprint(value)"),
        new_code_cell("print('never')"),
    )


class Refs(HTMLParser):
    """Every src/href-like attribute of every real tag (script bodies are not tags)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href", "srcset", "data", "action", "poster"} and value:
                self.urls.append(value.strip())


def external_urls(html: str) -> list[str]:
    parser = Refs()
    parser.feed(html)
    return [url for url in parser.urls if re.match(r"(?i)(https?:)?//", url)]


def without_plotlyjs(html: str) -> str:
    """The page with the one <script> that holds the plotly.js bundle cut out."""
    at = html.index(PLOTLYJS_MARKER)
    start = html.rindex("<script", 0, at)
    end = html.index("</script>", at) + len("</script>")
    return html[:start] + html[end:]


def assert_offline(html: str) -> None:
    assert external_urls(html) == []
    assert not re.search(r"(?i)<script[^>]*\bsrc=[\"']?(https?:)?//", html)
    assert "cdnjs" not in html  # require.js, MathJax, mermaid CDNs
    assert "require.min.js" not in html and "require.js" not in html
    # The plotly.js bundle itself mentions CDN URLs in code (topojson, map
    # icons) that a bar chart never fetches; nothing else may.
    rest = without_plotlyjs(html) if PLOTLYJS_MARKER in html else html
    assert "https://cdn" not in rest


def other_scenario(folder: Path, title: str = "Other deal") -> Path:
    """A small valid scenario with id ``other``, written by ``dealtree new``'s starter."""
    from analysis.delivery.starter import starter_scenario

    path = folder / "other.yaml"
    path.write_text(starter_scenario("other").replace('title: "Other"',
                                                       f"title: {title!r}"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("notebooks")
    out = tmp_path_factory.mktemp("reports")
    good, bad = good_notebook(folder), bad_notebook(folder)
    (out / "02-bad.html").write_text(PREVIOUS_REPORT, encoding="utf-8")
    messages: list[str] = []
    results = build_reports([good, bad], out, scenario=str(other_scenario(folder)),
                            progress=messages.append)
    return {"out": out, "results": results, "messages": messages,
            "html": (out / "01-good.html").read_text(encoding="utf-8"),
            "index": (out / "index.html").read_text(encoding="utf-8")}


def test_results_report_success_and_failure(built: dict) -> None:
    good, bad = built["results"]
    assert all(isinstance(r, ReportResult) for r in built["results"])
    assert good.ok and good.error is None
    assert good.notebook == "01-good.ipynb"
    assert good.output == built["out"] / "01-good.html"
    assert good.title == HOSTILE_TITLE + " — Other deal" and good.scenario == "other"
    assert good.seconds > 0

    assert not bad.ok and bad.output is None
    assert bad.notebook == "02-bad.ipynb"
    # name, the cell as numbered in the notebook file, its source, the exception's last line
    assert bad.error == ("02-bad.ipynb: cell 3 `value = 1 / 0 ...`: "
                         "ZeroDivisionError: division by zero")


def test_report_embeds_plotlyjs_once_and_both_figures(built: dict) -> None:
    html = built["html"]
    assert html.count(PLOTLYJS_MARKER) == 1
    assert html.count(PLOTLY_DIV) == 2
    assert 400_000 < len(html) < 1_500_000  # the light bundle is inline, not linked


def test_report_references_nothing_online(built: dict) -> None:
    assert_offline(built["html"])


def test_report_hides_code_and_prompts_and_shows_metadata(built: dict) -> None:
    html = built["html"]
    assert CODE_BLOCK not in html and "go.Figure" not in html
    assert 'class="jp-InputPrompt' not in html and 'class="jp-OutputPrompt' not in html
    escaped = HOSTILE_TITLE.replace('<', '&lt;').replace('>', '&gt;')
    assert f"<title>{escaped} — Other deal</title>" in html
    assert "<script>alert(1)</script>" not in html
    header = re.search(r'<header class="dealtree-meta">(.*?)</header>', html, re.DOTALL)
    assert header is not None
    assert "Scenario: <strong>Other deal</strong> (other, other.yaml)" in header.group(1)
    assert "/tmp" not in header.group(1)  # never a full path
    assert re.search(r"Built \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", header.group(1))
    assert f"dealtree {analysis.__version__}" in header.group(1)


def test_scenario_is_injected(built: dict) -> None:
    assert re.search(r"<pre>\s*/\S*/other\.yaml\s*</pre>", built["html"])
    assert not re.search(r"<pre>\s*baseline\s*</pre>", built["html"])


def test_index_lists_reports_and_escapes(built: dict) -> None:
    index = built["index"]
    assert '<a href="01-good.html">' in index
    assert "Good &lt;script&gt;alert(1)&lt;/script&gt; report — Other deal" in index
    assert "<script" not in index
    assert "other" in index and analysis.__version__ in index
    rows = re.findall(r"<tr>.*?</tr>", index, re.DOTALL)
    assert len(rows) == 3  # header, 01-good, 02-bad
    assert 'class="ok"' in rows[1] and "other" in rows[1]
    # the failure is shown next to the previous report, which is still linked
    assert '<a href="02-bad.html">Bad, as built before</a>' in rows[2]
    assert "other.yaml" in rows[1] and "/tmp" not in rows[1]
    assert 'class="failed"' in rows[2] and "ZeroDivisionError: division by zero" in rows[2]
    assert "previous report kept, built 2020-01-02T03:04:05Z" in rows[2]
    assert external_urls(index) == [] and "<link" not in index


def test_failed_notebook_keeps_previous_report_and_no_temp_files(built: dict) -> None:
    out = built["out"]
    assert (out / "02-bad.html").read_text(encoding="utf-8") == PREVIOUS_REPORT
    assert sorted(p.name for p in out.iterdir()) == ["01-good.html", "02-bad.html",
                                                     "index.html"]


def test_progress_before_and_after_each_notebook(built: dict) -> None:
    messages = built["messages"]
    assert messages[0] == "[1/2] 01-good.ipynb ..."
    assert re.fullmatch(r"\[1/2\] 01-good\.ipynb \.\.\. ok \(\d+\.\d s\)", messages[1])
    assert messages[2] == "[2/2] 02-bad.ipynb ..."
    assert messages[3].startswith("[2/2] 02-bad.ipynb ... FAILED (")
    assert "cell 3" in messages[3]
    assert messages[-1].startswith("index: ")


def test_baseline_runs_unchanged_with_code_shown(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    notebook = write_notebook(
        tmp_path / "03-plain.ipynb",
        new_markdown_cell("# Plain"),
        parameters_cell(),
        new_code_cell("print(SCENARIO)"),
    )
    out = tmp_path / "reports"
    [result] = build_reports([notebook], out, show_code=True)  # default progress: stderr
    assert result.ok, result.error
    html = (out / "03-plain.html").read_text(encoding="utf-8")
    assert "injected" not in html  # same scenario: no injected cell
    assert re.search(r"<pre>\s*baseline\s*</pre>", html)
    assert CODE_BLOCK in html  # code input kept
    assert 'class="jp-InputPrompt' not in html  # prompts still hidden
    assert_offline(html)
    assert "[1/1] 03-plain.ipynb ... ok" in capsys.readouterr().err


def test_hostile_scenario_is_escaped_everywhere(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "04-quiet.ipynb",
        new_markdown_cell("# Quiet"),
        parameters_cell(),
        new_code_cell("print(len(SCENARIO))"),
    )
    hostile = '<script>alert("x")</script>'
    with pytest.raises(analysis.ScenarioError):  # not a file, nor a scenario's name
        build_reports([notebook], tmp_path, scenario=hostile, progress=lambda m: None)
    path = other_scenario(tmp_path, title=f"Deal {hostile}")
    [result] = build_reports([notebook], tmp_path, scenario=str(path), progress=lambda m: None)
    assert result.ok, result.error
    for name in ("04-quiet.html", "index.html"):
        html = (tmp_path / name).read_text(encoding="utf-8")
        assert "alert(" in html and "<script>alert" not in html


def test_unknown_parameter_is_refused_before_any_kernel(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "08-p.ipynb", parameters_cell(), new_code_cell("1"))
    with pytest.raises(ValueError, match="NOPE defined by none of the notebooks"):
        build_reports([notebook], tmp_path, parameters={"NOPE": 1}, progress=lambda m: None)


def test_notebook_that_does_not_apply_is_listed_not_run(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "09-decide.ipynb", new_markdown_cell("# Decide"),
                              parameters_cell(), new_code_cell("raise SystemExit"))
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["dealtree"] = {"needs": ["decisions"]}
    nbformat.write(nb, notebook)
    [result] = build_reports([notebook], tmp_path, progress=lambda m: None)
    assert result.ok and result.output is None and "no decision phase" in result.reason
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "not applicable" in index and "no decision phase" in index


def test_scenario_without_parameters_cell_fails_before_any_kernel(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "05-noparams.ipynb", new_code_cell("x = 1"))
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="no code cell tagged 'parameters'") as caught:
        build_reports([notebook], tmp_path / "out", scenario="mediation",
                      progress=lambda m: None)
    assert "'mediation'" in str(caught.value)
    assert time.perf_counter() - start < 2
    assert not (tmp_path / "out").exists()  # nothing written, no folder made


def test_missing_notebook_is_an_error_before_any_kernel(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="06-missing.ipynb: \\(notebook\\): no such notebook"):
        build_reports([tmp_path / "06-missing.ipynb"], tmp_path, progress=lambda m: None)


def test_bad_arguments_raise(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="scenario must be a str or a path"):
        build_reports([], tmp_path, scenario=3)
    with pytest.raises(ValueError, match="scenario == ''"):
        build_reports([], tmp_path, scenario="")
    with pytest.raises(ValueError, match="would overwrite the report index"):
        build_reports([tmp_path / "index.ipynb"], tmp_path)
    with pytest.raises(ValueError, match="would both write report 'a.html'"):
        build_reports([tmp_path / "x" / "a.ipynb", tmp_path / "y" / "a.ipynb"], tmp_path)


def test_interrupted_write_keeps_old_file_and_leaves_no_temp(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")

    def fail(fd: int) -> None:
        raise OSError("disk full")

    from analysis.delivery import files

    monkeypatch.setattr(files.os, "fsync", fail)
    with pytest.raises(files.OutputError, match="disk full"):
        files.write_atomic(target, "new", what="the report")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_public_names() -> None:
    assert sorted(n for n in vars(report) if not n.startswith("_") and
                  getattr(getattr(report, n), "__module__", None) == report.__name__) == \
        sorted(report.__all__)


def test_by_default_each_notebook_runs_its_own_scenario(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "04-own.ipynb",
        new_markdown_cell("# Own"),
        parameters_cell('SCENARIO = "mediation"'),
        new_code_cell("print(SCENARIO)"),
    )
    [result] = build_reports([notebook], tmp_path / "reports", progress=lambda message: None)
    assert result.ok, result.error
    assert result.scenario == "mediation"
    html = result.output.read_text(encoding="utf-8")
    assert re.search(r"<pre>\s*mediation\s*</pre>", html)
    assert "injected" not in html


def test_seed_from_the_parameters_is_shown_in_the_report_and_index(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "05-seeded.ipynb",
        new_markdown_cell("# Seeded"),
        parameters_cell('SCENARIO = "baseline"\nSEED = 20251010'),
        new_code_cell("print(SEED)"),
    )
    out = tmp_path / "reports"
    [result] = build_reports([notebook], out, progress=lambda message: None)
    assert result.ok, result.error
    assert '<meta content="20251010" name="dealtree:seed"/>' in result.output.read_text()
    index = (out / "index.html").read_text()
    assert "<th>Seed</th>" in index and "<td>20251010</td>" in index


def test_parameters_are_injected_by_papermill_and_shown(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "07-param.ipynb", new_markdown_cell("# Param"),
        parameters_cell('SCENARIO = "baseline"\nN_DRAWS = 10\nPRIOR_OVERRIDES = {}'),
        new_code_cell("print(N_DRAWS * 2)"))
    [result] = build_reports([notebook], tmp_path / "r", progress=lambda m: None,
                             parameters={"N_DRAWS": 21,
                                         "PRIOR_OVERRIDES": {"ceasefire.holds": 0.9}})
    assert result.ok, result.error
    page = result.output.read_text()
    assert re.search(r"<pre>\s*42\s*</pre>", page)
    assert "Parameters changed: N_DRAWS = 21" in page
    assert "Priors changed from the file: ceasefire.holds = 0.9" in page


def test_prior_overrides_are_shown_in_the_report_header(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "06-changed.ipynb",
        new_markdown_cell("# Changed"),
        parameters_cell('SCENARIO = "baseline"\n'
                        'PRIOR_OVERRIDES = {"ceasefire.holds": 0.9, '
                        '"exchanges.complete": {"concentration": 6}}'),
        new_code_cell("print(len(PRIOR_OVERRIDES))"),
    )
    [result] = build_reports([notebook], tmp_path / "reports", progress=lambda message: None)
    assert result.ok, result.error
    page = result.output.read_text()
    assert ("Priors changed from the file: ceasefire.holds = 0.9; "
            "exchanges.complete = {concentration: 6}") in page


# ------------------------------------------------------- the output folder's files


OUR_INDEX = ('<!DOCTYPE html>\n<html><head><meta name="generator" content="dealtree 0.0.1">'
             "<title>dealtree reports</title></head><body>OLD INDEX</body></html>\n")


def test_index_is_kept_when_every_notebook_fails(tmp_path: Path) -> None:
    """A folder's index.html was overwritten even when every notebook failed."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text(OUR_INDEX, encoding="utf-8")
    messages: list[str] = []
    [result] = build_reports([bad_notebook(tmp_path)], out, progress=messages.append)
    assert not result.ok
    assert (out / "index.html").read_text(encoding="utf-8") == OUR_INDEX
    assert messages[-1].endswith("kept as it was (no notebook built)")


def test_temporary_files_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    """A killed build left a hidden 5 MB .NAME.html.XXXX.tmp behind, never cleaned."""
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".02-bad.html.k3j_x9a1.tmp", out / ".index.html.abcdefgh.tmp"]
    for path in stale:
        path.write_bytes(b"x" * 1000)
    (out / ".keep").write_text("the user's own hidden file")
    messages: list[str] = []
    build_reports([bad_notebook(tmp_path)], out, progress=messages.append)
    assert not any(path.exists() for path in stale)
    assert (out / ".keep").exists()
    assert any("left by an interrupted build" in m for m in messages)


def test_a_folder_being_built_is_locked(tmp_path: Path) -> None:
    """Two builds into one folder both exited 0 and left a mix of scenarios."""
    import fcntl
    import os

    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)  # another build holds the folder
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        start = time.perf_counter()
        with pytest.raises(ValueError, match="being written by another dealtree build"):
            build_reports([good_notebook(tmp_path)], out, progress=lambda m: None)
        assert time.perf_counter() - start < 2  # refused at once, no kernel started
    finally:
        os.close(fd)
    assert list(out.iterdir()) == []


def test_files_dealtree_did_not_write_are_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "01-good.html").write_text("<html>my own page</html>", encoding="utf-8")
    (out / "index.html").write_text("<html>my own index</html>", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"holds 01-good\.html, index\.html, not written by "
                                         r"dealtree; .* use --force"):
        build_reports([good_notebook(tmp_path)], out, progress=lambda m: None)
    assert time.perf_counter() - start < 2
    assert (out / "01-good.html").read_text(encoding="utf-8") == "<html>my own page</html>"
    # --force: the build goes ahead (here it fails, so the index is kept as it was)
    [result] = build_reports([bad_notebook(tmp_path)], out, progress=lambda m: None,
                             force=True)
    assert not result.ok and "ZeroDivisionError" in result.error


def test_jobs_run_notebooks_at_once_and_keep_their_order(tmp_path: Path) -> None:
    first = write_notebook(tmp_path / "10-first.ipynb", new_markdown_cell("# First"),
                           parameters_cell(), new_code_cell("import time; time.sleep(1)"))
    second = write_notebook(tmp_path / "11-second.ipynb", new_markdown_cell("# Second"),
                            parameters_cell(), new_code_cell("print(SCENARIO)"))
    broken = bad_notebook(tmp_path)
    messages: list[str] = []
    results = build_reports([first, second, broken], tmp_path / "r", jobs=3,
                            progress=messages.append)
    assert [r.notebook for r in results] == ["10-first.ipynb", "11-second.ipynb",
                                             "02-bad.ipynb"]
    assert [r.ok for r in results] == [True, True, False]
    assert "cell 3" in results[2].error
    assert len([m for m in messages if " ... ok (" in m or "FAILED" in m]) == 3
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "10-first.html" in index and "11-second.html" in index and "failed" in index
    for jobs in (0, 1.5, True):
        with pytest.raises(ValueError, match="jobs == "):
            build_reports([first], tmp_path / "r", jobs=jobs)
