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
