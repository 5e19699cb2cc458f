"""Comparisons shared by the layer checks (EncoderLayer ... Transformer).

They judge observations only (what the learner's layer returned on the scenarios);
no solution code here.
"""
import numpy as np

from assignment.checks.protocol import (CheckFailed, array_of, close, course_close, course_compare, diagnose, mismatch,
                                        tuple_items, value_of)

DECODER_KEYS = ("decoder_layer{}_block1_self_att", "decoder_layer{}_block2_decenc_att")


def built(cls, seed, *args, **kwargs):
    """Build a layer right after seeding, as the course's tests do."""
    import tensorflow as tf
    tf.keras.utils.set_random_seed(seed)
    return cls(*args, **kwargs)


def main_output(record, what, count=None):
    """The main output of a layer call: the array itself, or the first item of its tuple."""
    return array_of(record if count is None else tuple_items(record, what, count)[0], what)


def check_eval_is_deterministic(got, eval_, what, count, hint):
    """With training=False, calling twice must give the same output (no dropout)."""
    if not np.allclose(eval_, main_output(got["public_eval_again"], what, count)):
        raise CheckFailed(f"With training=False the output changes from call to call: dropout is active. {hint}")


def check_keywords_agree(got, eval_, what, count, signature):
    """Passing training and the masks as keywords must give the positional call's output."""
    if not close(main_output(got["public_eval_keywords"], f"{what} called with keywords", count), eval_):
        raise CheckFailed(f"Calling {what} with training= and the masks as keywords gives another result than "
                          f"positionally; keep the signature {signature}.")


def compare_outputs(got, expected, keys, name, count, note):
    """The main outputs of the scenarios ``keys`` must equal the reference's."""
    for key in keys:
        what = f"{name} [{key}]"
        diagnose(what, main_output(got[key], what, count), main_output(expected[key], what, count), [], note)


def course_outputs(got, expected, keys, count, shape, why, fallback, part=np.s_[...], atol=1e-8):
    """The course's comparison of a layer's main outputs: the first call's is a tensor of
    ``shape``; each ``got[key][part]`` allclose (the course's tolerances) to the reference's.
    When one differs, ``why()`` (if given) may name the reason; else where it differs."""
    for index, (key, what) in enumerate(keys):
        record = got[key] if count is None else tuple_items(got[key], what, count)[0]
        value = array_of(record, what, tensor=True if index == 0 else None,
                         shape=shape if index == 0 else None)
        want = main_output(expected[key], what, count)
        if course_close(value[part], want[part], atol=atol):
            continue
        reason = why() if why else None
        if reason:
            raise CheckFailed(reason)
        course_compare(what, value[part], want[part], [], fallback, atol=atol)


def check_unchanged(got, key_a, key_b, count, part, message):
    """A property: the outputs of two scenarios agree on ``part`` (what must not change)."""
    a = main_output(got[key_a], key_a, count)
    b = main_output(got[key_b], key_b, count)
    if not np.allclose(a[part], b[part], atol=1e-5):
        raise CheckFailed(message)


def attention_dict(record, what, num_layers):
    """The attention-weights dict of a Decoder/Transformer, with its keys checked."""
    value_of(record, what)
    if record.get("kind") != "mapping":
        raise CheckFailed(f"{what} must be a dict of attention weights; got a {record.get('pytype')}.")
    want = [key.format(i) for i in range(1, num_layers + 1) for key in DECODER_KEYS]
    from_zero = [key.format(i) for i in range(num_layers) for key in DECODER_KEYS]
    if sorted(record["items"]) == sorted(from_zero):
        raise CheckFailed(f"The attention weights dict counts layers from 0 ({from_zero[0]}, ...); the keys count "
                          f"them from 1: use f'decoder_layer{{i + 1}}_block1_self_att' and "
                          f"f'decoder_layer{{i + 1}}_block2_decenc_att' for self.dec_layers[i].")
    if sorted(record["items"]) != sorted(want):
        raise CheckFailed(f"The attention weights dict has keys {sorted(record['items'])}; expected "
                          f"{sorted(want)} (layers counted from 1).")
    return record["items"]
