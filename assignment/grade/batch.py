"""Grade every submission of a folder in parallel; one bad submission never stops the rest.

Each submission is graded by a worker process (which judges, so TensorFlow is loaded once
per worker) that starts its own sandboxed child (which runs the learner's code). The
results come back in file-name order.
"""
from __future__ import annotations

import multiprocessing
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Dict, List, Optional

from assignment.grade.core import error_result, grade_file
from assignment.grade.extract import SubmissionError
from assignment.grade.sandbox import Limits

SUFFIXES = (".ipynb", ".py")


def submissions_in(folder) -> List[Path]:
    folder = Path(folder)
    return sorted(path for path in folder.iterdir()
                  if path.suffix.lower() in SUFFIXES and not path.name.startswith(".") and path.is_file())


def grade_safely(path, limits: Limits, notebook: str = "Transformer", policy: str = "course") -> Dict:
    """grade_file, with any failure turned into an error row."""
    try:
        return grade_file(path, limits, notebook, policy)
    except SubmissionError as error:
        return error_result(path, f"unreadable submission: {error}", notebook, policy)
    except Exception as error:  # noqa: BLE001 - a grader bug must not stop the batch
        detail = traceback.format_exception_only(type(error), error)[-1].strip()
        return error_result(path, f"the grader failed on this submission: {detail}", notebook, policy)


def _worker_init() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def grade_folder(paths: List[Path], limits: Limits, jobs: Optional[int] = None, notebook: str = "Transformer",
                 progress: Optional[Callable[[Dict], None]] = None, policy: str = "course") -> List[Dict]:
    """Results of ``paths``, in the same order, graded by ``jobs`` worker processes."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths) or 1))
    if limits.threads == 0:
        limits.threads = max(1, (os.cpu_count() or 1) // jobs)
    results: Dict[int, Dict] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init) as pool:
        futures = {pool.submit(grade_safely, str(path), limits, notebook, policy): index for index, path in enumerate(paths)}
        for future in _as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - a worker died: that row is an error
                result = error_result(paths[index], f"the grading worker crashed: {error}", notebook, policy)
            results[index] = result
            if progress:
                progress(result)
    return [results[i] for i in range(len(paths))]


def _as_completed(futures):
    from concurrent.futures import as_completed
    return as_completed(futures)
