"""The outputs of the known mistakes, computed from the reference solutions (instructor only).

For each check, ``PROVIDERS[name](live, check, scenario)`` returns {mistake id: function
of no arguments computing the output that mistake gives on ``scenario``}; the hints for
those ids are in the exercise module (``check.hints``). ``AUXILIARY[name](live, check,
name)`` computes the named reference values a check's comparisons need. ``live`` is the
``LiveReference`` asking (``live.module`` is the reference module, ``live.memo`` caches).

This module re-implements parts of the solutions (to reproduce each mistake), so it is
never shipped to learners and never imported in the sandbox.
"""
import functools

import numpy as np
import tensorflow as tf

from assignment.checks.alignment_probe import check_tokenizer
from assignment.checks.attention import attention_inputs
from assignment.checks.decoder import DecoderCheck, DecoderLayerCheck
from assignment.checks.encoder import ENCODER_LAYER_PUBLIC_MASK, EncoderCheck, EncoderLayerCheck
from assignment.checks.inputs import DECODER_IDS, ENC_OUTPUT, ENCODER_IDS, SENTENCE_IN, SENTENCE_OUT, X3, causal
from assignment.checks.comparisons import built
from assignment.checks.positional import GetAngles, PositionalEncoding, angle_inputs
from assignment.checks.judging import numpy
from assignment.checks.token_alignment import COURSE_MAX_LENGTH
from assignment.checks.transformer_model import TransformerCheck

PROVIDERS = {}
AUXILIARY = {}


def provides(name):
    def register(function):
        PROVIDERS[name] = function
        return function
    return register


def _only_public_eval(scenario, check):
    if scenario != "public_eval":
        raise KeyError(f"{check.name} has known mistakes on 'public_eval' only, not {scenario!r}")


# ------------------------------------------------------------------ get_angles, positional_encoding

@provides("get_angles")
def get_angles_mistakes(live, check, scenario):
    pos, k, d = angle_inputs(*GetAngles.CASES[scenario])
    return {
        "i_is_k": lambda: pos / np.power(10000, 2 * k / d),
        "exponent_i_over_d": lambda: pos / np.power(10000, (k // 2) / d),
        "exponent_k_over_d": lambda: pos / np.power(10000, k / d),
        "multiplied": lambda: pos * np.power(10000, 2 * (k // 2) / d),
        "integer_division": lambda: pos / np.power(10000, (2 * (k // 2)) // d),
    }


@provides("positional_encoding")
def positional_encoding_mistakes(live, check, scenario):
    positions, d = PositionalEncoding.CASES[scenario]

    def angles():
        return live.memo(("angles", positions, d), lambda: live.module.get_angles(*angle_inputs(positions, d)))

    def swapped():
        result = angles().copy()
        result[:, 0::2], result[:, 1::2] = np.cos(result[:, 0::2]), np.sin(result[:, 1::2])
        return result[np.newaxis]

    return {
        "swapped": swapped,
        "sin_only": lambda: np.sin(angles())[np.newaxis],
        "cos_only": lambda: np.cos(angles())[np.newaxis],
        "no_sin_cos": lambda: angles()[np.newaxis],
    }


def positional_encoding_auxiliary(live, check, name):
    if name != "public_angles":
        raise KeyError(f"positional_encoding has no auxiliary value {name!r}")
    positions, d = PositionalEncoding.CASES["public"]
    return live.module.get_angles(*angle_inputs(positions, d))[:, 0::2]


AUXILIARY["positional_encoding"] = positional_encoding_auxiliary


# ------------------------------------------------------------------ scaled_dot_product_attention

def attention_numpy(q, k, v, mask, scale="sqrt", mask_mode="right", axis=-1):
    """Attention in numpy, with switches that reproduce the usual mistakes."""
    logits = np.matmul(q, np.swapaxes(k, -1, -2)).astype(np.float64)
    depth = k.shape[-1]
    logits = logits / {"sqrt": np.sqrt(depth), "none": 1.0, "depth": depth, "keys": np.sqrt(k.shape[0])}[scale]
    if mask is not None:
        if mask_mode == "right":
            logits = logits + (1.0 - mask) * -1e9
        elif mask_mode == "inverted":
            logits = logits + mask * -1e9
        elif mask_mode == "multiplied":
            logits = logits * mask
        elif mask_mode == "tiny":
            logits = logits + (1.0 - mask) * -1.0
        logits = logits.astype(np.float32).astype(np.float64)  # -1e9 + x rounds as in float32 TensorFlow
    logits = logits - logits.max(axis=axis, keepdims=True)
    weights = np.exp(logits)
    weights = weights / weights.sum(axis=axis, keepdims=True)
    return np.matmul(weights, v), weights


@provides("scaled_dot_product_attention")
def attention_mistakes(live, check, scenario):
    """The attention weights each mistake gives."""
    q, k, v, mask = attention_inputs(scenario)
    mistakes = {
        "unscaled": lambda: attention_numpy(q, k, v, mask, scale="none")[1],
        "scaled_by_depth": lambda: attention_numpy(q, k, v, mask, scale="depth")[1],
        "softmax_axis": lambda: attention_numpy(q, k, v, mask, axis=-2)[1],
    }
    if k.ndim == 2 and k.shape[0] != k.shape[-1]:  # d_k taken from the first axis, the number of keys
        mistakes["dk_from_keys"] = lambda: attention_numpy(q, k, v, mask, scale="keys")[1]
    if mask is not None and not np.all(mask == 1):
        mistakes.update({
            "mask_inverted": lambda: attention_numpy(q, k, v, mask, mask_mode="inverted")[1],
            "mask_ignored": lambda: attention_numpy(q, k, v, None)[1],
            "mask_multiplied": lambda: attention_numpy(q, k, v, mask, mask_mode="multiplied")[1],
            "mask_tiny": lambda: attention_numpy(q, k, v, mask, mask_mode="tiny")[1],
        })
    return mistakes


# ------------------------------------------------------------------ layers: the reference, warmed as the probe built it

def warmed(live, key, build, first_call):
    """The reference layer built and called once as the probe did (so its weights are the
    learner's), made once per LiveReference and only when a mistake is computed."""
    def factory():
        layer = build()
        first_call(layer)
        return layer
    return live.memo(("layer", key), factory)


def encoder_layer_variant(layer, x, mask, residual1=True, residual2="out1", use_mask=True):
    """The reference EncoderLayer's forward pass (training=False), with a mistake switched on."""
    attention = layer.mha(x, x, x, mask if use_mask else None, training=False)
    out1 = layer.layernorm1(x + attention if residual1 else attention)
    ffn = layer.ffn(out1)
    skip = {"out1": out1, "x": x, None: 0.0}[residual2]
    return numpy(layer.layernorm2(skip + ffn))


@provides("EncoderLayer")
def encoder_layer_mistakes(live, check, scenario):
    _only_public_eval(scenario, check)

    def run(**switches):
        layer = warmed(live, "EncoderLayer",
                       lambda: built(live.module.EncoderLayer, 42, *EncoderLayerCheck.PUBLIC_ARGS),
                       lambda layer: layer(X3, True, np.array([[1, 0, 1]])))
        return encoder_layer_variant(layer, X3, ENCODER_LAYER_PUBLIC_MASK, **switches)

    return {
        "no_residual1": functools.partial(run, residual1=False),
        "residual2_x": functools.partial(run, residual2="x"),
        "no_residual2": functools.partial(run, residual2=None),
        "no_mask": functools.partial(run, use_mask=False),
    }


def encoder_variant(encoder, ids, mask, scale="sqrt", add_pe=True, scale_after_pe=False, chain=True, use_mask=True):
    """The reference Encoder's forward pass (training=False), with a mistake switched on."""
    d = encoder.embedding_dim
    x = encoder.embedding(ids)
    factor = {"sqrt": tf.math.sqrt(tf.cast(d, tf.float32)), "d": float(d), "none": 1.0}[scale]
    if scale_after_pe:
        x = (x + encoder.pos_encoding[:, :ids.shape[1], :]) * factor
    else:
        x = x * factor
        if add_pe:
            x = x + encoder.pos_encoding[:, :ids.shape[1], :]
    out = x
    for layer in encoder.enc_layers:
        out = layer(out if chain else x, False, mask if use_mask else None)
    return numpy(out)


@provides("Encoder")
def encoder_mistakes(live, check, scenario):
    _only_public_eval(scenario, check)

    def run(**switches):
        encoder = warmed(live, "Encoder", lambda: built(live.module.Encoder, 42, **EncoderCheck.ARGS),
                         lambda encoder: encoder(ENCODER_IDS, True, None))
        return encoder_variant(encoder, ENCODER_IDS, EncoderCheck.public_mask(), **switches)

    return {
        "no_scale": functools.partial(run, scale="none"),
        "scale_by_dim": functools.partial(run, scale="d"),
        "scale_after_pe": functools.partial(run, scale_after_pe=True),
        "no_pe": functools.partial(run, add_pe=False),
        "not_chained": functools.partial(run, chain=False),
        "no_mask": functools.partial(run, use_mask=False),
    }


def decoder_layer_variant(layer, x, enc, look_ahead, padding, query2="Q1", residual=(True, True, True),
                          masks="right"):
    """The reference DecoderLayer's forward pass (training=False), with a mistake switched on."""
    mask1, mask2 = {"right": (look_ahead, padding), "swapped": (padding, look_ahead),
                    "no_look_ahead": (None, padding), "no_padding": (look_ahead, None)}[masks]
    attention1 = layer.mha1(x, x, x, mask1, training=False)
    q1 = layer.layernorm1(attention1 + x if residual[0] else attention1)
    query = q1 if query2 == "Q1" else x
    attention2 = layer.mha2(query, enc, enc, mask2, training=False)
    out2 = layer.layernorm2(attention2 + q1 if residual[1] else attention2)
    ffn = layer.ffn(out2)
    return numpy(layer.layernorm3(ffn + out2 if residual[2] else ffn))


@provides("DecoderLayer")
def decoder_layer_mistakes(live, check, scenario):
    _only_public_eval(scenario, check)

    def run(**switches):
        layer = warmed(live, "DecoderLayer",
                       lambda: built(live.module.DecoderLayer, 42, **DecoderLayerCheck.PUBLIC_ARGS),
                       lambda layer: layer(X3, ENC_OUTPUT, True, causal(3), None))
        return decoder_layer_variant(layer, X3, ENC_OUTPUT, causal(3), DecoderLayerCheck.public_padding(), **switches)

    return {
        "query_x": functools.partial(run, query2="x"),
        "no_residual1": functools.partial(run, residual=(False, True, True)),
        "no_residual2": functools.partial(run, residual=(True, False, True)),
        "no_residual3": functools.partial(run, residual=(True, True, False)),
        "masks_swapped": functools.partial(run, masks="swapped"),
        "no_padding": functools.partial(run, masks="no_padding"),
    }


def decoder_variant(decoder, ids, enc, look_ahead, padding, scale="sqrt", add_pe=True, chain=True, masks="right"):
    """The reference Decoder's forward pass (training=False), with a mistake switched on."""
    d = decoder.embedding_dim
    x = decoder.embedding(ids) * {"sqrt": tf.math.sqrt(tf.cast(d, tf.float32)), "d": float(d), "none": 1.0}[scale]
    if add_pe:
        x = x + decoder.pos_encoding[:, :ids.shape[1], :]
    mask1, mask2 = (look_ahead, padding) if masks == "right" else (padding, look_ahead)
    out = x
    for layer in decoder.dec_layers:
        out, _, _ = layer(out if chain else x, enc, False, mask1, mask2)
    return numpy(out)


@provides("Decoder")
def decoder_mistakes(live, check, scenario):
    _only_public_eval(scenario, check)
    enc, _ = DecoderCheck.public_inputs()

    def run(**switches):
        decoder = warmed(live, "Decoder", lambda: built(live.module.Decoder, 42, **DecoderCheck.ARGS),
                         lambda decoder: decoder(DECODER_IDS, enc, False, causal(3), None))
        return decoder_variant(decoder, DECODER_IDS, enc, causal(3), None, **switches)  # as the course's first call

    return {
        "no_scale": functools.partial(run, scale="none"),
        "scale_by_dim": functools.partial(run, scale="d"),
        "no_pe": functools.partial(run, add_pe=False),
        "not_chained": functools.partial(run, chain=False),
        "masks_swapped": functools.partial(run, masks="swapped"),
    }


def transformer_variant(model, inp, tar, enc_mask, look_ahead, dec_mask, wiring):
    """The reference Transformer's forward pass (training=False) with the masks or inputs miswired."""
    encoder_mask, encoder_input, decoder_input, masks = {
        "right": (enc_mask, inp, tar, (look_ahead, dec_mask)),
        "decoder_masks_swapped": (enc_mask, inp, tar, (dec_mask, look_ahead)),
        "decoder_padding_is_look_ahead": (enc_mask, inp, tar, (look_ahead, look_ahead)),
        "decoder_no_look_ahead": (enc_mask, inp, tar, (dec_mask, dec_mask)),
        "decoder_enc_mask_as_look_ahead": (enc_mask, inp, tar, (enc_mask, dec_mask)),
        "encoder_look_ahead": (look_ahead, inp, tar, (look_ahead, dec_mask)),
        "encoder_no_mask": (None, inp, tar, (look_ahead, dec_mask)),
        "inputs_swapped": (enc_mask, tar, inp, (look_ahead, dec_mask)),
    }[wiring]
    enc_output = model.encoder(encoder_input, False, encoder_mask)
    dec_output, _ = model.decoder(decoder_input, enc_output, False, *masks)
    return numpy(model.final_layer(dec_output))


@provides("Transformer")
def transformer_mistakes(live, check, scenario):
    _only_public_eval(scenario, check)

    def run(wiring):
        model = warmed(live, "Transformer", lambda: built(live.module.Transformer, 42, *TransformerCheck.ARGS),
                       lambda model: model(SENTENCE_IN, SENTENCE_OUT, True, *TransformerCheck.masks()))
        return transformer_variant(model, SENTENCE_IN, SENTENCE_OUT, *TransformerCheck.eval_masks(), wiring)

    return {wiring: functools.partial(run, wiring) for wiring in TransformerCheck.hints}


# ------------------------------------------------------------------ tokenize_and_align_labels (NER lab)

def _ner_align(encoding, tags, first, later, special=-100, row_of=lambda index: index):
    """Labels of every example from ``encoding.word_ids(row_of(i))``: ``first(tag)`` on a
    word's first subtoken, ``later(tag)`` on the others, ``special`` on [CLS]/[SEP]/[PAD]."""
    labels = []
    for index, example_tags in enumerate(tags):
        row, previous = [], None
        for word_id in encoding.word_ids(row_of(index)):
            if word_id is None:
                row.append(special)
            elif word_id != previous:
                row.append(first(example_tags[min(word_id, len(example_tags) - 1)]))
            else:
                row.append(later(example_tags[min(word_id, len(example_tags) - 1)]))
            previous = word_id
        labels.append(row)
    return {"input_ids": [list(ids) for ids in encoding["input_ids"]], "labels": labels}


@provides("tokenize_and_align_labels")
def tokenize_and_align_labels_mistakes(live, check, scenario):
    _, examples, tags, all_tokens, kwargs = check.cases()[scenario]
    examples, tags = [list(words) for words in examples], [list(row) for row in tags]
    max_length = kwargs.get("max_length", COURSE_MAX_LENGTH)
    tokenizer = check_tokenizer()

    def to_i(tag):
        return "I-" + tag[2:] if tag.startswith("B-") else tag

    def later(tag):
        return to_i(tag) if all_tokens else -100

    def split(**extra):
        return tokenizer(examples, is_split_into_words=True, **extra)

    cut = {"truncation": True, "max_length": max_length}
    pad = dict(cut, padding="max_length")
    mistakes = {
        "raw_text": lambda: _ner_align(tokenizer([" ".join(words) for words in examples], **pad), tags,
                                       lambda t: t, later),
        "special_tokens_labelled": lambda: _ner_align(split(**pad), tags, lambda t: t, later, special="O"),
        "not_padded": lambda: _ner_align(split(**cut), tags, lambda t: t, later),
    }
    if max(len(ids) for ids in split()["input_ids"]) > max_length:
        mistakes["no_truncation"] = lambda: _ner_align(split(padding="max_length", max_length=max_length), tags,
                                                       lambda t: t, later)
    if all_tokens:
        mistakes["b_not_turned_into_i"] = lambda: _ner_align(split(**pad), tags, lambda t: t, lambda t: t)
        mistakes["i_for_every_tag"] = lambda: _ner_align(split(**pad), tags, lambda t: t, lambda t: "I-" + t[2:])
    else:
        mistakes["all_subtokens_always"] = lambda: _ner_align(split(**pad), tags, lambda t: t, lambda t: t)
    if len(examples) > 1:
        mistakes["first_example_only"] = lambda: _ner_align(split(**pad), tags, lambda t: t, later,
                                                            row_of=lambda index: 0)
    return mistakes
