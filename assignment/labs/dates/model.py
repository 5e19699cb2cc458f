"""The date normalizer's model: its configuration, building a Transformer, the masks, and
saving/loading checkpoints.

No Transformer is defined or imported here: the caller passes the class (the learner's
``Transformer`` from the notebook, or ``assignment.transformer.Transformer`` on the command
line), so this module is learner-safe and ships in the student release.
``decode`` and ``train`` build on this module; it imports neither of them.
"""
import dataclasses
import json
import math
import os

import tensorflow as tf

from assignment.labs.dates import data

CONFIG_FILE = "config.json"
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


def build_model(transformer, config: ModelConfig):
    """``transformer(...)`` (the assignment's ``Transformer`` class, or any callable taking its
    keyword arguments) of ``config``'s sizes, its weights created by one dummy call."""
    model = transformer(num_layers=config.num_layers,
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


def create_padding_mask(token_ids):
    """(n, m) ids -> (n, 1, m) floats, 1.0 where the id is a real token (not <pad> = 0):
    the assignment's mask convention, 1 = may attend."""
    real = 1 - tf.cast(tf.math.equal(token_ids, data.PAD), tf.float32)  # (n, m)
    return real[:, tf.newaxis, :]


def create_look_ahead_mask(length):
    """(1, L, L) lower-triangular ones: position t may attend to positions 0..t."""
    return tf.linalg.band_part(tf.ones((1, length, length)), -1, 0)


def make_masks(inp, tar_inp):
    """Encoder padding mask (n, 1, S), decoder self-attention mask (n, T, T) that is
    causal and hides padded target positions, and the cross-attention mask (n, 1, S)."""
    enc_padding_mask = create_padding_mask(inp)  # (n, 1, S)
    causal = create_look_ahead_mask(tf.shape(tar_inp)[1])  # (1, T, T)
    look_ahead_mask = tf.minimum(causal, create_padding_mask(tar_inp))  # (n, T, T)
    return enc_padding_mask, look_ahead_mask, enc_padding_mask


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


def load_model(transformer, model_dir: str):
    """Rebuild the model saved by ``save_model`` in ``model_dir`` as a ``transformer``
    (the class it was trained as): returns (model, config).

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
    model = build_model(transformer, config)
    tf.train.Checkpoint(model=model).restore(path).expect_partial().assert_existing_objects_matched()
    return model, config


def count_parameters(model) -> int:
    """Number of trainable weights."""
    return int(sum(math.prod(v.shape) for v in model.trainable_variables))
