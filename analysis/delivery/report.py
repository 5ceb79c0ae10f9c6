"""Build self-contained HTML reports from the project's notebooks.

Each notebook is executed afresh in a ``python3`` kernel (working directory:
the notebook's folder) with ``PLOTLY_RENDERER=notebook``, so plotly embeds
plotly.js once, in the first figure's output, and every chart draws from the
file alone. It is then exported with the ``offline`` nbconvert template in
``analysis/templates/offline/``: JupyterLab's look without the require.js,
MathJax, mermaid and widget CDN scripts, code hidden by default, and a header
line naming the scenario, the build date and the dealtree version.

A notebook chooses its scenario in its first code cell tagged ``parameters``
(``SCENARIO = "baseline"``, the papermill convention). To build another
scenario, a cell tagged ``injected-parameters`` that sets ``SCENARIO`` is
inserted right after it, in the executed copy only: the ``.ipynb`` file is
never written.

Reports and ``index.html`` are written to a temporary file in the output
folder and moved onto their name with :func:`os.replace`, so a reader never
sees half a file and a notebook that fails leaves its previous report as it
was. The index lists every report in the output folder (read from the
``<meta name="dealtree:...">`` tags the template writes) and this build's
failures.

Examples
--------
>>> from analysis.delivery.report import build_reports
>>> results = build_reports(scenario="baseline")  # doctest: +SKIP
>>> all(result.ok for result in results)  # doctest: +SKIP
True
"""

from __future__ import annotations

import ast
import html
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import nbformat

from ..core.paths import PROJECT_ROOT
from ..core.version import VERSION as __version__
from ..model.overrides import describe_prior

__all__ = ["ReportResult", "build_reports"]

_TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_TEMPLATE_NAME = "offline"
_KERNEL_NAME = "python3"
_PARAMETERS_TAG = "parameters"
_INJECTED_TAG = "injected-parameters"
_INDEX_NAME = "index.html"
#: Permissions of written reports: readable by all, as a shared file should be
#: (temporary files are created private).
_FILE_MODE = 0o644

# Plotly's ``notebook`` renderer puts this MathJax CDN script before every
# figure (plotly 6-7 hard-code ``include_mathjax="cdn"``). Offline it fails,
# online it makes every reader's browser fetch from cdnjs. Removing it only
# loses LaTeX in chart labels, as the template's MathJax removal does in
# markdown.
_MATHJAX_SCRIPT = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["'](?:https?:)?//[^"']*mathjax[^"']*["'][^>]*>\s*</script>""",
    re.IGNORECASE,
)
_PLOTLYJS_MARKER = "* plotly.js v"  # license header of the embedded bundle
_PLOTLY_DIV = 'class="plotly-graph-div"'
_PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class ReportResult:
    """What happened to one notebook in :func:`build_reports`.

    Attributes
    ----------
    notebook : str
        The notebook's file name, e.g. ``"01-baseline.ipynb"``.
    output : pathlib.Path or None
        The written report, or None when the notebook failed (any previous
        report is then left as it was).
    ok : bool
        True when the notebook ran and its report was written.
    error : str or None
        None when ``ok``; otherwise one line naming the notebook, the failing
        cell (number and the start of its source) and the exception's last
        line, e.g. ``"02-x.ipynb: cell 4 `1 / 0`: ZeroDivisionError: division
        by zero"``.
    seconds : float
        Wall-clock time spent on the notebook.
    title : str
        The page title: the notebook's first markdown heading, else its stem.
    scenario : str or None
        The scenario the notebook ran with; None when it has no ``parameters``
        cell with a literal ``SCENARIO``.
    """

    notebook: str
    output: Path | None
    ok: bool
    error: str | None
    seconds: float
    title: str = ""
    scenario: str | None = None


class _BuildError(Exception):
    """A notebook could not be built; the message is the ReportResult error."""


def build_reports(
    notebooks: Iterable[str | os.PathLike[str]] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    *,
    scenario: str | None = None,
    progress: Callable[[str], object] | None = None,
    show_code: bool = False,
    timeout: float = 600,
) -> list[ReportResult]:
    """Execute notebooks and export each to a self-contained HTML report.

    Parameters
    ----------
    notebooks : iterable of path-like, optional
        ``.ipynb`` files to build. Default: every ``notebooks/*.ipynb`` under
        the project root, sorted by name.
    output_dir : path-like, optional
        Folder for ``<stem>.html`` reports and ``index.html`` (created when
        missing). Default: ``reports/`` under the project root.
    scenario : str, optional
        Scenario (a name in ``scenarios/`` or a path) to run every notebook
        on. Where it differs from the ``SCENARIO`` in a notebook's
        ``parameters`` cell, a cell tagged ``injected-parameters`` setting it
        is inserted after that cell. Default: each notebook's own. A notebook
        without a ``parameters`` cell builds only with the default or
        ``"baseline"`` (and is listed with no scenario).
    progress : callable, optional
        Called with one line of text before and after each notebook, e.g.
        ``"[1/3] 01-baseline.ipynb ... ok (6.2 s)"``, and with warnings.
        Default: print to standard error.
    show_code : bool, default False
        Keep code cells' input in the reports (hidden by default: readers
        are not programmers).
    timeout : float, default 600
        Seconds a single cell may run before it counts as failed.

    Returns
    -------
    list of ReportResult
        One per notebook, in the order given. A failing notebook does not stop
        the others; callers should exit non-zero when any ``ok`` is False.

    Raises
    ------
    TypeError
        If ``scenario`` is not a string or ``progress`` is not callable.
    ValueError
        If ``scenario`` is empty, ``timeout`` is not positive, or two
        notebooks would write the same report (same stem, or a notebook named
        ``index``).
    """
    if scenario is not None and not isinstance(scenario, str):
        raise TypeError(f"scenario must be a str, got {type(scenario).__name__}")
    if scenario is not None and not scenario.strip():
        raise ValueError(f"scenario == {scenario!r}, must be a non-empty name")
    if progress is None:
        progress = _print_progress
    elif not callable(progress):
        raise TypeError(f"progress must be callable, got {type(progress).__name__}")
    if not timeout > 0:
        raise ValueError(f"timeout == {timeout!r}, must be > 0 seconds")

    if notebooks is None:
        paths = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    else:
        paths = [Path(nb) for nb in notebooks]
    _check_report_names(paths)
    out = Path(output_dir) if output_dir is not None else PROJECT_ROOT / "reports"
    out.mkdir(parents=True, exist_ok=True)

    results: list[ReportResult] = []
    total = len(paths)
    for number, path in enumerate(paths, start=1):
        prefix = f"[{number}/{total}] {path.name} ..."
        progress(prefix)
        start = time.perf_counter()
        built = _Built(title=path.stem)
        try:
            output = _build_one(path, out, scenario, show_code, timeout, built)
        except Exception as exc:  # every failure becomes a result, the others still build
            seconds = time.perf_counter() - start
            error = str(exc) if isinstance(exc, _BuildError) else f"{path.name}: {_last_line(exc)}"
            results.append(ReportResult(path.name, None, False, error, seconds,
                                        built.title, built.scenario))
            progress(f"{prefix} FAILED ({seconds:.1f} s): {error}")
            continue
        seconds = time.perf_counter() - start
        results.append(ReportResult(path.name, output, True, None, seconds,
                                    built.title, built.scenario))
        progress(f"{prefix} ok ({seconds:.1f} s)")
        for warning in built.warnings:
            progress(f"    warning: {warning}")

    index = _write_index(out, results)
    progress(f"index: {index}")
    return results


@dataclass
class _Built:
    """Facts gathered while building one notebook, kept even when it fails."""

    title: str
    scenario: str | None = None
    warnings: tuple[str, ...] = ()


def _print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check_report_names(paths: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for path in paths:
        name = path.stem + ".html"
        if name == _INDEX_NAME:
            raise ValueError(f"notebook {str(path)!r} would overwrite the report index "
                             f"{_INDEX_NAME!r}; rename it")
        if name in seen and seen[name] != path:
            raise ValueError(f"notebooks {str(seen[name])!r} and {str(path)!r} would both "
                             f"write report {name!r}")
        seen[name] = path


# ---------------------------------------------------------------- one notebook


def _build_one(path: Path, out: Path, scenario: str, show_code: bool, timeout: float,
               built: _Built) -> Path:
    """Execute and export one notebook; return the written report's path."""
    nb = nbformat.read(path, as_version=4)
    built.title = _first_heading(nb) or path.stem
    injected_at, built.scenario = _apply_scenario(nb, scenario, path.name)
    nb.metadata["title"] = built.title
    parameters = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and {
        _PARAMETERS_TAG, _INJECTED_TAG} & set(c.metadata.get("tags", [])))
    seed = _literal(parameters, "SEED", int)
    overrides = _literal(parameters, "PRIOR_OVERRIDES", dict) or {}
    nb.metadata["dealtree"] = {
        "scenario": built.scenario,
        "changes": "; ".join(f"{key} = {describe_prior(value)}"
                             for key, value in overrides.items()),
        "seed": "" if seed is None else str(seed),
        "built": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": __version__,
    }
    _execute(nb, path, timeout, injected_at)
    figures_without_html = _strip_cdn_scripts(nb)
    body = _export(nb, path, show_code)
    built.warnings = _plotly_warnings(body, figures_without_html)
    target = out / (path.stem + ".html")
    _write_atomic(target, body)
    return target


def _first_heading(nb: nbformat.NotebookNode) -> str | None:
    """Return the text of the first ATX heading (``# Title``) in a markdown cell."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$", line)
            if match and match.group(1):
                return match.group(1)
    return None


def _apply_scenario(nb: nbformat.NotebookNode, scenario: str | None,
                    name: str) -> tuple[int | None, str | None]:
    """Insert an ``injected-parameters`` cell when needed.

    Returns the inserted cell's index (None when nothing was inserted) and the
    scenario the notebook will run with.
    """
    index = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                  and _PARAMETERS_TAG in cell.metadata.get("tags", [])), None)
    if index is None:
        if scenario in (None, "baseline"):
            return None, None
        raise _BuildError(f"{name}: no code cell tagged {_PARAMETERS_TAG!r}, so scenario "
                          f"{scenario!r} cannot be set (expected a cell "
                          f"'SCENARIO = \"baseline\"' tagged {_PARAMETERS_TAG!r})")
    own = _literal(nb.cells[index].source, "SCENARIO", str)
    if scenario is None or own == scenario:
        return None, own
    injected = nbformat.v4.new_code_cell(
        f"# Parameters injected by dealtree report\nSCENARIO = {scenario!r}",
        metadata={"tags": [_INJECTED_TAG]},
    )
    nb.cells.insert(index + 1, injected)
    return index + 1, scenario


def _literal(source: str, name: str, kind: type) -> object | None:
    """Return the last literal of type ``kind`` assigned to ``name`` in ``source``, if any."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    value = None
    for node in tree.body:
        if (isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)):
            value = _literal_value(node.value)
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and node.target.id == name):
            value = _literal_value(node.value)
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def _literal_value(node: ast.expr | None) -> object | None:
    """Return a literal expression's value (numbers, strings, dicts, lists); never run code."""
    try:
        return ast.literal_eval(node) if node is not None else None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _execute(nb: nbformat.NotebookNode, path: Path, timeout: float,
             injected_at: int | None) -> None:
    """Run every cell; raise _BuildError naming the cell on failure."""
    from nbclient import NotebookClient

    current: dict[str, int] = {}

    def remember(cell: nbformat.NotebookNode, cell_index: int) -> None:
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        kernel_name=_KERNEL_NAME,
        timeout=timeout,
        record_timing=False,
        on_cell_execute=remember,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    # No progress bars in a shared file: they would be stored as widget outputs.
    env = {**os.environ, "PLOTLY_RENDERER": "notebook", "DEALTREE_PROGRESS": "0"}
    try:
        client.execute(env=env)
    except Exception as exc:
        if "index" not in current:
            raise
        index = current["index"]
        raise _BuildError(
            f"{path.name}: {_describe_cell(nb, index, injected_at)}: {_last_line(exc)}"
        ) from exc


def _describe_cell(nb: nbformat.NotebookNode, index: int, injected_at: int | None) -> str:
    """Name a cell as the analyst sees it: its number in the original notebook."""
    if index == injected_at:
        return "injected-parameters cell"
    number = index + 1 - (1 if injected_at is not None and index > injected_at else 0)
    lines = [line.strip() for line in nb.cells[index].source.splitlines() if line.strip()]
    excerpt = lines[0] if lines else ""
    if len(excerpt) > 60:
        excerpt = excerpt[:57] + "..."
    if len(lines) > 1:
        excerpt += " ..."
    return f"cell {number} `{excerpt}`"


def _last_line(exc: BaseException) -> str:
    """Return ``"Name: message"`` for an exception, from a kernel or not."""
    ename = getattr(exc, "ename", None)
    if ename:
        text = f"{ename}: {getattr(exc, 'evalue', '')}"
    else:
        lines = traceback.format_exception_only(exc)[-1].strip().splitlines()
        text = lines[0] if lines else type(exc).__name__
    return _ANSI.sub("", text).strip()


def _strip_cdn_scripts(nb: nbformat.NotebookNode) -> int:
    """Remove plotly's MathJax CDN script from HTML outputs.

    Returns the number of plotly outputs that have no HTML (they would show
    as blank space in the report).
    """
    without_html = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                data["text/html"] = _MATHJAX_SCRIPT.sub("", _as_text(data["text/html"]))
            elif _PLOTLY_MIMETYPE in data:
                without_html += 1
    return without_html


def _as_text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _export(nb: nbformat.NotebookNode, path: Path, show_code: bool) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=_TEMPLATE_NAME,
        extra_template_basedirs=[str(_TEMPLATES_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    resources = {"metadata": {"name": path.stem, "path": str(path.parent.resolve())}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _plotly_warnings(body: str, figures_without_html: int) -> tuple[str, ...]:
    warnings = []
    if figures_without_html:
        warnings.append(f"{figures_without_html} plotly figure(s) have no HTML output and "
                        "will be blank (does the notebook set pio.renderers.default?)")
    bundles = body.count(_PLOTLYJS_MARKER)
    if _PLOTLY_DIV in body and bundles == 0:
        warnings.append("the report has plotly figures but no embedded plotly.js: charts will "
                        "be blank (was the first figure's output removed or a renderer set?)")
    elif bundles > 1:
        warnings.append(f"plotly.js is embedded {bundles} times (about 5 MB each): set no "
                        "renderer in the notebook")
    return tuple(warnings)


# ---------------------------------------------------------------- files


def _write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file and os.replace."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- index


@dataclass(frozen=True)
class _Entry:
    file: str  # report file name, or the notebook name for a failure without one
    title: str
    scenario: str
    seed: str
    built: str
    version: str
    link: bool
    error: str | None = None


class _HeadParser(HTMLParser):
    """Collect ``<title>`` and ``<meta name="dealtree:KEY" content=...>`` from a head.

    nbconvert re-serialises the page (attribute order, ``/>``), so the tags
    are parsed, not matched as text.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = dict(attrs)
            name = values.get("name") or ""
            if name.startswith("dealtree:"):
                self.meta[name.removeprefix("dealtree:")] = values.get("content") or ""
        elif tag == "title" and self.title is None:
            self._in_title, self.title = True, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data


def _read_report_meta(path: Path) -> dict[str, str] | None:
    """Return a report's title and dealtree meta tags, or None if not a dealtree report."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(65536)
    except OSError:
        return None
    parser = _HeadParser()
    parser.feed(head.split("</head>", 1)[0])
    meta = dict(parser.meta)
    if "built" not in meta:
        return None
    meta["title"] = (parser.title or "").strip() or path.stem
    return meta


def _index_entries(out: Path, results: list[ReportResult]) -> list[_Entry]:
    entries: dict[str, _Entry] = {}
    for path in sorted(out.glob("*.html")):
        if path.name == _INDEX_NAME:
            continue
        meta = _read_report_meta(path)
        if meta is not None:
            entries[path.name] = _Entry(path.name, meta["title"], meta.get("scenario", ""),
                                        meta.get("seed", ""), meta.get("built", ""),
                                        meta.get("version", ""), True)
    for result in results:
        if result.ok:
            continue
        name = Path(result.notebook).stem + ".html"
        previous = entries.get(name)
        if previous is not None:
            entries[name] = _Entry(name, previous.title, previous.scenario, previous.seed,
                                   previous.built, previous.version, True, result.error)
        else:
            entries[name] = _Entry(result.notebook, result.title, result.scenario or "", "",
                                   "", "", False, result.error)
    return [entries[name] for name in sorted(entries)]


_INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       margin: 2em auto; max-width: 64em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
p.meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.45em 0.6em; border-bottom: 1px solid #ddd;
         vertical-align: top; }
th { background: #f4f4f4; }
td.nowrap { white-space: nowrap; }
td.ok { color: #176f2c; font-weight: 600; }
td.failed { color: #a40e26; font-weight: 600; }
.error { display: block; font-weight: normal; font-family: ui-monospace, monospace;
         font-size: 0.85em; white-space: pre-wrap; color: #a40e26; }
.note { display: block; font-weight: normal; color: #666; font-size: 0.85em; }
"""


def _index_html(entries: list[_Entry]) -> str:
    esc = html.escape
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    for entry in entries:
        if entry.link:
            report = f'<a href="{esc(quote(entry.file))}">{esc(entry.title)}</a>'
        else:
            report = esc(entry.title)
        if entry.error is None:
            status = '<td class="ok">ok</td>'
        else:
            note = ("previous report kept, built " + esc(entry.built) if entry.link
                    else "no report")
            status = (f'<td class="failed">failed<span class="error">{esc(entry.error)}</span>'
                      f'<span class="note">{note}</span></td>')
        rows.append(
            f'<tr><td>{report}</td><td class="nowrap">{esc(entry.file)}</td>'
            f"<td>{esc(entry.scenario)}</td><td>{esc(entry.seed) or '—'}</td>"
            f'<td class="nowrap">{esc(entry.built)}</td><td>{esc(entry.version)}</td>{status}</tr>'
        )
    body = "\n".join(rows) if rows else '<tr><td colspan="7">No reports yet.</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="dealtree {esc(__version__)}">
<title>dealtree reports</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<h1>dealtree reports</h1>
<p class="meta">Index updated {esc(now)} with dealtree {esc(__version__)}.</p>
<table>
<thead><tr><th>Report</th><th>File</th><th>Scenario</th><th>Seed</th><th>Built (UTC)</th>
<th>dealtree</th><th>Status</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""


def _write_index(out: Path, results: list[ReportResult]) -> Path:
    target = out / _INDEX_NAME
    _write_atomic(target, _index_html(_index_entries(out, results)))
    return target
