"""Build self-contained HTML reports from the project's notebooks.

Each notebook is run afresh in a ``python3`` kernel (working directory: the
notebook's folder) with its parameters injected by papermill: a cell tagged
``injected-parameters`` after the cell tagged ``parameters``, in the executed
copy only (the ``.ipynb`` file is never written). ``scenario=``,
``evidence=``, ``resolutions=`` and ``parameters=`` set them; a value that
names a file relative to the caller's folder becomes that file's absolute
path, and is shown by its file name alone.

Before any kernel starts, the scenario each notebook would run on is loaded
(with its prior overrides) and checked: an invalid scenario or override
raises :class:`~analysis.core.errors.ScenarioError`. A notebook that does not
apply to the scenario (its metadata ``dealtree.needs`` names a decision
phase, an evidence log or durations the scenario lacks) is not run: it is
listed in the index as "not applicable" with the reason.

Charts are stored as plotly's JSON mimetype and drawn in the page by a
light plotly.js (:mod:`analysis.delivery.figures`). The page is exported with
the ``offline`` nbconvert template in ``templates/offline/``: JupyterLab's
look without CDN scripts, code hidden by default, and a header naming the
scenario (title, id, file name), what the run changed, its seed, the build
date and the dealtree version.

Before any kernel starts, every notebook is read and checked (with the
standard library: nbformat takes seconds to import), and every scenario they
will run is loaded: a missing or broken notebook, a notebook that cannot
take the parameters asked for, or an invalid scenario is an error at once
(:class:`~analysis.core.errors.ScenarioError` or
:class:`~analysis.core.errors.QueryError`). The output folder is then locked
for the build (a second build into it is refused), temporary files that a
killed build left there are removed, and a report or index that dealtree did
not write is never replaced unless ``force=True``.

Reports and ``index.html`` are written to a temporary file in the output
folder and moved onto their name with :func:`os.replace`
(:mod:`analysis.delivery.files`), so a reader never sees half a file and a
notebook that fails leaves its previous report as it was. The index
(:mod:`analysis.delivery.index_page`) lists every report in the output folder
and this build's failures and notebooks that do not apply; when every
notebook of a build fails, an existing index is kept as it was.

Examples
--------
>>> from analysis.delivery.report import build_reports
>>> results = build_reports(scenario="baseline")  # doctest: +SKIP
>>> all(result.ok for result in results)  # doctest: +SKIP
True
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import Problem, QueryError, ScenarioError, ScenarioWarning
from ..core.paths import PROJECT_ROOT
from ..core.text import escape_controls
from ..core.version import VERSION as __version__
from ..model.overrides import describe_prior
from ..model.scenario import load_scenario
from .files import OutputError, lock_folder, output_folder, remove_stale_temporaries, write_atomic
from .index_page import INDEX_NAME, IndexEntry, index_html, is_our_index, read_report_meta

if TYPE_CHECKING:
    from ..model.scenario import Scenario

__all__ = ["ReportResult", "build_reports", "notebook_parameters"]

_TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_TEMPLATE_NAME = "offline"
_KERNEL_NAME = "python3"
_PARAMETERS_TAG = "parameters"
_INJECTED_TAG = "injected-parameters"
#: The largest notebook file read (ours, with their outputs, are about 5 MB).
_MAX_NOTEBOOK_BYTES = 100 * 2**20
#: Parameters shown in the header on their own line, not among "parameters changed".
_SHOWN_APART = ("SCENARIO", "PRIOR_OVERRIDES", "SEED")
_WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class ReportResult:
    """What happened to one notebook in :func:`build_reports`.

    Attributes
    ----------
    notebook : str
        The notebook's file name, e.g. ``"01-outcomes.ipynb"``.
    output : pathlib.Path or None
        The written report; None when the notebook failed (any previous
        report is then left as it was) or does not apply.
    ok : bool
        False when the notebook failed; a notebook that does not apply is ok.
    error : str or None
        None when ``ok``; otherwise one line naming the notebook, the failing
        cell (number and the start of its source) and the exception's last
        line, e.g. ``"02-x.ipynb: cell 4 `1 / 0`: ZeroDivisionError: division
        by zero"``.
    seconds : float
        Wall-clock time spent on the notebook.
    title : str
        The page title: the notebook's first markdown heading (else its stem)
        and the scenario's title.
    scenario : str or None
        The id of the scenario the notebook ran on.
    reason : str or None
        Why the notebook does not apply to the scenario (then ``output`` is
        None), or None.
    """

    notebook: str
    output: Path | None
    ok: bool
    error: str | None
    seconds: float
    title: str = ""
    scenario: str | None = None
    reason: str | None = None


class _BuildError(Exception):
    """A notebook could not be built; the message is the ReportResult error."""


@dataclass
class _Plan:
    """One notebook's run, decided before any kernel starts."""

    path: Path
    nb: dict  # the notebook's JSON, checked for the shape a notebook has
    title: str
    injected: dict[str, Any]
    values: dict[str, Any]
    scenario: Scenario | None = None
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)


def notebook_parameters(notebook: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the parameters a notebook's ``parameters`` cell defines, with their defaults.

    Defaults that are not literals (an expression) are returned as None.
    """
    problems: list[Problem] = []
    nb = _read_notebook(Path(notebook), problems)
    if nb is None:
        raise ScenarioError(problems)
    return _defaults(nb)


def build_reports(
    notebooks: Iterable[str | os.PathLike[str]] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    *,
    scenario: str | os.PathLike[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    evidence: str | os.PathLike[str] | None = None,
    resolutions: str | os.PathLike[str] | None = None,
    progress: Callable[[str], object] | None = None,
    show_code: bool = False,
    timeout: float = 600,
    bundle: str = "light",
    jobs: int = 1,
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
    scenario : str or path-like, optional
        Scenario (a name in ``scenarios/`` or a path, relative to the
        caller's folder) to run every notebook on: the ``SCENARIO``
        parameter. Default: each notebook's own.
    parameters : mapping, optional
        Parameter name -> value, injected into every notebook whose
        ``parameters`` cell defines it (``{"SEED": 3, "PRIOR_OVERRIDES":
        {"ceasefire.holds": 0.9}}``).
    evidence, resolutions : str or path-like, optional
        The ``EVIDENCE`` and ``RESOLUTIONS`` parameters: an evidence log and
        a resolutions file, names or paths. Default: what the scenario file
        names under ``notebooks:``.
    progress : callable, optional
        Called with one line of text before and after each notebook, e.g.
        ``"[1/3] 01-outcomes.ipynb ... ok (6.2 s)"``, and with warnings.
        Default: print to standard error.
    show_code : bool, default False
        Keep code cells' input in the reports (hidden by default: readers
        are not programmers).
    timeout : float, default 600
        Seconds a single cell may run before it counts as failed.
    bundle : {"light", "full"}
        The plotly.js to embed: the light, compressed one, or plotly.py's
        complete bundle (for comparisons).
    jobs : int, default 1
        Notebooks run at once, each in its own kernel. With more than one,
        progress lines of different notebooks interleave; the results keep
        the order given.
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
        If ``scenario`` is not a string or path, ``parameters`` not a mapping,
        or ``progress`` not callable.
    QueryError
        If ``scenario`` is empty, ``timeout`` is not positive, ``bundle`` is
        unknown, ``jobs`` is not a positive integer, two notebooks would
        write the same report (same stem, or a notebook named ``index``), a
        parameter is defined by none of the notebooks, or a notebook cannot
        take the scenario asked for.
    ScenarioError
        If a notebook is missing or not a notebook, or a scenario, a prior
        override or an evidence log a notebook would use is invalid: all
        found before any kernel starts.
    OutputError
        If the output folder cannot be written, another build is writing to
        it, or a file there that dealtree did not write would be replaced.
    """
    if scenario is not None and not isinstance(scenario, str | os.PathLike):
        raise TypeError(f"scenario must be a str or a path, got {type(scenario).__name__}")
    if isinstance(scenario, str) and not scenario.strip():
        raise QueryError(f"scenario == {scenario!r}, must be a non-empty name")
    if parameters is not None and not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a mapping, got {type(parameters).__name__}")
    if progress is None:
        progress = _print_progress
    elif not callable(progress):
        raise TypeError(f"progress must be callable, got {type(progress).__name__}")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise QueryError(f"timeout == {timeout!r}, must be > 0 seconds")
    if bundle not in ("light", "full"):  # figures.BUNDLES (imported only to build)
        raise QueryError(f"bundle == {bundle!r}, expected one of: light, full")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise QueryError(f"jobs == {jobs!r}, must be an integer >= 1")

    if notebooks is None:
        paths = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    else:
        paths = [Path(nb) for nb in notebooks]
    _check_report_names(paths)
    folder = Path(output_dir) if output_dir is not None else PROJECT_ROOT / "reports"
    if folder.exists() and not folder.is_dir():  # at once, before reading anything
        output_folder(folder, what="report folder")
    given = dict(parameters or {})
    for name, value in (("SCENARIO", scenario), ("EVIDENCE", evidence),
                        ("RESOLUTIONS", resolutions)):
        if value is not None:
            given[name] = str(value)
    given = {name: _from_callers_folder(value) for name, value in given.items()}
    _check_logs(given.get("EVIDENCE") if evidence is not None else None,
                given.get("RESOLUTIONS") if resolutions is not None else None)
    plans = _prepare(paths, given)
    _check_parameters_known(plans, dict(parameters or {}))
    out = output_folder(folder, what="report folder")
    with lock_folder(out, what="report folder"):
        for stale in remove_stale_temporaries(out):
            progress(f"removed {stale.name}, left by an interrupted build")
        _check_targets(out, plans, force)
        results = _run_all(plans, out, show_code, timeout, bundle, jobs, progress)
        if any(r.ok and r.output is not None for r in results) or not (out / INDEX_NAME).exists():
            progress(f"index: {_write_index(out, results, plans)}")
        else:
            progress(f"index: {out / INDEX_NAME} kept as it was (no notebook built)")
    return results


def _run_all(plans: list[_Plan], out: Path, show_code: bool, timeout: float, bundle: str,
             jobs: int, progress: Callable[[str], object]) -> list[ReportResult]:
    """Build every planned notebook, ``jobs`` at a time; return the results in order."""
    total = len(plans)

    def run(number: int, plan: _Plan) -> ReportResult:
        path = plan.path
        prefix = f"[{number}/{total}] {path.name} ..."
        scenario_id = plan.scenario.id if plan.scenario is not None else None
        if plan.reason is not None:
            _remove_stale(out / (path.stem + ".html"))
            progress(f"{prefix} not applicable: {plan.reason}")
            return ReportResult(path.name, None, True, None, 0.0, plan.title, scenario_id,
                                plan.reason)
        progress(prefix)
        start = time.perf_counter()
        try:
            output = _build_one(plan, out, show_code, timeout, bundle)
        except Exception as exc:  # every failure becomes a result, the others still build
            seconds = time.perf_counter() - start
            error = str(exc) if isinstance(exc, _BuildError) else f"{path.name}: {_last_line(exc)}"
            progress(f"{prefix} FAILED ({seconds:.1f} s): {error}")
            return ReportResult(path.name, None, False, error, seconds, plan.title, scenario_id)
        seconds = time.perf_counter() - start
        progress(f"{prefix} ok ({seconds:.1f} s)")
        for warning in plan.warnings:
            progress(f"    warning: {warning}")
        return ReportResult(path.name, output, True, None, seconds, plan.title, scenario_id)

    numbered = list(enumerate(plans, start=1))
    if jobs == 1 or total <= 1:
        results = [run(number, plan) for number, plan in numbered]
    else:  # each notebook runs in its own kernel process: threads only wait for them
        with ThreadPoolExecutor(max_workers=min(jobs, total)) as pool:
            results = list(pool.map(lambda item: run(*item), numbered))
    return results


def _print_progress(message: str) -> None:
    print(escape_controls(message), file=sys.stderr, flush=True)


def _check_report_names(paths: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for path in paths:
        name = path.stem + ".html"
        if name == INDEX_NAME:
            raise QueryError(f"notebook {str(path)!r} would overwrite the report index "
                             f"{INDEX_NAME!r}; rename it")
        if name in seen and seen[name] != path:
            raise QueryError(f"notebooks {str(seen[name])!r} and {str(path)!r} would both "
                             f"write report {name!r}")
        seen[name] = path


def _from_callers_folder(value: Any) -> Any:
    """Make a string naming a file relative to the working folder becomes its absolute path."""
    if isinstance(value, str) and value and Path(value).is_file():
        return str(Path(value).resolve())
    if isinstance(value, list):
        return [_from_callers_folder(v) for v in value]
    return value


def _check_logs(evidence: str | None, resolutions: str | None) -> None:
    """Load the evidence log and the resolutions asked for: a bad one is refused before kernels."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        if evidence is not None:
            from ..formats.evidence_file import load_evidence

            load_evidence(evidence)
        if resolutions is not None:
            from ..formats.resolutions_file import load_resolutions

            load_resolutions(resolutions)


def _check_parameters_known(plans: list[_Plan], given: Mapping[str, Any]) -> None:
    known = set()
    for plan in plans:
        known |= set(_defaults(plan.nb))
    unknown = sorted(set(given) - known)
    if unknown and plans:
        raise QueryError(f"parameter(s) {', '.join(unknown)} defined by none of the notebooks; "
                         f"expected one of: {', '.join(sorted(known)) or '(none)'}")


# ---------------------------------------------------------------- planning


def _parameters_cell(nb: dict) -> int | None:
    return next((i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
                 and _PARAMETERS_TAG in cell.get("metadata", {}).get("tags", [])), None)


def _defaults(nb: dict) -> dict[str, Any]:
    """Return the names the ``parameters`` cell assigns, with their literal values (else None)."""
    index = _parameters_cell(nb)
    if index is None:
        return {}
    try:
        tree = ast.parse(_source(nb["cells"][index]))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    values: dict[str, Any] = {}
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        for target in targets:
            names = ([t for t in target.elts] if isinstance(target, ast.Tuple) else [target])
            for position, name in enumerate(names):
                if not isinstance(name, ast.Name):
                    continue
                value = _literal_value(node.value)
                if isinstance(target, ast.Tuple) and isinstance(value, tuple):
                    value = value[position] if position < len(value) else None
                values[name.id] = value
    return values


def _literal_value(node: ast.expr | None) -> Any:
    """Return a literal expression's value (numbers, strings, dicts, lists); never run code."""
    try:
        return ast.literal_eval(node) if node is not None else None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _prepare(paths: list[Path], given: Mapping[str, Any]) -> list[_Plan]:
    """Read every notebook and plan its run; raise before any kernel starts.

    Every notebook that is missing or not a notebook is named in one
    :class:`ScenarioError`; then each scenario is loaded (a failure names the
    notebook that runs it).
    """
    problems: list[Problem] = []
    read = [(path, _read_notebook(path, problems)) for path in paths]
    if problems:
        raise ScenarioError(problems)
    return [_plan(path, nb, given) for path, nb in read]


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
    if not isinstance(data.get("metadata", {}), dict):
        return "metadata that is not a mapping"
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


def _plan(path: Path, nb: dict, given: Mapping[str, Any]) -> _Plan:
    """Decide a notebook's run: parameters, scenario, applicability."""
    defaults = _defaults(nb)
    heading = _first_heading(nb) or path.stem
    injected = {k: v for k, v in given.items() if k in defaults}
    values = {**defaults, **injected}
    plan = _Plan(path, nb, heading, injected, values)
    if "SCENARIO" not in values or values["SCENARIO"] is None:
        if given.get("SCENARIO") is not None:
            raise ScenarioError([Problem(
                str(path), None, "(notebook)",
                f"no code cell tagged {_PARAMETERS_TAG!r} setting SCENARIO, so scenario "
                f"{_shown(given['SCENARIO'])} cannot be set (expected a cell "
                f"'SCENARIO = \"baseline\"' tagged {_PARAMETERS_TAG!r})")])
        return plan
    overrides = values.get("PRIOR_OVERRIDES") or {}
    if not isinstance(overrides, Mapping):
        raise QueryError(f"{path}: PRIOR_OVERRIDES: got {overrides!r}, expected a mapping "
                         "such as {'phase.branch': 0.9}")
    from ..narrative.run import evidence_for, not_applicable  # pandas: once the notebooks read

    try:
        with warnings.catch_warnings():  # the notebook shows them; here only errors count
            warnings.simplefilter("ignore", ScenarioWarning)
            scenario = _scenario_of(path, values["SCENARIO"], "SCENARIO" in injected)
            plan.scenario = scenario.with_priors(overrides)
            needs = nb.get("metadata", {}).get("dealtree", {}).get("needs", [])
            plan.reason = not_applicable(plan.scenario, needs, evidence=values.get("EVIDENCE"))
            if plan.reason is None and "evidence" in needs:
                from ..analyses.updating import update_scenario

                update_scenario(plan.scenario,
                                evidence_for(plan.scenario, values.get("EVIDENCE")))
    except ScenarioError as exc:
        head = Problem(str(path), None, "(notebook)",
                       f"runs scenario {_shown(values['SCENARIO'])}, which could not be used:")
        raise ScenarioError([head, *exc.problems]) from None
    plan.title = f"{heading} — {plan.scenario.title}"
    return plan


def _scenario_of(path: Path, name: Any, injected: bool) -> Scenario:
    """Load a notebook's scenario: its own default may be a path relative to the notebook."""
    if not isinstance(name, str | os.PathLike):
        raise QueryError(f"{path}: SCENARIO = {name!r}, expected a scenario's name or path")
    beside = path.parent / name
    return load_scenario(beside if not injected and beside.is_file() else name)


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


def _shown(value: Any) -> str:
    """Return a parameter's value for the header: a file by its name alone, never a full path."""
    if isinstance(value, str) and os.path.isabs(value):
        return Path(value).name
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def _metadata(plan: _Plan) -> dict[str, str]:
    scenario = plan.scenario
    values = plan.values
    changed = [f"{name} = {_shown(value)}" for name, value in plan.injected.items()
               if name not in _SHOWN_APART]
    overrides = values.get("PRIOR_OVERRIDES") or {}
    evidence = values.get("EVIDENCE")
    if evidence is None and scenario is not None and "EVIDENCE" in values:
        evidence = scenario.model.notebooks.evidence
    seed = values.get("SEED")
    return {
        "title": scenario.title if scenario else "",
        "scenario": scenario.id if scenario else "",
        "file": scenario.file_name if scenario else "",
        "changes": "; ".join(f"{key} = {describe_prior(value)}"
                             for key, value in overrides.items()),
        "parameters": "; ".join(changed),
        "evidence": (Path(evidence).name if os.path.isabs(str(evidence)) else str(evidence))
                    if evidence else "",
        "seed": "" if seed is None or isinstance(seed, bool) else str(seed),
        "built": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": __version__,
    }


# ---------------------------------------------------------------- one notebook


def _build_one(plan: _Plan, out: Path, show_code: bool, timeout: float, bundle: str) -> Path:
    """Execute and export one notebook; return the written report's path."""
    import nbformat  # takes seconds to import (see _read_notebook): only to build

    from .figures import figures_to_html, page_scripts

    nb = nbformat.reads(json.dumps(plan.nb), as_version=4)  # joins lines, as read() does
    nbformat.validate(nb)
    injected_at = None
    if plan.injected:
        from papermill.parameterize import parameterize_notebook

        for cell in nb.cells:  # papermill reads every cell's tags, and its own metadata
            cell.metadata.setdefault("tags", [])
        nb.metadata.setdefault("papermill", {})
        nb = parameterize_notebook(nb, dict(plan.injected), kernel_name=_KERNEL_NAME,
                                   language="python")
        injected_at = next((i for i, c in enumerate(nb.cells)
                            if _INJECTED_TAG in c.metadata.get("tags", [])), None)
    nb.metadata["title"] = plan.title
    nb.metadata["dealtree"] = {**nb.metadata.get("dealtree", {}), **_metadata(plan)}
    _execute(nb, plan.path, timeout, injected_at)
    plan.warnings += _clean_outputs(nb)
    templates = figures_to_html(nb)
    scripts = page_scripts(templates, bundle=bundle) if any(
        "dealtree-figure-data" in _as_text(o.get("data", {}).get("text/html", ""))
        for c in nb.cells for o in c.get("outputs", [])) else ""
    body = _export(nb, plan.path, show_code, scripts)
    target = out / (plan.path.stem + ".html")
    write_atomic(target, body, what="the report")
    return target


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
    # Charts as plotly's JSON (drawn by the page's own plotly.js); no progress bars.
    env = {**os.environ, "PLOTLY_RENDERER": "plotly_mimetype", "DEALTREE_PROGRESS": "0"}
    try:
        client.execute(env=env)
    except Exception as exc:
        if "index" not in current:
            raise
        raise _BuildError(
            f"{path.name}: {_describe_cell(nb, current['index'], injected_at)}: "
            f"{_last_line(exc)}"
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


def _clean_outputs(nb) -> list[str]:
    """Drop what readers should not see (kernel warnings, widgets); return the warnings."""
    warnings = []
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = _ANSI.sub("", _as_text(output.get("text", ""))).strip()
                if text:
                    warnings.append(f"kernel stderr left out of the report: {text[:300]}")
                continue
            if _WIDGET_MIMETYPE in output.get("data", {}):
                continue
            kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    return warnings


def _as_text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _export(nb, path: Path, show_code: bool, scripts: str) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=_TEMPLATE_NAME,
        extra_template_basedirs=[str(_TEMPLATES_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    resources = {"metadata": {"name": path.stem, "path": str(path.parent.resolve())},
                 "dealtree_scripts": scripts}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _remove_stale(target: Path) -> None:
    """Remove a report this build replaces by "not applicable" (only a dealtree report)."""
    if target.is_file() and read_report_meta(target) is not None:
        target.unlink()


# ---------------------------------------------------------------- index


def _index_entries(out: Path, results: list[ReportResult], plans: list[_Plan]) -> list[IndexEntry]:
    entries: dict[str, IndexEntry] = {}
    for path in sorted(out.glob("*.html")):
        if path.name == INDEX_NAME:
            continue
        meta = read_report_meta(path)
        if meta is not None:
            entries[path.name] = IndexEntry(path.name, meta["page_title"], meta, True)
    for result, plan in zip(results, plans, strict=True):
        name = Path(result.notebook).stem + ".html"
        if result.reason is not None:
            meta = _metadata(plan)
            meta["built"] = ""
            entries[name] = IndexEntry(result.notebook, result.title, meta, False,
                                   reason=result.reason)
        elif not result.ok:
            previous = entries.get(name)
            if previous is not None:
                entries[name] = IndexEntry(name, previous.title, previous.meta, True, result.error)
            else:
                meta = _metadata(plan) if plan.scenario is not None else {}
                meta["built"] = ""
                entries[name] = IndexEntry(result.notebook, result.title, meta, False,
                                       result.error)
    return [entries[name] for name in sorted(entries)]


def _write_index(out: Path, results: list[ReportResult], plans: list[_Plan]) -> Path:
    target = out / INDEX_NAME
    write_atomic(target, index_html(_index_entries(out, results, plans)),
                 what="the report index")
    return target


def _check_targets(out: Path, plans: list[_Plan], force: bool) -> None:
    """Refuse to replace files in ``out`` that dealtree did not write (unless ``force``)."""
    if force:
        return
    foreign = [name for name in [plan.path.stem + ".html" for plan in plans]
               if (out / name).exists() and read_report_meta(out / name) is None]
    index = out / INDEX_NAME
    if index.exists() and not is_our_index(index):
        foreign.append(INDEX_NAME)
    if foreign:
        raise OutputError(f"report folder {out} holds {', '.join(foreign)}, not written by "
                          "dealtree; refusing to replace "
                          f"{'it' if len(foreign) == 1 else 'them'} (choose another folder, or "
                          "use --force)")
