"""Check of exercise 8: ``Transformer``.

What the course's public test compares (``Transformer_test(target, create_look_ahead_mask,
create_padding_mask)`` of the course's ``public_tests.py``, as published in public learner
repositories): after ``tf.keras.utils.set_random_seed(42)``, Transformer(6, 4, 4, 8, 30, 35,
5, 6) on one pair of sentences (1, 5), with the padding masks of both sentences and the
(1, 5, 5) look-ahead mask. With training=True: a tensor of shape (1, 5, 35) whose
``[0, 0, 0:8]`` is allclose (default tolerances); the weights a dict of 2 x 6 entries, the
first a tensor whose ``[0, 0, 1]`` is allclose, the second of shape (1, 4, 5, 5). Then with
training=False and the same masks: ``[0, 0, 0:8]`` allclose.

Public scenarios: those calls, compared that way; course: the same on another pair of
sentences of the same shapes and another seed. Beyond (``public_more`` shown by the public
test): every value, every attention map under its key, keywords, other sizes, a batch.
"""
import numpy as np

from assignment.checks.inputs import SENTENCE_IN, SENTENCE_OUT, causal, padding_mask_of
from assignment.checks.comparisons import (attention_dict, built, check_eval_is_deterministic, check_keywords_agree,
                                      check_unchanged, compare_every_map, compare_outputs, course_attention_dict,
                                      course_outputs, misplaced_maps)
from assignment.checks.judging import CheckFailed, array_of, close, diagnose, named_mistake, tuple_items, value_of
from assignment.checks.protocol import BEYOND, COURSE, PUBLIC, Check, Group, register


@register
class TransformerCheck(Check):
    name = "Transformer"
    first_scenario = "public_train"
    ARGS = (6, 4, 4, 8, 30, 35, 5, 6)
    HIDDEN_ARGS = (2, 8, 2, 16, 10, 9, 8, 7)
    groups = (
        Group("public", PUBLIC, "Transformer(6, 4, 4, 8, 30, 35, 5, 6) on one pair of sentences of 5 tokens",
              mistakes_on=("public_eval",)),
        Group("same_shapes", COURSE, "Transformer(6, 4, 4, 8, 30, 35, 5, 6) on another pair of sentences of 5 "
                                     "tokens, another seed"),
        Group("public_more", BEYOND, "Transformer(6, 4, 4, 8, 30, 35, 5, 6) on the public sentences: every value, "
                                     "every attention map under its key, keywords", shown=True),
        Group("other_sizes", BEYOND, "Transformer(2, 8, 2, 16, 10, 9, 8, 7) on one input sentence of 6 tokens "
                                     "(3 real) and a target of 5, another seed"),
        Group("batch", BEYOND, "a batch of 3 pairs of sentences: inputs (3, 6), targets (3, 5)"),
    )
    hints = {
        "decoder_masks_swapped": "The decoder gets its two masks swapped: self.decoder(output_sentence, enc_output, "
                                 "training, look_ahead_mask, dec_padding_mask).",
        "decoder_padding_is_look_ahead": "The decoder must get dec_padding_mask as its padding mask, not the "
                                         "look-ahead mask.",
        "decoder_no_look_ahead": "The decoder must get look_ahead_mask for its self-attention, not a padding mask.",
        "decoder_enc_mask_as_look_ahead": "The decoder must get look_ahead_mask for its self-attention, not a padding "
                                          "mask (here enc_padding_mask).",
        "encoder_look_ahead": "The encoder must get enc_padding_mask, not the look-ahead mask.",
        "encoder_no_mask": "The encoder does not get its mask: self.encoder(input_sentence, training, "
                           "enc_padding_mask).",
        "inputs_swapped": "The sentences are swapped: the encoder reads input_sentence, the decoder output_sentence.",
    }

    @staticmethod
    def masks():
        """(enc_padding_mask, look_ahead_mask, dec_padding_mask) of the public training scenario.

        Like the course's test, the decoder's padding mask is built from the target
        sentence; the published values depend on it.
        """
        return padding_mask_of([4], 5), causal(5), padding_mask_of([3], 5)

    @staticmethod
    def eval_masks():
        """The masks of the public training=False scenarios: the same, as in the course's test."""
        return TransformerCheck.masks()

    def scenarios(self, target, extras):
        model = {}
        enc_mask, look_ahead, dec_mask = self.masks()
        eval_masks = self.eval_masks()

        def public_train():
            model["public"] = built(target, 42, *self.ARGS)
            return model["public"](SENTENCE_IN, SENTENCE_OUT, True, enc_mask, look_ahead, dec_mask)

        yield "public", "public_train", public_train
        yield "public", "public_eval", lambda: model["public"](SENTENCE_IN, SENTENCE_OUT, False, *eval_masks)
        yield "public", "public_eval_again", lambda: model["public"](SENTENCE_IN, SENTENCE_OUT, False, *eval_masks)
        yield "public", "public_eval_keywords", lambda: model["public"](
            SENTENCE_IN, SENTENCE_OUT, training=False, enc_padding_mask=eval_masks[0],
            look_ahead_mask=eval_masks[1], dec_padding_mask=eval_masks[2])
        same_a, same_b = np.array([[7, 3, 3, 0, 0]]), np.array([[9, 1, 2, 5, 0]])
        same_masks = (padding_mask_of([3], 5), causal(5), padding_mask_of([4], 5))

        def same_train():
            model["same"] = built(target, 19, *self.ARGS)
            return model["same"](same_a, same_b, True, *same_masks)

        yield "same_shapes", "same_train", same_train
        yield "same_shapes", "same_eval", lambda: model["same"](same_a, same_b, False, *same_masks)
        inp = np.array([[5, 7, 2, 0, 0, 0], [1, 9, 9, 4, 3, 2], [8, 0, 0, 0, 0, 0]])  # (3, 6)
        tar = np.array([[1, 6, 2, 4, 3], [1, 2, 3, 0, 0], [1, 5, 0, 0, 0]])  # (3, 5)
        future = tar.copy()
        future[:, 3:] = 7
        padded = inp.copy()
        padded[0, 3:] = [4, 4, 4]  # only padded input positions change; masks stay the same
        masks = (padding_mask_of([3, 6, 1], 6), causal(5), padding_mask_of([3, 6, 1], 6))
        row = np.s_[:1]  # batch 1: the first pair
        one = (masks[0][row], masks[1], masks[2][row])

        def sizes_build():
            model["hidden"] = built(target, 17, *self.HIDDEN_ARGS)
            return model["hidden"](inp[row], tar[row], False, *one)

        yield "other_sizes", "sizes_build", sizes_build
        yield "other_sizes", "sizes_causal_b", lambda: model["hidden"](inp[row], future[row], False, *one)
        yield "other_sizes", "sizes_padding_b", lambda: model["hidden"](padded[row], tar[row], False, *one)
        yield "other_sizes", "sizes_train", lambda: model["hidden"](inp[row], tar[row], True, *one)
        yield "batch", "batch", lambda: model["hidden"](inp, tar, False, *masks)

    def _why(self, got, expected):
        """A named reason the public outputs differ, from the training=False call, or None."""
        what = "Transformer output with training=False"
        try:
            out, _ = tuple_items(got["public_eval"], what, 2)
            value = value_of(out, what)
            if out.get("kind") == "array" and tuple(value.shape) == (1, 5, 4):
                return ("The output has the decoder's size (1, 5, 4): apply self.final_layer to the decoder output "
                        "to get probabilities over the 35 target tokens.")
            eval_ = array_of(out, what, shape=(1, 5, 35))
            if not np.allclose(eval_.sum(axis=-1), 1, atol=1e-4):
                return "The output rows do not sum to 1: return the output of self.final_layer (softmax)."
            check_eval_is_deterministic(got, eval_, what, 2, "Pass training to the encoder and the decoder.")
        except CheckFailed as failure:
            return str(failure)
        hint = named_mistake(eval_, self.known_mistakes("public_eval"))
        if hint is None and close(eval_, tuple_items(expected["public_eval"], what, 2)[0]["array"]):
            return ("The training=False output is right, so look at how training reaches the encoder and the "
                    "decoder.")
        return hint

    def _course(self, got, expected, keys, why):
        train, eval_ = keys
        what = "Transformer output with training=True"
        out, weights = tuple_items(got[train], what, 2)
        if why and out.get("kind") == "array" and tuple(value_of(out, what).shape) != (1, 5, 35):
            reason = why()
            if reason:
                raise CheckFailed(reason)
        course_outputs(got, expected, ((train, what), (eval_, "Transformer output with training=False")), 2,
                       (1, 5, 35), why, "Check: encoder(input_sentence, training, enc_padding_mask); "
                                        "decoder(output_sentence, enc_output, training, look_ahead_mask, "
                                        "dec_padding_mask); final_layer.", part=np.s_[0, 0, 0:8])
        course_attention_dict(weights, "the second output of Transformer", self.ARGS[0], (1, 4, 5, 5),
                              tuple_items(expected[train], what, 2)[1], why)

    def compare_public(self, got, expected):
        self._course(got, expected, ("public_train", "public_eval"), lambda: self._why(got, expected))

    def compare_same_shapes(self, got, expected):
        self._course(got, expected, ("same_train", "same_eval"), None)

    def compare_public_more(self, got, expected):
        what = "Transformer output with training=False"
        out, weights = tuple_items(got["public_eval"], what, 2)
        eval_ = array_of(out, what, shape=(1, 5, 35))
        check_eval_is_deterministic(got, eval_, what, 2, "Pass training to the encoder and the decoder.")
        want_out, want_weights = tuple_items(expected["public_eval"], what, 2)
        diagnose(what, eval_, want_out["array"], self.known_mistakes("public_eval"),
                 "Check: encoder(input_sentence, training, enc_padding_mask); decoder(output_sentence, "
                 "enc_output, training, look_ahead_mask, dec_padding_mask); final_layer.")
        if isinstance(weights.get("items"), dict) and set(weights["items"]) == set(want_weights["items"]):
            misplaced = misplaced_maps(weights["items"], want_weights["items"])
            if misplaced:
                raise CheckFailed(misplaced)
        attention = attention_dict(weights, "the second output of Transformer", 6)
        for key, record in attention.items():
            array_of(record, f"attention_weights['{key}']", shape=(1, 4, 5, 5))
        compare_every_map(attention, want_weights["items"], "Return the decoder's attention_weights dict unchanged.")
        check_keywords_agree(got, eval_, "Transformer", 2, "call(self, input_sentence, output_sentence, training, "
                             "enc_padding_mask, look_ahead_mask, dec_padding_mask)")
        compare_outputs(got, expected, ("public_train",), "Transformer", 2, "Every value with training=True.")

    def compare_other_sizes(self, got, expected):
        compare_outputs(got, expected, ("sizes_build", "sizes_train"), "Transformer", 2,
                        "Two layers and other sizes.")
        check_unchanged(got, "sizes_build", "sizes_causal_b", 2, np.s_[:, :3],
                        "Changing target tokens after position t changed the predictions at positions "
                        "<= t: the look-ahead mask does not reach the decoder's self-attention.")
        check_unchanged(got, "sizes_build", "sizes_padding_b", 2, np.s_[0],
                        "Changing padded input tokens changed the predictions: the padding masks do not "
                        "reach the encoder and the decoder.")

    def compare_batch(self, got, expected):
        compare_outputs(got, expected, ("batch",), "Transformer", 2, "Batch 3 with padded rows.")
