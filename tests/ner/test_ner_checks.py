"""The NER lab's public test accepts the reference and rejects each known mistake."""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import importlib.util
import pathlib

import pytest

from assignment.ner.align import tokenize_and_align_labels
from assignment.ner.checks import check_tokenizer, tokenize_and_align_labels_test

_path = pathlib.Path(__file__).parents[1] / "mutants" / "ner_mutants.py"
_spec = importlib.util.spec_from_file_location("ner_mutants", _path)
mutants = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mutants)


def test_reference_passes(capsys):
    tokenize_and_align_labels_test(tokenize_and_align_labels)
    assert "All tests passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "mutant, hint",
    [
        (mutants.raw_text, "not the joined raw text"),
        (mutants.special_tokens_labelled, "special tokens [CLS] and [SEP] must be labelled -100"),
        (mutants.every_subtoken_b, "B- becomes I-"),
        (mutants.all_subtokens_always, "only the first subtoken of a word"),
        (mutants.no_truncation, "pass truncation=True"),
        (mutants.unfilled, "Is the exercise filled in?"),
        (mutants.returns_none, "Is the exercise filled in?"),
    ],
)
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


def test_reference_label_all_tokens_turns_b_into_i():
    tokenizer = check_tokenizer()
    encoding = tokenize_and_align_labels(tokenizer, ["Kubernetes"], ["B-Skills"], label_all_tokens=True)
    labels = encoding["labels"]
    assert labels[0] == labels[-1] == -100
    assert labels[1] == "B-Skills" and set(labels[2:-1]) == {"I-Skills"}
