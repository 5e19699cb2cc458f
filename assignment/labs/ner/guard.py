"""Stop a lab cell in one line while the exercise it needs is not done.

The lab's data, model, training, evaluation and prediction cells run on the learner's
``tokenize_and_align_labels``. A stub or a wrong version would fail deep inside training
with a traceback about tensors; ``require_passing`` runs the exercise's public test first
and, if it fails, raises ``ExerciseNotReady``, whose message is the one line the notebook
shows (IPython prints ``_render_traceback_()`` instead of a traceback).
"""
import contextlib
import inspect
import io

FLAG = "label_all_tokens"  # the module-level switch the exercise reads


class ExerciseNotReady(Exception):
    """The exercise a lab cell needs fails its public test (or cannot be called as the lab does)."""

    def _render_traceback_(self):  # IPython: show this line, not a traceback
        return [f"ExerciseNotReady: {self}"]


def _first_line(error: BaseException, width: int = 160) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= width else text[:width - 3] + "..."


def require_passing(function, public_test, name="tokenize_and_align_labels", needs=("max_length",)):
    """``function`` itself when ``public_test(function)`` passes (its output is swallowed) and
    the lab can call it (keyword arguments ``needs``, the module-level flag it reads is set);
    otherwise raise ExerciseNotReady with one line saying what to do first."""
    if not callable(function):
        raise ExerciseNotReady(f"fill in {name} first: it is not defined yet (run its cell)")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            public_test(function)
    except Exception as error:  # noqa: BLE001 - the test's verdict (AssertionError) or whatever it raised
        raise ExerciseNotReady(f"fill in {name} first: its public test fails ({_first_line(error)})") from None
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        parameters = {}
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    missing = [keyword for keyword in needs if keyword not in parameters and not accepts_any]
    if parameters and missing:
        raise ExerciseNotReady(f"keep the given signature of {name}: the lab calls it with "
                               f"{', '.join(f'{keyword}=...' for keyword in missing)}")
    code, namespace = getattr(function, "__code__", None), getattr(function, "__globals__", None)
    if code is not None and isinstance(namespace, dict) and FLAG in code.co_names and FLAG not in namespace:
        raise ExerciseNotReady(f"run the cell that sets {FLAG} (above {name}) first: {name} reads it")
    return function
