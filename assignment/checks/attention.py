"""Check of exercise 3: ``scaled_dot_product_attention``.

The course's test calls it on 2-D numpy arrays, q (3, 4), k (4, 4), v (4, 2), without a
mask and with a (1, 3, 4) mask. Hidden course scenarios keep that domain (2-D arrays,
a (1, n_q, n_k) mask) with other sizes and values; beyond the course are leading batch
and head axes, as multi-head attention feeds it, and TensorFlow tensors instead of arrays.
"""
import numpy as np

from assignment.checks.inputs import K, MASK, Q, V, convention_of, random_input, shapes
from assignment.checks.protocol import (BEYOND, COURSE, PUBLIC, Check, Group, array_of, diagnose, numpy,
                                        register, tuple_items)


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


_Q2, _K2, _V2, _MASK2 = _hidden_2d()
_Q4, _K4, _V4, _MASK4 = _hidden_4d()


@register
class ScaledDotProductAttention(Check):
    name = "scaled_dot_product_attention"
    groups = (
        Group("public", PUBLIC, "the course's q (3, 4), k (4, 4), v (4, 2), without and with a (1, 3, 4) mask",
              mistakes_on=("public", "public_mask")),
        Group("other_values", COURSE, f"2-D inputs with other sizes and values ({shapes(q=_Q2, k=_K2, v=_V2)}), "
                                      "without a mask, with a (1, 5, 6) mask and with a mask of ones",
              mistakes_on=("other_values", "other_values_mask", "other_values_ones_mask")),
        Group("batch_heads", BEYOND, "with leading batch and head axes, as multi-head attention calls it "
                                     f"({shapes(q=_Q4, k=_K4, v=_V4, mask=_MASK4)})", mistakes_on=("batch_heads",)),
        Group("tensors", BEYOND, "with TensorFlow tensors instead of numpy arrays (the course's q (3, 4), "
                                 "k (4, 4), v (4, 2) and (1, 3, 4) mask, as tf.constant)", mistakes_on=("tensors",)),
    )
    hints = {  # {add_mask} and {inverted} are filled in from the release's mask convention
        "unscaled": "The scores are not divided by sqrt(d_k): scale q k^T by 1/sqrt(d_k), with d_k the size "
                    "of the last dimension of k.",
        "scaled_by_depth": "Divide the scores by sqrt(d_k), not by d_k.",
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
            "other_values": ("other_values", lambda: (_Q2, _K2, _V2, None)),
            "other_values_mask": ("other_values", lambda: (_Q2, _K2, _V2, _MASK2)),
            "other_values_ones_mask": ("other_values", lambda: (_Q2, _K2, _V2, np.ones((1, 5, 6), np.float32))),
            "batch_heads": ("batch_heads", lambda: (_Q4, _K4, _V4, _MASK4)),
            "tensors": ("tensors", tensors),
        }

    def scenarios(self, target, extras):
        for key, (group, inputs) in self.cases().items():
            yield group, key, (lambda inputs=inputs: self._call(target, *inputs()))

    def _call(self, target, q, k, v, mask):
        return target(q, k, v, self.convention.attention(mask))  # the mask as the release writes it

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
        self._compare("public", got, expected)

    def compare_other_values(self, got, expected):
        self._compare("other_values", got, expected)

    def compare_batch_heads(self, got, expected):
        self._compare("batch_heads", got, expected)

    def compare_tensors(self, got, expected):
        self._compare("tensors", got, expected)


def attention_inputs(key):
    """The (q, k, v, mask) of scenario ``key`` as numpy arrays (mask may be None)."""
    q, k, v, mask = ScaledDotProductAttention.cases()[key][1]()
    return numpy(q), numpy(k), numpy(v), None if mask is None else numpy(mask)
