"""Grade submissions on an existing Dask distributed cluster (``grade DIR --scheduler ...``).

The client (this process) reads each submission and sends its bytes; a worker process
writes them to a temporary folder, grades them exactly as a local batch worker does
(``core.grade_safely``: the worker judges, its one cached sandbox session runs the
learner's code, so TensorFlow is imported once per worker process) and sends the result
back. The client writes every output file. Workers need the same repository and
packages: a worker whose grader differs (``version_key.source_key``) grades nothing.

A worker that dies mid-submission (killed, out of memory, machine lost) makes the
scheduler give the submission to another worker; when the scheduler gives up on it
(``KilledWorker``) it is an error row, not cached, and the batch goes on. The README
starts the scheduler with ``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1`` (retried
once; Dask's default is 3) and ``..._WORKER_SATURATION=1.0`` (a worker holds only the
submission it grades, so no queued one dies with it).
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Optional

from assignment.errors import Failure, UsageError
from assignment.grade.core import error_result, grade_safely
from assignment.grade.extract import MAX_SUBMISSION_BYTES
from assignment.grade.sandbox import Limits
from assignment.grade.version_key import source_key
from assignment.grade.worker import worker_init

CONNECT_TIMEOUT = 30  # seconds to reach the scheduler
_ONE_AT_A_TIME = threading.Lock()  # one sandbox session per worker process, one submission at a time


def _replace_text(value, old: str, new: str):
    """``value`` with ``old`` replaced by ``new`` in every string (the worker's temporary
    path becomes the client's path, so the result equals a local run's)."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_text(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _replace_text(item, old, new) for key, item in value.items()}
    return value


def _worker_limits(limits: Limits, workers_per_host: Dict[str, int]) -> Limits:
    """The client's limits, with TensorFlow's threads split among this host's workers."""
    if limits.threads:
        return limits
    try:
        from distributed import get_worker
        host = get_worker().address.rsplit(":", 1)[0].split("//")[-1]
    except (ImportError, ValueError):
        host = ""
    sharing = max(1, workers_per_host.get(host, 1))
    cores = os.cpu_count() or 1
    return dataclasses.replace(limits, threads=max(1, cores // (sharing * limits.parallel)))


def grade_remote(name: str, data: bytes, client_path: str, limits: Limits, notebook: str,
                 client_key: str, workers_per_host: Dict[str, int], policy: str = "course") -> Dict:
    """The task a Dask worker runs: grade one submission sent as bytes."""
    worker_init()
    key = source_key()
    if key != client_key:
        return {"worker_mismatch": key}
    with _ONE_AT_A_TIME:
        folder = tempfile.mkdtemp(prefix="grade-submission-")
        try:
            path = Path(folder) / name
            path.write_bytes(data)
            result = grade_safely(path, _worker_limits(limits, workers_per_host), notebook, policy)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return _replace_text(result, str(path), client_path)


def _connect(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs the `distributed` package (pip install -r requirements.txt)") from None
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None


def grade_on_cluster(paths: List[Path], limits: Limits, notebook: str, scheduler: str,
                     on_result: Callable[[int, Dict, bool], None],
                     note: Optional[Callable[[str], None]] = None, policy: str = "course") -> None:
    """Grade ``paths`` on the cluster of ``scheduler``; ``on_result(index, result, final)``
    as each finishes (``final`` False when no worker could finish it: not cached)."""
    from distributed import KilledWorker, as_completed  # Dask: loaded only when a cluster grades

    note = note or (lambda text: None)
    key = source_key()
    client = _connect(scheduler)
    futures = {}
    try:
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
        if not workers:
            note(f"the scheduler at {scheduler} has no workers yet: the batch starts when one connects")
        per_host = dict(Counter(info.get("host", "") for info in workers.values()))
        batch_id = uuid.uuid4().hex[:8]
        for index, path in enumerate(paths):
            path = Path(path)
            try:
                if path.stat().st_size > MAX_SUBMISSION_BYTES:
                    raise OSError("too large")
                data = path.read_bytes()
            except OSError:  # unreadable or too large: the local grader says why, without running anything
                on_result(index, grade_safely(path, limits, notebook, policy), True)
                continue
            future = client.submit(grade_remote, path.name, data, str(path), limits, notebook, key, per_host, policy,
                                   key=f"grade-{batch_id}-{index}", pure=False, retries=1)
            futures[future] = index
        for future in as_completed(list(futures), loop=client.loop):
            index = futures[future]
            final = True
            try:
                result = future.result()
            except KilledWorker as error:  # the workers died on it: tried, retried, given up
                final = False
                result = error_result(paths[index], "the grading worker died while grading this submission "
                                                    f"({type(error).__name__}: {error})", notebook, policy)
            except Exception as error:  # noqa: BLE001 - the cluster cannot run our task at all
                first = str(error).strip().splitlines()[0] if str(error).strip() else ""
                raise Failure(f"the Dask cluster could not run the grading task ({type(error).__name__}: {first}); "
                              "the scheduler and every worker need the same repository and .venv, with the project "
                              "installed in it (make setup; docs/grading.md)") from None
            if "worker_mismatch" in result:
                raise Failure("a Dask worker grades with a different grader than this client (its repository "
                              "or packages differ): update the repository and .venv on every worker")
            on_result(index, result, final)
    finally:
        pending = [future for future in futures if not future.done()]
        if pending:
            client.cancel(pending)
        client.close()
