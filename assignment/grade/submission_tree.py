"""A tree of submissions read without following a link: a student's folder, flat files, a
folder per student, each file a ``Submission`` (or an error row naming what was refused).

Entries come from ``os.scandir`` without following links; a symbolic link becomes an error
row naming it; a file is read with ``O_NOFOLLOW`` and a size bound (``read_bounded``).
Hidden entries, ``__MACOSX``, ``__pycache__`` and ``.ipynb_checkpoints`` are skipped.
Nothing here runs learner code.
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional

SUFFIXES = (".ipynb", ".py")
SKIPPED = {"__MACOSX", "__pycache__", ".ipynb_checkpoints"}
_EXCLUDED: contextvars.ContextVar = contextvars.ContextVar("excluded", default=frozenset())


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


def clean_text(text, width: int = 200) -> str:
    """A name from a file name or metadata, for reports: no control characters, bounded."""
    text = "".join(char if char.isprintable() else " " for char in str(text))
    return " ".join(text.split())[:width]


def listing(folder: Path) -> List[os.DirEntry]:
    """A folder's entries, sorted; hidden ones, platform clutter and the grader's own
    output folder (``discover``'s ``exclude``) left out."""
    excluded = _EXCLUDED.get()
    with os.scandir(folder) as iterator:
        entries = [entry for entry in iterator if not entry.name.startswith(".") and entry.name not in SKIPPED
                   and not (excluded and entry.is_dir(follow_symlinks=False)
                            and os.path.realpath(entry.path) in excluded)]
    return sorted(entries, key=lambda entry: entry.name)


def link_error(entry_path: Path) -> str:
    try:
        target = os.readlink(entry_path)
    except OSError:
        target = "?"
    return f"{clean_text(entry_path.name, 120)} is a symbolic link (-> {clean_text(target, 160)}); not followed"


def gradable(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def files_of(folder: Path, relative: str, student: str, key: str) -> List[Submission]:
    """The submissions in one student's folder (recursively, links never followed)."""
    found: List[Submission] = []
    links: List[Submission] = []

    def walk(path: Path, where: str, depth: int) -> None:
        if depth > 16:
            return
        for entry in listing(path):
            here = f"{where}/{entry.name}" if where else entry.name
            if entry.is_symlink():
                links.append(Submission(where=here, student=student, key=key, error=link_error(Path(entry.path))))
            elif entry.is_dir(follow_symlinks=False):
                walk(Path(entry.path), here, depth + 1)
            elif entry.is_file(follow_symlinks=False) and gradable(entry.name):
                found.append(Submission(where=here, student=student, key=key, path=Path(entry.path)))
            elif gradable(entry.name):  # a FIFO, a device, a socket named like a notebook
                links.append(Submission(where=here, student=student, key=key,
                                        error=f"{clean_text(entry.name, 120)} is not a regular file; not read"))

    walk(folder, relative, 0)
    notebooks = [s for s in found if s.name.lower().endswith(".ipynb")]
    chosen = notebooks or found
    if not chosen and not links:
        return [Submission(where=relative, student=student, key=key,
                           error="no .ipynb or .py file in this submission")]
    return chosen + links


def flat(root: Path, entries, student_of) -> List[Submission]:
    submissions = []
    for entry in entries:
        if entry.is_symlink():
            submissions.append(Submission(where=entry.name, student=student_of(entry.name)[0],
                                          error=link_error(Path(entry.path))))
        elif entry.is_file(follow_symlinks=False) and gradable(entry.name):
            student, late = student_of(entry.name)
            submissions.append(Submission(where=entry.name, student=student, path=Path(entry.path), late=late))
        elif gradable(entry.name) and not entry.is_dir(follow_symlinks=False):
            submissions.append(Submission(where=entry.name, student=student_of(entry.name)[0],
                                          error=f"{clean_text(entry.name, 120)} is not a regular file; not read"))
    return submissions


def per_folder(root: Path, entries, student_of) -> List[Submission]:
    submissions = []
    for entry in entries:
        if entry.is_symlink():
            submissions.append(Submission(where=entry.name, student=clean_text(entry.name),
                                          error=link_error(Path(entry.path))))
        elif entry.is_dir(follow_symlinks=False):
            student = student_of(entry.name)
            if student is not None:
                submissions += files_of(Path(entry.path), entry.name, student, entry.name)
    return submissions


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


@contextlib.contextmanager
def excluding(folders) -> Iterator[None]:
    """Within the block, ``entries`` leaves out ``folders`` (the grades written into the
    tree being graded)."""
    token = _EXCLUDED.set(frozenset(os.path.realpath(path) for path in folders))
    try:
        yield
    finally:
        _EXCLUDED.reset(token)
