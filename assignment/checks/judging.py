"""What the judges of the checks share: ``CheckFailed`` (the failure whose message is the
learner's hint) and the helpers that read an observation, compare it with the expected
value as the course's tests do, and name the likely mistake.

They judge observations only (``assignment.observations``: what the learner's code
returned on a scenario); no solution code here.
"""
from __future__ import annotations

import re

import numpy as np

from assignment.checks.idioms import idiom_hint

# A stub's None placeholders: the hint of a recorded call that failed on a None.
FILL_IN = "Is the exercise filled in? Replace every None placeholder between START CODE HERE and END CODE HERE."
FILL_IN_HINT = ("Did you fill in the code between '# START CODE HERE' and '# END CODE HERE', "
                "replacing every None?")


class CheckFailed(AssertionError):
    """A public test or graded check failed; the message is the hint for the learner.

    ``raised`` is True when the failure is that the learner's code raised an exception
    (the grader reports those as ``error`` rather than ``failed``).
    """

    def __init__(self, message: str = "", raised: bool = False):
        super().__init__(message)
        self.raised = raised


_TF_NOISE = (re.compile(r"\{\{function_node [^}]*\}\}\s*"), re.compile(r"\s*\[Op:[A-Za-z0-9_]+\]"),
             re.compile(r"\s*name: $"))


def short_error(message: str, width: int = 300) -> str:
    """The first line of an exception message, without TensorFlow's op decorations."""
    text = str(message or "")
    for pattern in _TF_NOISE:
        text = pattern.sub("", text)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling layer"):
        lines = lines[1:]  # Keras's wrapper line; the error itself is the next one
    text = lines[0] if lines else ""
    return text if len(text) <= width else text[:width - 3] + "..."


def value_of(record, what):
    """The array (or plain value) in an observation, or a CheckFailed that explains why not."""
    kind = record.get("kind")
    if kind == "none":
        raise CheckFailed(f"{what} is None. {FILL_IN_HINT}")
    if kind == "error":
        raise raised_failure(record, what, FILL_IN_HINT, "NoneType",
                             idiom_hint(record["type"], record["message"], record.get("where", "")))
    if kind == "array":
        if "array" not in record:
            raise CheckFailed(f"{what} is far too big: shape {tuple(record['shape'])}")
        return record["array"]
    if kind == "scalar":
        return record["value"]
    return record


def array_of(record, what, shape=None, tensor=None, dtype=None):
    """Like value_of, but insist on an array, and optionally its shape, container and dtype."""
    value = value_of(record, what)
    if record.get("kind") != "array":
        raise CheckFailed(f"{what} should be an array or tensor, but it is a {record.get('pytype')}. "
                          f"{FILL_IN_HINT if record.get('kind') == 'sequence' else ''}".strip())
    if tensor is True and record["pytype"] == "ndarray":
        raise CheckFailed(f"{what} is a numpy array; it must be a TensorFlow tensor "
                          "(keep the given `tf.cast(..., dtype=tf.float32)`).")
    if tensor is False and record["pytype"] != "ndarray":
        raise CheckFailed(f"{what} is a {record['pytype']}; it must be a numpy array "
                          "(use numpy operations such as np.power, not TensorFlow ones).")
    if dtype is not None and record["dtype"] != dtype:
        raise CheckFailed(f"{what} has dtype {record['dtype']}; expected {dtype}.")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise CheckFailed(f"{what} has shape {tuple(value.shape)}; expected {tuple(shape)}.")
    return value


def tuple_items(record, what, count):
    """The items of a tuple the learner's code returned, insisting on ``count`` of them."""
    value_of(record, what)
    if record.get("kind") != "sequence" or record["length"] != count:
        got = record.get("length", record.get("pytype"))
        raise CheckFailed(f"{what} must return a tuple of {count} values; got {got}.")
    return record["items"]


def close(a, b, atol=1e-5):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol, rtol=1e-4))


def mismatch(what, got, expected):
    """A message that shows where two arrays first disagree."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    index = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    return (f"{what} has wrong values: at index {tuple(int(i) for i in index)} got "
            f"{got[index]:.6g}, expected {expected[index]:.6g}.")


def diagnose(what, got, expected, variants, fallback):
    """Fail with the hint of the known mistake whose output matches ``got``, else the fallback.

    ``variants`` are (hint, wrong output) pairs; a wrong output may be a function that
    computes it, so that a right answer costs no variant computations.
    """
    if close(got, expected):
        return
    for hint, wrong in variants:
        wrong = wrong() if callable(wrong) else wrong  # lazy: computed only when needed
        if wrong is not None and close(got, wrong):
            raise CheckFailed(hint)
    if np.shape(got) != np.shape(expected):
        raise CheckFailed(f"{what} has shape {tuple(np.shape(got))}; expected {tuple(np.shape(expected))}.")
    raise CheckFailed(f"{mismatch(what, got, expected)} {fallback}")


# The course's public tests compare with np.allclose and its default tolerances.
COURSE_RTOL, COURSE_ATOL = 1e-5, 1e-8
# Our expected values are recomputed from the reference in another process, whose float32
# kernels may sum in another order (oneDNN on or off, thread counts): a value near zero then
# moves by ~1e-7-1e-6 and atol=1e-8 would fail the reference itself (all_correct scored
# 87.5 on DecoderLayer's same-shape scenario with oneDNN off). No wrong solution is this close.
FLOAT32_NOISE = 1e-6


def course_close(got, expected, atol=COURSE_ATOL, rtol=COURSE_RTOL) -> bool:
    """The course's comparison: ``np.allclose`` (shapes broadcast as it does), with an
    absolute tolerance no tighter than float32 round-off (``FLOAT32_NOISE``)."""
    try:
        return bool(np.allclose(np.asarray(got, np.float64), np.asarray(expected, np.float64), rtol=rtol,
                                atol=max(atol, FLOAT32_NOISE)))
    except ValueError:  # shapes that do not broadcast
        return False


def course_compare(what, got, expected, variants, fallback, atol=COURSE_ATOL, rtol=COURSE_RTOL):
    """Pass where the course's ``np.allclose`` passes; else fail with the hint of the known
    mistake whose output matches ``got`` (as ``diagnose``), or where the values first differ."""
    if course_close(got, expected, atol, rtol):
        return
    got, expected = np.asarray(got), np.asarray(expected)
    try:
        got_b, expected_b = np.broadcast_arrays(got, expected)
    except ValueError:
        got_b = None
    if got_b is not None and got.shape != expected.shape and got_b.shape == expected.shape:
        got = got_b  # e.g. (3, 4) weights where the course's (1, 3, 4) mask gives (1, 3, 4)
    for hint, wrong in variants:
        wrong = wrong() if callable(wrong) else wrong
        if wrong is not None and (close(got, wrong) or course_close(got, wrong, 1e-5, 1e-4)):
            raise CheckFailed(hint)
    if got.shape != expected.shape:
        raise CheckFailed(f"{what} has shape {tuple(got.shape)}; expected {tuple(expected.shape)}.")
    raise CheckFailed(f"{mismatch(what, got, expected)} {fallback}")


def named_mistake(got, variants):
    """The hint of the first known mistake whose output ``got`` matches, or None."""
    for hint, wrong in variants:
        wrong = wrong() if callable(wrong) else wrong
        if wrong is not None and close(got, wrong):
            return hint
    return None


def numpy(tensor):
    return tensor.numpy() if hasattr(tensor, "numpy") else np.asarray(tensor)


def raise_unless_mapping(record, what: str, returns: str) -> None:
    """A probe's record of one call of the learner's function (``kind``: ``none``,
    ``error``, ``mapping``, ...): CheckFailed naming what went wrong unless the function
    returned a mapping; ``returns`` says what it must return."""
    kind = record.get("kind")
    if kind == "none":
        raise CheckFailed(f"{what} returned None: it must return {returns}. {FILL_IN}")
    if kind == "error":
        raise raised_failure(record, what, FILL_IN, "None")
    if kind != "mapping":
        raise CheckFailed(f"{what} returned something unexpected ({record.get('pytype')}). {FILL_IN_HINT}")


def raised_failure(record, what: str, fill_in: str, none_marker: str, hint: str = "") -> CheckFailed:
    """The CheckFailed for a recorded call that raised: its error's first line, where it
    was raised, then ``fill_in`` when the error looks like a stub's None (``none_marker`` in
    the message, or None where it was raised), else ``hint``."""
    message = f"{what} raised {record['type']}: {short_error(record['message'])}"
    if record.get("where"):
        message += f"\n  at {record['where']}"
    if none_marker in record["message"] or "None" in record.get("where", ""):
        message += f"\n{fill_in}"
    elif hint:
        message += f"\n{hint}"
    error = CheckFailed(message, raised=True)
    error.__cause__ = record.get("exception")
    return error
