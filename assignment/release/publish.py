"""``python -m assignment release DIR [--zip] [--notebook N]``: write the learner's release
(``assignment/release/build.py``) and say what was written."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

from assignment.errors import Failure
from assignment.notebooks.build import available_notebooks, display_path
from assignment.release.archive import write_archive
from assignment.release.build import STUDENT_NOTEBOOKS, StudentReleaseError, write_student_release
from assignment.release.environment import RequirementsError


def publish(out_dir: Path, notebooks: Optional[List[str]] = None, archive: bool = False) -> int:
    """``release DIR [--zip]``: write the student release of ``notebooks`` (default: every one
    it can hold) into ``out_dir`` (and ``out_dir.zip``), saying what it wrote."""
    names = notebooks or [name for name in available_notebooks() if name in STUDENT_NOTEBOOKS]
    try:
        written = write_student_release(out_dir, names, progress=lambda e: print(f"recording {e.name}",
                                                                               file=sys.stderr))
    except (StudentReleaseError, RequirementsError) as error:
        raise Failure(str(error)) from None
    for path in written:
        print(f"wrote: {display_path(path)}")
    if archive:
        zipped = write_archive(out_dir, written, Path(f"{Path(out_dir).resolve()}.zip"))
        print(f"wrote: {display_path(zipped)} ({len(written)} files, {zipped.stat().st_size / 1e6:.1f} MB)")
    left_out = [name for name in available_notebooks() if name not in names]
    if left_out:
        print(f"not in the student release: {', '.join(left_out)} (its public test needs the reference "
              "solution)")
    return 0
