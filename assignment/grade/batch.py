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

import hashlib
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Dict, List, Optional

from assignment.atomic import write_text
from assignment.grade import report
from assignment.grade.core import error_result, grade_safely
from assignment.grade.distributed import grade_on_cluster
from assignment.grade.sandbox import Limits
from assignment.grade.version_key import grader_key
from assignment.grade.worker import worker_init

SUFFIXES = (".ipynb", ".py")
RESUME_DIR = ".resume"


def submissions_in(folder) -> List[Path]:
    """The notebooks and scripts directly in ``folder``; a symbolic link is not one (the
    CLI reads platform layouts, and reports links, with ``assignment.grade.intake``)."""
    folder = Path(folder)
    return sorted(path for path in folder.iterdir()
                  if path.suffix.lower() in SUFFIXES and not path.name.startswith(".")
                  and not path.is_symlink() and path.is_file())


# --------------------------------------------------------------------------- files

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
        write_text(self._entry(path), json.dumps(entry) + "\n")


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
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context, initializer=worker_init,
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
        write_text(json_dir / f"{Path(result['file']).stem}.json",
                         json.dumps(report.as_json(result), indent=2) + "\n")
        if final:
            cache.store(paths[index], digests[index], result)
        progress.update(result)

    try:
        if todo:
            chosen = [paths[index] for index in todo]
            if scheduler:
                grade_on_cluster(chosen, limits, notebook, scheduler, finished, note=progress.note, policy=policy)
            else:
                grade_in_pool(chosen, limits, jobs, notebook, finished, policy=policy)
    finally:
        progress.close()
    return [results[index] for index in range(len(paths))]
