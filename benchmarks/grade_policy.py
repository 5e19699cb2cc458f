"""What the course policy changes, and what the checks package costs.

    .venv/bin/python benchmarks/grade_policy.py verdicts [--jobs 2]
    .venv/bin/python benchmarks/grade_policy.py speed --before REV [--runs 3]

``verdicts``: grades every notebook of tests/submissions/ (plus ``DERIVED``: the complete
notebook with one real idiom each: the transpose written ``k.T``, d_k taken from the number
of keys, block 2's maps under the block-1 key) twice in this run, with the default course
policy and with ``--strict``, and prints each exercise whose status differs, every piece of
advice given (one a line), and how many submissions change score.

``speed``: ``python -m assignment grade tests/submissions/all_correct.ipynb`` (fresh
interpreter each run) in this tree and in a copy of revision REV (``git archive``, same
virtual environment), alternating, after one warm-up run each (reference-output caches
warm); prints the medians and the ratio, side by side under the same load.

Results are printed and written to build/bench/grade_policy_<mode>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "tests" / "submissions"
OUT = ROOT / "build" / "bench"


# Notebooks derived from all_correct.ipynb in this run only: (text replaced, replacement).
DERIVED = {
    "derived_k_dot_T.ipynb": ("tf.matmul(q, k, transpose_b=True)", "tf.matmul(q, k.T)"),
    "derived_dk_len.ipynb": ("dk = tf.cast(tf.shape(k)[-1], tf.float32)", "dk = float(len(k))"),
    "derived_dk_tf_shape_0.ipynb": ("dk = tf.cast(tf.shape(k)[-1], tf.float32)",
                                    "dk = tf.cast(tf.shape(k)[0], tf.float32)"),
    "derived_block2_under_block1_key.ipynb": (
        "attention_weights['decoder_layer{}_block1_self_att'.format(i + 1)] = block1",
        "attention_weights['decoder_layer{}_block1_self_att'.format(i + 1)] = block2"),
}


def grade_folder(folder: Path, out: Path, jobs: int, *extra) -> dict:
    subprocess.run([sys.executable, "-m", "assignment", "grade", str(folder), "--out", str(out), "--jobs", str(jobs),
                    "--timeout", "30", "--quiet", *extra], cwd=ROOT, check=True, capture_output=True, text=True)
    results = {}
    for path in sorted(out.with_suffix("").glob("*.json")):
        results[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return results


def verdicts(jobs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="policy-"))
    folder = work / "submissions"
    folder.mkdir()
    for path in sorted(SUBMISSIONS.glob("*.ipynb")):
        shutil.copy(path, folder / path.name)
    for name, (old, new) in DERIVED.items():  # idioms no fixture has: the complete notebook with one line changed
        text = (SUBMISSIONS / "all_correct.ipynb").read_text(encoding="utf-8")
        assert old in text, old
        (folder / name).write_text(text.replace(old, new), encoding="utf-8")
    course = grade_folder(folder, work / "course.csv", jobs)
    strict = grade_folder(folder, work / "strict.csv", jobs, "--strict")
    changes, advice = [], {}
    for name, result in course.items():
        other = {e["name"]: e for e in strict[name]["exercises"]}
        for exercise in result["exercises"]:
            if exercise.get("advice"):
                advice[f"{name}/{exercise['name']}"] = exercise["advice"]
            if exercise["status"] != other[exercise["name"]]["status"]:
                changes.append({"submission": name, "exercise": exercise["name"], "course": exercise["status"],
                                "strict": other[exercise["name"]]["status"],
                                "strict_feedback": (other[exercise["name"]]["feedback"] or "-").splitlines()[0][:200]})
    changed_scores = sorted(name for name in course if course[name]["score"] != strict[name]["score"])
    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(course)} submissions; {len(changed_scores)} change score under --strict: {changed_scores}")
    for change in changes:
        print(f"  {change['submission']} {change['exercise']}: course {change['course']}, strict {change['strict']}"
              f" ({change['strict_feedback'][:160]})")
    print(f"advice given (course policy): {len(advice)} exercise results, {sum(map(len, advice.values()))} pieces")
    for key, items in advice.items():
        for item in items:
            print(f"  {key}: {item[:200]}")
    return {"mode": "verdicts", "submissions": len(course), "changed_scores": changed_scores, "changes": changes,
            "advice": advice, "load_average": os.getloadavg()}


def grade_once(tree: Path) -> float:
    started = time.monotonic()
    process = subprocess.run([sys.executable, "-m", "assignment", "grade", str(SUBMISSIONS / "all_correct.ipynb")],
                             cwd=tree, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    assert process.returncode == 0 and "Score: 100/100" in process.stdout, \
        process.stdout[-2000:] + process.stderr[-2000:]
    return elapsed


def speed(before: str, runs: int) -> dict:
    tree = OUT / f"before-{before}"
    if not tree.exists():
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", before], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    times = {"before": [], "after": []}
    for run in range(runs + 1):  # run 0 warms both caches
        for label, where in (("before", tree), ("after", ROOT)):
            elapsed = grade_once(where)
            print(f"run {run} {label}: {elapsed:.1f} s (load {os.getloadavg()[0]:.1f})", flush=True)
            if run:
                times[label].append(round(elapsed, 2))
    medians = {label: statistics.median(values) for label, values in times.items()}
    print(f"median before ({before}) {medians['before']:.1f} s, after {medians['after']:.1f} s: "
          f"ratio {medians['after'] / medians['before']:.2f}")
    return {"mode": "speed", "before": before, "times": times, "medians": medians, "load_average": os.getloadavg()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("verdicts", "speed"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--before", default="b575342", help="speed: the revision to compare with")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    result = verdicts(args.jobs) if args.mode == "verdicts" else speed(args.before, args.runs)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"grade_policy_{args.mode}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
