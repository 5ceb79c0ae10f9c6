"""Benchmark of the quick commands and of the heavy valid cases, before and after.

Run from the project root::

    .venv/bin/python bench/bench_quick.py                        # this checkout
    .venv/bin/python bench/bench_quick.py --before ../base       # and another, for comparison
    .venv/bin/python bench/bench_quick.py --before ../base --write   # update BENCHMARKS.md

Measured, each in fresh processes:

- ``dealtree validate scenarios/baseline.yaml`` and ``dealtree summary
  baseline`` (exact) as whole processes (``python -m analysis``, the
  interpreter's start and exit included): the median and the best wall-clock
  time of ``--runs`` runs, the median processor time, the peak resident set
  size, and which heavy libraries the process imported;
- ``tornado`` on a generated 16-phase, 65,536-path scenario with three
  decision phases, without and with ``--for``;
- ``analysis.survival_curve(baseline, event="renewed_war")`` (20,000 draws,
  731 days), in process after a warm-up: the median of five;
- the refusal of a tree whose paths never reach an outcome (24 phases of 16
  branches), with processor time capped at 60 s.

``--before ROOT`` runs the same measurements with the package and scenarios
of another checkout (``PYTHONPATH=ROOT``, same interpreter), the two taking
turns run by run so that they meet the same load, and the table shows before
and after side by side. Timings on a shared machine move with its load: the
load average is recorded with the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numba", "scipy", "plotly", "nbconvert", "nbformat")
MARK_START = "<!-- bench_quick: start -->"
MARK_END = "<!-- bench_quick: end -->"

SURVIVAL = """
import statistics, time, analysis
b = analysis.load_scenario("baseline")
analysis.survival_curve(b, event="renewed_war", rng=1, horizon=30)  # warm-up
times, cpus = [], []
for _ in range(5):
    start, cpu = time.perf_counter(), time.process_time()
    analysis.survival_curve(b, event="renewed_war", rng=1)
    times.append(time.perf_counter() - start)
    cpus.append(time.process_time() - cpu)
print(statistics.median(times), min(times), statistics.median(cpus))
"""


def big_scenario(path: Path, phases: int = 16, decisions: tuple[int, ...] = (3, 9, 14)) -> Path:
    """A 2-branch tree of ``phases`` phases (2**phases paths), some of them decisions."""
    lines = ["id: big", "title: Big", "as_of: 2025-01-01", "outcomes:",
             "  good: {label: Good, colour: '#1b9e77'}", "  bad: {label: Bad, colour: '#d95f02'}",
             "attributes:", "  cost: {label: Cost, unit: dollars}",
             "stakeholders:", "  me: {label: Me}",
             "utilities:",
             "  me: {scale: money, outcomes: {good: 100, bad: 0}, attributes: {cost: -1}}",
             "phases:"]
    for i in range(phases):
        if i in decisions:
            lines.append(f"  - {{id: p{i}, question: Q{i}, decision_maker: me, "
                         f"branches: {{a: {{attributes: {{cost: {i}}}}}, b: {{}}}}}}")
        else:
            lines.append(f"  - {{id: p{i}, question: Q{i}, branches: {{x: {{prior: {{alpha: "
                         f"{2 + i % 3}, beta: {3 + i % 2}}}, attributes: {{cost: 1}}}}, "
                         "y: {}}}")
    lines += ["outcome_rules:", "  - {when: {p0: x, p1: x}, outcome: good}", "  - {outcome: bad}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def never_ending(path: Path) -> Path:
    lines = ["id: wide", "title: Wide", "as_of: 2025-01-01", "outcomes:",
             "  good: {label: Good, colour: '#1b9e77'}", "phases:"]
    for i in range(24):
        branches = ", ".join(f"b{j}: {{prior: {{concentration: 1}}}}" for j in range(16))
        lines.append(f"  - {{id: p{i}, question: Q{i}, branches: {{{branches}}}}}")
    lines += ["outcome_rules:", "  - {when: {p0: b0, p1: b0}, outcome: good}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(root: Path, args: list[str], *, cpu_limit: int = 600, code: str | None = None) -> dict:
    """Run ``python -m analysis ARGS`` (or ``python -c CODE``) with ``root``'s package.

    Returns the exit code, output, wall time, processor time and peak RSS of that process.
    """
    env = {**os.environ, "PYTHONPATH": str(root), "DEALTREE_PROGRESS": "0"}
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "analysis", *args]

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 5))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=err,
                                   preexec_fn=limit)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"code": process.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                "rss_mb": usage.ru_maxrss / 1024, "stdout": out.read().decode(),
                "stderr": err.read().decode()}


def measure(roots: list[Path], args: list[str], runs: int, *, cpu_limit: int = 600
            ) -> list[dict]:
    """Median and best wall time, median processor time, peak RSS of ``runs`` fresh runs.

    The checkouts take turns run by run, so that they meet the same load.
    """
    results: list[list[dict]] = [[] for _ in roots]
    for _ in range(runs):
        for side, root in enumerate(roots):
            results[side].append(run(root, args, cpu_limit=cpu_limit))
    summaries = []
    for side in results:
        walls = [r["wall"] for r in side]
        summaries.append({"median": statistics.median(walls), "best": min(walls),
                          "cpu": statistics.median(r["cpu"] for r in side),
                          "rss_mb": max(r["rss_mb"] for r in side), "code": side[-1]["code"]})
    return summaries


def heavy_imports(root: Path, args: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(root), "DEALTREE_PROGRESS": "0"}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "analysis", *args],
                            cwd=root, env=env, capture_output=True, text=True)
    loaded = set(re.findall(r"\|\s+([A-Za-z_][\w]*)(?:\.|$)", result.stderr, re.M))
    found = [name for name in HEAVY if name in loaded]
    return ", ".join(found) or "none"


def import_costs(runs: int) -> dict[str, float]:
    """Median wall time of ``python -c "import X"`` minus that of ``python -c pass``."""
    def median(code: str) -> float:
        walls = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            walls.append(time.perf_counter() - start)
        return statistics.median(walls)

    empty = median("pass")
    costs = {"(the interpreter alone)": empty}
    for name in ("yaml", "numpy", "pydantic", "pandas", "scipy.stats", "numba",
                 "plotly.graph_objects", "nbformat", "nbconvert"):
        costs[name] = median(f"import {name}") - empty
    return costs


def bench(roots: list[Path], runs: int, folder: Path) -> list[dict]:
    """Every measure, for each checkout in ``roots`` (taking turns): one dict per checkout."""
    big = big_scenario(folder / "big16.yaml")
    wide = never_ending(folder / "never_ends.yaml")
    rows: list[dict] = [{} for _ in roots]

    def record(name: str, summaries: list[dict]) -> None:
        for side, summary in enumerate(summaries):
            rows[side][name] = summary

    for name, args in (("dealtree validate scenarios/baseline.yaml",
                        ["validate", "scenarios/baseline.yaml"]),
                       ("dealtree summary baseline", ["summary", "baseline"])):
        summaries = measure(roots, args, runs)
        for summary, root in zip(summaries, roots, strict=True):
            summary["imports"] = heavy_imports(root, args)
        record(name, summaries)
    record("tornado, 65,536 paths", measure(roots, ["tornado", str(big), "--output", "good"], 3))
    record("tornado --for me, 65,536 paths",
           measure(roots, ["tornado", str(big), "--output", "good", "--for", "me"], 3))
    surviving = []
    for root in roots:
        result = run(root, [], code=SURVIVAL)
        wall, best, cpu = (float(x) for x in (result["stdout"].split() or ["nan"] * 3))
        surviving.append({"median": wall, "best": best, "cpu": cpu, "code": result["code"]})
    record("survival_curve(baseline), in process", surviving)
    record("validate: 24 phases x 16 branches, no outcome",
           measure(roots, ["validate", str(wide)], 1, cpu_limit=60))
    return rows


def _cell(value: float | None, unit: str = "s") -> str:
    if value is None:
        return ""
    return f"{value:.2f} {unit}" if value == value else "n/a"


def table(after: dict, before: dict | None) -> str:
    """One row per measure: wall time (median and best), processor time, RSS, heavy imports."""
    sides = [("before", before), ("after", after)] if before else [("after", after)]
    head = "| measure | " + " | ".join(
        f"{side}: wall, median (best) | {side}: CPU | {side}: peak RSS | {side}: heavy imports"
        for side, _ in sides) + " |"
    lines = [head, "|---|" + "---:|---:|---:|---|" * len(sides)]

    def cells(row: dict | None) -> str:
        if row is None:
            return " | | | "
        wall = _cell(row.get("median"))
        if "best" in row:
            wall += f" ({row['best']:.2f})"
        if row.get("code") not in (0, None):
            wall += f", exit {row['code']}"
        rss = f"{row['rss_mb']:.0f} MB" if "rss_mb" in row else ""
        return f"{wall} | {_cell(row.get('cpu'))} | {rss} | {row.get('imports', '')}"

    for name in after:
        lines.append(f"| {name} | " + " | ".join(cells(rows.get(name)) for _, rows in sides)
                     + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--runs", type=int, default=15, help="runs of each quick command")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    roots = [args.before.resolve(), ROOT] if args.before else [ROOT]
    with tempfile.TemporaryDirectory() as tmp:
        *earlier, after = bench(roots, args.runs, Path(tmp))
    before = earlier[0] if earlier else None
    load_after = os.getloadavg()[0]
    import numpy

    header = (f"Measured {dt.date.today().isoformat()} with:\n\n```sh\n"
              f".venv/bin/python bench/bench_quick.py"
              + (" --before BASE" if args.before else "") + f" --runs {args.runs}\n```\n\n"
              f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, numpy "
              f"{numpy.__version__}. Load average before and after: {load_before:.2f} and "
              f"{load_after:.2f}.")
    costs = import_costs(max(5, args.runs // 3))
    text = (header + "\n\n" + table(after, before) + "\n\nImport costs on the same machine "
            "(median wall time of a fresh `python -c \"import X\"`, less the interpreter's own "
            "start):\n\n| module | seconds |\n|---|---:|\n"
            + "\n".join(f"| {name} | {cost:.3f} |" for name, cost in costs.items()))
    print(text)
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        current = path.read_text(encoding="utf-8")
        block = f"{MARK_START}\n{text}\n{MARK_END}"
        if MARK_START in current:
            current = re.sub(re.escape(MARK_START) + ".*?" + re.escape(MARK_END), block,
                             current, flags=re.S)
        else:
            current += "\n" + block + "\n"
        path.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
