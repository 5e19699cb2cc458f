"""Grading on a Dask cluster: a scheduler and two workers on 127.0.0.1 (subprocesses,
stopped by their own PIDs), results equal to the local batch except timings, and a
batch that survives workers dying mid-submission."""
import assignment  # noqa: F401  (tf-keras before TensorFlow)

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SUBMISSIONS = ROOT / "tests" / "submissions"
TIMINGS = {"seconds"}
SMALL = ["all_correct.ipynb", "mutants_round2.ipynb", "not_a_notebook.ipynb", "learner_release.ipynb",
         "script_submission.py"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process) -> None:
    """Stop a process we started, and the process group it leads (the worker under a nanny)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """``dask scheduler`` and two ``dask worker`` (one process, one thread each)."""
    logs = tmp_path_factory.mktemp("dask-logs")
    deaths = tmp_path_factory.mktemp("deaths")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    # As the README says: a task is retried once after its worker died, and a worker holds
    # no queued submission beyond the one it grades (none dies with it).
    # No PYTHONPATH and another working folder: the workers import the grader because
    # make setup installs the project into the environment (pyproject.toml, pip install -e .).
    env = dict({k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, GRADE_TEST_DEATHS=str(deaths),
               DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1",
               DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")
    started = []

    def spawn(name, *command):
        log = open(logs / f"{name}.log", "wb")
        process = subprocess.Popen([sys.executable, "-m", *command], cwd=logs, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        started.append(process)
        return process

    try:
        spawn("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
              "--no-dashboard")
        for number in (1, 2):
            spawn(f"worker{number}", "distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
                  "--no-dashboard", "--memory-limit", "0", "--preload", str(ROOT / "tests" / "dask_hooks.py"),
                  "--name", f"worker{number}")
        from distributed import Client
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield {"address": address, "deaths": deaths, "logs": logs}
    finally:
        for process in reversed(started):
            stop(process)


def grade(folder, out, *extra):
    return subprocess.run([sys.executable, "-m", "assignment", "grade", str(folder), "--out", str(out),
                           "--timeout", "30", *extra], cwd=ROOT, capture_output=True, text=True, timeout=1500)


# TensorFlow's own log lines (absl: "E0000 00:00:1795396113.346698  1 cuda_platform.cc:52] ...") carry
# a timestamp and a thread id: timings too.
ABSL_LINE = re.compile(r"^[IWEF]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*$\n?", re.M)


def without_timings(value):
    if isinstance(value, dict):
        return {key: ABSL_LINE.sub("", item) if key == "output" and isinstance(item, str) else without_timings(item)
                for key, item in value.items() if key not in TIMINGS}
    if isinstance(value, list):
        return [without_timings(item) for item in value]
    return value


def differences(a, b, where=""):
    """Where two JSON values differ (for the assertion message)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for key in sorted(set(a) | set(b)) for d in differences(a.get(key), b.get(key), f"{where}.{key}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: {a!r:.300} != {b!r:.300}"]


def outputs(out: Path) -> dict:
    """Every file a batch wrote, timings dropped from the JSON ones."""
    files = {}
    for path in sorted(out.parent.rglob("*")):
        if path.is_file() and ".resume" not in path.parts:
            text = path.read_text(encoding="utf-8")
            files[str(path.relative_to(out.parent))] = without_timings(json.loads(text)) \
                if path.suffix == ".json" else text
    return files


def compare_with_local(cluster, tmp_path, names):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in names:
        shutil.copy(SUBMISSIONS / name, folder / name)
    local, remote = tmp_path / "local" / "grades.csv", tmp_path / "remote" / "grades.csv"
    done = grade(folder, remote, "--scheduler", cluster["address"])
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    done = grade(folder, local, "--jobs", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    local_files, remote_files = outputs(local), outputs(remote)
    assert sorted(local_files) == sorted(remote_files)
    assert len([name for name in local_files if name.startswith("grades/")]) == len(names)
    for name in local_files:
        assert remote_files[name] == local_files[name], (name, differences(remote_files[name], local_files[name]))
    return local_files


@pytest.mark.slow
def test_distributed_batch_equals_local_batch(cluster, tmp_path):
    files = compare_with_local(cluster, tmp_path, SMALL)
    assert "all_correct.ipynb,12.5" in files["grades.csv"]
    assert json.loads(json.dumps(files["grades/all_correct.json"]))["score"] == 100


@pytest.mark.slow
def test_worker_dying_mid_submission_is_retried_once_then_an_error_row(cluster, tmp_path):
    # Two batches, so that one submission's deaths never count against the other's (a
    # worker that dies takes the tasks queued on it along: Dask counts them too).
    folder = tmp_path / "once"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "all_correct.ipynb", folder / "die_once_a.ipynb")
    shutil.copy(SUBMISSIONS / "learner_release.ipynb", folder / "c.ipynb")
    out = tmp_path / "once.csv"
    done = grade(folder, out, "--scheduler", cluster["address"])
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    rows = {line.split(",")[0]: line for line in out.read_text().splitlines()[1:]}
    assert rows["die_once_a.ipynb"].split(",")[10] == "100", rows  # died once, graded by the next worker
    assert rows["c.ipynb"].split(",")[10] == "0"

    folder = tmp_path / "always"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "all_correct.ipynb", folder / "die_always_b.ipynb")
    out = tmp_path / "always.csv"
    done = grade(folder, out, "--scheduler", cluster["address"])
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "the grading worker died while grading this submission (KilledWorker" in out.read_text()
    deaths = sorted(path.name for path in cluster["deaths"].iterdir())
    assert len([d for d in deaths if d.startswith("die_once_a")]) == 1
    assert len([d for d in deaths if d.startswith("die_always_b")]) == 2  # tried, retried once, given up
    # The failed one is not cached: a rerun tries it again (and the workers die again).
    shutil.copy(SUBMISSIONS / "learner_release.ipynb", folder / "c.ipynb")
    again = grade(folder, out, "--scheduler", cluster["address"], "--quiet")
    assert again.returncode == 0
    assert len([d for d in cluster["deaths"].iterdir() if d.name.startswith("die_always_b")]) == 4


@pytest.mark.slow
def test_full_distributed_batch_equals_local_batch(cluster, tmp_path):
    names = [path.name for path in sorted(SUBMISSIONS.iterdir())
             if path.suffix in (".ipynb", ".py") and path.name != "make_submissions.py"]
    compare_with_local(cluster, tmp_path, names)


def test_the_task_grades_bytes_as_the_client_path_and_refuses_another_grader(tmp_path):
    from assignment.grade import distributed, version_key
    from assignment.grade.sandbox import Limits

    client_path = str(tmp_path / "class" / "bad.ipynb")  # never exists on the worker
    result = distributed.grade_remote("bad.ipynb", b"{", client_path, Limits(), "Transformer",
                                      version_key.source_key(), {})
    assert result["file"] == client_path
    assert f"unreadable submission: {client_path} is not valid notebook JSON" in result["error"]
    assert "grade-submission-" not in json.dumps(result)  # no trace of the worker's temporary folder
    other = distributed.grade_remote("bad.ipynb", b"{", client_path, Limits(), "Transformer", "0" * 64, {})
    assert set(other) == {"worker_mismatch"}
