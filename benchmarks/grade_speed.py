"""Speed of the grader.

    .venv/bin/python benchmarks/grade_speed.py single [--runs 5]
    .venv/bin/python benchmarks/grade_speed.py batch [--jobs 2]
    .venv/bin/python benchmarks/grade_speed.py isolation [--jobs 2] [--rounds 2]

``single``: wall time of ``python -m assignment grade`` on the solved release notebook, a
fresh interpreter each run (TensorFlow import included); the median of ``--runs`` runs
with the reference-output cache warm, plus one run with it cold (first grading after a
change of the reference or the checks).

``batch``: the same 20 submissions (from tests/submissions: complete, partly wrong and
hostile-but-terminating notebooks) graded with ``--jobs N``, then executed one after the
other with nbclient on a fresh kernel each (what a notebook-executing grader does;
cells tagged ``optional`` skipped, errors allowed so a failing cell does not stop it).
Both are measured in this one run, side by side, and the ratio is printed.

``isolation``: the same 20 submissions graded with ``--jobs 2`` with the sandbox's
isolation on (``--isolation auto``: bubblewrap here, else Landlock) and with
``--isolation none``, alternating (none, on, on, none, ... for ``--rounds`` pairs) in this
one run; the cost of isolation is (median on - median none) / median none, of the wall
time (target: <= 10%) and, where a cpuacct cgroup can be created (root), of the CPU time
of the whole process tree, sandboxes included (steadier than wall time on a loaded machine).

Results are printed and written to build/bench/grade_speed_<mode>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SUBMISSIONS = ROOT / "tests" / "submissions"
OUT = ROOT / "build" / "bench"
CPUACCT = Path("/sys/fs/cgroup/cpuacct")  # cgroup v1 CPU accounting (root): CPU time of a whole process tree
# 20 submissions a class might hand in: 8 complete (6 release-style, 2 course-style), wrong
# exercises of all kinds, tags edited, scratch cells, stubs left, a few cheaters.
BATCH = (["all_correct.ipynb"] * 6 + ["course_style.ipynb"] * 2 +
         ["mutants_round1.ipynb", "mutants_round2.ipynb", "mutants_round3.ipynb", "mutants_round4.ipynb",
          "given_code_edited.ipynb", "tags_edited.ipynb", "syntax_error.ipynb", "scratch_cells.ipynb",
          "learner_release.ipynb", "fake_pass.ipynb", "monkeypatch.ipynb", "hardcoded.ipynb"])


def grade_command(path, *extra):
    return [sys.executable, "-m", "assignment", "grade", str(path), *extra]


def single(runs: int) -> dict:
    from assignment.notebooks.build import build_notebook
    from assignment.notebooks.cells import SOLVED
    import nbformat

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "Transformer_solved.ipynb"
    nbformat.write(build_notebook("Transformer", SOLVED), str(path))
    shutil.rmtree(ROOT / "build" / "grade-cache", ignore_errors=True)
    times = []
    for run in range(runs + 1):
        started = time.monotonic()
        process = subprocess.run(grade_command(path), cwd=ROOT, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        assert process.returncode == 0 and "Score: 100/100" in process.stdout, process.stdout + process.stderr
        times.append(round(elapsed, 2))
        print(f"run {run} ({'cold cache' if run == 0 else 'warm'}): {elapsed:.1f} s", flush=True)
    return {"mode": "single", "cold_seconds": times[0], "warm_seconds": times[1:],
            "median_warm_seconds": statistics.median(times[1:]), "load_average": os.getloadavg(),
            "cpus": os.cpu_count()}


def batch(jobs: int) -> dict:
    import nbformat
    from assignment.notebooks.execute import OPTIONAL_TAG, execute

    folder = OUT / "batch"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index, name in enumerate(BATCH):
        shutil.copy(SUBMISSIONS / name, folder / f"{index:02d}_{name}")
    load_before = os.getloadavg()
    started = time.monotonic()
    process = subprocess.run(grade_command(folder, "--out", str(OUT / "batch_grades.csv"), "--jobs", str(jobs),
                                           "--quiet"), cwd=ROOT, capture_output=True, text=True)
    grader = time.monotonic() - started
    assert process.returncode == 0, process.stderr[-2000:]
    print(f"grader, --jobs {jobs}: {grader:.1f} s for {len(BATCH)} submissions", flush=True)
    started = time.monotonic()
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        execute(nb, allow_errors=True, timeout=600, skip_tag=OPTIONAL_TAG)
    nbclient = time.monotonic() - started
    print(f"nbclient, one after another: {nbclient:.1f} s", flush=True)
    print(f"ratio: {nbclient / grader:.2f}x", flush=True)
    return {"mode": "batch", "submissions": len(BATCH), "jobs": jobs, "grader_seconds": round(grader, 1),
            "nbclient_seconds": round(nbclient, 1), "ratio": round(nbclient / grader, 2),
            "load_average_before": load_before, "load_average_after": os.getloadavg(), "cpus": os.cpu_count()}


def isolation(jobs: int, rounds: int) -> dict:
    folder = OUT / "batch"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index, name in enumerate(BATCH):
        shutil.copy(SUBMISSIONS / name, folder / f"{index:02d}_{name}")
    from assignment.grade.isolation import select
    chosen = select("auto")
    order = []
    for round_ in range(rounds):
        order += ["none", "auto"] if round_ % 2 == 0 else ["auto", "none"]
    times = {"none": [], "auto": []}
    cpu = {"none": [], "auto": []}  # CPU seconds of the whole process tree (a cpuacct cgroup): less sensitive to load
    scores = {}
    load_before = os.getloadavg()
    for mode in order:
        out = OUT / f"isolation_{mode}" / "grades.csv"
        shutil.rmtree(out.parent, ignore_errors=True)
        accounting = CPUACCT / f"grade-speed-{os.getpid()}-{len(times[mode])}-{mode}"
        try:
            accounting.mkdir()
            prefix = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(accounting / "cgroup.procs")]
        except OSError:
            accounting, prefix = None, []
        started = time.monotonic()
        process = subprocess.run(prefix + grade_command(folder, "--out", str(out), "--jobs", str(jobs), "--quiet",
                                                        "--isolation", mode), cwd=ROOT, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        if accounting is not None:
            for _ in range(200):  # processes killed at the end may still be exiting
                if not (accounting / "cgroup.procs").read_text().strip():
                    break
                time.sleep(0.05)
            else:
                print(f"warning: processes left in {accounting}", flush=True)
            cpu[mode].append(round(int((accounting / "cpuacct.usage").read_text()) / 1e9, 1))
            try:
                accounting.rmdir()
            except OSError:
                pass
        assert process.returncode == 0, process.stderr[-2000:]
        times[mode].append(round(elapsed, 1))
        scores[mode] = out.read_text(encoding="utf-8")
        print(f"--isolation {mode}: {elapsed:.1f} s for {len(BATCH)} submissions, CPU "
              f"{cpu[mode][-1] if cpu[mode] else float('nan'):.1f} s (load {os.getloadavg()[0]:.1f})", flush=True)
    strip = lambda text: [row.rsplit(",", 1)[0] for row in text.splitlines()]  # noqa: E731 - all but isolation
    assert strip(scores["none"]) == strip(scores["auto"]), "isolation changed the grades"
    on, off = statistics.median(times["auto"]), statistics.median(times["none"])
    cost = (on - off) / off
    cpu_cost = (statistics.median(cpu["auto"]) - statistics.median(cpu["none"])) / statistics.median(cpu["none"]) \
        if cpu["auto"] and cpu["none"] else float("nan")
    print(f"isolation {chosen}: median {on:.1f} s, none: median {off:.1f} s, cost {cost * 100:+.1f}% of wall time "
          f"(target <= 10%: {'pass' if cost <= 0.10 else 'FAIL'}); CPU time cost {cpu_cost * 100:+.1f}%", flush=True)
    return {"mode": "isolation", "isolation": chosen, "submissions": len(BATCH), "jobs": jobs, "order": order,
            "seconds_isolated": times["auto"], "seconds_none": times["none"], "cost": round(cost, 4),
            "cpu_seconds_isolated": cpu["auto"], "cpu_seconds_none": cpu["none"], "cpu_cost": round(cpu_cost, 4),
            "load_average_before": load_before, "load_average_after": os.getloadavg(), "cpus": os.cpu_count()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("single", "batch", "isolation"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="isolation: pairs of runs (on and none)")
    args = parser.parse_args(argv)
    if args.mode == "isolation":
        result = isolation(args.jobs, args.rounds)
    else:
        result = single(args.runs) if args.mode == "single" else batch(args.jobs)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"grade_speed_{args.mode}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
