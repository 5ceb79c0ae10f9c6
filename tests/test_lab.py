"""The live notebook in a real JupyterLab, driven by headless Chromium.

A JupyterLab server runs on localhost (a free port, a random token) over a
copy of notebook 01; Chromium opens it, runs every cell, drags a slider of
``explore`` and checks that the outcome bars change, copies the settings
with the panel's button, pastes them into the parameters cell, runs the
notebook again and checks that the same numbers come back. Saving from Lab
must store no image snapshots. Like ``test_browser.py``, these tests skip
without Chromium or playwright, and fail instead where
``DEALTREE_REQUIRE_BROWSER=1`` (``make test``, CI).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

import nbformat
import pytest
from lab import CHROMIUM_ARGS, LabPage, chromium_path, lab_server

from analysis.core.paths import PROJECT_ROOT
from analysis.delivery.jupyter import image_snapshots

ARTIFACTS = Path(os.environ.get("DEALTREE_ARTIFACTS", PROJECT_ROOT / "test-artifacts"))
NOTEBOOK = PROJECT_ROOT / "notebooks" / "01-outcomes.ipynb"
PARAMETERS_CELL = 1

OUTCOME_BARS = """() => {
    const div = document.querySelector('.dealtree-explore [data-chart=outcomes]');
    return div && div.data ? Array.from(div.data[0].y) : null;
}"""
TEXT_OUTPUTS = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .filter(cell => cell.model.type === 'code' && !cell.model.sharedModel.getSource()
                    .includes('explore('))
    .flatMap(cell => Array.from({length: cell.model.outputs.length},
                                (_, i) => cell.model.outputs.get(i).data['text/plain'] || ''))
    .join('\\n')"""
PANEL_TITLE = "() => (document.querySelector('.dealtree-explore .dx-title') || {}).textContent"


def _browser_or_skip() -> str:
    path, problem = chromium_path(), None
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
def lab(tmp_path_factory):
    executable = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    with lab_server(root) as (url, token), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = LabPage(browser, url, token, NOTEBOOK.name)
        page.root, page.base, page.token = root, url, token
        try:
            yield page
        finally:
            page.close()
            browser.close()


def _wait_for_panel(lab: LabPage, title_has: str = "Explore") -> None:
    lab.page.wait_for_function(
        f"t => ({PANEL_TITLE})() && ({PANEL_TITLE})().includes(t) && ({OUTCOME_BARS})()",
        arg=title_has, timeout=120_000)
    lab.page.locator(".dealtree-explore").scroll_into_view_if_needed()


def _drag(page, slider, fraction: float) -> None:
    """Drag a range input's thumb to ``fraction`` of its width, then release it."""
    box = slider.bounding_box()
    low, high = (float(slider.get_attribute(a)) for a in ("min", "max"))
    start = (float(slider.input_value()) - low) / (high - low)
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 8 + start * (box["width"] - 16), y)
    page.mouse.down()
    for step in range(1, 11):  # several input events while dragging ...
        at = start + (fraction - start) * step / 10
        page.mouse.move(box["x"] + 8 + at * (box["width"] - 16), y)
    page.mouse.up()  # ... and one change event on release


def test_explore_slider_redraws_and_copied_overrides_reproduce_it(lab):
    page = lab.page
    lab.run_all()
    _wait_for_panel(lab)
    assert not page.locator(".dealtree-explore .dx-offline").is_visible()
    before = page.evaluate(OUTCOME_BARS)
    assert sum(before) == pytest.approx(1)

    slider = page.locator(".dealtree-explore input[type=range][data-key='ceasefire.holds']")
    drawn = page.locator(".dealtree-explore").get_attribute("data-drawn") or "0"
    _drag(page, slider, 0.97)
    page.wait_for_function(
        "d => { const root = document.querySelector('.dealtree-explore');"
        " return root.dataset.drawn && root.dataset.drawn !== d && !root.querySelector("
        "'.dx-overrides').value.endsWith('{\\n}'); }", arg=drawn, timeout=30_000)
    page.wait_for_timeout(1500)  # the release's redraw (intervals) lands after the drag's
    after = page.evaluate(OUTCOME_BARS)
    assert after != before  # the bars moved with the slider
    assert sum(after) == pytest.approx(1)
    # A more likely ceasefire means less renewed war (the last outcome).
    assert after[-1] < before[-1]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lab-explore.png"))

    page.locator(".dealtree-explore .dx-copy").click()
    page.wait_for_function("() => document.querySelector('.dealtree-explore .dx-copied')"
                           ".textContent.startsWith('copied')", timeout=10_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("PRIOR_OVERRIDES = {") and '"ceasefire.holds"' in copied
    assert copied == page.locator(".dealtree-explore .dx-overrides").input_value()

    parameters = lab.cell_source(PARAMETERS_CELL)
    assert "PRIOR_OVERRIDES" in parameters
    lab.set_cell(PARAMETERS_CELL, parameters + "\n" + copied)
    lab.run_all()
    _wait_for_panel(lab, "ceasefire.holds")  # the new panel starts from the pasted overrides
    again = page.evaluate(OUTCOME_BARS)
    assert again == pytest.approx(after, abs=1e-12)

    # The notebook's own tables, computed from the parameters cell, show the same numbers.
    shown = page.evaluate(TEXT_OUTPUTS)
    for probability in after:
        assert f"{probability:.3f}" in shown or f"{probability:.1%}" in shown, probability

    assert lab.errors == []


def test_saving_from_lab_stores_no_chart_snapshots(lab):
    lab.page.wait_for_function(f"() => ({OUTCOME_BARS})()", timeout=120_000)
    lab.page.wait_for_timeout(2000)  # Lab's plotly renderer adds its PNGs after drawing
    lab.save()
    saved = nbformat.read(lab.root / NOTEBOOK.name, as_version=4)
    charts = sum("application/vnd.plotly.v1+json" in output.get("data", {})
                 for cell in saved.cells for output in cell.get("outputs", []))
    assert charts >= 8
    assert image_snapshots(saved) == []
    size = (lab.root / NOTEBOOK.name).stat().st_size
    assert size < 1.5 * NOTEBOOK.stat().st_size, size


def test_labs_html_export_keeps_the_charts_and_offers_the_report(lab):
    base, token = lab.base, lab.token
    with urllib.request.urlopen(f"{base}/api/nbconvert?token={token}", timeout=30) as reply:
        formats = json.load(reply)
    assert formats["dealtree"]["output_mimetype"] == "text/html"
    # What File > Save and Export Notebook As > HTML downloads, from the stored notebook.
    url = f"{base}/nbconvert/html/{NOTEBOOK.name}?download=true&token={token}"
    with urllib.request.urlopen(url, timeout=120) as reply:
        page = reply.read().decode()
    stored = nbformat.read(lab.root / NOTEBOOK.name, as_version=4)
    charts = sum("application/vnd.plotly.v1+json" in output.get("data", {})
                 for cell in stored.cells for output in cell.get("outputs", []))
    assert page.count('class="plotly-graph-div"') == charts
    assert page.count("* plotly.js v") == 1
