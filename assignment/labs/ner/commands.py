"""``python -m assignment ner train|evaluate|predict|convert|synth|social``: what each does.

The options are declared in ``assignment/cli.py``; each function here takes them as plain
values. Bad input (data errors, a model that cannot be loaded) and usage errors raise
``UsageError``: status 2 and a one-line message, never a traceback.
"""
import functools
import json
import os
import sys
import time

from assignment.errors import UsageError
from assignment.labs.ner import social, synth
from assignment.labs.ner.casing import reads_case
from assignment.labs.ner.convert import ConversionError, convert, minilm_directory
from assignment.labs.ner.data import DataError, read_data, split_examples, tag_names

DEMO_TEXT = ("Mira Okafor\nData Scientist - Bluepeak Systems\nPune | mira.okafor7@mail.example.com\n\n"
             "SUMMARY\nData Scientist with 6 years of experience in Python and machine learning.\n\n"
             "EDUCATION\nM.Sc. Statistics from University of Leeds in 2014\n")


def _bad_input_is_a_usage_error(command):
    """DataError (a file, a line, what was expected) and ModelSourceError: ``UsageError``."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        from assignment.labs.ner.modeling import ModelSourceError  # loads TensorFlow: only for these commands

        try:
            return command(*args, **kwargs)
        except (DataError, ModelSourceError) as err:
            raise UsageError(str(err)) from None
    return run


def _check_window(max_length, stride, model):
    """--max-length must fit the model's positions, and --stride must leave room to advance."""
    limit = getattr(model.config, "max_position_embeddings", 512)
    if not 8 <= max_length <= limit:
        raise UsageError(f"--max-length {max_length}: must be between 8 and the model's {limit} positions")
    if not 0 <= stride <= (max_length - 2) // 2:
        raise UsageError(f"--stride {stride}: must be between 0 and half the window ({(max_length - 2) // 2})")


def _read(path, data_format=None, skip_bad=False):
    result = read_data(path, data_format, skip_bad)
    for problem in result.skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    if result.skipped:
        print(f"skipped {len(result.skipped)} bad item(s) of {path}", file=sys.stderr)
    if not result.examples:
        raise DataError(path, None, "no usable examples")
    return result.examples


def _train_parts(data, train_file, validation, test, data_format, skip_bad):
    """{'train', 'dev', 'test'} examples and a one-line description, from --data (split by
    itself) or from --train/--validation/--test (one file each)."""
    if data and train_file:
        raise UsageError("give either --data FILE (split by itself) or --train FILE [--validation FILE] "
                         "[--test FILE], not both")
    if data:
        if validation or test:
            raise UsageError("--validation and --test go with --train FILE (--data splits its one file itself)")
        parts = split_examples(_read(data, data_format, skip_bad))
        if not parts["train"]:
            raise DataError(data, None, "no training examples")
        return parts, f"{data}: " + ", ".join(f"{len(v)} {k}" for k, v in parts.items())
    if not train_file:
        raise UsageError("the training data is missing: give --data FILE, or --train FILE [--validation FILE] "
                         "[--test FILE]")
    files = {"train": train_file, "dev": validation, "test": test}
    parts = {name: _read(path, data_format, skip_bad) if path else [] for name, path in files.items()}
    flags = {"train": "train", "dev": "validation", "test": "test"}
    described = "; ".join(f"{flags[name]} {path} ({len(parts[name])} documents)" for name, path in files.items() if path)
    return parts, described


def _settings(model, given, epochs):
    """The training settings: the model family's defaults, overridden by the flags given."""
    from assignment.labs.ner.train import family_defaults

    settings = {**family_defaults(model), **{k: v for k, v in given.items() if v is not None}}
    if epochs is not None:
        settings["min_steps"] = 0  # the epochs asked for, exactly
    settings["patience"] = settings["patience"] or None  # 0: never stop early
    return settings


@_bad_input_is_a_usage_error
def train_model(*, out, data=None, train_file=None, validation=None, test=None, data_format=None, skip_bad=False,
                model="auto", epochs=None, patience=None, batch_size=None, lr=None, warmup=None, class_weights=None,
                subtokens=None, decoding=None, outside_bias=None, case=None, max_length=128, stride=32, seed=0,
                quiet=False) -> int:
    """``ner train``: fine-tune ``model`` on ``data`` (split by itself) or on ``train_file``
    (with ``validation``/``test``), score it, save it in ``out``. The settings left None take
    the model family's defaults (``labs/ner/train.py``)."""
    from assignment.labs.ner import modeling
    from assignment.labs.ner.align import tokenize_and_align_labels as align  # the command line uses the reference
    from assignment.labs.ner.metrics import entity_report, format_report, save_report
    from assignment.labs.ner.predict import predict_tags, predict_text
    from assignment.labs.ner.train import save_trained, train

    if (epochs is not None and epochs < 1) or (batch_size is not None and batch_size < 1):
        raise UsageError("--epochs and --batch-size must be at least 1")
    if warmup is not None and not 0 <= warmup < 1:
        raise UsageError("--warmup must be a fraction in [0, 1)")
    if patience is not None and patience < 0:
        raise UsageError("--patience must be 0 (never stop early) or more")
    parts, described = _train_parts(data, train_file, validation, test, data_format, skip_bad)
    tags = tag_names(parts["train"] + parts["dev"])
    print(f"{described}; {len(tags)} tags")
    start = time.perf_counter()
    if model == "auto":
        model = modeling.HUB_DEFAULT if modeling.hub_reachable() else "tiny"
        print(f"--model not given: using {model}")
    source = model
    given = dict(lr=lr, batch_size=batch_size, epochs=epochs, warmup=warmup, class_weights=class_weights,
                 patience=patience, label_all=None if subtokens is None else subtokens == "all", decoding=decoding,
                 outside_bias=outside_bias, case_features=None if case is None else case == "on")
    settings = _settings(source, given, epochs)
    model, tokenizer = modeling.load(source, tags, work_dir=out, texts=[e.text for e in parts["train"]], seed=seed,
                                     case_features=settings["case_features"])
    settings["case_features"] = reads_case(model)  # "auto" resolved: on for an uncased DistilBERT
    _check_window(max_length, stride, model)
    if not parts["dev"] and settings["patience"]:
        settings["patience"] = None  # nothing to select on: every epoch is trained
    print("settings: " + ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in settings.items()))
    summary = train(model, tokenizer, parts["train"], parts["dev"], epochs=settings["epochs"],
                    batch_size=settings["batch_size"], learning_rate=settings["lr"], max_length=max_length,
                    stride=stride, seed=seed, verbose=0 if quiet else 1, warmup=settings["warmup"],
                    class_weights=settings["class_weights"], min_steps=settings["min_steps"],
                    patience=settings["patience"], label_all=settings["label_all"], decoding=settings["decoding"],
                    outside_bias=settings["outside_bias"], align=align)  # the config keeps decoding and bias
    summary.update(model=source, data=data, train_file=train_file, validation_file=validation,
                   test_file=test, total_seconds=time.perf_counter() - start, learning_rate=settings["lr"],
                   settings=settings, seed=seed)
    if parts["dev"]:
        bias = f", 'O' bias {summary['outside_bias']:g}" if settings["outside_bias"] == "auto" else ""
        print(f"best validation entity F1 {summary['best_dev_f1']:.3f} (epoch {summary['best_epoch']} of "
              f"{summary['epochs_run']} run" + (", stopped early" if summary["stopped_early"] else "") + bias + ")")
    reports = {}
    for name, title in (("dev", "validation"), ("test", "test")):
        if not parts[name]:
            continue
        scored = parts[name]
        predicted = predict_tags(model, tokenizer, [e.words for e in scored], max_length, stride,
                                 decoding=settings["decoding"], align=align)
        reports[name] = entity_report([e.tags for e in scored], predicted)
        save_report(reports[name], os.path.join(out, f"{name}_report.json"))
        print(format_report(reports[name], f"\n{title}, entity level ({len(scored)} documents):"))
    for name, report in reports.items():
        summary[f"{name}_f1"] = report["micro avg"]["f1-score"]
    summary["total_seconds"] = time.perf_counter() - start
    final = "test" if "test" in reports else "dev"
    model_dir = save_trained(model, tokenizer, out, summary, reports.get(final),
                             "test" if final == "test" else "validation")
    print(f"trained and scored in {summary['total_seconds']:.0f} s; model saved in {model_dir}; "
          f"figure {os.path.join(out, 'curves.png')}")
    first = str(data or train_file)
    if data_format == "jsonl" or (data_format is None and first.endswith((".jsonl", ".json"))):
        print("\nexample prediction:")
        for entity in predict_text(model, tokenizer, DEMO_TEXT, max_length, stride, align=align):
            print(f"  {entity['label']:<22} [{entity['start']:>3}, {entity['end']:>3})  {entity['text']!r}")
    return 0


def _load_trained(directory):
    from assignment.labs.ner import modeling

    if not os.path.isdir(directory):
        raise modeling.ModelSourceError(f"model directory {directory!r} does not exist: give train's OUT/model folder")
    return modeling.load(directory)


@_bad_input_is_a_usage_error
def evaluate_model(model_dir, data, *, data_format=None, skip_bad=False, split=None, report_path=None,
                   max_length=128, stride=32) -> int:
    """``ner evaluate``: entity scores of the trained model in ``model_dir`` on ``data``
    (``split``: default test when the file records splits, else all)."""
    from assignment.labs.ner.align import tokenize_and_align_labels as align
    from assignment.labs.ner.metrics import entity_report, format_report, save_report
    from assignment.labs.ner.predict import predict_tags

    examples = _read(data, data_format, skip_bad)
    split = split or ("test" if any(e.split for e in examples) else "all")
    chosen = examples if split == "all" else split_examples(examples)[split]
    if not chosen:
        raise DataError(data, None, f"no examples in split {split!r}")
    model, tokenizer = _load_trained(model_dir)
    _check_window(max_length, stride, model)
    predicted = predict_tags(model, tokenizer, [e.words for e in chosen], max_length, stride, align=align)
    report = entity_report([e.tags for e in chosen], predicted)
    print(format_report(report, f"{data} ({split}, {len(chosen)} documents), entity level:"))
    if report_path:
        save_report(report, report_path)
    return 0


@_bad_input_is_a_usage_error
def predict_entities(model_dir, text=(), *, as_json=False, max_length=128, stride=32) -> int:
    """``ner predict``: the entities (with character offsets) the model in ``model_dir`` finds
    in ``text`` (words, joined by spaces; none: standard input)."""
    from assignment.labs.ner.align import tokenize_and_align_labels as align
    from assignment.labs.ner.predict import predict_text

    text = " ".join(text) if text else sys.stdin.read()
    model, tokenizer = _load_trained(model_dir)
    _check_window(max_length, stride, model)
    entities = predict_text(model, tokenizer, text, max_length, stride, align=align)
    if as_json:
        print(json.dumps(entities, ensure_ascii=False, indent=1))
    else:
        for entity in entities:
            print(f"{entity['label']:<22} [{entity['start']}, {entity['end']})  {entity['text']!r}")
        if not entities:
            print("(no entities)")
    return 0


def convert_checkpoint(bert_dir, out) -> int:
    """``ner convert``: the BERT checkpoint in ``bert_dir`` (default: the installed MiniLM
    package) as a DistilBERT checkpoint in ``out`` (``labs/ner/convert.py``)."""
    try:
        print("saved", convert(bert_dir or minilm_directory(), out))
    except (ConversionError, OSError) as err:
        raise UsageError(str(err)) from None
    return 0


def write_resumes(out, n=300, seed=13) -> int:
    """``ner synth``: the synthetic resumes (``labs/ner/synth.py``); the defaults rewrite
    data/resumes.jsonl byte for byte."""
    synth.write(out, n, seed)
    print(f"wrote {n} resumes to {out}")
    return 0


def write_posts(out, n=3000, seed=17) -> int:
    """``ner social``: the synthetic social-media posts (``labs/ner/social.py``); the defaults
    rewrite data/social.conll byte for byte."""
    social.write(out, n, seed)
    print(f"wrote {n} posts to {out}")
    return 0
