"""``python -m assignment grade``: grade one submission, or every submission of a folder.

    python -m assignment grade SUBMISSION.ipynb [--json PATH] [--gradescope PATH] [--strict]
    python -m assignment grade DIR --out grades.csv [--jobs N] [--strict]

Each submission's notebook (Transformer or NER_DistilBERT) is detected from its graded
cells unless ``--notebook`` names one; a folder that mixes them gets one CSV and class
summary per notebook (``grades-<notebook>.csv``).

Exit status 0 whenever grading finished (whatever the score); 2 for a usage error or a
file that cannot be read as a submission.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.I)


def parse_size(text: str) -> int:
    match = SIZE_RE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 4G, 512M)")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[unit])


def positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assignment grade",
        description="Grade submitted notebooks per exercise, running their code in a sandboxed child process.")
    parser.add_argument("path", help="a submission (.ipynb or .py), or a folder of submissions")
    parser.add_argument("--json", metavar="PATH", help="write the result as JSON (one submission)")
    parser.add_argument("--gradescope", metavar="PATH", help="write a Gradescope results.json (one submission)")
    parser.add_argument("--out", metavar="CSV", help="folder mode: the CSV of grades (JSON per submission "
                                                      "and the class summary are written next to it)")
    parser.add_argument("--jobs", type=positive(int), default=None, help="folder mode: parallel submissions "
                                                                        "(default: one per core)")
    parser.add_argument("--timeout", type=positive(float), default=60.0,
                        help="wall-clock seconds per exercise (default 60)")
    parser.add_argument("--memory", type=parse_size, default=4 << 30,
                        help="address-space limit of the child process (default 4G)")
    parser.add_argument("--parallel", type=positive(int), default=None,
                        help="exercises of one submission probed at the same time "
                             "(default: the cores left per job, at most 2)")
    parser.add_argument("--isolation", choices=("auto", "bwrap", "landlock", "none"), default=None,
                        help="how the sandbox is confined: bwrap (namespaces, only the runtime visible), landlock "
                             "(file-access rules), none (a child process only); auto (default): bwrap, else "
                             "landlock, else refuse")
    parser.add_argument("--no-namespaces", action="store_true", help=argparse.SUPPRESS)  # deprecated: --isolation none
    parser.add_argument("--strict", action="store_true",
                        help="beyond-course scenarios count: failing one fails the exercise (default: the course "
                             "policy, where they only give advice)")
    parser.add_argument("--notebook", default=None,
                        help="grade every submission as this notebook of the registry (Transformer, NER_DistilBERT); "
                             "default: detected per submission from its graded cells")
    parser.add_argument("--quiet", action="store_true", help="folder mode: no progress lines")
    return parser


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # judge on the CPU, like the sandbox probes
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)

    from assignment.exercises import NOTEBOOKS
    from assignment.grade import report
    from assignment.grade.sandbox import Limits

    if args.notebook is not None and args.notebook not in NOTEBOOKS:
        print(f"error: no notebook {args.notebook!r}; known: {', '.join(NOTEBOOKS)}", file=sys.stderr)
        return 2
    from assignment.grade.isolation import IsolationError, select
    if args.no_namespaces:
        print("warning: --no-namespaces is deprecated; use --isolation none", file=sys.stderr)
    try:
        isolation = select(args.isolation or ("none" if args.no_namespaces else "auto"))
    except IsolationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    path = Path(args.path)
    cores = os.cpu_count() or 1
    jobs = (args.jobs or cores) if path.is_dir() else 1
    parallel = args.parallel or max(1, min(2, cores // jobs))
    limits = Limits(timeout=args.timeout, memory=args.memory, parallel=parallel,
                    threads=max(1, cores // (jobs * parallel)), isolation=isolation)
    if path.is_dir():
        return grade_folder(path, args, limits, report)
    if args.out or args.jobs:
        print("error: --out and --jobs are for a folder of submissions; for one file use --json/--gradescope",
              file=sys.stderr)
        return 2
    from assignment.grade.core import grade_file
    from assignment.grade.extract import SubmissionError
    try:
        result = grade_file(path, limits, args.notebook, "strict" if args.strict else "course")
    except SubmissionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report.table(result))
    if args.json:
        report.write_json(args.json, report.as_json(result))
    if args.gradescope:
        report.write_json(args.gradescope, report.gradescope(result))
    return 0


def grade_folder(folder: Path, args, limits, report) -> int:
    from assignment.exercises import exercises_of
    from assignment.grade.batch import grade_folder as grade_all, submissions_in

    if not args.out:
        print("error: grading a folder needs --out grades.csv", file=sys.stderr)
        return 2
    if args.json or args.gradescope:
        print("error: --json/--gradescope are for one submission; a folder writes a JSON per submission "
              "next to --out", file=sys.stderr)
        return 2
    paths = submissions_in(folder)
    if not paths:
        print(f"error: no .ipynb or .py submissions in {folder}", file=sys.stderr)
        return 2
    out = Path(args.out)
    json_dir = out.with_suffix("")
    json_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def progress(result):
        report.write_json(json_dir / f"{Path(result['file']).stem}.json", report.as_json(result))
        if not args.quiet:
            print(f"{Path(result['file']).name}: {result['score']:g}/{result['max_score']:g}"
                  + (f" ({result['error']})" if result.get("error") else ""), flush=True)

    results = grade_all(paths, limits, args.jobs, args.notebook, progress, "strict" if args.strict else "course")
    written = []
    groups = by_notebook(results)
    for notebook, rows in groups.items():
        # one notebook: OUT and OUT-summary.*; a mixed batch: OUT-<notebook>.csv and its summary per notebook
        csv_path = out if len(groups) == 1 else out.with_name(f"{out.stem}-{notebook}{out.suffix or '.csv'}")
        names = [e.name for e in exercises_of(notebook)]
        report.write_csv(csv_path, rows, names)
        document = report.summary(rows, names)
        summary_json = csv_path.with_name(csv_path.stem + "-summary.json")
        summary_md = csv_path.with_name(csv_path.stem + "-summary.md")
        report.write_json(summary_json, document)
        summary_md.write_text(report.summary_markdown(document), encoding="utf-8")
        written += [f"{csv_path} ({notebook}, {len(rows)})", str(summary_md), str(summary_json)]
    print(f"Graded {len(results)} submissions in {time.monotonic() - started:.1f} s: {json_dir}/, "
          + ", ".join(written))
    return 0


def by_notebook(results):
    """{notebook: results graded as it}, registry order. A result of no known notebook (an
    unreadable file) joins the batch's most frequent notebook."""
    from collections import Counter

    from assignment.exercises import NOTEBOOKS
    from assignment.grade.core import error_result
    counts = Counter(result.get("notebook") for result in results if result.get("notebook"))
    fallback = max(NOTEBOOKS, key=lambda name: (counts[name], name == "Transformer"))
    groups = {}
    for result in results:
        if not result.get("notebook"):
            result = error_result(result["file"], result.get("error") or "not graded", fallback,
                                  result.get("policy", "course"))
        groups.setdefault(result["notebook"], []).append(result)
    return {name: groups[name] for name in NOTEBOOKS if name in groups}
