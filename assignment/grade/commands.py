"""``python -m assignment grade``: grade one submission, or every submission of a folder.

    python -m assignment grade SUBMISSION.ipynb [--json PATH] [--gradescope PATH] [--strict]
    python -m assignment grade DIR|EXPORT.zip --out grades.csv [--jobs N | --scheduler tcp://HOST:PORT] [--force] [--strict]

The options are declared in ``assignment/cli.py``; ``grade_path`` takes them as plain values.
A folder or an archive (.zip, .tar.gz) is read in the layout its platform exports
(Gradescope, Canvas, Moodle, nbgrader, plain files: ``assignment.grade.intake``).

Each submission's notebook (Transformer or NER_DistilBERT) is detected from its graded
cells unless ``notebook`` names one; a folder that mixes them gets one CSV and class
summary per notebook (``grades-<notebook>.csv``).

Exit status 0 whenever grading finished (whatever the score); 2 for a usage error or a
file that cannot be read as a submission; 1 when the grading itself could not run.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from collections import Counter
from typing import Dict, Optional

from assignment.atomic import replacing, write_text
from assignment.errors import UsageError
from assignment.exercises import NOTEBOOKS, exercises_of
from assignment.grade import html_report, intake, report, similarity
from assignment.grade.archive import is_archive
from assignment.grade import batch
from assignment.grade.core import error_result, grade_file
from assignment.grade.extract import SubmissionError
from assignment.grade.isolation import IsolationError, select
from assignment.grade.sandbox import Limits


def grade_path(path, *, json_path: Optional[str] = None, gradescope_path: Optional[str] = None,
               out: Optional[str] = None, jobs: Optional[int] = None, timeout: float = 60.0, memory: int = 4 << 30,
               parallel: Optional[int] = None, isolation: Optional[str] = None, no_namespaces: bool = False,
               strict: bool = False, notebook: Optional[str] = None, scheduler: Optional[str] = None,
               force: bool = False, quiet: bool = False) -> int:
    """Grade ``path``: one submission (a table; ``json_path``/``gradescope_path`` files) or a
    folder/archive of them (``out``: the CSV, with the JSON and reports next to it)."""
    if notebook is not None and notebook not in NOTEBOOKS:
        raise UsageError(f"no notebook {notebook!r}; known: {', '.join(NOTEBOOKS)}")
    if no_namespaces:
        print("warning: --no-namespaces is deprecated; use --isolation none", file=sys.stderr)
    try:
        confinement = select(isolation or ("none" if no_namespaces else "auto"))
    except IsolationError as error:
        raise UsageError(str(error)) from None
    path = Path(path)
    many = path.is_dir() or is_archive(path)
    cores = os.cpu_count() or 1
    jobs_here = (jobs or cores) if many and not scheduler else 1
    per_job = parallel or max(1, min(2, cores // jobs_here))
    limits = Limits(timeout=timeout, memory=memory, parallel=per_job,
                    threads=max(1, cores // (jobs_here * per_job)), isolation=confinement)
    if scheduler:
        limits.parallel, limits.threads = parallel or 1, 0  # each worker splits its own host's cores
    policy = "strict" if strict else "course"
    if many:
        if not out:
            raise UsageError("grading a folder or an archive needs --out grades.csv")
        if json_path or gradescope_path:
            raise UsageError("--json/--gradescope are for one submission; a folder writes a JSON per submission "
                             "next to --out")
        # What a cached result depends on (batch.result_options): the options as the
        # command line names them.
        options = {"path": str(path), "json": json_path, "gradescope": gradescope_path, "out": out, "jobs": jobs,
                   "timeout": timeout, "memory": memory, "parallel": parallel, "isolation": isolation,
                   "no_namespaces": no_namespaces, "strict": strict, "notebook": notebook,
                   "scheduler": scheduler, "force": force, "quiet": quiet}
        return grade_directory(path, out, limits, notebook, policy, jobs=jobs, scheduler=scheduler, force=force,
                               quiet=quiet, options=options)
    if out or jobs or scheduler or force:
        raise UsageError("--out, --jobs, --scheduler and --force are for a folder of submissions; "
                         "for one file use --json/--gradescope")
    return grade_one_file(path, limits, notebook, policy, json_path, gradescope_path)


def grade_one_file(path: Path, limits, notebook: Optional[str] = None, policy: str = "course",
                   json_path: Optional[str] = None, gradescope_path: Optional[str] = None) -> int:
    """One submission: the table on stdout, the JSON and Gradescope files if asked."""

    try:
        result = grade_file(path, limits, notebook, policy)
    except SubmissionError as error:
        raise UsageError(str(error)) from None
    print(report.table(result))
    if json_path:
        report.write_json(json_path, report.as_json(result))
    if gradescope_path:
        report.write_json(gradescope_path, report.gradescope(result))
    return 0


def grade_directory(folder: Path, out: Optional[str], limits, notebook: Optional[str] = None,
                    policy: str = "course", *, jobs: Optional[int] = None, scheduler: Optional[str] = None,
                    force: bool = False, quiet: bool = False, options: Optional[Dict] = None) -> int:
    """A folder: grade what is new or changed (locally or on Dask), then write the CSV, the
    class summary and the similarity report for every submission."""

    if not out:
        raise UsageError("grading a folder or an archive needs --out grades.csv")
    if scheduler and jobs:
        raise UsageError("--jobs is for local grading; with --scheduler the cluster's workers grade")
    out = Path(out)
    json_dir = out.with_suffix("")
    submissions = intake.collect(folder, json_dir)  # prints which layout it read
    json_dir.mkdir(parents=True, exist_ok=True)
    paths = [s.path for s in submissions if s.error is None]
    started = time.monotonic()
    try:
        graded = batch.run_batch(paths, limits, notebook, json_dir, jobs=jobs, scheduler=scheduler,
                           force=force, quiet=quiet, options=options, policy=policy,
                           students=[s.student for s in submissions if s.error is None])
    except KeyboardInterrupt:
        print(f"interrupted: the results of the submissions graded so far are in {json_dir}/; "
              "run the same command again to grade the rest", file=sys.stderr)
        return 130
    results = intake.with_students(submissions, graded, policy)
    written, flagged = [], 0
    groups = by_notebook(results)
    for graded_as, rows in groups.items():
        # one notebook: OUT and OUT-*.{md,json}; a mixed batch: OUT-<notebook>.csv and its own reports
        csv_path = out if len(groups) == 1 else out.with_name(f"{out.stem}-{graded_as}{out.suffix or '.csv'}")
        names = [e.name for e in exercises_of(graded_as)]
        with replacing(csv_path) as temporary:
            report.write_csv(temporary, rows, names)
        document = report.summary(rows, names)
        summary_json = csv_path.with_name(csv_path.stem + "-summary.json")
        summary_md = csv_path.with_name(csv_path.stem + "-summary.md")
        write_text(summary_json, json.dumps(document, indent=2) + "\n")
        write_text(summary_md, report.summary_markdown(document))
        similar = similarity.scan([Path(row["file"]) for row in rows if not row.get("not_read")], graded_as)
        similarity_json = csv_path.with_name(csv_path.stem + "-similarity.json")
        similarity_md = csv_path.with_name(csv_path.stem + "-similarity.md")
        write_text(similarity_json, json.dumps(similar, indent=2) + "\n")
        write_text(similarity_md, similarity.markdown(similar))
        report_html = csv_path.with_name(csv_path.stem + "-report.html")
        write_text(report_html, html_report.render(document, rows, similar, graded_as))
        flagged += sum(len(e["pairs"]) for e in similar["exercises"].values())
        written += [f"{csv_path} ({graded_as}, {len(rows)})", str(summary_md), str(summary_json), str(similarity_md),
                    str(report_html)]
    print(f"Graded {len(results)} submissions in {time.monotonic() - started:.1f} s: {json_dir}/, "
          + ", ".join(written) + f" ({flagged} similar pairs flagged)")
    return 0


def by_notebook(results):
    """{notebook: results graded as it}, registry order. A result of no known notebook (an
    unreadable file) joins the batch's most frequent notebook."""

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
