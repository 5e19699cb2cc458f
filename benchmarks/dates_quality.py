"""Quality target: exact-match on the 1,000 held-out test dates after at most 5 minutes of
training (wall clock, dev evaluations included) with the tf.function train step.

    python benchmarks/dates_quality.py [--minutes 5] [--steps 3000] [--mode function]

Trains with ``assignment.labs.dates.train.train``, saves the model to --out, then greedily
decodes the test split of the same seed (disjoint from train and dev) and prints the
exact-match, a few errors, and the training time.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import assignment  # noqa: E402,F401  (selects tf-keras before TensorFlow loads)

from assignment.labs.dates import data  # noqa: E402
from assignment.labs.dates.decode import translate  # noqa: E402
from assignment.labs.dates.train import ModelConfig, count_parameters, train  # noqa: E402
from assignment.transformer import Transformer  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="training time limit")
    parser.add_argument("--steps", type=int, default=3000, help="step limit")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--mode", choices=["function", "xla", "eager"], default="function")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dropout", type=float, default=ModelConfig.dropout_rate)
    parser.add_argument("--no-buckets", action="store_true", help="pad every batch to the full width")
    parser.add_argument("--out", default="build/dates_quality")
    args = parser.parse_args(argv)

    config = ModelConfig(dropout_rate=args.dropout)
    n_train, n_dev, n_test = 100_000, 500, 1_000
    model, history = train(Transformer, out_dir=args.out, steps=args.steps, config=config, batch_size=args.batch_size,
                           seed=args.seed, n_train=n_train, n_dev=n_dev, n_test=n_test,
                           warmup_steps=args.warmup, max_minutes=args.minutes, mode=args.mode,
                           bucket_widths=() if args.no_buckets else (16, 24))
    test = data.make_splits(args.seed, n_train=n_train, n_dev=n_dev, n_test=n_test)["test"]
    start = time.perf_counter()
    predictions = translate(model, [x for x, _ in test], config.max_input_chars)
    decode_s = time.perf_counter() - start
    errors = [(x, y, p) for (x, y), p in zip(test, predictions) if p != y]
    em = 1 - len(errors) / len(test)

    print(f"\nconfig: {config}, {count_parameters(model):,} parameters, batch {args.batch_size}, "
          f"mode {args.mode}, warmup {args.warmup}, length buckets {not args.no_buckets}")
    print(f"trained {len(history['loss'])} steps in {history['train_seconds']:.0f} s "
          f"(limit {args.minutes} min); kept the weights of step {history['best_step']} "
          f"(best dev exact-match {history['best_dev_exact_match']:.3f}; dev exact-match per evaluation: "
          f"{', '.join(f'{s}: {e:.3f}' for s, e in zip(history['dev_step'], history['dev_exact_match']))})")
    print(f"TEST exact-match: {em:.4f} on {len(test)} dates ({len(errors)} wrong; "
          f"greedy decoding took {decode_s:.1f} s)")
    for x, y, p in errors[:10]:
        print(f"  {x!r}: expected {y}, got {p}")
    with open(os.path.join(args.out, "quality.json"), "w") as f:
        json.dump({"test_exact_match": em, "steps": len(history["loss"]), "best_step": history["best_step"],
                   "train_seconds": history["train_seconds"], "errors": errors}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
