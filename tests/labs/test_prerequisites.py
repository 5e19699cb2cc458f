"""require: a lab's cells stop in one line while the exercise they need is not done (the
dates section of the Transformer notebook and the NER lab use the same guard)."""
import pytest

from assignment import transformer as ref
from assignment.labs.ner import align
from assignment.prerequisites import ExerciseNotReady, require
from public_tests import get_angles_test, tokenize_and_align_labels_test
from tests.mutants import ner_mutants, transformer_mutants

LAB_CALLS = {"keywords": ("max_length",), "flag": "label_all_tokens"}  # what the NER notebook passes


def test_a_passing_exercise_is_given_back_quietly(capsys):
    assert require(tokenize_and_align_labels_test, align.tokenize_and_align_labels, **LAB_CALLS) \
        is align.tokenize_and_align_labels
    assert require(get_angles_test, ref.get_angles) is ref.get_angles
    assert capsys.readouterr().out == ""  # the public test's "All tests passed" is swallowed


@pytest.mark.parametrize("mutant", [ner_mutants.unfilled, ner_mutants.course_version, ner_mutants.not_padded])
def test_a_stub_or_a_wrong_version_stops_with_one_line(mutant):
    with pytest.raises(ExerciseNotReady) as stopped:
        require(tokenize_and_align_labels_test, mutant, **LAB_CALLS)
    message = str(stopped.value)
    assert message.startswith("fill in tokenize_and_align_labels first: its public test fails: ")
    assert message.endswith("(run the cell of tokenize_and_align_labels_test to see all of it)")
    assert "\n" not in message and stopped.value.__cause__ is None and stopped.value.__suppress_context__
    assert stopped.value._render_traceback_() == [f"\x1b[31mExerciseNotReady: {message}\x1b[0m"]  # what IPython shows


def test_the_message_names_the_exercise_after_its_test_and_gives_the_tests_first_line():
    with pytest.raises(ExerciseNotReady) as stopped:
        require(get_angles_test, transformer_mutants.angles_i_is_k)
    message = str(stopped.value)
    assert message.startswith("fill in get_angles first: its public test fails: ")
    assert "k // 2" in message  # the check's hint, first line
    assert len(message) < 300


def test_not_defined_yet_is_named_after_the_test():
    with pytest.raises(ExerciseNotReady, match="fill in tokenize_and_align_labels first: it is not defined yet"):
        require(tokenize_and_align_labels_test, None, **LAB_CALLS)


def test_the_course_signature_passes_the_test_but_not_the_lab():
    with pytest.raises(ExerciseNotReady, match=r"keep the given signature .* max_length=\.\.\."):
        require(tokenize_and_align_labels_test, ner_mutants.course_signature, **LAB_CALLS)
    assert require(tokenize_and_align_labels_test, ner_mutants.course_signature) is ner_mutants.course_signature


def test_a_missing_flag_is_named_before_training_meets_it():
    namespace = {}
    exec("def aligned(tokenizer, examples, tags, max_length=512):\n"
         "    return label_all_tokens\n", namespace)
    with pytest.raises(ExerciseNotReady, match="run the cell that sets label_all_tokens"):
        require(lambda function: None, namespace["aligned"], **LAB_CALLS)
    namespace["label_all_tokens"] = False
    assert require(lambda function: None, namespace["aligned"], **LAB_CALLS) is namespace["aligned"]


def test_the_test_runs_once_per_target_and_helpers():
    calls = []

    def counting_test(target, *helpers):
        calls.append(helpers)

    def exercise():
        pass

    require(counting_test, exercise, 1)
    require(counting_test, exercise, 1)
    assert calls == [(1,)]  # passed once for these helpers: later cells return at once
    require(counting_test, exercise, 2)
    assert calls == [(1,), (2,)]


def test_a_failing_test_is_run_again():
    calls = []

    def failing_test(target):
        calls.append(target)
        raise AssertionError("Wrong values\nsecond line")

    def exercise():
        pass

    for _ in range(2):
        with pytest.raises(ExerciseNotReady, match=r"fill in failing first: its public test fails: Wrong values \("):
            require(failing_test, exercise)
    assert len(calls) == 2
