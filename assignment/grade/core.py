"""Grade one submission: find the code, probe it in the sandbox, judge it here.

This process never runs the learner's code: it reads the submission as text, sends the
graded cells to a sandboxed child (``sandbox.probe``), and decides pass or fail with the
trusted ``judge`` half of each check on the observations that come back.
"""
from __future__ import annotations

import atexit
import copy
import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

from assignment.exercises import exercises_of
from assignment.grade import GRADER_VERSION
from assignment.grade.extract import (SubmissionError, find_all, read_cells, replayed_imports,  # noqa: F401
                                      support_definitions)
from assignment.grade.given_code import GIVEN_HELPERS, given_code_edits, helper_edits, is_stub
from assignment.grade.sandbox import Limits, Session, decode_observations
from assignment.notebook_source import module_path

NOT_IMPLEMENTED = ("Not implemented: {name} is still the stub of the release. Fill in the code between "
                   "'# START CODE HERE' and '# END CODE HERE'.")


def _exercise_result(exercise, status, feedback="", notes=(), seconds=0.0, output=""):
    feedback = (feedback or "").strip()
    notes = [note for note in notes if note]
    full = "\n".join([feedback] + [f"Note: {note}" for note in notes]).strip()
    line = feedback.splitlines()[0] if feedback else (f"Note: {notes[0]}" if notes else "")
    return {"name": exercise.name, "tag": exercise.tag,
            "points": exercise.points if status == "passed" else 0.0, "max_points": exercise.points,
            "status": status, "feedback": full, "feedback_line": line, "notes": notes,
            "seconds": round(float(seconds), 3), "output": output or ""}


_CACHED = set()
CACHE_DIR = Path(__file__).resolve().parent.parent.parent / "build" / "grade-cache"


def _cache_key() -> str:
    """Changes whenever the reference, the checks or the numeric libraries change."""
    import numpy
    import tensorflow
    digest = hashlib.sha256(f"{GRADER_VERSION} {numpy.__version__} {tensorflow.__version__}".encode())
    for module in ("assignment.transformer", "assignment.checks", "assignment.observations"):
        digest.update(module_path(module).read_bytes())
    return digest.hexdigest()[:20]


def _cached_expected(name, original, memory):
    """``check.expected`` computed once per process, and kept on disk between runs (the
    reference outputs are the slow part of judging)."""
    from assignment.observations import decode, encode

    def expected(hidden=False):
        if hidden not in memory:
            path = CACHE_DIR / f"{_cache_key()}-{name}-{'hidden' if hidden else 'public'}.json"
            value = None
            try:
                value = decode(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                value = None
            if value is None:
                value = original(hidden)
                try:
                    CACHE_DIR.mkdir(parents=True, exist_ok=True)
                    temporary = path.with_suffix(f".{os.getpid()}.tmp")
                    temporary.write_text(encode(value), encoding="utf-8")
                    os.replace(temporary, path)
                except OSError:
                    pass
            memory[hidden] = value
        return copy.deepcopy(memory[hidden])

    return expected


def _checks():
    """The checks, with each one's reference outputs computed once (see _cached_expected)."""
    from assignment.checks import CHECKS
    for name, check in CHECKS.items():
        if name not in _CACHED:
            check.expected = _cached_expected(name, check.expected, {})
            _CACHED.add(name)
    return CHECKS


def judge(name: str, encoded) -> tuple:
    """(status, feedback) for the observations of exercise ``name``; runs reference code only."""
    checks = _checks()
    if name not in checks:
        return "error", f"the grader has no check for {name}"
    try:
        observations = decode_observations(encoded)
    except Exception as error:  # noqa: BLE001 - whatever the child sent
        return "error", f"the results of the submission's code could not be read ({error})"
    raised = any(isinstance(record, dict) and record.get("kind") == "error" for record in observations.values())
    try:
        checks[name].judge(observations, hidden=True)
    except AssertionError as error:  # CheckFailed, or a bare assert of a check
        message = str(error).strip() or "the outputs do not match the expected values"
        return ("error" if raised else "failed"), message
    except Exception as error:  # noqa: BLE001 - observations shaped unlike any real output
        return "error", f"the outputs have an unexpected structure ({type(error).__name__}: {error})"
    return "passed", ""


_SESSIONS: Dict[tuple, Session] = {}


def session_for(limits: Limits, reference_module: str) -> Session:
    """The sandbox session of this process for these limits (kept between submissions)."""
    key = (limits.timeout, limits.memory, limits.file_size, limits.open_files, limits.threads, limits.parallel,
           limits.namespaces, reference_module)
    if key not in _SESSIONS:
        _SESSIONS[key] = Session(limits, {"reference_module": reference_module,
                                          "reference_path": str(module_path(reference_module))})
    return _SESSIONS[key]


@atexit.register
def close_sessions() -> None:
    for session in _SESSIONS.values():
        session.close()
    _SESSIONS.clear()


def grade_file(path, limits: Optional[Limits] = None, notebook: str = "Transformer") -> Dict:
    """Grade one submission file; raises ``SubmissionError`` when it cannot be read."""
    limits = limits or Limits()
    started = time.monotonic()
    exercises = exercises_of(notebook)
    cells = read_cells(path)
    try:
        found = find_all(cells, exercises)
    except (RecursionError, MemoryError) as error:  # pathological source: nothing to run
        return error_result(path, f"the submission could not be analysed ({type(error).__name__})", notebook)
    reference_module = exercises[0].source_module
    results: Dict[str, Dict] = {}
    to_run: List[dict] = []
    extra_notes: Dict[str, List[str]] = {}
    for exercise in exercises:
        where = found[exercise.name]
        if where.cell is None:
            results[exercise.name] = _exercise_result(
                exercise, "missing", f"No code found for {exercise.name}: "
                                     f"no cell tagged '# {exercise.tag}' and no definition of {exercise.name}.")
            continue
        if where.cell.syntax_error:
            results[exercise.name] = _exercise_result(
                exercise, "error", f"SyntaxError in the graded cell of {exercise.name}, "
                                   f"{where.cell.syntax_error}", where.notes)
            continue
        node = where.cell.definition(exercise.name)
        try:
            notes = list(where.notes) + given_code_edits(node, exercise.name, reference_module)
            stub = is_stub(node, exercise.name, reference_module)
        except RecursionError:
            notes, stub = list(where.notes), False
        if stub:
            results[exercise.name] = _exercise_result(exercise, "failed",
                                                      NOT_IMPLEMENTED.format(name=exercise.name), notes)
            continue
        protected = {e.name for e in exercises} | set(GIVEN_HELPERS)
        support = support_definitions(cells, where.cell, protected)
        notes += [f"uses {name}, defined in code cell {number}" for name, _, number in support]
        extra_notes[exercise.name] = notes
        to_run.append({"name": exercise.name, "tag": exercise.tag, "code": where.cell.source,
                       "support": [source for _, source, _ in support],
                       "extra_args": list(exercise.extra_args)})
    info = {}
    if to_run:
        common = {"imports": replayed_imports(cells),
                  "protected_names": [e.name for e in exercises] + list(GIVEN_HELPERS),
                  "test_names": [e.check for e in exercises]}
        by_name = {e.name: e for e in exercises}
        session = session_for(limits, reference_module)
        # Load TensorFlow and the checks here while the child loads its own copy.
        loader = threading.Thread(target=_checks, daemon=True)
        loader.start()
        for message in session.probe(to_run, common):
            info = session.info
            loader.join()
            exercise = by_name[message["exercise"]]
            notes = extra_notes.get(exercise.name, []) + list(message.get("notes") or [])
            judge_started = time.monotonic()
            if message["status"] == "probed":
                status, feedback = judge(exercise.name, message.get("observations"))
            else:
                status, feedback = message["status"], message.get("message", "")
            seconds = float(message.get("seconds") or 0) + time.monotonic() - judge_started
            results[exercise.name] = _exercise_result(exercise, status, feedback, notes, seconds,
                                                      message.get("output", ""))
    ordered = [results[e.name] for e in exercises]
    return {
        "file": str(path),
        "score": round(sum(r["points"] for r in ordered), 4),
        "max_score": round(sum(r["max_points"] for r in ordered), 4),
        "exercises": ordered,
        "notes": _safe_helper_edits(cells, reference_module),
        "error": None,
        "seconds": round(time.monotonic() - started, 3),
        "grader_version": GRADER_VERSION,
        "tensorflow_version": info.get("tensorflow") or _tensorflow_version(),
        "python_version": info.get("python"),
        "isolation": info.get("isolation"),
    }


def _safe_helper_edits(cells, reference_module):
    try:
        return helper_edits(cells, reference_module)
    except RecursionError:
        return []


def _tensorflow_version() -> Optional[str]:
    from importlib.metadata import version

    for distribution in ("tensorflow", "tensorflow-cpu"):  # the GPU or the CPU build
        try:
            return version(distribution)
        except Exception:  # noqa: BLE001
            pass
    return None


def error_result(path, message: str, notebook: str = "Transformer") -> Dict:
    """The result of a submission that could not be graded at all (unreadable file, crash)."""
    exercises = exercises_of(notebook)
    return {"file": str(path), "score": 0.0, "max_score": float(sum(e.points for e in exercises)),
            "exercises": [_exercise_result(e, "error", message) for e in exercises], "notes": [],
            "error": message, "seconds": 0.0, "grader_version": GRADER_VERSION,
            "tensorflow_version": _tensorflow_version(), "python_version": None}


def display_path(path) -> str:
    return str(Path(path))
