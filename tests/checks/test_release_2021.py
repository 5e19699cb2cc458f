"""The checks against the 2021 release's reference (assignment/transformer_2021.py, docs/release_2021.md)."""
import numpy as np
import pytest

from assignment import transformer as today
from assignment import transformer_2021 as old
from assignment.checks import make_check
from assignment.checks.live import LiveReference
from assignment.exercises import EXERCISES, find

LIVE_2021 = LiveReference(old)
SETTINGS = {"mask_convention": "2021"}


def check_2021(name):
    return make_check(find(name), LIVE_2021, **SETTINGS)


def graded_2021(name, target, policy="course"):
    check = check_2021(name)
    extras = [getattr(old, helper) for helper in find(name).extra_args]
    return check.judge(check.probe(target, *extras, hidden=True), hidden=True, policy=policy)


def _params():
    return [pytest.param(e.name, marks=[pytest.mark.slow] if e.name in ("Decoder", "Transformer") else [])
            for e in EXERCISES]


@pytest.mark.parametrize("name", _params())
def test_the_2021_reference_passes_its_own_checks_strictly(name):
    assert graded_2021(name, getattr(old, name), policy="strict").advice == []


def test_the_2021_given_code_differs_from_today_s_where_the_release_did():
    layer = old.EncoderLayer(4, 2, 8)
    assert hasattr(layer, "dropout1") and hasattr(layer, "dropout2") and not hasattr(layer, "dropout_ffn")
    assert not hasattr(today.EncoderLayer(4, 2, 8), "dropout1")
    decoder_layer = old.DecoderLayer(4, 2, 8)
    assert all(hasattr(decoder_layer, f"dropout{i}") for i in (1, 2, 3))
    assert old.create_padding_mask(np.array([[7, 0, 3]])).numpy().tolist() == [[[[0.0, 1.0, 0.0]]]]
    assert old.create_look_ahead_mask(3).numpy().tolist() == [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    import inspect
    assert list(inspect.signature(old.get_angles).parameters) == ["pos", "i", "d"]
    assert list(inspect.signature(old.Transformer.call).parameters)[1:3] == ["inp", "tar"]


def test_the_2021_stacks_build_the_2021_layers():
    """Encoder and Decoder read as today's, but must build this module's layers (two and three
    dropouts): imported from assignment.transformer they would build today's."""
    encoder = old.Encoder(2, 4, 2, 8, 30, 5)
    assert all(type(layer) is old.EncoderLayer for layer in encoder.enc_layers)
    decoder = old.Decoder(2, 4, 2, 8, 30, 5)
    assert all(type(layer) is old.DecoderLayer for layer in decoder.dec_layers)
    assert old.Encoder is not today.Encoder and old.Decoder is not today.Decoder


def test_the_2021_attention_gives_the_values_its_test_expected():
    """The 2021 test's masked call: mask [0, 0, 1, 0] (1 = the padded key 2); the values it expected."""
    from assignment.checks.inputs import K, Q, V
    _, weights = old.scaled_dot_product_attention(Q, K, V, np.array([0, 0, 1, 0]))
    assert np.allclose(weights, [[0.30719590187072754, 0.5064803957939148, 0.0, 0.18632373213768005],
                                 [0.3836517333984375, 0.3836517333984375, 0.0, 0.2326965481042862],
                                 [0.3836517333984375, 0.3836517333984375, 0.0, 0.2326965481042862]])


class EncoderLayerTodaySingleDropout(old.EncoderLayer):
    """A 2021 notebook's EncoderLayer written the way today's release has it: one dropout."""

    def call(self, x, training, mask):
        attention = self.mha(x, x, x, mask)
        out1 = self.layernorm1(x + attention)
        ffn_output = self.dropout2(self.ffn(out1), training=training)
        return self.layernorm2(out1 + ffn_output)


def test_today_s_single_dropout_fails_a_2021_notebook_with_a_hint_naming_the_release():
    with pytest.raises(AssertionError, match="2021 release, whose EncoderLayer has two dropouts"):
        graded_2021("EncoderLayer", EncoderLayerTodaySingleDropout)
    with pytest.raises(AssertionError, match="the 2021 release"):  # today's reference, judged as 2021
        graded_2021("EncoderLayer", today.EncoderLayer)
