"""Sweeps on real Dask processes: a scheduler and two workers, and a sweep killed midway.

These start real ``dask scheduler`` and ``dask worker`` processes on
127.0.0.1 and run ``dealtree sweep`` in subprocesses, as a user would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis import load_sweep

BIN = Path(sys.executable).parent
ENV = {**os.environ, "DEALTREE_PROGRESS": "0"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dealtree(*args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "dealtree"), "sweep", *map(str, args)], env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def _assert_same(a, b) -> None:
    for name in ("parameters", "variants", "values", "outcomes"):
        left, right = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(left, right, check_exact=True)


@pytest.fixture
def dask_cluster(tmp_path):
    """A ``dask scheduler`` and two ``dask worker`` processes on localhost."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    processes = [subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
         "--no-dashboard"], stdout=subprocess.DEVNULL,
        stderr=open(logs / "scheduler.log", "w"), env=ENV, start_new_session=True)]
    for n in range(2):
        processes.append(subprocess.Popen(
            [str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
             "--no-dashboard", "--name", f"worker-{n}"], stdout=subprocess.DEVNULL,
            stderr=open(logs / f"worker-{n}.log", "w"), env=ENV, start_new_session=True))
    try:
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=60)
                    break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_sweep_on_a_scheduler_and_two_workers_equals_the_local_run(dask_cluster, tmp_path):
    common = ["mediation", "--n", 1000, "--seed", 42, "--format", "json"]
    remote = _dealtree(*common, "--output", tmp_path / "remote", "--scheduler", dask_cluster,
                       "--chunk-size", 128)
    assert remote.returncode == 0, remote.stderr
    local = _dealtree(*common, "--output", tmp_path / "local", "--workers", 1)
    assert local.returncode == 0, local.stderr
    assert remote.stdout.replace("remote", "local") == local.stdout
    remote_chunks = list((tmp_path / "remote" / "chunks").glob("*.parquet"))
    local_chunks = list((tmp_path / "local" / "chunks").glob("*.parquet"))
    assert len(remote_chunks) > len(local_chunks)  # different chunks, the same results
    _assert_same(load_sweep(tmp_path / "remote"), load_sweep(tmp_path / "local"))


def test_a_killed_sweep_resumes_without_redoing_its_chunks(tmp_path):
    folder = tmp_path / "sweep"
    args = ["mediation", "--n", 640, "--seed", 9, "--method", "monte_carlo", "--draws", 1500,
            "--workers", 1, "--chunk-size", 64, "--output", folder]
    process = subprocess.Popen([str(BIN / "dealtree"), "sweep", *map(str, args)], env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    chunks = folder / "chunks"
    deadline = time.monotonic() + 240
    while len(list(chunks.glob("chunk-*.parquet"))) < 2:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the sweep wrote no chunk in time"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)  # the client, its cluster and workers
    process.wait()
    process.stderr.close()
    done = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in chunks.glob("*.parquet")}
    assert 2 <= len(done) < 11  # 10 design chunks and the analysts' one
    resumed = _dealtree(*args[:-2], "--output", folder)  # --seed comes from the manifest
    assert resumed.returncode == 0, resumed.stderr
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in chunks.glob("*.parquet")}
    assert len(after) == 11
    assert all(after[name] == stamp for name, stamp in done.items())  # not redone
    assert not list(chunks.glob(".*.tmp"))
    whole = analysis.sweep(analysis.load_scenario("mediation"), decision_maker="mediators",
                           n_variants=640, rng=9, method="monte_carlo", n_draws=1500,
                           scheduler="synchronous", chunk_size=4096)
    _assert_same(load_sweep(folder), whole)
