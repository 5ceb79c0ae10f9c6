"""Slider-to-redraw latency of the live panel (``analysis.interactive.explore``).

Run from the project root (after ``make setup``, with Chromium installed)::

    .venv/bin/python bench/bench_explore.py            # kernel and browser
    .venv/bin/python bench/bench_explore.py --kernel   # the kernel's side only

Two scenarios: the baseline (12 paths) and a generated one of 10,000 paths
(4 phases of 10 branches, each a Dirichlet). Two measurements:

- **kernel**: the panel's message handler, from a slider's message arriving to
  the answer (tables, charts, their JSON) handed to the comm; a drag
  (``final: false``, the exact charts) and a release (``final: true``, the
  Monte Carlo intervals too).
- **browser**: in JupyterLab on localhost, headless Chromium moves a slider of
  the panel (``input`` events, then ``change``) and the page times from the
  message sent to the charts redrawn by ``Plotly.react`` (``data-latency``).

Prints Markdown tables; copy them into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import plotly
import yaml

import analysis
from analysis.core.paths import PROJECT_ROOT
from analysis.interactive import explore

sys.path.insert(0, str(PROJECT_ROOT / "tests"))
MOVES = 30  # slider moves per measurement, after two warm-ups


def wide_scenario(folder: Path, *, phases: int = 4, branches: int = 10) -> Path:
    """Write a scenario of ``branches ** phases`` paths, every phase a Dirichlet."""
    doc = {
        "id": "wide", "title": f"{branches ** phases:,} paths", "as_of": "2025-01-01",
        "outcomes": {"low": {"label": "Low", "colour": "#1b9e77"},
                     "high": {"label": "High", "colour": "#d95f02"}},
        "attributes": {"cost": {"label": "Cost", "unit": "units"}},
        "phases": [{"id": f"p{k}", "question": f"Question {k}?", "branches": {
            f"b{b}": {"prior": {"concentration": 1 + b % 3}, "attributes": {"cost": b}}
            for b in range(branches)}} for k in range(phases)],
        "outcome_rules": [{"when": {"p0": [f"b{b}" for b in range(branches // 2)]},
                           "outcome": "low"}, {"outcome": "high"}],
    }
    path = folder / "wide.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _summary(values: list[float]) -> str:
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return f"{statistics.median(values):.0f} (p90 {p90:.0f})"


def kernel_side(scenario_path: str | Path) -> dict[str, list[float]]:
    """Time the panel's message handler for drags and releases, in ms.

    ``bars``: until the outcome bars are handed to the comm; ``drag``: until
    every exact chart is; ``release``: until the intervals are too.
    """
    scenario = analysis.load_scenario(scenario_path)
    panel = explore(scenario)
    sent: list[float] = []
    panel.widget.send = lambda message: sent.append(time.perf_counter())
    key = panel.widget.controls["priors"][0]["branches"][0]["key"]
    times: dict[str, list[float]] = {"bars": [], "drag": [], "release": []}
    for i in range(MOVES + 2):
        value = 0.2 + 0.6 * (i % 7) / 6
        for kind, final in (("drag", False), ("release", True)):
            sent.clear()
            start = time.perf_counter()
            panel._on_message(panel.widget, {"event": "change", "seq": i, "final": final,
                                             "delta": {"means": {key: value}}}, [])
            if i >= 2:
                times[kind].append(1000 * (sent[-1] - start))
                if kind == "drag":
                    times["bars"].append(1000 * (sent[0] - start))
    return times


def browser_side(scenario_paths: dict[str, Path]) -> dict[str, dict[str, list[float]]]:
    """Time slider moves in JupyterLab, in ms, for each scenario."""
    from lab import CHROMIUM_ARGS, LabPage, chromium_path, lab_server
    from playwright.sync_api import sync_playwright

    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        root = Path(tmp)
        files = {name: f"bench-{number}.ipynb" for number, name in enumerate(scenario_paths)}
        for name, path in scenario_paths.items():
            nb = nbformat.v4.new_notebook(metadata={"kernelspec": {
                "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}})
            nb.cells = [nbformat.v4.new_code_cell(
                f"import analysis\nfrom analysis.interactive import explore\n"
                f"explore(analysis.load_scenario({str(path)!r}))")]
            nbformat.write(nb, root / files[name])
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=CHROMIUM_ARGS)
        with lab_server(root) as (url, token):
            for name in scenario_paths:
                print(f"browser: {name}", file=sys.stderr, flush=True)
                lab = LabPage(browser, url, token, files[name])
                lab.run_all()
                page = lab.page
                page.wait_for_function("() => document.querySelector('.dealtree-explore')"
                                       "?.dataset.drawn !== undefined", timeout=120_000)
                print("  panel drawn", file=sys.stderr, flush=True)
                results[name] = _move_in_page(page)
                lab.close()
        browser.close()
    return results


def _move_in_page(page) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"bars": [], "drag": [], "release": []}
    for i in range(MOVES + 2):
        for kind, event in (("drag", "input"), ("release", "change")):
            seq = page.evaluate(
                """([position, event]) => {
                    const root = document.querySelector('.dealtree-explore');
                    const slider = root.querySelector('input[type=range]');
                    slider.value = position;
                    slider.dispatchEvent(new Event(event, {bubbles: true}));
                    return Number(root.dataset.drawn || 0);
                }""", [20 + (i % 7) * 10, event])
            page.wait_for_function(
                "seq => Number(document.querySelector('.dealtree-explore').dataset.drawn) > seq",
                arg=seq, timeout=60_000)
            if i >= 2:
                first, last = page.evaluate("() => { const d = document.querySelector("
                                            "'.dealtree-explore').dataset;"
                                            " return [d.firstLatency, d.latency]; }")
                times[kind].append(float(last))
                if kind == "drag":
                    times["bars"].append(float(first))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel", action="store_true", help="skip the browser")
    args = parser.parse_args()
    os.environ.setdefault("DEALTREE_PROGRESS", "0")
    with tempfile.TemporaryDirectory() as tmp:
        scenarios = {"baseline": PROJECT_ROOT / "scenarios" / "baseline.yaml",
                     "10,000 paths": wide_scenario(Path(tmp))}
        load = os.getloadavg()[0]
        print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}, plotly {plotly.__version__}; "
              f"{MOVES} moves each; ms: median (90th percentile); "
              f"load average before: {load:.2f}\n")
        print("| scenario | kernel: outcome bars | all exact charts | release (+ intervals) |")
        print("|---|---|---|---|")
        for name, path in scenarios.items():
            times = kernel_side(path)
            print(f"| {name} | {_summary(times['bars'])} | {_summary(times['drag'])} | "
                  f"{_summary(times['release'])} |")
        if args.kernel:
            return
        print(f"\nload average: {os.getloadavg()[0]:.2f}")
        print("\n| scenario | browser: outcome bars | all exact charts | release (+ intervals) |")
        print("|---|---|---|---|")
        for name, times in browser_side(scenarios).items():
            print(f"| {name} | {_summary(times['bars'])} | {_summary(times['drag'])} | "
                  f"{_summary(times['release'])} |")
        print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
