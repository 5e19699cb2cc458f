"""One zip of a student release, the same bytes on every run.

Entries are sorted, each under the release folder's name, with a fixed timestamp
(1980-01-01 00:00, the earliest a zip can hold), fixed permissions (0644), no extra
fields and a fixed compression level, so the archive depends on the files' contents only.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterable

from assignment.atomic import replacing

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def write_archive(folder: Path, files: Iterable[Path], archive: Path) -> Path:
    """Zip ``files`` (inside ``folder``) into ``archive`` as ``<folder name>/<relative path>``."""
    folder = Path(folder).resolve()
    entries = sorted({Path(path).resolve().relative_to(folder).as_posix() for path in files})
    archive = Path(archive)
    with replacing(archive) as temporary, zipfile.ZipFile(temporary, "w") as bundle:
        for entry in entries:
            info = zipfile.ZipInfo(f"{folder.name}/{entry}", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.create_system = 3  # Unix, whatever the machine: the attributes above are Unix ones
            bundle.writestr(info, (folder / entry).read_bytes(), compresslevel=9)
    return archive
