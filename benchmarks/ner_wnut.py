"""Fine-tuning settings for the pretrained encoder on WNUT-17, measured on its development file.

    nice -n 10 python benchmarks/ner_wnut.py --runs NAME ... [--seeds 0 1 2] [--jobs 2]
    python benchmarks/ner_wnut.py            # prints the table of the recorded runs

Data: WNUT-17's training and development files (../shared/data/wnut17/, CC-BY 4.0; Leon
Derczynski, Eric Nichols, Marieke van Erp, Nut Limsopatham, 2017, "Results of the WNUT2017
Shared Task on Novel and Emerging Entity Recognition", W-NUT at EMNLP). Every run trains
``--model minilm`` on the training file, picks its best epoch on the development file and
scores the development file with both decodings (argmax and valid-BIO Viterbi, see
``assignment/labs/ner/decoding.py``). The test file is never read here: settings are chosen on
the development file only. Runs go side by side in ``--jobs`` child processes (one per
run and seed); each result is appended to OUT/results.jsonl.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

DATA = os.environ.get("WNUT17_DIR", os.path.join(os.path.dirname(ROOT), "shared", "data", "wnut17"))
if not os.path.isdir(DATA):
    DATA = "/work/shared/data/wnut17"
TRAIN, DEV = os.path.join(DATA, "wnut17train.conll"), os.path.join(DATA, "emerging.dev.conll")

# The pretrained family's defaults before this sweep (commit 246d73b).
BASE = dict(lr=2e-4, batch_size=16, epochs=3, warmup=0.1, class_weights=0.5, patience=None, label_all=False)
RUNS = {
    "base": BASE,
    "label-all": dict(BASE, label_all=True),
    "lr1e-4": dict(BASE, lr=1e-4),
    "lr1e-4-6ep-p2": dict(BASE, lr=1e-4, epochs=6, patience=2),
    "lr2e-4-6ep-p2": dict(BASE, epochs=6, patience=2),
    "lr5e-5-6ep-p2": dict(BASE, lr=5e-5, epochs=6, patience=2),
    "cw0": dict(BASE, class_weights=0),
    "cw1": dict(BASE, class_weights=1.0),
    "cw0.75": dict(BASE, class_weights=0.75),
    "bs8": dict(BASE, batch_size=8),
    "bs32-lr3e-4": dict(BASE, batch_size=32, lr=3e-4),
}
# The second stage: each variant on top of either subtoken setting.
for _prefix, _all in (("first", False), ("all", True)):
    RUNS[f"{_prefix}-lr1e-4-5ep-p2"] = dict(BASE, label_all=_all, lr=1e-4, epochs=5, patience=2)
    RUNS[f"{_prefix}-lr2e-4-5ep-p2"] = dict(BASE, label_all=_all, epochs=5, patience=2)
    RUNS[f"{_prefix}-lr5e-5-5ep-p2"] = dict(BASE, label_all=_all, lr=5e-5, epochs=5, patience=2)
    RUNS[f"{_prefix}-cw0"] = dict(BASE, label_all=_all, class_weights=0)
    RUNS[f"{_prefix}-cw1"] = dict(BASE, label_all=_all, class_weights=1.0)
    RUNS[f"{_prefix}-cw0.25"] = dict(BASE, label_all=_all, class_weights=0.25)
# The third stage (issue 19, second round): on top of the defaults at its start (all
# subtokens, 1/sqrt class weights), epochs are picked on the valid-BIO dev F1, as `ner
# train` picks them, and every model is kept (OUT/NAME-seedS/model) for decoding studies.
CURRENT = dict(BASE, label_all=True, decoding="bio", keep=True)
RUNS["cur-lr1e-4-6ep-p2"] = dict(CURRENT, lr=1e-4, epochs=6, patience=2)
RUNS["cur-lr2e-4-6ep-p2"] = dict(CURRENT, epochs=6, patience=2)
RUNS["cur-lr5e-5-8ep-p2"] = dict(CURRENT, lr=5e-5, epochs=8, patience=2)
RUNS["case-lr1e-4-6ep-p2"] = dict(CURRENT, lr=1e-4, epochs=6, patience=2, case=True)
RUNS["case-lr2e-4-6ep-p2"] = dict(CURRENT, epochs=6, patience=2, case=True)
RUNS["case-lr1e-4-1ep"] = dict(CURRENT, lr=1e-4, epochs=1, case=True, keep=False)  # timing against `ner train --epochs 1`


def run_one(name, seed, out):
    """Train one configuration with one seed; returns its result dict."""
    from assignment.labs.ner import modeling
    from assignment.labs.ner.align import tokenize_and_align_labels as align
    from assignment.labs.ner.data import read_data, tag_names
    from assignment.labs.ner.train import train

    s = RUNS[name]
    train_examples, dev_examples = read_data(TRAIN).examples, read_data(DEV).examples
    tags = tag_names(train_examples + dev_examples)
    start = time.perf_counter()
    model, tokenizer = modeling.load("minilm", tags, work_dir=os.path.join(out, "work"), seed=seed,
                                     case_features=s.get("case", False))
    summary = train(model, tokenizer, train_examples, dev_examples, epochs=s["epochs"], batch_size=s["batch_size"],
                    learning_rate=s["lr"], warmup=s["warmup"], class_weights=s["class_weights"], seed=seed,
                    patience=s["patience"], label_all=s["label_all"], verbose=2, align=align,
                    decoding=s.get("decoding", "argmax"))
    result = {"run": name, "seed": seed, "settings": s, "best_epoch": summary["best_epoch"],
              "epochs_run": summary["epochs_run"], "steps_per_epoch": summary["steps"] // summary["epochs"],
              "history": summary["history"], "train_seconds": summary["seconds"]}
    result.update(dev_scores(model, tokenizer, dev_examples))
    result["seconds"] = time.perf_counter() - start
    if s.get("keep"):
        model.config.ner_decoding = s.get("decoding", "argmax")
        model.save_pretrained(os.path.join(out, f"{name}-seed{seed}", "model"))
        tokenizer.save_pretrained(os.path.join(out, f"{name}-seed{seed}", "model"))
    return result


BIASES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def dev_scores(model, tokenizer, dev_examples):
    """Dev F1 with both decodings, per type, and the valid-BIO F1 for each 'O' bias (one
    forward pass over the development file)."""
    from assignment.labs.ner.align import tokenize_and_align_labels as align
    from assignment.labs.ner.metrics import entity_f1, entity_report
    from assignment.labs.ner.predict import score_documents, tags_from_scores

    documents, gold = [e.words for e in dev_examples], [e.tags for e in dev_examples]
    windows, scores = score_documents(model, tokenizer, documents, align=align)
    result = {}
    for decoding in ("argmax", "bio"):
        predicted = tags_from_scores(model, documents, windows, scores, decoding, 0.0)
        report = entity_report(gold, predicted)
        result[f"dev_f1_{decoding}"] = report["micro avg"]["f1-score"]
        result[f"per_type_{decoding}"] = {k: v["f1-score"] for k, v in report.items() if not k.endswith(" avg")}
    result["dev_f1_bio_by_outside_bias"] = {
        str(b): entity_f1(gold, tags_from_scores(model, documents, windows, scores, "bio", b)) for b in BIASES}
    return result


def rescore(directories):
    """The dev scores of models kept by earlier runs (OUT/NAME-seedS/model), printed."""
    from assignment.labs.ner import modeling
    from assignment.labs.ner.data import read_data

    dev_examples = read_data(DEV).examples
    for directory in directories:
        model, tokenizer = modeling.load(directory)
        result = dev_scores(model, tokenizer, dev_examples)
        print(directory, json.dumps({k: v for k, v in result.items() if not k.startswith("per_type_argmax")}),
              flush=True)


def table(results):
    """Markdown: one row per configuration, mean and spread (min-max) over its seeds."""
    by_run = {}
    for r in results:
        by_run.setdefault(r["run"], []).append(r)
    lines = ["| run | settings | seeds | dev F1 argmax: mean (min-max) | dev F1 valid-BIO | best epochs | "
             "per-type F1 (mean, argmax) | seconds per run |", "|---" * 8 + "|"]
    for name, rows in by_run.items():
        s = rows[0]["settings"]
        settings = (f"lr {s['lr']:g}, batch {s['batch_size']}, epochs {s['epochs']}"
                    + (f" (patience {s['patience']})" if s["patience"] else "")
                    + f", class-weight power {s['class_weights']:g}" + (", all subtokens" if s["label_all"] else "")
                    + (", case features" if s.get("case") else "")
                    + (f", epochs picked on {s['decoding']}" if s.get("decoding") else ""))

        def spread(key):
            values = [r[key] for r in rows]
            return f"**{statistics.mean(values):.3f}** ({min(values):.3f}-{max(values):.3f})"

        types = sorted(rows[0]["per_type_argmax"])
        per_type = ", ".join(f"{t} {statistics.mean(r['per_type_argmax'][t] for r in rows):.2f}" for t in types)
        epochs = ", ".join(f"{r['best_epoch']}/{r['epochs_run']}" for r in rows)
        seconds = statistics.mean(r["seconds"] for r in rows)
        lines.append(f"| {name} | {settings} | {', '.join(str(r['seed']) for r in rows)} | {spread('dev_f1_argmax')} | "
                     f"{spread('dev_f1_bio')} | {epochs} | {per_type} | {seconds:.0f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="*", default=[], choices=sorted(RUNS))
    parser.add_argument("--seeds", nargs="*", type=int, default=[0])
    parser.add_argument("--jobs", type=int, default=2, help="runs side by side (child processes)")
    parser.add_argument("--out", default=os.path.join("build", "ner-wnut"))
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # child: one run, one seed
    parser.add_argument("--rescore", nargs="*", metavar="MODEL_DIR", help="score kept models on the dev file")
    args = parser.parse_args()
    if args.rescore:
        import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

        rescore(args.rescore)
        return 0
    os.makedirs(args.out, exist_ok=True)
    results_path = os.path.join(args.out, "results.jsonl")
    if args.one:
        import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

        result = run_one(args.runs[0], args.seeds[0], args.out)
        with open(results_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")
        print(json.dumps({k: v for k, v in result.items() if k != "history"}), flush=True)
        return 0
    queue = [(name, seed) for seed in args.seeds for name in args.runs]
    running = []
    while queue or running:
        while queue and len(running) < args.jobs:
            name, seed = queue.pop(0)
            log = open(os.path.join(args.out, f"{name}-seed{seed}.log"), "w", encoding="utf-8")
            child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--one", "--runs", name, "--seeds",
                                      str(seed), "--out", args.out], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
            running.append((name, seed, child, log))
            print(f"started {name} seed {seed} (pid {child.pid})", flush=True)
        time.sleep(5)
        for item in list(running):
            if item[2].poll() is not None:
                item[3].close()
                running.remove(item)
                print(f"finished {item[0]} seed {item[1]}: exit {item[2].returncode}", flush=True)
    results = []
    if os.path.exists(results_path):
        with open(results_path, encoding="utf-8") as handle:
            results = [json.loads(line) for line in handle if line.strip()]
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
