"""The course platforms' export layouts: which one a folder is, and whose each entry is.

Recognised in this order (``recognise``; docs/intake.md gives each layout's facts and where
they come from): ``gradescope`` (``submission_metadata.yml``, read by
``gradescope_students``), ``nbgrader`` (``submitted/<student>/<assignment>/``), ``moodle``
(``<Full Name>_<id>_assignsubmission_file_``), ``canvas``
(``<name>[_LATE]_<userid>_<fileid>_<original name>``), ``plain`` files, ``folders`` (one
per student). The student names come from the names and the metadata only, cleaned.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from assignment.grade.submission_tree import (Submission, clean_text, files_of, gradable, link_error, listing,
                                              read_bounded)

METADATA = "submission_metadata.yml"
MAX_METADATA_BYTES = 16 << 20
# Moodle: clean_filename(str_replace('_', ' ', fullname) . '_' . uniqueid) . '_' . subtype . '_' . type . '_'
MOODLE_FOLDER_RE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_$")
MOODLE_FILE_RE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_file_(?P<file>.+)$")
# Canvas: <lastnamefirstname>[_LATE]_<user id>_<attachment id>_<original file name>
CANVAS_RE = re.compile(r"^(?P<name>[^_]+?)(?P<late>_late)?_(?P<user>\d+)_(?P<file>\d+)_(?P<original>.+)$", re.I)
LAYOUT_NAMES = {"gradescope": "a Gradescope export", "nbgrader": "an nbgrader submitted/ tree",
                "moodle": "a Moodle export", "canvas": "a Canvas export", "plain": "plain files",
                "folders": "a folder per student"}


def plain_student(name: str) -> Tuple[str, bool]:
    return clean_text(name), False


def canvas_student(name: str) -> Tuple[str, bool]:
    match = CANVAS_RE.match(name)
    if not match:
        return clean_text(name), False
    return clean_text(f"{match['name']} ({match['user']})"), bool(match["late"])


def moodle_student(name: str) -> Tuple[str, bool]:
    match = MOODLE_FILE_RE.match(name) or MOODLE_FOLDER_RE.match(name)
    if not match:
        return clean_text(name), False
    return clean_text(f"{match['name']} ({match['id']})"), False


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


def is_nbgrader_submitted(folder: Path) -> bool:
    """<student>/<assignment>/ folders, some holding a notebook."""
    for student in listing(folder):
        if student.is_dir(follow_symlinks=False):
            for assignment in listing(Path(student.path)):
                if assignment.is_dir(follow_symlinks=False) and any(
                        e.name.lower().endswith(".ipynb") for e in listing(Path(assignment.path))):
                    return True
    return False


def nbgrader(submitted: Path, prefix: str) -> List[Submission]:
    submissions = []
    for student in listing(submitted):
        where = f"{prefix}{student.name}"
        if student.is_symlink():
            submissions.append(Submission(where=where, student=clean_text(student.name),
                                          error=link_error(Path(student.path))))
            continue
        if not student.is_dir(follow_symlinks=False):
            continue
        for assignment in listing(Path(student.path)):
            here = f"{where}/{assignment.name}"
            key = f"{student.name}-{assignment.name}"
            if assignment.is_symlink():
                submissions.append(Submission(where=here, student=clean_text(student.name), key=key,
                                              error=link_error(Path(assignment.path))))
            elif assignment.is_dir(follow_symlinks=False):
                submissions += files_of(Path(assignment.path), here, clean_text(student.name), key)
    return submissions


def student_of_path(layout: str, parts: List[str], students: Dict[str, str]) -> str:
    """Whose an entry at ``parts`` (relative to the layout's top) would have been."""
    if layout == "nbgrader" and "submitted" in parts[:-1]:
        parts = parts[parts.index("submitted") + 1:]
    if len(parts) > 1:
        if layout == "gradescope":
            return students.get(parts[0]) or clean_text(parts[0])
        if layout == "moodle":
            return moodle_student(parts[0])[0]
        return clean_text(parts[0])
    name = parts[-1] if parts else ""
    return (canvas_student if layout == "canvas" else moodle_student if layout == "moodle"
            else plain_student)(name)[0]


def recognise(root: Path, entries) -> Optional[str]:
    names = {entry.name for entry in entries}
    if METADATA in names:
        return "gradescope"
    if ("submitted" in names and (root / "submitted").is_dir() and not (root / "submitted").is_symlink()
            and is_nbgrader_submitted(root / "submitted")) or (root.name == "submitted"
                                                                 and is_nbgrader_submitted(root)):
        return "nbgrader"
    if any(MOODLE_FOLDER_RE.match(name) or MOODLE_FILE_RE.match(name) for name in names):
        return "moodle"
    files = [e for e in entries if gradable(e.name) and not e.is_dir(follow_symlinks=False)]
    if files:
        matching = sum(1 for e in files if CANVAS_RE.match(e.name))
        return "canvas" if matching * 2 >= len(files) else "plain"
    if any(e.is_symlink() for e in entries) and not any(e.is_dir(follow_symlinks=False) for e in entries):
        return "plain"
    if any(e.is_dir(follow_symlinks=False) and not e.is_symlink() for e in entries) and len(entries) > 1:
        return "folders"
    return None
