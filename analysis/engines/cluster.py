"""Running a sweep's chunks on Dask, and keeping each finished chunk in Parquet.

:func:`run_chunks` evaluates a :class:`~analysis.engines.sweep.SweepPlan`
chunk by chunk on a ``dask.distributed`` cluster: a local one on this
machine (one single-threaded worker process per core) by default, or an
existing one at ``tcp://HOST:PORT``. The client sends the plan to every
worker once, keeps a few chunks per worker in flight, and writes each chunk
to ``FOLDER/chunks/chunk-START-STOP.parquet`` as it finishes (a temporary
file moved onto its name, so a chunk is either complete or absent). Memory
on the client is a few chunks, whatever the number of variants.

``FOLDER/manifest.json`` records what the sweep is (scenario, parameters and
ranges, design, seed, method, decision maker, analysts) and the versions
that computed it. Running the same sweep again into the same folder skips
the chunks already there: an interrupted sweep resumes, even with another
chunk size or another number of workers; a folder that holds a different
sweep is refused.

Libraries: ``dask.distributed`` (the scheduler, workers, and the local
cluster) and ``pyarrow`` (Parquet) are imported on first use only.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable
from pathlib import Path

from ..core.errors import QueryError
from .sweep import SweepPlan, evaluate_variants

__all__ = [
    "MANIFEST",
    "SYNCHRONOUS",
    "check_scheduler",
    "chunk_files",
    "plan_chunks",
    "read_manifest",
    "run_chunks",
]

#: The manifest's file name in a sweep's folder.
MANIFEST = "manifest.json"
#: ``scheduler=SYNCHRONOUS`` evaluates the chunks in this process, without Dask.
SYNCHRONOUS = "synchronous"
_CHUNK = re.compile(r"^chunk-(\d{12})-(\d{12})\.parquet$")
_ADDRESS = re.compile(r"^(tcp|tls|inproc|ws|wss)://[^\s/]+(:\d+)?$")
_IN_FLIGHT_PER_WORKER = 2
_CONNECT_TIMEOUT = "10s"


def check_scheduler(scheduler: object) -> object:
    """Return ``scheduler`` if it is None, ``"synchronous"``, an address or a ``Client``."""
    if scheduler is None or scheduler == SYNCHRONOUS:
        return scheduler
    if isinstance(scheduler, str):
        if not _ADDRESS.match(scheduler):
            raise QueryError(f"scheduler == {scheduler!r}, expected a Dask scheduler's address "
                             "such as 'tcp://127.0.0.1:8786', or 'synchronous'")
        return scheduler
    if type(scheduler).__name__ == "Client":
        return scheduler
    raise TypeError(f"scheduler: got {type(scheduler).__name__}, expected None (a local "
                    "cluster), an address 'tcp://HOST:PORT', 'synchronous' or a "
                    "distributed.Client")


def read_manifest(folder: str | Path) -> dict | None:
    """Return the manifest of the sweep in ``folder``, or None if there is none."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise QueryError(f"{path}: not a sweep manifest ({exc})") from None


def chunk_files(folder: str | Path) -> list[tuple[int, int, Path]]:
    """Return the finished chunks in ``folder`` as ``(start, stop, path)``, in order."""
    found = []
    chunks = Path(folder) / "chunks"
    if chunks.is_dir():
        for path in chunks.iterdir():
            match = _CHUNK.match(path.name)
            if match:
                found.append((int(match.group(1)), int(match.group(2)), path))
    return sorted(found)


def plan_chunks(plan: SweepPlan, chunk_size: int, done: list[tuple[int, int]]
                ) -> list[tuple[int, int]]:
    """Return the chunks still to evaluate: whole blocks, about ``chunk_size`` variants each."""
    chunks: list[list[int]] = []
    extend = False
    for a, b in plan.blocks():
        if any(s <= a and b <= e for s, e in done):
            extend = False
            continue
        if extend and chunks[-1][1] == a and b - chunks[-1][0] <= chunk_size:
            chunks[-1][1] = b
        else:
            chunks.append([a, b])
        extend = True
    return [(a, b) for a, b in chunks]


def _write_manifest(folder: Path, manifest: dict) -> None:
    existing = read_manifest(folder)
    if existing is not None:
        same = {k: v for k, v in existing.items() if k != "versions"}
        wanted = {k: v for k, v in manifest.items() if k != "versions"}
        if same != wanted:
            differ = sorted(k for k in set(same) | set(wanted) if same.get(k) != wanted.get(k))
            raise QueryError(f"{folder} holds another sweep (it differs in: "
                             f"{', '.join(differ)}); choose another output folder or "
                             "delete that one")
        if existing.get("versions") != manifest.get("versions"):
            warnings.warn(f"{folder}: resuming a sweep begun with other versions "
                          f"({existing.get('versions')}); the chunks computed now may differ "
                          "in the last bits", UserWarning, stacklevel=3)
        return
    folder.mkdir(parents=True, exist_ok=True)
    _replace(folder / MANIFEST, json.dumps(manifest, indent=2).encode())


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _write_chunk(folder: Path, start: int, stop: int, columns: dict) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    chunks = folder / "chunks"
    chunks.mkdir(parents=True, exist_ok=True)
    path = chunks / f"chunk-{start:012d}-{stop:012d}.parquet"
    temporary = chunks / f".{path.name}.{os.getpid()}.tmp"
    table = pa.table({name: (pa.array(list(values), pa.string()) if values.dtype == object
                             else pa.array(values)) for name, values in columns.items()})
    pq.write_table(table, temporary)
    os.replace(temporary, path)
    return path


def run_chunks(plan: SweepPlan, folder: str | Path, *, manifest: dict, chunk_size: int,
               scheduler=None, n_workers: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> int:
    """Evaluate every chunk of ``plan`` not yet in ``folder``; return how many were run.

    Parameters
    ----------
    plan : SweepPlan
    folder : str or Path
        Where the manifest and the chunks go.
    manifest : dict
        What the sweep is (JSON-compatible); ``"versions"`` may differ on resume.
    chunk_size : int
        About how many variants a chunk holds (whole blocks).
    scheduler : None, str or distributed.Client
        None: a local cluster of ``n_workers`` processes (default: one per
        core); ``"tcp://HOST:PORT"``: an existing cluster; ``"synchronous"``:
        this process, without Dask.
    progress : callable, optional
        Called as ``progress(done, total)`` (in variants) after each chunk,
        and once before the first.
    """
    folder = Path(folder)
    scheduler = check_scheduler(scheduler)
    _write_manifest(folder, manifest)
    done = [(a, b) for a, b, _ in chunk_files(folder)]
    todo = plan_chunks(plan, chunk_size, done)
    finished = plan.n_variants - sum(b - a for a, b in todo)
    if progress is not None:
        progress(finished, plan.n_variants)
    if not todo:
        return 0
    if scheduler == SYNCHRONOUS:
        for start, stop in todo:
            _write_chunk(folder, start, stop, evaluate_variants(plan, start, stop))
            finished += stop - start
            if progress is not None:
                progress(finished, plan.n_variants)
        return len(todo)
    return _run_on_dask(plan, folder, todo, scheduler, n_workers, progress, finished)


def _run_on_dask(plan, folder, todo, scheduler, n_workers, progress, finished) -> int:
    import logging

    from distributed import Client, LocalCluster, as_completed

    own_cluster = own_client = None
    try:
        if scheduler is None:
            own_cluster = LocalCluster(n_workers=n_workers or _cpu_count(), threads_per_worker=1,
                                       processes=True, dashboard_address=None,
                                       silence_logs=logging.ERROR)
            client = own_client = Client(own_cluster)
        elif isinstance(scheduler, str):
            try:
                client = own_client = Client(scheduler, timeout=_CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise QueryError(f"could not reach the Dask scheduler at {scheduler}: "
                                 f"{exc}") from None
        else:
            client = scheduler
        workers = max(1, sum(client.nthreads().values()))
        shared = client.scatter(plan, broadcast=True)
        pending = iter(todo)
        window = as_completed()
        spans = {}

        def submit() -> bool:
            chunk = next(pending, None)
            if chunk is None:
                return False
            future = client.submit(evaluate_variants, shared, *chunk, pure=False)
            spans[future.key] = chunk
            window.add(future)
            return True

        for _ in range(workers * _IN_FLIGHT_PER_WORKER):
            if not submit():
                break
        for future in window:
            start, stop = spans.pop(future.key)
            _write_chunk(folder, start, stop, future.result())
            future.release()
            finished += stop - start
            if progress is not None:
                progress(finished, plan.n_variants)
            submit()
        return len(todo)
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
