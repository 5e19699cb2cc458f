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
from assignment.errors import UsageError, command
from assignment.labs.ner.data import DataError, read_data, split_examples, tag_names
from assignment.labs.ner.decoding import DECODINGS

DEFAULT_OUT = os.path.join("build", "ner")
DEMO_TEXT = ("Mira Okafor\nData Scientist - Bluepeak Systems\nPune | mira.okafor7@mail.example.com\n\n"
             "SUMMARY\nData Scientist with 6 years of experience in Python and machine learning.\n\n"
             "EDUCATION\nM.Sc. Statistics from University of Leeds in 2014\n")


def _parser():
    parser = argparse.ArgumentParser(prog="python -m assignment ner", description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", metavar="train|evaluate|predict")
    verbs.required = True

    def data_options(sub, required=True):
        sub.add_argument("--data", required=required,
                         help="resume JSON lines or CoNLL file" + ("" if required else
                              " split by itself (its recorded splits, else 80/10/10); or give --train"))
        sub.add_argument("--format", choices=["jsonl", "conll"],
                         help="default: from each file's extension (.jsonl/.json: jsonl, else conll)")
        sub.add_argument("--skip-bad", action="store_true", help="skip (and count) bad items instead of stopping")

    train = verbs.add_parser("train", help="fine-tune a model and report test entity scores")
    data_options(train, required=False)
    train.add_argument("--train", dest="train_file", metavar="FILE", help="the training file (instead of --data)")
    train.add_argument("--validation", metavar="FILE",
                       help="with --train: picks the best epoch and stops early (default: no model selection)")
    train.add_argument("--test", metavar="FILE", help="with --train: scored once, with the final model")
    train.add_argument("--model", default="auto",
                       help="tiny (built offline), minilm (the optional pretrained MiniLM, converted to "
                            "DistilBERT; also distilbert-minilm), a hub name such as distilbert-base-cased, or a "
                            "directory; default: distilbert-base-cased when the hub can be reached, else tiny")
    train.add_argument("--epochs", type=int, help="the most epochs (default: per model family, see docs/ner.md)")
    train.add_argument("--patience", type=int,
                       help="stop after this many epochs without a better validation F1 (0: never; "
                            "default: per model family)")
    train.add_argument("--batch-size", type=int, help="default: per model family (16)")
    train.add_argument("--lr", type=float, help="peak learning rate (default: per model family, tiny 1e-3)")
    train.add_argument("--warmup", type=float, help="fraction of the steps spent warming up (default 0.1)")
    train.add_argument("--class-weights", type=_weights, metavar="on|off|POWER",
                       help="weight the loss by label frequency ** -POWER (on: 0.5, i.e. 1/sqrt; off: 0; "
                            "default: per model family)")
    train.add_argument("--subtokens", choices=["first", "all"],
                       help="train on each word's first subtoken or on all (default: per model family)")
    train.add_argument("--decoding", choices=list(DECODINGS),
                       help="argmax per word, or the best valid BIO sequence (bio); kept with the model for "
                            "evaluate/predict (default: per model family)")
    train.add_argument("--max-length", type=int, default=128, help="window length in subtokens (longer documents are split)")
    train.add_argument("--stride", type=int, default=32, help="subtokens shared by consecutive windows")
    train.add_argument("--seed", type=int, default=0, help="seeds every random choice (head, dropout, order)")
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


def _weights(text):
    """--class-weights: on (0.5), off (0) or a power >= 0."""
    named = {"on": 0.5, "off": 0.0}
    try:
        power = named[text] if text in named else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected on, off or a number >= 0, got {text!r}") from None
    if not 0 <= power <= 2:
        raise argparse.ArgumentTypeError(f"the power must be between 0 and 2, got {text!r}")
    return power


def _check_window(args, model):
    """--max-length must fit the model's positions, and --stride must leave room to advance."""
    limit = getattr(model.config, "max_position_embeddings", 512)
    if not 8 <= args.max_length <= limit:
        raise UsageError(f"--max-length {args.max_length}: must be between 8 and the model's {limit} positions")
    if not 0 <= args.stride <= (args.max_length - 2) // 2:
        raise UsageError(f"--stride {args.stride}: must be between 0 and half the window ({(args.max_length - 2) // 2})")


def _read(args, path=None):
    path = path or args.data
    result = read_data(path, args.format, args.skip_bad)
    for problem in result.skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    if result.skipped:
        print(f"skipped {len(result.skipped)} bad item(s) of {path}", file=sys.stderr)
    if not result.examples:
        raise DataError(path, None, "no usable examples")
    return result.examples


def _train_parts(args):
    """{'train', 'dev', 'test'} examples and a one-line description, from --data (split by
    itself) or from --train/--validation/--test (one file each)."""
    if args.data and args.train_file:
        raise UsageError("give either --data FILE (split by itself) or --train FILE [--validation FILE] "
                         "[--test FILE], not both")
    if args.data:
        if args.validation or args.test:
            raise UsageError("--validation and --test go with --train FILE (--data splits its one file itself)")
        examples = _read(args)
        parts = split_examples(examples)
        if not parts["train"]:
            raise DataError(args.data, None, "no training examples")
        return parts, f"{args.data}: " + ", ".join(f"{len(v)} {k}" for k, v in parts.items())
    if not args.train_file:
        raise UsageError("the training data is missing: give --data FILE, or --train FILE [--validation FILE] "
                         "[--test FILE]")
    files = {"train": args.train_file, "dev": args.validation, "test": args.test}
    parts = {name: _read(args, path) if path else [] for name, path in files.items()}
    flags = {"train": "train", "dev": "validation", "test": "test"}
    described = "; ".join(f"{flags[name]} {path} ({len(parts[name])} documents)" for name, path in files.items() if path)
    return parts, described


def _settings(args):
    """The training settings: the model family's defaults, overridden by the flags given."""
    from assignment.labs.ner.train import family_defaults

    given = dict(lr=args.lr, batch_size=args.batch_size, epochs=args.epochs, warmup=args.warmup,
                 class_weights=args.class_weights, patience=args.patience,
                 label_all=None if args.subtokens is None else args.subtokens == "all", decoding=args.decoding)
    settings = {**family_defaults(args.model), **{k: v for k, v in given.items() if v is not None}}
    if args.epochs is not None:
        settings["min_steps"] = 0  # the epochs asked for, exactly
    settings["patience"] = settings["patience"] or None  # 0: never stop early
    return settings


def _train(args):
    from assignment.labs.ner import modeling
    from assignment.labs.ner.align import tokenize_and_align_labels as align  # the command line uses the reference
    from assignment.labs.ner.metrics import entity_report, format_report, save_report
    from assignment.labs.ner.predict import predict_tags, predict_text
    from assignment.labs.ner.train import save_trained, train

    if (args.epochs is not None and args.epochs < 1) or (args.batch_size is not None and args.batch_size < 1):
        raise UsageError("--epochs and --batch-size must be at least 1")
    if args.warmup is not None and not 0 <= args.warmup < 1:
        raise UsageError("--warmup must be a fraction in [0, 1)")
    if args.patience is not None and args.patience < 0:
        raise UsageError("--patience must be 0 (never stop early) or more")
    parts, described = _train_parts(args)
    tags = tag_names(parts["train"] + parts["dev"])
    print(f"{described}; {len(tags)} tags")
    start = time.perf_counter()
    if args.model == "auto":
        args.model = modeling.HUB_DEFAULT if modeling.hub_reachable() else "tiny"
        print(f"--model not given: using {args.model}")
    model, tokenizer = modeling.load(args.model, tags, work_dir=args.out, texts=[e.text for e in parts["train"]],
                                     seed=args.seed)
    _check_window(args, model)
    settings = _settings(args)
    if not parts["dev"] and settings["patience"]:
        settings["patience"] = None  # nothing to select on: every epoch is trained
    print("settings: " + ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in settings.items()))
    summary = train(model, tokenizer, parts["train"], parts["dev"], epochs=settings["epochs"],
                    batch_size=settings["batch_size"], learning_rate=settings["lr"], max_length=args.max_length,
                    stride=args.stride, seed=args.seed, verbose=0 if args.quiet else 1, warmup=settings["warmup"],
                    class_weights=settings["class_weights"], min_steps=settings["min_steps"],
                    patience=settings["patience"], label_all=settings["label_all"], decoding=settings["decoding"],
                    align=align)
    model.config.ner_decoding = settings["decoding"]  # read back by evaluate and predict
    summary.update(model=args.model, data=args.data, train_file=args.train_file, validation_file=args.validation,
                   test_file=args.test, total_seconds=time.perf_counter() - start, learning_rate=settings["lr"],
                   settings=settings, seed=args.seed)
    if parts["dev"]:
        print(f"best validation entity F1 {summary['best_dev_f1']:.3f} (epoch {summary['best_epoch']} of "
              f"{summary['epochs_run']} run" + (", stopped early" if summary["stopped_early"] else "") + ")")
    reports = {}
    for name, title in (("dev", "validation"), ("test", "test")):
        if not parts[name]:
            continue
        scored = parts[name]
        predicted = predict_tags(model, tokenizer, [e.words for e in scored], args.max_length, args.stride,
                                 decoding=settings["decoding"], align=align)
        reports[name] = entity_report([e.tags for e in scored], predicted)
        save_report(reports[name], os.path.join(args.out, f"{name}_report.json"))
        print(format_report(reports[name], f"\n{title}, entity level ({len(scored)} documents):"))
    for name, report in reports.items():
        summary[f"{name}_f1"] = report["micro avg"]["f1-score"]
    summary["total_seconds"] = time.perf_counter() - start
    final = "test" if "test" in reports else "dev"
    model_dir = save_trained(model, tokenizer, args.out, summary, reports.get(final),
                             "test" if final == "test" else "validation")
    print(f"trained and scored in {summary['total_seconds']:.0f} s; model saved in {model_dir}; "
          f"figure {os.path.join(args.out, 'curves.png')}")
    first = str(args.data or args.train_file)
    if args.format == "jsonl" or (args.format is None and first.endswith((".jsonl", ".json"))):
        print("\nexample prediction:")
        for entity in predict_text(model, tokenizer, DEMO_TEXT, args.max_length, args.stride, align=align):
            print(f"  {entity['label']:<22} [{entity['start']:>3}, {entity['end']:>3})  {entity['text']!r}")
    return 0


def _load_trained(directory):
    from assignment.labs.ner import modeling

    if not os.path.isdir(directory):
        raise modeling.ModelSourceError(f"model directory {directory!r} does not exist: give train's OUT/model folder")
    return modeling.load(directory)


def _evaluate(args):
    from assignment.labs.ner.align import tokenize_and_align_labels as align
    from assignment.labs.ner.metrics import entity_report, format_report, save_report
    from assignment.labs.ner.predict import predict_tags

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
    from assignment.labs.ner.align import tokenize_and_align_labels as align
    from assignment.labs.ner.predict import predict_text

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
    from assignment.labs.ner.modeling import ModelSourceError

    try:
        return {"train": _train, "evaluate": _evaluate, "predict": _predict}[args.verb](args)
    except (DataError, ModelSourceError) as err:
        raise UsageError(str(err)) from None
