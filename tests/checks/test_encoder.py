"""Checks of EncoderLayer and Encoder (assignment/checks/encoder.py)."""
import pytest

from assignment.checks import ALL_TESTS_PASSED
from check_helpers import CHECKS, extras_of, graded, mutants_of, ref, run_public_test


@pytest.mark.parametrize("name", ["EncoderLayer", "Encoder"])
def test_reference_passes_every_scenario_strictly(name):
    assert graded(name, getattr(ref, name), policy="strict").advice == []


@pytest.mark.parametrize("mutant, hint", mutants_of("EncoderLayer"))
def test_encoder_layer_mutant_rejected_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        run_public_test("EncoderLayer", mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


@pytest.mark.parametrize("mutant, hint", mutants_of("Encoder"))
def test_encoder_mutant_rejected_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        run_public_test("Encoder", mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


def test_hidden_checks_catch_an_unused_mask():
    from tests.mutants.transformer_mutants import EncoderLayerNoMask
    with pytest.raises(AssertionError):
        graded("EncoderLayer", EncoderLayerNoMask)


def test_padding_property_fails_when_the_protected_part_changes():
    """Observations of the reference, with the part the property protects nudged, must fail."""
    check = CHECKS["EncoderLayer"]
    observations = check.probe(ref.EncoderLayer, *extras_of("EncoderLayer"), hidden=True)
    observations["sizes_padding_b"]["array"] = observations["sizes_padding_b"]["array"].copy()
    observations["sizes_padding_b"]["array"][:, 0] += 0.5  # position 0 is a real one
    with pytest.raises(AssertionError, match="mask is not applied in the self-attention"):
        check.judge(observations, hidden=True, policy="strict")  # other sizes: beyond the course's tests
    assert "mask is not applied" in check.judge(observations, hidden=True).advice[0].message


class EncoderLayerNeedsAMask(ref.EncoderLayer):
    """Right whenever a mask is given (all the course's calls); breaks on mask=None."""

    def call(self, x, training, mask):
        mask = mask + 0  # raises TypeError on None
        return ref.EncoderLayer.call(self, x, training, mask)


def test_a_beyond_only_mistake_is_advice_then_strict_failure():
    verdict = graded("EncoderLayer", EncoderLayerNeedsAMask)
    assert [item.scenario for item in verdict.advice] == ["one_position"]
    assert "mask = mask + 0" in verdict.advice[0].message and "x (2, 1, 8), mask None" in str(verdict.advice[0])
    with pytest.raises(AssertionError, match="single position without a mask"):
        graded("EncoderLayer", EncoderLayerNeedsAMask, policy="strict")
