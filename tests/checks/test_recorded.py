"""A RecordedReference, recorded from the LiveReference on the public scenarios, judges
exactly like it: the interface carries everything the exercise modules need."""
import pytest

from assignment.checks import make_check
from assignment.checks.live import record
from assignment.checks.recorded import RecordedReference
from assignment.exercises import EXERCISES
from tests.mutants.transformer_mutants import MUTANTS

from check_helpers import CHECKS, extras_of, ref


@pytest.fixture(scope="module")
def recorded():
    data = {exercise.name: record(CHECKS[exercise.name]) for exercise in EXERCISES}
    reference = RecordedReference.from_json(RecordedReference(data).to_json())  # through text, as a file would
    return {exercise.name: make_check(exercise, reference) for exercise in EXERCISES}


def verdict(check, target):
    try:
        check.judge(check.probe(target, *extras_of(check.name)))
    except AssertionError as failure:
        return str(failure)
    return "passed"


SAMPLE = [m for m in MUTANTS if m[1].__name__ in (
    "angles_i_is_k", "encoding_swapped", "attention_mask_inverted", "attention_unscaled",
    "EncoderLayerNoFirstResidual", "EncoderNoScaling", "DecoderLayerQueryX", "DecoderMasksSwapped",
    "TransformerEncoderNoMask")]


@pytest.mark.parametrize("name, mutant, hint", SAMPLE, ids=[m[1].__name__ for m in SAMPLE])
def test_recorded_and_live_verdicts_agree(recorded, name, mutant, hint):
    live = verdict(CHECKS[name], mutant)
    assert hint in live
    assert verdict(recorded[name], mutant) == live


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_passes_on_recorded_values(recorded, exercise):
    assert verdict(recorded[exercise.name], getattr(ref, exercise.name)) == "passed"


def test_recorded_values_have_no_hidden_scenarios():
    check = CHECKS["get_angles"]
    recorded = RecordedReference({"get_angles": record(check)})
    assert set(recorded.expected(check, False)) == {"public"}
    with pytest.raises(KeyError, match="only the public scenarios"):
        recorded.expected(check, True)
