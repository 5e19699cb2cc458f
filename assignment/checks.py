"""The checks behind the public tests and the grader, one per graded exercise.

Each check has two halves:

* ``probe(target, *extras, hidden=False)`` calls the learner's function or class on
  fixed inputs (the "scenarios") and records what came back (observations.py). It
  never decides anything, so it may run in an untrusted process.
* ``judge(observations, hidden=False)`` runs the same scenarios on the reference
  solution, compares, and raises ``CheckFailed`` with a hint that names the mistake.
  It never runs learner code.

The public tests (public_tests.py) run both halves in the learner's kernel; the grader
runs ``probe`` in a sandboxed child and ``judge`` in its own process. ``hidden=True``
adds scenarios the public tests do not show (other shapes, seeds, batch > 1, the
causality and padding properties), so hard-coding the public outputs does not pass.
"""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import abc
import functools

import numpy as np
import tensorflow as tf

from assignment import transformer as reference
from assignment.observations import attempt

GREEN, RESET = "\033[92m", "\033[0m"
FILL_IN_HINT = ("Did you fill in the code between '# START CODE HERE' and '# END CODE HERE', "
                "replacing every None?")


class CheckFailed(AssertionError):
    """A public test or graded check failed; the message is the hint for the learner."""


# ------------------------------------------------------------------ helpers for judging

def value_of(record, what):
    """The array (or plain value) in an observation, or a CheckFailed that explains why not."""
    kind = record.get("kind")
    if kind == "none":
        raise CheckFailed(f"{what} is None. {FILL_IN_HINT}")
    if kind == "error":
        message = f"{what} raised {record['type']}: {record['message']}"
        if record.get("where"):
            message += f"\n  at {record['where']}"
        if "NoneType" in record["message"] or "None" in record.get("where", ""):
            message += f"\n{FILL_IN_HINT}"
        error = CheckFailed(message)
        error.__cause__ = record.get("exception")
        raise error
    if kind == "array":
        if "array" not in record:
            raise CheckFailed(f"{what} is far too big: shape {tuple(record['shape'])}")
        return record["array"]
    if kind == "scalar":
        return record["value"]
    return record


def array_of(record, what, shape=None, tensor=None, dtype=None):
    """Like value_of, but insist on an array, and optionally its shape, container and dtype."""
    value = value_of(record, what)
    if record.get("kind") != "array":
        raise CheckFailed(f"{what} should be an array or tensor, but it is a {record.get('pytype')}. "
                          f"{FILL_IN_HINT if record.get('kind') == 'sequence' else ''}".strip())
    if tensor is True and record["pytype"] == "ndarray":
        raise CheckFailed(f"{what} is a numpy array; it must be a TensorFlow tensor "
                          "(keep the given `tf.cast(..., dtype=tf.float32)`).")
    if tensor is False and record["pytype"] != "ndarray":
        raise CheckFailed(f"{what} is a {record['pytype']}; it must be a numpy array "
                          "(use numpy operations such as np.power, not TensorFlow ones).")
    if dtype is not None and record["dtype"] != dtype:
        raise CheckFailed(f"{what} has dtype {record['dtype']}; expected {dtype}.")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise CheckFailed(f"{what} has shape {tuple(value.shape)}; expected {tuple(shape)}.")
    return value


def close(a, b, atol=1e-5):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol, rtol=1e-4))


def mismatch(what, got, expected):
    """A message that shows where two arrays first disagree."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    index = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    return (f"{what} has wrong values: at index {tuple(int(i) for i in index)} got "
            f"{got[index]:.6g}, expected {expected[index]:.6g}.")


def diagnose(what, got, expected, variants, fallback):
    """Fail with the hint of the known mistake whose output matches ``got``, else the fallback.

    ``variants`` are (hint, wrong output) pairs; a wrong output may be a function that
    computes it, so that a right answer costs no variant computations.
    """
    if close(got, expected):
        return
    for hint, wrong in variants:
        wrong = wrong() if callable(wrong) else wrong  # lazy: computed only when needed
        if wrong is not None and close(got, wrong):
            raise CheckFailed(hint)
    if np.shape(got) != np.shape(expected):
        raise CheckFailed(f"{what} has shape {tuple(np.shape(got))}; expected {tuple(np.shape(expected))}.")
    raise CheckFailed(f"{mismatch(what, got, expected)} {fallback}")


def tuple_items(record, what, count):
    value_of(record, what)
    if record.get("kind") != "sequence" or record["length"] != count:
        got = record.get("length", record.get("pytype"))
        raise CheckFailed(f"{what} must return a tuple of {count} values; got {got}.")
    return record["items"]


def numpy(tensor):
    return tensor.numpy() if hasattr(tensor, "numpy") else np.asarray(tensor)


# ------------------------------------------------------------------ the check protocol

class Check(abc.ABC):
    """Base class: subclasses define ``name``, ``scenarios`` and ``compare``."""

    name = ""

    @abc.abstractmethod
    def scenarios(self, target, extras, hidden):
        """Yield (key, thunk) pairs; each thunk calls ``target`` and returns its outputs."""

    def probe(self, target, *extras, hidden=False):
        """Run the scenarios on the learner's code: observations, no verdict."""
        observations = {}
        if target is None:
            return {"target": {"kind": "none"}}
        for key, thunk in self.scenarios(target, extras, hidden):
            observations[key] = attempt(thunk)
        return observations

    @functools.lru_cache(maxsize=2)
    def expected(self, hidden=False):
        """Run the same scenarios on the reference solution (cached: it never changes)."""
        extras = [getattr(reference, name) for name in self.extra_names]
        return self.probe(getattr(reference, self.name), *extras, hidden=hidden)

    extra_names = ()

    # The scenario that builds the learner's layer; later scenarios reuse what it built,
    # so when it fails, its error is the one to report.
    first_scenario = None

    def judge(self, observations, hidden=False):
        if observations.get("target", {}).get("kind") == "none":
            raise CheckFailed(f"{self.name} is None. {FILL_IN_HINT}")
        if self.first_scenario:
            record = observations[self.first_scenario]
            if record.get("kind") == "none":
                raise CheckFailed(f"{self.name} returned None on the public inputs. {FILL_IN_HINT}")
            value_of(record, f"{self.name} on the public inputs")
        self.compare(observations, self.expected(hidden), hidden)

    @abc.abstractmethod
    def compare(self, got, expected, hidden):
        """Raise CheckFailed, with a hint, where ``got`` differs from the reference's ``expected``."""


CHECKS = {}


def register(cls):
    CHECKS[cls.name] = cls()
    return cls


def public_test(name):
    """The learner-facing test function of exercise ``name``: probe, judge, print."""
    def test(target, *extras):
        check = CHECKS[name]
        check.judge(check.probe(target, *extras))
        print(f"{GREEN}All tests passed{RESET}")
    test.__name__ = f"{name}_test"
    test.__doc__ = f"Public test of {name}: prints 'All tests passed' or raises AssertionError with a hint."
    return test


# ------------------------------------------------------------------ 1. get_angles

@register
class GetAngles(Check):
    name = "get_angles"

    CASES = {"public": (4, 16), "hidden_odd": (7, 10), "hidden_one": (1, 6)}

    def scenarios(self, target, extras, hidden):
        for key, (positions, d) in self.CASES.items():
            if key.startswith("hidden") and not hidden:
                continue
            yield key, (lambda p=positions, d=d: target(np.arange(p)[:, np.newaxis], np.arange(d)[np.newaxis, :], d))

    @staticmethod
    def variants(positions, d):
        pos, k = np.arange(positions)[:, np.newaxis], np.arange(d)[np.newaxis, :]
        return [
            ("Use i = k // 2 (integer division): dimensions 2i and 2i+1 share one frequency. "
             "With i = k every column gets its own frequency.", pos / np.power(10000, 2 * k / d)),
            ("The exponent of 10000 is 2i/d, not i/d (with i = k // 2).", pos / np.power(10000, (k // 2) / d)),
            ("The exponent of 10000 is 2i/d with i = k // 2, not k/d.", pos / np.power(10000, k / d)),
            ("Divide pos by 10000^(2i/d); do not multiply.", pos * np.power(10000, 2 * (k // 2) / d)),
            ("2i/d must be a true division (/), not an integer division (//).",
             pos / np.power(10000, (2 * (k // 2)) // d)),
        ]

    def compare(self, got, expected, hidden):
        for key, (positions, d) in self.CASES.items():
            if key not in expected:
                continue
            what = f"get_angles(pos, k, {d}) for {positions} positions"
            want = array_of(expected[key], what)
            angles = array_of(got[key], what, shape=want.shape, tensor=False)
            if key == "public":  # the course's published facts, each with its own hint
                if not np.all(angles[0] == 0):
                    raise CheckFailed("Row 0 (position 0) must be all zeros: every angle is pos times something.")
                if not np.allclose(angles[:, 0::2], angles[:, 1::2]):
                    raise CheckFailed("Even and odd columns must be equal: dimensions 2i and 2i+1 share one "
                                      "angle, so use i = k // 2.")
            diagnose(what, angles, want, self.variants(positions, d),
                     "Compute pos / 10000 ** (2 * (k // 2) / d) by broadcasting the column pos against the row k.")
            if key == "public":
                if not np.isclose(angles[:, 0].sum(), 6) or not np.isclose(angles[3, 15], 3 / 10000 ** (14 / 16)):
                    raise CheckFailed("Column 0 must hold the positions 0..3 (sum 6) and element [3, 15] must "
                                      "be 3 / 10000 ** (14 / 16).")


# ------------------------------------------------------------------ 2. positional_encoding

@register
class PositionalEncoding(Check):
    name = "positional_encoding"
    extra_names = ("get_angles",)

    CASES = {"public": (8, 16), "hidden_long": (50, 10), "hidden_odd_d": (5, 7), "hidden_one": (1, 4)}

    def scenarios(self, target, extras, hidden):
        if extras:  # the learner's get_angles, which their positional_encoding relies on
            yield "get_angles", lambda: extras[0](np.arange(8)[:, np.newaxis], np.arange(16)[np.newaxis, :], 16)
        for key, (positions, d) in self.CASES.items():
            if key.startswith("hidden") and not hidden:
                continue
            yield key, (lambda p=positions, d=d: target(p, d))

    @staticmethod
    def variants(positions, d):
        angles = reference.get_angles(np.arange(positions)[:, np.newaxis], np.arange(d)[np.newaxis, :], d)
        swapped = angles.copy()
        swapped[:, 0::2], swapped[:, 1::2] = np.cos(angles[:, 0::2]), np.sin(angles[:, 1::2])
        return [
            ("sin and cos are swapped: sin goes in the even columns (2i), cos in the odd ones (2i+1).",
             swapped[np.newaxis]),
            ("Apply sin to the even columns and cos to the odd columns; here sin is used everywhere.",
             np.sin(angles)[np.newaxis]),
            ("Apply sin to the even columns and cos to the odd columns; here cos is used everywhere.",
             np.cos(angles)[np.newaxis]),
            ("The angles were not passed through sin and cos.", angles[np.newaxis]),
        ]

    def compare(self, got, expected, hidden):
        if "get_angles" in got and "get_angles" in expected:
            record = got["get_angles"]
            if record.get("kind") in ("none", "error"):
                raise CheckFailed("positional_encoding relies on get_angles, which is not filled in yet "
                                  f"(it {'returned None' if record['kind'] == 'none' else 'raised an error'}). "
                                  f"{FILL_IN_HINT} Start with get_angles (exercise 1).")
            if record.get("kind") != "array" or not close(record.get("array"), expected["get_angles"]["array"]):
                raise CheckFailed("positional_encoding relies on get_angles, which does not pass its own test "
                                  "yet: fix get_angles (exercise 1) first.")
        for key, (positions, d) in self.CASES.items():
            if key not in expected:
                continue
            what = f"positional_encoding({positions}, {d})"
            want = array_of(expected[key], what)
            record = got[key]
            value = value_of(record, what)
            if record.get("kind") == "array" and tuple(value.shape) == (positions, d):
                raise CheckFailed(f"{what} has shape {(positions, d)}; add the batch axis in front: "
                                  f"(1, {positions}, {d}), e.g. angle_rads[np.newaxis, ...].")
            encoding = array_of(record, what, shape=want.shape, tensor=True, dtype="float32")
            diagnose(what, encoding, want, self.variants(positions, d),
                     "Even columns hold sin(angle), odd columns cos(angle), angles from get_angles.")
            if key == "public":  # the course's facts: sin^2 + cos^2 = 1 on each pair, angles recoverable
                sines, cosines = encoding[0, :, 0::2], encoding[0, :, 1::2]
                if not np.allclose(sines ** 2 + cosines ** 2, 1, atol=1e-5):
                    raise CheckFailed("sin^2 + cos^2 must be 1 for each (2i, 2i+1) pair of columns.")
                angles = reference.get_angles(np.arange(positions)[:, np.newaxis],
                                              np.arange(d)[np.newaxis, :], d)[:, 0::2]
                recovered = np.arctan2(sines, cosines)
                if not np.allclose(np.angle(np.exp(1j * (recovered - angles))), 0, atol=1e-4):
                    raise CheckFailed("The angles recovered from each (sin, cos) pair differ from get_angles.")


# ------------------------------------------------------------------ 3. scaled_dot_product_attention

Q = np.array([[1, 0, 1, 1], [0, 1, 1, 1], [1, 0, 0, 1]], np.float32)
K = np.array([[1, 1, 0, 1], [1, 0, 1, 1], [0, 1, 1, 0], [0, 0, 0, 1]], np.float32)
V = np.array([[0, 0], [1, 0], [1, 0], [1, 1]], np.float32)
MASK = np.array([[[1, 1, 0, 1], [1, 1, 0, 1], [1, 1, 0, 1]]], np.float32)


def attention_numpy(q, k, v, mask, scale="sqrt", mask_mode="right", axis=-1):
    """Attention in numpy, with switches that reproduce the usual mistakes."""
    logits = np.matmul(q, np.swapaxes(k, -1, -2)).astype(np.float64)
    depth = k.shape[-1]
    logits = logits / {"sqrt": np.sqrt(depth), "none": 1.0, "depth": depth}[scale]
    if mask is not None:
        if mask_mode == "right":
            logits = logits + (1.0 - mask) * -1e9
        elif mask_mode == "inverted":
            logits = logits + mask * -1e9
        elif mask_mode == "multiplied":
            logits = logits * mask
        elif mask_mode == "tiny":
            logits = logits + (1.0 - mask) * -1.0
    logits = logits - logits.max(axis=axis, keepdims=True)
    weights = np.exp(logits)
    weights = weights / weights.sum(axis=axis, keepdims=True)
    return np.matmul(weights, v), weights


@register
class ScaledDotProductAttention(Check):
    name = "scaled_dot_product_attention"

    @staticmethod
    def inputs(hidden):
        cases = {"public": (Q, K, V, None), "public_mask": (Q, K, V, MASK)}
        if hidden:
            rng = np.random.default_rng(7)
            q = rng.normal(size=(2, 3, 5, 8)).astype(np.float32)
            k = rng.normal(size=(2, 3, 6, 8)).astype(np.float32)
            v = rng.normal(size=(2, 3, 6, 4)).astype(np.float32)
            padding = np.ones((2, 1, 1, 6), np.float32)
            padding[0, ..., 4:] = 0
            padding[1, ..., 2:] = 0
            cases["hidden_batch"] = (q, k, v, padding)
            cases["hidden_tensor"] = tuple(None if x is None else tf.constant(x) for x in (q, k, v, padding))
            cases["hidden_ones_mask"] = (q, k, v, np.ones((1, 1, 5, 6), np.float32))
        return cases

    def scenarios(self, target, extras, hidden):
        for key, args in self.inputs(hidden).items():
            yield key, (lambda args=args: target(*args))

    def compare(self, got, expected, hidden):
        for key, (q, k, v, mask) in self.inputs(hidden).items():
            q, k, v = (numpy(x) for x in (q, k, v))
            mask = None if mask is None else numpy(mask)
            what = "scaled_dot_product_attention" + (" with a mask" if mask is not None else "")
            items = tuple_items(got[key], what, 2)
            want_out, want_w = (array_of(item, what) for item in tuple_items(expected[key], what, 2))
            weights = array_of(items[1], f"the attention weights of {what}")
            output = array_of(items[0], f"the output of {what}")
            variants = [
                ("The scores are not divided by sqrt(d_k): scale q k^T by 1/sqrt(d_k), with d_k the size "
                 "of the last dimension of k.", attention_numpy(q, k, v, mask, scale="none")[1]),
                ("Divide the scores by sqrt(d_k), not by d_k.", attention_numpy(q, k, v, mask, scale="depth")[1]),
                ("Softmax runs over the wrong axis: normalize over the keys, the last axis (axis=-1), so each "
                 "row of weights sums to 1.", attention_numpy(q, k, v, mask, axis=-2)[1]),
            ]
            if mask is not None and not np.all(mask == 1):
                variants += [
                    ("The mask is applied the wrong way round: add (1 - mask) * -1e9, so that the positions "
                     "where the mask is 0 get a huge negative score.",
                     attention_numpy(q, k, v, mask, mask_mode="inverted")[1]),
                    ("The mask is ignored: when mask is not None, add (1 - mask) * -1e9 to the scaled scores.",
                     attention_numpy(q, k, v, None)[1]),
                    ("Add (1 - mask) * -1e9 to the scores; multiplying the scores by the mask does not block "
                     "a position.", attention_numpy(q, k, v, mask, mask_mode="multiplied")[1]),
                    ("The blocked positions must get -1e9, a huge negative number, before the softmax.",
                     attention_numpy(q, k, v, mask, mask_mode="tiny")[1]),
                ]
            diagnose(f"the attention weights of {what}", weights, want_w, variants,
                     "weights = softmax(q k^T / sqrt(d_k) + (1 - mask) * -1e9) over the last axis.")
            diagnose(f"the output of {what}", output, want_out,
                     [("The output is attention_weights times v (tf.matmul(attention_weights, v)); "
                       "the weights are right but the output is not.", None)],
                     "output = tf.matmul(attention_weights, v).")


# ------------------------------------------------------------------ layer checks: shared pieces

X3 = Q[np.newaxis]  # (1, 3, 4): the course's small input sequence
ENC_OUTPUT = np.array([[[-0.40172306, 0.11519244, -1.2322885, 1.5188192],
                        [0.4017268, 0.33922842, -1.6836855, 0.9427304],
                        [0.4685002, -1.6252842, 0.09368491, 1.063099]]], np.float32)


def built(cls, seed, *args, **kwargs):
    """Build a layer right after seeding, as the course's tests do."""
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


def warmed(build, first_call):
    """A cached factory of a reference layer, built and called once as the probe did
    (so its weights are the learner's); variants are computed only on a mismatch."""
    @functools.lru_cache(maxsize=1)
    def factory():
        layer = build()
        first_call(layer)
        return layer
    return factory


def random_input(seed, shape):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def padding_mask_of(lengths, max_len):
    """(batch, 1, max_len): 1.0 on the first ``length`` positions of each row."""
    return (np.arange(max_len)[np.newaxis, :] < np.asarray(lengths)[:, np.newaxis]).astype(np.float32)[:, np.newaxis, :]


def causal(length):
    return np.tril(np.ones((1, length, length), np.float32))


def compare_hidden_outputs(got, expected, keys, name, count, note):
    """The main outputs of the hidden scenarios ``keys`` must equal the reference's."""
    for key in keys:
        what = f"{name} [{key}]"
        diagnose(what, main_output(got[key], what, count), main_output(expected[key], what, count), [], note)


def check_unchanged(got, key_a, key_b, count, part, message):
    """A property: the outputs of two scenarios agree on ``part`` (what must not change)."""
    a = main_output(got[key_a], key_a, count)
    b = main_output(got[key_b], key_b, count)
    if not np.allclose(a[part], b[part], atol=1e-5):
        raise CheckFailed(message)


# ------------------------------------------------------------------ 4. EncoderLayer

def encoder_layer_variant(layer, x, mask, residual1=True, residual2="out1", use_mask=True):
    """The reference EncoderLayer's forward pass (training=False), with a mistake switched on."""
    layer = layer()
    attention = layer.mha(x, x, x, mask if use_mask else None, training=False)
    out1 = layer.layernorm1(x + attention if residual1 else attention)
    ffn = layer.ffn(out1)
    skip = {"out1": out1, "x": x, None: 0.0}[residual2]
    return numpy(layer.layernorm2(skip + ffn))


@register
class EncoderLayerCheck(Check):
    name = "EncoderLayer"
    first_scenario = "public_train"

    def scenarios(self, target, extras, hidden):
        layer = {}

        def public_train():
            layer["public"] = built(target, 42, 4, 2, 8)
            return layer["public"](X3, True, np.array([[1, 0, 1]]))

        yield "public_train", public_train
        yield "public_eval", lambda: layer["public"](X3, False, np.array([[1, 1, 0]]))
        yield "public_eval_again", lambda: layer["public"](X3, False, np.array([[1, 1, 0]]))
        yield "public_eval_keywords", lambda: layer["public"](X3, training=False, mask=np.array([[1, 1, 0]]))
        if hidden:
            x = random_input(3, (2, 5, 8))
            mask = padding_mask_of([5, 3], 5)
            x_changed = x.copy()
            x_changed[1, 3:] = random_input(4, (2, 8))  # only padded positions change

            def hidden_build():
                layer["hidden"] = built(target, 7, 8, 3, 16, dropout_rate=0.2)
                return layer["hidden"](x, False, mask)

            yield "hidden_batch", hidden_build
            yield "hidden_padding_a", lambda: layer["hidden"](x, False, mask)
            yield "hidden_padding_b", lambda: layer["hidden"](x_changed, False, mask)
            yield "hidden_train_a", lambda: layer["hidden"](x, True, mask)
            yield "hidden_len1", lambda: layer["hidden"](x[:, :1], False, None)

    def compare(self, got, expected, hidden):
        what = "EncoderLayer(4, 2, 8) with training=False"
        eval_ = array_of(got["public_eval"], what, shape=(1, 3, 4))
        check_eval_is_deterministic(got, eval_, what, None, "Pass training=training to self.dropout_ffn.")
        reference_layer = warmed(lambda: built(reference.EncoderLayer, 42, 4, 2, 8),
                                 lambda layer: layer(X3, True, np.array([[1, 0, 1]])))
        mask = np.array([[1, 1, 0]])
        variants = [
            ("The first residual connection is missing: layernorm1 must get x + the attention output.",
             functools.partial(encoder_layer_variant, reference_layer, X3, mask, residual1=False)),
            ("The second residual connection must add the output of layernorm1 (not x) to the ffn output.",
             functools.partial(encoder_layer_variant, reference_layer, X3, mask, residual2="x")),
            ("The second residual connection is missing: layernorm2 must get the output of layernorm1 + the "
             "ffn output.", functools.partial(encoder_layer_variant, reference_layer, X3, mask, residual2=None)),
            ("The mask is not used: pass it to self.mha as the attention mask (self.mha(x, x, x, mask)).",
             functools.partial(encoder_layer_variant, reference_layer, X3, mask, use_mask=False)),
        ]
        diagnose(what, eval_, array_of(expected["public_eval"], what), variants,
                 "Check: self-attention of x with the mask; layernorm1(x + attention); ffn; dropout; "
                 "layernorm2(out1 + ffn output).")
        check_keywords_agree(got, eval_, "EncoderLayer", None, "call(self, x, training, mask)")
        train = array_of(got["public_train"], "EncoderLayer(4, 2, 8) with training=True", shape=(1, 3, 4))
        diagnose("EncoderLayer(4, 2, 8) with training=True", train, expected["public_train"]["array"], [],
                 "The training=False output is right, so look at dropout: apply self.dropout_ffn to the ffn "
                 "output with training=training, and nothing else random.")
        if hidden:
            compare_hidden_outputs(got, expected, ("hidden_batch", "hidden_len1", "hidden_train_a"),
                                   "EncoderLayer(8, 3, 16)", None, "Hidden check with batch 2, another seed and other sizes.")
            check_unchanged(got, "hidden_padding_a", "hidden_padding_b", None, np.s_[1, :3],
                            "Changing the vectors at padded positions changed the output at real positions: "
                            "the mask is not applied in the self-attention.")


# ------------------------------------------------------------------ 5. Encoder

def encoder_variant(encoder, ids, mask, scale="sqrt", add_pe=True, scale_after_pe=False, chain=True, use_mask=True):
    """The reference Encoder's forward pass (training=False), with a mistake switched on."""
    encoder = encoder()
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


ENCODER_IDS = np.array([[2, 1, 3], [1, 2, 0]])


@register
class EncoderCheck(Check):
    name = "Encoder"
    first_scenario = "public_train"
    ARGS = dict(num_layers=2, embedding_dim=4, num_heads=2, fully_connected_dim=8,
                input_vocab_size=32, maximum_position_encoding=5)

    def scenarios(self, target, extras, hidden):
        model = {}
        mask = padding_mask_of([3, 2], 3)

        def public_train():
            model["public"] = built(target, 42, **self.ARGS)
            return model["public"](ENCODER_IDS, True, None)

        yield "public_train", public_train
        yield "public_eval", lambda: model["public"](ENCODER_IDS, False, mask)
        yield "public_eval_again", lambda: model["public"](ENCODER_IDS, False, mask)
        yield "public_eval_keywords", lambda: model["public"](ENCODER_IDS, training=False, mask=mask)
        if hidden:
            ids = np.array([[5, 9, 2, 7, 0, 0], [3, 3, 1, 0, 0, 0], [8, 1, 4, 2, 6, 11]])
            hidden_mask = padding_mask_of([4, 3, 6], 6)
            changed = ids.copy()
            changed[0, 4:] = [13, 2]  # only padded positions change; the mask stays the same

            def hidden_build():
                model["hidden"] = built(target, 11, num_layers=3, embedding_dim=8, num_heads=2,
                                        fully_connected_dim=16, input_vocab_size=15, maximum_position_encoding=10)
                return model["hidden"](ids, False, hidden_mask)

            yield "hidden_batch", hidden_build
            yield "hidden_padding_a", lambda: model["hidden"](ids, False, hidden_mask)
            yield "hidden_padding_b", lambda: model["hidden"](changed, False, hidden_mask)
            yield "hidden_train", lambda: model["hidden"](ids, True, hidden_mask)
            yield "hidden_len1", lambda: model["hidden"](ids[:, :1], False, None)

    def compare(self, got, expected, hidden):
        train = array_of(got["public_train"], "Encoder output with training=True", shape=(2, 3, 4))
        what = "Encoder output with training=False"
        eval_ = array_of(got["public_eval"], what, shape=(2, 3, 4))
        check_eval_is_deterministic(got, eval_, what, None, "Pass training=training to self.dropout, and training "
                                    "to every encoder layer.")
        reference_encoder = warmed(lambda: built(reference.Encoder, 42, **self.ARGS),
                                   lambda encoder: encoder(ENCODER_IDS, True, None))
        mask = padding_mask_of([3, 2], 3)
        variants = [
            ("The embeddings are not multiplied by sqrt(embedding_dim) (as float32) before the positional "
             "encoding is added.", functools.partial(encoder_variant, reference_encoder, ENCODER_IDS, mask, scale="none")),
            ("Multiply the embeddings by the square root of embedding_dim, not embedding_dim itself.",
             functools.partial(encoder_variant, reference_encoder, ENCODER_IDS, mask, scale="d")),
            ("Scale the embeddings by sqrt(embedding_dim) before adding the positional encoding, not after.",
             functools.partial(encoder_variant, reference_encoder, ENCODER_IDS, mask, scale_after_pe=True)),
            ("The positional encoding is not added: x += self.pos_encoding[:, :seq_len, :].",
             functools.partial(encoder_variant, reference_encoder, ENCODER_IDS, mask, add_pe=False)),
            ("Each encoder layer must take the previous layer's output (x = self.enc_layers[i](x, ...)), "
             "not the embeddings.", functools.partial(encoder_variant, reference_encoder, ENCODER_IDS, mask, chain=False)),
            ("The mask is not passed to the encoder layers.",
             functools.partial(encoder_variant, reference_encoder, ENCODER_IDS, mask, use_mask=False)),
        ]
        diagnose(what, eval_, array_of(expected["public_eval"], what), variants,
                 "Check: embedding, times sqrt(embedding_dim), plus pos_encoding[:, :seq_len, :], dropout, "
                 "then every layer in order with training and mask.")
        check_keywords_agree(got, eval_, "Encoder", None, "call(self, x, training, mask)")
        want = expected["public_train"]["array"]
        if not close(train[0, 0], [-0.7971118, 0.85400605, -1.1759804, 1.1190861], atol=1e-4) or not close(train, want):
            raise CheckFailed(mismatch("Encoder output with training=True", train, want) +
                              " The training=False output is right, so look at dropout: self.dropout(x, "
                              "training=training) after adding the positional encoding, and pass training "
                              "to each layer.")
        if hidden:
            compare_hidden_outputs(got, expected, ("hidden_batch", "hidden_len1", "hidden_train"), "Encoder", None,
                                   "Hidden check with batch 3, three layers and other sizes.")
            check_unchanged(got, "hidden_padding_a", "hidden_padding_b", None, np.s_[0, :4],
                            "Changing token ids at padded positions changed the encoder output at real "
                            "positions: pass the mask to every encoder layer.")


# ------------------------------------------------------------------ 6. DecoderLayer

def decoder_layer_variant(layer, x, enc, look_ahead, padding, query2="Q1", residual=(True, True, True),
                          masks="right"):
    """The reference DecoderLayer's forward pass (training=False), with a mistake switched on."""
    layer = layer()
    mask1, mask2 = {"right": (look_ahead, padding), "swapped": (padding, look_ahead),
                    "no_look_ahead": (None, padding), "no_padding": (look_ahead, None)}[masks]
    attention1 = layer.mha1(x, x, x, mask1, training=False)
    q1 = layer.layernorm1(attention1 + x if residual[0] else attention1)
    query = q1 if query2 == "Q1" else x
    attention2 = layer.mha2(query, enc, enc, mask2, training=False)
    out2 = layer.layernorm2(attention2 + q1 if residual[1] else attention2)
    ffn = layer.ffn(out2)
    return numpy(layer.layernorm3(ffn + out2 if residual[2] else ffn))


@register
class DecoderLayerCheck(Check):
    name = "DecoderLayer"
    first_scenario = "public_train"
    extra_names = ("create_look_ahead_mask",)

    def scenarios(self, target, extras, hidden):
        layer = {}
        look_ahead = causal(3)
        padding = np.array([[[1, 1, 0]]], np.float32)

        def public_train():
            layer["public"] = built(target, 42, embedding_dim=4, num_heads=8, fully_connected_dim=32)
            return layer["public"](X3, ENC_OUTPUT, True, look_ahead, None)

        yield "public_train", public_train
        yield "public_eval", lambda: layer["public"](X3, ENC_OUTPUT, False, look_ahead, padding)
        yield "public_eval_again", lambda: layer["public"](X3, ENC_OUTPUT, False, look_ahead, padding)
        yield "public_eval_keywords", lambda: layer["public"](X3, ENC_OUTPUT, training=False,
                                                              look_ahead_mask=look_ahead, padding_mask=padding)
        if extras:  # the learner's create_look_ahead_mask is given code; make sure it is intact
            yield "look_ahead_mask", lambda: extras[0](3)
        if hidden:
            x = random_input(5, (2, 6, 8))
            enc = random_input(6, (2, 4, 8))
            enc_mask = padding_mask_of([4, 2], 4)
            x_future = x.copy()
            x_future[:, 3:] = random_input(8, (2, 3, 8))  # the future after position 2 changes
            enc_changed = enc.copy()
            enc_changed[1, 2:] = random_input(9, (2, 8))  # padded encoder positions change

            def hidden_build():
                layer["hidden"] = built(target, 5, 8, 2, 16, dropout_rate=0.2)
                return layer["hidden"](x, enc, False, causal(6), enc_mask)

            yield "hidden_batch", hidden_build
            yield "hidden_causal_a", lambda: layer["hidden"](x, enc, False, causal(6), enc_mask)
            yield "hidden_causal_b", lambda: layer["hidden"](x_future, enc, False, causal(6), enc_mask)
            yield "hidden_padding_a", lambda: layer["hidden"](x, enc, False, causal(6), enc_mask)
            yield "hidden_padding_b", lambda: layer["hidden"](x, enc_changed, False, causal(6), enc_mask)
            yield "hidden_train", lambda: layer["hidden"](x, enc, True, causal(6), enc_mask)

    def compare(self, got, expected, hidden):
        what = "DecoderLayer(4, 8, 32) with training=False"
        out, block1, block2 = tuple_items(got["public_eval"], what, 3)
        eval_ = array_of(out, f"the first output (out3) of {what}", shape=(1, 3, 4))
        array_of(block1, f"the block 1 attention weights of {what}", shape=(1, 8, 3, 3))
        array_of(block2, f"the block 2 attention weights of {what}", shape=(1, 8, 3, 3))
        check_eval_is_deterministic(got, eval_, what, 3, "Pass training=training to self.dropout_ffn.")
        weights1 = value_of(block1, "block 1 weights")
        if not np.allclose(np.triu(weights1[0], k=1), 0, atol=1e-6):
            raise CheckFailed("Block 1 attends to future positions: pass the look-ahead mask to self.mha1.")
        reference_layer = warmed(lambda: built(reference.DecoderLayer, 42, embedding_dim=4, num_heads=8,
                                               fully_connected_dim=32),
                                 lambda layer: layer(X3, ENC_OUTPUT, True, causal(3), None))
        args = (reference_layer, X3, ENC_OUTPUT, causal(3), np.array([[[1, 1, 0]]], np.float32))
        variants = [
            ("Block 2 must use Q1 (the output of block 1) as its query, not x: "
             "self.mha2(Q1, enc_output, enc_output, padding_mask, ...).", functools.partial(decoder_layer_variant, *args, query2="x")),
            ("The first residual connection is missing: Q1 = layernorm1(attention output + x).",
             functools.partial(decoder_layer_variant, *args, residual=(False, True, True))),
            ("The second residual connection is missing: layernorm2(attention output of block 2 + Q1).",
             functools.partial(decoder_layer_variant, *args, residual=(True, False, True))),
            ("The third residual connection is missing: layernorm3(ffn output + output of block 2).",
             functools.partial(decoder_layer_variant, *args, residual=(True, True, False))),
            ("The two masks are swapped: block 1 (self-attention) takes look_ahead_mask, block 2 takes "
             "padding_mask.", functools.partial(decoder_layer_variant, *args, masks="swapped")),
            ("The padding mask is not passed to self.mha2 (block 2).", functools.partial(decoder_layer_variant, *args, masks="no_padding")),
        ]
        diagnose(f"the first output (out3) of {what}", eval_,
                 array_of(tuple_items(expected["public_eval"], what, 3)[0], what), variants,
                 "Check the three blocks: masked self-attention + residual + layernorm1; attention from Q1 to "
                 "enc_output + residual + layernorm2; ffn, dropout, residual, layernorm3.")
        want_items = tuple_items(expected["public_eval"], what, 3)
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
        if not (close(train[0, 0], [1.2285516, -0.06560415, 0.3698757, -1.5328231], atol=1e-4)
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
        if hidden:
            compare_hidden_outputs(got, expected, ("hidden_batch", "hidden_train"), "DecoderLayer", 3,
                                   "Hidden check with batch 2, another seed and other sizes.")
            check_unchanged(got, "hidden_causal_a", "hidden_causal_b", 3, np.s_[:, :3],
                            "Changing the target after position t changed the output at positions <= t: "
                            "the look-ahead mask does not reach self.mha1.")
            check_unchanged(got, "hidden_padding_a", "hidden_padding_b", 3, np.s_[:],
                            "Changing padded encoder positions changed the output: the padding mask does "
                            "not reach self.mha2.")


# ------------------------------------------------------------------ 7. Decoder

DECODER_KEYS = ("decoder_layer{}_block1_self_att", "decoder_layer{}_block2_decenc_att")


def decoder_variant(decoder, ids, enc, look_ahead, padding, scale="sqrt", add_pe=True, chain=True, masks="right"):
    """The reference Decoder's forward pass (training=False), with a mistake switched on."""
    decoder = decoder()
    d = decoder.embedding_dim
    x = decoder.embedding(ids) * {"sqrt": tf.math.sqrt(tf.cast(d, tf.float32)), "d": float(d), "none": 1.0}[scale]
    if add_pe:
        x = x + decoder.pos_encoding[:, :ids.shape[1], :]
    mask1, mask2 = (look_ahead, padding) if masks == "right" else (padding, look_ahead)
    out = x
    for layer in decoder.dec_layers:
        out, _, _ = layer(out if chain else x, enc, False, mask1, mask2)
    return numpy(out)


def attention_dict(record, what, num_layers):
    """The attention-weights dict of a Decoder/Transformer, with its keys checked."""
    value_of(record, what)
    if record.get("kind") != "mapping":
        raise CheckFailed(f"{what} must be a dict of attention weights; got a {record.get('pytype')}.")
    want = [key.format(i) for i in range(1, num_layers + 1) for key in DECODER_KEYS]
    if sorted(record["items"]) != sorted(want):
        raise CheckFailed(f"The attention weights dict has keys {sorted(record['items'])}; expected "
                          f"{sorted(want)} (layers counted from 1).")
    return record["items"]


DECODER_IDS = np.array([[3, 2, 1], [2, 1, 0]])


@register
class DecoderCheck(Check):
    name = "Decoder"
    first_scenario = "public_train"
    extra_names = ("create_look_ahead_mask", "create_padding_mask")
    ARGS = dict(num_layers=2, embedding_dim=4, num_heads=2, fully_connected_dim=8,
                target_vocab_size=33, maximum_position_encoding=6)

    def scenarios(self, target, extras, hidden):
        model = {}
        enc = np.concatenate([ENC_OUTPUT, ENC_OUTPUT[:, ::-1]], axis=0)  # (2, 3, 4)
        padding = padding_mask_of([3, 2], 3)

        def public_train():
            model["public"] = built(target, 42, **self.ARGS)
            return model["public"](DECODER_IDS, enc, True, causal(3), padding)

        yield "public_train", public_train
        yield "public_eval", lambda: model["public"](DECODER_IDS, enc, False, causal(3), padding)
        yield "public_eval_again", lambda: model["public"](DECODER_IDS, enc, False, causal(3), padding)
        yield "public_eval_keywords", lambda: model["public"](DECODER_IDS, enc, training=False,
                                                              look_ahead_mask=causal(3), padding_mask=padding)
        if len(extras) == 2:  # the learner's given mask helpers must be intact
            yield "look_ahead_mask", lambda: extras[0](4)
            yield "padding_mask", lambda: extras[1](np.array([[7, 0, 3, 0]]))
        if hidden:
            ids = np.array([[4, 8, 1, 9, 2], [6, 3, 0, 0, 0]])
            future = ids.copy()
            future[:, 3:] = [[5, 5], [7, 1]]
            enc_h = random_input(12, (2, 4, 8))
            enc_mask = padding_mask_of([4, 3], 4)

            def hidden_build():
                model["hidden"] = built(target, 13, num_layers=3, embedding_dim=8, num_heads=2,
                                        fully_connected_dim=16, target_vocab_size=12, maximum_position_encoding=9)
                return model["hidden"](ids, enc_h, False, causal(5), enc_mask)

            yield "hidden_batch", hidden_build
            yield "hidden_causal_a", lambda: model["hidden"](ids, enc_h, False, causal(5), enc_mask)
            yield "hidden_causal_b", lambda: model["hidden"](future, enc_h, False, causal(5), enc_mask)
            yield "hidden_train", lambda: model["hidden"](ids, enc_h, True, causal(5), enc_mask)

    def compare(self, got, expected, hidden):
        what = "Decoder output with training=False"
        out, weights = tuple_items(got["public_eval"], what, 2)
        eval_ = array_of(out, what, shape=(2, 3, 4))
        attention = attention_dict(weights, "the second output of Decoder", 2)
        for key, record in attention.items():
            array_of(record, f"attention_weights['{key}']", shape=(2, 2, 3, 3))
        check_eval_is_deterministic(got, eval_, what, 2, "Pass training=training to self.dropout and training to "
                                    "every decoder layer.")
        reference_decoder = warmed(lambda: built(reference.Decoder, 42, **self.ARGS),
                                   lambda decoder: decoder(DECODER_IDS, enc, True, causal(3), padding))
        enc = np.concatenate([ENC_OUTPUT, ENC_OUTPUT[:, ::-1]], axis=0)
        padding = padding_mask_of([3, 2], 3)
        args = (reference_decoder, DECODER_IDS, enc, causal(3), padding)
        variants = [
            ("The embeddings are not multiplied by sqrt(embedding_dim) (as float32).",
             functools.partial(decoder_variant, *args, scale="none")),
            ("Multiply the embeddings by the square root of embedding_dim, not embedding_dim itself.",
             functools.partial(decoder_variant, *args, scale="d")),
            ("The positional encoding is not added: x += self.pos_encoding[:, :seq_len, :].",
             functools.partial(decoder_variant, *args, add_pe=False)),
            ("Each decoder layer must take the previous layer's output, not the embeddings.",
             functools.partial(decoder_variant, *args, chain=False)),
            ("The masks are swapped: each decoder layer takes (x, enc_output, training, look_ahead_mask, "
             "padding_mask) in that order.", functools.partial(decoder_variant, *args, masks="swapped")),
        ]
        want_out, want_weights = tuple_items(expected["public_eval"], what, 2)
        diagnose(what, eval_, want_out["array"], variants,
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
        if hidden:
            compare_hidden_outputs(got, expected, ("hidden_batch", "hidden_train"), "Decoder", 2,
                                   "Hidden check with three layers, batch 2 and other sizes.")
            check_unchanged(got, "hidden_causal_a", "hidden_causal_b", 2, np.s_[:, :3],
                            "Changing target tokens after position t changed the decoder output at "
                            "positions <= t: the look-ahead mask is not applied.")


# ------------------------------------------------------------------ 8. Transformer

SENTENCE_IN = np.array([[2, 1, 4, 3, 0]])
SENTENCE_OUT = np.array([[3, 2, 1, 0, 0]])


def transformer_variant(model, inp, tar, enc_mask, look_ahead, dec_mask, wiring):
    """The reference Transformer's forward pass (training=False) with the masks or inputs miswired."""
    model = model()
    encoder_mask, encoder_input, decoder_input, masks = {
        "right": (enc_mask, inp, tar, (look_ahead, dec_mask)),
        "decoder_masks_swapped": (enc_mask, inp, tar, (dec_mask, look_ahead)),
        "decoder_padding_is_look_ahead": (enc_mask, inp, tar, (look_ahead, look_ahead)),
        "decoder_no_look_ahead": (enc_mask, inp, tar, (dec_mask, dec_mask)),
        "encoder_look_ahead": (look_ahead, inp, tar, (look_ahead, dec_mask)),
        "encoder_no_mask": (None, inp, tar, (look_ahead, dec_mask)),
        "inputs_swapped": (enc_mask, tar, inp, (look_ahead, dec_mask)),
    }[wiring]
    enc_output = model.encoder(encoder_input, False, encoder_mask)
    dec_output, _ = model.decoder(decoder_input, enc_output, False, *masks)
    return numpy(model.final_layer(dec_output))


@register
class TransformerCheck(Check):
    name = "Transformer"
    first_scenario = "public_train"
    extra_names = ("create_look_ahead_mask", "create_padding_mask")
    ARGS = (6, 4, 4, 8, 30, 35, 5, 6)
    # The published course values: output[0, 0, :8] with training=True after seed 42.
    PUBLISHED = [0.01598642, 0.03246542, 0.02865042, 0.03237151, 0.0384616, 0.01717172, 0.01019837, 0.02168636]

    @staticmethod
    def masks():
        """(enc_padding_mask, look_ahead_mask, dec_padding_mask) of the public scenario.

        Like the course's test, the decoder's padding mask is built from the target
        sentence; the published values depend on it.
        """
        return padding_mask_of([4], 5), causal(5), padding_mask_of([3], 5)

    def scenarios(self, target, extras, hidden):
        model = {}
        enc_mask, look_ahead, dec_mask = self.masks()
        eval_masks = (padding_mask_of([4], 5), causal(5), padding_mask_of([4], 5))

        def public_train():
            model["public"] = built(target, 42, *self.ARGS)
            return model["public"](SENTENCE_IN, SENTENCE_OUT, True, enc_mask, look_ahead, dec_mask)

        yield "public_train", public_train
        yield "public_eval", lambda: model["public"](SENTENCE_IN, SENTENCE_OUT, False, *eval_masks)
        yield "public_eval_again", lambda: model["public"](SENTENCE_IN, SENTENCE_OUT, False, *eval_masks)
        yield "public_eval_keywords", lambda: model["public"](
            SENTENCE_IN, SENTENCE_OUT, training=False, enc_padding_mask=eval_masks[0],
            look_ahead_mask=eval_masks[1], dec_padding_mask=eval_masks[2])
        if hidden:
            inp = np.array([[5, 7, 2, 0, 0, 0], [1, 9, 9, 4, 3, 2], [8, 0, 0, 0, 0, 0]])
            tar = np.array([[1, 6, 2, 4, 3], [1, 2, 3, 0, 0], [1, 5, 0, 0, 0]])
            future = tar.copy()
            future[:, 3:] = 7
            padded = inp.copy()
            padded[0, 3:] = [4, 4, 4]  # only padded input positions change; masks stay the same
            masks = (padding_mask_of([3, 6, 1], 6), causal(5), padding_mask_of([3, 6, 1], 6))

            def hidden_build():
                model["hidden"] = built(target, 17, 2, 8, 2, 16, 10, 9, 8, 7)
                return model["hidden"](inp, tar, False, *masks)

            yield "hidden_batch", hidden_build
            yield "hidden_causal_a", lambda: model["hidden"](inp, tar, False, *masks)
            yield "hidden_causal_b", lambda: model["hidden"](inp, future, False, *masks)
            yield "hidden_padding_b", lambda: model["hidden"](padded, tar, False, *masks)
            yield "hidden_train", lambda: model["hidden"](inp, tar, True, *masks)

    def compare(self, got, expected, hidden):
        what = "Transformer output with training=False"
        out, weights = tuple_items(got["public_eval"], what, 2)
        value = value_of(out, what)
        if out.get("kind") == "array" and tuple(value.shape) == (1, 5, 4):
            raise CheckFailed("The output has the decoder's size (1, 5, 4): apply self.final_layer to the "
                              "decoder output to get probabilities over the 35 target tokens.")
        eval_ = array_of(out, what, shape=(1, 5, 35))
        if not np.allclose(eval_.sum(axis=-1), 1, atol=1e-4):
            raise CheckFailed("The output rows do not sum to 1: return the output of self.final_layer (softmax).")
        attention = attention_dict(weights, "the second output of Transformer", 6)
        for key, record in attention.items():
            array_of(record, f"attention_weights['{key}']", shape=(1, 4, 5, 5))
        check_eval_is_deterministic(got, eval_, what, 2, "Pass training to the encoder and the decoder.")
        reference_model = warmed(lambda: built(reference.Transformer, 42, *self.ARGS),
                                 lambda model: model(SENTENCE_IN, SENTENCE_OUT, True, *self.masks()))
        args = (reference_model, SENTENCE_IN, SENTENCE_OUT, padding_mask_of([4], 5), causal(5),
                padding_mask_of([4], 5))
        variants = [
            ("The decoder gets its two masks swapped: self.decoder(output_sentence, enc_output, training, "
             "look_ahead_mask, dec_padding_mask).", functools.partial(transformer_variant, *args, "decoder_masks_swapped")),
            ("The decoder must get dec_padding_mask as its padding mask, not the look-ahead mask.",
             functools.partial(transformer_variant, *args, "decoder_padding_is_look_ahead")),
            ("The decoder must get look_ahead_mask for its self-attention, not a padding mask.",
             functools.partial(transformer_variant, *args, "decoder_no_look_ahead")),
            ("The encoder must get enc_padding_mask, not the look-ahead mask.",
             functools.partial(transformer_variant, *args, "encoder_look_ahead")),
            ("The encoder does not get its mask: self.encoder(input_sentence, training, enc_padding_mask).",
             functools.partial(transformer_variant, *args, "encoder_no_mask")),
            ("The sentences are swapped: the encoder reads input_sentence, the decoder output_sentence.",
             functools.partial(transformer_variant, *args, "inputs_swapped")),
        ]
        want_out, want_weights = tuple_items(expected["public_eval"], what, 2)
        diagnose(what, eval_, want_out["array"], variants,
                 "Check: encoder(input_sentence, training, enc_padding_mask); decoder(output_sentence, "
                 "enc_output, training, look_ahead_mask, dec_padding_mask); final_layer.")
        for key, record in attention.items():
            diagnose(f"attention_weights['{key}']", record["array"], want_weights["items"][key]["array"], [],
                     "Return the decoder's attention_weights dict unchanged.")
        check_keywords_agree(got, eval_, "Transformer", 2, "call(self, input_sentence, output_sentence, training, "
                             "enc_padding_mask, look_ahead_mask, dec_padding_mask)")
        train = array_of(tuple_items(got["public_train"], "Transformer with training=True", 2)[0], "Transformer")
        want_train = tuple_items(expected["public_train"], "reference", 2)[0]["array"]
        if not (close(train[0, 0, :8], self.PUBLISHED, atol=1e-4) and close(train, want_train)):
            raise CheckFailed(mismatch("Transformer output with training=True", train, want_train) +
                              " The training=False output is right, so look at how training reaches the "
                              "encoder and the decoder.")
        if hidden:
            compare_hidden_outputs(got, expected, ("hidden_batch", "hidden_train"), "Transformer", 2,
                                   "Hidden check with batch 3, two layers and other sizes.")
            check_unchanged(got, "hidden_causal_a", "hidden_causal_b", 2, np.s_[:, :3],
                            "Changing target tokens after position t changed the predictions at positions "
                            "<= t: the look-ahead mask does not reach the decoder's self-attention.")
            check_unchanged(got, "hidden_causal_a", "hidden_padding_b", 2, np.s_[0],
                            "Changing padded input tokens changed the predictions: the padding masks do not "
                            "reach the encoder and the decoder.")


get_angles_test = public_test("get_angles")
positional_encoding_test = public_test("positional_encoding")
scaled_dot_product_attention_test = public_test("scaled_dot_product_attention")
EncoderLayer_test = public_test("EncoderLayer")
Encoder_test = public_test("Encoder")
DecoderLayer_test = public_test("DecoderLayer")
Decoder_test = public_test("Decoder")
Transformer_test = public_test("Transformer")
