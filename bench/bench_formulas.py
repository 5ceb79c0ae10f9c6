"""What named parameters and formulas cost: exact evaluation, rollback, sampling.

Run from the project root::

    .venv/bin/python bench/bench_formulas.py                   # this checkout
    git archive <commit> | tar -x -C /tmp/before
    .venv/bin/python bench/bench_formulas.py --reference /tmp/before   # and a reference

Each measurement runs in a fresh subprocess (with ``PYTHONPATH`` set to the
checkout measured): a warm-up call first (numba's cached kernel loads), then
the best of five timings of a batch of calls. The two checkouts are measured
in turns, three rounds, and the best of each is kept: on a shared machine
other work slows single runs down by up to 2×. Measured:

- ``load``: ``load_scenario("baseline")``;
- ``exact``: ``outcome_distribution(baseline)``;
- ``rollback``: ``rollback(mediation, decision_maker="mediators")``;
- ``tornado``: ``tornado_table(mediation, ...)`` re-optimising at every value;
- ``sample kernel``: ``sample_outcomes(baseline, n_draws=1_000_000)``, the numba kernel;
- ``sample named``: the same baseline with every uncertain branch prior moved
  into a named parameter (a Beta parameter, or a Dirichlet group) and the
  branches' probabilities written as formulas: the same model, drawn by the
  numpy path that named parameters take. Its outcome means must agree with
  the kernel's within 5 Monte Carlo standard errors (checked, printed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, sys, time, warnings
import numpy as np
import analysis
what, named = sys.argv[1], sys.argv[2]
baseline = analysis.load_scenario("baseline")
mediation = analysis.load_scenario("mediation")
def run():
    if what == "load":
        analysis.load_scenario("baseline")
    elif what == "exact":
        analysis.outcome_distribution(baseline)
    elif what == "rollback":
        analysis.rollback(mediation, decision_maker="mediators")
    elif what == "tornado":
        analysis.tornado_table(mediation, output="utility:mediators",
                               decision_maker="mediators")
    elif what == "sample kernel":
        return analysis.sample_outcomes(baseline, n_draws=1_000_000, rng=1)
    elif what == "sample named":
        return analysis.sample_outcomes(analysis.load_scenario(named), n_draws=1_000_000,
                                        rng=1)
batch = {"load": 20, "exact": 2000, "rollback": 200, "tornado": 5,
         "sample kernel": 1, "sample named": 1}[what]
run()
best = float("inf")
for _ in range(5 if batch > 1 else 3):
    start = time.perf_counter()
    for _ in range(batch):
        result = run()
    best = min(best, (time.perf_counter() - start) / batch)
out = {"seconds": best}
if result is not None:
    out["mean"] = result.mean[:4].tolist()
    out["se"] = (result.sd[:4] / np.sqrt(result.n_draws)).tolist()
print(json.dumps(out))
"""


def _named_baseline(folder: Path) -> Path:
    """The baseline with its uncertain branch priors moved into named parameters."""
    data = yaml.safe_load((ROOT / "scenarios" / "baseline.yaml").read_text())
    parameters: dict = {}

    def convert(key: str, priors: dict, branches: list[str]) -> dict:
        kinds = {b: p for b, p in priors.items() if isinstance(p, dict)
                 and not {"value"} >= set(p) and "formula" not in p}
        if not kinds:
            return priors
        if all("concentration" in p for p in kinds.values()) and len(kinds) == len(branches):
            members = {f"{key}_{b}": p["concentration"] for b, p in kinds.items()}
            parameters[key] = {"dirichlet": members}
            return {b: f"{key}_{b}" for b in branches}
        [(branch, prior)] = kinds.items()
        cleaned = {k: v for k, v in prior.items() if k not in ("cite", "rationale")}
        parameters[f"{key}_{branch}"] = cleaned
        return {branch: f"{key}_{branch}", **{b: "#" for b in branches if b != branch}}

    for phase in data["phases"]:
        branches = list(phase["branches"])
        priors = {b: v.get("prior") for b, v in phase["branches"].items()
                  if v.get("prior") is not None}
        if priors:
            new = convert(phase["id"], priors, branches)
            for b in branches:
                phase["branches"][b]["prior"] = new.get(b, phase["branches"][b].get("prior"))
        for rule in phase.get("rules", []):
            rule["priors"] = convert(f"{phase['id']}_{rule['id']}", rule["priors"], branches)
    data["parameters"] = parameters
    data["id"] = "baseline_named"
    path = folder / "baseline_named.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _measure(checkout: Path, what: str, named: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout), "DEALTREE_PROGRESS": "0"}
    out = subprocess.run([sys.executable, "-c", _CHILD, what, str(named)], env=env,
                         capture_output=True, text=True, check=False, cwd=checkout)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout)


def _best(kept: dict, new: dict) -> dict:
    """The faster of two measurements (an error only when both are errors)."""
    if "seconds" not in new:
        return kept or new
    if "seconds" not in kept or new["seconds"] < kept["seconds"]:
        return new
    return kept


def main() -> None:
    """Print the benchmark's table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        named = _named_baseline(Path(folder))
        rows = []
        for what in ("load", "exact", "rollback", "tornado", "sample kernel", "sample named"):
            now, before = {}, {}
            for _ in range(3):
                now = _best(now, _measure(ROOT, what, named))
                if args.reference:
                    before = _best(before, _measure(args.reference, what, named))
            rows.append((what, now, before))
    print("| measurement | this checkout | reference | ratio |")
    print("|---|---|---|---|")
    for what, now, before in rows:
        def shown(r: dict) -> str:
            if "error" in r:
                return "n/a"
            s = r.get("seconds")
            return "" if s is None else (f"{s * 1e6:,.0f} µs" if s < 0.01 else f"{s:.3f} s")
        ratio = (f"{now['seconds'] / before['seconds']:.2f}×"
                 if "seconds" in now and "seconds" in before else "")
        print(f"| {what} | {shown(now)} | {shown(before)} | {ratio} |")
    results = {what: now for what, now, _ in rows}
    kernel, drawn = results["sample kernel"], results["sample named"]
    if "mean" in kernel and "mean" in drawn:
        z = [abs(a - b) / max(1e-300, (sa**2 + sb**2) ** 0.5) for a, b, sa, sb in zip(
            kernel["mean"], drawn["mean"], kernel["se"], drawn["se"], strict=True)]
        print(f"\nnamed parameters vs branch priors: outcome means agree within "
              f"{max(z):.2f} combined standard errors (expected < 5)")


if __name__ == "__main__":
    main()
