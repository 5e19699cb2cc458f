"""Checks of DecoderLayer and Decoder (assignment/checks/decoder.py)."""
import numpy as np
import pytest

from assignment.checks import ALL_TESTS_PASSED
from check_helpers import CHECKS, extras_of, graded, mutants_of, ref, run_public_test


@pytest.mark.parametrize("name", ["DecoderLayer", "Decoder"])
def test_reference_passes_every_scenario_strictly(name):
    assert graded(name, getattr(ref, name), policy="strict").advice == []


@pytest.mark.parametrize("mutant, hint", mutants_of("DecoderLayer"))
def test_decoder_layer_mutant_rejected_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        run_public_test("DecoderLayer", mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


@pytest.mark.parametrize("mutant, hint", mutants_of("Decoder"))
def test_decoder_mutant_rejected_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        run_public_test("Decoder", mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


@pytest.mark.parametrize("name, mutant", [("DecoderLayer", "DecoderLayerNoLookAhead"),
                                          ("Decoder", "DecoderMasksSwapped")])
def test_hidden_checks_catch_mask_mistakes(name, mutant):
    from tests.mutants import transformer_mutants
    with pytest.raises(AssertionError):
        graded(name, getattr(transformer_mutants, mutant))


@pytest.mark.parametrize("key, hint", [("sizes_causal_b", "look-ahead mask does not reach self.mha1"),
                                       ("sizes_padding_b", "padding mask does not reach self.mha2")])
def test_property_checks_fail_when_the_protected_part_changes(key, hint):
    check = CHECKS["DecoderLayer"]
    observations = check.probe(ref.DecoderLayer, *extras_of("DecoderLayer"), hidden=True)
    output = observations[key]["items"][0]
    output["array"] = output["array"].copy()
    output["array"][:, 0] += 0.5  # position 0 is real and before any future position
    with pytest.raises(AssertionError, match=hint):
        check.judge(observations, hidden=True, policy="strict")  # other sizes: beyond the course's tests


class DecoderLayerFirstRowMask(ref.DecoderLayer):
    """Uses the padding mask of the first sequence for the whole batch: right on the
    course's batch of 1, wrong on a batch whose rows are padded differently."""

    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        if padding_mask is not None:
            padding_mask = np.repeat(np.asarray(padding_mask)[:1], np.shape(padding_mask)[0], axis=0)
        return ref.DecoderLayer.call(self, x, enc_output, training, look_ahead_mask, padding_mask)


def test_right_on_batch_1_wrong_on_batch_2_is_advice():
    verdict = graded("DecoderLayer", DecoderLayerFirstRowMask)
    assert [item.scenario for item in verdict.advice] == ["batch"]
    assert "a batch of 2" in str(verdict.advice[0]) and "wrong values" in verdict.advice[0].message
    with pytest.raises(AssertionError, match="On beyond the course's tests, a batch of 2"):
        graded("DecoderLayer", DecoderLayerFirstRowMask, policy="strict")
