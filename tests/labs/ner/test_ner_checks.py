"""The NER lab's public test accepts the reference and rejects each known mistake."""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import importlib.util
import pathlib

import pytest

from assignment.labs.ner import align
from assignment.labs.ner.align import tokenize_and_align_labels
from assignment.checks.alignment_probe import check_tokenizer
from public_tests import tokenize_and_align_labels_test

from tests.mutants import ner_mutants as mutants


def test_reference_passes(capsys):
    tokenize_and_align_labels_test(tokenize_and_align_labels)
    assert "All tests passed" in capsys.readouterr().out


@pytest.mark.parametrize("mutant, hint", mutants.MUTANTS, ids=[m.__name__ for m, _ in mutants.MUTANTS])
def test_mutant_rejected_with_its_hint(mutant, hint, capsys):
    with pytest.raises(AssertionError) as caught:
        tokenize_and_align_labels_test(mutant)
    assert hint in str(caught.value)
    assert "All tests passed" not in capsys.readouterr().out


def test_check_tokenizer_splits_words_into_subtokens():
    # the check is only meaningful if some words become several subtokens
    tokenizer = check_tokenizer()
    assert len(tokenizer.tokenize("Kubernetes.")) >= 3
    assert tokenizer.tokenize("Python,")[-1] == ","


def test_reference_is_batched_padded_and_honours_the_module_flag():
    tokenizer = check_tokenizer()
    assert align.label_all_tokens is True  # the course's default
    encoding = tokenize_and_align_labels(tokenizer, [["Kubernetes"], ["Mira", "Okafor"]],
                                         [["B-Skills"], ["B-Name", "I-Name"]], max_length=16)
    assert [len(ids) for ids in encoding["input_ids"]] == [16, 16]  # padded to max_length, as the course does
    first, second = encoding["labels"]
    assert first[0] == -100 and first[1] == "B-Skills" and "I-Skills" in first and "B-Skills" not in first[2:]
    assert second[1] == "B-Name" and set(second[-5:]) == {-100}  # [SEP] and padding
    align.label_all_tokens = False
    try:
        first = tokenize_and_align_labels(tokenizer, [["Kubernetes"]], [["B-Skills"]])["labels"][0]
    finally:
        align.label_all_tokens = True
    assert first[1] == "B-Skills" and set(first[2:]) == {-100} and len(first) == 512
