"""What a check saw the learner's code do, as plain data that can cross a process boundary.

A check is split in two (see assignment/checks/protocol.py): ``probe`` runs the learner's code on fixed
inputs and records what came back with ``observe``; ``judge`` decides pass or fail from
those records alone. The grader runs ``probe`` in an untrusted child process and sends
the records to the parent with ``encode``/``decode``: JSON plus ``.npy`` bytes, never
pickle, so a hostile child can send wrong numbers but cannot run code in the parent.
"""
import base64
import io
import json
import traceback

import numpy as np

MAX_ARRAY_ELEMENTS = 1_000_000  # a learner's output bigger than this is recorded by shape only
MAX_TEXT = 2_000


def _short(text: str) -> str:
    text = str(text)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " ...[truncated]"


def failure(error: BaseException) -> dict:
    """Record an exception raised by the learner's code (type, message, last line of theirs)."""
    frames = traceback.extract_tb(error.__traceback__)
    where = ""
    for frame in reversed(frames):  # innermost frame outside TensorFlow/Keras/numpy
        if not any(part in frame.filename for part in ("site-packages", "dist-packages", "/lib/python")):
            where = f"line {frame.lineno}: {frame.line or ''}".strip()
            break
    return {"kind": "error", "type": type(error).__name__, "message": _short(error), "where": _short(where)}


def observe(value):
    """Turn what the learner's code returned into plain data (arrays stay numpy arrays)."""
    if value is None:
        return {"kind": "none"}
    pytype = type(value).__name__
    if isinstance(value, (bool, int, float, str)):
        return {"kind": "scalar", "pytype": pytype, "value": value if not isinstance(value, str) else _short(value)}
    if isinstance(value, (tuple, list)):
        return {"kind": "sequence", "pytype": pytype, "items": [observe(item) for item in value[:64]],
                "length": len(value)}
    if isinstance(value, dict):
        return {"kind": "mapping", "pytype": pytype,
                "items": {str(key): observe(item) for key, item in list(value.items())[:64]}}
    try:
        array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    except Exception as error:  # a learner object that refuses conversion
        return {"kind": "other", "pytype": pytype, "repr": _short(f"{pytype} (not convertible: {error})")}
    if array.dtype == object:
        return {"kind": "other", "pytype": pytype, "repr": _short(repr(value))}
    record = {"kind": "array", "pytype": pytype, "dtype": str(array.dtype), "shape": list(array.shape)}
    if array.size <= MAX_ARRAY_ELEMENTS:
        record["array"] = array
    return record


def attempt(function, *args, **kwargs):
    """Call the learner's code and observe the result, or the exception it raised."""
    try:
        return observe(function(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - every learner error becomes an observation
        record = failure(error)
        record["exception"] = error  # kept in-process only, so a public test can chain it
        return record


# ---------------------------------------------------------------- crossing processes

def _to_json(value):
    if isinstance(value, np.ndarray):
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {"__npy__": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, dict):
        return {str(key): _to_json(item) for key, item in value.items() if key != "exception"}
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if isinstance(value, (np.generic,)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return _short(repr(value))


def _from_json(value):
    if isinstance(value, dict):
        if set(value) == {"__npy__"}:
            raw = base64.b64decode(value["__npy__"].encode("ascii"))
            return np.load(io.BytesIO(raw), allow_pickle=False)
        return {key: _from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    return value


def encode(observations: dict) -> str:
    """Observations -> JSON text (arrays as base64 .npy, exceptions dropped)."""
    return json.dumps(_to_json(observations))


def decode(text: str) -> dict:
    """JSON text from ``encode`` -> observations. Never unpickles."""
    return _from_json(json.loads(text))
