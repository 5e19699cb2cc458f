"""Standard splits (--train/--validation/--test), early stopping, seeding, class-weight
strength, labelling every subtoken and valid-BIO decoding."""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import json
import os

import numpy as np
import pytest

from assignment import cli
from assignment.labs.ner.data import read_conll
from assignment.labs.ner.decoding import repair_bio, transition_mask, viterbi
from assignment.labs.ner.metrics import entity_f1
from assignment.labs.ner.tokenizer import train_wordpiece
from assignment.labs.ner.align import tokenize_and_align_labels as reference
from assignment.labs.ner.train import (OUTSIDE_BIASES, inverse_frequency_weights, inverse_sqrt_weights, label_every_subtoken,
                                  label_first_subtoken_only, weight_power)
from assignment.labs.ner.windows import Window, encode_document

from assignment.paths import REPO_ROOT

ROOT = str(REPO_ROOT)
SOCIAL = os.path.join(ROOT, "data", "social.conll")
TAGS = ["O", "B-person", "I-person", "B-location", "I-location"]


def _conll_slice(path, first, count):
    """Sentences [first, first + count) of data/social.conll written as a CoNLL file."""
    examples = read_conll(SOCIAL).examples[first : first + count]
    path.write_text("\n\n".join("\n".join(f"{w}\t{t}" for w, t in zip(e.words, e.tags)) for e in examples) + "\n",
                    encoding="utf-8")
    return str(path)


# --- decoding -------------------------------------------------------------------------

def test_viterbi_returns_the_best_valid_sequence_not_the_argmax():
    # argmax per word: O I-person I-location -> invalid twice
    scores = np.log(np.array([[0.6, 0.3, 0.05, 0.03, 0.02],
                              [0.1, 0.05, 0.5, 0.05, 0.3],
                              [0.1, 0.02, 0.2, 0.08, 0.6]]))
    path = [TAGS[i] for i in viterbi(scores, TAGS)]
    assert path == ["B-person", "I-person", "I-person"]  # 0.3*0.5*0.2 beats every other valid path
    valid = [[a, b, c] for a in TAGS for b in TAGS for c in TAGS
             if repair_bio([a, b, c]) == [a, b, c]]
    best = max(valid, key=lambda seq: sum(scores[t, TAGS.index(tag)] for t, tag in enumerate(seq)))
    assert path == best
    assert viterbi(np.zeros((0, 5)), TAGS) == []


def test_viterbi_keeps_a_valid_argmax_and_the_mask_forbids_only_bad_inside_tags():
    scores = np.log(np.array([[0.1, 0.7, 0.1, 0.05, 0.05], [0.1, 0.1, 0.7, 0.05, 0.05], [0.8, 0.05, 0.05, 0.05, 0.05]]))
    assert viterbi(scores, TAGS) == [1, 2, 0]
    start, trans = transition_mask(TAGS)
    assert start.tolist() == [True, True, False, True, False]
    assert trans[TAGS.index("B-person"), TAGS.index("I-person")] and trans[2, 2]
    assert not trans[TAGS.index("O"), TAGS.index("I-person")] and not trans[1, TAGS.index("I-location")]


def test_simple_repair_is_what_seqeval_already_assumes():
    tags = ["O", "I-person", "I-person", "B-location", "I-person", "O"]
    assert repair_bio(tags) == ["O", "B-person", "I-person", "B-location", "B-person", "O"]
    gold = [["O", "B-person", "I-person", "B-location", "B-person", "O"]]
    assert entity_f1(gold, [tags]) == entity_f1(gold, [repair_bio(tags)]) == 1.0


# --- class weights and subtoken labels ------------------------------------------------

def test_class_weight_power_zero_is_flat_and_higher_powers_favour_rare_labels_more():
    labels = [0] * 100 + [1] * 4 + [2] * 1
    windows = [Window(0, 0, 1, [5] * len(labels), labels, [])]
    flat = np.array(inverse_frequency_weights(windows, 3, 0.0))
    assert np.allclose(flat, 1.0)
    half, full = (np.array(inverse_frequency_weights(windows, 3, p)) for p in (0.5, 1.0))
    assert np.allclose(half, inverse_sqrt_weights(windows, 3))
    assert np.isclose(full[1] / full[0], 25.0) and np.isclose(half[1] / half[0], 5.0)
    assert (weight_power(False), weight_power(True), weight_power(0), weight_power(0.75)) == (None, 0.5, None, 0.75)


@pytest.fixture(scope="module")
def tokenizer():
    return train_wordpiece(["the quick brown fox jumps over lazy dogs in Pune"] * 3, vocab_size=60)


def test_subtoken_labels_all_pieces_or_first_only_whatever_the_exercise_did(tokenizer, monkeypatch):
    from assignment.labs.ner import align

    words = ["Okafor", "jumps", "over", "Pune"]
    tags = ["B-person", "O", "O", "B-location"]
    label2id = {t: i for i, t in enumerate(TAGS)}
    ids = tokenizer(words, is_split_into_words=True)
    every, first = [], []
    previous = None
    for word_id in ids.word_ids():
        if word_id is None:
            every.append(-100)
            first.append(-100)
        else:
            tag = tags[word_id] if word_id != previous else tags[word_id].replace("B-", "I-")
            every.append(label2id[tag])
            first.append(label2id[tag] if word_id != previous else -100)
        previous = word_id
    assert len(ids.word_ids()) > len(words) + 2  # some word has several pieces, else the test is empty
    for flag in (False, True):  # the exercise's module-level switch
        monkeypatch.setattr(align, "label_all_tokens", flag)
        window = encode_document(tokenizer, words, tags, label2id, max_length=64, align=reference)[0]
        assert window.labels == (every if flag else first)
        assert label_every_subtoken(window, label2id).labels == every
        assert label_first_subtoken_only(window).labels == first


# --- the command line -----------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["train", "--data", "{good}", "--train", "{good}"], "either --data FILE"),
    (["train", "--data", "{good}", "--validation", "{good}"], "--validation and --test go with --train"),
    (["train", "--train", "{missing}"], "{missing}: cannot read the file"),
    (["train", "--train", "{good}", "--validation", "{bad}"], "{bad}:3: tag 'X-person' is not BIO"),
    (["train", "--train", "{good}", "--test", "{empty}"], "{empty}: no usable examples"),
    (["train", "--train", "{good}", "--class-weights", "lots"], "expected on, off or a number"),
    (["train", "--train", "{good}", "--patience", "-1"], "--patience must be 0"),
    (["train", "--train", "{good}", "--outside-bias", "some"], "expected auto or a number, got 'some'"),
    (["train", "--train", "{good}", "--outside-bias", "-1"], "the bias must be between 0 and 10"),
    (["train", "--train", "{good}", "--case", "maybe"], "invalid choice: 'maybe'"),
    (["train", "--model", "tiny"], "give --data FILE, or --train FILE"),
])
def test_train_file_errors_name_the_file_and_line(tmp_path, capsys, argv, message):
    names = dict(good=_conll_slice(tmp_path / "good.conll", 0, 5), missing=str(tmp_path / "nope.conll"),
                 bad=str(tmp_path / "bad.conll"), empty=str(tmp_path / "empty.conll"))
    (tmp_path / "bad.conll").write_text("Mira\tB-person\nOkafor\tI-person\nsays\tX-person\n", encoding="utf-8")
    (tmp_path / "empty.conll").write_text("\n \n", encoding="utf-8")
    argv = [a.format(**names) for a in argv]
    assert cli.main(["ner", *argv]) == 2
    err = capsys.readouterr().err
    assert message.format(**names) in err and "Traceback" not in err


@pytest.mark.slow  # trains the tiny model three times
def test_same_command_twice_same_scores_and_early_stopping(tmp_path, capsys):
    train_file = _conll_slice(tmp_path / "train.conll", 0, 60)
    dev_file = _conll_slice(tmp_path / "dev.conll", 2400, 20)
    test_file = _conll_slice(tmp_path / "test.conll", 2700, 20)
    argv = ["train", "--train", train_file, "--validation", dev_file, "--test", test_file, "--model", "tiny",
            "--epochs", "2", "--batch-size", "8", "--quiet"]
    summaries = []
    for run in ("a", "b"):
        assert cli.main(["ner", *argv, "--out", str(tmp_path / run)]) == 0
        printed = capsys.readouterr().out
        assert "validation, entity level (20 documents)" in printed and "test, entity level (20 documents)" in printed
        summaries.append(json.loads((tmp_path / run / "history.json").read_text()))
        for name in ["curves.png", "dev_report.json", "test_report.json", "model/config.json"]:
            assert (tmp_path / run / name).exists(), name
    a, b = summaries
    assert a["history"] == b["history"] and a["test_f1"] == b["test_f1"] and a["dev_f1"] == b["dev_f1"]
    assert a["train_file"] == train_file and a["validation_file"] == dev_file and a["test_file"] == test_file
    # A learning rate too small to find anything: dev F1 stays 0, so the best epoch is the
    # first and a patience of 1 stops training after the second of five.
    assert cli.main(["ner", *argv[:-5], "--epochs", "5", "--patience", "1", "--lr", "1e-9", "--batch-size", "8",
                                 "--decoding", "bio", "--subtokens", "all", "--out", str(tmp_path / "c"),
                                 "--outside-bias", "auto", "--case", "on", "--quiet"]) == 0
    printed = capsys.readouterr().out
    c = json.loads((tmp_path / "c" / "history.json").read_text())
    assert c["best_epoch"] == 1 and c["epochs_run"] == 2 and c["stopped_early"], c
    assert "stopped early" in printed and "never found (recall 0)" in printed
    config = json.loads((tmp_path / "c" / "model" / "config.json").read_text())
    assert config["ner_decoding"] == "bio" and c["label_all"] is True
    assert config["ner_case_features"] is True and config["ner_outside_bias"] == c["outside_bias"]
    assert c["outside_bias"] in OUTSIDE_BIASES and f"'O' bias {c['outside_bias']:g})" in printed
