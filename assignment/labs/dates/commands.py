"""``python -m assignment dates train|translate``: train the date normalizer, or use it.

The options are declared in ``assignment/cli.py``; each function here takes them as plain
values. Usage errors and unreadable dates raise ``UsageError`` (one ``error: ...`` line,
exit status 2, no traceback).
"""
import os
import sys
from typing import List, Optional

from assignment.errors import UsageError


def _positive(name: str, value) -> None:
    if value is not None and value <= 0:
        raise UsageError(f"{name} must be positive, got {value}")


def train_model(*, out: str, steps: int = 2000, minutes: Optional[float] = None, batch_size: int = 128,
                seed: int = 0, eval_every: int = 250, mode: str = "function", layers: Optional[int] = None,
                dim: Optional[int] = None, heads: Optional[int] = None, ffn: Optional[int] = None,
                train_size: int = 100_000, warmup: int = 400, quiet: bool = False) -> int:
    """``dates train``: train the reference Transformer on generated dates, save it in ``out``."""
    from assignment.labs.dates.model import ModelConfig
    from assignment.labs.dates.train import train
    from assignment.transformer import Transformer  # the command line trains the reference

    for name, value in (("steps", steps), ("batch-size", batch_size), ("eval-every", eval_every),
                        ("layers", layers), ("dim", dim), ("heads", heads), ("ffn", ffn),
                        ("train-size", train_size), ("warmup", warmup), ("minutes", minutes)):
        _positive("--" + name, value)
    sizes = {"num_layers": layers, "embedding_dim": dim, "num_heads": heads, "fully_connected_dim": ffn}
    config = ModelConfig(**{k: v for k, v in sizes.items() if v is not None})
    _, history = train(Transformer, out_dir=out, steps=steps, config=config, batch_size=batch_size,
                       seed=seed, n_train=train_size, warmup_steps=warmup,
                       eval_every=eval_every, max_minutes=minutes, mode=mode,
                       progress=not quiet)
    print(f"trained {len(history['loss'])} steps in {history['train_seconds']:.0f} s; "
          f"kept step {history['best_step']} (dev exact-match {history['best_dev_exact_match']:.3f}); "
          f"saved to {out}/ "
          "(learning_curves.png, attention.png)")
    return 0


def translate_dates(model_dir: str, dates: List[str]) -> int:
    """``dates translate``: each of ``dates`` as YYYY-MM-DD, by the model in ``model_dir``."""
    from assignment.labs.dates import data

    try:  # check what we can before TensorFlow loads, so that bad input fails fast
        for text in dates:
            data.check_input(text, max_chars=sys.maxsize)  # the length is checked once the model is known
        if not os.path.isfile(os.path.join(model_dir, "config.json")):
            raise FileNotFoundError(f"no trained model in {model_dir!r} (config.json is missing); "
                                    "train one with: python -m assignment dates train --out DIR")
        from assignment.labs.dates.model import load_model
        from assignment.transformer import Transformer

        model, config = load_model(Transformer, model_dir)
        for text in dates:
            data.check_input(text, config.max_input_chars)
    except (data.DateInputError, FileNotFoundError) as err:
        raise UsageError(str(err)) from None
    from assignment.labs.dates.decode import translate

    for text, iso in zip(dates, translate(model, dates, config.max_input_chars)):
        print(f"{text} -> {iso}")
    return 0
