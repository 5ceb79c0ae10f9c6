"""dealtree in JupyterLab and Notebook: clean saves, exports that keep their charts.

JupyterLab's plotly renderer adds a PNG snapshot of every chart to the
notebook when it is saved (the outcomes notebook grew from 276 KB to
1.0 MB, a 544-line diff). This module is a Jupyter server extension that
removes them on every save (:func:`strip_snapshots`, a contents manager
pre-save hook): the chart stays as plotly's JSON, which Lab and VS Code
draw. It also adds :class:`~analysis.delivery.export.KeepChartsPreprocessor`
to the HTML export of the server (Lab's "Export Notebook as HTML").

:func:`install_jupyter_config` enables it, and the preprocessor for
``jupyter nbconvert --to html``, in an environment's ``etc/jupyter``;
``make setup`` runs it (``python -m analysis.delivery.jupyter``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["image_snapshots", "install_jupyter_config", "strip_snapshots"]

_PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
_IMAGE_MIMETYPES = ("image/png", "image/jpeg", "image/svg+xml")
_MODULE = "analysis.delivery.jupyter"
_PREPROCESSOR = "analysis.delivery.export.KeepChartsPreprocessor"


def image_snapshots(nb: Any) -> list[tuple[int, str]]:
    """Return ``(cell number from 1, mimetype)`` for every image stored beside a plotly chart."""
    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {}) or {}
            if _PLOTLY_MIMETYPE in data:
                found += [(index + 1, m) for m in _IMAGE_MIMETYPES if m in data]
    return found


def strip_snapshots(model: dict, **kwargs: Any) -> None:
    """Remove the image snapshots of plotly charts from a notebook about to be saved.

    A contents manager pre-save hook: ``model`` is what the server is about
    to write; only notebooks are touched, and only images that sit beside
    plotly's JSON in the same output.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    for cell in model["content"].get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data")
            if isinstance(data, dict) and _PLOTLY_MIMETYPE in data:
                for mimetype in _IMAGE_MIMETYPES:
                    data.pop(mimetype, None)


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": _MODULE}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    serverapp.contents_manager.register_pre_save_hook(strip_snapshots)
    html = serverapp.config.HTMLExporter
    preprocessors = list(html.get("preprocessors", []))
    if _PREPROCESSOR not in preprocessors:
        html.preprocessors = [*preprocessors, _PREPROCESSOR]
    serverapp.log.info("dealtree: saved notebooks keep no chart snapshots; "
                       "HTML exports keep their charts")


def install_jupyter_config(prefix: str | Path | None = None) -> list[Path]:
    """Enable the server extension and the HTML preprocessor in an environment.

    Writes ``etc/jupyter/jupyter_server_config.d/dealtree.json`` and adds the
    preprocessor to ``etc/jupyter/jupyter_nbconvert_config.json`` (keeping
    what else it holds) under ``prefix`` (default: this Python's
    ``sys.prefix``, the virtual environment). Returns the files written.
    """
    etc = Path(prefix if prefix is not None else sys.prefix) / "etc" / "jupyter"
    server = etc / "jupyter_server_config.d" / "dealtree.json"
    server.parent.mkdir(parents=True, exist_ok=True)
    server.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {_MODULE: True}}},
                                 indent=2) + "\n")
    nbconvert = etc / "jupyter_nbconvert_config.json"
    config = json.loads(nbconvert.read_text()) if nbconvert.is_file() else {}
    preprocessors = config.setdefault("HTMLExporter", {}).setdefault("preprocessors", [])
    if _PREPROCESSOR not in preprocessors:
        preprocessors.append(_PREPROCESSOR)
    nbconvert.write_text(json.dumps(config, indent=2) + "\n")
    return [server, nbconvert]


if __name__ == "__main__":
    for path in install_jupyter_config():
        print(f"wrote {path}")
