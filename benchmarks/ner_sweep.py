"""A small measured sweep of NER fine-tuning settings, for choosing per-family defaults.

    nice -n 10 python benchmarks/ner_sweep.py [--runs NAME ...] [--out build/ner-sweep]

Each run (one at a time, in this process) builds its model, fine-tunes it on the
training split with ``assignment.labs.ner.train.train``, keeps the best dev epoch and scores
the test split with seqeval: entity micro-F1 and the F1 of every type. Results are
appended to OUT/results.jsonl (one JSON object per run) and the table of all recorded
runs is printed as Markdown, for benchmarks/RESULTS.md. Data: data/social.conll
(synthetic social-media posts, six types, rare and short entities, unseen names at test
time; ``python -m assignment ner social``) and data/resumes.jsonl (synthetic resumes).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import assignment  # noqa: E402,F401  (selects tf-keras before TensorFlow loads)

SOCIAL, RESUMES = "data/social.conll", "data/resumes.jsonl"
OLD = dict(lr=5e-5, batch_size=16, epochs=3, warmup=0.1, class_weights=False)  # the old pretrained defaults
RUNS = {
    # name: (data, model, settings)
    "social-minilm-old": (SOCIAL, "minilm", OLD),
    "social-minilm-lr1e-4": (SOCIAL, "minilm", dict(OLD, lr=1e-4)),
    "social-minilm-lr2e-4": (SOCIAL, "minilm", dict(OLD, lr=2e-4)),
    "social-minilm-lr1e-4-cw": (SOCIAL, "minilm", dict(OLD, lr=1e-4, class_weights=True)),
    "social-minilm-lr2e-4-cw": (SOCIAL, "minilm", dict(OLD, lr=2e-4, class_weights=True)),
    "social-minilm-lr1e-4-bs8": (SOCIAL, "minilm", dict(OLD, lr=1e-4, batch_size=8)),
    "social-minilm-lr2e-4-bs8": (SOCIAL, "minilm", dict(OLD, lr=2e-4, batch_size=8)),
    "social-minilm-lr2e-4-6ep": (SOCIAL, "minilm", dict(OLD, lr=2e-4, epochs=6)),
    "social-tiny-default": (SOCIAL, "tiny", dict(lr=1e-3, batch_size=16, epochs=25, warmup=0.1, class_weights=False)),
    "resumes-minilm-old": (RESUMES, "minilm", OLD),
    "resumes-minilm-new": (RESUMES, "minilm", "defaults"),
    "social-minilm-new": (SOCIAL, "minilm", "defaults"),
}


def run(name, out):
    """Train and score one named run; returns its result dict."""
    from assignment.labs.ner import modeling
    from assignment.labs.ner.align import tokenize_and_align_labels as align  # the reference
    from assignment.labs.ner.data import read_data, split_examples, tag_names
    from assignment.labs.ner.metrics import entity_report
    from assignment.labs.ner.predict import predict_tags
    from assignment.labs.ner.train import family_defaults, train

    data, model_name, settings = RUNS[name]
    if settings == "defaults":
        settings = family_defaults(model_name)
    examples = read_data(data).examples
    parts = split_examples(examples)
    tags = tag_names(examples)
    start = time.perf_counter()
    model, tokenizer = modeling.load(model_name, tags, work_dir=os.path.join(out, "work"),
                                     texts=[e.text for e in parts["train"]])
    summary = train(model, tokenizer, parts["train"], parts["dev"], epochs=settings["epochs"],
                    batch_size=settings["batch_size"], learning_rate=settings["lr"], warmup=settings["warmup"],
                    class_weights=settings["class_weights"], min_steps=settings.get("min_steps", 0), verbose=2,
                    align=align)
    predicted = predict_tags(model, tokenizer, [e.words for e in parts["test"]], align=align)
    report = entity_report([e.tags for e in parts["test"]], predicted)
    seconds = time.perf_counter() - start
    return {"run": name, "data": data, "model": model_name, "settings": settings, "epochs_run": summary["epochs"],
            "steps": summary["steps"], "best_epoch": summary["best_epoch"], "best_dev_f1": summary["best_dev_f1"],
            "test_f1": report["micro avg"]["f1-score"], "test_macro_f1": report["macro avg"]["f1-score"],
            "per_type": {k: v["f1-score"] for k, v in report.items() if not k.endswith(" avg")},
            "seconds": seconds}


def table(results):
    """Markdown table of the runs, one row each."""
    lines = ["| run | data | lr | batch | epochs (steps) | warm-up | class weights | test entity F1 | macro F1 "
             "| per-type F1 | seconds |", "|---" * 11 + "|"]
    for r in results:
        s = r["settings"]
        per_type = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["per_type"].items()))
        lines.append(f"| {r['run']} | {os.path.basename(r['data'])} | {s['lr']:g} | {s['batch_size']} | "
                     f"{r['epochs_run']} ({r['steps']}) | {s['warmup']:g} | {'yes' if s['class_weights'] else 'no'} | "
                     f"**{r['test_f1']:.3f}** | {r['test_macro_f1']:.3f} | {per_type} | {r['seconds']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="*", choices=sorted(RUNS), help="default: every run not yet recorded in OUT")
    parser.add_argument("--out", default=os.path.join("build", "ner-sweep"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "results.jsonl")
    done = [json.loads(line) for line in open(path, encoding="utf-8")] if os.path.exists(path) else []
    todo = args.runs if args.runs is not None else [n for n in RUNS if n not in {r["run"] for r in done}]
    for name in todo:
        print(f"=== {name}", flush=True)
        result = run(name, args.out)
        print(json.dumps(result), flush=True)
        done = [r for r in done if r["run"] != name] + [result]
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in done)
    print(table(done))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
