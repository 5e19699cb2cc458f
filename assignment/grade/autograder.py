"""A Gradescope autograder: the archive an instructor uploads, and what runs inside it.

``python -m assignment gradescope build DIR`` writes ``DIR/autograder.zip`` (see
``write_autograder``). Gradescope's documented format (https://gradescope-autograders.readthedocs.io/en/latest/specs/,
source: github.com/gradescope/autograder_samples ``docs/specs.md``; facts in docs/gradescope.md):
``setup.sh`` and ``run_autograder`` at the root of the zip; the zip is unpacked into
``/autograder/source``; ``setup.sh`` runs once, as root, when the image is built;
``run_autograder`` runs once per submission, in ``/autograder``, with the submission in
``/autograder/submission`` and must write ``/autograder/results/results.json``.

The archive holds the grader's code with the reference solutions and the hidden checks
(the whole ``assignment`` package: Gradescope runs it on its own machine), the pinned
requirements, ``gradescope_config.json`` (notebook, policy, limits) and the solved
notebooks for ``setup.sh``'s self-test. ``run_autograder`` calls
``python -m assignment gradescope run`` (``run_autograder`` below), which finds the submitted
notebook, grades it in the same sandbox as ``grade`` does and writes ``results.json``
with ``report.gradescope`` (the one writer of that format). The root ``/autograder`` is
``$AUTOGRADER_ROOT`` when set, so a test can simulate Gradescope's layout anywhere.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import time
import traceback
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from assignment.atomic import replacing, write_text
from assignment.errors import Failure, UsageError
from assignment.exercises import NOTEBOOKS
from assignment.grade import GRADER_VERSION, report
from assignment.grade.core import error_result, grade_safely
from assignment.grade.isolation import IsolationError, select
from assignment.grade.sandbox import Limits
from assignment.notebooks.build import available_notebooks, display_path, render
from assignment.notebooks.cells import SOLVED
from assignment.paths import REPO_ROOT

ROOT_ENV = "AUTOGRADER_ROOT"
DEFAULT_ROOT = "/autograder"
CONFIG_NAME = "gradescope_config.json"
ARCHIVE_NAME = "autograder.zip"
SELF_TEST_DIR = "selftest"
REQUIREMENTS = ("requirements.txt", "requirements-nodeps.txt")
SUFFIXES = (".ipynb", ".py")
MAX_ENTRIES = 500  # files looked at in a submission folder
MAX_DEPTH = 4  # folder levels below /autograder/submission
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times: the same sources give the same archive bytes

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image; the zip is
# unpacked in /autograder/source. It installs Python 3.11 (and bubblewrap, the grader's
# sandbox) when they are missing, the pinned requirements into /autograder/source/.venv,
# then grades the solved notebook of selftest/ as a submission: the build fails when the
# grader cannot grade it 100/100 here (better than wrong grades later).
#   bash setup.sh --dry-run   prints the commands instead of running them
set -euo pipefail
DRY=0
if [ "${1:-}" = "--dry-run" ]; then DRY=1; fi
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$SOURCE/.venv"
run() { if [ "$DRY" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi; }

if ! command -v python3.11 >/dev/null 2>&1 || ! command -v bwrap >/dev/null 2>&1; then
  run apt-get update
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3.11 python3.11-venv bubblewrap ca-certificates
fi
run python3.11 -m venv "$VENV"
run "$VENV/bin/python" -m pip install --quiet --upgrade pip
run "$VENV/bin/python" -m pip install --quiet -r "$SOURCE/requirements.txt"
run "$VENV/bin/python" -m pip install --quiet --no-deps -r "$SOURCE/requirements-nodeps.txt"
run cd "$SOURCE"
run env TF_USE_LEGACY_KERAS=1 "$VENV/bin/python" -m assignment gradescope run --self-test
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this once per submission (as root, in /autograder): it grades the
# notebook of /autograder/submission and writes /autograder/results/results.json.
# AUTOGRADER_ROOT replaces /autograder (a simulated layout); AUTOGRADER_PYTHON the
# Python that setup.sh installed.
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON="${AUTOGRADER_PYTHON:-$SOURCE/.venv/bin/python}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
cd "$SOURCE" || exit 1
TF_USE_LEGACY_KERAS=1 PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -m assignment gradescope run --root "$ROOT"
status=$?
if [ ! -s "$RESULTS" ]; then  # the grader could not even start: still tell the learner something
  printf '{"score": 0, "tests": [], "output": "The autograder failed before grading (exit status %s). Nothing was graded; please tell your instructor."}\n' "$status" > "$RESULTS"
fi
exit 0
"""


# --------------------------------------------------------------------------- the archive

def _package_files(root: Path = REPO_ROOT) -> List[str]:
    """The grader's files, relative to the repository: every source file of ``assignment``."""
    package = root / "assignment"
    return sorted(str(path.relative_to(root)) for path in package.rglob("*")
                  if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts
                  and path.suffix not in (".pyc", ".pyo"))


def autograder_config(notebook: Optional[str] = None, policy: str = "course", timeout: float = 60.0,
                      memory: int = 4 << 30, isolation: str = "auto") -> Dict:
    """What ``run_autograder`` grades with (``gradescope_config.json``)."""
    return {"notebook": notebook, "policy": policy, "timeout": timeout, "memory": memory, "isolation": isolation,
            "grader_version": GRADER_VERSION}


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    archive.writestr(info, data)


def write_autograder(out_dir, notebooks: Optional[Sequence[str]] = None, config: Optional[Dict] = None,
                     root: Path = REPO_ROOT) -> Path:
    """Write ``out_dir/autograder.zip``; returns its path. ``notebooks``: the notebook the
    Gradescope assignment is (one name), or None to detect it per submission; their solved
    copies go to ``selftest/`` (the first is the self-test's)."""
    names = list(notebooks or [])
    unknown = [name for name in names if name not in NOTEBOOKS]
    if unknown:
        raise UsageError(f"no notebook {unknown[0]!r}; known: {', '.join(NOTEBOOKS)}")
    if len(names) > 1:
        raise UsageError("an autograder grades one notebook: give at most one --notebook "
                         "(none: the notebook is detected per submission)")
    config = dict(config or autograder_config(names[0] if names else None))
    solved = names or [name for name in available_notebooks() if name == "Transformer"] or available_notebooks()
    if not solved:
        raise UsageError("no notebook source to write the self-test's solved copy from")
    config["self_test"] = f"{SELF_TEST_DIR}/{solved[0]}.ipynb"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / ARCHIVE_NAME
    with replacing(path) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        _add(archive, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(archive, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        _add(archive, CONFIG_NAME, (json.dumps(config, indent=2) + "\n").encode())
        for name in REQUIREMENTS:
            _add(archive, name, (root / name).read_bytes())
        for relative in _package_files(root):
            _add(archive, relative, (root / relative).read_bytes())
        _add(archive, config["self_test"], render(solved[0], SOLVED).encode())
    return path


# --------------------------------------------------------------------------- inside Gradescope

class NoSubmission(Exception):
    """No notebook to grade in the submission folder; the message is for the learner."""


def find_submission(folder: Path, notebook: Optional[str] = None) -> Path:
    """The file to grade in Gradescope's submission folder (subfolders too, as an uploaded
    zip unpacks). Never follows a symlink. Preference: a file named like the notebook
    (``Transformer.ipynb``), else the only ``.ipynb``, else the only ``.py``."""
    found: List[Path] = []
    links: List[str] = []
    seen = 0
    pending = [(Path(folder), 0)]
    while pending:
        current, depth = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                raise NoSubmission(f"the submission has more than {MAX_ENTRIES} files; submit the notebook alone")
            if entry.name.startswith(".") or entry.name == "__MACOSX":
                continue
            if entry.is_symlink():
                links.append(str(Path(entry.path).relative_to(folder)))
            elif entry.is_dir(follow_symlinks=False):
                if depth < MAX_DEPTH:
                    pending.append((Path(entry.path), depth + 1))
            elif entry.is_file(follow_symlinks=False) and Path(entry.name).suffix.lower() in SUFFIXES:
                found.append(Path(entry.path))
    names = [notebook] if notebook else list(NOTEBOOKS)
    for name in names:
        named = sorted(path for path in found if path.name.lower() == f"{name.lower()}.ipynb")
        if named:
            return named[0]
    for suffix in SUFFIXES:
        matching = sorted(path for path in found if path.suffix.lower() == suffix)
        if len(matching) == 1:
            return matching[0]
        if len(matching) > 1:
            listed = ", ".join(str(path.relative_to(folder)) for path in matching[:10])
            expected = f"{notebook}.ipynb" if notebook else " or ".join(f"{name}.ipynb" for name in NOTEBOOKS)
            raise NoSubmission(f"several {suffix} files were submitted ({listed}); submit one notebook, "
                               f"named {expected}")
    detail = f" (symbolic links are not followed: {', '.join(links[:5])})" if links else ""
    raise NoSubmission(f"no .ipynb notebook was found in the submission{detail}; upload your notebook "
                       f"({notebook or 'Transformer'}.ipynb)")


def read_config(source: Path) -> Dict:
    path = Path(source) / CONFIG_NAME
    config = autograder_config()
    if path.is_file():
        config.update(json.loads(path.read_text(encoding="utf-8")))
    return config


def _limits(config: Dict):
    if (config.get("isolation") or "auto") == "none":
        # run_autograder runs as root: unconfined learner code could rewrite results.json
        raise IsolationError("isolation 'none' is refused in an autograder: the learner's code would run as root "
                             "beside results.json")
    cores = os.cpu_count() or 1
    parallel = max(1, min(2, cores))
    return Limits(timeout=float(config["timeout"]), memory=int(config["memory"]), parallel=parallel,
                  threads=max(1, cores // parallel), isolation=select(config.get("isolation") or "auto"))


def grade_root(root: Path, source: Optional[Path] = None) -> Dict:
    """Grade the submission of a Gradescope layout ``root`` and write its
    ``results/results.json``; returns the result. Whatever happens, a results file is
    written (an error result when the submission or the grader fails)."""
    root = Path(root)
    source = Path(source) if source else REPO_ROOT
    started = time.monotonic()
    config = read_config(source)
    notebook = config.get("notebook")
    policy = config.get("policy", "course")
    submission = root / "submission"
    try:
        path = find_submission(submission, notebook)
        result = grade_safely(path, _limits(config), notebook, policy)
    except NoSubmission as error:
        result = error_result(submission, str(error), notebook, policy)
    except IsolationError as error:
        result = error_result(submission, f"the autograder could not start its sandbox ({error}); nothing was "
                                          "run. Please tell your instructor.", notebook, policy)
    except Exception as error:  # noqa: BLE001 - a results file is written whatever happens
        detail = traceback.format_exception_only(type(error), error)[-1].strip()
        result = error_result(submission, f"the autograder failed: {detail}. Please tell your instructor.",
                              notebook, policy)
    result["seconds"] = round(time.monotonic() - started, 3)
    write_text(root / "results" / "results.json", json.dumps(report.gradescope(result), indent=2) + "\n")
    print(report.table(result))  # /autograder/results/stdout: for the instructor
    return result


def self_test(source: Optional[Path] = None) -> int:
    """Grade the archive's solved notebook as a submission, in a temporary Gradescope
    layout; 0 when it scores full marks, else ``Failure``."""
    source = Path(source) if source else REPO_ROOT
    config = read_config(source)
    solved = source / config.get("self_test", f"{SELF_TEST_DIR}/Transformer.ipynb")
    if not solved.is_file():
        raise Failure(f"no solved notebook {solved} for the self-test")
    with tempfile.TemporaryDirectory(prefix="autograder-self-test-") as folder:
        root = Path(folder)
        (root / "submission").mkdir()
        shutil.copy(solved, root / "submission" / solved.name)
        result = grade_root(root, source)
    if result["error"] or result["score"] != result["max_score"]:
        raise Failure(f"the self-test scored {result['score']:g}/{result['max_score']:g} on the solved "
                      f"{solved.name} ({result.get('error') or 'see the table above'})")
    print(f"self-test passed: {solved.name} scores {result['score']:g}/{result['max_score']:g}")
    return 0


def build_autograder(out_dir, notebooks: Optional[Sequence[str]] = None) -> int:
    """``gradescope build DIR``: write the archive (``write_autograder``) and say where."""
    print(f"wrote: {display_path(write_autograder(out_dir, notebooks))}")
    return 0


def run_autograder(root: Optional[Path] = None, self_test_only: bool = False) -> int:
    """``gradescope run``: what ``run_autograder`` calls; ``self_test_only``: setup.sh's self-test."""
    if self_test_only:
        return self_test()
    root = Path(root) if root else Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)
    if not (root / "submission").is_dir():
        raise UsageError(f"no submission folder {root / 'submission'} (set {ROOT_ENV} or --root to the autograder "
                         "root)")
    grade_root(root)
    return 0
