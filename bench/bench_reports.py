"""Size and render time of the HTML reports, with the light plotly.js and with the full one.

Run from the project root (after ``make setup``, with Chromium installed)::

    .venv/bin/python bench/bench_reports.py

It builds every notebook's report twice into temporary folders, once with the light,
compressed plotly.js the reports ship (``bundle="light"``) and once with plotly.py's
complete plotly.min.js (``bundle="full"``), then opens each in headless Chromium with
every request other than ``file:`` blocked. Times are the page's own clock
(``performance.now()``, from the start of navigation), taken after a frame is painted:

- *ready*: plotly.js loaded and every chart in the first screen (1200 x 900) drawn
  (``window.dealtree.ready``), what a reader waits for;
- *all charts*: *ready* plus the time ``window.dealtree.drawAll()`` then takes to draw
  every other chart (as printing does): the most a reader scrolling to the end waits.

One warm-up open per report, then the median and the maximum of ``RUNS`` opens. Prints
Markdown tables; copy them into BENCHMARKS.md.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy

from analysis import __version__
from analysis.core.paths import PROJECT_ROOT
from analysis.delivery.figures import light_bundle
from analysis.delivery.report import build_reports

RUNS = 7  # browser opens per report and bundle (after one warm-up)
BUNDLES = ("light", "full")
_PAINTED = "() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))"
# readyAt: set by the page when its first screen is painted; then every chart, timed.
_MEASURE = f"""async () => {{
  await window.dealtree.ready;
  while (window.dealtree.readyAt === null) await ({_PAINTED})();
  const start = performance.now();
  await window.dealtree.drawAll();
  await ({_PAINTED})();
  return [window.dealtree.readyAt, performance.now() - start, window.dealtree.figures,
          Array.from(document.querySelectorAll('.plotly-graph-div'))
            .filter(d => d.querySelector('.main-svg')).length];
}}"""


def _render(browser, path: Path) -> tuple[float, float, int]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else r.abort())
    page.goto(path.resolve().as_uri())
    ready, rest, figures, drawn = page.evaluate(_MEASURE)
    assert drawn == figures, f"{path.name}: {drawn} charts drawn of {figures}"
    page.close()
    return ready / 1000, (ready + rest) / 1000, figures


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    """Build, measure and print the tables."""
    from playwright.sync_api import sync_playwright

    notebooks = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    folders = {bundle: Path(tempfile.mkdtemp(prefix=f"dealtree-bench-{bundle}-"))
               for bundle in BUNDLES}
    built, build_seconds = {}, {}
    for bundle in BUNDLES:
        start = time.perf_counter()
        built[bundle] = build_reports(notebooks, folders[bundle], bundle=bundle,
                                      progress=lambda message: None,
                                      jobs=min(os.cpu_count() or 1, 4))
        build_seconds[bundle] = time.perf_counter() - start
        failed = [r.error for r in built[bundle] if not r.ok]
        assert not failed, failed
    chromium = os.environ.get("DEALTREE_CHROMIUM") or shutil.which("chromium")
    load_before = _load()
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for index, notebook in enumerate(notebooks):
            row = {"name": notebook.name}
            for bundle in BUNDLES:
                result = built[bundle][index]
                _render(browser, result.output)  # warm-up
                times = [_render(browser, result.output) for _ in range(RUNS)]
                ready = [t[0] for t in times]
                drawn = [t[1] for t in times]
                row[bundle] = {"size": result.output.stat().st_size / 1e6,
                               "figures": times[0][2],
                               "ready": (statistics.median(ready), max(ready)),
                               "all": (statistics.median(drawn), max(drawn))}
            rows.append(row)
        browser.close()
    load_after = _load()
    for folder in folders.values():
        shutil.rmtree(folder)

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    print(f"dealtree {__version__}, numpy {numpy.__version__}, {os.cpu_count()} cores, {cpu}; "
          f"load average {load_before} before the browser runs, {load_after} after")
    print("reports built in " + ", ".join(f"{build_seconds[b]:.1f} s ({b})" for b in BUNDLES)
          + f"; the light plotly.js embedded: {len(light_bundle()) / 1e6:.2f} MB "
          "(deflate, base64)\n")
    print("| report | charts | size light (MB) | size full (MB) | ready light (s) | "
          "ready full (s) | all charts light (s) | all charts full (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        light, full = row["light"], row["full"]
        print(f"| {row['name']} | {light['figures']} | {light['size']:.2f} | "
              f"{full['size']:.2f} | {light['ready'][0]:.2f} (max {light['ready'][1]:.2f}) | "
              f"{full['ready'][0]:.2f} (max {full['ready'][1]:.2f}) | "
              f"{light['all'][0]:.2f} (max {light['all'][1]:.2f}) | "
              f"{full['all'][0]:.2f} (max {full['all'][1]:.2f}) |")


if __name__ == "__main__":
    main()
