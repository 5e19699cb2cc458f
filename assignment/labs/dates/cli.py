"""``python -m assignment dates train|translate ...``: train the date normalizer, or use it.

Usage errors and unreadable dates print one ``error: ...`` line and return 2, no traceback.
"""
import argparse
import os
import sys
from typing import List, Optional

from assignment.errors import UsageError, command

DEFAULT_OUT = "build/dates_model"


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print the usage and exit; we raise instead
        raise UsageError(f"{message} (see: python -m assignment dates {self.prog.split()[-1]} --help)"
                         if self.prog.split()[-1] in ("train", "translate") else message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m assignment dates",
                     description="Train the assignment's Transformer to rewrite dates as YYYY-MM-DD.")
    verbs = parser.add_subparsers(dest="verb", parser_class=_Parser, metavar="{train,translate}")
    verbs.required = True

    train = verbs.add_parser("train", help="train a model and save it (checkpoint, config, plots)")
    train.add_argument("--steps", type=int, default=2000, help="training steps (default 2000)")
    train.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    train.add_argument("--minutes", type=float, default=None, help="stop after this many minutes")
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--eval-every", type=int, default=250, help="dev exact-match every N steps")
    train.add_argument("--mode", choices=["function", "xla", "eager"], default="function",
                       help="how the train step runs (default: tf.function)")
    train.add_argument("--layers", type=int, default=None, help="model size overrides:")
    train.add_argument("--dim", type=int, default=None)
    train.add_argument("--heads", type=int, default=None)
    train.add_argument("--ffn", type=int, default=None)
    train.add_argument("--train-size", type=int, default=100_000, help="generated training pairs")
    train.add_argument("--warmup", type=int, default=400, help="warm-up steps of the schedule")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    translate = verbs.add_parser("translate", help="rewrite dates with a trained model")
    translate.add_argument("--model", default=DEFAULT_OUT, help=f"model folder (default {DEFAULT_OUT})")
    translate.add_argument("dates", nargs="+", help='dates such as "3 May 1979"')
    return parser


def _positive(name: str, value) -> None:
    if value is not None and value <= 0:
        raise UsageError(f"{name} must be positive, got {value}")


def _train(args) -> int:
    from assignment.labs.dates.model import ModelConfig
    from assignment.labs.dates.train import train
    from assignment.transformer import Transformer  # the command line trains the reference

    for name in ("steps", "batch_size", "eval_every", "layers", "dim", "heads", "ffn",
                 "train_size", "warmup", "minutes"):
        _positive("--" + name.replace("_", "-"), getattr(args, name))
    sizes = {"num_layers": args.layers, "embedding_dim": args.dim, "num_heads": args.heads,
             "fully_connected_dim": args.ffn}
    config = ModelConfig(**{k: v for k, v in sizes.items() if v is not None})
    _, history = train(Transformer, out_dir=args.out, steps=args.steps, config=config, batch_size=args.batch_size,
                       seed=args.seed, n_train=args.train_size, warmup_steps=args.warmup,
                       eval_every=args.eval_every, max_minutes=args.minutes, mode=args.mode,
                       progress=not args.quiet)
    print(f"trained {len(history['loss'])} steps in {history['train_seconds']:.0f} s; "
          f"kept step {history['best_step']} (dev exact-match {history['best_dev_exact_match']:.3f}); "
          f"saved to {args.out}/ "
          "(learning_curves.png, attention.png)")
    return 0


def _translate(args) -> int:
    from assignment.labs.dates import data

    try:  # check what we can before TensorFlow loads, so that bad input fails fast
        for text in args.dates:
            data.check_input(text, max_chars=sys.maxsize)  # the length is checked once the model is known
        if not os.path.isfile(os.path.join(args.model, "config.json")):
            raise FileNotFoundError(f"no trained model in {args.model!r} (config.json is missing); "
                                    "train one with: python -m assignment dates train --out DIR")
        from assignment.labs.dates.model import load_model
        from assignment.transformer import Transformer

        model, config = load_model(Transformer, args.model)
        for text in args.dates:
            data.check_input(text, config.max_input_chars)
    except (data.DateInputError, FileNotFoundError) as err:
        raise UsageError(str(err)) from None
    from assignment.labs.dates.decode import translate

    for text, iso in zip(args.dates, translate(model, args.dates, config.max_input_chars)):
        print(f"{text} -> {iso}")
    return 0


@command  # UsageError: one "error: ..." line, exit status 2
def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    return _train(args) if args.verb == "train" else _translate(args)
