"""Properties of the reference Transformer that the course's tests do not look at."""
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from assignment import transformer as ref
from assignment.exercises import EXERCISES, NOTEBOOKS

VOCAB_IN, VOCAB_OUT = 20, 22


@pytest.fixture(scope="module")
def model():
    tf.keras.utils.set_random_seed(0)
    return ref.Transformer(num_layers=2, embedding_dim=8, num_heads=2, fully_connected_dim=16,
                           input_vocab_size=VOCAB_IN, target_vocab_size=VOCAB_OUT,
                           max_positional_encoding_input=12, max_positional_encoding_target=12)


def masks_for(inp, tar):
    return ref.create_padding_mask(inp), ref.create_look_ahead_mask(tar.shape[1]), ref.create_padding_mask(inp)


def predict(model, inp, tar, training=False):
    out, _ = model(inp, tar, training, *masks_for(inp, tar))
    return out.numpy()


def test_causality_future_targets_do_not_change_the_past(model):
    inp = np.array([[3, 4, 5, 6, 0, 0], [7, 8, 9, 0, 0, 0]])
    tar = np.array([[1, 2, 3, 4, 5], [1, 6, 7, 8, 9]])
    base = predict(model, inp, tar)
    for t in range(tar.shape[1] - 1):
        changed = tar.copy()
        changed[:, t + 1:] = (changed[:, t + 1:] + 7) % (VOCAB_OUT - 1) + 1
        out = predict(model, inp, changed)
        np.testing.assert_allclose(out[:, :t + 1], base[:, :t + 1], atol=1e-5)
        assert not np.allclose(out[:, t + 1:], base[:, t + 1:])  # the future did change


def test_padding_ids_do_not_matter_when_masked(model):
    inp = np.array([[3, 4, 5, 0, 0, 0]])
    tar = np.array([[1, 2, 3]])
    enc_mask, look_ahead, dec_mask = masks_for(inp, tar)
    base, _ = model(inp, tar, False, enc_mask, look_ahead, dec_mask)
    garbage = inp.copy()
    garbage[0, 3:] = [9, 11, 13]  # the masks still say: only 3 real tokens
    out, _ = model(garbage, tar, False, enc_mask, look_ahead, dec_mask)
    np.testing.assert_allclose(out.numpy(), base.numpy(), atol=1e-5)


def test_batch_rows_are_independent(model):
    inp = np.array([[3, 4, 5, 0], [6, 7, 0, 0], [8, 9, 10, 11]])
    tar = np.array([[1, 2, 3], [1, 4, 0], [1, 5, 6]])
    together = predict(model, inp, tar)
    for row in range(3):
        alone = predict(model, inp[row:row + 1], tar[row:row + 1])
        np.testing.assert_allclose(together[row:row + 1], alone, atol=1e-5)


def test_sequence_length_one(model):
    out = predict(model, np.array([[5]]), np.array([[1]]))
    assert out.shape == (1, 1, VOCAB_OUT)
    np.testing.assert_allclose(out.sum(-1), 1, atol=1e-5)


def test_numpy_and_tensor_inputs_agree(model):
    inp, tar = np.array([[3, 4, 5, 0]]), np.array([[1, 2]])
    np.testing.assert_allclose(predict(model, inp, tar), predict(model, tf.constant(inp), tf.constant(tar)),
                               atol=1e-6)


def test_training_positional_and_keyword_agree(model):
    inp, tar = np.array([[3, 4, 5, 0]]), np.array([[1, 2]])
    masks = masks_for(inp, tar)
    positional, _ = model(inp, tar, False, *masks)
    keyword, _ = model(inp, tar, training=False, enc_padding_mask=masks[0], look_ahead_mask=masks[1],
                       dec_padding_mask=masks[2])
    np.testing.assert_allclose(positional.numpy(), keyword.numpy(), atol=1e-6)
    tf.keras.utils.set_random_seed(1)
    first, _ = model(inp, tar, True, *masks)
    second, _ = model(inp, tar, True, *masks)
    assert not np.allclose(first.numpy(), second.numpy())  # dropout really is on in training


def test_attention_works_on_numpy_with_batch_dims():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 2))
    out, weights = ref.scaled_dot_product_attention(q.astype("float32"), k.astype("float32"),
                                                    v.astype("float32"), None)
    assert out.shape == (2, 3, 4, 2) and weights.shape == (2, 3, 4, 6)
    np.testing.assert_allclose(weights.numpy().sum(-1), 1, atol=1e-5)


def test_masks():
    np.testing.assert_array_equal(ref.create_padding_mask(np.array([[7, 0, 2]])).numpy(), [[[1, 0, 1]]])
    np.testing.assert_array_equal(ref.create_look_ahead_mask(3).numpy(), np.tril(np.ones((1, 3, 3))))


def test_registry_points_and_tags():
    assert [e.tag for e in EXERCISES] == [f"UNQ_C{i}" for i in range(1, 9)]
    for exercises in NOTEBOOKS.values():
        assert sum(e.points for e in exercises) == 100
    for exercise in EXERCISES:
        assert hasattr(ref, exercise.name)


@pytest.mark.slow  # a fresh interpreter imports TensorFlow
def test_keras3_already_imported_gives_clear_error():
    """If TensorFlow was imported with Keras 3 first (a course notebook's first cell on a kernel
    without TF_USE_LEGACY_KERAS), the import works and the first public test stops with one
    line saying what to do, not Keras 3's "Only input tensors may be passed" deep inside."""
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    code = ("import tensorflow as tf; from tensorflow.keras.layers import Dense; "
            "from public_tests import *; from assignment.transformer import get_angles; get_angles_test(get_angles)")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))), timeout=300)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("assignment.legacy_keras.Keras3ActiveError") or "Keras3ActiveError" in last, last
    assert "TF_USE_LEGACY_KERAS" in last and "restart the kernel" in last, last
