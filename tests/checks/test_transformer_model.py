"""Check of Transformer (assignment/checks/transformer_model.py)."""
import pytest

from assignment.checks import ALL_TESTS_PASSED
from check_helpers import graded, mutants_of, ref, run_public_test


def test_reference_passes_every_scenario_strictly():
    assert graded("Transformer", ref.Transformer, policy="strict").advice == []


@pytest.mark.parametrize("mutant, hint", mutants_of("Transformer"))
def test_mutant_rejected_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        run_public_test("Transformer", mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


def test_hidden_checks_catch_a_missing_encoder_mask():
    from tests.mutants.transformer_mutants import TransformerEncoderNoMask
    with pytest.raises(AssertionError):
        graded("Transformer", TransformerEncoderNoMask)
