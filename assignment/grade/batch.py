"""Grade every submission of a folder: in a local process pool or on a Dask cluster, with
progress, and resumably; one bad submission never stops the rest.

Locally, each submission is graded by a worker process of a pool (which judges, so
TensorFlow is loaded once per worker) that keeps its own sandboxed child (which runs the
learner's code); ``assignment.grade.distributed`` does the same on Dask workers. Each
finished result is written at once, atomically (``grades/<name>.json``, and a resume
entry keyed by the submission's content hash and the grader's version key), so an
interrupted batch, run again, grades only what is missing or changed.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Dict, List, Optional

from assignment.grade import GRADER_VERSION
from assignment.grade.core import error_result, grade_file
from assignment.grade.extract import SubmissionError
from assignment.grade.sandbox import Limits
from assignment.paths import PACKAGE_DIR

SUFFIXES = (".ipynb", ".py")
PACKAGE = PACKAGE_DIR  # assignment/
# What decides a result: the grader's modules (not the ones that only present or dispatch
# results), the checks, the reference and the registry.
PRESENTATION = {"commands.py", "batch.py", "distributed.py", "similarity.py", "report.py", "html_report.py",
                "autograder.py", "intake.py", "archive.py"}
TRUSTED_SOURCES = ("checks", "observations.py", "transformer.py", "transformer_2021.py", "exercises.py",
                   "notebooks/markers.py", "labs/ner/tokenizer.py", "legacy_keras.py", "paths.py", "__init__.py")
VERSIONED_PACKAGES = ("tensorflow", "tf-keras", "numpy")
RESUME_DIR = ".resume"
# Options of the command line that never change a result (performance, output, dispatch).
NEUTRAL_OPTIONS = {"path", "out", "json", "gradescope", "jobs", "parallel", "quiet", "force", "scheduler"}


def submissions_in(folder) -> List[Path]:
    """The notebooks and scripts directly in ``folder``; a symbolic link is not one (the
    CLI reads platform layouts, and reports links, with ``assignment.grade.intake``)."""
    folder = Path(folder)
    return sorted(path for path in folder.iterdir()
                  if path.suffix.lower() in SUFFIXES and not path.name.startswith(".")
                  and not path.is_symlink() and path.is_file())


def grade_safely(path, limits: Limits, notebook: str = "Transformer", policy: str = "course") -> Dict:
    """grade_file, with any failure turned into an error row."""
    try:
        return grade_file(path, limits, notebook, policy)
    except SubmissionError as error:
        return error_result(path, f"unreadable submission: {error}", notebook, policy)
    except Exception as error:  # noqa: BLE001 - a grader bug must not stop the batch
        detail = traceback.format_exception_only(type(error), error)[-1].strip()
        return error_result(path, f"the grader failed on this submission: {detail}", notebook, policy)


# --------------------------------------------------------------------------- version key

def source_key() -> str:
    """A digest of everything that decides a result: GRADER_VERSION, the grader's and the
    checks' sources, the reference solutions, the numeric libraries' versions. Any edit to
    a check changes it. Computed without importing TensorFlow."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(GRADER_VERSION.encode())
    for name in VERSIONED_PACKAGES:
        try:
            digest.update(f"{name}=={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name} missing".encode())
    files = sorted(p for p in (PACKAGE / "grade").rglob("*.py") if p.name not in PRESENTATION)
    for name in TRUSTED_SOURCES:  # a folder counts with every module in it
        files += sorted((PACKAGE / name).rglob("*.py")) if (PACKAGE / name).is_dir() else [PACKAGE / name]
    for path in files:
        digest.update(f"\0{path.relative_to(PACKAGE)}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    return digest.hexdigest()


def result_options(limits: Limits, notebook: str, options: Optional[Dict] = None) -> Dict:
    """The settings a result depends on: the notebook, the sandbox limits (not the
    performance ones) and the command line's other options (``NEUTRAL_OPTIONS`` aside)."""
    settings = {key: value for key, value in dataclasses.asdict(limits).items()
                if key not in ("threads", "parallel", "startup")}
    extra = {key: value for key, value in (options or {}).items() if key not in NEUTRAL_OPTIONS}
    return json.loads(json.dumps({"notebook": notebook, "limits": settings, "options": extra}, default=str))


def grader_key(limits: Limits, notebook: str, options: Optional[Dict] = None) -> str:
    text = json.dumps(result_options(limits, notebook, options), sort_keys=True)
    return hashlib.sha256(f"{source_key()}\0{text}".encode()).hexdigest()[:32]


# --------------------------------------------------------------------------- files

def write_atomically(path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader (or a later run) sees the old file or
    the new one, never half of one (temporary file, then ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def content_hash(path) -> Optional[str]:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


class ResumeCache:
    """Finished results of a folder, in ``grades/.resume/<file name>.json``: each valid
    while the submission's bytes and the grader's version key are unchanged."""

    def __init__(self, folder, key: str):
        self.folder, self.key = Path(folder), key

    def _entry(self, path) -> Path:
        return self.folder / f"{Path(path).name}.json"

    def load(self, path, digest: Optional[str]) -> Optional[Dict]:
        if digest is None:
            return None
        try:
            entry = json.loads(self._entry(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("grader_key") != self.key \
                or entry.get("sha256") != digest or entry.get("file") != str(path):
            return None
        result = entry.get("result")
        return result if isinstance(result, dict) else None

    def store(self, path, digest: Optional[str], result: Dict) -> None:
        if digest is None:
            return
        entry = {"file": str(path), "sha256": digest, "grader_key": self.key, "result": result}
        write_atomically(self._entry(path), json.dumps(entry) + "\n")


# --------------------------------------------------------------------------- progress

class Progress:
    """A tqdm bar with ETA on a terminal; one line per finished submission otherwise;
    nothing with ``quiet``."""

    def __init__(self, total: int, done: int = 0, quiet: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.total, self.done, self.quiet = total, done, quiet
        self.bar = None
        if not quiet and self.stream.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, initial=done, file=self.stream, unit="submission", dynamic_ncols=True,
                            desc="grading")

    def note(self, text: str) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def update(self, result: Dict) -> None:
        self.done += 1
        name = Path(result["file"]).name
        if self.bar is not None:
            self.bar.set_postfix_str(name, refresh=False)
            self.bar.update(1)
        elif not self.quiet:
            print(f"[{self.done}/{self.total}] {name}: {result['score']:g}/{result['max_score']:g}"
                  + (f" ({result['error']})" if result.get("error") else ""), file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------- local pool

def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:  # the batch was killed: do not grade on for nobody
            os._exit(1)


def _worker_init(parent: int = 0) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    if parent:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def grade_in_pool(paths: List[Path], limits: Limits, jobs: Optional[int], notebook: str,
                  on_result: Callable[[int, Dict, bool], None], attempts: int = 2, policy: str = "course") -> None:
    """Grade ``paths`` with ``jobs`` spawned worker processes; ``on_result(index, result,
    final)`` as each finishes. When a worker process dies, the pool breaks and every
    submission it had not finished is graded again in a new pool (``attempts`` in all);
    after the last one they are error rows with ``final`` False (not cached)."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths) or 1))
    if limits.threads == 0:
        limits.threads = max(1, (os.cpu_count() or 1) // jobs)
    todo = list(range(len(paths)))
    for attempt in range(1, attempts + 1):
        crashed = _pool_round(paths, todo, limits, jobs, notebook, on_result, last=attempt == attempts,
                              policy=policy)
        if not crashed:
            return
        todo = crashed


def _pool_round(paths, todo, limits, jobs, notebook, on_result, last: bool, policy: str = "course") -> List[int]:
    """One pool over the submissions ``todo``; returns those lost to a crashed worker
    (reported through ``on_result`` only when this is the ``last`` round)."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(),))
    crashed = []
    try:
        futures = {pool.submit(grade_safely, str(paths[index]), limits, notebook, policy): index for index in todo}
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - a worker died (BrokenProcessPool)
                crashed.append(index)
                if last:
                    on_result(index, error_result(paths[index], f"the grading worker crashed: {error}", notebook,
                                                      policy),
                              False)
                continue
            on_result(index, result, True)
    except BaseException:  # Ctrl-C: stop now, keep what finished
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        raise
    pool.shutdown(wait=True)
    return sorted(crashed)


# --------------------------------------------------------------------------- the batch

def run_batch(paths: List[Path], limits: Limits, notebook: str, json_dir, *, jobs: Optional[int] = None,
              scheduler: Optional[str] = None, force: bool = False, quiet: bool = False,
              options: Optional[Dict] = None, policy: str = "course",
              students: Optional[List[str]] = None) -> List[Dict]:
    """Results of ``paths``, in the same order. Unchanged submissions graded before (same
    bytes, same grader version key) are taken from ``json_dir/.resume`` unless ``force``;
    the rest is graded locally (``jobs`` processes) or on the Dask ``scheduler``.
    ``students``: who each submission is (``assignment.grade.intake``), put in its result."""
    from assignment.grade import report

    json_dir = Path(json_dir)
    key = grader_key(limits, notebook, options)
    cache = ResumeCache(json_dir / RESUME_DIR, key)
    digests = [content_hash(path) for path in paths]
    results: Dict[int, Dict] = {}
    if not force:
        for index, path in enumerate(paths):
            cached = cache.load(path, digests[index])
            if cached is not None:
                results[index] = dict(cached, student=students[index]) if students else cached
    todo = [index for index in range(len(paths)) if index not in results]
    progress = Progress(len(paths), len(results), quiet)
    if results:
        progress.note(f"{len(results)} of {len(paths)} submissions unchanged since they were graded: "
                      f"results kept (--force regrades them)")

    def finished(position: int, result: Dict, final: bool = True) -> None:
        index = todo[position]
        if students:
            result = dict(result, student=students[index])
        results[index] = result
        write_atomically(json_dir / f"{Path(result['file']).stem}.json",
                         json.dumps(report.as_json(result), indent=2) + "\n")
        if final:
            cache.store(paths[index], digests[index], result)
        progress.update(result)

    try:
        if todo:
            chosen = [paths[index] for index in todo]
            if scheduler:
                from assignment.grade.distributed import grade_on_cluster
                grade_on_cluster(chosen, limits, notebook, scheduler, finished, note=progress.note, policy=policy)
            else:
                grade_in_pool(chosen, limits, jobs, notebook, finished, policy=policy)
    finally:
        progress.close()
    return [results[index] for index in range(len(paths))]
