"""Check of scaled_dot_product_attention (assignment/checks/attention.py)."""
import pytest
import tensorflow as tf

from assignment.checks import ALL_TESTS_PASSED
from check_helpers import graded, mutants_of, ref, run_public_test


def test_reference_passes_every_scenario_strictly():
    assert graded("scaled_dot_product_attention", ref.scaled_dot_product_attention, policy="strict").advice == []


@pytest.mark.parametrize("mutant, hint", mutants_of("scaled_dot_product_attention"))
def test_mutant_rejected_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        run_public_test("scaled_dot_product_attention", mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


def attention_with_k_dot_t(q, k, v, mask):
    """The transpose written k.T, as many learners do: right for the course's 2-D inputs."""
    matmul_qk = tf.matmul(q, k.T)
    dk = tf.cast(tf.shape(k)[-1], tf.float32)
    scaled_attention_logits = matmul_qk / tf.math.sqrt(dk)
    if mask is not None:
        scaled_attention_logits += (1. - mask) * -1e9
    attention_weights = tf.keras.activations.softmax(scaled_attention_logits, axis=-1)
    output = tf.matmul(attention_weights, v)
    return output, attention_weights


def test_k_dot_t_passes_the_course_with_advice(capsys):
    run_public_test("scaled_dot_product_attention", attention_with_k_dot_t)
    assert ALL_TESTS_PASSED in capsys.readouterr().out
    verdict = graded("scaled_dot_product_attention", attention_with_k_dot_t)  # the grader's default policy
    assert [item.scenario for item in verdict.advice] == ["batch_heads", "tensors"]
    advice = str(verdict.advice[0])
    assert advice.startswith("Beyond the course's tests, with leading batch and head axes")
    assert "q (2, 3, 5, 8), k (2, 3, 6, 8), v (2, 3, 6, 4), mask (2, 1, 1, 6)" in advice  # what it received
    assert "matmul_qk = tf.matmul(q, k.T)" in advice  # the line that failed
    assert "{{function_node" not in advice and "[Op:" not in advice  # not TensorFlow's raw message


def test_k_dot_t_fails_under_the_strict_policy():
    with pytest.raises(AssertionError) as failure:
        graded("scaled_dot_product_attention", attention_with_k_dot_t, policy="strict")
    assert failure.value.raised
    assert str(failure.value).startswith("On beyond the course's tests, with leading batch and head axes")


def test_a_course_scenario_failure_is_never_advice():
    """Right on the public inputs only (hard-coded): the hidden course scenario fails it."""
    from assignment.checks.inputs import K, MASK, Q, V

    def hard_coded(q, k, v, mask):
        return ref.scaled_dot_product_attention(Q, K, V, None if mask is None else MASK)

    run_public_test("scaled_dot_product_attention", hard_coded)
    with pytest.raises(AssertionError, match="On a hidden scenario, the course's shapes with other values"):
        graded("scaled_dot_product_attention", hard_coded)


def attention_2021(q, k, v, mask):
    """The 2021 release's attention: its masks mark blocked positions with 1."""
    logits = tf.matmul(q, k, transpose_b=True) / tf.math.sqrt(tf.cast(tf.shape(k)[-1], tf.float32))
    if mask is not None:
        logits += (mask * -1e9)
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def check_with(convention):
    from assignment.checks import make_check
    from assignment.exercises import find
    from check_helpers import LIVE
    return make_check(find("scaled_dot_product_attention"), LIVE, mask_convention=convention)


def test_the_mask_convention_is_a_parameter_of_the_check():
    old = check_with("2021")
    assert old.judge(old.probe(attention_2021, hidden=True), hidden=True, policy="strict").advice == []
    with pytest.raises(AssertionError, match="older convention"):  # the same code, today's masks
        graded("scaled_dot_product_attention", attention_2021)
    with pytest.raises(AssertionError, match=r"2021 release\) marks padded and future positions with 1"):
        old.judge(old.probe(ref.scaled_dot_product_attention, hidden=True), hidden=True)


def test_the_2021_convention_describes_that_release_s_helpers():
    import numpy as np
    from assignment.checks.inputs import CONVENTIONS
    old = CONVENTIONS["2021"]
    assert old.padding(np.array([[7, 0, 3]])).shape == (1, 1, 1, 3)
    assert old.padding(np.array([[7, 0, 3]])).ravel().tolist() == [0, 1, 0]
    assert old.look_ahead(3).tolist() == [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    assert CONVENTIONS["current"].padding(np.array([[7, 0, 3]])).tolist() == [[[1, 0, 1]]]
    with pytest.raises(ValueError, match="unknown mask convention"):
        check_with("1999")
