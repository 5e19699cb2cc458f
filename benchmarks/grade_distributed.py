"""The batch of 20 graded on a Dask cluster, with --jobs 2, and executed with nbclient, side by side.

    .venv/bin/python benchmarks/grade_distributed.py [--workers 2] [--nbclient 20]

The same 20 submissions as ``benchmarks/grade_speed.py batch`` (its ``BATCH``), measured
in this one run:

1. ``grade DIR --scheduler tcp://127.0.0.1:PORT``: a ``dask scheduler`` and ``--workers``
   ``dask worker`` processes (one process, one thread each) on this machine, started
   before the clock starts (their start-up is printed separately; TensorFlow is imported
   by each worker on its first submission, inside the measured time);
2. ``grade DIR --jobs 2``: the local process pool;
3. nbclient: each notebook executed on a fresh kernel, one after the other (optional
   cells skipped, errors allowed), what a notebook-executing grader does. ``--nbclient N``
   executes only the first N and extrapolates to 20 (printed as such).

Both grader runs use ``--force`` (no resume cache) and check that they give the same
grades. Results are printed and written to build/bench/grade_distributed.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from grade_speed import BATCH, SUBMISSIONS  # noqa: E402  (the same 20 submissions)

OUT = ROOT / "build" / "bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_cluster(workers: int, logs: Path):
    """A scheduler and ``workers`` workers as subprocesses; returns (address, processes, seconds)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict({k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1",
               DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")
    processes = []
    started = time.monotonic()

    def spawn(name, *command):
        log = open(logs / f"{name}.log", "wb")
        processes.append(subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=log,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          start_new_session=True))

    spawn("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
          "--no-dashboard")
    for number in range(workers):
        spawn(f"worker{number}", "distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
              "--no-dashboard", "--memory-limit", "0")
    from distributed import Client
    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=180)
    return address, processes, time.monotonic() - started


def stop(processes) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def grade(folder: Path, out: Path, *extra) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "assignment", "grade", str(folder), "--out", str(out),
                           "--force", "--quiet", *extra], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="Dask workers (default 2)")
    parser.add_argument("--jobs", type=int, default=2, help="local pool size (default 2)")
    parser.add_argument("--nbclient", type=int, default=len(BATCH),
                        help=f"notebooks executed with nbclient (default all {len(BATCH)})")
    args = parser.parse_args(argv)

    folder = OUT / "distributed_batch"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index, name in enumerate(BATCH):
        shutil.copy(SUBMISSIONS / name, folder / f"{index:02d}_{name}")
    logs = OUT / "dask-logs"
    logs.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()

    address, processes, startup = start_cluster(args.workers, logs)
    try:
        print(f"cluster: scheduler + {args.workers} workers ready in {startup:.1f} s", flush=True)
        dask_seconds = grade(folder, OUT / "dask" / "grades.csv", "--scheduler", address)
        print(f"grader on Dask ({args.workers} workers): {dask_seconds:.1f} s", flush=True)
    finally:
        stop(processes)
    pool_seconds = grade(folder, OUT / "pool" / "grades.csv", "--jobs", str(args.jobs))
    print(f"grader, --jobs {args.jobs}: {pool_seconds:.1f} s", flush=True)
    same = (OUT / "dask" / "grades.csv").read_text() == (OUT / "pool" / "grades.csv").read_text()
    print(f"same grades.csv: {same}", flush=True)

    import nbformat
    from assignment.notebooks.execute import OPTIONAL_TAG, execute

    chosen = sorted(folder.glob("*.ipynb"))[:args.nbclient]
    started = time.monotonic()
    for path in chosen:
        nb = nbformat.read(str(path), as_version=4)
        execute(nb, allow_errors=True, timeout=600, skip_tag=OPTIONAL_TAG)
    measured = time.monotonic() - started
    nbclient_seconds = measured * len(BATCH) / max(1, len(chosen))
    note = "" if len(chosen) == len(BATCH) else f" (extrapolated from {len(chosen)} notebooks: {measured:.1f} s)"
    print(f"nbclient, one after another: {nbclient_seconds:.1f} s{note}", flush=True)
    result = {
        "submissions": len(BATCH), "workers": args.workers, "jobs": args.jobs,
        "cluster_startup_seconds": round(startup, 1), "dask_seconds": round(dask_seconds, 1),
        "pool_seconds": round(pool_seconds, 1), "nbclient_seconds": round(nbclient_seconds, 1),
        "nbclient_notebooks_run": len(chosen), "same_grades": same,
        "ratio_nbclient_over_dask": round(nbclient_seconds / dask_seconds, 2),
        "ratio_nbclient_over_dask_with_startup": round(nbclient_seconds / (dask_seconds + startup), 2),
        "ratio_nbclient_over_pool": round(nbclient_seconds / pool_seconds, 2),
        "ratio_pool_over_dask": round(pool_seconds / dask_seconds, 2),
        "load_average_before": load_before, "load_average_after": os.getloadavg(), "cpus": os.cpu_count(),
    }
    (OUT / "grade_distributed.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
