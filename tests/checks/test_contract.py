"""The grading contract (assignment/checks/protocol.py), stated for every exercise.

* Code that matches the reference on the public inputs and on inputs of the same shapes,
  but differs elsewhere, passes under the course policy (with advice) and fails under
  ``strict``.
* A hard-coded public output passes the public test (the course's test cannot tell) and
  fails under both policies, on a course scenario.
* The public scenarios are the course's: the reference gives there the values the course's
  public tests print (published in public learner repositories' copies of the course's
  public_tests.py; values quoted below as facts, rounded as there).
"""
import numpy as np
import pytest
import tensorflow as tf

from assignment.checks.decoder import DECODER_ENC_OUTPUT
from assignment.checks.inputs import DECODER_IDS, ENC_OUTPUT, ENCODER_IDS, K, MASK, Q, SENTENCE_IN, SENTENCE_OUT, V, X3
from check_helpers import CHECKS, LIVE, graded, ref, run_public_test

SLOW = {"Transformer", "Decoder"}


def _nudge(value):
    return value * 1.01 + 0.01


# ------------------------------------------------------------------ right on the course's shapes, wrong elsewhere

def angles_elsewhere(pos, k, d):
    angles = ref.get_angles(pos, k, d)
    return angles if (pos.shape, d) == ((4, 1), 16) else _nudge(angles)


def encoding_elsewhere(positions, d):
    encoding = ref.positional_encoding(positions, d)
    return encoding if (positions, d) in ((8, 16), (6, 12)) else _nudge(encoding)


def attention_elsewhere(q, k, v, mask):
    output, weights = ref.scaled_dot_product_attention(q, k, v, mask)
    return (output, weights) if np.shape(q) == (3, 4) else (output, _nudge(weights))


class EncoderLayerElsewhere(ref.EncoderLayer):
    def call(self, x, training, mask):
        out = ref.EncoderLayer.call(self, x, training, mask)
        return out if tuple(x.shape) == (1, 3, 4) else _nudge(out)


class EncoderElsewhere(ref.Encoder):
    def call(self, x, training, mask):
        out = ref.Encoder.call(self, x, training, mask)
        return out if tuple(x.shape) == (2, 3) else _nudge(out)


class DecoderLayerElsewhere(ref.DecoderLayer):
    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        out, block1, block2 = ref.DecoderLayer.call(self, x, enc_output, training, look_ahead_mask, padding_mask)
        return (out if tuple(x.shape) == (1, 3, 4) else _nudge(out)), block1, block2


class DecoderElsewhere(ref.Decoder):
    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        out, weights = ref.Decoder.call(self, x, enc_output, training, look_ahead_mask, padding_mask)
        return (out if tuple(x.shape) == (2, 3) else _nudge(out)), weights


class TransformerElsewhere(ref.Transformer):
    def call(self, input_sentence, output_sentence, training, enc_padding_mask, look_ahead_mask, dec_padding_mask):
        out, weights = ref.Transformer.call(self, input_sentence, output_sentence, training, enc_padding_mask,
                                            look_ahead_mask, dec_padding_mask)
        return (out if tuple(input_sentence.shape) == (1, 5) else tf.nn.softmax(_nudge(out) * 3)), weights


ELSEWHERE = {"get_angles": angles_elsewhere, "positional_encoding": encoding_elsewhere,
             "scaled_dot_product_attention": attention_elsewhere, "EncoderLayer": EncoderLayerElsewhere,
             "Encoder": EncoderElsewhere, "DecoderLayer": DecoderLayerElsewhere, "Decoder": DecoderElsewhere,
             "Transformer": TransformerElsewhere}


# ------------------------------------------------------------------ the public outputs, hard-coded

def angles_hard_coded(pos, k, d):
    return ref.get_angles(np.arange(4)[:, None], np.arange(16)[None, :], 16)


def encoding_hard_coded(positions, d):
    return ref.positional_encoding(8, 16)


def attention_hard_coded(q, k, v, mask):
    return ref.scaled_dot_product_attention(Q, K, V, None if mask is None else MASK)


class EncoderLayerHardCoded(ref.EncoderLayer):
    def call(self, x, training, mask):  # the public x, whatever it is given
        return ref.EncoderLayer.call(self, X3, training, mask)


class EncoderHardCoded(ref.Encoder):
    def call(self, x, training, mask):
        return ref.Encoder.call(self, ENCODER_IDS, training, mask)


class DecoderLayerHardCoded(ref.DecoderLayer):
    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        return ref.DecoderLayer.call(self, X3, ENC_OUTPUT, training, look_ahead_mask, padding_mask)


class DecoderHardCoded(ref.Decoder):
    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        return ref.Decoder.call(self, DECODER_IDS, DECODER_ENC_OUTPUT, training, look_ahead_mask, padding_mask)


class TransformerHardCoded(ref.Transformer):
    def call(self, input_sentence, output_sentence, training, enc_padding_mask, look_ahead_mask, dec_padding_mask):
        return ref.Transformer.call(self, SENTENCE_IN, SENTENCE_OUT, training, enc_padding_mask, look_ahead_mask,
                                    dec_padding_mask)


HARD_CODED = {"get_angles": angles_hard_coded, "positional_encoding": encoding_hard_coded,
              "scaled_dot_product_attention": attention_hard_coded, "EncoderLayer": EncoderLayerHardCoded,
              "Encoder": EncoderHardCoded, "DecoderLayer": DecoderLayerHardCoded, "Decoder": DecoderHardCoded,
              "Transformer": TransformerHardCoded}


def _params(table):
    return [pytest.param(name, code, id=name, marks=[pytest.mark.slow] if name in SLOW else [])
            for name, code in table.items()]


@pytest.mark.parametrize("name, code", _params(ELSEWHERE))
def test_right_on_the_course_s_shapes_passes_with_advice_and_fails_strict(name, code, capsys):
    run_public_test(name, code)
    assert "All tests passed" in capsys.readouterr().out
    verdict = graded(name, code)
    assert verdict.advice, "differs beyond the course's tests: advice expected"
    assert all(str(item).startswith("Beyond the course's tests") for item in verdict.advice)
    with pytest.raises(AssertionError, match="beyond the course's tests"):
        graded(name, code, policy="strict")


@pytest.mark.parametrize("name, code", _params(HARD_CODED))
def test_a_hard_coded_public_output_fails_under_both_policies(name, code, capsys):
    run_public_test(name, code)  # the course's test cannot tell
    assert "All tests passed" in capsys.readouterr().out
    for policy in ("course", "strict"):
        with pytest.raises(AssertionError, match="On a hidden scenario"):
            graded(name, code, policy=policy)


def test_every_check_has_public_and_course_groups_and_shows_some_beyond():
    for name, check in CHECKS.items():
        if name == "tokenize_and_align_labels":
            continue
        tags = [group.tag for group in check.groups]
        assert tags.count("public") == 1 and "course" in tags and "beyond" in tags, name
        assert any(group.shown for group in check.groups), name


# ------------------------------------------------------------------ the public scenarios are the course's

def _expected(name):
    return LIVE.expected(CHECKS[name], False)


def _main(record):
    return record["items"][0]["array"] if record["kind"] == "sequence" else record["array"]


def test_attention_public_values_are_the_course_s():
    output, weights = (item["array"] for item in _expected("scaled_dot_product_attention")["public"]["items"])
    assert np.allclose(weights[0], [0.2589478, 0.42693272, 0.15705977, 0.15705977])
    assert np.allclose(output[2], [0.6637989, 0.2039163])
    output, weights = (item["array"] for item in _expected("scaled_dot_product_attention")["public_mask"]["items"])
    assert np.allclose(weights[0, 0], [0.30719590187072754, 0.5064803957939148, 0.0, 0.18632373213768005])


def test_encoder_public_values_are_the_course_s():
    layer = _expected("EncoderLayer")
    assert np.allclose(layer["public_train"]["array"][0, 0], [0.50068265, -1.7271469, 0.52905715, 0.69740695])
    assert np.allclose(layer["public_eval"]["array"][0, 2], [0.7177963, -1.5438266, -0.20350842, 1.0295385])
    encoder = _expected("Encoder")
    assert np.allclose(encoder["public_train"]["array"][0, 0], [-0.7971118, 0.85400605, -1.1759804, 1.1190861])
    assert np.allclose(encoder["public_train_mask"]["array"][0, 0], [-1.2117493, -0.30997747, 1.5601575, -0.03843075])
    assert np.allclose(encoder["public_eval"]["array"][0, 0], [-1.3025213, 1.3020152, -0.55119544, 0.55170155])


def test_decoder_layer_public_values_are_the_course_s():
    expected = _expected("DecoderLayer")
    out, block1, block2 = (item["array"] for item in expected["public_train"]["items"])
    assert np.allclose(block1[0, 0, 1], [0.42892298, 0.571077, 0.], atol=1e-2)
    assert np.allclose(block2[0, 0, 1], [0.36948738, 0.3800445, 0.25046816])
    assert np.allclose(out[0, 0], [1.2285516, -0.06560415, 0.3698757, -1.5328231])
    assert np.allclose(_main(expected["public_train_padding"])[0, 0], [1.2627907, 0.2749473, -0.01142518, -1.5263128])


@pytest.mark.slow
def test_decoder_and_transformer_public_values_are_the_course_s():
    expected = _expected("Decoder")
    assert np.allclose(_main(expected["public_eval"])[1, 1], [1.6465435, -1.0554001, -0.2834093, -0.30773413])
    first = next(iter(expected["public_eval"]["items"][1]["items"].values()))["array"]
    assert np.allclose(first[0, 0, 1], [0.48481178, 0.5151882, 0.])
    assert np.allclose(_main(expected["public_train"])[1, 1], [1.2481778, -1.5399985, 0.2639646, 0.02785601])
    assert np.allclose(_main(expected["public_train_padding"])[1, 1], [1.1812904, -1.5843581, 0.28254977, 0.12051809])
    expected = _expected("Transformer")
    assert np.allclose(_main(expected["public_train"])[0, 0, :8], [0.01598642, 0.03246542, 0.02865042, 0.03237151,
                                                                   0.0384616, 0.01717172, 0.01019837, 0.02168636])
    first = next(iter(expected["public_train"]["items"][1]["items"].values()))["array"]
    assert np.allclose(first[0, 0, 1], [0.47521198, 0.52478796, 0.0, 0.0, 0.0])
    assert np.allclose(_main(expected["public_eval"])[0, 0, :8], [0.042736, 0.02721556, 0.0233324, 0.03952922,
                                                                  0.02491077, 0.01355808, 0.0224883, 0.01778231])
