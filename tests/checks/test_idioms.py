"""Named hints for learner idioms (assignment/checks/idioms.py) and the mutants that must get them."""
import pytest

from assignment.checks import ALL_TESTS_PASSED
from assignment.checks.idioms import IDIOMS, idiom_hint
from check_helpers import graded
from tests.mutants.transformer_mutants import ADVICE_MUTANTS, NO_PENALTY


@pytest.mark.parametrize("exercise, mutant, words", [pytest.param(*m, id=m[1].__name__) for m in ADVICE_MUTANTS])
def test_idiom_passes_the_course_with_named_advice(exercise, mutant, words):
    lessons = words if isinstance(words, tuple) else (words,)
    verdict = graded(exercise, mutant)  # the course policy: a pass, with advice
    items = [str(item) for item in verdict.advice]
    found = [next((index for index, item in enumerate(items) if lesson in item), None) for lesson in lessons]
    assert None not in found, items
    assert len(set(found)) == len(found), items  # each lesson in its own piece of advice (its own line)
    with pytest.raises(AssertionError) as failure:  # strict: the (first) lesson fails the exercise
        graded(exercise, mutant, policy="strict")
    assert lessons[0] in str(failure.value)
    assert "{{function_node" not in str(failure.value)


@pytest.mark.parametrize("exercise, mutant, words", [pytest.param(*m, id=m[1].__name__) for m in ADVICE_MUTANTS])
def test_idiom_passes_the_public_test_advice_after_the_line(exercise, mutant, words, capsys):
    from check_helpers import run_public_test
    run_public_test(exercise, mutant)  # never a failure: the course's test passes it
    out = capsys.readouterr().out
    assert ALL_TESTS_PASSED in out
    shown = out.split(ALL_TESTS_PASSED, 1)[1]
    assert all(line.startswith("Advice: ") for line in shown.splitlines()[1:] if line.strip()), shown


@pytest.mark.parametrize("exercise, mutant", [pytest.param(*m, id=m[1].__name__) for m in NO_PENALTY])
def test_idiom_that_works_everywhere_costs_nothing(exercise, mutant):
    assert graded(exercise, mutant, policy="strict").advice == []


def test_a_raise_says_what_the_code_received_and_where():
    from tests.mutants.transformer_mutants import EncoderLayerMaskAsKey
    with pytest.raises(AssertionError) as failure:
        graded("EncoderLayer", EncoderLayerMaskAsKey)
    message = str(failure.value)
    assert message.startswith("On the public test's inputs, EncoderLayer(4, 2, 8) on x (1, 3, 4):")
    assert "self.mha(x, x, mask)" in message  # the line that failed
    assert "lands in the `key` slot" in message
    assert failure.value.raised


@pytest.mark.parametrize("error_type, message, where, idiom", [
    ("InvalidArgumentError", "must have compatible batch dimensions", "line 3: m = tf.matmul(q, k.T)",
     "transpose_all_axes"),
    ("AttributeError", "EagerTensor object has no attribute 'T'", "line 3: m = np.matmul(q, k.T)",
     "transpose_all_axes"),
    ("TypeError", "unexpected keyword argument 'transpose_b'", "line 2: np.matmul(q, k, transpose_b=True)",
     "numpy_on_tensors"),
    ("TypeError", "call() got an unexpected keyword argument 'mask'", "line 4: a = self.mha(x, x, x, mask=mask)",
     "mha_mask_keyword"),
    ("InvalidArgumentError", "Exception encountered when calling layer 'key'",
     "line 4: a = self.mha2(q1, e, padding_mask)", "mha_mask_as_key"),
    ("InvalidArgumentError", "Exception encountered when calling layer 'key'", "line 4: a = self.mha(x, v, k, m)",
     "mha_key_layer"),
    ("TypeError", "missing 1 required positional argument: 'mask'", "line 9: x = self.enc_layers[i](x, mask)",
     "training_not_passed"),
])
def test_each_idiom_matches_its_failure(error_type, message, where, idiom):
    assert idiom_hint(error_type, message, where) == next(i.hint for i in IDIOMS if i.id == idiom)


def test_an_unknown_error_gets_no_idiom():
    assert idiom_hint("ZeroDivisionError", "division by zero", "line 1: x = 1 / 0") is None
    assert idiom_hint("ValueError", "bad", "line 1: logits = tf.matmul(q, k, transpose_b=True)") is None
