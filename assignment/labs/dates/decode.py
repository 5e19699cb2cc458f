"""Greedy autoregressive decoding of dates with a trained Transformer.

The decoder reads a fixed-size buffer ``<s> y1 y2 ... <pad> ...`` (n, 11): at step t
only positions 0..t are filled, and the look-ahead mask keeps position t from seeing the
rest, so one traced graph serves every step. Decoding stops once every row produced
``</s>``. <pad> and <s> are never predicted.
"""
import weakref
from typing import List, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from assignment.labs.dates import data
from assignment.labs.dates.model import make_masks

TARGET_STEPS = data.MAX_TARGET_TOKENS - 1  # 11 = 10 characters + </s>
_GRAPHS = weakref.WeakKeyDictionary()  # model -> its traced (encode, decode) functions


def next_token_probs(model, inp, dec_in):
    """Inference-mode probabilities (n, T, vocab) of the next token after each prefix of
    ``dec_in`` (n, T), for inputs ``inp`` (n, S); position t depends on dec_in[:, :t+1] only."""
    inp, dec_in = tf.convert_to_tensor(inp), tf.convert_to_tensor(dec_in)
    probs, _ = model(inp, dec_in, False, *make_masks(inp, dec_in))
    return probs


def _graphs(model):
    """tf.functions that run the encoder once and the decoder + softmax per step."""
    if model not in _GRAPHS:
        @tf.function(reduce_retracing=True)
        def encode(inp):
            enc_mask = make_masks(inp, inp[:, :1])[0]  # (n, 1, S)
            return model.encoder(inp, False, enc_mask), enc_mask  # (n, S, d), (n, 1, S)

        @tf.function(reduce_retracing=True)
        def step(enc_out, enc_mask, dec_in, t):
            _, look_ahead, _ = make_masks(enc_mask[:, 0, :], dec_in)  # (n, T, T)
            dec_out, _ = model.decoder(dec_in, enc_out, False, look_ahead, enc_mask)  # (n, T, d)
            probs = model.final_layer(dec_out[:, t, :])  # (n, vocab)
            blocked = tf.one_hot([data.PAD, data.START], tf.shape(probs)[-1])  # never predicted
            probs -= 2.0 * tf.reduce_sum(blocked, axis=0)
            return tf.argmax(probs, axis=-1, output_type=tf.int32)  # (n,)

        _GRAPHS[model] = (encode, step)
    return _GRAPHS[model]


def greedy_decode(model, inp) -> np.ndarray:
    """Token ids (n, 11) for input ids ``inp`` (n, S): characters, </s>, then <pad>."""
    encode, step = _graphs(model)
    inp = tf.convert_to_tensor(inp, tf.int32)
    n = int(inp.shape[0])
    enc_out, enc_mask = encode(inp)
    buffer = np.zeros((n, TARGET_STEPS), np.int32)  # decoder input, (n, 11)
    buffer[:, 0] = data.START
    out = np.zeros((n, TARGET_STEPS), np.int32)
    done = np.zeros(n, bool)
    for t in range(TARGET_STEPS):
        token = step(enc_out, enc_mask, tf.constant(buffer), tf.constant(t)).numpy()  # (n,)
        token[done] = data.PAD
        out[:, t] = token
        done |= token == data.END
        if t + 1 < TARGET_STEPS:
            buffer[:, t + 1] = token
        if done.all():
            break
    return out


def translate(model, texts: Sequence[str], max_input_chars: int = data.MAX_INPUT_CHARS,
              batch_size: int = 500) -> List[str]:
    """ISO strings for ``texts``; raises data.DateInputError on unreadable input."""
    inputs = data.encode_inputs(texts, max_input_chars)  # (n, S)
    results = []
    for i in range(0, len(inputs), batch_size):
        results += [data.TARGET_VOCAB.decode(row) for row in greedy_decode(model, inputs[i:i + batch_size])]
    return results


def exact_match(model, pairs: Sequence[Tuple[str, str]], max_input_chars: int = data.MAX_INPUT_CHARS) -> float:
    """Fraction of (input, iso) pairs whose greedy translation equals iso exactly."""
    if not pairs:
        return float("nan")
    predictions = translate(model, [p[0] for p in pairs], max_input_chars)
    return float(np.mean([pred == iso for pred, (_, iso) in zip(predictions, pairs)]))


def cross_attention(model, text: str, max_input_chars: int = data.MAX_INPUT_CHARS,
                    layer: Optional[int] = None):
    """Translate ``text`` and return (iso, weights (out_len, in_len), input tokens, output
    tokens): the decoder-encoder attention of ``layer`` (default: last), mean over heads."""
    inp = data.encode_inputs([text], max_input_chars)  # (1, S)
    out = greedy_decode(model, inp)[0]  # (11,)
    length = next((i + 1 for i, tok in enumerate(out) if tok == data.END), len(out))
    dec_in = np.zeros((1, TARGET_STEPS), np.int32)
    dec_in[0, 0] = data.START
    dec_in[0, 1:length] = out[:length - 1]
    _, attention = model(tf.constant(inp), tf.constant(dec_in), False, *make_masks(inp, dec_in))
    layer = layer or len(model.decoder.dec_layers)
    weights = attention[f"decoder_layer{layer}_block2_decenc_att"][0]  # (heads, T, S)
    weights = tf.reduce_mean(weights, axis=0).numpy()  # (T, S)
    in_len = int(np.sum(inp[0] != data.PAD))
    in_tokens = data.INPUT_VOCAB.tokens(inp[0, :in_len])
    out_tokens = data.TARGET_VOCAB.tokens(out[:length])
    return data.TARGET_VOCAB.decode(out), weights[:length, :in_len], in_tokens, out_tokens
