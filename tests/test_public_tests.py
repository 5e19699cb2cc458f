"""The public tests pass the reference and reject every known mistake with its hint."""
import numpy as np
import pytest

import assignment  # noqa: F401
import public_tests
from assignment import transformer as ref
from assignment.checks import CHECKS, GREEN
from assignment.exercises import EXERCISES
from tests.mutants.transformer_mutants import MUTANTS


def _slow_for_the_full_model(cases, name=lambda case: case.name):
    """The whole Transformer's cases build several models (10-20 s each): marked slow."""
    return [pytest.param(*(case if isinstance(case, tuple) else (case,)), marks=pytest.mark.slow)
            if name(case) == "Transformer" else case for case in cases]


def run_public_test(exercise_name, target):
    exercise = next(e for e in EXERCISES if e.name == exercise_name)
    test = getattr(public_tests, exercise.check)
    test(target, *[getattr(ref, name) for name in exercise.extra_args])


@pytest.mark.parametrize("exercise", _slow_for_the_full_model(EXERCISES), ids=lambda e: e.name)
def test_reference_passes_public_test(exercise, capsys):
    run_public_test(exercise.name, getattr(ref, exercise.name))
    assert f"{GREEN}All tests passed" in capsys.readouterr().out


@pytest.mark.parametrize("exercise", _slow_for_the_full_model(EXERCISES), ids=lambda e: e.name)
def test_reference_passes_hidden_checks(exercise):
    check = CHECKS[exercise.name]
    extras = [getattr(ref, name) for name in exercise.extra_args]
    check.judge(check.probe(getattr(ref, exercise.name), *extras, hidden=True), hidden=True)


@pytest.mark.parametrize("exercise_name, mutant, hint", _slow_for_the_full_model(MUTANTS, lambda case: case[0]),
                         ids=[f"{e}-{m.__name__}" for e, m, _ in MUTANTS])
def test_mutant_rejected_with_its_hint(exercise_name, mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        run_public_test(exercise_name, mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert "All tests passed" not in capsys.readouterr().out


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


class HardCodedAngles:
    """Returns the public expected values whatever it is asked: passes public, fails hidden."""
    PUBLIC = ref.get_angles(np.arange(4)[:, None], np.arange(16)[None, :], 16)

    def __call__(self, pos, k, d):
        return self.PUBLIC.copy()


def test_hard_coded_public_output_fails_hidden_checks(capsys):
    public_tests.get_angles_test(HardCodedAngles())  # the public test cannot tell
    check = CHECKS["get_angles"]
    with pytest.raises(AssertionError, match="shape"):
        check.judge(check.probe(HardCodedAngles(), hidden=True), hidden=True)


@pytest.mark.parametrize("exercise_name, mutant", [
    ("EncoderLayer", "EncoderLayerNoMask"),
    ("DecoderLayer", "DecoderLayerNoLookAhead"),
    ("Decoder", "DecoderMasksSwapped"),
])
def test_hidden_property_checks_catch_mask_mistakes(exercise_name, mutant):
    from tests.mutants import transformer_mutants
    check = CHECKS[exercise_name]
    observations = check.probe(getattr(transformer_mutants, mutant),
                               *[getattr(ref, n) for n in check.extra_names], hidden=True)
    with pytest.raises(AssertionError):
        check.judge(observations, hidden=True)


@pytest.mark.parametrize("exercise_name, key, hint", [
    ("DecoderLayer", "hidden_causal_b", "look-ahead mask does not reach self.mha1"),
    ("DecoderLayer", "hidden_padding_b", "padding mask does not reach self.mha2"),
    ("EncoderLayer", "hidden_padding_b", "mask is not applied in the self-attention"),
])
def test_property_checks_fail_when_the_protected_part_changes(exercise_name, key, hint):
    """Observations of the reference, with the part a property protects nudged, must fail."""
    check = CHECKS[exercise_name]
    observations = check.probe(getattr(ref, exercise_name), *[getattr(ref, n) for n in check.extra_names],
                               hidden=True)
    record = observations[key]
    output = record["items"][0] if record["kind"] == "sequence" else record
    output["array"] = output["array"].copy()
    output["array"][:, 0] += 0.5  # position 0 is real and before any future position
    with pytest.raises(AssertionError, match=hint):
        check.judge(observations, hidden=True)
