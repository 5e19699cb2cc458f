"""Checks of get_angles and positional_encoding (assignment/checks/positional.py)."""
import numpy as np
import pytest

from assignment.checks import ALL_TESTS_PASSED
from check_helpers import CHECKS, graded, mutants_of, ref, run_public_test


@pytest.mark.parametrize("name", ["get_angles", "positional_encoding"])
def test_reference_passes_every_scenario_strictly(name):
    assert graded(name, getattr(ref, name), policy="strict").advice == []


@pytest.mark.parametrize("mutant, hint", mutants_of("get_angles"))
def test_get_angles_mutant_rejected_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        run_public_test("get_angles", mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


@pytest.mark.parametrize("mutant, hint", mutants_of("positional_encoding"))
def test_positional_encoding_mutant_rejected_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        run_public_test("positional_encoding", mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


class HardCodedAngles:
    """Returns the public expected values whatever it is asked: passes public, fails hidden."""
    PUBLIC = ref.get_angles(np.arange(4)[:, None], np.arange(16)[None, :], 16)

    def __call__(self, pos, k, d):
        return self.PUBLIC.copy()


def test_hard_coded_public_output_fails_a_course_scenario(capsys):
    run_public_test("get_angles", HardCodedAngles())  # the public test cannot tell
    assert ALL_TESTS_PASSED in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"On a hidden scenario, a column of 4 other positions \(3, 1, 0, 6\) and d = 16: The sum of row 0"):
        graded("get_angles", HardCodedAngles())


def test_positional_encoding_uses_the_learners_get_angles_first():
    def broken_angles(pos, k, d):
        return None

    check = CHECKS["positional_encoding"]
    with pytest.raises(AssertionError, match="Start with get_angles"):
        check.judge(check.probe(ref.positional_encoding, broken_angles))


def test_odd_d_failure_is_advice_by_default_and_a_failure_when_strict():
    """A solution written for the course's even d only: right on the course's scenarios."""
    def even_d_only(positions, d):
        angles = ref.get_angles(np.arange(positions)[:, None], np.arange(d)[None, :], d)
        half = d // 2  # drops the last column when d is odd
        encoding = np.zeros((positions, 2 * half))
        encoding[:, 0::2], encoding[:, 1::2] = np.sin(angles[:, 0:2 * half:2]), np.cos(angles[:, 1:2 * half:2])
        return ref.tf.cast(encoding[np.newaxis], dtype=ref.tf.float32)

    verdict = graded("positional_encoding", even_d_only)
    assert [item.scenario for item in verdict.advice] == ["odd_d"]
    assert "positional_encoding(5, 7)" in str(verdict.advice[0]) and "shape" in str(verdict.advice[0])
    with pytest.raises(AssertionError, match="beyond the course's tests, an odd d"):
        graded("positional_encoding", even_d_only, policy="strict")


def test_positional_encoding_is_compared_with_the_learners_get_angles_as_the_course_does(capsys):
    """The course's test recovers the angles and compares them with the get_angles it is given:
    a positional_encoding consistent with a wrong get_angles passes it, with advice."""
    from tests.mutants.transformer_mutants import angles_exponent_i_over_d as wrong_angles

    def encoding_of_wrong_angles(positions, d):
        angles = wrong_angles(np.arange(positions)[:, None], np.arange(d)[None, :], d)
        angles[:, 0::2], angles[:, 1::2] = np.sin(angles[:, 0::2]), np.cos(angles[:, 1::2])
        return ref.tf.cast(angles[np.newaxis], dtype=ref.tf.float32)

    check = CHECKS["positional_encoding"]
    verdict = check.judge(check.probe(encoding_of_wrong_angles, wrong_angles))
    assert "fix get_angles (exercise 1) first" in " ".join(str(item) for item in verdict.advice)
    with pytest.raises(AssertionError, match="angles recovered"):  # against today's get_angles it is wrong
        check.judge(check.probe(encoding_of_wrong_angles, ref.get_angles))
