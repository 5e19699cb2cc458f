"""Train a Transformer on date normalization: loss, schedule, train step and the training
loop, which saves the checkpoint and the plots.

The model is the ``Transformer`` class the caller passes (the learner's, in the notebook;
the reference ``assignment.transformer.Transformer`` on the command line), built by
``model.build_model``; nothing here holds or imports a solution.
Training uses teacher forcing: the decoder reads ``<s> YYYY-MM-DD`` and must predict
``YYYY-MM-DD </s>``. Imports go one way: train -> plots -> decode -> model.
"""
import dataclasses
import json
import os
import time
from typing import Callable, Dict, Optional, Sequence

import numpy as np
import tensorflow as tf

from assignment.labs.dates import data
from assignment.labs.dates.decode import exact_match
from assignment.labs.dates.model import (CKPT_DIR, CONFIG_FILE, ModelConfig, build_model,  # noqa: F401
                                    count_parameters, load_model, make_masks, save_model)
from assignment.labs.dates.plots import plot_attention, plot_learning_curves  # noqa: F401

HISTORY_FILE = "history.json"


def progress_bar_class():
    """tqdm's widget bar in a notebook when ipywidgets is installed, its text bar otherwise.

    ``tqdm.auto`` alone warns about a missing ``IProgress`` in a kernel without ipywidgets.
    """
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm


def masked_loss(real, probs):
    """Mean cross-entropy over the non-pad positions; ``probs`` are softmax outputs."""
    per_token = tf.keras.losses.sparse_categorical_crossentropy(real, probs, from_logits=False)  # (n, T)
    mask = tf.cast(real != data.PAD, per_token.dtype)
    return tf.reduce_sum(per_token * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)


def masked_accuracy(real, probs):
    """Fraction of non-pad positions whose argmax is the right token."""
    hits = tf.cast(tf.argmax(probs, axis=-1, output_type=real.dtype) == real, tf.float32)  # (n, T)
    mask = tf.cast(real != data.PAD, tf.float32)
    return tf.reduce_sum(hits * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)


class WarmupSchedule(tf.keras.optimizers.schedules.LearningRateSchedule):
    """lr = d^-0.5 * min(step^-0.5, step * warmup^-1.5) (Vaswani et al., 2017), step from 1."""

    def __init__(self, embedding_dim: int, warmup_steps: int = 400):
        super().__init__()
        self.embedding_dim = embedding_dim
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        step = tf.cast(step, tf.float32) + 1.0  # the optimizer counts from 0
        d = tf.cast(self.embedding_dim, tf.float32)
        return tf.math.rsqrt(d) * tf.minimum(tf.math.rsqrt(step), step * self.warmup_steps ** -1.5)

    def get_config(self):
        return {"embedding_dim": self.embedding_dim, "warmup_steps": self.warmup_steps}


def make_optimizer(config: ModelConfig, warmup_steps: int = 400):
    """Adam with the warm-up schedule and the paper's betas and epsilon."""
    return tf.keras.optimizers.Adam(WarmupSchedule(config.embedding_dim, warmup_steps),
                                    beta_1=0.9, beta_2=0.98, epsilon=1e-9)


def make_train_step(model, optimizer, mode: str = "function") -> Callable:
    """One teacher-forced update ``step(inp (n, S), tar (n, 12)) -> (loss, accuracy)``.

    mode: "eager" (plain Python), "function" (``tf.function``) or "xla"
    (``tf.function(jit_compile=True)``).
    """
    def step(inp, tar):
        tar_inp, tar_real = tar[:, :-1], tar[:, 1:]  # (n, 11) each: shifted by one
        masks = make_masks(inp, tar_inp)
        with tf.GradientTape() as tape:
            probs, _ = model(inp, tar_inp, True, *masks)  # (n, 11, target_vocab)
            loss = masked_loss(tar_real, probs)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss, masked_accuracy(tar_real, probs)

    if mode == "eager":
        return step
    if mode not in ("function", "xla"):
        raise ValueError(f"unknown mode {mode!r}: use eager, function or xla")
    return tf.function(step, jit_compile=(mode == "xla"), reduce_retracing=True)


def _batches(inputs: np.ndarray, targets: np.ndarray, batch_size: int, seed: int,
             widths: Sequence[int] = ()):
    """Endless shuffled batches (epoch after epoch) of (inputs (n, w), targets (n, 12)).

    With ``widths``, each batch holds inputs of similar length, cut to the smallest width
    that fits them (plus the full width): most dates are short, so this skips much of the
    padding the encoder would otherwise process. Padding is masked, so it changes no output.
    """
    rng = np.random.default_rng(seed)
    full = inputs.shape[1]
    widths = sorted({w for w in widths if 0 < w < full}) + [full]
    lengths = np.sum(inputs != data.PAD, axis=1)  # (n,) tokens incl. <s> and </s>
    groups = [np.flatnonzero(g) for g in np.equal.outer(np.searchsorted(widths, lengths), range(len(widths))).T]
    while True:
        chunks = []
        for width, group in zip(widths, groups):
            group = rng.permutation(group)
            chunks += [(width, group[i:i + batch_size]) for i in range(0, len(group) - batch_size + 1, batch_size)]
        for j in rng.permutation(len(chunks)):
            width, idx = chunks[j]
            yield tf.constant(inputs[idx, :width]), tf.constant(targets[idx])


def train(transformer, out_dir: Optional[str] = None, steps: int = 2000, config: Optional[ModelConfig] = None,
          batch_size: int = 128, seed: int = 0, n_train: int = 100_000, warmup_steps: int = 400,
          eval_every: int = 250, n_dev: int = 500, n_test: int = 1_000, max_minutes: Optional[float] = None,
          mode: str = "function", bucket_widths: Sequence[int] = (16, 24), keep_best: bool = True,
          progress: bool = True, log: Optional[Callable[[str], None]] = None):
    """Train a ``transformer`` (the assignment's ``Transformer`` class) for ``steps`` updates
    (or until ``max_minutes``); returns (model, history).

    history holds per-step ``loss`` and ``accuracy`` and the dev exact-match measured
    every ``eval_every`` steps (the splits are ``data.make_splits(seed, n_train, n_dev,
    n_test)``). Batches are grouped by input length (``bucket_widths``; () for none). With
    ``keep_best`` the model ends with the weights of its best dev evaluation. With
    ``out_dir`` it also saves the checkpoint, config, history and the two plots there.
    Messages go to ``log`` (default: printed above the progress bar).
    """
    tqdm = progress_bar_class()
    log = log or tqdm.write

    config = config or ModelConfig()
    tf.keras.utils.set_random_seed(seed)
    # the test split is drawn (and kept out of train and dev) even though only
    # benchmarks/dates_quality.py reads it, so that the same seed gives the same splits
    splits = data.make_splits(seed, n_train=n_train, n_dev=n_dev, n_test=n_test)
    inputs, targets = data.encode_pairs(splits["train"], config.max_input_chars)
    model = build_model(transformer, config)
    optimizer = make_optimizer(config, warmup_steps)
    train_step = make_train_step(model, optimizer, mode)

    history: Dict[str, list] = {"loss": [], "accuracy": [], "dev_step": [], "dev_exact_match": [],
                                "seconds": [], "config": dataclasses.asdict(config),
                                "batch_size": batch_size, "mode": mode, "seed": seed,
                                "bucket_widths": list(bucket_widths),
                                "splits": {"n_train": n_train, "n_dev": n_dev, "n_test": n_test}}
    best = (-1.0, 0, None)  # (dev exact-match, step, weights) of the best evaluation
    start = time.perf_counter()
    bar = tqdm(range(1, steps + 1), desc="train", disable=not progress, mininterval=1.0)
    batches = _batches(inputs, targets, batch_size, seed, bucket_widths)
    for step in bar:
        loss, acc = train_step(*next(batches))
        history["loss"].append(float(loss))
        history["accuracy"].append(float(acc))
        history["seconds"].append(time.perf_counter() - start)
        out_of_time = max_minutes is not None and history["seconds"][-1] > 60 * max_minutes
        if step % eval_every == 0 or step == steps or out_of_time:
            em = exact_match(model, splits["dev"], config.max_input_chars)
            history["dev_step"].append(step)
            history["dev_exact_match"].append(em)
            if keep_best and em > best[0]:  # the schedule's lr is still high at the end, so
                best = (em, step, model.get_weights())  # the last weights can be a worse draw
            bar.set_postfix(loss=f"{float(loss):.3f}", dev_em=f"{em:.3f}")
            log(f"step {step}: loss {float(loss):.4f}, token accuracy {float(acc):.3f}, "
                f"dev exact-match {em:.3f} ({history['seconds'][-1]:.0f} s)")
        if out_of_time:
            log(f"stopping at step {step}: time limit of {max_minutes} minutes reached")
            break
    bar.close()
    history["train_seconds"] = time.perf_counter() - start
    last = len(history["loss"])
    history["best_step"], history["best_dev_exact_match"] = ((best[1], best[0]) if keep_best
                                                             else (last, history["dev_exact_match"][-1]))
    if keep_best and best[1] != last:
        model.set_weights(best[2])
        log(f"kept the weights of step {best[1]} (best dev exact-match {best[0]:.3f})")

    if out_dir is not None:
        save_model(out_dir, model, config, optimizer, step=len(history["loss"]))
        with open(os.path.join(out_dir, HISTORY_FILE), "w") as f:
            json.dump(history, f)
        plot_learning_curves(history, os.path.join(out_dir, "learning_curves.png"))
        plot_attention(model, "tuesday, march 12 2002", os.path.join(out_dir, "attention.png"),
                       config.max_input_chars)
    return model, history
