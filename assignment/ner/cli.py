"""``python -m assignment ner train|evaluate|predict``: the NER lab from the command line.

Bad input (data errors, a model that cannot be loaded) and usage errors exit with
status 2 and a one-line message, never a traceback.
"""
import argparse
import json
import os
import sys
import time

import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)
from assignment.cli_errors import UsageError, command
from assignment.ner.data import DataError, read_data, split_examples, tag_names

DEFAULT_OUT = os.path.join("build", "ner")
DEMO_TEXT = ("Mira Okafor\nData Scientist - Bluepeak Systems\nPune | mira.okafor7@mail.example.com\n\n"
             "SUMMARY\nData Scientist with 6 years of experience in Python and machine learning.\n\n"
             "EDUCATION\nM.Sc. Statistics from University of Leeds in 2014\n")


def _parser():
    parser = argparse.ArgumentParser(prog="python -m assignment ner", description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", metavar="train|evaluate|predict")
    verbs.required = True

    def data_options(sub):
        sub.add_argument("--data", required=True, help="resume JSON lines or CoNLL file")
        sub.add_argument("--format", choices=["jsonl", "conll"], help="default: from the extension (.jsonl/.json: jsonl)")
        sub.add_argument("--skip-bad", action="store_true", help="skip (and count) bad items instead of stopping")

    train = verbs.add_parser("train", help="fine-tune a model and report test entity scores")
    data_options(train)
    train.add_argument("--model", default="auto",
                       help="tiny (built offline), minilm (the optional pretrained MiniLM, converted to "
                            "DistilBERT; also distilbert-minilm), a hub name such as distilbert-base-cased, or a "
                            "directory; default: distilbert-base-cased when the hub can be reached, else tiny")
    train.add_argument("--epochs", type=int, help="default: per model family (tiny 25; pretrained: see README)")
    train.add_argument("--batch-size", type=int, help="default: per model family (16)")
    train.add_argument("--lr", type=float, help="peak learning rate (default: per model family, tiny 1e-3)")
    train.add_argument("--warmup", type=float, help="fraction of the steps spent warming up (default 0.1)")
    train.add_argument("--class-weights", choices=["on", "off"],
                       help="weight the loss by 1/sqrt(label frequency) (default: per model family)")
    train.add_argument("--max-length", type=int, default=128, help="window length in subtokens (longer documents are split)")
    train.add_argument("--stride", type=int, default=32, help="subtokens shared by consecutive windows")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    evaluate = verbs.add_parser("evaluate", help="entity scores of a trained model on labelled data")
    evaluate.add_argument("--model", required=True, help="a trained model directory (train's OUT/model)")
    data_options(evaluate)
    evaluate.add_argument("--split", choices=["train", "dev", "test", "all"],
                          help="default: test when the file records splits, else all")
    evaluate.add_argument("--report", help="also write the report as JSON here")
    evaluate.add_argument("--max-length", type=int, default=128)
    evaluate.add_argument("--stride", type=int, default=32)

    predict = verbs.add_parser("predict", help="entities (with character offsets) in some text")
    predict.add_argument("--model", required=True, help="a trained model directory (train's OUT/model)")
    predict.add_argument("text", nargs="*", help="text to tag (default: read standard input)")
    predict.add_argument("--json", action="store_true", help="print JSON")
    predict.add_argument("--max-length", type=int, default=128)
    predict.add_argument("--stride", type=int, default=32)
    return parser


def _check_window(args, model):
    """--max-length must fit the model's positions, and --stride must leave room to advance."""
    limit = getattr(model.config, "max_position_embeddings", 512)
    if not 8 <= args.max_length <= limit:
        raise UsageError(f"--max-length {args.max_length}: must be between 8 and the model's {limit} positions")
    if not 0 <= args.stride <= (args.max_length - 2) // 2:
        raise UsageError(f"--stride {args.stride}: must be between 0 and half the window ({(args.max_length - 2) // 2})")


def _read(args):
    result = read_data(args.data, args.format, args.skip_bad)
    for problem in result.skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    if result.skipped:
        print(f"skipped {len(result.skipped)} bad item(s) of {args.data}", file=sys.stderr)
    if not result.examples:
        raise DataError(args.data, None, "no usable examples")
    return result.examples


def _train(args):
    from assignment.ner import modeling
    from assignment.ner.align import tokenize_and_align_labels as align  # the command line uses the reference
    from assignment.ner.metrics import entity_report, format_report, save_report
    from assignment.ner.predict import predict_tags, predict_text
    from assignment.ner.train import family_defaults, save_trained, train

    if (args.epochs is not None and args.epochs < 1) or (args.batch_size is not None and args.batch_size < 1):
        raise UsageError("--epochs and --batch-size must be at least 1")
    if args.warmup is not None and not 0 <= args.warmup < 1:
        raise UsageError("--warmup must be a fraction in [0, 1)")
    examples = _read(args)
    parts = split_examples(examples)
    tags = tag_names(examples)
    print(f"{args.data}: " + ", ".join(f"{len(v)} {k}" for k, v in parts.items()) + f"; {len(tags)} tags")
    if not parts["train"]:
        raise DataError(args.data, None, "no training examples")
    start = time.perf_counter()
    if args.model == "auto":
        args.model = modeling.HUB_DEFAULT if modeling.hub_reachable() else "tiny"
        print(f"--model not given: using {args.model}")
    model, tokenizer = modeling.load(args.model, tags, work_dir=args.out, texts=[e.text for e in parts["train"]],
                                     seed=args.seed)
    _check_window(args, model)
    given = dict(lr=args.lr, batch_size=args.batch_size, epochs=args.epochs, warmup=args.warmup,
                 class_weights=None if args.class_weights is None else args.class_weights == "on")
    settings = {**family_defaults(args.model), **{k: v for k, v in given.items() if v is not None}}
    if args.epochs is not None:
        settings["min_steps"] = 0  # the epochs asked for, exactly
    print("settings: " + ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in settings.items()))
    lr = settings["lr"]
    summary = train(model, tokenizer, parts["train"], parts["dev"], epochs=settings["epochs"],
                    batch_size=settings["batch_size"], learning_rate=lr, max_length=args.max_length,
                    stride=args.stride, seed=args.seed, verbose=0 if args.quiet else 1, warmup=settings["warmup"],
                    class_weights=settings["class_weights"], min_steps=settings["min_steps"], align=align)
    summary.update(model=args.model, data=args.data, total_seconds=time.perf_counter() - start, learning_rate=lr)
    model_dir = save_trained(model, tokenizer, args.out, summary)
    print(f"trained in {summary['total_seconds']:.0f} s; best dev entity F1 {summary['best_dev_f1']:.3f} "
          f"(epoch {summary['best_epoch']}); model saved in {model_dir}")
    scored = parts["test"] or parts["dev"]
    name = "test" if parts["test"] else "dev"
    if scored:
        predicted = predict_tags(model, tokenizer, [e.words for e in scored], args.max_length, args.stride,
                                 align=align)
        report = entity_report([e.tags for e in scored], predicted)
        save_report(report, os.path.join(args.out, f"{name}_report.json"))
        print(format_report(report, f"\n{name} split, entity level ({len(scored)} documents):"))
    if args.format != "conll" and not str(args.data).endswith((".txt", ".conll")):
        print("\nexample prediction:")
        for entity in predict_text(model, tokenizer, DEMO_TEXT, args.max_length, args.stride, align=align):
            print(f"  {entity['label']:<22} [{entity['start']:>3}, {entity['end']:>3})  {entity['text']!r}")
    return 0


def _load_trained(directory):
    from assignment.ner import modeling

    if not os.path.isdir(directory):
        raise modeling.ModelSourceError(f"model directory {directory!r} does not exist: give train's OUT/model folder")
    return modeling.load(directory)


def _evaluate(args):
    from assignment.ner.align import tokenize_and_align_labels as align
    from assignment.ner.metrics import entity_report, format_report, save_report
    from assignment.ner.predict import predict_tags

    examples = _read(args)
    split = args.split or ("test" if any(e.split for e in examples) else "all")
    chosen = examples if split == "all" else split_examples(examples)[split]
    if not chosen:
        raise DataError(args.data, None, f"no examples in split {split!r}")
    model, tokenizer = _load_trained(args.model)
    _check_window(args, model)
    predicted = predict_tags(model, tokenizer, [e.words for e in chosen], args.max_length, args.stride, align=align)
    report = entity_report([e.tags for e in chosen], predicted)
    print(format_report(report, f"{args.data} ({split}, {len(chosen)} documents), entity level:"))
    if args.report:
        save_report(report, args.report)
    return 0


def _predict(args):
    from assignment.ner.align import tokenize_and_align_labels as align
    from assignment.ner.predict import predict_text

    text = " ".join(args.text) if args.text else sys.stdin.read()
    model, tokenizer = _load_trained(args.model)
    _check_window(args, model)
    entities = predict_text(model, tokenizer, text, args.max_length, args.stride, align=align)
    if args.json:
        print(json.dumps(entities, ensure_ascii=False, indent=1))
    else:
        for entity in entities:
            print(f"{entity['label']:<22} [{entity['start']}, {entity['end']})  {entity['text']!r}")
        if not entities:
            print("(no entities)")
    return 0


@command  # UsageError (bad options, bad data, unusable model): "error: ...", exit status 2
def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = _parser()
    args = parser.parse_args(argv)  # argparse prints its own usage message (exit 2)
    from assignment.ner.modeling import ModelSourceError

    try:
        return {"train": _train, "evaluate": _evaluate, "predict": _predict}[args.verb](args)
    except (DataError, ModelSourceError) as err:
        raise UsageError(str(err)) from None
