"""Checks of exercises 4 and 5: ``EncoderLayer`` and ``Encoder``.

The course's tests call EncoderLayer(4, 2, 8) on one (1, 3, 4) sequence (batch 1) and
Encoder on a batch of 2 token sequences of length 3. Hidden course scenarios keep those
batch sizes with other sizes, seeds and masks; beyond the course are a batch of 2 for
EncoderLayer and a single position without a mask.
"""
import numpy as np

from assignment.checks.inputs import ENCODER_IDS, X3, padding_mask_of, random_input
from assignment.checks.layers import (built, check_eval_is_deterministic, check_keywords_agree, check_unchanged,
                                      compare_outputs)
from assignment.checks.protocol import (BEYOND, COURSE, PUBLIC, Check, CheckFailed, Group, array_of, close,
                                        diagnose, mismatch, register)

ENCODER_LAYER_PUBLIC_MASK = np.array([[1, 1, 0]])


@register
class EncoderLayerCheck(Check):
    name = "EncoderLayer"
    first_scenario = "public_train"
    PUBLIC_ARGS = (4, 2, 8)
    HIDDEN_ARGS = dict(embedding_dim=8, num_heads=3, fully_connected_dim=16, dropout_rate=0.2)
    groups = (
        Group("public", PUBLIC, "EncoderLayer(4, 2, 8) on x (1, 3, 4)", mistakes_on=("public_eval",)),
        Group("other_sizes", COURSE, "EncoderLayer(8, 3, 16, dropout_rate=0.2) on x (1, 5, 8) with a "
                                     "(1, 1, 5) padding mask, another seed"),
        Group("batch", BEYOND, "a batch of 2 sequences: x (2, 5, 8), mask (2, 1, 5)"),
        Group("one_position", BEYOND, "a single position without a mask: x (2, 1, 8), mask None"),
    )
    hints = {
        "no_residual1": "The first residual connection is missing: layernorm1 must get x + the attention output.",
        "residual2_x": "The second residual connection must add the output of layernorm1 (not x) to the ffn "
                       "output.",
        "no_residual2": "The second residual connection is missing: layernorm2 must get the output of "
                        "layernorm1 + the ffn output.",
        "no_mask": "The mask is not used: pass it to self.mha as the attention mask, the fourth argument "
                   "(self.mha(x, x, x, mask) or self.mha(x, x, x, attention_mask=mask)); MultiHeadAttention's "
                   "arguments are query, value, key, attention_mask.",
    }

    @staticmethod
    def hidden_inputs():
        x = random_input(3, (2, 5, 8))  # (batch, seq_len, embedding_dim)
        mask = padding_mask_of([5, 3], 5)  # (2, 1, 5)
        changed = x.copy()
        changed[1, 3:] = random_input(4, (2, 8))  # only padded positions of row 1 change
        return x, mask, changed

    def scenarios(self, target, extras):
        layer = {}

        def public_train():
            layer["public"] = built(target, 42, *self.PUBLIC_ARGS)
            return layer["public"](X3, True, np.array([[1, 0, 1]]))

        yield "public", "public_train", public_train
        yield "public", "public_eval", lambda: layer["public"](X3, False, ENCODER_LAYER_PUBLIC_MASK)
        yield "public", "public_eval_again", lambda: layer["public"](X3, False, ENCODER_LAYER_PUBLIC_MASK)
        yield "public", "public_eval_keywords", lambda: layer["public"](X3, training=False,
                                                                        mask=ENCODER_LAYER_PUBLIC_MASK)
        x, mask, changed = self.hidden_inputs()
        one, one_mask, one_changed = x[1:], mask[1:], changed[1:]  # batch 1, length 3 of 5

        def sizes_build():
            layer["hidden"] = built(target, 7, **self.HIDDEN_ARGS)
            return layer["hidden"](one, False, one_mask)

        yield "other_sizes", "sizes_build", sizes_build
        yield "other_sizes", "sizes_padding_b", lambda: layer["hidden"](one_changed, False, one_mask)
        yield "other_sizes", "sizes_train", lambda: layer["hidden"](one, True, one_mask)
        yield "batch", "batch", lambda: layer["hidden"](x, False, mask)
        yield "one_position", "one_position", lambda: layer["hidden"](x[:, :1], False, None)

    def compare_public(self, got, expected):
        what = "EncoderLayer(4, 2, 8) with training=False"
        eval_ = array_of(got["public_eval"], what, shape=(1, 3, 4))
        check_eval_is_deterministic(got, eval_, what, None, "Pass training=training to self.dropout_ffn.")
        diagnose(what, eval_, array_of(expected["public_eval"], what), self.known_mistakes("public_eval"),
                 "Check: self-attention of x with the mask; layernorm1(x + attention); ffn; dropout; "
                 "layernorm2(out1 + ffn output).")
        check_keywords_agree(got, eval_, "EncoderLayer", None, "call(self, x, training, mask)")
        train = array_of(got["public_train"], "EncoderLayer(4, 2, 8) with training=True", shape=(1, 3, 4))
        diagnose("EncoderLayer(4, 2, 8) with training=True", train, expected["public_train"]["array"], [],
                 "The training=False output is right, so look at dropout: apply self.dropout_ffn to the ffn "
                 "output with training=training, and nothing else random.")

    def compare_other_sizes(self, got, expected):
        compare_outputs(got, expected, ("sizes_build", "sizes_train"), "EncoderLayer(8, 3, 16)", None,
                        "Other sizes, another seed, dropout_rate=0.2.")
        check_unchanged(got, "sizes_build", "sizes_padding_b", None, np.s_[0, :3],
                        "Changing the vectors at padded positions changed the output at real positions: "
                        "the mask is not applied in the self-attention.")

    def compare_batch(self, got, expected):
        compare_outputs(got, expected, ("batch",), "EncoderLayer(8, 3, 16)", None, "Batch 2: row 1 is padded.")

    def compare_one_position(self, got, expected):
        compare_outputs(got, expected, ("one_position",), "EncoderLayer(8, 3, 16)", None,
                        "One position, mask None.")


@register
class EncoderCheck(Check):
    name = "Encoder"
    first_scenario = "public_train"
    ARGS = dict(num_layers=2, embedding_dim=4, num_heads=2, fully_connected_dim=8,
                input_vocab_size=32, maximum_position_encoding=5)
    HIDDEN_ARGS = dict(num_layers=3, embedding_dim=8, num_heads=2, fully_connected_dim=16,
                       input_vocab_size=15, maximum_position_encoding=10)
    PUBLIC_TRAIN_ROW = [-0.7971118, 0.85400605, -1.1759804, 1.1190861]  # the course's published values
    groups = (
        Group("public", PUBLIC, "Encoder(2, 4, 2, 8, 32, 5) on token ids (2, 3)", mistakes_on=("public_eval",)),
        Group("other_sizes", COURSE, "Encoder(3, 8, 2, 16, 15, 10) on token ids (3, 6) with a (3, 1, 6) padding "
                                     "mask, another seed"),
        Group("one_position", BEYOND, "sequences of a single token without a mask: token ids (3, 1), mask None"),
    )
    hints = {
        "no_scale": "The embeddings are not multiplied by sqrt(embedding_dim) (as float32) before the positional "
                    "encoding is added.",
        "scale_by_dim": "Multiply the embeddings by the square root of embedding_dim, not embedding_dim itself.",
        "scale_after_pe": "Scale the embeddings by sqrt(embedding_dim) before adding the positional encoding, "
                          "not after.",
        "no_pe": "The positional encoding is not added: x += self.pos_encoding[:, :seq_len, :].",
        "not_chained": "Each encoder layer must take the previous layer's output (x = self.enc_layers[i](x, ...)), "
                       "not the embeddings.",
        "no_mask": "The mask is not passed to the encoder layers.",
    }

    @staticmethod
    def public_mask():
        return padding_mask_of([3, 2], 3)  # (2, 1, 3)

    def scenarios(self, target, extras):
        model = {}
        mask = self.public_mask()

        def public_train():
            model["public"] = built(target, 42, **self.ARGS)
            return model["public"](ENCODER_IDS, True, None)

        yield "public", "public_train", public_train
        yield "public", "public_eval", lambda: model["public"](ENCODER_IDS, False, mask)
        yield "public", "public_eval_again", lambda: model["public"](ENCODER_IDS, False, mask)
        yield "public", "public_eval_keywords", lambda: model["public"](ENCODER_IDS, training=False, mask=mask)
        ids = np.array([[5, 9, 2, 7, 0, 0], [3, 3, 1, 0, 0, 0], [8, 1, 4, 2, 6, 11]])
        hidden_mask = padding_mask_of([4, 3, 6], 6)
        changed = ids.copy()
        changed[0, 4:] = [13, 2]  # only padded positions change; the mask stays the same

        def sizes_build():
            model["hidden"] = built(target, 11, **self.HIDDEN_ARGS)
            return model["hidden"](ids, False, hidden_mask)

        yield "other_sizes", "sizes_build", sizes_build
        yield "other_sizes", "sizes_padding_b", lambda: model["hidden"](changed, False, hidden_mask)
        yield "other_sizes", "sizes_train", lambda: model["hidden"](ids, True, hidden_mask)
        yield "one_position", "one_position", lambda: model["hidden"](ids[:, :1], False, None)

    def compare_public(self, got, expected):
        train = array_of(got["public_train"], "Encoder output with training=True", shape=(2, 3, 4))
        what = "Encoder output with training=False"
        eval_ = array_of(got["public_eval"], what, shape=(2, 3, 4))
        check_eval_is_deterministic(got, eval_, what, None, "Pass training=training to self.dropout, and training "
                                    "to every encoder layer.")
        diagnose(what, eval_, array_of(expected["public_eval"], what), self.known_mistakes("public_eval"),
                 "Check: embedding, times sqrt(embedding_dim), plus pos_encoding[:, :seq_len, :], dropout, "
                 "then every layer in order with training and mask.")
        check_keywords_agree(got, eval_, "Encoder", None, "call(self, x, training, mask)")
        want = expected["public_train"]["array"]
        if not close(train[0, 0], self.PUBLIC_TRAIN_ROW, atol=1e-4) or not close(train, want):
            raise CheckFailed(mismatch("Encoder output with training=True", train, want) +
                              " The training=False output is right, so look at dropout: self.dropout(x, "
                              "training=training) after adding the positional encoding, and pass training "
                              "to each layer.")

    def compare_other_sizes(self, got, expected):
        compare_outputs(got, expected, ("sizes_build", "sizes_train"), "Encoder", None,
                        "Batch 3, three layers and other sizes.")
        check_unchanged(got, "sizes_build", "sizes_padding_b", None, np.s_[0, :4],
                        "Changing token ids at padded positions changed the encoder output at real "
                        "positions: pass the mask to every encoder layer.")

    def compare_one_position(self, got, expected):
        compare_outputs(got, expected, ("one_position",), "Encoder", None, "One token per sequence, mask None.")
