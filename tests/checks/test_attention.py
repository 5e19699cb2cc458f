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
    with pytest.raises(AssertionError, match="On a hidden scenario, 2-D inputs with other sizes"):
        graded("scaled_dot_product_attention", hard_coded)
