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

Before any kernel starts, every notebook is read and checked, and every
scenario they will run is loaded: a missing or broken notebook, a notebook
that cannot take the scenario asked for, or an invalid scenario is an error
at once (:class:`~analysis.core.errors.ScenarioError` or
:class:`~analysis.core.errors.QueryError`). The output folder is then locked
for the build (a second build into it is refused), temporary files that a
killed build left there are removed, and a report or index that dealtree did
not write is never replaced unless ``force=True``.

Reports and ``index.html`` are written to a temporary file in the output
folder and moved onto their name with :func:`os.replace`
(:mod:`analysis.delivery.files`), so a reader never sees half a file and a
notebook that fails leaves its previous report as it was. The index lists
every report in the output folder (read from the ``<meta name="dealtree:...">``
tags the template writes) and this build's failures; when every notebook of a
build fails, an existing index is kept as it was.

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
import json
import os
import re
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from ..core.errors import Problem, QueryError, ScenarioError, ScenarioWarning
from ..core.paths import PROJECT_ROOT
from ..core.text import escape_controls
from ..core.version import VERSION as __version__
from ..model.overrides import describe_prior
from ..model.scenario import load_scenario
from .files import (
    OutputError,
    lock_folder,
    output_folder,
    remove_stale_temporaries,
    write_atomic,
)

__all__ = ["ReportResult", "build_reports"]

_TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_TEMPLATE_NAME = "offline"
_KERNEL_NAME = "python3"
_PARAMETERS_TAG = "parameters"
_INJECTED_TAG = "injected-parameters"
_INDEX_NAME = "index.html"
#: The largest notebook file read (ours, with their outputs, are about 5 MB).
_MAX_NOTEBOOK_BYTES = 100 * 2**20

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
    force: bool = False,
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
    force : bool, default False
        Replace files in the output folder named like a report or the index
        even when dealtree did not write them.

    Returns
    -------
    list of ReportResult
        One per notebook, in the order given. A failing notebook does not stop
        the others; callers should exit non-zero when any ``ok`` is False.

    Raises
    ------
    TypeError
        If ``scenario`` is not a string or ``progress`` is not callable.
    QueryError
        If ``scenario`` is empty, ``timeout`` is not positive, two notebooks
        would write the same report (same stem, or a notebook named
        ``index``), or a notebook cannot take the scenario asked for.
    ScenarioError
        If a notebook is missing or not a notebook, or a scenario a notebook
        would run is missing or invalid: all found before any kernel starts.
    OutputError
        If the output folder cannot be written, another build is writing to
        it, or a file there that dealtree did not write would be replaced.
    """
    if scenario is not None and not isinstance(scenario, str):
        raise TypeError(f"scenario must be a str, got {type(scenario).__name__}")
    if scenario is not None and not scenario.strip():
        raise QueryError(f"scenario == {scenario!r}, must be a non-empty name")
    if progress is None:
        progress = _print_progress
    elif not callable(progress):
        raise TypeError(f"progress must be callable, got {type(progress).__name__}")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise QueryError(f"timeout == {timeout!r}, must be > 0 seconds")

    if notebooks is None:
        paths = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    else:
        paths = [Path(nb) for nb in notebooks]
    _check_report_names(paths)
    plans = _prepare(paths, scenario)
    out = output_folder(output_dir if output_dir is not None else PROJECT_ROOT / "reports",
                        what="report folder")
    with lock_folder(out, what="report folder"):
        for stale in remove_stale_temporaries(out):
            progress(f"removed {stale.name}, left by an interrupted build")
        _check_targets(out, plans, force)
        results = [_build(number, plan, out, show_code, timeout, progress, len(plans))
                   for number, plan in enumerate(plans, start=1)]
        if any(r.ok for r in results) or not (out / _INDEX_NAME).exists():
            progress(f"index: {_write_index(out, results)}")
        else:
            progress(f"index: {out / _INDEX_NAME} kept as it was (no notebook built)")
    return results


@dataclass
class _Plan:
    """A notebook read and checked, ready to run: what it runs and where it came from."""

    path: Path
    data: dict  # the notebook's JSON, checked for the shape a notebook has
    title: str
    injected_at: int | None
    scenario: str | None
    injected: str | None  # the SCENARIO value injected at injected_at


def _prepare(paths: list[Path], scenario: str | None) -> list[_Plan]:
    """Read every notebook and load every scenario it will run; raise before any kernel."""
    problems: list[Problem] = []
    plans: list[_Plan] = []
    for path in paths:
        data = _read_notebook(path, problems)
        if data is None:
            continue
        try:
            injected_at, runs, injected = _scenario_cell(data, scenario, path.name)
        except _BuildError as exc:
            problems.append(Problem(str(path), None, "(notebook)",
                                    str(exc).removeprefix(f"{path.name}: ")))
            continue
        plans.append(_Plan(path, data, _first_heading(data) or path.stem, injected_at, runs,
                           injected))
    if problems:
        raise ScenarioError(problems)
    checked: set[str] = set()
    for plan in plans:
        if plan.scenario is None or plan.scenario in checked:
            continue
        checked.add(plan.scenario)
        beside = plan.path.parent / plan.scenario  # a notebook's own path is relative to it
        try:
            with warnings.catch_warnings():  # the notebook shows them; here only errors count
                warnings.simplefilter("ignore", ScenarioWarning)
                load_scenario(beside if scenario is None and beside.is_file() else plan.scenario)
        except ScenarioError as exc:
            head = Problem(str(plan.path), None, "(notebook)",
                           f"runs scenario {plan.scenario!r}, which could not be loaded:")
            raise ScenarioError([head, *exc.problems]) from None
    return plans


def _read_notebook(path: Path, problems: list[Problem]) -> dict | None:
    """Return the notebook at ``path`` as JSON, or None after adding what is wrong with it.

    Checked with the standard library only: nbformat's schema validator takes
    seconds to import (through jsonschema's format checkers), and a mistake
    must be reported in well under that. nbformat validates it in full when
    the notebook is built.
    """
    def problem(message: str) -> None:
        problems.append(Problem(str(path), None, "(notebook)", message))

    try:
        size = path.stat().st_size
        if not path.is_file():
            problem("not a regular file, expected a Jupyter notebook (.ipynb)")
            return None
        if size > _MAX_NOTEBOOK_BYTES:
            problem(f"file is {size:,} bytes, expected at most {_MAX_NOTEBOOK_BYTES:,}")
            return None
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
        why = _not_a_notebook(data)
        if why:
            problem(f"not a valid Jupyter notebook ({why}); expected an .ipynb file that "
                    "Jupyter opens")
            return None
    except FileNotFoundError:
        problem("no such notebook")
    except OSError as exc:
        problem(f"cannot read the file: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        problem(f"file is not UTF-8 text ({exc.reason})")
    except (ValueError, RecursionError) as exc:  # not JSON
        problem(f"not a valid Jupyter notebook ({type(exc).__name__}); expected an .ipynb "
                "file that Jupyter opens")
    else:
        return data
    return None


def _not_a_notebook(data: object) -> str | None:
    """Say what keeps ``data`` from being a notebook of format 4, or None."""
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return "no list of cells"
    if data.get("nbformat") != 4:
        return f"format {data.get('nbformat')!r}, expected 4"
    for cell in data["cells"]:
        if not (isinstance(cell, dict) and cell.get("cell_type") in ("code", "markdown", "raw")
                and isinstance(_source(cell), str)
                and isinstance(cell.get("metadata", {}), dict)
                and isinstance(cell.get("metadata", {}).get("tags", []), list)):
            return "a cell without a type, a source or metadata"
    return None


def _source(cell: dict) -> str | None:
    """Return a cell's source as text (a notebook file may store it as a list of lines)."""
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def _check_targets(out: Path, plans: list[_Plan], force: bool) -> None:
    """Refuse to replace files in ``out`` that dealtree did not write (unless ``force``)."""
    if force:
        return
    foreign = [name for name in [plan.path.stem + ".html" for plan in plans]
               if (out / name).exists() and _read_report_meta(out / name) is None]
    index = out / _INDEX_NAME
    if index.exists() and not _is_our_index(index):
        foreign.append(_INDEX_NAME)
    if foreign:
        raise OutputError(f"report folder {out} holds {', '.join(foreign)}, not written by "
                          "dealtree; refusing to replace "
                          f"{'it' if len(foreign) == 1 else 'them'} (choose another folder, or "
                          "use --force)")


def _build(number: int, plan: _Plan, out: Path, show_code: bool, timeout: float,
           progress: Callable[[str], object], total: int) -> ReportResult:
    path = plan.path
    prefix = f"[{number}/{total}] {path.name} ..."
    progress(prefix)
    start = time.perf_counter()
    built = _Built(title=plan.title, scenario=plan.scenario)
    try:
        output = _build_one(plan, out, show_code, timeout, built)
    except Exception as exc:  # every failure becomes a result, the others still build
        seconds = time.perf_counter() - start
        error = str(exc) if isinstance(exc, _BuildError) else f"{path.name}: {_last_line(exc)}"
        progress(f"{prefix} FAILED ({seconds:.1f} s): {error}")
        return ReportResult(path.name, None, False, error, seconds, built.title, built.scenario)
    seconds = time.perf_counter() - start
    progress(f"{prefix} ok ({seconds:.1f} s)")
    for warning in built.warnings:
        progress(f"    warning: {warning}")
    return ReportResult(path.name, output, True, None, seconds, built.title, built.scenario)


@dataclass
class _Built:
    """Facts gathered while building one notebook, kept even when it fails."""

    title: str
    scenario: str | None = None
    warnings: tuple[str, ...] = ()


def _print_progress(message: str) -> None:
    print(escape_controls(message), file=sys.stderr, flush=True)


def _check_report_names(paths: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for path in paths:
        name = path.stem + ".html"
        if name == _INDEX_NAME:
            raise QueryError(f"notebook {str(path)!r} would overwrite the report index "
                             f"{_INDEX_NAME!r}; rename it")
        if name in seen and seen[name] != path:
            raise QueryError(f"notebooks {str(seen[name])!r} and {str(path)!r} would both "
                             f"write report {name!r}")
        seen[name] = path


# ---------------------------------------------------------------- one notebook


def _build_one(plan: _Plan, out: Path, show_code: bool, timeout: float,
               built: _Built) -> Path:
    """Execute and export one notebook; return the written report's path."""
    import nbformat  # takes seconds to import (see _read_notebook): only to build

    path, injected_at = plan.path, plan.injected_at
    nb = nbformat.reads(json.dumps(plan.data), as_version=4)  # joins lines, as read() does
    nbformat.validate(nb)
    if injected_at is not None:
        nb.cells.insert(injected_at, nbformat.v4.new_code_cell(
            f"# Parameters injected by dealtree report\nSCENARIO = {plan.injected!r}",
            metadata={"tags": [_INJECTED_TAG]}))
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
    write_atomic(target, body, what="the report")
    return target


def _first_heading(nb: dict) -> str | None:
    """Return the text of the first ATX heading (``# Title``) in a markdown cell."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line in _source(cell).splitlines():
            match = re.match(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$", line)
            if match and match.group(1):
                return match.group(1)
    return None


def _scenario_cell(nb: dict, scenario: str | None, name: str
                   ) -> tuple[int | None, str | None, str | None]:
    """Decide where an ``injected-parameters`` cell goes, if one is needed.

    Returns the index the cell will have (None when nothing is inserted),
    the scenario the notebook will run with, and the value injected. A
    scenario given as a path to a file is injected as an absolute path: the
    kernel runs in the notebook's folder.
    """
    index = next((i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
                  and _PARAMETERS_TAG in cell.get("metadata", {}).get("tags", [])), None)
    if index is None:
        if scenario in (None, "baseline"):
            return None, None, None
        raise _BuildError(f"{name}: no code cell tagged {_PARAMETERS_TAG!r}, so scenario "
                          f"{scenario!r} cannot be set (expected a cell "
                          f"'SCENARIO = \"baseline\"' tagged {_PARAMETERS_TAG!r})")
    own = _literal(_source(nb["cells"][index]), "SCENARIO", str)
    if scenario is None or own == scenario:
        return None, own, None
    value = str(Path(scenario).resolve()) if _is_file(scenario) else scenario
    return index + 1, scenario, value


def _is_file(text: str) -> bool:
    try:
        return ("/" in text or text.endswith((".yaml", ".yml"))) and Path(text).is_file()
    except (OSError, ValueError):
        return False


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


def _execute(nb, path: Path, timeout: float,
             injected_at: int | None) -> None:
    """Run every cell; raise _BuildError naming the cell on failure."""
    from nbclient import NotebookClient

    current: dict[str, int] = {}

    def remember(cell, cell_index: int) -> None:
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


def _describe_cell(nb, index: int, injected_at: int | None) -> str:
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


def _strip_cdn_scripts(nb) -> int:
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


def _export(nb, path: Path, show_code: bool) -> str:
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
    write_atomic(target, _index_html(_index_entries(out, results)), what="the report index")
    return target


def _is_our_index(path: Path) -> bool:
    """Whether ``path`` is an index this module wrote (its generator tag names dealtree)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return '<meta name="generator" content="dealtree ' in head
