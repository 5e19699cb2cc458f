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
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from assignment.grade.archive import ArchiveError, UnpackLimits, is_archive, unpacked
from assignment.grade.extract import MAX_SUBMISSION_BYTES

SUFFIXES = (".ipynb", ".py")
SKIPPED = {"__MACOSX", "__pycache__", ".ipynb_checkpoints"}
METADATA = "submission_metadata.yml"
MAX_METADATA_BYTES = 16 << 20
# Moodle: clean_filename(str_replace('_', ' ', fullname) . '_' . uniqueid) . '_' . subtype . '_' . type . '_'
MOODLE_FOLDER_RE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_$")
MOODLE_FILE_RE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_file_(?P<file>.+)$")
# Canvas: <lastnamefirstname>[_LATE]_<user id>_<attachment id>_<original file name>
CANVAS_RE = re.compile(r"^(?P<name>[^_]+?)(?P<late>_late)?_(?P<user>\d+)_(?P<file>\d+)_(?P<original>.+)$", re.I)
_EXCLUDED: contextvars.ContextVar = contextvars.ContextVar("excluded", default=frozenset())
LAYOUT_NAMES = {"gradescope": "a Gradescope export", "nbgrader": "an nbgrader submitted/ tree",
                "moodle": "a Moodle export", "canvas": "a Canvas export", "plain": "plain files",
                "folders": "a folder per student"}


@dataclass
class Submission:
    """One file to grade (or the reason it cannot be), and whose it is."""

    where: str  # its place in what was given (relative path), for messages
    student: str
    key: str = ""  # what makes its report name unique (student's folder), '' for a flat file
    path: Optional[Path] = None  # the file as found (in the tree or the unpacked archive)
    error: Optional[str] = None  # not gradable: the error row's message
    late: bool = False

    @property
    def name(self) -> str:
        return Path(self.where).name


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


# --------------------------------------------------------------------------- reading the tree

def clean_text(text, width: int = 200) -> str:
    """A name from a file name or metadata, for reports: no control characters, bounded."""
    text = "".join(char if char.isprintable() else " " for char in str(text))
    return " ".join(text.split())[:width]


def _entries(folder: Path) -> List[os.DirEntry]:
    """A folder's entries, sorted; hidden ones, platform clutter and the grader's own
    output folder (``discover``'s ``exclude``) left out."""
    excluded = _EXCLUDED.get()
    with os.scandir(folder) as iterator:
        entries = [entry for entry in iterator if not entry.name.startswith(".") and entry.name not in SKIPPED
                   and not (excluded and entry.is_dir(follow_symlinks=False)
                            and os.path.realpath(entry.path) in excluded)]
    return sorted(entries, key=lambda entry: entry.name)


def _link_error(entry_path: Path) -> str:
    try:
        target = os.readlink(entry_path)
    except OSError:
        target = "?"
    return f"{clean_text(entry_path.name, 120)} is a symbolic link (-> {clean_text(target, 160)}); not followed"


def _gradable(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def files_of(folder: Path, relative: str, student: str, key: str) -> List[Submission]:
    """The submissions in one student's folder (recursively, links never followed)."""
    found: List[Submission] = []
    links: List[Submission] = []

    def walk(path: Path, where: str, depth: int) -> None:
        if depth > 16:
            return
        for entry in _entries(path):
            here = f"{where}/{entry.name}" if where else entry.name
            if entry.is_symlink():
                links.append(Submission(where=here, student=student, key=key, error=_link_error(Path(entry.path))))
            elif entry.is_dir(follow_symlinks=False):
                walk(Path(entry.path), here, depth + 1)
            elif entry.is_file(follow_symlinks=False) and _gradable(entry.name):
                found.append(Submission(where=here, student=student, key=key, path=Path(entry.path)))
            elif _gradable(entry.name):  # a FIFO, a device, a socket named like a notebook
                links.append(Submission(where=here, student=student, key=key,
                                        error=f"{clean_text(entry.name, 120)} is not a regular file; not read"))

    walk(folder, relative, 0)
    notebooks = [s for s in found if s.name.lower().endswith(".ipynb")]
    chosen = notebooks or found
    if not chosen and not links:
        return [Submission(where=relative, student=student, key=key,
                           error="no .ipynb or .py file in this submission")]
    return chosen + links


def _flat(root: Path, entries, student_of) -> List[Submission]:
    submissions = []
    for entry in entries:
        if entry.is_symlink():
            submissions.append(Submission(where=entry.name, student=student_of(entry.name)[0],
                                          error=_link_error(Path(entry.path))))
        elif entry.is_file(follow_symlinks=False) and _gradable(entry.name):
            student, late = student_of(entry.name)
            submissions.append(Submission(where=entry.name, student=student, path=Path(entry.path), late=late))
        elif _gradable(entry.name) and not entry.is_dir(follow_symlinks=False):
            submissions.append(Submission(where=entry.name, student=student_of(entry.name)[0],
                                          error=f"{clean_text(entry.name, 120)} is not a regular file; not read"))
    return submissions


def _plain_student(name: str) -> Tuple[str, bool]:
    return clean_text(name), False


def _canvas_student(name: str) -> Tuple[str, bool]:
    match = CANVAS_RE.match(name)
    if not match:
        return clean_text(name), False
    return clean_text(f"{match['name']} ({match['user']})"), bool(match["late"])


def _moodle_student(name: str) -> Tuple[str, bool]:
    match = MOODLE_FILE_RE.match(name) or MOODLE_FOLDER_RE.match(name)
    if not match:
        return clean_text(name), False
    return clean_text(f"{match['name']} ({match['id']})"), False


# --------------------------------------------------------------------------- Gradescope metadata

def _no_alias_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """safe_load without anchors/aliases (no 'billion laughs' expansion)."""

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                raise yaml.YAMLError("aliases are not accepted in submission metadata")
            return super().compose_node(parent, index)

    return Loader


def gradescope_students(path: Path) -> Tuple[Dict[str, str], Optional[str]]:
    """{submission folder: "Name (sid)", ...} from Gradescope's submission_metadata.yml,
    read defensively (a size bound, yaml safe loading without aliases, only string or
    number fields used); (students, None) or ({}, why it could not be read)."""
    import yaml

    try:
        data = read_bounded(path, MAX_METADATA_BYTES)
    except OSError as error:
        return {}, f"{METADATA} not read ({error.strerror or error})"
    except ValueError as error:
        return {}, f"{METADATA} not read ({error})"
    try:
        document = yaml.load(data.decode("utf-8-sig"), Loader=_no_alias_loader())  # noqa: S506 - SafeLoader subclass
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError, ValueError) as error:
        return {}, f"{METADATA} is not valid YAML ({clean_text(str(error).splitlines()[0] if str(error) else '', 120)})"
    if not isinstance(document, dict):
        return {}, f"{METADATA} is not a mapping of submission folders"
    students = {}
    for folder, record in document.items():
        if not isinstance(folder, str) or not isinstance(record, dict):
            continue
        submitters = record.get(":submitters") or record.get("submitters")
        if not isinstance(submitters, list):
            continue
        names = []
        for submitter in submitters[:50]:
            if not isinstance(submitter, dict):
                continue
            fields = {key.lstrip(":"): value for key, value in submitter.items()
                      if isinstance(key, str) and isinstance(value, (str, int, float)) and not isinstance(value, bool)}
            name, sid = clean_text(fields.get("name", ""), 120), clean_text(fields.get("sid", ""), 60)
            email = clean_text(fields.get("email", ""), 120)
            label = f"{name} ({sid})" if name and sid else name or sid or email
            if label:
                names.append(label)
        if names:
            students[folder] = "; ".join(names)
    return students, None


# --------------------------------------------------------------------------- layouts

def _is_nbgrader_submitted(folder: Path) -> bool:
    """<student>/<assignment>/ folders, some holding a notebook."""
    for student in _entries(folder):
        if student.is_dir(follow_symlinks=False):
            for assignment in _entries(Path(student.path)):
                if assignment.is_dir(follow_symlinks=False) and any(
                        e.name.lower().endswith(".ipynb") for e in _entries(Path(assignment.path))):
                    return True
    return False


def _nbgrader(submitted: Path, prefix: str) -> List[Submission]:
    submissions = []
    for student in _entries(submitted):
        where = f"{prefix}{student.name}"
        if student.is_symlink():
            submissions.append(Submission(where=where, student=clean_text(student.name),
                                          error=_link_error(Path(student.path))))
            continue
        if not student.is_dir(follow_symlinks=False):
            continue
        for assignment in _entries(Path(student.path)):
            here = f"{where}/{assignment.name}"
            key = f"{student.name}-{assignment.name}"
            if assignment.is_symlink():
                submissions.append(Submission(where=here, student=clean_text(student.name), key=key,
                                              error=_link_error(Path(assignment.path))))
            elif assignment.is_dir(follow_symlinks=False):
                submissions += files_of(Path(assignment.path), here, clean_text(student.name), key)
    return submissions


def _per_folder(root: Path, entries, student_of) -> List[Submission]:
    submissions = []
    for entry in entries:
        if entry.is_symlink():
            submissions.append(Submission(where=entry.name, student=clean_text(entry.name),
                                          error=_link_error(Path(entry.path))))
        elif entry.is_dir(follow_symlinks=False):
            student = student_of(entry.name)
            if student is not None:
                submissions += files_of(Path(entry.path), entry.name, student, entry.name)
    return submissions


def discover(root, name: Optional[str] = None, archive: bool = False, exclude=(), refused=()) -> Intake:
    """The layout and submissions of the folder ``root`` (``name``: what to call it);
    ``exclude``: folders never read (the grades written into the tree being graded);
    ``refused``: (entry name, why) of an archive's refused entries, each an error row
    with the student the layout gives its path."""
    token = _EXCLUDED.set(frozenset(os.path.realpath(path) for path in exclude))
    try:
        return _discover(Path(root), name, archive, list(refused))
    finally:
        _EXCLUDED.reset(token)


def _student_of_path(layout: str, parts: List[str], students: Dict[str, str]) -> str:
    """Whose an entry at ``parts`` (relative to the layout's top) would have been."""
    if layout == "nbgrader" and "submitted" in parts[:-1]:
        parts = parts[parts.index("submitted") + 1:]
    if len(parts) > 1:
        if layout == "gradescope":
            return students.get(parts[0]) or clean_text(parts[0])
        if layout == "moodle":
            return _moodle_student(parts[0])[0]
        return clean_text(parts[0])
    name = parts[-1] if parts else ""
    return (_canvas_student if layout == "canvas" else _moodle_student if layout == "moodle"
            else _plain_student)(name)[0]


def _discover(root: Path, name: Optional[str], archive: bool, refused) -> Intake:
    source = Path(name) if name else root
    prefix = ""
    students: Dict[str, str] = {}
    for _ in range(4):  # step into lone wrapper folders
        entries = _entries(root)
        layout = _layout(root, entries)
        if layout is not None:
            break
        folders = [e for e in entries if e.is_dir(follow_symlinks=False) and not e.is_symlink()]
        if len(entries) != 1 or len(folders) != 1:
            break
        root, prefix = Path(folders[0].path), f"{prefix}{folders[0].name}/"
    wrapper = prefix
    intake = Intake(source=source, layout=layout or "plain", archive=archive)
    if layout is None:
        links = _flat(root, entries, _plain_student)  # links only, if anything
        intake.submissions = links
    elif layout == "gradescope":
        students, problem = gradescope_students(root / METADATA)
        if problem:
            intake.notes.append(f"Warning: {problem}; students named by their folders.")
        intake.submissions = _per_folder(root, entries, lambda folder: students.get(folder) or clean_text(folder))
        unknown = [e.name for e in entries if e.is_dir(follow_symlinks=False) and not e.is_symlink()
                   and students and e.name not in students]
        if unknown:
            intake.notes.append(f"{len(unknown)} folders not in {METADATA}: students named by their folders.")
    elif layout == "nbgrader":
        submitted = root if root.name == "submitted" and not (root / "submitted").is_dir() else root / "submitted"
        intake.submissions = _nbgrader(submitted, prefix + ("" if submitted == root else "submitted/"))
        prefix = ""
    elif layout == "moodle":
        folders = _per_folder(root, [e for e in entries if e.is_symlink() or MOODLE_FOLDER_RE.match(e.name)
                                     and MOODLE_FOLDER_RE.match(e.name)["plugin"] == "file"],
                              lambda folder: _moodle_student(folder)[0])
        flat = _flat(root, [e for e in entries if not e.is_dir(follow_symlinks=False) and not e.is_symlink()],
                     _moodle_student)
        intake.submissions = folders + flat
    elif layout == "canvas":
        intake.submissions = _flat(root, entries, _canvas_student)
    elif layout == "plain":
        intake.submissions = _flat(root, entries, _plain_student)
    else:  # folders
        intake.submissions = _per_folder(root, entries, clean_text)
    if prefix and layout != "nbgrader":
        for submission in intake.submissions:
            submission.where = prefix + submission.where
    top = [part for part in (wrapper or "").split("/") if part]
    for entry, why in refused:
        parts = [part for part in entry.replace("\\", "/").split("/") if part not in ("", ".")]
        if parts[:len(top)] == top:
            parts = parts[len(top):]
        intake.submissions.append(Submission(
            where=clean_text(entry), student=_student_of_path(intake.layout, parts, students),
            error=f"archive entry {clean_text(entry, 160)!r} refused: {why}"))
    return intake


def _layout(root: Path, entries) -> Optional[str]:
    names = {entry.name for entry in entries}
    if METADATA in names:
        return "gradescope"
    if ("submitted" in names and (root / "submitted").is_dir() and not (root / "submitted").is_symlink()
            and _is_nbgrader_submitted(root / "submitted")) or (root.name == "submitted"
                                                                 and _is_nbgrader_submitted(root)):
        return "nbgrader"
    if any(MOODLE_FOLDER_RE.match(name) or MOODLE_FILE_RE.match(name) for name in names):
        return "moodle"
    files = [e for e in entries if _gradable(e.name) and not e.is_dir(follow_symlinks=False)]
    if files:
        matching = sum(1 for e in files if CANVAS_RE.match(e.name))
        return "canvas" if matching * 2 >= len(files) else "plain"
    if any(e.is_symlink() for e in entries) and not any(e.is_dir(follow_symlinks=False) for e in entries):
        return "plain"
    if any(e.is_dir(follow_symlinks=False) and not e.is_symlink() for e in entries) and len(entries) > 1:
        return "folders"
    return None


# --------------------------------------------------------------------------- reading files

def read_bounded(path, limit: int) -> bytes:
    """A regular file's bytes, opened with O_NOFOLLOW (a link is an error, not its target);
    ValueError past ``limit`` bytes or for anything not a regular file."""
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(handle, "rb") as source:
        info = os.fstat(source.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"larger than {limit >> 20} MiB")
        data = source.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit >> 20} MiB")
    return data


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
    for entry in _entries(folder):  # copies of an earlier run that this one has not
        if entry.name not in written and _gradable(entry.name) and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)
    return intake.submissions


def _write_if_changed(target: Path, data: bytes) -> None:
    try:
        if not target.is_symlink() and target.is_file() and target.read_bytes() == data:
            return  # unchanged: keep it (and its mtime)
    except OSError:
        pass
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)


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
    from assignment.errors import UsageError

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
    from assignment.grade.core import error_result

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
