"""Sharing a notebook: --to dealtree, --to html that keeps its charts, saves without snapshots.

Opening the exported pages in a real browser is in ``test_browser.py``.
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.core.paths import PROJECT_ROOT
from analysis.delivery.export import ChartExportError, DealtreeExporter, KeepChartsPreprocessor
from analysis.delivery.jupyter import image_snapshots, install_jupyter_config, strip_snapshots

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
PLOTLY = "application/vnd.plotly.v1+json"
JUPYTER = Path(sys.executable).parent / "jupyter"


def _charts(nb) -> int:
    return sum(PLOTLY in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebooks_carry_no_chart_snapshots(notebook):
    """What `make test` checks: a notebook saved with Lab's PNG snapshots fails here."""
    nb = nbformat.read(notebook, as_version=4)
    assert _charts(nb) > 0
    assert image_snapshots(nb) == [], f"{notebook.name}: open and save it in JupyterLab with " \
        "dealtree's server extension (make setup), or run `make notebooks`"


def test_a_snapshot_is_found_and_stripped_on_save():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    output = next(o for c in nb.cells for o in c.get("outputs", []) if PLOTLY in o.get("data", {}))
    output["data"]["image/png"] = "iVBORw0KGgo="
    assert [m for _, m in image_snapshots(nb)] == ["image/png"]
    model = {"type": "notebook", "content": json.loads(nbformat.writes(nb))}
    strip_snapshots(model, path="x.ipynb")
    assert image_snapshots(model["content"]) == []
    assert _charts(nbformat.from_dict(model["content"])) == _charts(nb)
    strip_snapshots({"type": "file", "content": "text"})  # other files are left alone


def test_install_jupyter_config_keeps_what_the_config_holds(tmp_path):
    etc = tmp_path / "etc" / "jupyter"
    etc.mkdir(parents=True)
    (etc / "jupyter_nbconvert_config.json").write_text(
        json.dumps({"HTMLExporter": {"preprocessors": ["x.Y"]}, "Other": {"a": 1}}))
    written = install_jupyter_config(tmp_path)
    config = json.loads((etc / "jupyter_nbconvert_config.json").read_text())
    assert config == {"HTMLExporter": {"preprocessors": [
        "x.Y", "analysis.delivery.export.KeepChartsPreprocessor"]}, "Other": {"a": 1}}
    server = json.loads((etc / "jupyter_server_config.d" / "dealtree.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {"analysis.delivery.jupyter": True}
    assert install_jupyter_config(tmp_path) == written  # twice is once
    assert json.loads((etc / "jupyter_nbconvert_config.json").read_text()) == config


def test_this_environment_has_the_jupyter_config():
    etc = Path(sys.prefix) / "etc" / "jupyter"
    assert (etc / "jupyter_server_config.d" / "dealtree.json").is_file(), "run `make setup`"
    assert "KeepChartsPreprocessor" in (etc / "jupyter_nbconvert_config.json").read_text()


def test_keep_charts_writes_every_chart_as_html_with_plotly_js_once():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    nb, _ = KeepChartsPreprocessor().preprocess(nb, {})
    pages = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])
             if PLOTLY in o.get("data", {})]
    assert len(pages) == _charts(nb) and all('class="plotly-graph-div"' in p for p in pages)
    assert sum("* plotly.js v" in p for p in pages) == 1 and "* plotly.js v" in pages[0]
    assert 'id="dealtree-chart-1"' in pages[0]


def test_a_chart_that_cannot_be_written_fails_the_export_loudly():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [nbformat.v4.new_output("display_data", data={PLOTLY: {"data": 3}})]
    nb.cells = [nbformat.v4.new_markdown_cell("# x"), cell]
    with pytest.raises(ChartExportError, match="cell 2: its plotly chart could not be written"):
        KeepChartsPreprocessor().preprocess(nb, {})


def test_plain_nbconvert_to_html_keeps_the_charts(tmp_path):
    copy = tmp_path / NOTEBOOKS[0].name
    copy.write_bytes(NOTEBOOKS[0].read_bytes())
    subprocess.run([str(JUPYTER), "nbconvert", "--to", "html", str(copy)], check=True,
                   capture_output=True, cwd=tmp_path)
    page = copy.with_suffix(".html").read_text()
    assert page.count('class="plotly-graph-div"') == _charts(nbformat.read(copy, as_version=4))
    assert page.count("* plotly.js v") == 1


def _small_notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A small report"),
                nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


def test_the_dealtree_exporter_builds_the_report(tmp_path):
    path = _small_notebook(tmp_path / "small.ipynb", (
        "import analysis\nfrom analysis import plotting\n"
        "plotting.plot_outcome_distribution(analysis.outcome_distribution("
        "analysis.load_scenario('baseline')))"))
    body, resources = DealtreeExporter().from_filename(str(path))
    assert resources["output_extension"] == ".html"
    assert 'name="dealtree:built"' in body and "<title>A small report</title>" in body
    assert body.count('id="dealtree-plotlyjs"') == 1  # the report's own light plotly.js
    assert 'class="plotly-graph-div"' in body
    assert "cdn." not in body.split("</head>")[0]


def test_the_dealtree_exporter_fails_naming_the_cell(tmp_path):
    path = _small_notebook(tmp_path / "broken.ipynb", "1 / 0")
    with pytest.raises(ChartExportError, match=r"broken.ipynb: cell 2 `1 / 0`: ZeroDivisionError"):
        DealtreeExporter().from_filename(str(path))


def test_the_dealtree_exporter_is_registered_with_nbconvert():
    from nbconvert.exporters import get_export_names, get_exporter

    assert "dealtree" in get_export_names()
    assert get_exporter("dealtree") is DealtreeExporter


def test_the_dealtree_exporter_says_why_a_notebook_does_not_apply():
    """A notebook that does not apply has no report to export: say why, not AttributeError."""
    exporter = DealtreeExporter(scenario="baseline")  # no decision phase
    with pytest.raises(ChartExportError, match=r"03-decisions.ipynb does not apply to "
                                                r"scenario 'baseline': .*decision"):
        exporter.from_filename(str(PROJECT_ROOT / "notebooks" / "03-decisions.ipynb"))
