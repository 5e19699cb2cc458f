"""Speed of dynamic padding: the same windows, model and batches, padded per batch
(length buckets) versus padded to 512 per example as the course does.

    python benchmarks/ner_padding.py [--epochs 6]

Both runs start from the same saved tiny model and the same seed, so they see the same
batches in the same order; only the padding differs. Epoch time is the median over
epochs 2..N (epoch 1 also traces the graph). Prints the ratio and both test F1s.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import assignment  # noqa: E402,F401  (selects tf-keras before TensorFlow loads)
from assignment.labs.ner import modeling  # noqa: E402
from assignment.labs.ner.data import read_resumes, split_examples, tag_names  # noqa: E402
from assignment.labs.ner.metrics import entity_f1  # noqa: E402
from assignment.labs.ner.predict import predict_tags  # noqa: E402
from assignment.labs.ner.train import train  # noqa: E402
from assignment.labs.ner.align import tokenize_and_align_labels as align  # noqa: E402  (the reference)


def run(init_dir, tags, parts, epochs, pad_to):
    model, tokenizer = modeling.load(init_dir, tags)
    summary = train(model, tokenizer, parts["train"], parts["dev"], epochs=epochs, pad_to=pad_to, verbose=0, align=align)
    test = parts["test"]
    f1 = entity_f1([e.tags for e in test], predict_tags(model, tokenizer, [e.words for e in test], align=align))
    return statistics.median(summary["epoch_seconds"][1:]), f1, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--out", default=os.path.join("build", "ner-padding"))
    args = parser.parse_args(argv)
    examples = read_resumes("data/resumes.jsonl").examples
    parts, tags = split_examples(examples), tag_names(examples)
    init_dir = modeling.build_tiny([e.text for e in parts["train"]], tags, os.path.join(args.out, "init"))
    dynamic = run(init_dir, tags, parts, args.epochs, None)
    padded = run(init_dir, tags, parts, args.epochs, 512)
    windows = dynamic[2]["train_windows"]
    print(f"{windows} training windows (max 128 subtokens), {args.epochs} epochs each")
    print(f"dynamic padding : {dynamic[0]:6.2f} s/epoch, test entity F1 {dynamic[1]:.3f}")
    print(f"padded to 512   : {padded[0]:6.2f} s/epoch, test entity F1 {padded[1]:.3f}")
    print(f"\nRESULT dynamic padding is {padded[0] / dynamic[0]:.1f}x faster per epoch; F1 difference "
          f"{100 * (dynamic[1] - padded[1]):+.1f} points (target: >= 3x, within 1 point)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
