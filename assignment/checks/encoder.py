"""Checks of exercises 4 and 5: ``EncoderLayer`` and ``Encoder``.

What the course's public tests compare (``EncoderLayer_test`` and ``Encoder_test`` of the
course's ``public_tests.py``, as published in public learner repositories):

* ``EncoderLayer_test``: after ``tf.keras.utils.set_random_seed(42)``, EncoderLayer(4, 2, 8)
  on x (1, 3, 4): with training=True and mask [[1, 0, 1]] a tensor of shape (1, 3, 4)
  allclose (default tolerances) to its values; then training=False with mask [[1, 1, 0]],
  allclose to its values.
* ``Encoder_test``: after seed 42, Encoder(2, 4, 2, 8, 32, 5) on token ids (2, 3): with
  training=True and no mask a tensor of shape (2, 3, 4) allclose to its values; then
  training=True and training=False with a (2, 1, 1, 3) mask, allclose.

The public scenarios are those calls in that order, compared that way; the course
scenarios repeat them with another seed, other values and other masks of the same
shapes. Beyond the course: calling with keywords, other sizes, batches, one position.
"""
import numpy as np

from assignment.checks.inputs import ENCODER_IDS, X3, convention_of, padding_mask_of, random_input
from assignment.checks.comparisons import (built, check_eval_is_deterministic, check_keywords_agree, check_unchanged,
                                      compare_outputs, course_outputs)
from assignment.checks.judging import CheckFailed, array_of, close, diagnose, named_mistake
from assignment.checks.protocol import BEYOND, COURSE, PUBLIC, Check, Group, register

ENCODER_LAYER_PUBLIC_MASK = np.array([[1, 1, 0]])
ENCODER_LAYER_TRAIN_MASK = np.array([[1, 0, 1]])


@register
class EncoderLayerCheck(Check):
    name = "EncoderLayer"
    first_scenario = "public_train"
    PUBLIC_ARGS = (4, 2, 8)
    HIDDEN_ARGS = dict(embedding_dim=8, num_heads=3, fully_connected_dim=16, dropout_rate=0.2)
    groups = (
        Group("public", PUBLIC, "EncoderLayer(4, 2, 8) on x (1, 3, 4)", mistakes_on=("public_eval",)),
        Group("same_shapes", COURSE, "EncoderLayer(4, 2, 8) on another x (1, 3, 4) with other (1, 3) masks, "
                                     "another seed"),
        Group("public_more", BEYOND, "EncoderLayer(4, 2, 8) on the public x (1, 3, 4) called again and with "
                                     "training= and mask= as keywords", shown=True),
        Group("other_sizes", BEYOND, "EncoderLayer(8, 3, 16, dropout_rate=0.2) on x (1, 5, 8) with a "
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
            return layer["public"](X3, True, ENCODER_LAYER_TRAIN_MASK)

        yield "public", "public_train", public_train
        yield "public", "public_eval", lambda: layer["public"](X3, False, ENCODER_LAYER_PUBLIC_MASK)
        yield "public", "public_eval_again", lambda: layer["public"](X3, False, ENCODER_LAYER_PUBLIC_MASK)
        yield "public", "public_eval_keywords", lambda: layer["public"](X3, training=False,
                                                                        mask=ENCODER_LAYER_PUBLIC_MASK)
        same_x = random_input(21, (1, 3, 4))

        def same_train():
            layer["same"] = built(target, 24, *self.PUBLIC_ARGS)
            return layer["same"](same_x, True, np.array([[1, 1, 0]]))

        yield "same_shapes", "same_train", same_train
        yield "same_shapes", "same_eval", lambda: layer["same"](same_x, False, np.array([[1, 0, 1]]))
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

    def _why(self, got, expected):
        """A named reason the public outputs differ, or None (from the training=False calls)."""
        what = "EncoderLayer(4, 2, 8) with training=False"
        try:
            eval_ = array_of(got["public_eval"], what, shape=(1, 3, 4))
            check_eval_is_deterministic(got, eval_, what, None, "Pass training=training to self.dropout_ffn.")
        except CheckFailed as failure:
            return str(failure)
        want = array_of(expected["public_eval"], what)
        hint = named_mistake(eval_, self.known_mistakes("public_eval"))
        if hint is None and close(eval_, want):
            return self.DROPOUT[convention_of(self.settings).name]
        return hint

    DROPOUT = {  # the training=False output is right: where dropout goes, per release
        "current": "The training=False output is right, so look at dropout: apply self.dropout_ffn to the ffn "
                   "output with training=training, and nothing else random.",
        "2021": "The training=False output is right, so look at dropout: this notebook is the 2021 release, whose "
                "EncoderLayer has two dropouts, self.dropout1 on the attention output and self.dropout2 on the ffn "
                "output (each with training=training; its self.mha has no dropout of its own). Today's release "
                "has one, self.dropout_ffn.",
    }

    def compare_public(self, got, expected):
        course_outputs(got, expected, (("public_train", "EncoderLayer(4, 2, 8) with training=True"),
                                       ("public_eval", "EncoderLayer(4, 2, 8) with training=False")),
                       None, (1, 3, 4), lambda: self._why(got, expected),
                       "Check: self-attention of x with the mask; layernorm1(x + attention); ffn; dropout; "
                       "layernorm2(out1 + ffn output).")

    def compare_same_shapes(self, got, expected):
        course_outputs(got, expected, (("same_train", "EncoderLayer(4, 2, 8) with training=True"),
                                       ("same_eval", "EncoderLayer(4, 2, 8) with training=False")),
                       None, (1, 3, 4), None, "Another seed, other values and masks of the course's shapes.")

    def compare_public_more(self, got, expected):
        what = "EncoderLayer(4, 2, 8) with training=False"
        eval_ = array_of(got["public_eval"], what, shape=(1, 3, 4))
        check_eval_is_deterministic(got, eval_, what, None, "Pass training=training to self.dropout_ffn.")
        check_keywords_agree(got, eval_, "EncoderLayer", None, "call(self, x, training, mask)")

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
    groups = (
        Group("public", PUBLIC, "Encoder(2, 4, 2, 8, 32, 5) on token ids (2, 3)", mistakes_on=("public_eval",)),
        Group("same_shapes", COURSE, "Encoder(2, 4, 2, 8, 32, 5) on other token ids (2, 3) with another "
                                     "(2, 1, 1, 3) mask, another seed"),
        Group("public_more", BEYOND, "Encoder(2, 4, 2, 8, 32, 5) on the public token ids called again and with "
                                     "training= and mask= as keywords", shown=True),
        Group("other_sizes", BEYOND, "Encoder(3, 8, 2, 16, 15, 10) on token ids (3, 6) with a (3, 1, 6) padding "
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
        """The course's (2, 1, 1, 3) mask: row 1's last token is padding."""
        return padding_mask_of([3, 2], 3)[:, np.newaxis]

    def scenarios(self, target, extras):
        model = {}
        mask = self.public_mask()

        def public_train():
            model["public"] = built(target, 42, **self.ARGS)
            return model["public"](ENCODER_IDS, True, None)

        yield "public", "public_train", public_train
        yield "public", "public_train_mask", lambda: model["public"](ENCODER_IDS, True, mask)
        yield "public", "public_eval", lambda: model["public"](ENCODER_IDS, False, mask)
        yield "public", "public_eval_again", lambda: model["public"](ENCODER_IDS, False, mask)
        yield "public", "public_eval_keywords", lambda: model["public"](ENCODER_IDS, training=False, mask=mask)
        same_ids, same_mask = np.array([[7, 30, 0], [4, 4, 9]]), padding_mask_of([2, 3], 3)[:, np.newaxis]

        def same_train():
            model["same"] = built(target, 25, **self.ARGS)
            return model["same"](same_ids, True, None)

        yield "same_shapes", "same_train", same_train
        yield "same_shapes", "same_train_mask", lambda: model["same"](same_ids, True, same_mask)
        yield "same_shapes", "same_eval", lambda: model["same"](same_ids, False, same_mask)
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

    def _why(self, got, expected):
        what = "Encoder output with training=False"
        try:
            eval_ = array_of(got["public_eval"], what, shape=(2, 3, 4))
            check_eval_is_deterministic(got, eval_, what, None, "Pass training=training to self.dropout, and "
                                        "training to every encoder layer.")
        except CheckFailed as failure:
            return str(failure)
        hint = named_mistake(eval_, self.known_mistakes("public_eval"))
        if hint is None and close(eval_, array_of(expected["public_eval"], what)):
            return ("The training=False output is right, so look at dropout: self.dropout(x, training=training) "
                    "after adding the positional encoding, and pass training to each layer.")
        return hint

    def compare_public(self, got, expected):
        course_outputs(got, expected, (("public_train", "Encoder output with training=True and no mask"),
                                       ("public_train_mask", "Encoder output with training=True and the mask"),
                                       ("public_eval", "Encoder output with training=False")),
                       None, (2, 3, 4), lambda: self._why(got, expected),
                       "Check: embedding, times sqrt(embedding_dim), plus pos_encoding[:, :seq_len, :], dropout, "
                       "then every layer in order with training and mask.")

    def compare_same_shapes(self, got, expected):
        course_outputs(got, expected, (("same_train", "Encoder output with training=True and no mask"),
                                       ("same_train_mask", "Encoder output with training=True and the mask"),
                                       ("same_eval", "Encoder output with training=False")),
                       None, (2, 3, 4), None, "Another seed, other token ids and mask of the course's shapes.")

    def compare_public_more(self, got, expected):
        what = "Encoder output with training=False"
        eval_ = array_of(got["public_eval"], what, shape=(2, 3, 4))
        check_eval_is_deterministic(got, eval_, what, None, "Pass training=training to self.dropout, and training "
                                    "to every encoder layer.")
        check_keywords_agree(got, eval_, "Encoder", None, "call(self, x, training, mask)")

    def compare_other_sizes(self, got, expected):
        compare_outputs(got, expected, ("sizes_build", "sizes_train"), "Encoder", None,
                        "Batch 3, three layers and other sizes.")
        check_unchanged(got, "sizes_build", "sizes_padding_b", None, np.s_[0, :4],
                        "Changing token ids at padded positions changed the encoder output at real "
                        "positions: pass the mask to every encoder layer.")

    def compare_one_position(self, got, expected):
        compare_outputs(got, expected, ("one_position",), "Encoder", None, "One token per sequence, mask None.")
