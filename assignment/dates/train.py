"""Train the reference Transformer on date normalization: config, masks, loss, schedule,
train step, checkpoints and plots.

The model is ``assignment.transformer.Transformer`` unchanged. Training uses teacher
forcing: the decoder reads ``<s> YYYY-MM-DD`` and must predict ``YYYY-MM-DD </s>``.
"""
import dataclasses
import json
import math
import os
import time
from typing import Callable, Dict, Optional, Sequence

import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import numpy as np
import tensorflow as tf

from assignment.dates import data
from assignment.transformer import Transformer, create_look_ahead_mask, create_padding_mask

CONFIG_FILE = "config.json"
HISTORY_FILE = "history.json"
CKPT_DIR = "ckpt"


@dataclasses.dataclass
class ModelConfig:
    """Sizes of the Transformer; saved next to the checkpoint to rebuild the model."""
    num_layers: int = 2
    embedding_dim: int = 64
    # 2 heads, not 4: the reference gives every head key_dim = embedding_dim, so each head
    # adds 4 d x d projections; on 2 CPU cores 4 heads made the step 1.6x slower (142 vs
    # 90 ms at batch 128) and the 5-minute budget buys fewer steps.
    num_heads: int = 2
    fully_connected_dim: int = 256
    # No dropout: the data is generated, so a 5-minute run sees each pair about twice and
    # there is little to regularize; dropout would only cost time and slow convergence.
    dropout_rate: float = 0.0
    max_input_chars: int = data.MAX_INPUT_CHARS

    @property
    def input_tokens(self) -> int:
        return self.max_input_chars + 2

    @classmethod
    def tiny(cls) -> "ModelConfig":
        """A model small enough for unit tests."""
        return cls(num_layers=1, embedding_dim=32, num_heads=2, fully_connected_dim=64)


def build_model(config: ModelConfig) -> Transformer:
    """A Transformer of ``config``'s sizes, its weights created by one dummy call."""
    model = Transformer(num_layers=config.num_layers,
                        embedding_dim=config.embedding_dim,
                        num_heads=config.num_heads,
                        fully_connected_dim=config.fully_connected_dim,
                        input_vocab_size=len(data.INPUT_VOCAB),
                        target_vocab_size=len(data.TARGET_VOCAB),
                        max_positional_encoding_input=config.input_tokens,
                        max_positional_encoding_target=data.MAX_TARGET_TOKENS,
                        dropout_rate=config.dropout_rate)
    inp = tf.ones((1, config.input_tokens), tf.int32)
    tar = tf.ones((1, data.MAX_TARGET_TOKENS - 1), tf.int32)
    model(inp, tar, False, *make_masks(inp, tar))
    return model


def make_masks(inp, tar_inp):
    """Encoder padding mask (n, 1, S), decoder self-attention mask (n, T, T) that is
    causal and hides padded target positions, and the cross-attention mask (n, 1, S)."""
    enc_padding_mask = create_padding_mask(inp)  # (n, 1, S)
    causal = create_look_ahead_mask(tf.shape(tar_inp)[1])  # (1, T, T)
    look_ahead_mask = tf.minimum(causal, create_padding_mask(tar_inp))  # (n, T, T)
    return enc_padding_mask, look_ahead_mask, enc_padding_mask


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


def save_model(out_dir: str, model, config: ModelConfig, optimizer=None, step: int = 0) -> str:
    """Write the checkpoint and config.json under ``out_dir``; returns the checkpoint path."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, CONFIG_FILE), "w") as f:
        json.dump({"model": dataclasses.asdict(config),
                   "input_chars": data.INPUT_CHARS, "target_chars": data.TARGET_CHARS}, f, indent=2)
    objects = {"model": model}
    if optimizer is not None:
        objects["optimizer"] = optimizer
    ckpt = tf.train.Checkpoint(step=tf.Variable(step, dtype=tf.int64), **objects)
    manager = tf.train.CheckpointManager(ckpt, os.path.join(out_dir, CKPT_DIR), max_to_keep=2)
    return manager.save(checkpoint_number=step)


def load_model(model_dir: str):
    """Rebuild the model saved by ``save_model`` in ``model_dir``: returns (model, config).

    Raises FileNotFoundError with a plain message when the folder holds no trained model.
    """
    config_path = os.path.join(model_dir, CONFIG_FILE)
    if not os.path.isfile(config_path):
        raise FileNotFoundError(f"no trained model in {model_dir!r} ({CONFIG_FILE} is missing); "
                                "train one with: python -m assignment dates train --out DIR")
    with open(config_path) as f:
        saved = json.load(f)
    if saved.get("input_chars") != data.INPUT_CHARS or saved.get("target_chars") != data.TARGET_CHARS:
        raise FileNotFoundError(f"the model in {model_dir!r} was trained with other vocabularies")
    config = ModelConfig(**saved["model"])
    path = tf.train.latest_checkpoint(os.path.join(model_dir, CKPT_DIR))
    if path is None:
        raise FileNotFoundError(f"no checkpoint under {os.path.join(model_dir, CKPT_DIR)!r}")
    model = build_model(config)
    tf.train.Checkpoint(model=model).restore(path).expect_partial().assert_existing_objects_matched()
    return model, config


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


def train(out_dir: Optional[str] = None, steps: int = 2000, config: Optional[ModelConfig] = None,
          batch_size: int = 128, seed: int = 0, n_train: int = 100_000, warmup_steps: int = 400,
          eval_every: int = 250, n_dev: int = 500, n_test: int = 1_000, max_minutes: Optional[float] = None,
          mode: str = "function", bucket_widths: Sequence[int] = (16, 24), keep_best: bool = True,
          progress: bool = True, log: Optional[Callable[[str], None]] = None):
    """Train for ``steps`` updates (or until ``max_minutes``); returns (model, history).

    history holds per-step ``loss`` and ``accuracy`` and the dev exact-match measured
    every ``eval_every`` steps (the splits are ``data.make_splits(seed, n_train, n_dev,
    n_test)``). Batches are grouped by input length (``bucket_widths``; () for none). With
    ``keep_best`` the model ends with the weights of its best dev evaluation. With
    ``out_dir`` it also saves the checkpoint, config, history and the two plots there.
    Messages go to ``log`` (default: printed above the progress bar).
    """
    from tqdm.auto import tqdm

    log = log or tqdm.write

    from assignment.dates.decode import exact_match

    config = config or ModelConfig()
    tf.keras.utils.set_random_seed(seed)
    # the test split is drawn (and kept out of train and dev) even though only
    # benchmarks/dates_quality.py reads it, so that the same seed gives the same splits
    splits = data.make_splits(seed, n_train=n_train, n_dev=n_dev, n_test=n_test)
    inputs, targets = data.encode_pairs(splits["train"], config.max_input_chars)
    model = build_model(config)
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


def plot_learning_curves(history: Dict, path: str) -> None:
    """PNG of the training loss, token accuracy (smoothed) and dev exact-match per step."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    loss = np.array(history["loss"])
    window = max(1, min(50, len(loss) // 10))
    smooth = lambda x: np.convolve(x, np.ones(window) / window, mode="valid")  # noqa: E731
    steps = np.arange(window, len(loss) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.plot(np.arange(1, len(loss) + 1), loss, alpha=0.3, label="loss (per step)")
    ax1.plot(steps, smooth(loss), label=f"loss (mean of {window})")
    ax1.set_yscale("log")
    ax1.set_xlabel("step")
    ax1.set_title("training loss (masked cross-entropy)")
    ax1.legend()
    ax2.plot(steps, smooth(np.array(history["accuracy"])), label="train token accuracy")
    ax2.plot(history["dev_step"], history["dev_exact_match"], "o-", label="dev exact-match (greedy)")
    if "best_step" in history:
        ax2.axvline(history["best_step"], color="gray", linestyle=":", label="kept weights")
    ax2.set_ylim(0, 1.02)
    ax2.set_xlabel("step")
    ax2.set_title("accuracy")
    ax2.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_attention(model, text: str, path: str, max_input_chars: int = data.MAX_INPUT_CHARS,
                   layer: Optional[int] = None) -> str:
    """PNG heatmap of the last decoder layer's cross-attention (mean over heads):
    output characters (rows) x input characters (columns). Returns the translation."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from assignment.dates.decode import cross_attention

    iso, weights, in_tokens, out_tokens = cross_attention(model, text, max_input_chars, layer)
    fig, ax = plt.subplots(figsize=(max(4, 0.35 * len(in_tokens) + 1.5), 0.35 * len(out_tokens) + 1.5))
    ax.imshow(weights, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(in_tokens)), [repr(t)[1:-1] if t != " " else "␣" for t in in_tokens])
    ax.set_yticks(range(len(out_tokens)), out_tokens)
    ax.set_xlabel("input characters")
    ax.set_ylabel("predicted characters")
    ax.set_title(f"cross-attention: {text!r} -> {iso}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return iso


def count_parameters(model) -> int:
    return int(sum(math.prod(v.shape) for v in model.trainable_variables))
