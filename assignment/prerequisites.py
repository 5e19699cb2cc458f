"""A lab cell that needs the learner's exercise checks it first, and stops with one line.

The labs (training the learner's ``Transformer`` on dates, fine-tuning with the learner's
``tokenize_and_align_labels``) run on the learner's code. While that code is still the
stub, or wrong, the lab would fail deep inside training with a traceback about Keras or
TensorFlow. ``require(Transformer_test, Transformer, create_look_ahead_mask,
create_padding_mask)`` runs the exercise's public test quietly first and, when it fails,
raises ``ExerciseNotReady``, which Jupyter shows as one line (IPython renders an exception
through its ``_render_traceback_`` when it has one), e.g. ``fill in Transformer first: its
public test fails: <the test's first line> (run the cell of Transformer_test to see all of it)``.

A lab that calls the function in ways the public test does not can ask for more:
``keywords=("max_length",)`` (the lab passes them, so the learner must keep them in the
signature) and ``flag="label_all_tokens"`` (a module-level name the function reads, set by
a cell of its own). Those are checked on every call; the public test runs once for a given
function or class: once it has passed, later calls return at once.

Learner-safe: it holds no solution and ships in the student release.
"""
import contextlib
import inspect
import io

_PASSED = {}  # (id(test), id(target)) -> (test, target, helpers) that passed (kept alive: ids stay unique)
_WIDTH = 160  # the most of the test's message the one line shows


class ExerciseNotReady(RuntimeError):
    """The exercise a lab cell needs fails its public test (or cannot be called as the lab
    does); the message is one line."""

    def _render_traceback_(self):  # IPython: show this line instead of a traceback
        return [f"\x1b[31m{type(self).__name__}: {self}\x1b[0m"]


def exercise_name(test, target=None) -> str:
    """The exercise's name as the notebook spells it: the public test's name less ``_test``
    (``Transformer_test`` tests ``Transformer``), else the function's or class's name."""
    test_name = getattr(test, "__name__", "")
    if test_name.endswith("_test") and len(test_name) > len("_test"):
        return test_name[:-len("_test")]
    return getattr(target, "__name__", None) or "the exercise"


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= _WIDTH else text[:_WIDTH - 3] + "..."


def require(test, target, *helpers, name=None, keywords=(), flag=None):
    """``target`` itself when the public ``test`` passes on it (and the ``helpers`` it takes;
    what the test prints is swallowed) and the lab can call it: it accepts the keyword
    arguments ``keywords``, and the module-level name ``flag`` it reads is set. Otherwise
    raise ExerciseNotReady with one line naming the exercise and what to do first."""
    name = name or exercise_name(test, target)
    if not callable(target):
        raise ExerciseNotReady(f"fill in {name} first: it is not defined yet (run its cell)")
    key = (id(test), id(target))
    if not (key in _PASSED and _PASSED[key][2] == helpers):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                test(target, *helpers)
        except Exception as error:  # noqa: BLE001 - any failure of the learner's code means "not ready"
            test_name = getattr(test, "__name__", "its public test")
            raise ExerciseNotReady(f"fill in {name} first: its public test fails: {_first_line(error)} "
                                   f"(run the cell of {test_name} to see all of it)") from None
        _PASSED[key] = (test, target, helpers)
    _require_keywords(target, name, keywords)
    if flag is not None:
        _require_flag(target, name, flag)
    return target


def _require_keywords(target, name, keywords) -> None:
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return  # a builtin or a callable without a signature: nothing to tell
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    missing = [keyword for keyword in keywords if keyword not in parameters]
    if missing:
        raise ExerciseNotReady(f"keep the given signature of {name}: the lab calls it with "
                               f"{', '.join(f'{keyword}=...' for keyword in missing)}")


def _require_flag(target, name, flag) -> None:
    code, namespace = getattr(target, "__code__", None), getattr(target, "__globals__", None)
    if code is not None and isinstance(namespace, dict) and flag in code.co_names and flag not in namespace:
        raise ExerciseNotReady(f"run the cell that sets {flag} (above {name}) first: {name} reads it")
