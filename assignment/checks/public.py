"""The public tests: the learner-facing test function of each registered exercise.

A public test probes the learner's function or class, judges it against a ``Reference``
(``assignment.checks.protocol``) under the course policy, and prints "All tests passed" or
raises the check's AssertionError. Every place that offers public tests (the repository's
``public_tests.py``, the learner release's, ``python -m assignment check``, the tests)
builds them with ``lazy_public_test``: importing the tests builds nothing, and neither
TensorFlow nor a reference is loaded before the first call.
"""
import importlib

from assignment.checks.protocol import ALL_TESTS_PASSED, Reference, check_class, make_check
from assignment.legacy_keras import require_legacy_keras

GREEN, RESET = "\033[92m", "\033[0m"


def _describe(test, exercise):
    test.__name__ = test.__qualname__ = exercise.check
    test.__doc__ = (f"Public test of {exercise.name} ({exercise.tag}): prints '{ALL_TESTS_PASSED}' or raises "
                    "AssertionError with a hint.")
    return test


def public_test(exercise, reference):
    """The learner-facing test function of ``exercise``: probe, judge, print.

    ``reference`` is a Reference, or a function of no arguments returning one (called on
    the first test, so importing the tests costs nothing).
    """
    built = {}

    def test(target, *extras):
        if "check" not in built:
            source = reference if isinstance(reference, Reference) else reference()
            built["check"] = make_check(exercise, source)
        check = built["check"]
        verdict = check.judge(check.probe(target, *extras))  # the course policy: beyond findings are advice
        print(f"{GREEN}{ALL_TESTS_PASSED}{RESET}")
        for item in verdict.advice:  # after the line, one per line: never a failure
            print(f"Advice: {item}")

    return _describe(test, exercise)


def test_function(exercise, reference):
    """The public test of any registered exercise: generated from its Check class (see
    ``public_test``), or, for a module without one, the module's test function."""
    if check_class(exercise) is not None:
        return public_test(exercise, reference)
    return getattr(importlib.import_module(exercise.check_module), exercise.check)


def lazy_public_test(exercise, reference):
    """The public test of ``exercise`` as the notebooks import it: built on its first call
    (``test_function``, which imports the check's module), so that the Transformer
    notebook never loads the NER lab's stack. Each call first makes sure Keras 3 is not
    active (one line saying what to do, instead of Keras 3's own error deep in a layer).

    ``reference``: a Reference or a function of no arguments returning one.
    """
    built = {}

    def test(target, *extras):
        require_legacy_keras(target)
        if "test" not in built:
            built["test"] = test_function(exercise, reference)
        return built["test"](target, *extras)

    return _describe(test, exercise)
