"""A lab cell that needs the learner's exercise checks it first, and stops with one line.

The labs (training the learner's ``Transformer`` on dates, fine-tuning with the learner's
``tokenize_and_align_labels``) run on the learner's code. While that code is still the
stub, or wrong, the lab would fail deep inside training with a traceback about Keras or
TensorFlow. ``require(Transformer_test, Transformer, create_look_ahead_mask,
create_padding_mask)`` runs the exercise's public test quietly first and, when it fails,
raises ``ExerciseNotReady``, which Jupyter shows as one line (IPython renders an exception
through its ``_render_traceback_`` when it has one), e.g.
``fill in Transformer first: its public test fails (run the cell of Transformer_test to see why)``.

Every cell of a lab that needs the exercise starts with the same ``require``: once the
test has passed for that very function or class, later calls return at once.

Learner-safe: it holds no solution and ships in the student release.
"""
import contextlib
import io

_PASSED = {}  # (id(test), id(target)) -> (test, target, helpers) that passed (kept alive: ids stay unique)


class ExerciseNotReady(RuntimeError):
    """The learner's exercise does not pass its public test yet; the message is one line."""

    def _render_traceback_(self):  # IPython: show these lines instead of a traceback
        return [f"\x1b[31m{self}\x1b[0m"]


def exercise_name(target) -> str:
    """The exercise's name as the notebook spells it: the function's or class's name."""
    return getattr(target, "__name__", None) or type(target).__name__


def require(test, target, *helpers, name=None) -> None:
    """Run the public ``test`` on ``target`` (and the ``helpers`` it takes) without printing;
    raise ExerciseNotReady naming the exercise when it fails or raises."""
    name = name or exercise_name(target)
    test_name = getattr(test, "__name__", "its public test")
    key = (id(test), id(target))
    if key in _PASSED and _PASSED[key][2] == helpers:
        return
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            test(target, *helpers)
    except Exception:  # noqa: BLE001 - any failure of the learner's code means "not ready"
        raise ExerciseNotReady(f"fill in {name} first: its public test fails (run the cell of {test_name} "
                               "to see why)") from None
    _PASSED[key] = (test, target, helpers)
