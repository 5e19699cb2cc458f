"""Quality target of the NER lab: the tiny model trained from scratch with `make demo`'s
settings reaches entity micro-F1 >= 0.80 on the shipped test split in under 5 minutes.

    python benchmarks/ner_quality.py [--out build/ner-bench] [extra `ner train` options]

Runs `python -m assignment ner train --data data/resumes.jsonl` in this process and
prints the wall time and the test micro-F1 (from OUT/test_report.json). Extra options go
to `ner train`, e.g. `--model minilm --epochs 4` for the pretrained MiniLM checkpoint.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import assignment  # noqa: E402,F401  (selects tf-keras before TensorFlow loads)
from assignment import cli  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("build", "ner-bench"))
    args, extra = parser.parse_known_args(argv)
    start = time.perf_counter()
    if "--model" not in extra:
        extra = ["--model", "tiny", *extra]
    code = cli.main(["ner", "train", "--data", "data/resumes.jsonl", "--out", args.out, "--quiet", *extra])
    seconds = time.perf_counter() - start
    if code:
        return code
    report = json.load(open(os.path.join(args.out, "test_report.json"), encoding="utf-8"))
    micro = report["micro avg"]
    model = extra[extra.index("--model") + 1] if "--model" in extra else "tiny"
    print(f"\nRESULT {model} model: test entity micro-F1 {micro['f1-score']:.3f} (P {micro['precision']:.3f}, "
          f"R {micro['recall']:.3f}), macro-F1 {report['macro avg']['f1-score']:.3f}; wall time {seconds:.0f} s"
          + (f" (target: F1 >= 0.80 in < 300 s) -> {'PASS' if micro['f1-score'] >= 0.8 and seconds < 300 else 'FAIL'}"
             if model == "tiny" else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
