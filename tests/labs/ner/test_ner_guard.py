"""require_passing: the lab's cells stop in one line while the exercise is not done."""
import pytest

from assignment.labs.ner import align
from assignment.labs.ner.public_test import tokenize_and_align_labels_test
from assignment.labs.ner.guard import ExerciseNotReady, require_passing
from tests.mutants import ner_mutants


def test_a_passing_exercise_is_given_back_quietly(capsys):
    assert require_passing(align.tokenize_and_align_labels, tokenize_and_align_labels_test) \
        is align.tokenize_and_align_labels
    assert capsys.readouterr().out == ""  # the public test's "All tests passed" is swallowed


@pytest.mark.parametrize("mutant", [ner_mutants.unfilled, ner_mutants.course_version, ner_mutants.not_padded])
def test_a_stub_or_a_wrong_version_stops_with_one_line(mutant):
    with pytest.raises(ExerciseNotReady) as stopped:
        require_passing(mutant, tokenize_and_align_labels_test)
    message = str(stopped.value)
    assert message.startswith("fill in tokenize_and_align_labels first: its public test fails (")
    assert "\n" not in message and stopped.value.__cause__ is None and stopped.value.__suppress_context__
    assert stopped.value._render_traceback_() == [f"ExerciseNotReady: {message}"]  # what IPython shows


def test_not_defined_yet():
    with pytest.raises(ExerciseNotReady, match="not defined yet"):
        require_passing(None, tokenize_and_align_labels_test)


def test_the_course_signature_passes_the_test_but_not_the_lab():
    with pytest.raises(ExerciseNotReady, match=r"keep the given signature .* max_length=\.\.\."):
        require_passing(ner_mutants.course_signature, tokenize_and_align_labels_test)


def test_a_missing_flag_is_named_before_training_meets_it():
    namespace = {}
    exec("def aligned(tokenizer, examples, tags, max_length=512):\n"
         "    return label_all_tokens\n", namespace)
    with pytest.raises(ExerciseNotReady, match="run the cell that sets label_all_tokens"):
        require_passing(namespace["aligned"], lambda function: None)
