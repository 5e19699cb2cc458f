"""``python -m assignment grade``: grade one submission, or every submission of a folder.

    python -m assignment grade SUBMISSION.ipynb [--json PATH] [--gradescope PATH] [--strict]
    python -m assignment grade DIR|EXPORT.zip --out grades.csv [--jobs N | --scheduler tcp://HOST:PORT] [--force] [--strict]

A folder or an archive (.zip, .tar.gz) is read in the layout its platform exports
(Gradescope, Canvas, Moodle, nbgrader, plain files: ``assignment.grade.intake``).

Each submission's notebook (Transformer or NER_DistilBERT) is detected from its graded
cells unless ``--notebook`` names one; a folder that mixes them gets one CSV and class
summary per notebook (``grades-<notebook>.csv``).

Exit status 0 whenever grading finished (whatever the score); 2 for a usage error or a
file that cannot be read as a submission; 1 when the grading itself could not run.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from assignment.errors import ArgumentParser, UsageError, command

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
    parser = ArgumentParser(
        prog="python -m assignment grade",
        description="Grade submitted notebooks per exercise, running their code in a sandboxed child process.")
    parser.add_argument("path", help="a submission (.ipynb or .py), or a folder or archive (.zip, .tar.gz) of "
                                     "submissions as Gradescope, Canvas, Moodle or nbgrader export them")
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
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="folder mode: grade on this Dask distributed cluster instead of --jobs local processes")
    parser.add_argument("--force", action="store_true",
                        help="folder mode: regrade every submission, also those unchanged since the last run")
    parser.add_argument("--quiet", action="store_true", help="folder mode: no progress bar or progress lines")
    return parser


@command
def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # judge on the CPU, like the sandbox probes
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))

    from assignment.exercises import NOTEBOOKS
    from assignment.grade.sandbox import Limits

    if args.notebook is not None and args.notebook not in NOTEBOOKS:
        raise UsageError(f"no notebook {args.notebook!r}; known: {', '.join(NOTEBOOKS)}")
    from assignment.grade.isolation import IsolationError, select
    if args.no_namespaces:
        print("warning: --no-namespaces is deprecated; use --isolation none", file=sys.stderr)
    try:
        isolation = select(args.isolation or ("none" if args.no_namespaces else "auto"))
    except IsolationError as error:
        raise UsageError(str(error)) from None
    from assignment.grade.archive import is_archive
    path = Path(args.path)
    many = path.is_dir() or is_archive(path)
    cores = os.cpu_count() or 1
    jobs = (args.jobs or cores) if many and not args.scheduler else 1
    parallel = args.parallel or max(1, min(2, cores // jobs))
    limits = Limits(timeout=args.timeout, memory=args.memory, parallel=parallel,
                    threads=max(1, cores // (jobs * parallel)), isolation=isolation)
    if args.scheduler:
        limits.parallel, limits.threads = args.parallel or 1, 0  # each worker splits its own host's cores
    if many:
        return grade_directory(path, args, limits)
    return grade_one_file(path, args, limits)


def grade_one_file(path: Path, args, limits) -> int:
    """One submission: the table on stdout, ``--json``/``--gradescope`` files."""
    from assignment.grade import report
    from assignment.grade.core import grade_file
    from assignment.grade.extract import SubmissionError

    if args.out or args.jobs or args.scheduler or args.force:
        raise UsageError("--out, --jobs, --scheduler and --force are for a folder of submissions; "
                         "for one file use --json/--gradescope")
    try:
        result = grade_file(path, limits, args.notebook, "strict" if args.strict else "course")
    except SubmissionError as error:
        raise UsageError(str(error)) from None
    print(report.table(result))
    if args.json:
        report.write_json(args.json, report.as_json(result))
    if args.gradescope:
        report.write_json(args.gradescope, report.gradescope(result))
    return 0


def grade_directory(folder: Path, args, limits) -> int:
    """A folder: grade what is new or changed (locally or on Dask), then write the CSV, the
    class summary and the similarity report for every submission."""
    from assignment.exercises import exercises_of
    from assignment.grade import html_report, intake, report, similarity
    from assignment.grade.batch import run_batch, write_atomically

    if not args.out:
        raise UsageError("grading a folder or an archive needs --out grades.csv")
    if args.json or args.gradescope:
        raise UsageError("--json/--gradescope are for one submission; a folder writes a JSON per submission "
                         "next to --out")
    if args.scheduler and args.jobs:
        raise UsageError("--jobs is for local grading; with --scheduler the cluster's workers grade")
    out = Path(args.out)
    json_dir = out.with_suffix("")
    submissions = intake.collect(folder, json_dir)  # prints which layout it read
    json_dir.mkdir(parents=True, exist_ok=True)
    paths = [s.path for s in submissions if s.error is None]
    started = time.monotonic()
    try:
        graded = run_batch(paths, limits, args.notebook, json_dir, jobs=args.jobs, scheduler=args.scheduler,
                           force=args.force, quiet=args.quiet, options=vars(args),
                           policy="strict" if args.strict else "course",
                           students=[s.student for s in submissions if s.error is None])
    except KeyboardInterrupt:
        print(f"interrupted: the results of the submissions graded so far are in {json_dir}/; "
              "run the same command again to grade the rest", file=sys.stderr)
        return 130
    results = intake.with_students(submissions, graded, "strict" if args.strict else "course")
    written, flagged = [], 0
    groups = by_notebook(results)
    for notebook, rows in groups.items():
        # one notebook: OUT and OUT-*.{md,json}; a mixed batch: OUT-<notebook>.csv and its own reports
        csv_path = out if len(groups) == 1 else out.with_name(f"{out.stem}-{notebook}{out.suffix or '.csv'}")
        names = [e.name for e in exercises_of(notebook)]
        temporary = csv_path.with_name(f".{csv_path.name}.{os.getpid()}.tmp")
        report.write_csv(temporary, rows, names)
        os.replace(temporary, csv_path)
        document = report.summary(rows, names)
        summary_json = csv_path.with_name(csv_path.stem + "-summary.json")
        summary_md = csv_path.with_name(csv_path.stem + "-summary.md")
        write_atomically(summary_json, json.dumps(document, indent=2) + "\n")
        write_atomically(summary_md, report.summary_markdown(document))
        similar = similarity.scan([Path(row["file"]) for row in rows if not row.get("not_read")], notebook)
        similarity_json = csv_path.with_name(csv_path.stem + "-similarity.json")
        similarity_md = csv_path.with_name(csv_path.stem + "-similarity.md")
        write_atomically(similarity_json, json.dumps(similar, indent=2) + "\n")
        write_atomically(similarity_md, similarity.markdown(similar))
        report_html = csv_path.with_name(csv_path.stem + "-report.html")
        write_atomically(report_html, html_report.render(document, rows, similar, notebook))
        flagged += sum(len(e["pairs"]) for e in similar["exercises"].values())
        written += [f"{csv_path} ({notebook}, {len(rows)})", str(summary_md), str(summary_json), str(similarity_md),
                    str(report_html)]
    print(f"Graded {len(results)} submissions in {time.monotonic() - started:.1f} s: {json_dir}/, "
          + ", ".join(written) + f" ({flagged} similar pairs flagged)")
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
            result = dict(error_result(result["file"], result.get("error") or "not graded", fallback,
                                       result.get("policy", "course")),
                          student=result.get("student"), not_read=result.get("not_read", False))
        groups.setdefault(result["notebook"], []).append(result)
    return {name: groups[name] for name in NOTEBOOKS if name in groups}
