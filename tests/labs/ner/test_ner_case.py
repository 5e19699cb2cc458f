"""Case features: each word's case class, carried by its subtokens, read by a DistilBERT
that adds a learned vector per class to its input embeddings (labs/ner/casing.py,
labs/ner/case_model.py)."""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import os

import numpy as np
import pytest

from assignment.checks.alignment_probe import check_tokenizer
from assignment.labs.ner import modeling
from assignment.labs.ner.align import tokenize_and_align_labels as reference
from assignment.labs.ner.casing import (DIGITS, HANDLE, LOWER, MIXED, NONE, SYMBOLS, TITLE, UPPER, reads_case,
                                        subtoken_cases, word_case)
from assignment.labs.ner.data import read_resumes, split_examples, tag_names
from assignment.labs.ner.metrics import entity_f1
from assignment.labs.ner.predict import pad_batch, predict_tags
from assignment.labs.ner.train import train
from assignment.labs.ner.windows import encode_document
from assignment.paths import REPO_ROOT

SMALL = dict(dim=32, n_layers=1, n_heads=2, hidden_dim=64)


@pytest.mark.parametrize("word, case", [
    ("paris", LOWER), ("Paris", TITLE), ("I", TITLE), ("PARIS", UPPER), ("U.S.", UPPER), ("iPhone", MIXED),
    ("McDonald", MIXED), ("2017", DIGITS), ("3:30", DIGITS), ("!!", SYMBOLS), ("\U0001F600", SYMBOLS),
    ("@bob", HANDLE), ("#TBT", HANDLE), ("#", SYMBOLS), ("café", LOWER), ("Émile", TITLE), ("x2", LOWER),
])
def test_word_case(word, case):
    assert word_case(word) == case


def test_subtokens_carry_their_words_case_and_special_tokens_none():
    assert subtoken_cases([None, 0, 0, 1, 2, None], ["Okafor", "knows", "SQL"]) == [NONE, TITLE, TITLE, LOWER,
                                                                                    UPPER, NONE]


def test_windows_carry_case_ids_aligned_with_their_subtokens():
    tokenizer = check_tokenizer()
    words = "Mira Okafor knows PYTHON and iOS".split()
    label2id = {"O": 0}
    window = encode_document(tokenizer, words, None, label2id, max_length=32, align=reference)[0]
    assert len(window.case_ids) == len(window.input_ids)
    assert window.case_ids[0] == window.case_ids[-1] == NONE  # [CLS], [SEP]
    expected = [TITLE, TITLE, LOWER, UPPER, LOWER, MIXED]
    assert [window.case_ids[p] for p in window.first_token] == expected
    inputs, _ = pad_batch([window], tokenizer.pad_token_id, length=40, case=True)
    assert inputs["case_ids"].shape == (1, 40) and not inputs["case_ids"][0, len(window.input_ids):].any()
    assert "case_ids" not in pad_batch([window], tokenizer.pad_token_id)[0]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    examples = read_resumes(os.path.join(str(REPO_ROOT), "data", "resumes.jsonl")).examples
    parts = split_examples(examples)
    tags = tag_names(examples)
    directory = modeling.build_tiny([e.text for e in parts["train"][:8]], tags,
                                    str(tmp_path_factory.mktemp("case") / "init"), vocab_size=600, **SMALL)
    return parts["train"][:8], parts["dev"][:2], tags, directory


def test_a_fresh_case_model_computes_what_the_plain_one_does(small):
    _, dev, tags, directory = small
    plain, tokenizer = modeling.load(directory, tags, seed=3)
    cased, _ = modeling.load(directory, tags, seed=3, case_features=True)
    assert not reads_case(plain) and reads_case(cased)
    words = [e.words for e in dev]
    assert predict_tags(cased, tokenizer, words, align=reference) == predict_tags(plain, tokenizer, words,
                                                                                   align=reference)


@pytest.mark.slow  # trains
def test_case_model_learns_its_case_vectors_and_loads_back_as_one(small, tmp_path):
    train_examples, dev, tags, directory = small
    model, tokenizer = modeling.load(directory, tags, case_features=True)
    train(model, tokenizer, train_examples, dev, epochs=1, batch_size=4, learning_rate=1e-2, verbose=0,
          align=reference)
    vectors = model.case_embeddings.get_weights()[0]  # (classes, dim)
    assert np.abs(vectors[[LOWER, TITLE, UPPER]]).sum() > 0  # the resumes have these: their vectors moved
    model.save_pretrained(tmp_path / "saved")
    tokenizer.save_pretrained(tmp_path / "saved")
    loaded, loaded_tokenizer = modeling.load(str(tmp_path / "saved"))  # no flag: the config says it
    assert reads_case(loaded)
    np.testing.assert_array_equal(loaded.case_embeddings.get_weights()[0], vectors)
    words = [e.words for e in dev]
    assert predict_tags(loaded, loaded_tokenizer, words, align=reference) == \
        predict_tags(model, tokenizer, words, align=reference)
    # the case changes what the trained model computes: same subtokens, other case ids
    inputs, _ = pad_batch(encode_document(loaded_tokenizer, dev[0].words, None, {"O": 0}, align=reference),
                          loaded_tokenizer.pad_token_id, case=True)
    shouted = dict(inputs, case_ids=np.where(inputs["case_ids"] == NONE, NONE, UPPER).astype(np.int32))
    assert not np.array_equal(shouted["case_ids"], inputs["case_ids"])
    assert not np.allclose(loaded(**inputs).logits.numpy(), loaded(**shouted).logits.numpy())


# --- the 'O' bias -------------------------------------------------------------------------

def test_outside_bias_turns_doubtful_words_into_entities_and_keeps_bio_valid():
    from assignment.labs.ner.predict import decode_windows
    from assignment.labs.ner.windows import Window

    tags = ["O", "B-person", "I-person"]
    # three words; the model is unsure of the second and third (O ahead by 0.4 and 0.9)
    log_probs = np.log(np.array([[0.9, 0.05, 0.05], [0.5, 0.35, 0.15], [0.6, 0.05, 0.35], [0.9, 0.05, 0.05]]))
    window = Window(0, 0, 3, [0, 1, 2, 3], [0] * 4, [0, 1, 2])
    assert decode_windows([log_probs], [window], tags, "bio", 0.0)[0].tolist()[:3] == [0, 0, 0]
    assert decode_windows([log_probs], [window], tags, "bio", 0.5)[0].tolist()[:3] == [0, 1, 0]
    assert decode_windows([log_probs], [window], tags, "bio", 1.0)[0].tolist()[:3] == [0, 1, 2]
    assert decode_windows([log_probs], [window], tags, "argmax", 1.0)[0].tolist()[:3] == [0, 1, 2]
    assert decode_windows([log_probs], [window], ["B-person", "I-person", "O"], "bio", 9.0)[0].tolist()[:3] == \
        decode_windows([log_probs], [window], ["B-person", "I-person", "O"], "bio", 0.0)[0].tolist()[:3]  # no 'O'
    np.testing.assert_array_equal(log_probs, np.log(np.array([[0.9, 0.05, 0.05], [0.5, 0.35, 0.15],
                                                              [0.6, 0.05, 0.35], [0.9, 0.05, 0.05]])))  # untouched


@pytest.mark.slow  # trains
def test_auto_bias_is_chosen_on_the_validation_data_and_kept_in_the_config(small):
    from assignment.labs.ner import train as training

    train_examples, dev, tags, directory = small
    model, tokenizer = modeling.load(directory, tags)
    summary = train(model, tokenizer, train_examples, dev, epochs=1, batch_size=4, learning_rate=1e-2, verbose=0,
                    outside_bias="auto", align=reference)
    # a briefly trained model, unsure of most words: the bias changes its F1, and the one
    # chosen is the grid's best on the validation data
    words, gold = [e.words for e in dev], [e.tags for e in dev]
    scores = {b: entity_f1(gold, predict_tags(model, tokenizer, words, outside_bias=b, align=reference))
              for b in training.OUTSIDE_BIASES}
    assert len(set(scores.values())) > 1, scores
    assert summary["best_dev_f1"] == max(scores.values())
    assert scores[summary["outside_bias"]] == max(scores.values())
    assert model.config.ner_outside_bias == summary["outside_bias"]
    assert predict_tags(model, tokenizer, words, align=reference) == \
        predict_tags(model, tokenizer, words, outside_bias=summary["outside_bias"], align=reference)


# --- "auto": case features for an uncased DistilBERT only ------------------------------------

def test_auto_case_features_follow_the_tokenizer_and_the_model_type(tmp_path):
    from assignment.labs.ner.tokenizer import train_wordpiece

    texts = ["Paris is in France", "paris PARIS Paris", "Mira Okafor works in Pune"] * 5
    assert modeling.uncased(train_wordpiece(texts, vocab_size=200, lowercase=True))
    assert not modeling.uncased(train_wordpiece(texts, vocab_size=200, lowercase=False))
    tags = ["O", "B-x", "I-x"]
    cased_dir = modeling.build_tiny(texts, tags, str(tmp_path / "cased"), vocab_size=200, **SMALL)
    model, tokenizer = modeling.load(cased_dir, tags, case_features="auto")
    assert not modeling.uncased(tokenizer) and not reads_case(model)  # a cased vocabulary sees the case itself
    lowered = tmp_path / "lowered"
    train_wordpiece(texts, vocab_size=200, lowercase=True).save_pretrained(lowered)
    model.save_pretrained(lowered)  # same DistilBERT, now with an uncased tokenizer
    model, _ = modeling.load(str(lowered), tags, case_features="auto")
    assert reads_case(model)
    assert not modeling.wants_case(str(tmp_path / "nowhere"), tokenizer)  # no config: no case features


def test_case_features_asked_of_a_model_that_is_not_distilbert_is_a_clear_error(tmp_path):
    from transformers import BertConfig

    BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
               intermediate_size=32).save_pretrained(tmp_path)
    with pytest.raises(modeling.ModelSourceError, match="case features need a DistilBERT model; .* 'bert' model"):
        modeling._model_class(str(tmp_path), True)
    assert modeling._model_class(str(tmp_path), False).__name__ == "TFAutoModelForTokenClassification"
