"""Size and speed of the HTML reports: build time, file size, browser render time.

Run from the project root (after ``make setup``, with Chromium installed)::

    .venv/bin/python bench/bench_reports.py

It builds every notebook's report into a temporary folder, then opens each in
headless Chromium with the network blocked and times how long until every
figure has drawn. Prints a Markdown table; copy it into BENCHMARKS.md.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import numpy

from analysis import __version__
from analysis.core.paths import PROJECT_ROOT
from analysis.delivery.report import build_reports

RUNS = 5  # browser opens per report (after one warm-up)
PLOTLY_MIME = "application/vnd.plotly.v1+json"


def _figures(notebook: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    return sum(PLOTLY_MIME in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.outputs)


def _render_seconds(browser, path: Path, figures: int) -> float:
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else r.abort())
    start = time.perf_counter()
    page.goto(path.resolve().as_uri())
    page.wait_for_function(
        "n => document.querySelectorAll('.plotly-graph-div .main-svg').length >= n",
        arg=figures, timeout=60_000)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def main() -> None:
    """Measure and print the table."""
    from playwright.sync_api import sync_playwright

    notebooks = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    out = Path(tempfile.mkdtemp(prefix="dealtree-bench-"))
    start = time.perf_counter()
    results = build_reports(notebooks, out, progress=lambda message: None)
    build_total = time.perf_counter() - start
    chromium = os.environ.get("DEALTREE_CHROMIUM") or shutil.which("chromium")
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for notebook, result in zip(notebooks, results, strict=True):
            figures = _figures(notebook)
            _render_seconds(browser, result.output, figures)  # warm-up
            times = [_render_seconds(browser, result.output, figures) for _ in range(RUNS)]
            rows.append((notebook.name, figures, result.output.stat().st_size / 1e6,
                         result.seconds, statistics.median(times), max(times)))
        browser.close()
    shutil.rmtree(out)

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    print(f"dealtree {__version__}, numpy {numpy.__version__}, {os.cpu_count()} cores, {cpu}")
    print(f"all reports built in {build_total:.1f} s (kernel start and execution included)\n")
    print("| report | figures | size (MB) | build (s) | render median (s) | render max (s) |")
    print("|---|---|---|---|---|---|")
    for name, figures, size, build, median, worst in rows:
        print(f"| {name} | {figures} | {size:.2f} | {build:.1f} | {median:.2f} | {worst:.2f} |")


if __name__ == "__main__":
    main()
