"""Unpack a submissions archive (.zip, .tar, .tar.gz/.tgz) safely into a private temporary folder.

An archive comes from a course platform but its entries were chosen by learners, so every
entry is checked before a byte is written:

- its name must stay inside the folder: no absolute path, no drive letter, no ``..``,
  no NUL or control character (a bad name is *refused*: reported, not written);
- only regular files and folders are unpacked: a symbolic link, hard link, device, FIFO
  or socket entry is refused and reported (``unzip`` and ``tar`` would recreate them);
- the number of entries, the total unpacked size and each entry's compression ratio are
  bounded (``UnpackLimits``); past a limit the whole archive is refused with one line
  (``ArchiveError``), e.g. a zip bomb. Sizes are counted as the bytes are inflated, not
  taken from the headers, so an entry that lies about its size is caught too;
- only what could be graded is written (``WANTED``: notebooks, scripts, Gradescope's
  metadata); the other entries are checked and counted, and their folders are created.

Files are created with ``O_EXCL | O_NOFOLLOW`` and mode 0600 in a ``tempfile.mkdtemp``
folder (mode 0700) that ``unpacked`` removes on the way out, whatever happened. A corrupt
archive is one ``ArchiveError``. Nothing here runs or imports learner content.
"""
from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")
WANTED_SUFFIXES = (".ipynb", ".py")
WANTED_NAMES = ("submission_metadata.yml",)  # Gradescope's export: who submitted which folder
CHUNK = 1 << 20


@dataclass
class UnpackLimits:
    entries: int = 20_000  # entries of the archive, folders included
    total_size: int = 2 << 30  # bytes unpacked, all entries together
    ratio: float = 200.0  # unpacked / compressed bytes of one entry (of the whole stream for a tar.gz)
    ratio_from: int = 1 << 20  # the ratio is checked from this many unpacked bytes on (small files are harmless)
    depth: int = 32  # path components of one entry


class ArchiveError(ValueError):
    """The archive cannot be unpacked: corrupt, not an archive, or past a limit (one line)."""


@dataclass
class Unpacked:
    """A folder holding what an archive held, and the entries that were refused."""

    root: Path
    archive: Path
    refused: List[Tuple[str, str]] = field(default_factory=list)  # (entry name, why)
    entries: int = 0
    size: int = 0  # bytes written


def is_archive(path) -> bool:
    name = Path(path).name.lower()
    return name.endswith(SUFFIXES)


def _printable(name: str) -> str:
    return name.encode("unicode_escape", "backslashreplace").decode("ascii")[:300]


def safe_parts(name: str, depth: int = 32) -> Tuple[Optional[List[str]], str]:
    """The path components of an entry name, or (None, why) when it is not a plain relative
    path inside the folder."""
    if not name:
        return None, "an empty name"
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return None, "a control character in its name"
    unified = name.replace("\\", "/")
    if unified.startswith("/"):
        return None, "an absolute path"
    if re.match(r"^[A-Za-z]:", unified):
        return None, "a drive letter"
    parts = [part for part in unified.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        return None, "a path outside the archive ('..')"
    if not parts:
        return None, "an empty name"
    if len(parts) > depth:
        return None, f"more than {depth} folders deep"
    if any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in parts):
        return None, "a name component longer than 255 bytes"
    return parts, ""


def _wanted(parts: List[str]) -> bool:
    name = parts[-1]
    return name.lower().endswith(WANTED_SUFFIXES) or name in WANTED_NAMES


class _Writer:
    """Creates the folders and files of one archive under ``root``, counting bytes."""

    def __init__(self, unpacked: Unpacked, limits: UnpackLimits):
        self.unpacked, self.limits = unpacked, limits
        self.files = set()

    def count_entry(self) -> None:
        self.unpacked.entries += 1
        if self.unpacked.entries > self.limits.entries:
            raise ArchiveError(f"{self.unpacked.archive.name}: more than {self.limits.entries} entries; "
                               "refused (is it really a submissions export?)")

    def add_bytes(self, count: int) -> None:
        self.unpacked.size += count
        if self.unpacked.size > self.limits.total_size:
            raise ArchiveError(f"{self.unpacked.archive.name}: unpacks to more than "
                               f"{self.limits.total_size >> 20} MiB; refused (a zip bomb?)")

    def folder(self, parts: List[str]) -> Optional[Path]:
        path = self.unpacked.root
        for part in parts:
            path = path / part
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                if not stat.S_ISDIR(os.lstat(path).st_mode):
                    return None
        return path

    def file(self, name: str, parts: List[str], source, compressed: Optional[int], declared: Optional[int]) -> None:
        """Copy the stream ``source`` to the entry's file, checking sizes as it inflates."""
        parent = self.folder(parts[:-1])
        key = "/".join(parts)
        if parent is None or key in self.files:
            self.unpacked.refused.append((name, "a duplicate of another entry's name"))
            return
        try:
            handle = os.open(parent / parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except OSError:
            self.unpacked.refused.append((name, "a duplicate of another entry's name"))
            return
        self.files.add(key)
        written = 0
        with os.fdopen(handle, "wb") as out:
            while True:
                chunk = source.read(CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                self.add_bytes(len(chunk))
                if declared is not None and written > declared:
                    raise ArchiveError(f"{self.unpacked.archive.name}: entry {_printable(name)!r} inflates beyond "
                                       "its declared size; refused (a zip bomb?)")
                if compressed is not None and written >= self.limits.ratio_from \
                        and written > self.limits.ratio * max(compressed, 1):
                    raise ArchiveError(f"{self.unpacked.archive.name}: entry {_printable(name)!r} is compressed more "
                                       f"than {self.limits.ratio:g} to 1; refused (a zip bomb?)")
                out.write(chunk)


# --------------------------------------------------------------------------- zip

_ZIP_TYPES = {stat.S_IFLNK: "a symbolic link", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
              stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket"}


def _zip_entry_count(handle) -> int:
    """Entries the end-of-central-directory record announces, read before zipfile parses
    (and holds in memory) a central directory of any size."""
    record = zipfile._EndRecData(handle)  # noqa: SLF001 - the stdlib's own EOCD reader
    if not record:
        raise ArchiveError("not a zip archive (no end of central directory record)")
    return int(record[zipfile._ECD_ENTRIES_TOTAL])  # noqa: SLF001


def _unpack_zip(path: Path, writer: _Writer) -> None:
    limits, unpacked = writer.limits, writer.unpacked
    with open(path, "rb") as raw:
        if _zip_entry_count(raw) > limits.entries:
            raise ArchiveError(f"{path.name}: more than {limits.entries} entries; refused")
        raw.seek(0)
        archive = zipfile.ZipFile(raw)
        infos = archive.infolist()
        declared = 0
        for info in infos:  # every header first: a bomb is refused before anything is written
            declared += info.file_size
            if declared > limits.total_size:
                raise ArchiveError(f"{path.name}: unpacks to more than {limits.total_size >> 20} MiB; "
                                   "refused (a zip bomb?)")
            if info.file_size >= limits.ratio_from and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise ArchiveError(f"{path.name}: entry {_printable(info.filename)!r} is compressed more than "
                                   f"{limits.ratio:g} to 1; refused (a zip bomb?)")
        for info in infos:
            writer.count_entry()
            name = info.filename
            parts, why = safe_parts(name, limits.depth)
            mode = (info.external_attr >> 16) & 0o170000
            if parts is None:
                unpacked.refused.append((name, why))
                continue
            if mode in _ZIP_TYPES:
                unpacked.refused.append((name, f"{_ZIP_TYPES[mode]} entry"))
                continue
            if info.is_dir() or mode == stat.S_IFDIR:
                if writer.folder(parts) is None:
                    unpacked.refused.append((name, "a folder where a file of that name is"))
                continue
            if mode not in (0, stat.S_IFREG):
                unpacked.refused.append((name, "not a regular file"))
                continue
            if info.flag_bits & 0x1:
                unpacked.refused.append((name, "an encrypted entry"))
                continue
            if not _wanted(parts):
                writer.folder(parts[:-1])
                continue
            with archive.open(info) as source:
                writer.file(name, parts, source, info.compress_size, info.file_size)


# --------------------------------------------------------------------------- tar

class _CountingReader:
    """A decompressed stream that refuses to inflate past the limits."""

    def __init__(self, stream, raw, limits: UnpackLimits, name: str):
        self.stream, self.raw, self.limits, self.name = stream, raw, limits, name
        self.count = 0

    def read(self, size=-1):
        data = self.stream.read(size)
        self.count += len(data)
        if self.count > self.limits.total_size + (64 << 20):  # headers and padding on top of the files
            raise ArchiveError(f"{self.name}: unpacks to more than {self.limits.total_size >> 20} MiB; "
                               "refused (a tar bomb?)")
        compressed = max(self.raw.tell(), 1)
        if self.count >= self.limits.ratio_from and self.count > self.limits.ratio * compressed:
            raise ArchiveError(f"{self.name}: compressed more than {self.limits.ratio:g} to 1; refused (a tar bomb?)")
        return data


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "a symbolic link entry"
    if member.islnk():
        return "a hard link entry"
    if member.ischr() or member.isblk():
        return "a device entry"
    if member.isfifo():
        return "a FIFO entry"
    return "not a regular file"


def _unpack_tar(path: Path, writer: _Writer) -> None:
    limits, unpacked = writer.limits, writer.unpacked
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        reader = _CountingReader(stream, raw, limits, path.name)
        with tarfile.open(fileobj=reader, mode="r|") as archive:  # one pass, in order: never seeks back
            for member in archive:
                writer.count_entry()
                parts, why = safe_parts(member.name, limits.depth)
                if parts is None:
                    unpacked.refused.append((member.name, why))
                    continue
                if member.isdir():
                    if writer.folder(parts) is None:
                        unpacked.refused.append((member.name, "a folder where a file of that name is"))
                    continue
                if not member.isreg():
                    unpacked.refused.append((member.name, _tar_kind(member)))
                    continue
                if member.size > limits.total_size:
                    raise ArchiveError(f"{path.name}: entry {_printable(member.name)!r} is larger than "
                                       f"{limits.total_size >> 20} MiB; refused")
                if not _wanted(parts):
                    writer.folder(parts[:-1])
                    continue
                source = archive.extractfile(member)
                writer.file(member.name, parts, source, None, member.size)


# --------------------------------------------------------------------------- entry point

CORRUPT = (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, gzip.BadGzipFile, zlib.error, EOFError,
           NotImplementedError, RuntimeError, UnicodeDecodeError)


@contextlib.contextmanager
def unpacked(path, limits: Optional[UnpackLimits] = None) -> Iterator[Unpacked]:
    """``with unpacked("export.zip") as folder:`` the archive's checked content in
    ``folder.root``, a private temporary folder removed on the way out (also on error)."""
    path = Path(path)
    limits = limits or UnpackLimits()
    root = Path(tempfile.mkdtemp(prefix="grade-intake-"))
    try:
        result = Unpacked(root=root, archive=path)
        writer = _Writer(result, limits)
        try:
            if path.name.lower().endswith(".zip"):
                _unpack_zip(path, writer)
            else:
                _unpack_tar(path, writer)
        except ArchiveError as error:
            message = str(error)
            raise ArchiveError(message if message.startswith(path.name) else f"{path.name}: {message}") from None
        except FileNotFoundError:
            raise ArchiveError(f"{path}: no such file") from None
        except CORRUPT as error:
            raise ArchiveError(f"{path.name}: not a readable {_kind(path)} archive "
                               f"({type(error).__name__}: {_printable(str(error))[:160]})") from None
        except OSError as error:
            raise ArchiveError(f"{path.name}: cannot be unpacked ({error.strerror or error})") from None
        yield result
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _kind(path: Path) -> str:
    return "zip" if path.name.lower().endswith(".zip") else "tar"
