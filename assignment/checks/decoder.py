"""Checks of exercises 6 and 7: ``DecoderLayer`` and ``Decoder``.

The course's tests call DecoderLayer(4, 8, 32) on one (1, 3, 4) sequence (batch 1) and
Decoder on a batch of 2 target sequences of length 3. Hidden course scenarios keep those
batch sizes with other sizes, seeds and masks (and check causality and padding);
beyond the course are a batch of 2 for DecoderLayer and single-token targets.
"""
import numpy as np

from assignment.checks.inputs import DECODER_IDS, ENC_OUTPUT, X3, causal, padding_mask_of, random_input
from assignment.checks.layers import (attention_dict, built, check_eval_is_deterministic, check_keywords_agree,
                                      check_unchanged, compare_outputs)
from assignment.checks.protocol import (BEYOND, COURSE, PUBLIC, Check, CheckFailed, Group, array_of, close,
                                        diagnose, mismatch, register, tuple_items, value_of)


@register
class DecoderLayerCheck(Check):
    name = "DecoderLayer"
    first_scenario = "public_train"
    PUBLIC_ARGS = dict(embedding_dim=4, num_heads=8, fully_connected_dim=32)
    HIDDEN_ARGS = dict(embedding_dim=8, num_heads=2, fully_connected_dim=16, dropout_rate=0.2)
    PUBLIC_TRAIN_ROW = [1.2285516, -0.06560415, 0.3698757, -1.5328231]  # the course's published values
    groups = (
        Group("public", PUBLIC, "DecoderLayer(4, 8, 32) on x (1, 3, 4) and enc_output (1, 3, 4)",
              mistakes_on=("public_eval",)),
        Group("other_sizes", COURSE, "DecoderLayer(8, 2, 16, dropout_rate=0.2) on x (1, 6, 8), enc_output "
                                     "(1, 4, 8), a (1, 6, 6) look-ahead and a (1, 1, 4) padding mask, another seed"),
        Group("batch", BEYOND, "a batch of 2: x (2, 6, 8), enc_output (2, 4, 8), padding mask (2, 1, 4)"),
    )
    hints = {
        "query_x": "Block 2 must use Q1 (the output of block 1) as its query, not x: "
                   "self.mha2(Q1, enc_output, enc_output, padding_mask, ...).",
        "no_residual1": "The first residual connection is missing: Q1 = layernorm1(attention output + x).",
        "no_residual2": "The second residual connection is missing: layernorm2(attention output of block 2 + Q1).",
        "no_residual3": "The third residual connection is missing: layernorm3(ffn output + output of block 2).",
        "masks_swapped": "The two masks are swapped: block 1 (self-attention) takes look_ahead_mask, block 2 takes "
                         "padding_mask.",
        "no_padding": "The padding mask is not passed to self.mha2 (block 2): self.mha2(Q1, enc_output, "
                      "enc_output, padding_mask, return_attention_scores=True) (MultiHeadAttention's arguments are "
                      "query, value, key, attention_mask).",
    }

    @staticmethod
    def public_padding():
        return np.array([[[1, 1, 0]]], np.float32)  # (1, 1, 3)

    def scenarios(self, target, extras):
        layer = {}
        look_ahead, padding = causal(3), self.public_padding()

        def public_train():
            layer["public"] = built(target, 42, **self.PUBLIC_ARGS)
            return layer["public"](X3, ENC_OUTPUT, True, look_ahead, None)

        yield "public", "public_train", public_train
        yield "public", "public_eval", lambda: layer["public"](X3, ENC_OUTPUT, False, look_ahead, padding)
        yield "public", "public_eval_again", lambda: layer["public"](X3, ENC_OUTPUT, False, look_ahead, padding)
        yield "public", "public_eval_keywords", lambda: layer["public"](
            X3, ENC_OUTPUT, training=False, look_ahead_mask=look_ahead, padding_mask=padding)
        if extras:  # the learner's create_look_ahead_mask is given code; make sure it is intact
            yield "public", "look_ahead_mask", lambda: extras[0](3)
        x = random_input(5, (2, 6, 8))  # (batch, target_len, embedding_dim)
        enc = random_input(6, (2, 4, 8))  # (batch, input_len, embedding_dim)
        enc_mask = padding_mask_of([4, 2], 4)  # (2, 1, 4)
        x_future = x.copy()
        x_future[:, 3:] = random_input(8, (2, 3, 8))  # the future after position 2 changes
        enc_changed = enc.copy()
        enc_changed[1, 2:] = random_input(9, (2, 8))  # padded encoder positions of row 1 change
        row = np.s_[1:]  # batch 1: row 1 (2 real encoder positions of 4)

        def sizes_build():
            layer["hidden"] = built(target, 5, **self.HIDDEN_ARGS)
            return layer["hidden"](x[row], enc[row], False, causal(6), enc_mask[row])

        yield "other_sizes", "sizes_build", sizes_build
        yield "other_sizes", "sizes_causal_b", lambda: layer["hidden"](x_future[row], enc[row], False, causal(6),
                                                                       enc_mask[row])
        yield "other_sizes", "sizes_padding_b", lambda: layer["hidden"](x[row], enc_changed[row], False, causal(6),
                                                                        enc_mask[row])
        yield "other_sizes", "sizes_train", lambda: layer["hidden"](x[row], enc[row], True, causal(6), enc_mask[row])
        yield "batch", "batch", lambda: layer["hidden"](x, enc, False, causal(6), enc_mask)

    def compare_public(self, got, expected):
        what = "DecoderLayer(4, 8, 32) with training=False"
        out, block1, block2 = tuple_items(got["public_eval"], what, 3)
        eval_ = array_of(out, f"the first output (out3) of {what}", shape=(1, 3, 4))
        array_of(block1, f"the block 1 attention weights of {what}", shape=(1, 8, 3, 3))
        array_of(block2, f"the block 2 attention weights of {what}", shape=(1, 8, 3, 3))
        check_eval_is_deterministic(got, eval_, what, 3, "Pass training=training to self.dropout_ffn.")
        weights1 = value_of(block1, "block 1 weights")
        if not np.allclose(np.triu(weights1[0], k=1), 0, atol=1e-6):
            raise CheckFailed("Block 1 attends to future positions: pass the look-ahead mask to self.mha1.")
        want_items = tuple_items(expected["public_eval"], what, 3)
        diagnose(f"the first output (out3) of {what}", eval_, array_of(want_items[0], what),
                 self.known_mistakes("public_eval"),
                 "Check the three blocks: masked self-attention + residual + layernorm1; attention from Q1 to "
                 "enc_output + residual + layernorm2; ffn, dropout, residual, layernorm3.")
        diagnose(f"the block 2 attention weights of {what}", value_of(block2, "block 2 weights"),
                 want_items[2]["array"], [],
                 "Return the attention scores of block 2 (return_attention_scores=True on self.mha2).")
        diagnose(f"the block 1 attention weights of {what}", weights1, want_items[1]["array"], [],
                 "Return the attention scores of block 1 (return_attention_scores=True on self.mha1).")
        check_keywords_agree(got, eval_, "DecoderLayer", 3,
                             "call(self, x, enc_output, training, look_ahead_mask, padding_mask)")
        train_items = tuple_items(got["public_train"], "DecoderLayer with training=True", 3)
        want_train = tuple_items(expected["public_train"], "reference", 3)
        train = array_of(train_items[0], "DecoderLayer output with training=True")
        if not (close(train[0, 0], self.PUBLIC_TRAIN_ROW, atol=1e-4)
                and close(train, want_train[0]["array"])
                and close(value_of(train_items[2], "block 2 weights"), want_train[2]["array"])):
            raise CheckFailed(mismatch("DecoderLayer output with training=True", train, want_train[0]["array"]) +
                              " The training=False output is right, so look at dropout: self.dropout_ffn on the "
                              "ffn output with training=training.")
        if "look_ahead_mask" in got:
            mask = array_of(got["look_ahead_mask"], "create_look_ahead_mask(3)")
            if not close(mask, causal(3)):
                raise CheckFailed("create_look_ahead_mask(3) does not return the (1, 3, 3) lower-triangular "
                                  "matrix of ones; it is given code, restore it.")

    def compare_other_sizes(self, got, expected):
        compare_outputs(got, expected, ("sizes_build", "sizes_train"), "DecoderLayer(8, 2, 16)", 3,
                        "Other sizes, another seed, dropout_rate=0.2.")
        check_unchanged(got, "sizes_build", "sizes_causal_b", 3, np.s_[:, :3],
                        "Changing the target after position t changed the output at positions <= t: "
                        "the look-ahead mask does not reach self.mha1.")
        check_unchanged(got, "sizes_build", "sizes_padding_b", 3, np.s_[:],
                        "Changing padded encoder positions changed the output: the padding mask does "
                        "not reach self.mha2.")

    def compare_batch(self, got, expected):
        compare_outputs(got, expected, ("batch",), "DecoderLayer(8, 2, 16)", 3, "Batch 2: row 1 is padded.")


@register
class DecoderCheck(Check):
    name = "Decoder"
    first_scenario = "public_train"
    ARGS = dict(num_layers=2, embedding_dim=4, num_heads=2, fully_connected_dim=8,
                target_vocab_size=33, maximum_position_encoding=6)
    HIDDEN_ARGS = dict(num_layers=3, embedding_dim=8, num_heads=2, fully_connected_dim=16, target_vocab_size=12,
                       maximum_position_encoding=9)
    groups = (
        Group("public", PUBLIC, "Decoder(2, 4, 2, 8, 33, 6) on token ids (2, 3) and enc_output (2, 3, 4)",
              mistakes_on=("public_eval",)),
        Group("other_sizes", COURSE, "Decoder(3, 8, 2, 16, 12, 9) on token ids (2, 5), enc_output (2, 4, 8), "
                                     "a (1, 5, 5) look-ahead and a (2, 1, 4) padding mask, another seed"),
        Group("one_position", BEYOND, "single-token targets without masks: token ids (2, 1), enc_output (2, 4, 8)"),
    )
    hints = {
        "no_scale": "The embeddings are not multiplied by sqrt(embedding_dim) (as float32).",
        "scale_by_dim": "Multiply the embeddings by the square root of embedding_dim, not embedding_dim itself.",
        "no_pe": "The positional encoding is not added: x += self.pos_encoding[:, :seq_len, :].",
        "not_chained": "Each decoder layer must take the previous layer's output, not the embeddings.",
        "masks_swapped": "The masks are swapped: each decoder layer takes (x, enc_output, training, "
                         "look_ahead_mask, padding_mask) in that order.",
    }

    @staticmethod
    def public_inputs():
        """(enc_output (2, 3, 4), padding mask (2, 1, 3)) of the public scenario."""
        return np.concatenate([ENC_OUTPUT, ENC_OUTPUT[:, ::-1]], axis=0), padding_mask_of([3, 2], 3)

    def scenarios(self, target, extras):
        model = {}
        enc, padding = self.public_inputs()

        def public_train():
            model["public"] = built(target, 42, **self.ARGS)
            return model["public"](DECODER_IDS, enc, True, causal(3), padding)

        yield "public", "public_train", public_train
        yield "public", "public_eval", lambda: model["public"](DECODER_IDS, enc, False, causal(3), padding)
        yield "public", "public_eval_again", lambda: model["public"](DECODER_IDS, enc, False, causal(3), padding)
        yield "public", "public_eval_keywords", lambda: model["public"](
            DECODER_IDS, enc, training=False, look_ahead_mask=causal(3), padding_mask=padding)
        if len(extras) == 2:  # the learner's given mask helpers must be intact
            yield "public", "look_ahead_mask", lambda: extras[0](4)
            yield "public", "padding_mask", lambda: extras[1](np.array([[7, 0, 3, 0]]))
        ids = np.array([[4, 8, 1, 9, 2], [6, 3, 0, 0, 0]])
        future = ids.copy()
        future[:, 3:] = [[5, 5], [7, 1]]
        enc_h = random_input(12, (2, 4, 8))
        enc_mask = padding_mask_of([4, 3], 4)

        def sizes_build():
            model["hidden"] = built(target, 13, **self.HIDDEN_ARGS)
            return model["hidden"](ids, enc_h, False, causal(5), enc_mask)

        yield "other_sizes", "sizes_build", sizes_build
        yield "other_sizes", "sizes_causal_b", lambda: model["hidden"](future, enc_h, False, causal(5), enc_mask)
        yield "other_sizes", "sizes_train", lambda: model["hidden"](ids, enc_h, True, causal(5), enc_mask)
        yield "one_position", "one_position", lambda: model["hidden"](ids[:, :1], enc_h, False, None, None)

    def compare_public(self, got, expected):
        what = "Decoder output with training=False"
        out, weights = tuple_items(got["public_eval"], what, 2)
        eval_ = array_of(out, what, shape=(2, 3, 4))
        attention = attention_dict(weights, "the second output of Decoder", 2)
        for key, record in attention.items():
            array_of(record, f"attention_weights['{key}']", shape=(2, 2, 3, 3))
        check_eval_is_deterministic(got, eval_, what, 2, "Pass training=training to self.dropout and training to "
                                    "every decoder layer.")
        want_out, want_weights = tuple_items(expected["public_eval"], what, 2)
        diagnose(what, eval_, want_out["array"], self.known_mistakes("public_eval"),
                 "Check: embedding, times sqrt(embedding_dim), plus pos_encoding[:, :seq_len, :], dropout, then "
                 "every layer in order with enc_output, training and both masks.")
        for key, record in attention.items():
            diagnose(f"attention_weights['{key}']", record["array"], want_weights["items"][key]["array"], [],
                     "Store block 1 of layer i under 'decoder_layer{i}_block1_self_att' and block 2 under "
                     "'decoder_layer{i}_block2_decenc_att', with i counted from 1.")
        check_keywords_agree(got, eval_, "Decoder", 2,
                             "call(self, x, enc_output, training, look_ahead_mask, padding_mask)")
        train = array_of(tuple_items(got["public_train"], "Decoder with training=True", 2)[0], "Decoder output")
        diagnose("Decoder output with training=True", train,
                 tuple_items(expected["public_train"], "reference", 2)[0]["array"], [],
                 "The training=False output is right, so look at dropout: self.dropout(x, training=training) "
                 "after adding the positional encoding, and training passed to each layer.")
        if "look_ahead_mask" in got:
            if not close(array_of(got["look_ahead_mask"], "create_look_ahead_mask(4)"), causal(4)):
                raise CheckFailed("create_look_ahead_mask is given code and no longer returns the causal mask.")
            if not close(array_of(got["padding_mask"], "create_padding_mask"), [[[1, 0, 1, 0]]]):
                raise CheckFailed("create_padding_mask is given code and no longer returns 1.0 for real tokens.")

    def compare_other_sizes(self, got, expected):
        compare_outputs(got, expected, ("sizes_build", "sizes_train"), "Decoder", 2,
                        "Three layers and other sizes.")
        check_unchanged(got, "sizes_build", "sizes_causal_b", 2, np.s_[:, :3],
                        "Changing target tokens after position t changed the decoder output at "
                        "positions <= t: the look-ahead mask is not applied.")

    def compare_one_position(self, got, expected):
        compare_outputs(got, expected, ("one_position",), "Decoder", 2, "One target token, no masks.")
