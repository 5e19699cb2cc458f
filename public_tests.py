"""Public tests of the Transformer Network assignment: `from public_tests import *`.

Each test takes your function or class (and, like the course, the helpers it needs),
prints "All tests passed" in green when it is right, and otherwise raises an
AssertionError whose message names the likely mistake. The test functions are listed
in the exercise registry (assignment/exercises.py).
"""
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow is imported
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import importlib  # noqa: E402

import assignment  # noqa: E402,F401  (raises a clear error if Keras 3 is already active)
from assignment.exercises import NOTEBOOKS  # noqa: E402


def _public_test(exercise):
    """The test of one registered exercise; its module (TensorFlow, transformers) is
    imported on first use, so the Transformer notebook never loads the NER lab's stack."""
    def test(target, *helpers):
        check = getattr(importlib.import_module(exercise.check_module), exercise.check)
        return check(target, *helpers)
    test.__name__ = exercise.check
    test.__doc__ = f"Public test of {exercise.name} ({exercise.tag}): prints 'All tests passed' or raises " \
                   "AssertionError with a hint."
    return test


__all__ = []
for _exercises in NOTEBOOKS.values():
    for _exercise in _exercises:
        globals()[_exercise.check] = _public_test(_exercise)
        __all__.append(_exercise.check)
