"""Fine-tune a ``TFDistilBertForQuestionAnswering`` with Keras ``fit``.

Every example is encoded by the exercise (``positions``: the notebook passes the learner's
``answer_token_positions``, the benchmark the reference); batches are shuffled (seeded)
and cut to their longest pair; the loss is the mean of the start and end cross-entropies,
as the model's own; exact match on the dev examples is scored after every epoch and the
best epoch's weights are kept.
"""
import time
from typing import Sequence

import numpy as np

import tensorflow as tf

from assignment.labs.ner.train import WarmupLinear
from assignment.labs.qa.metrics import scores
from assignment.labs.qa.predict import predict_answers


class EncodingError(ValueError):
    """The exercise returned something the training cannot use (which example, what)."""


def encode_examples(tokenizer, examples: Sequence, max_length=128, *, positions):
    """{"input_ids", "attention_mask": (n, max_length) int32, "start_positions",
    "end_positions": (n,) int32} of ``examples`` (``data.QAExample``), each encoded by
    ``positions(tokenizer, question, context, answer, answer_start, max_length=...)``."""
    ids, masks, starts, ends = [], [], [], []
    for example in examples:
        encoding = positions(tokenizer, example.question, example.context, example.answer, example.answer_start,
                             max_length=max_length)
        try:
            row = [list(encoding["input_ids"]), list(encoding["attention_mask"]),
                   int(encoding["start_positions"]), int(encoding["end_positions"])]
        except (TypeError, KeyError, ValueError) as error:
            raise EncodingError(f"example {example.id}: the exercise's output has no usable input_ids, "
                                f"attention_mask, start_positions and end_positions ({type(error).__name__}: "
                                f"{error})") from None
        if len(row[0]) != max_length or not 0 <= row[2] <= row[3] < max_length:
            raise EncodingError(f"example {example.id}: {len(row[0])} tokens (expected {max_length}) and "
                                f"positions {row[2]}..{row[3]}: run the exercise's test first")
        for column, value in zip((ids, masks, starts, ends), row):
            column.append(value)
    return {"input_ids": np.asarray(ids, np.int32), "attention_mask": np.asarray(masks, np.int32),
            "start_positions": np.asarray(starts, np.int32), "end_positions": np.asarray(ends, np.int32)}


def make_dataset(features, batch_size=32, seed=0, shuffle=True):
    """tf.data of ({input_ids, attention_mask}, (batch, 2) start/end positions), each batch
    cut to its longest pair (padding columns dropped), reshuffled every epoch."""
    targets = np.stack([features["start_positions"], features["end_positions"]], axis=1)
    dataset = tf.data.Dataset.from_tensor_slices(
        ({"input_ids": features["input_ids"], "attention_mask": features["attention_mask"]}, targets))
    if shuffle:
        dataset = dataset.shuffle(len(targets), seed=seed, reshuffle_each_iteration=True)

    def trim(inputs, target):
        length = tf.reduce_max(tf.reduce_sum(inputs["attention_mask"], axis=1))
        return {key: value[:, :length] for key, value in inputs.items()}, target

    return dataset.batch(batch_size).map(trim).prefetch(2)


def span_loss(targets, logits):
    """Mean over start and end of the cross-entropy of the true position; ``logits`` is
    (batch, 2, length), ``targets`` (batch, 2)."""
    losses = tf.keras.losses.sparse_categorical_crossentropy(tf.cast(targets, tf.int32), logits, from_logits=True)
    return tf.reduce_mean(losses)


class SpanModel(tf.keras.Model):
    """Keras face of the Hugging Face model: inputs dict -> (batch, 2, length) start/end logits."""

    def __init__(self, qa_model):
        super().__init__()
        self.qa_model = qa_model

    def call(self, inputs, training=False):
        output = self.qa_model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"],
                               training=training)
        return tf.stack([output.start_logits, output.end_logits], axis=1)


class DevExactMatch(tf.keras.callbacks.Callback):
    """Exact match on the dev examples after each epoch; keeps the best epoch's weights."""

    def __init__(self, qa_model, tokenizer, dev_examples, max_length, verbose=1):
        super().__init__()
        self.qa_model, self.tokenizer, self.dev = qa_model, tokenizer, list(dev_examples)
        self.max_length, self.verbose = max_length, verbose
        self.best, self.best_epoch, self.best_weights, self.epoch_seconds = -1.0, 0, None, []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._start)
        if not self.dev:
            return
        found = predict_answers(self.qa_model, self.tokenizer, [e.question for e in self.dev],
                                [e.context for e in self.dev], self.max_length)
        em = scores([p.text for p in found], [e.answer for e in self.dev])["exact_match"]
        logs["dev_exact_match"] = em
        better = em > self.best
        if better:
            self.best, self.best_epoch, self.best_weights = em, epoch + 1, self.qa_model.get_weights()
        if self.verbose:
            lead = "\n" if self.verbose == 1 else ""  # the progress bar has not ended its line yet
            print(f"{lead}epoch {epoch + 1}: dev exact match {em:.3f}{'  (best so far)' if better else ''}",
                  flush=True)
        if em >= 1.0:
            self.model.stop_training = True  # nothing left to gain


def train(qa_model, tokenizer, train_examples, dev_examples, epochs=6, batch_size=32, learning_rate=2e-3,
          max_length=128, seed=0, warmup=0.1, verbose=1, *, positions):
    """Fit ``qa_model`` in place, restore its best dev epoch; a summary dict (history, best
    epoch, seconds). ``positions``: the exercise that encodes every example."""
    tf.keras.utils.set_random_seed(seed)
    features = encode_examples(tokenizer, train_examples, max_length, positions=positions)
    dataset = make_dataset(features, batch_size, seed)
    steps = epochs * len(dataset)
    model = SpanModel(qa_model)
    model.compile(optimizer=tf.keras.optimizers.Adam(WarmupLinear(learning_rate, steps, warmup * steps)),
                  loss=span_loss)
    dev = DevExactMatch(qa_model, tokenizer, dev_examples, max_length, verbose)
    start = time.perf_counter()
    history = model.fit(dataset, epochs=epochs, callbacks=[dev], verbose=verbose)
    seconds = time.perf_counter() - start
    if dev.best_weights is not None:
        qa_model.set_weights(dev.best_weights)
    return {"history": {key: [float(v) for v in values] for key, values in history.history.items()},
            "best_epoch": dev.best_epoch, "best_dev_exact_match": dev.best, "seconds": seconds,
            "epochs": epochs, "epochs_run": len(dev.epoch_seconds), "epoch_seconds": dev.epoch_seconds,
            "steps": steps, "batch_size": batch_size, "learning_rate": learning_rate,
            "train_examples": len(features["input_ids"])}


# Training settings per model (the benchmark's, the notebook's): chosen from the runs of
# benchmarks/qa_babi.py recorded in benchmarks/RESULTS.md. ``train_stories``: how many
# generated training stories (five questions each) the benchmark draws.
DEFAULTS = {
    "tiny": dict(epochs=16, batch_size=16, learning_rate=2e-3, warmup=0.1, train_stories=900),
    "minilm": dict(epochs=3, batch_size=16, learning_rate=1e-4, warmup=0.1, train_stories=200),
}
