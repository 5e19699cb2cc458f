"""The fixed inputs of the checks' scenarios, and the masks built from them.

The public ones are the course's test inputs; the others are the hidden scenarios'.
No solution code here: these are data and mask builders (1.0 = may attend).
"""
import numpy as np

# The course's attention inputs: q (3, 4), k (4, 4), v (4, 2) and a (1, 3, 4) mask.
Q = np.array([[1, 0, 1, 1], [0, 1, 1, 1], [1, 0, 0, 1]], np.float32)
K = np.array([[1, 1, 0, 1], [1, 0, 1, 1], [0, 1, 1, 0], [0, 0, 0, 1]], np.float32)
V = np.array([[0, 0], [1, 0], [1, 0], [1, 1]], np.float32)
MASK = np.array([[[1, 1, 0, 1], [1, 1, 0, 1], [1, 1, 0, 1]]], np.float32)

X3 = Q[np.newaxis]  # (1, 3, 4): the course's small input sequence
ENC_OUTPUT = np.array([[[-0.40172306, 0.11519244, -1.2322885, 1.5188192],
                        [0.4017268, 0.33922842, -1.6836855, 0.9427304],
                        [0.4685002, -1.6252842, 0.09368491, 1.063099]]], np.float32)  # (1, 3, 4)

ENCODER_IDS = np.array([[2, 1, 3], [1, 2, 0]])  # (2, 3)
DECODER_IDS = np.array([[3, 2, 1], [2, 1, 0]])  # (2, 3)
SENTENCE_IN = np.array([[2, 1, 4, 3, 0]])  # (1, 5)
SENTENCE_OUT = np.array([[3, 2, 1, 0, 0]])  # (1, 5)


def random_input(seed, shape):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def padding_mask_of(lengths, max_len):
    """(batch, 1, max_len): 1.0 on the first ``length`` positions of each row."""
    return (np.arange(max_len)[np.newaxis, :] < np.asarray(lengths)[:, np.newaxis]).astype(np.float32)[:, np.newaxis, :]


def causal(length):
    """(1, length, length): the look-ahead mask, 1.0 on and below the diagonal."""
    return np.tril(np.ones((1, length, length), np.float32))


def shapes(**arrays) -> str:
    """'q (2, 3, 5, 8), k (2, 3, 6, 8)': the shapes a scenario feeds the code, for feedback."""
    return ", ".join(f"{name} {tuple(np.shape(value))}" for name, value in arrays.items() if value is not None)


class MaskConvention:
    """How a release of the notebook writes its masks; the checks take it as a parameter.

    The scenarios are written with 1.0 = may attend; ``attention`` turns such a mask into
    this convention's values, ``look_ahead``/``padding`` are what the release's given
    helpers return, ``add_mask`` is how its attention adds a mask to the scores.
    """

    def __init__(self, name, blocked_is_one, padding_axes, add_mask, about):
        self.name = name
        self.blocked_is_one = blocked_is_one  # True: 1.0 marks a padded / future (blocked) position
        self.padding_axes = padding_axes  # singleton axes create_padding_mask inserts: 1 -> (n, 1, m)
        self.add_mask = add_mask
        self.about = about

    def attention(self, mask):
        """A (1.0 = may attend) scenario mask in this convention (numpy array or tensor)."""
        if mask is None or not self.blocked_is_one:
            return mask
        return 1.0 - mask

    def to_attend(self, mask):
        """This convention's mask back to 1.0 = may attend (for the reference)."""
        return self.attention(mask)  # the conversion is its own inverse

    def look_ahead(self, size):
        """What the release's create_look_ahead_mask(size) returns."""
        if self.blocked_is_one:
            return 1.0 - np.tril(np.ones((size, size), np.float32))  # (size, size): 1.0 = future position
        return causal(size)  # (1, size, size)

    def padding(self, ids):
        """What the release's create_padding_mask(ids) returns."""
        ids = np.asarray(ids)
        values = (ids == 0) if self.blocked_is_one else (ids != 0)
        return values.astype(np.float32).reshape(ids.shape[0], *([1] * self.padding_axes), ids.shape[-1])

    def __repr__(self):  # part of a check's settings token (the cache key of expected values)
        return f"MaskConvention({self.name!r})"


CURRENT = MaskConvention("current", False, 1, "(1 - mask) * -1e9",
                         "1 = may attend, 0 = padding or future; create_padding_mask returns (n, 1, m)")
RELEASE_2021 = MaskConvention("2021", True, 2, "mask * -1e9",
                              "1 = padding or future position (blocked); create_padding_mask returns (n, 1, 1, m)")
CONVENTIONS = {convention.name: convention for convention in (CURRENT, RELEASE_2021)}


def convention_of(settings) -> MaskConvention:
    """The mask convention a check's settings name ("current" unless ``mask_convention`` says otherwise)."""
    name = (settings or {}).get("mask_convention", "current")
    if name not in CONVENTIONS:
        raise ValueError(f"unknown mask convention {name!r}; expected one of {sorted(CONVENTIONS)}")
    return CONVENTIONS[name]
