"""Check of answer_token_positions (assignment/checks/answer_positions.py): the reference
passes, every known-wrong version fails with its hint, hard-coded answers fail hidden
scenarios, the groups say what they feed."""
import pytest

from assignment.checks import ALL_TESTS_PASSED, CheckFailed, make_check, public_test
from assignment.checks.answer_positions import CASES, MAX_LENGTH, AnswerTokenPositions, check_tokenizer
from assignment.checks.live import LiveReference, record
from assignment.checks.recorded import RecordedReference
from assignment.exercises import Exercise, find
from assignment.labs.qa import positions
from assignment.observations import decode, encode
from tests.mutants import qa_mutants


def _exercise():
    """The registry's entry once the lead adds the QA notebook; until then the same facts here."""
    try:
        return find("answer_token_positions", "QA_DistilBERT")
    except KeyError:
        return Exercise("answer_token_positions", "UNQ_C1", 100.0, "answer_token_positions_test",
                        "assignment.checks.answer_positions", source_module="assignment.labs.qa.positions")


EXERCISE = _exercise()
CHECK = make_check(EXERCISE, LiveReference(positions))
PUBLIC_TEST = public_test(EXERCISE, CHECK.reference)
MUTANT_PARAMS = [pytest.param(mutant, hint, id=mutant.__name__) for mutant, hint in qa_mutants.MUTANTS]


def graded(target, policy="course"):
    """What the grader does: probe every scenario, send the observations as text, judge."""
    observations = decode(encode(CHECK.probe(target, hidden=True)))
    return CHECK.judge(observations, hidden=True, policy=policy)


def test_reference_passes_every_scenario_strictly(capsys):
    assert graded(positions.answer_token_positions, policy="strict").advice == []
    PUBLIC_TEST(positions.answer_token_positions)
    assert ALL_TESTS_PASSED in capsys.readouterr().out


@pytest.mark.parametrize("mutant, hint", MUTANT_PARAMS)
def test_mutant_fails_the_grader_with_its_hint(mutant, hint):
    with pytest.raises(CheckFailed) as failure:
        graded(mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"


@pytest.mark.parametrize("mutant, hint", MUTANT_PARAMS)
def test_mutant_fails_the_public_test_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as failure:
        PUBLIC_TEST(mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


def test_a_raising_mutant_is_an_error_naming_the_learners_line():
    with pytest.raises(CheckFailed) as failure:
        graded(qa_mutants.unfilled)
    assert failure.value.raised and 'encoding["offset_mapping"]' in str(failure.value)


def test_hard_coded_public_answers_fail_a_hidden_course_scenario(capsys):
    public = {(case[1], case[2]): key for key, case in CASES.items() if case[0] == "public"}

    def parrot(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
        """Right encoding; the positions of the public scenarios by heart, else those of the first."""
        encoding = positions.answer_token_positions(tokenizer, question, story, answer, answer_start, max_length)
        key = public.get((question, story), "public")
        known = positions.answer_token_positions(tokenizer, *CASES[key][1:5], **CASES[key][5])
        encoding["start_positions"], encoding["end_positions"] = known["start_positions"], known["end_positions"]
        return encoding

    PUBLIC_TEST(parrot)
    assert ALL_TESTS_PASSED in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="On a hidden scenario, other bAbI stories"):
        graded(parrot)


def test_a_beyond_course_failure_is_advice_under_the_course_policy():
    """Right at max_length=128 (every public and course scenario), wrong on other windows."""
    def fixed_window(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
        return positions.answer_token_positions(tokenizer, question, story, answer, answer_start, MAX_LENGTH)

    verdict = graded(fixed_window)
    assert [item.scenario for item in verdict.advice] == ["windows"]
    assert "more than max_length=14" in str(verdict.advice[0])
    with pytest.raises(CheckFailed, match="beyond the course's tests"):
        graded(fixed_window, policy="strict")


def test_positions_must_be_ints():
    def as_text(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
        encoding = positions.answer_token_positions(tokenizer, question, story, answer, answer_start, max_length)
        encoding["start_positions"] = str(encoding["start_positions"])
        return encoding

    with pytest.raises(CheckFailed, match="start_positions is str '39'; it must be an int"):
        graded(as_text)


def test_a_recorded_reference_judges_the_public_scenarios_like_the_live_one():
    """A student release ships the public scenarios' values and known mistakes, not the reference."""
    recorded = RecordedReference.from_json(encode({EXERCISE.name: record(CHECK)}))
    check = make_check(EXERCISE, recorded)
    assert check.judge(check.probe(positions.answer_token_positions)).advice == []
    with pytest.raises(CheckFailed, match="one past the answer's last token"):
        check.judge(check.probe(qa_mutants.exclusive_end))


def test_groups_are_tagged_and_scenarios_cover_what_they_claim():
    assert {group.id: group.tag for group in CHECK.groups} == {
        "public": "public", "other_stories": "course", "answer_at_end": "course", "truncated": "course",
        "windows": "beyond"}
    assert {case[0] for case in CASES.values()} == {group.id for group in CHECK.groups}
    tokenizer = check_tokenizer()

    def encoded(key):
        _, question, story, answer, start, kwargs = CASES[key]
        return positions.answer_token_positions(tokenizer, question, story, answer, start, **kwargs), CASES[key]

    for key in ("public_cut", "cut_before", "window_through"):  # the answer is cut off
        encoding, _ = encoded(key)
        assert (encoding["start_positions"], encoding["end_positions"]) == (0, 0)
    for key in ("end_last_sentence", "end_no_full_stop", "window_exact"):  # the answer ends the story's tokens
        encoding, _ = encoded(key)
        last_story_token = max(i for i, s in enumerate(encoding.sequence_ids()) if s == 1)
        assert encoding["end_positions"] == last_story_token - (key == "end_last_sentence")  # then the full stop
    encoding, case = encoded("cut_after")  # kept, though the story is cut after it
    assert encoding["start_positions"] > 0 and len(tokenizer(case[1], case[2])["input_ids"]) > MAX_LENGTH
    encoding, case = encoded("window_through")  # the cut falls inside the answer: its first piece is kept
    assert case[2].find(case[3]) < max(last for (_, last) in encoding["offset_mapping"]) < case[4] + len(case[3])
    encoding, case = encoded("public")  # the answer has several subtokens and occurs twice
    assert encoding["end_positions"] - encoding["start_positions"] == 2 and case[2].find(case[3]) < case[4]


def test_a_batch_given_to_the_tokenizer_is_told_to_give_one_pair():
    def batched(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
        encoding = tokenizer([question], [story], truncation="only_second", max_length=max_length,
                             padding="max_length", return_offsets_mapping=True)
        encoding["start_positions"], encoding["end_positions"] = [0], [0]
        return encoding

    with pytest.raises(CheckFailed, match="a batch of one row: call the tokenizer on one pair"):
        graded(batched)
