"""Write a file atomically: whoever reads it sees the old file or the new one, never half of one.

The new bytes go to a temporary file created beside the target (same folder, so the same
file system), which then replaces the target with ``os.replace`` (an atomic rename on
POSIX; https://docs.python.org/3/library/os.html#os.replace). When anything fails before
that, the temporary file is removed and the target is left as it was. The temporary file
is created new (``O_EXCL``: no existing file or link is written through) with the
permissions a plain ``open`` would give (0666 less the umask) unless ``mode`` says others.

Standard library only: the learner's release ships it (its kernel set-up writes with it).
"""
from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Iterator, Optional


@contextlib.contextmanager
def replacing(path, mode: Optional[int] = None) -> Iterator[Path]:
    """``with replacing(PATH) as temporary:`` write the new file at ``temporary`` (any
    writer that takes a path: ``zipfile.ZipFile(temporary, "w")``, ...); when the block
    ends, it replaces PATH; when the block raises, it is removed and PATH is unchanged.
    PATH's folder is created when missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666))
    try:
        yield temporary
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        try:
            os.unlink(temporary)  # still there only when something failed
        except FileNotFoundError:
            pass


def write_bytes(path, data: bytes, mode: Optional[int] = None) -> Path:
    """Replace ``path`` with ``data`` atomically; returns ``path`` as a Path."""
    with replacing(path, mode) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(data)
    return Path(path)


def write_text(path, text: str, encoding: str = "utf-8", mode: Optional[int] = None) -> Path:
    """Replace ``path`` with ``text`` atomically, written as given (no newline translation)."""
    with replacing(path, mode) as temporary:
        with open(temporary, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
    return Path(path)
