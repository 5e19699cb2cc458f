"""The NER check's probe: its tokenizer, one call of the learner's function, and the record.

``run_case`` calls the learner's ``tokenize_and_align_labels`` on the check's tokenizer (a
tiny WordPiece one, trained offline: ``check_tokenizer``) through a spy that remembers how
it was called, with the module-level ``label_all_tokens`` of the function's module set for
the call; what came back becomes plain data (ids and type-keeping label codes), so that it
crosses the sandbox's channel. ``as_plain`` reads such a record back for the judge
(``assignment.checks.token_alignment``), or says in one ``CheckFailed`` why it is not a
batch of ids and labels.
"""
import functools
import threading

import numpy as np

from assignment.checks.judging import FILL_IN, CheckFailed, raise_unless_mapping, short_error

FLAG = "label_all_tokens"  # the module-level switch the course's function reads

_SENTENCES = [
    "Mira Okafor knows Python, SQL and Kubernetes.",
    "Tomas Brandt worked at Bluepeak Systems in Pune as a Data Analyst.",
    "Skills: machine learning, Docker, Node.js and C++ (five years).",
    "Leena studied at the University of Leeds and graduated in 2016.",
    "Email: mira.okafor@example.com, phone on request.",
]


@functools.lru_cache(maxsize=1)
def check_tokenizer():
    """The checks' tokenizer: WordPiece with a tiny vocabulary, trained offline, so that
    longer words split into several subtokens."""
    from assignment.labs.ner.tokenizer import train_wordpiece

    return train_wordpiece(_SENTENCES, vocab_size=150)


def tokenizer_fingerprint() -> str:
    """What the check's tokenizer depends on besides this module: the builder's source and
    the versions of ``tokenizers``/``transformers``. Part of the check's settings, so that
    the grader's cache of expected outputs (keyed by the settings) follows a change there."""
    import hashlib
    from importlib.metadata import version
    from importlib.util import find_spec

    digest = hashlib.sha256()
    with open(find_spec("assignment.labs.ner.tokenizer").origin, "rb") as handle:
        digest.update(handle.read())
    for package in ("tokenizers", "transformers"):
        digest.update(f"{package} {version(package)}".encode())
    return digest.hexdigest()[:16]


_FLAG_LOCK = threading.Lock()  # the flag is a module global: one scenario at a time sets it
_MISSING = object()


class SpyTokenizer:
    """Passes every call to the real tokenizer and remembers how it was called (and
    whether the call itself raised). ``describe`` says what a check records of the
    texts; the truncation, length and padding settings are recorded for every check."""

    def __init__(self, tokenizer):
        self._tokenizer, self.calls = tokenizer, []

    def describe(self, args, kwargs) -> dict:
        text = args[0] if args else kwargs.get("text")
        return {"text": _shape_of(text), "split": bool(kwargs.get("is_split_into_words"))}

    def __call__(self, *args, **kwargs):
        self.calls.append({**self.describe(args, kwargs), "truncation": repr(kwargs.get("truncation")),
                           "max_length": repr(kwargs.get("max_length")), "padding": repr(kwargs.get("padding")),
                           "raised": ""})
        try:
            return self._tokenizer(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - recorded, then raised again
            self.calls[-1]["raised"] = f"{type(error).__name__}: {short_error(str(error))}"
            raise

    def __getattr__(self, name):
        return getattr(self._tokenizer, name)


def _shape_of(text) -> str:
    """'str', 'list[str]', 'list[list]', 'tuple[tuple]', ...: what the tokenizer was given."""
    name = type(text).__name__
    if isinstance(text, (list, tuple)) and len(text):
        return f"{name}[{type(text[0]).__name__}]"
    return name


def _label_code(label) -> str:
    """One label as text that keeps its type: 's:B-Name', 'i:-100', 'r:<repr>'."""
    if isinstance(label, str):
        return "s:" + label
    if isinstance(label, (bool, np.bool_)):
        return "r:" + repr(label)
    if isinstance(label, (int, np.integer)):
        return f"i:{int(label)}"
    return "r:" + repr(label)[:60]


def decode_label(code: str):
    kind, _, text = str(code).partition(":")
    if kind == "s":
        return text
    if kind == "i":
        return int(text)
    return f"<{text}>"


def _plain(value):
    return value.numpy() if hasattr(value, "numpy") else value


def _rows(value):
    """A batch as a list of rows, or a string saying why it is not one ('flat': one row)."""
    value = _plain(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return f"a {type(value).__name__}"
    if value and not all(isinstance(_plain(row), (list, tuple, np.ndarray)) for row in value):
        return "flat"
    return [list(np.asarray(_plain(row)).tolist()) if isinstance(_plain(row), np.ndarray) else list(row)
            for row in value]


def _flat(rows, code=None):
    """(flat array, lengths) of a list of rows; labels as type-keeping codes."""
    items = [code(item) for row in rows for item in row] if code else [item for row in rows for item in row]
    flat = np.array(items, dtype=str if code else np.int64) if items else np.zeros(0, str if code else np.int64)
    return flat, np.array([len(row) for row in rows], dtype=np.int64)


def _call_with_flag(target, value, call):
    """``call()`` with the module-level ``label_all_tokens`` of ``target`` set to ``value``,
    then put back as it was (or removed, if the module had none)."""
    namespace = getattr(target, "__globals__", None)
    if not isinstance(namespace, dict):
        return call()
    with _FLAG_LOCK:
        before = namespace.get(FLAG, _MISSING)
        namespace[FLAG] = value
        try:
            return call()
        finally:
            if before is _MISSING:
                namespace.pop(FLAG, None)
            else:
                namespace[FLAG] = before


def run_case(target, examples, tags, all_tokens, kwargs):
    """Call the learner's function on a spy tokenizer; plain data about what came back."""
    spy = SpyTokenizer(check_tokenizer())
    if isinstance(examples, list):
        examples, given = [list(words) for words in examples], [list(row) for row in tags]
    else:
        given = tags
    try:
        result = _call_with_flag(target, all_tokens, lambda: target(spy, examples, given, **kwargs))
    except Exception:
        if not (spy.calls and spy.calls[-1]["raised"]):
            raise  # the learner's own line raised: the observation says which
        result = _MISSING  # the tokenizer refused what it was given: say how it was called
    seen = {"calls": spy.calls[:8], "tags_changed": [list(row) for row in given] != [list(row) for row in tags]}
    if result is _MISSING:
        return dict(seen, pytype="", keys="", tokenizer_error=spy.calls[-1]["raised"])
    if result is None:
        return None
    seen["pytype"] = type(result).__name__
    try:
        keys = [str(key) for key in result.keys()]
    except Exception:  # noqa: BLE001 - not a mapping
        return dict(seen, keys="")
    seen["keys"] = ",".join(keys)
    for key, code in (("input_ids", None), ("labels", _label_code)):
        if key not in keys:
            continue
        rows = _rows(result[key])
        if isinstance(rows, str):
            seen[f"{key}_not_rows"] = rows
            continue
        try:
            seen[key], seen[f"{key}_lengths"] = _flat(rows, code)
        except (TypeError, ValueError) as error:
            seen[f"{key}_not_rows"] = f"not made of {'labels' if code else 'token ids'} ({type(error).__name__})"
    return seen


def _value(items, key, default=None):
    return items.get(key, {}).get("value", default)


def _unflatten(items, key, decode=None):
    flat = np.asarray(items[key]["array"]).reshape(-1).tolist()
    rows, start = [], 0
    for length in np.asarray(items[f"{key}_lengths"]["array"]).reshape(-1).tolist():
        row = flat[start:start + int(length)]
        rows.append([decode(item) for item in row] if decode else [int(item) for item in row])
        start += int(length)
    return rows


def as_plain(record, what="tokenize_and_align_labels"):
    """The observation of one scenario as {"input_ids": [[...], ...], "labels": [[...], ...],
    "calls": [...], "tags_changed": bool}, or CheckFailed."""
    raise_unless_mapping(record, what, "the tokenizer's output with a 'labels' entry added")
    items = record["items"]
    calls = [{key: value.get("value") for key, value in call["items"].items()}
             for call in items.get("calls", {}).get("items", [])]
    plain = {"calls": calls, "tags_changed": bool(_value(items, "tags_changed")),
             "tokenizer_error": _value(items, "tokenizer_error", "")}
    if plain["tokenizer_error"]:
        return plain
    keys = [key for key in str(_value(items, "keys", "")).split(",") if key]
    if "input_ids" not in keys or "labels" not in keys:
        raise CheckFailed(f"{what} must return the tokenizer's output with a 'labels' entry added (got a "
                          f"{_value(items, 'pytype', '?')} with keys {keys}). {FILL_IN}")
    for key, about in (("input_ids", "token ids"), ("labels", "labels")):
        if f"{key}_not_rows" in items:
            shape = _value(items, f"{key}_not_rows")
            detail = ("one flat list: that is one example's, but the function gets a batch" if shape == "flat"
                      else shape)
            raise CheckFailed(f"tokenized_inputs[{key!r}] should be a list with one list of {about} per example; "
                              f"got {detail}.")
    plain["input_ids"] = _unflatten(items, "input_ids")
    plain["labels"] = _unflatten(items, "labels", decode_label)
    return plain
