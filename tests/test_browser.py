"""The built reports, opened in a real browser (headless Chromium) with no network.

Needs Chromium (Debian's ``chromium`` package; ``make test`` installs it) and the
``playwright`` package, which drives it. Every report is built once, all at the same
time (the ``built`` fixture), and every chart is drawn by the page's own loader as the
test scrolls to it, as for a reader. Where either is missing the tests skip,
unless ``DEALTREE_REQUIRE_BROWSER=1`` (set by ``make test`` and so in CI), where
they fail. Screenshots of every report are saved to ``test-artifacts/`` for a
person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from analysis.core.paths import PROJECT_ROOT
from analysis.delivery.report import build_reports

ARTIFACTS = Path(os.environ.get("DEALTREE_ARTIFACTS", PROJECT_ROOT / "test-artifacts"))
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
PLOTLY_MIME = "application/vnd.plotly.v1+json"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium() -> str:
    path = os.environ.get("DEALTREE_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    problem = None
    if path is None:
        problem = "Chromium not found (apt-get install chromium, or set DEALTREE_CHROMIUM)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed (pip install -e '.[test]')"
    if problem:
        if os.environ.get("DEALTREE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required but {problem}")
        pytest.skip(problem)
    return path


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class OfflinePage:
    """A page on which every request other than ``file:`` is blocked and recorded."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.errors.append(msg.text)
                     if msg.type == "error" else None)
        self.page.route("**/*", self._route)

    def _route(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def close(self):
        self.page.close()


def _rendered_figures(page) -> int:
    return page.evaluate(
        "Array.from(document.querySelectorAll('.plotly-graph-div'))"
        ".filter(d => d.querySelector('.main-svg')).length")


def _stored_figures(notebook: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    return sum(PLOTLY_MIME in output.get("data", {})
               for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs)


def _draw_by_scrolling(page) -> int:
    """Scroll every chart into view, as a reader would, and wait until the page's own
    loader has drawn it; return how many charts the page holds."""
    page.evaluate("window.dealtree.ready")
    charts = page.locator(".plotly-graph-div")
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_function("div => div.querySelector('.main-svg') !== null",
                               arg=chart.element_handle(), timeout=30_000)
    return charts.count()


# ------------------------------------------------------------------ the reports, built once

HOSTILE = '<img src=x onerror="window.__pwned=1">War<script>window.__pwned=1</script>'
CORPUS = sorted((PROJECT_ROOT / "tests" / "data" / "corpus").glob("*.yaml"))
#: Words of the flagship (and of the other corpus scenarios) that a report of another
#: scenario must never show; the flagship's reference class of truces included.
FOREIGN = ("Gaza", "hostage", "ceasefire", "Hamas", "baseline", "mediation", "truce",
           "Earlier cases")


def _hostile_scenario(folder: Path) -> Path:
    baseline = (PROJECT_ROOT / "scenarios" / "baseline.yaml").read_text()
    assert "label: Renewed war" in baseline
    planted = baseline.replace("label: Renewed war", f"label: {json.dumps(HOSTILE)}")
    planted = planted.replace('title: "Gaza ceasefire deal, October 2025: baseline"',
                              f"title: {json.dumps('Hostile ' + HOSTILE)}")
    scenario = folder / "hostile.yaml"
    scenario.write_text(planted)
    return scenario


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """Every report these tests open, built once and at the same time.

    Each notebook runs in its own kernel process, so the builds overlap: the
    flagship's five notebooks, the planted label's, and every corpus scenario's.
    Returns name -> (output folder, results).
    """
    _chromium()  # fail or skip before the slow build
    hostile = _hostile_scenario(tmp_path_factory.mktemp("hostile"))
    builds = {
        "flagship": (NOTEBOOKS, {}, 3),
        "hostile": ([NOTEBOOKS[0], NOTEBOOKS[1]], {"scenario": str(hostile),
                                                   "parameters": {"N_DRAWS": 2000}}, 1),
        **{path.stem: (NOTEBOOKS, {"scenario": str(path), "parameters": {"N_DRAWS": 2000}}, 1)
           for path in CORPUS},
    }

    def build(name: str) -> tuple[Path, list]:
        notebooks, options, jobs = builds[name]
        out = tmp_path_factory.mktemp(name)
        results = build_reports(notebooks, out, progress=lambda message: None, jobs=jobs,
                                **options)
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        return out, results

    with ThreadPoolExecutor(max_workers=len(builds)) as pool:
        return dict(zip(builds, pool.map(build, builds), strict=True))


@pytest.fixture(scope="module")
def reports(built) -> Path:
    return built["flagship"][0]


# ------------------------------------------------------------------------------ the tests


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_renders_offline_without_errors(browser, reports, notebook):
    expected = _stored_figures(notebook)
    assert expected > 0
    page = OfflinePage(browser)
    try:
        shown = page.page
        shown.goto((reports / f"{notebook.stem}.html").resolve().as_uri())
        assert shown.evaluate("window.dealtree.figures") == expected
        shown.evaluate("window.dealtree.ready")
        # Drawn as they come near the screen: the last chart waits for the reader.
        assert not shown.evaluate("document.querySelectorAll('.plotly-graph-div')"
                                  "[window.dealtree.figures - 1].querySelector('.main-svg')")
        assert _draw_by_scrolling(shown) == expected
        assert _rendered_figures(shown) == expected
        assert page.errors == []
        assert page.blocked == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shown.screenshot(path=str(ARTIFACTS / f"{notebook.stem}.png"), full_page=True)
    finally:
        page.close()


def test_printing_draws_every_figure(browser, reports):
    notebook = NOTEBOOKS[0]
    page = OfflinePage(browser)
    try:
        shown = page.page
        shown.goto((reports / f"{notebook.stem}.html").resolve().as_uri())
        shown.evaluate("window.dealtree.ready")
        shown.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        shown.wait_for_function(
            "n => Array.from(document.querySelectorAll('.plotly-graph-div'))"
            ".filter(d => d.querySelector('.main-svg')).length === n",
            arg=_stored_figures(notebook), timeout=30_000)
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()


def test_index_links_every_report(browser, reports):
    page = OfflinePage(browser)
    try:
        page.page.goto((reports / "index.html").resolve().as_uri())
        links = page.page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        assert {Path(link.removeprefix("file://")).name for link in links} >= {
            f"{nb.stem}.html" for nb in NOTEBOOKS}
        assert page.errors == [] and page.blocked == []
        page.page.screenshot(path=str(ARTIFACTS / "index.png"), full_page=True)
    finally:
        page.close()


def test_what_if_slider_changes_the_displayed_bars(browser, reports):
    notebook = PROJECT_ROOT / "notebooks" / "01-outcomes.ipynb"
    page = OfflinePage(browser)
    try:
        shown = page.page
        shown.goto((reports / f"{notebook.stem}.html").resolve().as_uri())
        _draw_by_scrolling(shown)
        explorer = shown.locator(".plotly-graph-div", has=shown.locator(".slider-container"))
        assert explorer.count() == 1
        explorer.scroll_into_view_if_needed()

        def bars():
            return explorer.evaluate("gd => [gd.data[0].y.slice(), Array.from("
                                     "gd.querySelectorAll('.bars path')).map(p => "
                                     "p.getAttribute('d'))]")

        data_before, drawn_before = bars()
        rail = explorer.locator(".slider-rail-touch-rect").bounding_box()
        shown.mouse.click(rail["x"] + rail["width"] - 2, rail["y"] + rail["height"] / 2)
        shown.wait_for_timeout(500)
        data_after, drawn_after = bars()
        assert data_after != data_before  # the data behind the bars ...
        assert drawn_after != drawn_before  # ... and the bars drawn on screen
        assert sum(data_after) == pytest.approx(1)
        assert page.errors == [] and page.blocked == []
        shown.screenshot(path=str(ARTIFACTS / "what-if.png"))
    finally:
        page.close()


def test_scenario_text_with_html_is_shown_as_text_and_never_runs(browser, built):
    out, results = built["hostile"]
    for result in results:
        page = OfflinePage(browser)
        try:
            shown = page.page
            shown.goto(result.output.resolve().as_uri())
            _draw_by_scrolling(shown)
            assert shown.evaluate("window.__pwned") is None
            assert shown.evaluate("document.querySelectorAll('img[src=x]').length") == 0
            text = shown.evaluate("document.body.innerText")
            assert "<script>window.__pwned=1</script>" in text  # shown literally, as text
            assert page.errors == [] and page.blocked == []
            shown.screenshot(path=str(ARTIFACTS / f"hostile-{Path(result.notebook).stem}.png"),
                             full_page=True)
        finally:
            page.close()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in index


@pytest.mark.parametrize("scenario", CORPUS, ids=lambda p: p.stem)
def test_corpus_reports_show_only_their_own_scenario(browser, built, scenario):
    import analysis

    own = analysis.load_scenario(scenario)
    others = [analysis.load_scenario(p).title for p in CORPUS if p != scenario]
    out, results = built[scenario.stem]
    shown_reports = [r for r in results if r.output is not None]
    assert shown_reports, "no report applies"
    for result in results:
        if result.output is None:
            assert result.reason  # listed as not applicable, with the reason
    for result in shown_reports:
        page = OfflinePage(browser)
        try:
            page.page.goto(result.output.resolve().as_uri())
            expected = page.page.evaluate("window.dealtree.figures")
            assert _draw_by_scrolling(page.page) == expected
            assert _rendered_figures(page.page) == expected
            text = page.page.evaluate("document.body.innerText")
            assert own.title in text and own.id in text and scenario.name in text
            for word in (*FOREIGN, *others):
                assert word not in text, f"{result.notebook}: {word!r} in the report"
            assert "NaN" not in text and "PRIOR_OVERRIDES" not in text
            assert page.errors == [] and page.blocked == []
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.page.screenshot(path=str(ARTIFACTS / f"corpus-{scenario.stem}-"
                                          f"{Path(result.notebook).stem}.png"), full_page=True)
        finally:
            page.close()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "not applicable" in index or len(shown_reports) == len(results)


def test_the_live_panel_shows_its_last_state_in_the_report(browser, reports):
    notebook = PROJECT_ROOT / "notebooks" / "01-outcomes.ipynb"
    page = OfflinePage(browser)
    try:
        shown = page.page
        shown.goto((reports / f"{notebook.stem}.html").resolve().as_uri())
        _draw_by_scrolling(shown)
        snapshot = shown.locator(".dealtree-explore-snapshot")
        assert snapshot.count() == 1 and snapshot.is_visible()
        assert "need a running kernel" in snapshot.inner_text()
        shown.wait_for_function("() => document.querySelectorAll("
                                "'.dealtree-snapshot-figure .main-svg').length >= 4")
        assert page.errors == [] and page.blocked == []
        snapshot.screenshot(path=str(ARTIFACTS / "explore-snapshot.png"))
    finally:
        page.close()


def _nbconvert(tmp_path, to: str) -> tuple[Path, int]:
    notebook = PROJECT_ROOT / "notebooks" / "01-outcomes.ipynb"
    copy = tmp_path / notebook.name
    shutil.copy(notebook, copy)
    jupyter = Path(sys.executable).parent / "jupyter"
    subprocess.run([str(jupyter), "nbconvert", "--to", to, str(copy)], check=True,
                   capture_output=True, cwd=tmp_path, timeout=600)
    return copy.with_suffix(".html"), _stored_figures(notebook)


def test_nbconvert_to_dealtree_gives_an_offline_report(browser, tmp_path):
    _chromium()
    page_path, figures = _nbconvert(tmp_path, "dealtree")
    assert 'name="dealtree:built"' in page_path.read_text()
    page = OfflinePage(browser)
    try:
        shown = page.page
        shown.goto(page_path.resolve().as_uri())
        assert _draw_by_scrolling(shown) == figures
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()


def test_plain_nbconvert_html_of_a_stored_notebook_keeps_working_charts(browser, tmp_path):
    _chromium()
    page_path, figures = _nbconvert(tmp_path, "html")
    page = OfflinePage(browser)  # nbconvert's own CDN scripts fail offline, harmlessly
    try:
        shown = page.page
        shown.goto(page_path.resolve().as_uri())
        shown.wait_for_function(f"() => document.querySelectorAll('.plotly-graph-div .main-svg')"
                                f".length >= {figures}", timeout=60_000)
        shown.wait_for_function("() => document.querySelectorAll("
                                "'.dealtree-snapshot-figure .main-svg').length >= 4")
        shown.screenshot(path=str(ARTIFACTS / "nbconvert-html.png"), full_page=True)
    finally:
        page.close()
