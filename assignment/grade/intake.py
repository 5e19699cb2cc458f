"""Find the submissions in what a course platform exports: which layout, which student.

``grade PATH`` takes a folder or an archive (``assignment.grade.archive`` unpacks one
safely). The layouts, recognised in this order at the top of the tree (a lone wrapper
folder, as in ``assignment_123_export/``, is stepped into); docs/intake.md gives each
layout's facts and where they come from:

- ``gradescope``: ``submission_metadata.yml`` beside a folder per submission
  (``submission_<id>/``); the student is each submitter's ``:name:`` and ``:sid:``;
- ``nbgrader``: ``submitted/<student>/<assignment>/<notebook>.ipynb`` (the course folder,
  or its ``submitted`` folder itself);
- ``moodle``: ``<Full Name>_<id>_assignsubmission_file_/<files>`` (or the older flat
  ``<Full Name>_<id>_assignsubmission_file_<file>``);
- ``canvas``: flat ``<name>[_LATE]_<userid>_<fileid>_<original name>`` files;
- ``plain``: notebooks and scripts directly in the folder (the student is the file name);
- ``folders``: a folder per student, named anything (the student is the folder's name).

In a student's folder every ``.ipynb`` is a submission; ``.py`` files count only when the
folder holds no notebook (else they are the learner's helpers). Hidden entries,
``__MACOSX``, ``__pycache__`` and ``.ipynb_checkpoints`` are skipped.

A symbolic link anywhere in the tree is never followed (``os.scandir`` without following,
``os.lstat``, and ``O_NOFOLLOW`` when a file is read): it becomes an error row naming the
link, and the batch goes on. Nothing here runs learner code.

This module walks the tree and reports it (``discover``, ``Intake``), gives each submission
a file to grade (``copies_to_grade``) and serves the CLI (``collect``, ``with_students``);
``platform_layouts`` recognises the layouts and names the students, ``submission_tree`` reads
the folders and files.
"""
from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from assignment.atomic import write_bytes
from assignment.errors import UsageError
from assignment.grade.archive import ArchiveError, UnpackLimits, is_archive, unpacked
from assignment.grade.core import error_result
from assignment.grade.extract import MAX_SUBMISSION_BYTES
from assignment.grade.platform_layouts import (LAYOUT_NAMES, METADATA, MOODLE_FOLDER_RE, canvas_student,
                                               gradescope_students, moodle_student, nbgrader, plain_student,
                                               recognise, student_of_path)
from assignment.grade.submission_tree import (Submission, clean_text, excluding, flat, gradable, listing,
                                              per_folder, read_bounded)


@dataclass
class Intake:
    """What ``grade PATH`` found: the layout and the submissions, in a stable order."""

    source: Path
    layout: str
    submissions: List[Submission] = field(default_factory=list)
    archive: bool = False
    notes: List[str] = field(default_factory=list)

    def line(self) -> str:
        gradable = [s for s in self.submissions if s.error is None]
        students = len({s.student for s in gradable})
        what = f"{self.source.name}: {LAYOUT_NAMES[self.layout]}" + (" (archive)" if self.archive else "")
        text = f"Read {what}: {len(gradable)} submissions of {students} students"
        late = sum(1 for s in gradable if s.late)
        if late:
            text += f", {late} late"
        refused = len(self.submissions) - len(gradable)
        if refused:
            text += f"; {refused} not gradable (error rows)"
        return text + "." + "".join(f" {note}" for note in self.notes)

    @property
    def flat(self) -> bool:
        """Every file directly in the folder given, names unique: graded where it is."""
        return not self.archive and all("/" not in s.where for s in self.submissions)


def discover(root, name: Optional[str] = None, archive: bool = False, exclude=(), refused=()) -> Intake:
    """The layout and submissions of the folder ``root`` (``name``: what to call it);
    ``exclude``: folders never read (the grades written into the tree being graded);
    ``refused``: (entry name, why) of an archive's refused entries, each an error row
    with the student the layout gives its path."""
    with excluding(exclude):
        return _discover(Path(root), name, archive, list(refused))


def _discover(root: Path, name: Optional[str], archive: bool, refused) -> Intake:
    source = Path(name) if name else root
    prefix = ""
    students: Dict[str, str] = {}
    for _ in range(4):  # step into lone wrapper folders
        entries = listing(root)
        layout = recognise(root, entries)
        if layout is not None:
            break
        folders = [e for e in entries if e.is_dir(follow_symlinks=False) and not e.is_symlink()]
        if len(entries) != 1 or len(folders) != 1:
            break
        root, prefix = Path(folders[0].path), f"{prefix}{folders[0].name}/"
    wrapper = prefix
    intake = Intake(source=source, layout=layout or "plain", archive=archive)
    if layout is None:
        links = flat(root, entries, plain_student)  # links only, if anything
        intake.submissions = links
    elif layout == "gradescope":
        students, problem = gradescope_students(root / METADATA)
        if problem:
            intake.notes.append(f"Warning: {problem}; students named by their folders.")
        intake.submissions = per_folder(root, entries, lambda folder: students.get(folder) or clean_text(folder))
        unknown = [e.name for e in entries if e.is_dir(follow_symlinks=False) and not e.is_symlink()
                   and students and e.name not in students]
        if unknown:
            intake.notes.append(f"{len(unknown)} folders not in {METADATA}: students named by their folders.")
    elif layout == "nbgrader":
        submitted = root if root.name == "submitted" and not (root / "submitted").is_dir() else root / "submitted"
        intake.submissions = nbgrader(submitted, prefix + ("" if submitted == root else "submitted/"))
        prefix = ""
    elif layout == "moodle":
        folders = per_folder(root, [e for e in entries if e.is_symlink() or MOODLE_FOLDER_RE.match(e.name)
                                     and MOODLE_FOLDER_RE.match(e.name)["plugin"] == "file"],
                              lambda folder: moodle_student(folder)[0])
        loose = flat(root, [e for e in entries if not e.is_dir(follow_symlinks=False) and not e.is_symlink()],
                     moodle_student)
        intake.submissions = folders + loose
    elif layout == "canvas":
        intake.submissions = flat(root, entries, canvas_student)
    elif layout == "plain":
        intake.submissions = flat(root, entries, plain_student)
    else:  # folders
        intake.submissions = per_folder(root, entries, clean_text)
    if prefix and layout != "nbgrader":
        for submission in intake.submissions:
            submission.where = prefix + submission.where
    top = [part for part in (wrapper or "").split("/") if part]
    for entry, why in refused:
        parts = [part for part in entry.replace("\\", "/").split("/") if part not in ("", ".")]
        if parts[:len(top)] == top:
            parts = parts[len(top):]
        intake.submissions.append(Submission(
            where=clean_text(entry), student=student_of_path(intake.layout, parts, students),
            error=f"archive entry {clean_text(entry, 160)!r} refused: {why}"))
    return intake


def _safe_name(text: str, width: int = 80) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._")[:width] or "submission"


def copies_to_grade(intake: Intake, folder) -> List[Submission]:
    """Give every gradable submission a file with a unique, readable name: the file itself
    when the batch is flat (``intake.flat``), else a copy in ``folder`` named
    ``<student folder>-<file name>`` (read with O_NOFOLLOW; folder's old copies replaced).
    A file that cannot be read becomes an error row."""
    if intake.flat:
        for submission in intake.submissions:
            if submission.error is None:
                submission.path = Path(submission.path)
        return intake.submissions
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    used, written = set(), set()
    for submission in intake.submissions:
        if submission.error is not None:
            continue
        stem_base = _safe_name(Path(submission.name).stem if not submission.key
                               else f"{submission.key}-{Path(submission.name).stem}")
        suffix = Path(submission.name).suffix.lower()
        stem, count = stem_base, 1
        while stem.lower() in used:  # one JSON and one resume entry per stem
            count += 1
            stem = f"{stem_base}-{count}"
        used.add(stem.lower())
        try:
            data = read_bounded(submission.path, MAX_SUBMISSION_BYTES)
        except OSError as error:
            submission.error = (f"{clean_text(submission.name)} cannot be read"
                                + (" (a symbolic link; not followed)" if error.errno == getattr(os, "ELOOP", 40)
                                   else f" ({error.strerror or error})"))
            continue
        except ValueError as error:
            submission.error = f"{clean_text(submission.name)}: {error}; not graded"
            continue
        target = folder / f"{stem}{suffix}"
        _write_if_changed(target, data)
        written.add(target.name)
        submission.path = target
    for entry in listing(folder):  # copies of an earlier run that this one has not
        if entry.name not in written and gradable(entry.name) and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)
    return intake.submissions


def _write_if_changed(target: Path, data: bytes) -> None:
    try:
        if not target.is_symlink() and target.is_file() and target.read_bytes() == data:
            return  # unchanged: keep it (and its mtime)
    except OSError:
        pass
    write_bytes(target, data)


@contextlib.contextmanager
def opened(path, limits: Optional[UnpackLimits] = None, exclude=()) -> Iterator[Intake]:
    """``with opened(PATH) as intake:`` the submissions of a folder or an archive; an
    archive's temporary folder lives until the block ends (call copies_to_grade inside it). Raises
    ``ArchiveError`` for an archive that cannot be unpacked safely."""
    path = Path(path)
    if path.is_dir():
        yield discover(path, exclude=exclude)
        return
    if not is_archive(path):
        raise ArchiveError(f"{path}: neither a folder nor an archive (.zip, .tar.gz, .tgz, .tar)")
    with unpacked(path, limits) as folder:
        yield discover(folder.root, name=path.name, archive=True, refused=folder.refused)


# --------------------------------------------------------------------------- for the CLI

def collect(path, json_dir) -> List[Submission]:
    """The submissions of a folder or archive in its platform's layout (one line says which),
    each with a file to grade: in place for a flat folder, else a copy under
    ``json_dir/submissions/``. Links and refused archive entries stay as error rows."""
    json_dir = Path(json_dir)
    try:
        with opened(path, exclude=[json_dir]) as found:
            if not found.submissions:
                raise UsageError(f"no .ipynb or .py submissions in {path}")
            submissions = copies_to_grade(found, json_dir / "submissions")
    except ArchiveError as error:
        raise UsageError(str(error)) from None
    print(found.line(), flush=True)
    return submissions


def with_students(submissions: List[Submission], graded: List[Dict], policy: str) -> List[Dict]:
    """The batch's results in the order of ``submissions``, each with its ``student``; an
    error row for each submission that was not graded (a link, a refused entry)."""
    results, graded = [], iter(graded)
    for submission in submissions:
        if submission.error is None:
            result = dict(next(graded))
        else:
            result = error_result(submission.where, submission.error, None, policy)
            result["not_read"] = True  # nothing of it was read: no similarity scan either
        result["student"] = submission.student
        results.append(result)
    return results
