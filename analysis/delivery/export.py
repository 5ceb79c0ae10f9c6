"""nbconvert's side of sharing a notebook: ``--to dealtree``, and ``--to html`` that keeps charts.

``jupyter nbconvert --to dealtree notebook.ipynb`` writes ``notebook.html``:
the same offline, self-contained report as ``dealtree report``, because
:class:`DealtreeExporter` is a thin wrapper of
:func:`analysis.delivery.report.build_reports` (the notebook is executed
afresh and exported with the report's template). The package registers it
under the ``nbconvert.exporters`` entry point.

A plain ``jupyter nbconvert --to html`` of a stored notebook would drop
every chart: the notebook stores plotly's JSON mimetype, which nbconvert's
HTML cannot draw (it only warns). :class:`KeepChartsPreprocessor` writes
each such chart as HTML that draws it, with plotly.js inline once, so the
page keeps working charts offline; a chart it cannot write fails the export
with an error naming its cell, never a blank space.
:func:`analysis.delivery.jupyter.install_jupyter_config` adds it to
nbconvert's HTML exporter, for the command line and for JupyterLab's
"Export as HTML".
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
from nbconvert.exporters import Exporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Float, Unicode

from .report import build_reports

__all__ = ["ChartExportError", "DealtreeExporter", "KeepChartsPreprocessor"]

_PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
_PLOTLYJS_MARKER = "* plotly.js v"  # the bundle's license header
_SNAPSHOT_CLASS = "dealtree-explore-snapshot"


class ChartExportError(RuntimeError):
    """A notebook's chart (or the whole report) could not be written as HTML."""


class DealtreeExporter(Exporter):
    """Export a notebook as dealtree's offline report (``--to dealtree``).

    The notebook is executed afresh in a ``python3`` kernel, in its own
    folder, and exported exactly as ``dealtree report`` exports it. A cell
    that fails makes the export fail, naming the cell.
    """

    export_from_notebook = "dealtree report"
    output_mimetype = "text/html"

    scenario = Unicode(None, allow_none=True,
                       help="Scenario to run the notebook on (default: its own).").tag(config=True)
    show_code = Bool(False, help="Keep code cells' input in the report.").tag(config=True)
    timeout = Float(600, help="Seconds a single cell may run.").tag(config=True)

    def _file_extension_default(self) -> str:
        return ".html"

    def from_notebook_node(self, nb, resources=None, **kw):
        """Build the report of ``nb``; return its HTML and the resources."""
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        metadata = resources.get("metadata", {})
        name = metadata.get("name") or "notebook"
        folder = Path(metadata.get("path") or ".")
        with tempfile.TemporaryDirectory(prefix="dealtree-export-") as tmp:
            source = folder / f"{name}.ipynb"
            if not _same_notebook(source, nb):
                # Not the file on disk (or no file): build from the node, beside a copy.
                source = Path(tmp) / f"{name}.ipynb"
                nbformat.write(nb_copy, source)
            out = Path(tmp) / "out"
            messages: list[str] = []
            [result] = build_reports([source], out, scenario=self.scenario,
                                     progress=messages.append, show_code=self.show_code,
                                     timeout=self.timeout)
            if not result.ok:
                raise ChartExportError(f"dealtree report failed: {result.error}")
            if result.output is None:
                raise ChartExportError(f"{name}.ipynb does not apply to scenario "
                                       f"{result.scenario!r}: {result.reason}")
            body = result.output.read_text(encoding="utf-8")
        resources["output_extension"] = ".html"
        return body, resources


def _same_notebook(path: Path, nb) -> bool:
    try:
        return path.is_file() and nbformat.read(path, as_version=4) == nb
    except Exception:  # unreadable: build from the node instead
        return False


class KeepChartsPreprocessor(Preprocessor):
    """Write plotly charts stored as JSON as HTML that draws them (for ``--to html``).

    Each output holding plotly's JSON mimetype and no HTML gets an HTML
    rendering; the first carries plotly.js inline (about 5 MB), so the page
    draws every chart offline. Outputs that already have HTML (plotly's
    ``notebook`` renderer) are left as they are. A chart that cannot be
    written raises :class:`ChartExportError`: the export fails loudly.
    """

    include_plotlyjs = Bool(
        True, help="Put plotly.js inline in the first chart (else the page must load it)."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        """Add HTML to every chart stored only as plotly JSON."""
        from ..plotting.html import figure_html, plotly_js

        has_plotlyjs = any(_PLOTLYJS_MARKER in _text(output.get("data", {}).get("text/html", ""))
                           for cell in nb.cells for output in cell.get("outputs", []))
        number = 0
        for index, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                html = _text(data.get("text/html", ""))
                if _SNAPSHOT_CLASS in html and not has_plotlyjs and self.include_plotlyjs:
                    # The live panel's static snapshot draws with the page's plotly.js.
                    script = f'<script type="text/javascript">{plotly_js()}</script>'
                    data["text/html"] = script + html
                    has_plotlyjs = True
                if _PLOTLY_MIMETYPE not in data or "text/html" in data:
                    continue
                number += 1
                include = self.include_plotlyjs and not has_plotlyjs
                try:
                    data["text/html"] = figure_html(data[_PLOTLY_MIMETYPE],
                                                    div_id=f"dealtree-chart-{number}",
                                                    include_plotlyjs=include)
                except Exception as exc:
                    raise ChartExportError(
                        f"cell {index + 1}: its plotly chart could not be written as HTML "
                        f"({type(exc).__name__}: {exc}); the export would show a blank space"
                    ) from exc
                has_plotlyjs = has_plotlyjs or include
        return nb, resources


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)

