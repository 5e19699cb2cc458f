"""Per-family training defaults, class weighting, the synthetic social-media set and the
per-type report that shows types never found."""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import hashlib
import os

import numpy as np
import tensorflow as tf

from assignment.labs.ner import social
from assignment.labs.ner.data import read_data, split_examples, tag_names
from assignment.labs.ner.metrics import entity_report, format_report, zero_recall
from assignment.labs.ner.train import family_defaults, inverse_sqrt_weights, masked_loss, model_family
from assignment.labs.ner.windows import Window

from assignment.paths import REPO_ROOT

ROOT = str(REPO_ROOT)


def test_inverse_sqrt_weights_favour_rare_labels_and_average_one():
    labels = [0] * 100 + [1] * 4 + [2] * 1 + [-100] * 7  # label 3 never seen
    windows = [Window(0, 0, 1, [5] * len(labels), labels[:50], []), Window(0, 1, 2, [5] * 62, labels[50:], [])]
    weights = np.array(inverse_sqrt_weights(windows, 4))
    counts = np.array([100, 4, 1, 0])
    assert weights[0] < weights[1] < weights[2] == weights[3]
    assert np.isclose(weights[1] / weights[0], np.sqrt(100 / 4))
    assert np.isclose((weights * counts).sum() / counts.sum(), 1.0)


def test_weighted_loss_is_the_weighted_mean_of_the_kept_terms():
    logits = tf.constant(np.random.default_rng(0).normal(size=(2, 3, 4)), tf.float32)
    labels = tf.constant([[1, -100, 2], [-100, 0, 3]])
    weights = [0.5, 2.0, 1.0, 3.0]
    kept = [(0, 0, 1), (0, 2, 2), (1, 1, 0), (1, 2, 3)]
    terms = [float(tf.keras.losses.sparse_categorical_crossentropy([y], logits[b, t][None], from_logits=True)[0])
             for b, t, y in kept]
    w = [weights[y] for _, _, y in kept]
    expected = sum(a * b for a, b in zip(terms, w)) / sum(w)
    assert np.isclose(float(masked_loss(labels, logits, weights)), expected, atol=1e-6)
    assert np.isclose(float(masked_loss(labels, logits, [1.0] * 4)), float(masked_loss(labels, logits)), atol=1e-6)


def test_families_tiny_keeps_its_defaults_pretrained_gets_its_own():
    assert model_family("tiny") == "scratch"
    assert {model_family(name) for name in ["minilm", "distilbert-minilm", "distilbert-base-cased", "/x/model"]} \
        == {"pretrained"}
    tiny = family_defaults("tiny")
    assert (tiny["lr"], tiny["epochs"], tiny["batch_size"], tiny["class_weights"]) == (1e-3, 25, 16, False)
    pretrained = family_defaults("minilm")
    assert pretrained["lr"] < tiny["lr"] and set(pretrained) == set(tiny)
    pretrained["lr"] = 1.0  # a copy: the table is not changed
    assert family_defaults("minilm")["lr"] != 1.0


def test_report_names_the_types_never_found():
    true = [["B-group", "I-group", "O", "B-person"], ["B-product", "O"]]
    pred = [["O", "O", "O", "B-person"], ["B-product", "O"]]
    report = entity_report(true, pred)
    assert zero_recall(report) == ["group"]
    text = format_report(report)
    assert "never found (recall 0): group" in text and "person" in text
    assert "never found" not in format_report(entity_report(true, true))


def test_shipped_social_set_regenerates_byte_for_byte(tmp_path):
    path = tmp_path / "social.conll"
    social.write(path)
    shipped = os.path.join(ROOT, "data", "social.conll")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(open(shipped, "rb").read()).hexdigest()


def test_social_set_is_rare_short_and_new_at_test_time():
    examples = read_data(os.path.join(ROOT, "data", "social.conll")).examples
    parts = split_examples(examples)
    assert {t[2:] for t in tag_names(examples) if t != "O"} == set(social.TYPES)

    def mentions(split):
        found = []
        for example in parts[split]:
            for i, tag in enumerate(example.tags):
                if tag.startswith("B-"):
                    end = i + 1
                    while end < len(example.tags) and example.tags[end] == "I-" + tag[2:]:
                        end += 1
                    found.append((tag[2:], " ".join(example.words[i:end]).lower(), end - i))
        return found

    train, test = mentions("train"), mentions("test")
    share = {kind: sum(m[0] == kind for m in train) / len(train) for kind in social.TYPES}
    assert sum(share[k] < 0.1 for k in social.TYPES) == 4  # four of the six types are rare
    assert np.mean([m[2] for m in train]) < 2  # short mentions
    assert sum(not e.tags.count("O") < len(e.tags) for e in parts["train"]) > 0.3 * len(parts["train"])  # many empty
    seen = {m[1] for m in train}
    assert sum(m[1] not in seen for m in test) / len(test) > 0.4  # many test names never seen in training
