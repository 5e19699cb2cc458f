"""Grade one submission: find the code, probe it in the sandbox, judge it here.

This process never runs the learner's code: it reads the submission as text, sends the
graded cells to a sandboxed child (``sandbox.probe``), and decides pass or fail with the
trusted ``judge`` half of each check on the observations that come back.
"""
from __future__ import annotations

import atexit
import threading
import time
import traceback
from typing import Dict, List, Optional

from assignment.checks import make_check
from assignment.checks.live import LiveReference
from assignment.exercises import NOTEBOOKS, exercises_of
from assignment.grade import GRADER_VERSION
from assignment.grade.extract import (SubmissionError, find_all, read_cells, replayed_imports,  # noqa: F401
                                      support_definitions)
from assignment.grade.given_code import GIVEN_HELPERS, given_code_edits, helper_edits, is_stub
from assignment.grade.course_edition import detect as detect_release
from assignment.grade.sandbox import Limits, Session, decode_observations, load_reference
from assignment.paths import GRADE_CACHE_DIR

NOT_IMPLEMENTED = ("Not implemented: {name} is still the stub of the release. Fill in the code between "
                   "'# START CODE HERE' and '# END CODE HERE'.")


def _exercise_result(exercise, status, feedback="", notes=(), seconds=0.0, output="", advice=()):
    feedback = (feedback or "").strip()
    notes = [note for note in notes if note]
    advice = [str(item) for item in advice]
    full = "\n".join([feedback] + [f"Note: {note}" for note in notes]).strip()
    line = feedback.splitlines()[0] if feedback else (f"Note: {notes[0]}" if notes else "")
    return {"name": exercise.name, "tag": exercise.tag,
            "points": exercise.points if status == "passed" else 0.0, "max_points": exercise.points,
            "status": status, "feedback": full, "feedback_line": line, "notes": notes, "advice": advice,
            "seconds": round(float(seconds), 3), "output": output or ""}


CACHE_DIR = GRADE_CACHE_DIR
_REFERENCES: Dict[str, object] = {}
_CHECKS: Dict[tuple, object] = {}
_CHECKS_LOCK = threading.Lock()


def check_for(exercise, settings=None, module=None):
    """The judging check of ``exercise``, one per process, ``settings`` (a release's
    mask convention) and reference ``module`` (default: the exercise's; another release's
    reference for its notebooks), with a LiveReference of that module whose expected
    outputs are kept in ``CACHE_DIR`` between runs."""
    settings = dict(settings or {})
    module = module or exercise.source_module
    key = (module, exercise.name, tuple(sorted(settings.items())))
    with _CHECKS_LOCK:
        if key not in _CHECKS:
            if module not in _REFERENCES:
                _REFERENCES[module] = LiveReference(module, CACHE_DIR)
            _CHECKS[key] = make_check(exercise, _REFERENCES[module], **settings)
        return _CHECKS[key]


def _load_checks(exercises) -> None:
    for exercise in exercises:
        check_for(exercise)


def judge(exercise, encoded, policy: str = "course", settings=None, module=None) -> tuple:
    """(status, feedback, advice) for the observations of ``exercise``; runs reference code only."""
    try:
        check = check_for(exercise, settings, module)
    except LookupError as error:
        return "error", f"the grader has no check for {exercise.name} ({error})", []
    try:
        observations = decode_observations(encoded)
    except Exception as error:  # noqa: BLE001 - whatever the child sent
        return "error", f"the results of the submission's code could not be read ({error})", []
    try:
        verdict = check.judge(observations, hidden=True, policy=policy)
    except AssertionError as error:  # CheckFailed, or a bare assert of a check
        message = str(error).strip() or "the outputs do not match the expected values"
        return ("error" if getattr(error, "raised", False) else "failed"), message, []
    except Exception as error:  # noqa: BLE001 - observations shaped unlike any real output
        return "error", f"the outputs have an unexpected structure ({type(error).__name__}: {error})", []
    return "passed", "", list(verdict.advice)


_SESSIONS: Dict[tuple, Session] = {}


def session_for(limits: Limits, reference_module: str) -> Session:
    """The sandbox session of this process for these limits (kept between submissions)."""
    key = (limits.timeout, limits.memory, limits.file_size, limits.open_files, limits.threads, limits.parallel,
           limits.isolation, reference_module)
    if key not in _SESSIONS:  # the reference is read here, once, and reaches the child over its pipe
        _SESSIONS[key] = Session(limits, {"reference_module": reference_module,
                                          "reference": load_reference(reference_module)})
    return _SESSIONS[key]


@atexit.register
def close_sessions() -> None:
    for session in _SESSIONS.values():
        session.close()
    _SESSIONS.clear()


DEFAULT_NOTEBOOK = "Transformer"


def detect_notebook(cells) -> str:
    """The registry notebook a submission is, from its graded cells: the one with the most
    exercises defined (by name, or named in a '# GRADED FUNCTION' comment), then the larger
    share of its exercises; the default notebook when none is found. Tags alone do not
    decide (both notebooks have an UNQ_C1)."""
    def found(exercise):
        return any(cell.defines(exercise.name) or exercise.name in cell.graded_names
                   or (cell.syntax_error and cell.mentions_definition(exercise.name)) for cell in cells)

    scores = []
    for order, (notebook, exercises) in enumerate(NOTEBOOKS.items()):
        count = sum(1 for exercise in exercises if found(exercise))
        scores.append((count, count / len(exercises), notebook == DEFAULT_NOTEBOOK, -order, notebook))
    best = max(scores)
    return best[-1] if best[0] else DEFAULT_NOTEBOOK


def grade_file(path, limits: Optional[Limits] = None, notebook: Optional[str] = None,
               policy: str = "course") -> Dict:
    """Grade one submission file; raises ``SubmissionError`` when it cannot be read.

    ``notebook``: the registry notebook to grade it as; None detects it from the graded
    cells (``detect_notebook``). ``policy``: "course" (beyond-course failures are advice)
    or "strict" (they count)."""
    limits = limits or Limits()
    started = time.monotonic()
    cells = read_cells(path)
    notebook = notebook or detect_notebook(cells)
    exercises = exercises_of(notebook)
    release = detect_release(cells)  # the 2021 release: its mask convention and its own reference
    try:
        found = find_all(cells, exercises)
    except (RecursionError, MemoryError) as error:  # pathological source: nothing to run
        return error_result(path, f"the submission could not be analysed ({type(error).__name__})", notebook, policy)
    reference_module = release.reference_module or exercises[0].source_module
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
                       "extra_args": list(exercise.extra_args), "notebook": notebook,
                       "settings": release.settings()})
    info = {}
    if to_run:
        common = {"imports": replayed_imports(cells),
                  "protected_names": [e.name for e in exercises] + list(GIVEN_HELPERS),
                  "test_names": [e.check for e in exercises]}
        by_name = {e.name: e for e in exercises}
        session = session_for(limits, reference_module)
        # Load TensorFlow and the checks here while the child loads its own copy.
        loader = threading.Thread(target=_load_checks, args=(exercises,), daemon=True)
        loader.start()
        for message in session.probe(to_run, common):
            info = session.info
            loader.join()
            exercise = by_name[message["exercise"]]
            notes = extra_notes.get(exercise.name, []) + list(message.get("notes") or [])
            judge_started = time.monotonic()
            advice = []
            if message["status"] == "probed":
                status, feedback, advice = judge(exercise, message.get("observations"), policy, release.settings(),
                                                 reference_module)
            else:
                status, feedback = message["status"], message.get("message", "")
            seconds = float(message.get("seconds") or 0) + time.monotonic() - judge_started
            results[exercise.name] = _exercise_result(exercise, status, feedback, notes, seconds,
                                                      message.get("output", ""), advice)
    ordered = [results[e.name] for e in exercises]
    return {
        "file": str(path),
        "notebook": notebook,
        "score": round(sum(r["points"] for r in ordered), 4),
        "max_score": round(sum(r["max_points"] for r in ordered), 4),
        "exercises": ordered,
        "policy": policy,
        "release": release.as_json(),
        "release_line": release.line(),
        "notes": _safe_helper_edits(cells, reference_module),
        "error": None,
        "seconds": round(time.monotonic() - started, 3),
        "grader_version": GRADER_VERSION,
        "tensorflow_version": info.get("tensorflow") or _tensorflow_version(),
        "python_version": info.get("python"),
        "isolation": info.get("isolation"),
        "reference_sha256": load_reference(reference_module)["sha256"],
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


def error_result(path, message: str, notebook: Optional[str] = None, policy: str = "course") -> Dict:
    """The result of a submission that could not be graded at all (unreadable file, crash).
    ``notebook`` None: not known (the file could not be read); graded as the default one."""
    exercises = exercises_of(notebook or DEFAULT_NOTEBOOK)
    return {"file": str(path), "notebook": notebook, "score": 0.0, "max_score": float(sum(e.points for e in exercises)),
            "exercises": [_exercise_result(e, "error", message) for e in exercises], "notes": [], "policy": policy,
            "error": message, "seconds": 0.0, "grader_version": GRADER_VERSION,
            "tensorflow_version": _tensorflow_version(), "python_version": None}


def grade_safely(path, limits: Limits, notebook: str = "Transformer", policy: str = "course") -> Dict:
    """grade_file, with any failure turned into an error row (what a batch's worker runs)."""
    try:
        return grade_file(path, limits, notebook, policy)
    except SubmissionError as error:
        return error_result(path, f"unreadable submission: {error}", notebook, policy)
    except Exception as error:  # noqa: BLE001 - a grader bug must not stop the batch
        detail = traceback.format_exception_only(type(error), error)[-1].strip()
        return error_result(path, f"the grader failed on this submission: {detail}", notebook, policy)
