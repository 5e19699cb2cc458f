"""Check of tokenize_and_align_labels (assignment/checks/token_alignment.py): probe, judge, course vs beyond."""
import pytest

from assignment.checks import ALL_TESTS_PASSED, CheckFailed, make_check
from assignment.checks.live import LiveReference, record
from assignment.checks.alignment_probe import check_tokenizer
from assignment.checks.token_alignment import TokenizeAndAlignLabels
from assignment.checks.recorded import RecordedReference
from assignment.exercises import find
from assignment.labs.ner import align
from assignment.observations import decode, encode
from tests.mutants import ner_mutants

EXERCISE = find("tokenize_and_align_labels", "NER_DistilBERT")
CHECK = make_check(EXERCISE, LiveReference(align))
MUTANT_PARAMS = [pytest.param(mutant, hint, id=mutant.__name__) for mutant, hint in ner_mutants.MUTANTS]


def graded(target, policy="course"):
    """What the grader does: probe every scenario, send the observations as text, judge."""
    observations = decode(encode(CHECK.probe(target, hidden=True)))
    return CHECK.judge(observations, hidden=True, policy=policy)


def test_reference_passes_every_scenario_strictly():
    assert graded(align.tokenize_and_align_labels, policy="strict").advice == []


@pytest.mark.parametrize("mutant, hint", MUTANT_PARAMS)
def test_mutant_fails_the_public_test_with_its_hint(mutant, hint, capsys):
    import public_tests
    with pytest.raises(AssertionError) as failure:
        public_tests.tokenize_and_align_labels_test(mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"
    assert ALL_TESTS_PASSED not in capsys.readouterr().out


@pytest.mark.parametrize("mutant, hint", MUTANT_PARAMS)
def test_mutant_fails_the_grader_with_its_hint(mutant, hint):
    with pytest.raises(CheckFailed) as failure:
        graded(mutant)
    assert hint in str(failure.value), f"message was: {failure.value}"


def test_a_raising_mutant_is_an_error_not_a_failure():
    with pytest.raises(CheckFailed) as failure:
        graded(ner_mutants.unfilled)
    assert failure.value.raised and "for word_id in None" in str(failure.value)


def test_beyond_course_failure_is_advice_under_the_course_policy(capsys):
    import public_tests
    public_tests.tokenize_and_align_labels_test(ner_mutants.copies_tags)
    assert ALL_TESTS_PASSED in capsys.readouterr().out
    verdict = graded(ner_mutants.copies_tags)
    assert [item.scenario for item in verdict.advice] == ["tuples"]
    advice = str(verdict.advice[0])
    assert advice.startswith("Beyond the course's tests, examples and tags given as tuples")
    assert "AttributeError" in advice and "tags.copy()" in advice  # what raised, and the learner's line
    with pytest.raises(CheckFailed, match="beyond the course's tests"):
        graded(ner_mutants.copies_tags, policy="strict")


def with_flag(tokenizer, examples, tags, max_length=512):
    """The reference, with this module's label_all_tokens (the one the check sets when it
    calls a function of this module)."""
    align.label_all_tokens = globals()["label_all_tokens"]
    try:
        return align.tokenize_and_align_labels(tokenizer, examples, tags, max_length)
    finally:
        align.label_all_tokens = True


def test_hard_coded_public_outputs_fail_a_hidden_course_scenario(capsys):
    public = [case for case in TokenizeAndAlignLabels.cases().values() if case[0] == "public"]

    def parrot(tokenizer, examples, tags, max_length=512):
        """Knows the public batches by heart; answers any other call with the first one's output."""
        known = next((case for case in public if case[1] == [list(words) for words in examples]), public[0])
        return with_flag(tokenizer, known[1], known[2], max_length)

    import public_tests
    public_tests.tokenize_and_align_labels_test(parrot)  # the flag is read from align: True
    assert ALL_TESTS_PASSED in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="On a hidden scenario, other batches"):
        graded(parrot)


def test_the_course_signature_passes_under_the_course_policy(capsys):
    """(tokenizer, examples, tags), right on every batch: the only scenarios it fails pass
    max_length=, beyond the course's calls."""
    import public_tests
    public_tests.tokenize_and_align_labels_test(ner_mutants.course_signature)
    assert ALL_TESTS_PASSED in capsys.readouterr().out
    verdict = graded(ner_mutants.course_signature)
    assert [item.scenario for item in verdict.advice] == ["windows"]
    assert "max_length" in str(verdict.advice[0])
    with pytest.raises(CheckFailed, match="beyond the course's tests"):
        graded(ner_mutants.course_signature, policy="strict")


def test_the_course_version_is_told_how_its_labels_slide():
    with pytest.raises(CheckFailed) as failure:
        graded(ner_mutants.course_version)
    message = str(failure.value)
    assert "This is the course's version" in message and "is_split_into_words=False" in message
    assert "'Python,' is one word but 2 pieces" in message and "'SQL' gets 'O'" in message
    assert "signature" not in message and not failure.value.raised


def test_the_flag_is_set_for_the_call_and_put_back():
    seen = []

    def spy(tokenizer, examples, tags, max_length=512):
        seen.append(globals()["label_all_tokens"])  # set by the check, as the notebook's global is
        return with_flag(tokenizer, examples, tags, max_length)

    CHECK.probe(spy)
    assert seen == [False, True, True] and "label_all_tokens" not in globals()
    align.label_all_tokens = "mine"
    try:
        CHECK.probe(align.tokenize_and_align_labels)
        assert align.label_all_tokens == "mine"
    finally:
        align.label_all_tokens = True


def test_groups_are_tagged_course_and_beyond():
    tags = {group.id: group.tag for group in CHECK.groups}
    assert tags == {"public": "public", "other_sentences": "course", "many_subwords": "beyond",
                    "windows": "beyond", "tuples": "beyond"}
    cases = TokenizeAndAlignLabels.cases()
    assert {case[0] for case in cases.values()} == set(tags)


def test_scenarios_cover_what_they_claim():
    tokenizer = check_tokenizer()
    cases = TokenizeAndAlignLabels.cases()
    # many subwords: every unseen word but 'and' is several subtokens, one of them at least 10
    _, (words,), _, _, _ = cases["unseen"]
    lengths = [len(tokenizer.tokenize(word)) for word in words]
    assert max(lengths) >= 10 and sum(n > 1 for n in lengths) >= 3
    # the cut lands inside a word: the first piece dropped is a '##' continuation
    _, (words, _), _, _, kwargs = cases["cut_inside"]
    full = tokenizer(words, is_split_into_words=True).tokens()
    assert full[kwargs["max_length"] - 1].startswith("##")
    # the exact window is the input's own length
    _, (words,), _, _, kwargs = cases["window_exact"]
    assert len(tokenizer(words, is_split_into_words=True)["input_ids"]) == kwargs["max_length"]
    # the long examples are cut by the course's max_length=512
    for key in ("public_long", "other_long"):
        _, examples, _, _, kwargs = cases[key]
        assert not kwargs and max(len(ids) for ids in tokenizer(examples, is_split_into_words=True)["input_ids"]) > 512


def test_recorded_reference_replays_the_public_test_without_the_solution():
    recorded = RecordedReference.from_json(RecordedReference({EXERCISE.name: record(CHECK)}).to_json())
    check = make_check(EXERCISE, recorded)
    check.judge(check.probe(align.tokenize_and_align_labels))
    with pytest.raises(CheckFailed, match="B- becomes I-"):
        check.judge(check.probe(ner_mutants.every_subtoken_b))


def test_probe_needs_no_reference():
    probe_only = make_check(EXERCISE)
    observations = probe_only.probe(align.tokenize_and_align_labels, hidden=True)
    assert set(observations) == set(TokenizeAndAlignLabels.cases())
    with pytest.raises(RuntimeError, match="without a reference"):
        probe_only.judge(observations)


def test_the_tokenizer_builder_is_part_of_the_cache_key(monkeypatch):
    from assignment.checks import token_alignment as ner
    from assignment.checks.live import _settings_token
    before = _settings_token(make_check(EXERCISE))
    monkeypatch.setattr(ner, "tokenizer_fingerprint", lambda: "changed")
    assert _settings_token(make_check(EXERCISE)) != before
