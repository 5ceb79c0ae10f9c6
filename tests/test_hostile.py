"""The hostile-input corpus (tests/hostile/): every case a clean, quick, bounded answer.

Each case of ``tests/hostile/cases.yaml`` runs the command line in a fresh
process, in a temporary folder, with the processor time capped, and must
give its exit code with no traceback, the fragments expected, no NaN or
Infinity, a refusal within 2 s of processor time, at most 1 GB of memory,
and no file changed (the corpus and the case's folder are hashed before and
after).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent / "hostile"
FILES = HERE / "files"
PROJECT = Path(__file__).resolve().parents[1]
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
#: The most processor time a refusal may take, and the most memory any case may.
REFUSAL_CPU_SECONDS = 2.0
MAX_RSS_BYTES = 1 << 30
NON_FINITE = re.compile(r"\b(NaN|-?Infinity|-?inf|nan)\b|nan%")


def _limits(cpu_seconds: int):
    def apply() -> None:  # in the child, before it runs: a hang is killed, not waited for
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    return apply


def run_bounded(args: list[str], cwd: Path, *, cpu_seconds: int = 30,
                wall_seconds: float = 120) -> dict:
    """Run ``python -m analysis ARGS``; return its exit code, output, processor time and RSS."""
    env = {**os.environ, "DEALTREE_PROGRESS": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DEALTREE_DEBUG", None)
    out, err = cwd / ".stdout", cwd / ".stderr"
    start = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "analysis", *args], cwd=cwd,
                                   stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                   env=env, preexec_fn=_limits(cpu_seconds))
        deadline = start + wall_seconds
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
    result = {
        "code": os.waitstatus_to_exitcode(status),
        "stdout": out.read_bytes().decode("utf-8", errors="replace"),
        "stderr": err.read_bytes().decode("utf-8", errors="replace"),
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": time.perf_counter() - start,
        "rss": usage.ru_maxrss * 1024,  # Linux reports kilobytes
    }
    out.unlink()
    err.unlink()
    return result


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _numbers(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, float):
        yield value


def _substitute(text: str, tmp: Path) -> str:
    return text.replace("{files}", str(FILES)).replace("{tmp}", str(tmp))


def test_the_corpus_is_well_formed():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    for case in CASES:
        assert {"id", "why", "run", "exit"} <= set(case), case
        assert set(case) <= {"id", "why", "run", "exit", "output", "absent", "copy", "stdout",
                             "cpu"}, case


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_hostile_case(case, tmp_path):
    for name in case.get("copy", []):
        source = PROJECT / name.removeprefix("project:") if name.startswith("project:") \
            else FILES / name
        shutil.copy(source, tmp_path / Path(name).name)
    before = (_digest(FILES), _digest(tmp_path))
    args = [_substitute(str(arg), tmp_path) for arg in case["run"]]
    result = run_bounded(args, tmp_path, cpu_seconds=int(case.get("cpu", 30)))
    shown = f"{case['id']}: exit {result['code']}\n{result['stdout'][-2000:]}\n" \
            f"{result['stderr'][-2000:]}"
    assert result["code"] == case["exit"], shown
    text = result["stdout"] + result["stderr"]
    assert "Traceback" not in text, shown
    for fragment in case.get("output", []):
        assert _substitute(fragment, tmp_path) in text, f"{fragment!r} missing from\n{shown}"
    for fragment in case.get("absent", []):
        assert fragment not in text, f"{fragment!r} present in\n{shown}"
    assert not NON_FINITE.search(result["stdout"]), shown
    if case.get("stdout") == "json":
        payload = json.loads(result["stdout"])
        assert all(math.isfinite(x) for x in _numbers(payload)), shown
    if case["exit"] == 2:
        assert result["cpu"] <= REFUSAL_CPU_SECONDS, (
            f"{case['id']}: refused after {result['cpu']:.2f} s of processor time "
            f"({result['wall']:.2f} s wall)")
    assert result["rss"] <= MAX_RSS_BYTES, f"{case['id']}: {result['rss'] / 2**20:.0f} MiB"
    assert (_digest(FILES), _digest(tmp_path)) == before, f"{case['id']} changed a file"
