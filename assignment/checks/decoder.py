"""Checks of exercises 6 and 7: ``DecoderLayer`` and ``Decoder``.

What the course's public tests compare (``DecoderLayer_test(target, create_look_ahead_mask)``
and ``Decoder_test(target, create_look_ahead_mask, create_padding_mask)`` of the course's
``public_tests.py``, as published in public learner repositories):

* ``DecoderLayer_test``: after ``tf.keras.utils.set_random_seed(42)``, DecoderLayer(4, 8, 32,
  0.1, 1e-6) on x (1, 3, 4) and enc_output (1, 3, 4), training=True, the (1, 3, 3)
  look-ahead mask, padding mask None: three tensors; both attention maps of shape
  (1, 8, 3, 3), the output (1, 3, 4); ``block1[0, 0, 1]`` allclose with atol=1e-2,
  ``block2[0, 0, 1]`` and ``out[0, 0]`` allclose (default tolerances). Then with the
  padding mask [[[1, 1, 0]]]: ``out[0, 0]`` allclose. Only training=True calls.
* ``Decoder_test``: after seed 42, Decoder(7, 4, 3, 8, 33, 6) on token ids (2, 3) and an
  enc_output (2, 3, 4): with training=False, the look-ahead mask and no padding mask, x a
  tensor of shape (2, 3, 4), ``x[1, 1]`` allclose; the weights a dict of 2 x 7 entries,
  the first a tensor whose ``[0, 0, 1]`` is allclose, the second of shape (2, 3, 3, 3)
  (the names of the keys are not checked). Then training=True without and with
  ``create_padding_mask(x)``: ``x[1, 1]`` allclose.

Public scenarios: those calls, in that order, compared that way (the other calls of the
public group only serve to name a mistake). Course scenarios: the same on other values,
seeds and masks of the same shapes. Beyond (``public_more`` is shown by the public test):
the training=False output, the full outputs and every attention map under its key,
calling with keywords, the given mask helpers, other sizes, batches, one position.
"""
import numpy as np

from assignment.checks.inputs import DECODER_IDS, ENC_OUTPUT, X3, causal, convention_of, padding_mask_of, random_input
from assignment.checks.comparisons import (attention_dict, built, check_eval_is_deterministic, check_keywords_agree,
                                      check_unchanged, compare_every_map, compare_outputs, course_attention_dict,
                                      course_outputs, misplaced_maps)
from assignment.checks.judging import (CheckFailed, array_of, close, course_close, course_compare, diagnose,
                                       named_mistake, tuple_items, value_of)
from assignment.checks.protocol import BEYOND, COURSE, PUBLIC, Check, Group, register

# The enc_output (2, 3, 4) of the course's Decoder_test: its first row is ENC_OUTPUT.
DECODER_ENC_OUTPUT = np.concatenate([ENC_OUTPUT, np.array([[[-0.3489219, 0.31335592, -1.3568854, 1.3924513],
                                                            [-0.08761203, -0.1680029, -1.2742313, 1.5298463],
                                                            [0.2627198, -1.6140151, 0.2212624, 1.130033]]],
                                                          np.float32)], axis=0)


@register
class DecoderLayerCheck(Check):
    name = "DecoderLayer"
    first_scenario = "public_train"
    PUBLIC_ARGS = dict(embedding_dim=4, num_heads=8, fully_connected_dim=32, dropout_rate=0.1, layernorm_eps=1e-6)
    HIDDEN_ARGS = dict(embedding_dim=8, num_heads=2, fully_connected_dim=16, dropout_rate=0.2)
    groups = (
        Group("public", PUBLIC, "DecoderLayer(4, 8, 32) on x (1, 3, 4) and enc_output (1, 3, 4)",
              mistakes_on=("public_eval",)),
        Group("same_shapes", COURSE, "DecoderLayer(4, 8, 32) on another x (1, 3, 4) and enc_output (1, 3, 4), "
                                     "another (1, 1, 3) padding mask and seed"),
        Group("public_more", BEYOND, "DecoderLayer(4, 8, 32) on the public inputs: the training=False output, "
                                     "every value of the outputs, keywords, create_look_ahead_mask", shown=True),
        Group("other_sizes", BEYOND, "DecoderLayer(8, 2, 16, dropout_rate=0.2) on x (1, 6, 8), enc_output "
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
        yield "public", "public_train_padding", lambda: layer["public"](X3, ENC_OUTPUT, True, look_ahead, padding)
        yield "public", "public_eval", lambda: layer["public"](X3, ENC_OUTPUT, False, look_ahead, padding)
        yield "public", "public_eval_again", lambda: layer["public"](X3, ENC_OUTPUT, False, look_ahead, padding)
        yield "public", "public_eval_keywords", lambda: layer["public"](
            X3, ENC_OUTPUT, training=False, look_ahead_mask=look_ahead, padding_mask=padding)
        if extras:  # the learner's create_look_ahead_mask is given code; make sure it is intact
            yield "public", "look_ahead_mask", lambda: extras[0](3)
        same_x, same_enc = random_input(31, (1, 3, 4)), random_input(32, (1, 3, 4))

        def same_train():
            layer["same"] = built(target, 33, **self.PUBLIC_ARGS)
            return layer["same"](same_x, same_enc, True, look_ahead, None)

        yield "same_shapes", "same_train", same_train
        yield "same_shapes", "same_train_padding", lambda: layer["same"](same_x, same_enc, True, look_ahead,
                                                                         np.array([[[1, 0, 1]]], np.float32))
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

    def _why(self, got, expected):
        """A named reason the public outputs differ, from the training=False call, or None."""
        what = "DecoderLayer(4, 8, 32) with training=False"
        try:
            out, block1, _ = tuple_items(got["public_eval"], what, 3)
            eval_ = array_of(out, f"the first output (out3) of {what}", shape=(1, 3, 4))
            check_eval_is_deterministic(got, eval_, what, 3, "Pass training=training to self.dropout_ffn.")
            weights1 = array_of(block1, f"the block 1 attention weights of {what}", shape=(1, 8, 3, 3))
        except CheckFailed as failure:
            return str(failure)
        if not np.allclose(np.triu(weights1[0], k=1), 0, atol=1e-6):
            return "Block 1 attends to future positions: pass the look-ahead mask to self.mha1."
        want = tuple_items(expected["public_eval"], what, 3)[0]["array"]
        hint = named_mistake(eval_, self.known_mistakes("public_eval"))
        if hint is None and close(eval_, want):
            return self.DROPOUT[convention_of(self.settings).name]
        return hint

    DROPOUT = {  # the training=False output is right: where dropout goes, per release
        "current": "The training=False output is right, so look at dropout: self.dropout_ffn on the ffn output "
                   "with training=training.",
        "2021": "The training=False output is right, so look at dropout: this notebook is the 2021 release, whose "
                "DecoderLayer has three dropouts, self.dropout1 after block 1's attention, self.dropout2 after "
                "block 2's and self.dropout3 after the ffn (each with training=training; its self.mha1 and "
                "self.mha2 have no dropout of their own). Today's release has one, self.dropout_ffn.",
    }

    def _course(self, got, expected, train, padded, why):
        what = "DecoderLayer(4, 8, 32) with training=True"
        out, block1, block2 = tuple_items(got[train], what, 3)
        want = tuple_items(expected[train], what, 3)
        out = array_of(out, f"the first output (out3) of {what}", tensor=True, shape=(1, 3, 4))
        for index, (record, name) in enumerate(((block1, "block 1"), (block2, "block 2")), start=1):
            weights = array_of(record, f"the {name} attention weights of {what}", tensor=True, shape=(1, 8, 3, 3))
            atol = 1e-2 if index == 1 else 1e-8  # the course's tolerances
            if not course_close(weights[0, 0, 1], want[index]["array"][0, 0, 1], atol=atol):
                reason = why() if why else None
                if reason:
                    raise CheckFailed(reason)
                course_compare(f"the {name} attention weights [0, 0, 1] of {what}", weights[0, 0, 1],
                               want[index]["array"][0, 0, 1], [], f"Return the attention scores of {name} "
                               f"(return_attention_scores=True on self.mha{index}).", atol=atol)
        course_outputs(got, expected, ((train, what), (padded, f"{what} and the padding mask")), 3, (1, 3, 4),
                       why, "Check the three blocks: masked self-attention + residual + layernorm1; attention from "
                            "Q1 to enc_output + residual + layernorm2; ffn, dropout, residual, layernorm3.",
                       part=np.s_[0, 0])

    def compare_public(self, got, expected):
        self._course(got, expected, "public_train", "public_train_padding", lambda: self._why(got, expected))

    def compare_same_shapes(self, got, expected):
        self._course(got, expected, "same_train", "same_train_padding", None)

    def compare_public_more(self, got, expected):
        what = "DecoderLayer(4, 8, 32) with training=False"
        reason = self._why(got, expected)
        out, block1, block2 = tuple_items(got["public_eval"], what, 3)
        eval_ = array_of(out, f"the first output (out3) of {what}", shape=(1, 3, 4))
        want_items = tuple_items(expected["public_eval"], what, 3)
        if reason and not close(eval_, want_items[0]["array"]):
            raise CheckFailed(reason)
        diagnose(f"the first output (out3) of {what}", eval_, want_items[0]["array"], [],
                 "Check the three blocks with training=False.")
        diagnose(f"the block 2 attention weights of {what}", value_of(block2, "block 2 weights"),
                 want_items[2]["array"], [],
                 "Return the attention scores of block 2 (return_attention_scores=True on self.mha2).")
        diagnose(f"the block 1 attention weights of {what}", value_of(block1, "block 1 weights"),
                 want_items[1]["array"], [],
                 "Return the attention scores of block 1 (return_attention_scores=True on self.mha1).")
        check_keywords_agree(got, eval_, "DecoderLayer", 3,
                             "call(self, x, enc_output, training, look_ahead_mask, padding_mask)")
        compare_outputs(got, expected, ("public_train", "public_train_padding"), "DecoderLayer(4, 8, 32)", 3,
                        "Every value of the training=True outputs.")
        if "look_ahead_mask" in got:
            mask = array_of(got["look_ahead_mask"], "create_look_ahead_mask(3)")
            if not close(mask, convention_of(self.settings).look_ahead(3)):
                raise CheckFailed("create_look_ahead_mask(3) no longer returns the release's look-ahead mask; it is "
                                  "given code, restore it.")

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
    first_scenario = "public_eval"
    ARGS = dict(num_layers=7, embedding_dim=4, num_heads=3, fully_connected_dim=8,
                target_vocab_size=33, maximum_position_encoding=6)
    HIDDEN_ARGS = dict(num_layers=3, embedding_dim=8, num_heads=2, fully_connected_dim=16, target_vocab_size=12,
                       maximum_position_encoding=9)
    groups = (
        Group("public", PUBLIC, "Decoder(7, 4, 3, 8, 33, 6) on token ids (2, 3) and enc_output (2, 3, 4)",
              mistakes_on=("public_eval",)),
        Group("same_shapes", COURSE, "Decoder(7, 4, 3, 8, 33, 6) on other token ids (2, 3) and enc_output "
                                     "(2, 3, 4), another seed"),
        Group("public_more", BEYOND, "Decoder(7, 4, 3, 8, 33, 6) on the public inputs: every value of the "
                                     "outputs, every attention map under its key, keywords, the mask helpers",
              shown=True),
        Group("other_sizes", BEYOND, "Decoder(3, 8, 2, 16, 12, 9) on token ids (2, 5), enc_output (2, 4, 8), "
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
        """(enc_output (2, 3, 4), padding mask (2, 1, 3) = create_padding_mask(token ids)) of the public scenario."""
        return DECODER_ENC_OUTPUT, padding_mask_of([3, 2], 3)

    def scenarios(self, target, extras):
        model = {}
        enc, padding = self.public_inputs()

        def public_eval():
            model["public"] = built(target, 42, **self.ARGS)
            return model["public"](DECODER_IDS, enc, False, causal(3), None)

        yield "public", "public_eval", public_eval
        yield "public", "public_train", lambda: model["public"](DECODER_IDS, enc, True, causal(3), None)
        yield "public", "public_train_padding", lambda: model["public"](DECODER_IDS, enc, True, causal(3), padding)
        yield "public", "public_eval_again", lambda: model["public"](DECODER_IDS, enc, False, causal(3), None)
        yield "public", "public_eval_keywords", lambda: model["public"](
            DECODER_IDS, enc, training=False, look_ahead_mask=causal(3), padding_mask=None)
        if len(extras) == 2:  # the learner's given mask helpers must be intact
            yield "public", "look_ahead_mask", lambda: extras[0](4)
            yield "public", "padding_mask", lambda: extras[1](np.array([[7, 0, 3, 0]]))
        same_ids, same_enc = np.array([[5, 1, 0], [9, 9, 2]]), random_input(41, (2, 3, 4))

        def same_eval():
            model["same"] = built(target, 43, **self.ARGS)
            return model["same"](same_ids, same_enc, False, causal(3), None)

        yield "same_shapes", "same_eval", same_eval
        yield "same_shapes", "same_train", lambda: model["same"](same_ids, same_enc, True, causal(3), None)
        yield "same_shapes", "same_train_padding", lambda: model["same"](same_ids, same_enc, True, causal(3),
                                                                         padding_mask_of([2, 3], 3))
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

    def _why(self, got, expected):
        what = "Decoder output with training=False"
        try:
            out, _ = tuple_items(got["public_eval"], what, 2)
            eval_ = array_of(out, what, shape=(2, 3, 4))
            check_eval_is_deterministic(got, eval_, what, 2, "Pass training=training to self.dropout and training "
                                        "to every decoder layer.")
        except CheckFailed as failure:
            return str(failure)
        want = tuple_items(expected["public_eval"], what, 2)[0]["array"]
        hint = named_mistake(eval_, self.known_mistakes("public_eval"))
        if hint is None and close(eval_, want):
            return ("The training=False output is right, so look at dropout: self.dropout(x, training=training) "
                    "after adding the positional encoding, and training passed to each layer.")
        return hint

    def _course(self, got, expected, keys, why):
        first, train, padded = keys
        what = "Decoder output with training=False"
        out, weights = tuple_items(got[first], what, 2)
        course_outputs(got, expected, ((first, what), (train, "Decoder output with training=True"),
                                       (padded, "Decoder output with training=True and the padding mask")),
                       2, (2, 3, 4), why, "Check: embedding, times sqrt(embedding_dim), plus pos_encoding[:, :seq_len, "
                                          ":], dropout, then every layer in order with enc_output, training and both "
                                          "masks.", part=np.s_[1, 1])
        course_attention_dict(weights, "the second output of Decoder", self.ARGS["num_layers"], (2, 3, 3, 3),
                              tuple_items(expected[first], what, 2)[1])

    def compare_public(self, got, expected):
        self._course(got, expected, ("public_eval", "public_train", "public_train_padding"),
                     lambda: self._why(got, expected))

    def compare_same_shapes(self, got, expected):
        self._course(got, expected, ("same_eval", "same_train", "same_train_padding"), None)

    def compare_public_more(self, got, expected):
        what = "Decoder output with training=False"
        out, weights = tuple_items(got["public_eval"], what, 2)
        eval_ = array_of(out, what, shape=(2, 3, 4))
        check_eval_is_deterministic(got, eval_, what, 2, "Pass training=training to self.dropout and training to "
                                    "every decoder layer.")
        want_out, want_weights = tuple_items(expected["public_eval"], what, 2)
        diagnose(what, eval_, want_out["array"], self.known_mistakes("public_eval"),
                 "Check: embedding, times sqrt(embedding_dim), plus pos_encoding[:, :seq_len, :], dropout, then "
                 "every layer in order with enc_output, training and both masks.")
        if isinstance(weights.get("items"), dict) and set(weights["items"]) == set(want_weights["items"]):
            misplaced = misplaced_maps(weights["items"], want_weights["items"])
            if misplaced:
                raise CheckFailed(misplaced)
        attention = attention_dict(weights, "the second output of Decoder", self.ARGS["num_layers"])
        for key, record in attention.items():
            array_of(record, f"attention_weights['{key}']", shape=(2, 3, 3, 3))
        compare_every_map(attention, want_weights["items"],
                          "Store block 1 of layer i under 'decoder_layer{i}_block1_self_att' and block 2 under "
                          "'decoder_layer{i}_block2_decenc_att', with i counted from 1.")
        check_keywords_agree(got, eval_, "Decoder", 2,
                             "call(self, x, enc_output, training, look_ahead_mask, padding_mask)")
        compare_outputs(got, expected, ("public_train", "public_train_padding"), "Decoder", 2,
                        "Every value of the training=True outputs.")
        if "look_ahead_mask" in got:
            convention = convention_of(self.settings)
            if not close(array_of(got["look_ahead_mask"], "create_look_ahead_mask(4)"), convention.look_ahead(4)):
                raise CheckFailed("create_look_ahead_mask is given code and no longer returns the release's "
                                  "look-ahead mask.")
            if not close(array_of(got["padding_mask"], "create_padding_mask"),
                         convention.padding(np.array([[7, 0, 3, 0]]))):
                raise CheckFailed("create_padding_mask is given code and no longer returns the release's padding "
                                  "mask.")

    def compare_other_sizes(self, got, expected):
        compare_outputs(got, expected, ("sizes_build", "sizes_train"), "Decoder", 2,
                        "Three layers and other sizes.")
        check_unchanged(got, "sizes_build", "sizes_causal_b", 2, np.s_[:, :3],
                        "Changing target tokens after position t changed the decoder output at "
                        "positions <= t: the look-ahead mask is not applied.")

    def compare_one_position(self, got, expected):
        compare_outputs(got, expected, ("one_position",), "Decoder", 2, "One target token, no masks.")
