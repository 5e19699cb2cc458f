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


def test_public_tests_use_shipped_recorded_values(tmp_path):
    """public_tests.py next to a public_test_values.json judges with the recorded values,
    without loading the live reference or the known mistakes."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    names = ("get_angles", "scaled_dot_product_attention")
    data = {name: record(CHECKS[name]) for name in names}
    (tmp_path / "public_test_values.json").write_text(RecordedReference(data).to_json(), encoding="utf-8")
    shutil.copy(root / "public_tests.py", tmp_path / "public_tests.py")
    code = ("import sys\n"
            "import public_tests\n"
            "from tests.mutants.transformer_mutants import attention_unscaled\n"
            "from assignment import transformer as ref\n"
            "public_tests.get_angles_test(ref.get_angles)\n"
            "try:\n"
            "    public_tests.scaled_dot_product_attention_test(attention_unscaled)\n"
            "except AssertionError as failure:\n"
            "    print('HINT', failure)\n"
            "print('LOADED', [m for m in ('assignment.checks.live', 'assignment.checks.known_mistakes') "
            "if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert "All tests passed" in out.stdout and "HINT The scores are not divided by sqrt(d_k)" in out.stdout
    assert "LOADED []" in out.stdout
