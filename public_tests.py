"""Public tests of the Transformer Network assignment: `from public_tests import *`.

Each test takes your function or class (and, like the course, the helpers it needs),
prints "All tests passed" in green when it is right, and otherwise raises an
AssertionError whose message names the likely mistake. One test per exercise of the
registry (assignment/exercises.py), generated here.
"""
import functools
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow is imported
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import assignment  # noqa: E402,F401  (selects tf-keras if TensorFlow is not loaded yet)
from assignment.checks.public import lazy_public_test  # noqa: E402
from assignment.exercises import NOTEBOOKS  # noqa: E402

_REFERENCES = {}
# A student release (no solutions) ships the reference values of the public scenarios
# in this file, recorded with assignment.checks.live.record; the repository has none.
RECORDED_VALUES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "public_test_values.json")


def _reference(exercise):
    """What the tests compare with: the recorded values when shipped, else the reference
    module's values, computed on first use."""
    if exercise.source_module not in _REFERENCES:
        if os.path.exists(RECORDED_VALUES):
            from assignment.checks.recorded import RecordedReference
            with open(RECORDED_VALUES, encoding="utf-8") as handle:
                _REFERENCES[exercise.source_module] = RecordedReference.from_json(handle.read())
        else:
            from assignment.checks.live import LiveReference
            _REFERENCES[exercise.source_module] = LiveReference(exercise.source_module)
    return _REFERENCES[exercise.source_module]


__all__ = []
for _exercises in NOTEBOOKS.values():
    for _exercise in _exercises:
        # built on first use: the Transformer notebook never loads the NER lab's stack
        globals()[_exercise.check] = lazy_public_test(_exercise, functools.partial(_reference, _exercise))
        __all__.append(_exercise.check)
