"""Check of exercise 3: ``scaled_dot_product_attention``.

What the course's public test compares (``scaled_dot_product_attention_test`` in the
course's ``public_tests.py``, e.g. as published in public learner repositories; found with
a code search for "def scaled_dot_product_attention_test(target)"): it calls the function
on 2-D numpy arrays q (3, 4), k (4, 4), v (4, 2), first without a mask: the weights must be
a tensor of shape (3, 4) and ``np.allclose`` (default tolerances) to its values, the output
a tensor of shape (3, 2), allclose to its values; then with a (1, 3, 4) mask: weights and
output allclose (no type or shape assertion; ``np.allclose`` broadcasts).

Scenarios: ``public`` (those inputs, those comparisons); ``same_shapes`` (course: the same
shapes with other values and masks, the same comparisons); beyond, all ``shown`` (the
public test prints them as advice): 2-D inputs of other sizes (``k`` no longer square, so
``k.shape[0]`` and ``k.shape[-1]`` differ), leading batch and head axes, tensors.
"""
import numpy as np

from assignment.checks.inputs import K, MASK, Q, V, convention_of, random_input, shapes
from assignment.checks.judging import CheckFailed, array_of, course_compare, diagnose, numpy, tuple_items
from assignment.checks.protocol import BEYOND, COURSE, PUBLIC, Check, Group, register


def _same_shapes():
    q, k, v = random_input(61, (3, 4)), random_input(62, (4, 4)), random_input(63, (4, 2))
    masks = (np.array([[[1, 0, 1, 1], [1, 1, 1, 0], [0, 1, 1, 1]]], np.float32),  # (1, 3, 4), rows differ
             np.array([[[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0]]], np.float32))
    return q, k, v, masks


def _hidden_2d():
    q, k, v = random_input(71, (5, 8)), random_input(72, (6, 8)), random_input(73, (6, 3))
    mask = np.tril(np.ones((1, 5, 6), np.float32), k=1)  # (1, 5, 6): row i may attend to keys <= i + 1
    return q, k, v, mask


def _hidden_4d():
    rng = np.random.default_rng(7)
    q = rng.normal(size=(2, 3, 5, 8)).astype(np.float32)
    k = rng.normal(size=(2, 3, 6, 8)).astype(np.float32)
    v = rng.normal(size=(2, 3, 6, 4)).astype(np.float32)
    padding = np.ones((2, 1, 1, 6), np.float32)
    padding[0, ..., 4:] = 0
    padding[1, ..., 2:] = 0
    return q, k, v, padding


_Q1, _K1, _V1, _MASKS1 = _same_shapes()
_Q2, _K2, _V2, _MASK2 = _hidden_2d()
_Q4, _K4, _V4, _MASK4 = _hidden_4d()


@register
class ScaledDotProductAttention(Check):
    name = "scaled_dot_product_attention"
    groups = (
        Group("public", PUBLIC, "the course's q (3, 4), k (4, 4), v (4, 2), without and with a (1, 3, 4) mask",
              mistakes_on=("public", "public_mask")),
        Group("same_shapes", COURSE, "the course's shapes with other values (q (3, 4), k (4, 4), v (4, 2)), "
                                     "without a mask and with two other (1, 3, 4) masks",
              mistakes_on=("same_shapes", "same_shapes_mask", "same_shapes_mask2")),
        Group("other_sizes", BEYOND, f"2-D inputs with other sizes ({shapes(q=_Q2, k=_K2, v=_V2)}: k is not "
                                     "square), without a mask, with a (1, 5, 6) mask and with a mask of ones",
              mistakes_on=("other_sizes", "other_sizes_mask", "other_sizes_ones_mask"), shown=True),
        Group("batch_heads", BEYOND, "with leading batch and head axes, as multi-head attention calls it "
                                     f"({shapes(q=_Q4, k=_K4, v=_V4, mask=_MASK4)})", mistakes_on=("batch_heads",),
              shown=True),
        Group("tensors", BEYOND, "with TensorFlow tensors instead of numpy arrays (the course's q (3, 4), "
                                 "k (4, 4), v (4, 2) and (1, 3, 4) mask, as tf.constant)", mistakes_on=("tensors",),
              shown=True),
    )
    hints = {  # {add_mask} and {inverted} are filled in from the release's mask convention
        "unscaled": "The scores are not divided by sqrt(d_k): scale q k^T by 1/sqrt(d_k), with d_k the size "
                    "of the last dimension of k.",
        "scaled_by_depth": "Divide the scores by sqrt(d_k), not by d_k.",
        "dk_from_keys": "The scores are divided by the square root of the number of keys (k.shape[0], len(k) or "
                        "tf.shape(k)[0]): d_k is the depth of the keys, the last axis, k.shape[-1]. The course's "
                        "k is square (4, 4), so its test cannot tell the two apart.",
        "softmax_axis": "Softmax runs over the wrong axis: normalize over the keys, the last axis (axis=-1), so "
                        "each row of weights sums to 1 (with a (1, n_q, n_k) mask the scores have 3 axes, and "
                        "axis=1 is the queries').",
        "mask_inverted": "The mask is applied the wrong way round: {inverted}",
        "mask_ignored": "The mask is ignored: when mask is not None, add {add_mask} to the scaled scores.",
        "mask_multiplied": "Add {add_mask} to the scores; multiplying the scores by the mask does not "
                           "block a position.",
        "mask_tiny": "The blocked positions must get -1e9, a huge negative number, before the softmax.",
    }
    INVERTED = {  # the mask_inverted hint, per convention
        "current": "`mask * -1e9` is the older convention (1 = padding); this notebook's masks have 1 = may "
                   "attend and 0 = blocked, so add (1 - mask) * -1e9.",
        "2021": "this notebook (the 2021 release) marks padded and future positions with 1, so add "
                "mask * -1e9, not (1 - mask) * -1e9.",
    }

    def __init__(self, exercise, reference=None, **settings):
        super().__init__(exercise, reference, **settings)
        self.convention = convention_of(self.settings)

    def known_mistakes(self, scenario):
        words = {"add_mask": self.convention.add_mask, "inverted": self.INVERTED[self.convention.name]}
        return [(hint.format(**words), output) for hint, output in super().known_mistakes(scenario)]

    def reference_call(self, module):
        target, extras = super().reference_call(module)
        if getattr(module, "MASK_CONVENTION", "current") == self.convention.name:
            return target, extras  # the module's own convention (e.g. assignment.transformer_2021)
        if not self.convention.blocked_is_one:
            return target, extras
        convention = self.convention
        return (lambda q, k, v, mask: target(q, k, v, convention.to_attend(mask))), extras

    @staticmethod
    def cases():
        """key -> (group id, (q, k, v, mask)); the tensors are made when asked for."""
        def tensors():
            import tensorflow as tf
            return tuple(tf.constant(x) for x in (Q, K, V, MASK))

        return {
            "public": ("public", lambda: (Q, K, V, None)),
            "public_mask": ("public", lambda: (Q, K, V, MASK)),
            "same_shapes": ("same_shapes", lambda: (_Q1, _K1, _V1, None)),
            "same_shapes_mask": ("same_shapes", lambda: (_Q1, _K1, _V1, _MASKS1[0])),
            "same_shapes_mask2": ("same_shapes", lambda: (_Q1, _K1, _V1, _MASKS1[1])),
            "other_sizes": ("other_sizes", lambda: (_Q2, _K2, _V2, None)),
            "other_sizes_mask": ("other_sizes", lambda: (_Q2, _K2, _V2, _MASK2)),
            "other_sizes_ones_mask": ("other_sizes", lambda: (_Q2, _K2, _V2, np.ones((1, 5, 6), np.float32))),
            "batch_heads": ("batch_heads", lambda: (_Q4, _K4, _V4, _MASK4)),
            "tensors": ("tensors", tensors),
        }

    def scenarios(self, target, extras):
        for key, (group, inputs) in self.cases().items():
            yield group, key, (lambda inputs=inputs: self._call(target, *inputs()))

    def _call(self, target, q, k, v, mask):
        return target(q, k, v, self.convention.attention(mask))  # the mask as the release writes it

    def _course_compare(self, group, got, expected):
        """The course's comparisons: unmasked, tensors of the right shapes allclose to the
        reference; masked, allclose (broadcasting, no type or shape assertion)."""
        for key, (case_group, inputs) in self.cases().items():
            if case_group != group:
                continue
            mask = inputs()[3]
            what = "scaled_dot_product_attention" + (" with a mask" if mask is not None else "")
            items = tuple_items(got[key], what, 2)
            want_out, want_w = (array_of(item, what) for item in tuple_items(expected[key], what, 2))
            unmasked = mask is None
            weights = array_of(items[1], f"the attention weights of {what}", tensor=True if unmasked else None)
            output = array_of(items[0], f"the output of {what}", tensor=True if unmasked else None)
            if unmasked and tuple(weights.shape) != tuple(want_w.shape):
                raise CheckFailed(f"The attention weights have shape {tuple(weights.shape)}; expected "
                                  f"{tuple(want_w.shape)} (queries x keys).")
            course_compare(f"the attention weights of {what}", weights, want_w, self.known_mistakes(key),
                           f"weights = softmax(q k^T / sqrt(d_k) + {self.convention.add_mask}) over the last axis.")
            if unmasked and tuple(output.shape) != tuple(want_out.shape):
                raise CheckFailed(f"The output has shape {tuple(output.shape)}; expected {tuple(want_out.shape)}.")
            course_compare(f"the output of {what}", output, want_out, [],
                           "The weights are right: output = tf.matmul(attention_weights, v).")

    def _compare(self, group, got, expected):
        for key, (case_group, inputs) in self.cases().items():
            if case_group != group:
                continue
            mask = inputs()[3]
            what = "scaled_dot_product_attention" + (" with a mask" if mask is not None else "")
            items = tuple_items(got[key], what, 2)
            want_out, want_w = (array_of(item, what) for item in tuple_items(expected[key], what, 2))
            weights = array_of(items[1], f"the attention weights of {what}")
            output = array_of(items[0], f"the output of {what}")
            diagnose(f"the attention weights of {what}", weights, want_w, self.known_mistakes(key),
                     f"weights = softmax(q k^T / sqrt(d_k) + {self.convention.add_mask}) over the last axis.")
            diagnose(f"the output of {what}", output, want_out, [],
                     "The weights are right: output = tf.matmul(attention_weights, v).")

    def compare_public(self, got, expected):
        self._course_compare("public", got, expected)

    def compare_same_shapes(self, got, expected):
        self._course_compare("same_shapes", got, expected)

    def compare_other_sizes(self, got, expected):
        self._compare("other_sizes", got, expected)

    def compare_batch_heads(self, got, expected):
        self._compare("batch_heads", got, expected)

    def compare_tensors(self, got, expected):
        self._compare("tensors", got, expected)


def attention_inputs(key):
    """The (q, k, v, mask) of scenario ``key`` as numpy arrays (mask may be None)."""
    q, k, v, mask = ScaledDotProductAttention.cases()[key][1]()
    return numpy(q), numpy(k), numpy(v), None if mask is None else numpy(mask)
