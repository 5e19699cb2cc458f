"""Windows, batching, loss, training, saving/loading, prediction and the command line."""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from assignment import cli
from assignment.labs.ner import modeling, synth
from assignment.labs.ner.align import tokenize_and_align_labels as reference
from assignment.checks.alignment_probe import check_tokenizer
from assignment.labs.ner.data import read_resumes, split_examples, tag_names
from assignment.labs.ner.predict import predict_tags, tags_to_entities
from assignment.labs.ner.train import make_dataset, masked_loss, train
from assignment.labs.ner.windows import IGNORE, Window, encode_document, merge_predictions, plan_windows

from assignment.paths import REPO_ROOT

ROOT = str(REPO_ROOT)
SMALL = dict(dim=32, n_layers=1, n_heads=2, hidden_dim=64)


def test_plan_windows_cover_everything_within_budget_and_overlap():
    counts = [1, 3, 2, 1, 1, 4, 2, 2, 1, 3, 1, 1]
    windows = plan_windows(counts, budget=6, stride=2)
    assert windows[0][0] == 0 and windows[-1][1] == len(counts)
    for (s1, e1), (s2, e2) in zip(windows, windows[1:]):
        assert s1 < s2 <= e1  # progress, no gap
        assert sum(counts[s2:e1]) <= 2  # overlap at most `stride` subtokens
    assert all(sum(counts[s:e]) <= 6 for s, e in windows)
    assert plan_windows([9, 1], budget=4, stride=2) == [(0, 1), (1, 2)]  # an over-long word stands alone
    assert plan_windows([], 4, 2) == []


def test_long_document_loses_no_word_and_labels_follow_words():
    tokenizer = check_tokenizer()
    words = ("Mira Okafor knows Python , SQL and Kubernetes in Pune".split()) * 8  # ~200 subtokens
    tags = ["B-Name", "I-Name", "O", "B-Skills", "O", "B-Skills", "O", "B-Skills", "O", "B-Location"] * 8
    label2id = {t: i for i, t in enumerate(sorted(set(tags) | {"I-" + t[2:] for t in tags if t != "O"}))}
    windows = encode_document(tokenizer, words, tags, label2id, max_length=32, stride=8, align=reference)
    assert len(windows) > 3 and all(len(w.input_ids) <= 32 for w in windows)
    seen = set()
    for window in windows:
        for offset, position in enumerate(window.first_token):
            word = window.start + offset
            seen.add(word)
            assert window.labels[position] == label2id[tags[word]]
        assert window.labels[0] == window.labels[-1] == IGNORE
    assert seen == set(range(len(words)))
    # merging: perfect per-window predictions give back every word's tag
    preds = [np.array([max(label, 0) for label in w.labels]) for w in windows]
    merged = merge_predictions(len(words), windows, preds)
    assert merged == [label2id[t] for t in tags]


def test_merge_prefers_the_window_where_the_word_is_central():
    a = Window(0, 0, 5, [0] * 7, [0] * 7, [1, 2, 3, 4, 5])
    b = Window(0, 3, 8, [0] * 7, [0] * 7, [1, 2, 3, 4, 5])
    pa, pb = np.array([0, 1, 1, 1, 1, 1, 0]), np.array([0, 2, 2, 2, 2, 2, 0])
    # word 3: centrality 1 in a, 0 in b -> a; word 4: 0 in a, 1 in b -> b
    assert merge_predictions(8, [a, b], [pa, pb]) == [1, 1, 1, 1, 2, 2, 2, 2]


def test_entities_with_character_offsets():
    text = "Mira Okafor, Pune"
    offsets = [(0, 4), (5, 11), (11, 12), (13, 17)]
    entities = tags_to_entities(text, offsets, ["B-Name", "I-Name", "O", "I-Location"])
    assert entities == [{"label": "Name", "start": 0, "end": 11, "text": "Mira Okafor"},
                        {"label": "Location", "start": 13, "end": 17, "text": "Pune"}]


def test_masked_loss_ignores_minus_100():
    logits = tf.constant(np.random.default_rng(0).normal(size=(2, 3, 4)), tf.float32)
    labels = tf.constant([[1, -100, 2], [-100, -100, 3]])
    manual = tf.keras.losses.sparse_categorical_crossentropy([1, 2, 3], tf.gather_nd(logits, [[0, 0], [0, 2], [1, 2]]),
                                                             from_logits=True)
    assert np.isclose(float(masked_loss(labels, logits)), float(tf.reduce_mean(manual)), atol=1e-6)


def test_dynamic_padding_pads_per_batch_and_course_padding_to_512():
    windows = [Window(0, 0, 1, list(range(1, n + 1)), [0] * n, [0]) for n in [5, 40, 6, 38, 7, 41, 5, 39]]
    batches = list(make_dataset(windows, batch_size=2, pad_id=0, seed=1))
    assert len(batches) == 4
    widths = sorted(int(x["input_ids"].shape[1]) for x, _ in batches)
    assert widths[0] <= 7 and widths[-1] == 41  # similar lengths grouped, padded to the batch's longest
    for x, y in batches:
        ids, mask = x["input_ids"].numpy(), x["attention_mask"].numpy()
        assert ((ids != 0) == (mask == 1)).all() and (y.numpy()[mask == 0] == -100).all()
    assert {tuple(x["input_ids"].shape) for x, _ in make_dataset(windows, 2, 0, pad_to=512)} == {(2, 512)}


@pytest.fixture(scope="module")
def small_data():
    examples = read_resumes(os.path.join(ROOT, "data", "resumes.jsonl")).examples
    parts = split_examples(examples)
    return parts["train"][:8], parts["dev"][:2], tag_names(examples)


def _small_model(tmp_path, data, seed=0):
    train_examples, _, tags = data
    directory = modeling.build_tiny([e.text for e in train_examples], tags, str(tmp_path / "init"), seed=seed,
                                    vocab_size=600, **SMALL)
    return modeling.load(directory, tags)


@pytest.mark.slow  # trains twice
def test_training_is_seeded_and_the_saved_model_loads_back(tmp_path, small_data):
    train_examples, dev_examples, tags = small_data
    runs, vocabularies = [], []
    for run in range(2):
        model, tokenizer = _small_model(tmp_path / str(run), small_data)
        summary = train(model, tokenizer, train_examples, dev_examples, epochs=1, batch_size=8, verbose=0,
                        align=reference)
        runs.append((summary, model))
        vocabularies.append(tokenizer.get_vocab())
    assert vocabularies[0] == vocabularies[1]  # the offline tokenizer is deterministic too
    from tensorflow.python.framework import config

    assert not config.is_op_determinism_enabled()  # switched back on the way out of train()
    assert runs[0][0]["history"]["loss"] == runs[1][0]["history"]["loss"]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1].get_weights(), runs[1][1].get_weights()))
    assert 0.0 <= runs[0][0]["best_dev_f1"] <= 1.0 and runs[0][0]["best_epoch"] == 1
    model, tokenizer = runs[0][1], modeling.load(str(tmp_path / "0" / "init"))[1]
    model.save_pretrained(tmp_path / "saved")
    tokenizer.save_pretrained(tmp_path / "saved")
    loaded, loaded_tokenizer = modeling.load(str(tmp_path / "saved"))
    assert loaded.config.id2label[1] == tags[1]
    words = [e.words for e in dev_examples]
    assert predict_tags(loaded, loaded_tokenizer, words, align=reference) == \
        predict_tags(model, tokenizer, words, align=reference)


@pytest.mark.slow  # trains
def test_cli_train_evaluate_predict(tmp_path, capsys):
    data = tmp_path / "r.jsonl"
    records = synth.generate(n=20, seed=5)
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "run"
    assert cli.main(["ner", "train", "--data", str(data), "--model", "tiny", "--epochs", "1", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "micro avg" in printed and "example prediction" in printed
    for name in ["model/config.json", "model/tf_model.h5", "model/tokenizer.json", "labels.json", "curves.png",
                 "history.json", "test_report.json"]:
        assert (out / name).exists(), name
    assert json.loads((out / "model" / "config.json").read_text())["id2label"]["1"] == "B-Name"
    assert cli.main(["ner", "evaluate", "--model", str(out / "model"), "--data", str(data), "--report",
                     str(tmp_path / "rep.json")]) == 0
    assert "micro avg" in json.loads((tmp_path / "rep.json").read_text())
    capsys.readouterr()
    assert cli.main(["ner", "predict", "--model", str(out / "model"), "--json", "Mira Okafor, Data Analyst in Pune"]) == 0
    entities = json.loads(capsys.readouterr().out)
    assert isinstance(entities, list) and all(set(e) == {"label", "start", "end", "text"} for e in entities)
    assert cli.main(["ner", "predict", "--model", str(out / "model"), "--max-length", "4096", "hi"]) == 2
    assert "--max-length 4096" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["train", "--data", "{bad}"], "{bad}:2: malformed JSON"),
    (["evaluate", "--model", "{missing}", "--data", os.path.join(ROOT, "data", "conll_sample.txt")], "does not exist"),
    (["predict", "--model", "{missing}", "hello"], "does not exist"),
    (["train"], "--data"),
    (["train", "--data", "{bad}", "--epochs", "0"], "--epochs and --batch-size must be at least 1"),
    (["fly"], "unknown verb 'fly'"),
])
def test_cli_errors_exit_2_without_traceback(tmp_path, capsys, argv, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"content": "a", "annotation": null}\n{"content": \n', encoding="utf-8")
    argv = [a.format(bad=bad, missing=tmp_path / "nope") for a in argv]
    message = message.format(bad=bad)
    assert cli.main(["ner", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_skip_bad_counts_and_goes_on(tmp_path, capsys):
    bad = tmp_path / "bad.conll"
    bad.write_text("Mira B-PER\nOkafor\n\nPune B-LOC\n", encoding="utf-8")
    assert cli.main(["ner", "evaluate", "--model", str(tmp_path / "nope"), "--data", str(bad), "--skip-bad"]) == 2
    err = capsys.readouterr().err
    assert "skipped 1 bad item(s)" in err and "bad.conll:2:" in err


@pytest.mark.slow  # a fresh interpreter imports TensorFlow and transformers
def test_hub_name_offline_fails_fast_with_advice():
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=os.path.join(ROOT, "build", "empty-hf-home"))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assignment", "ner", "train", "--data",
                           os.path.join(ROOT, "data", "conll_sample.txt"), "--model", "distilbert-base-cased",
                           "--out", os.path.join(ROOT, "build", "ner-offline-test")],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "--model tiny" in done.stderr and "directory" in done.stderr and "Traceback" not in done.stderr
    assert time.perf_counter() - start < 60


def test_hub_probe_respects_offline_mode(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    start = time.perf_counter()
    assert modeling.hub_reachable() is False
    assert time.perf_counter() - start < 1
