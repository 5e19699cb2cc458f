"""Fine-tune a token-classification model with Keras ``fit``: length-bucketed batches
padded per batch (not to 512), a loss that skips -100, dev entity F1 after every epoch,
and the best epoch's weights kept."""
import contextlib
import dataclasses
import json
import os
import time

import numpy as np

import tensorflow as tf

from assignment.labs.ner.casing import reads_case
from assignment.labs.ner.metrics import entity_f1
from assignment.labs.ner.predict import pad_batch, score_documents, tags_from_scores
from assignment.labs.ner.windows import IGNORE, encode_document


def encode_examples(tokenizer, examples, label2id, max_length=128, stride=32, *, align):
    """All windows of all examples, encoded by the exercise ``align`` (see windows.py)."""
    windows = []
    for doc, example in enumerate(examples):
        windows += encode_document(tokenizer, example.words, example.tags, label2id, max_length, stride, doc,
                                   align=align)
    return windows


def length_batches(lengths, batch_size, rng, pool=50):
    """Batches of indices of similar length: shuffle, sort pools of ``pool`` batches by
    length, cut, then shuffle the batches. Less padding, still a new order every epoch."""
    order = rng.permutation(len(lengths))
    batches = []
    for first in range(0, len(order), batch_size * pool):
        chunk = sorted(order[first : first + batch_size * pool], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def make_dataset(windows, batch_size, pad_id, seed=0, pad_to=None, case=False):
    """tf.data of ({input_ids, attention_mask[, case_ids]}, labels), each (batch, length) int32.

    ``pad_to=None``: length-bucketed batches padded to their longest window (ours);
    ``pad_to=512``: every window padded to 512, as the course does (for comparison).
    ``case``: with each subtoken's word case (a model that ``casing.reads_case``).
    """
    rng = np.random.default_rng(seed)
    lengths = [len(w.input_ids) for w in windows]
    n_batches = -(-len(windows) // batch_size)

    def batches():
        for batch in length_batches(lengths, batch_size, rng):
            yield pad_batch([windows[i] for i in batch], pad_id, pad_to, case)

    spec = tf.TensorSpec([None, None], tf.int32)
    names = ("input_ids", "attention_mask") + (("case_ids",) if case else ())
    dataset = tf.data.Dataset.from_generator(batches, output_signature=({name: spec for name in names}, spec))
    return dataset.apply(tf.data.experimental.assert_cardinality(n_batches)).prefetch(2)


def masked_loss(labels, logits, class_weights=None):
    """Mean cross-entropy over the subtokens whose label is not -100; with
    ``class_weights`` (one per label id), each subtoken's term is scaled by its label's
    weight and the sum divided by the sum of those weights."""
    labels = tf.cast(labels, tf.int32)
    keep = tf.not_equal(labels, -100)  # (batch, length)
    safe = tf.where(keep, labels, 0)
    losses = tf.keras.losses.sparse_categorical_crossentropy(safe, logits, from_logits=True)
    keep = tf.cast(keep, losses.dtype)
    if class_weights is not None:
        keep = keep * tf.gather(tf.constant(class_weights, losses.dtype), safe)
    return tf.reduce_sum(losses * keep) / tf.maximum(tf.reduce_sum(keep), 1e-9)


def inverse_sqrt_weights(windows, n_labels):
    """Per-label loss weights proportional to 1/sqrt(label frequency) in the training
    subtokens (unseen labels get the rarest seen label's weight), scaled so that the
    average weight per subtoken is 1: rare entity types count more, 'O' less."""
    return inverse_frequency_weights(windows, n_labels, 0.5)


def inverse_frequency_weights(windows, n_labels, power=0.5):
    """Per-label loss weights proportional to (label frequency) ** -``power`` (0: all 1;
    0.5: 1/sqrt; 1: inverse frequency), unseen labels weighted as the rarest seen one,
    scaled so that the average weight per training subtoken is 1."""
    counts = np.zeros(n_labels)
    for window in windows:
        for label in window.labels:
            if label != -100:
                counts[label] += 1
    seen = counts > 0
    weights = np.where(seen, np.maximum(counts, 1) ** -float(power), 0.0)
    weights[~seen] = weights[seen].max() if seen.any() else 1.0
    if counts.sum():
        weights /= (weights * counts).sum() / counts.sum()
    return weights.astype(np.float32).tolist()


def weight_power(class_weights):
    """The exponent of ``class_weights``: False/None -> None (no weights), True -> 0.5
    (1/sqrt), a number -> itself (0 also means no weights)."""
    if class_weights is None or class_weights is False:
        return None
    power = 0.5 if class_weights is True else float(class_weights)
    return power or None


def label_every_subtoken(window, label2id):
    """A copy of ``window`` whose continuation subtokens carry their word's tag instead of
    -100 (B-x becomes I-x after the word's first subtoken): the "label all subtokens"
    variant. The words' subtokens are contiguous, so a word owns the positions from its
    first subtoken up to the next word's first subtoken (or the final [SEP])."""
    id2label = {i: tag for tag, i in label2id.items()}
    labels = list(window.labels)
    starts = [(p, w) for w, p in enumerate(window.first_token) if p >= 0]
    for k, (position, _) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else len(labels) - 1
        tag = id2label.get(labels[position])
        if tag is None:
            continue
        inside = label2id.get("I-" + tag[2:], labels[position]) if tag.startswith("B-") else labels[position]
        for q in range(position + 1, stop):
            labels[q] = inside
    return dataclasses.replace(window, labels=labels)


def label_first_subtoken_only(window):
    """A copy of ``window`` where only each word's first subtoken keeps a label (the others
    get -100), whatever the exercise's ``label_all_tokens`` did."""
    firsts = {p for p in window.first_token if p >= 0}
    return dataclasses.replace(window, labels=[label if q in firsts else IGNORE for q, label in enumerate(window.labels)])


class TokenTagger(tf.keras.Model):
    """Keras face of a Hugging Face TF model: inputs dict -> logits (batch, length, labels)."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def call(self, inputs, training=False):
        return self.encoder(**inputs, training=training).logits  # (batch, length, labels)


class WarmupLinear(tf.keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up to ``peak`` then linear decay to 0 at ``total`` steps."""

    def __init__(self, peak, total, warmup):
        self.peak, self.total, self.warmup = float(peak), float(max(total, 1)), float(max(warmup, 1))

    def __call__(self, step):
        step = tf.cast(step, tf.float32) + 1.0
        rise = step / self.warmup
        fall = tf.maximum(0.0, (self.total - step) / max(self.total - self.warmup, 1.0))
        return self.peak * tf.minimum(rise, fall)

    def get_config(self):
        return {"peak": self.peak, "total": self.total, "warmup": self.warmup}


# The 'O' biases ``outside_bias="auto"`` chooses from on the validation data (see
# ``predict.decode_windows``): 0 leaves the model's scores as they are.
OUTSIDE_BIASES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


class DevF1(tf.keras.callbacks.Callback):
    """Scores dev entity F1 after each epoch, times epochs, and keeps the best weights (and,
    with several ``biases``, the best of them for that epoch: see ``OUTSIDE_BIASES``)."""

    def __init__(self, encoder, tokenizer, dev_examples, max_length, stride, verbose=1, patience=None,
                 decoding="argmax", biases=(0.0,), *, align):
        super().__init__()
        self.encoder, self.tokenizer, self.dev, self.align = encoder, tokenizer, dev_examples, align
        self.max_length, self.stride, self.verbose = max_length, stride, verbose
        self.patience, self.decoding, self.biases = patience, decoding, tuple(biases)
        self.best_f1, self.best_epoch, self.best_weights, self.epoch_seconds = -1.0, 0, None, []
        self.best_bias, self.stopped_early = self.biases[0], False

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._start)
        if not self.dev:
            return
        documents, gold = [e.words for e in self.dev], [e.tags for e in self.dev]
        windows, scores = score_documents(self.encoder, self.tokenizer, documents, self.max_length, self.stride,
                                          align=self.align)
        f1, bias = -1.0, self.biases[0]
        for candidate in self.biases:  # in increasing order: a tie keeps the smaller bias
            predicted = tags_from_scores(self.encoder, documents, windows, scores, self.decoding, candidate)
            score = entity_f1(gold, predicted)
            if score > f1:
                f1, bias = score, candidate
        logs["dev_f1"] = f1
        better = f1 > self.best_f1
        if better:
            self.best_f1, self.best_epoch, self.best_weights = f1, epoch + 1, self.encoder.get_weights()
            self.best_bias = bias
        stop = self.patience is not None and epoch + 1 - self.best_epoch >= self.patience
        if self.verbose:
            lead = "\n" if self.verbose == 1 else ""  # the progress bar has not ended its line yet
            note = "  (best so far)" if better else ("  (no gain for %d epochs: early stop)" % self.patience if stop else "")
            at = f" with 'O' bias {bias:g}" if len(self.biases) > 1 else ""
            print(f"{lead}epoch {epoch + 1}: dev entity F1 {f1:.3f}{at}{note}", flush=True)
        if stop:
            self.stopped_early = True
            self.model.stop_training = True


def train(encoder, tokenizer, train_examples, dev_examples, epochs=10, batch_size=16, learning_rate=1e-3,
          max_length=128, stride=32, seed=0, pad_to=None, warmup=0.1, verbose=1, class_weights=False,
          min_steps=0, patience=None, label_all=None, decoding="argmax", outside_bias=0.0, *, align):
    """Fit ``encoder`` (a TF ...ForTokenClassification model) in place; restores the best
    dev epoch's weights. Returns a summary dict (history, best epoch, timings).

    ``align``: the exercise, ``tokenize_and_align_labels``, that encodes every window (the
    notebook passes the learner's, the command line the reference).

    ``warmup``: fraction of the steps spent warming up; ``class_weights``: weight the loss
    by label frequency ** -power (True: power 0.5, a number: that power; see
    ``inverse_frequency_weights``); ``min_steps``: train more epochs than ``epochs`` when
    that many optimizer steps are not reached (small data sets); ``patience``: stop after
    that many epochs without a better dev F1 (``epochs`` is then the most); ``label_all``:
    True, train on every subtoken; False, on each word's first only; None, as ``align``
    labelled them (its module-level ``label_all_tokens``); ``decoding``: how dev
    predictions are decoded (see ``predict.predict_tags``); ``outside_bias``: subtracted
    from the 'O' log-probability when decoding (``predict.decode_windows``), or "auto": the
    one of ``OUTSIDE_BIASES`` with the best dev F1, chosen with the epoch. The model's config
    keeps the decoding and the bias (``ner_decoding``, ``ner_outside_bias``) for later
    predictions.
    """
    with _deterministic_ops():
        return _train(encoder, tokenizer, train_examples, dev_examples, epochs, batch_size, learning_rate,
                      max_length, stride, seed, pad_to, warmup, verbose, class_weights, min_steps, patience,
                      label_all, decoding, outside_bias, align)


@contextlib.contextmanager
def _deterministic_ops():
    """Deterministic TensorFlow ops while training, then back to how the process had them
    (the switch is global: other code in the same process should not inherit it)."""
    from tensorflow.python.framework import config  # is/disable_op_determinism are not public

    was_on = config.is_op_determinism_enabled()
    tf.config.experimental.enable_op_determinism()
    try:
        yield
    finally:
        if not was_on:
            config.disable_op_determinism()


def _train(encoder, tokenizer, train_examples, dev_examples, epochs, batch_size, learning_rate, max_length, stride,
           seed, pad_to, warmup, verbose, class_weights, min_steps, patience, label_all, decoding, outside_bias, align):
    tf.keras.utils.set_random_seed(seed)
    label2id = {tag: int(i) for tag, i in encoder.config.label2id.items()}
    windows = encode_examples(tokenizer, train_examples, label2id, max_length, stride, align=align)
    if label_all is not None:  # None: as the exercise labelled them (its label_all_tokens)
        windows = [label_every_subtoken(w, label2id) if label_all else label_first_subtoken_only(w) for w in windows]
    dataset = make_dataset(windows, batch_size, tokenizer.pad_token_id, seed, pad_to, reads_case(encoder))
    epochs = max(epochs, -(-min_steps // len(dataset)))
    steps = epochs * len(dataset)
    power = weight_power(class_weights)
    weights = None if power is None else inverse_frequency_weights(windows, len(label2id), power)
    model = TokenTagger(encoder)
    model.compile(optimizer=tf.keras.optimizers.Adam(WarmupLinear(learning_rate, steps, warmup * steps)),
                  loss=lambda labels, logits: masked_loss(labels, logits, weights))
    biases = OUTSIDE_BIASES if outside_bias == "auto" else (float(outside_bias or 0.0),)
    if not dev_examples:
        biases = (0.0,) if outside_bias == "auto" else biases  # nothing to choose on
    dev = DevF1(encoder, tokenizer, dev_examples, max_length, stride, verbose, patience, decoding, biases,
                align=align)
    start = time.perf_counter()
    history = model.fit(dataset, epochs=epochs, callbacks=[dev], verbose=verbose)
    seconds = time.perf_counter() - start
    if dev.best_weights is not None:
        encoder.set_weights(dev.best_weights)
    encoder.config.ner_decoding, encoder.config.ner_outside_bias = decoding, float(dev.best_bias)
    return {
        "history": {key: [float(v) for v in values] for key, values in history.history.items()},
        "best_epoch": dev.best_epoch, "best_dev_f1": dev.best_f1, "seconds": seconds, "epochs": epochs,
        "epochs_run": len(dev.epoch_seconds), "stopped_early": dev.stopped_early, "patience": patience,
        "label_all": label_all, "decoding": decoding, "outside_bias": float(dev.best_bias), "class_weight_power": power,
        "steps": steps, "batch_size": batch_size, "warmup": warmup, "class_weights": weights,
        "epoch_seconds": dev.epoch_seconds, "train_windows": len(windows),
        "padded_tokens_per_epoch": int(len(windows) * pad_to) if pad_to else None,
    }


def save_trained(encoder, tokenizer, out_dir, summary, report=None, report_name="test"):
    """model/ (weights, config with id2label, tokenizer), labels.json, history.json and
    curves.png (training loss and dev F1 per epoch; F1 per type of ``report``, the final
    scores, when given) under ``out_dir``."""
    os.makedirs(out_dir, exist_ok=True)
    model_dir = os.path.join(out_dir, "model")
    encoder.save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    tags = [encoder.config.id2label[i] for i in range(len(encoder.config.id2label))]
    with open(os.path.join(out_dir, "labels.json"), "w", encoding="utf-8") as handle:
        json.dump(tags, handle, indent=1)
    with open(os.path.join(out_dir, "history.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1)
    plot_curves(summary["history"], os.path.join(out_dir, "curves.png"), report, report_name)
    return model_dir


def plot_curves(history, path, report=None, report_name="test"):
    """PNG with the training loss and the dev entity F1 per epoch, and, with ``report``
    (``metrics.entity_report``), a bar of F1 per entity type. Object API, not pyplot: the
    caller's matplotlib backend and figures are left alone."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    epochs = range(1, len(history.get("loss", [])) + 1)
    fig = Figure(figsize=(13 if report else 9, 3.5))
    axes = fig.subplots(1, 3 if report else 2)
    left, right = axes[0], axes[1]
    left.plot(epochs, history.get("loss", []), marker="o")
    left.set(title="training loss", xlabel="epoch")
    if "dev_f1" in history:
        right.plot(epochs, history["dev_f1"], marker="o", color="tab:green")
    right.set(title="validation entity micro-F1", xlabel="epoch", ylim=(0, 1))
    for axis in (left, right):
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    if report:
        types = sorted(k for k in report if not k.endswith(" avg"))
        scores = [report[t]["f1-score"] for t in types]
        bars = axes[2].barh(types, scores, color="tab:purple")
        axes[2].bar_label(bars, labels=[f"{v:.2f}" for v in scores], padding=2, fontsize=8)
        micro = report.get("micro avg", {}).get("f1-score")
        title = f"{report_name} F1 per type" + (f" (micro {micro:.3f})" if micro is not None else "")
        axes[2].set(title=title, xlim=(0, 1.1))
    fig.tight_layout()
    fig.savefig(path, dpi=100)


# Defaults per model family, chosen from the measured sweeps in benchmarks/RESULTS.md
# (benchmarks/ner_sweep.py on synthetic data; the pretrained family's class weights (off),
# subtokens (all), decoding (valid BIO) and patience from benchmarks/ner_wnut.py on
# WNUT-17's development file). "scratch": the tiny DistilBERT built from random weights;
# "pretrained": MiniLM converted to DistilBERT, a hub checkpoint or a local directory.
FAMILY_DEFAULTS = {
    "scratch": dict(lr=1e-3, batch_size=16, epochs=25, warmup=0.1, class_weights=False, min_steps=0,
                    patience=None, label_all=False, decoding="argmax", outside_bias=0.0,
                    case_features=False),
    "pretrained": dict(lr=1e-4, batch_size=16, epochs=6, warmup=0.1, class_weights=0.5, min_steps=200,
                       patience=2, label_all=True, decoding="bio", outside_bias=0.0,
                       case_features="auto"),
}


def model_family(model_name):
    """'scratch' for the tiny model, 'pretrained' for anything loaded with weights."""
    return "scratch" if model_name == "tiny" else "pretrained"


def family_defaults(model_name):
    """A copy of the training defaults for ``model_name``'s family."""
    return dict(FAMILY_DEFAULTS[model_family(model_name)])
