"""Comparisons shared by the layer checks (EncoderLayer ... Transformer).

They judge observations only (what the learner's layer returned on the scenarios);
no solution code here.
"""
import numpy as np

from assignment.checks.judging import (CheckFailed, array_of, close, course_close, course_compare, diagnose, mismatch,
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


def _block_key(key):
    """(layer number, block number) of a decoder attention key, or None."""
    for block, pattern in enumerate(DECODER_KEYS, start=1):
        prefix, suffix = pattern.split("{}")
        if key.startswith(prefix) and key.endswith(suffix) and key[len(prefix):len(key) - len(suffix)].isdigit():
            return int(key[len(prefix):len(key) - len(suffix)]), block
    return None


def misplaced_maps(got_items, want_items):
    """A sentence naming how the learner's attention maps are misplaced, or None.

    ``got_items``/``want_items``: key -> observation of the learner's and the reference's
    dicts. Recognizes block 1 stored under the block-2 key (or the reverse) and one layer's
    maps stored under every layer's key; else names the first map found under a wrong key."""
    wrong = {}  # learner key -> the reference keys whose map it holds
    for key, record in got_items.items():
        if record.get("kind") != "array" or "array" not in record:
            continue
        if key in want_items and close(record["array"], want_items[key]["array"]):
            continue
        wrong[key] = [other for other, want in want_items.items()
                      if other != key and close(record["array"], want["array"])]
    if not wrong or not any(wrong.values()):
        return None
    places = {key: [_block_key(other) for other in others] for key, others in wrong.items() if _block_key(key)}
    block2_holds_block1 = [key for key, held in places.items() if _block_key(key)[1] == 2
                           and (_block_key(key)[0], 1) in held]
    block1_holds_block2 = [key for key, held in places.items() if _block_key(key)[1] == 1
                           and (_block_key(key)[0], 2) in held]
    if block1_holds_block2:
        return (f"Block 2's weights are stored under the block-1 key ({block1_holds_block2[0]!r}, ...): "
                "'decoder_layer{i}_block1_self_att' must hold block 1's weights (the masked self-attention, "
                "self.mha1), 'decoder_layer{i}_block2_decenc_att' block 2's (self.mha2).")
    if block2_holds_block1:
        return (f"Block 1's weights are stored under the block-2 key too ({block2_holds_block1[0]!r}, ...): "
                "'decoder_layer{i}_block2_decenc_att' must hold block 2's weights (the attention from Q1 to "
                "enc_output, self.mha2), not block 1's.")
    held_layers = {place[0] for held in places.values() for place in held if place}
    if len(places) > 1 and all(places.values()) and len(held_layers) == 1:
        layer = next(iter(held_layers))
        return (f"Every layer's key holds the weights of layer {layer}: store block1 and block2 of layer i "
                "inside the loop, right after self.dec_layers[i] returns them, under the keys of layer i + 1.")
    key, others = next((key, others) for key, others in wrong.items() if others)
    return f"attention_weights[{key!r}] holds the weights that belong under {others[0]!r}."


def course_attention_dict(record, what, num_layers, shape, want_record, why=None):
    """The course's checks of an attention-weights dict: a dict of 2 * num_layers entries,
    the first a tensor whose [0, 0, 1] is allclose to the reference's first map's, the
    second of ``shape``. Returns the items."""
    value_of(record, what)
    if record.get("kind") != "mapping" or record.get("pytype") != "dict":
        raise CheckFailed(f"{what} must be a dict of attention weights; got a {record.get('pytype')}.")
    items = record["items"]
    if len(items) != 2 * num_layers:
        raise CheckFailed(f"{what} has {len(items)} entries; it must have 2 x num_layers = {2 * num_layers} "
                          "(block 1 and block 2 of every layer).")
    keys = list(items)
    first = array_of(items[keys[0]], f"attention_weights[{keys[0]!r}]", tensor=True)
    second = array_of(items[keys[1]], f"attention_weights[{keys[1]!r}]")
    if tuple(second.shape) != tuple(shape):
        raise CheckFailed(f"attention_weights[{keys[1]!r}] has shape {tuple(second.shape)}; expected {tuple(shape)}.")
    want_items = want_record["items"]
    want_first = want_items[next(iter(want_items))]["array"]
    if first.ndim < 3 or not course_close(first[0, 0, 1], want_first[0, 0, 1]):
        reason = misplaced_maps(items, want_items) or (why() if why else None)
        if reason:
            raise CheckFailed(reason)
        raise CheckFailed(f"attention_weights[{keys[0]!r}][0, 0, 1] (the first entry of the dict) is "
                          f"{np.round(first[0, 0, 1], 6).tolist() if first.ndim >= 3 else first.shape}; expected "
                          f"{np.round(want_first[0, 0, 1], 6).tolist()}: the first entry is block 1 of layer 1.")
    return items


def compare_every_map(got_items, want_items, note):
    """Beyond the course: every map under its key, with the reference's values."""
    reason = misplaced_maps(got_items, want_items)
    if reason:
        raise CheckFailed(reason)
    for key, want in want_items.items():
        diagnose(f"attention_weights[{key!r}]", array_of(got_items[key], f"attention_weights[{key!r}]"),
                 want["array"], [], note)
