"""The public tests: generated from the registry, pass the reference, name the mistakes.

Per-exercise tests (mutants, hidden scenarios, advice) are in tests/checks/.
"""
import pytest

import assignment  # noqa: F401
import public_tests
from assignment import transformer as ref
from assignment.checks import ALL_TESTS_PASSED
from assignment.checks.public import GREEN
from assignment.exercises import EXERCISES, NOTEBOOKS
from tests.mutants.transformer_mutants import MUTANTS


def _slow_for_the_full_model(exercises):
    """The whole Transformer builds several models (10-20 s): marked slow (make test-quick)."""
    return [pytest.param(e, marks=pytest.mark.slow) if e.name == "Transformer" else e for e in exercises]


def run_public_test(exercise, target):
    getattr(public_tests, exercise.check)(target, *[getattr(ref, name) for name in exercise.extra_args])


def test_one_test_function_per_registered_exercise():
    names = [e.check for exercises in NOTEBOOKS.values() for e in exercises]
    assert sorted(public_tests.__all__) == sorted(names)
    assert all(getattr(public_tests, name).__name__ == name for name in names)


@pytest.mark.parametrize("exercise", _slow_for_the_full_model(EXERCISES), ids=lambda e: e.name)
def test_reference_passes_public_test(exercise, capsys):
    run_public_test(exercise, getattr(ref, exercise.name))
    assert f"{GREEN}{ALL_TESTS_PASSED}" in capsys.readouterr().out


def test_every_exercise_has_mutants():
    covered = {name for name, _, _ in MUTANTS}
    assert covered == {e.name for e in EXERCISES}


def test_none_target_says_fill_in():
    with pytest.raises(AssertionError, match="START CODE HERE"):
        public_tests.get_angles_test(None)


def test_stub_failure_chains_the_learner_error():
    """In a notebook the learner still sees their own traceback under the hint."""
    def broken(q, k, v, mask):
        raise ZeroDivisionError("oops")

    with pytest.raises(AssertionError) as failure:
        public_tests.scaled_dot_product_attention_test(broken)
    assert "ZeroDivisionError: oops" in str(failure.value)
    assert isinstance(failure.value.__cause__, ZeroDivisionError)
