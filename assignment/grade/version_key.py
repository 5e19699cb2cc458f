"""The grader's version key: what a stored result depends on, as one digest.

A result is reused (``batch.ResumeCache``) and a Dask worker may grade for a client
(``distributed``) only while this key is the same: ``GRADER_VERSION``, the sources that
decide a result (the grader's modules but those that only present or dispatch results,
the checks, the reference solutions, the registry), the numeric libraries' versions, and
the options that change a result. Computed from the files, without importing TensorFlow.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from typing import Dict, Optional

from assignment.grade import GRADER_VERSION
from assignment.grade.sandbox import Limits
from assignment.paths import PACKAGE_DIR

PACKAGE = PACKAGE_DIR  # assignment/
# What decides a result: the grader's modules (not the ones that only present or dispatch
# results), the checks, the reference and the registry.
PRESENTATION = {"commands.py", "batch.py", "distributed.py", "similarity.py", "report.py", "html_report.py",
                "autograder.py", "intake.py", "platform_layouts.py", "submission_tree.py", "archive.py",
                "version_key.py"}
TRUSTED_SOURCES = ("checks", "observations.py", "transformer.py", "transformer_2021.py", "exercises.py",
                   "notebooks/markers.py", "labs/ner/tokenizer.py", "legacy_keras.py", "paths.py", "__init__.py")
VERSIONED_PACKAGES = ("tensorflow", "tf-keras", "numpy")
# Options of the command line that never change a result (performance, output, dispatch).
NEUTRAL_OPTIONS = {"path", "out", "json", "gradescope", "jobs", "parallel", "quiet", "force", "scheduler"}


def source_key() -> str:
    """A digest of everything that decides a result: GRADER_VERSION, the grader's and the
    checks' sources, the reference solutions, the numeric libraries' versions. Any edit to
    a check changes it. Computed without importing TensorFlow."""
    digest = hashlib.sha256(GRADER_VERSION.encode())
    for name in VERSIONED_PACKAGES:
        try:
            digest.update(f"{name}=={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name} missing".encode())
    files = sorted(p for p in (PACKAGE / "grade").rglob("*.py") if p.name not in PRESENTATION)
    for name in TRUSTED_SOURCES:  # a folder counts with every module in it
        files += sorted((PACKAGE / name).rglob("*.py")) if (PACKAGE / name).is_dir() else [PACKAGE / name]
    for path in files:
        digest.update(f"\0{path.relative_to(PACKAGE)}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    return digest.hexdigest()


def result_options(limits: Limits, notebook: str, options: Optional[Dict] = None) -> Dict:
    """The settings a result depends on: the notebook, the sandbox limits (not the
    performance ones) and the command line's other options (``NEUTRAL_OPTIONS`` aside)."""
    settings = {key: value for key, value in dataclasses.asdict(limits).items()
                if key not in ("threads", "parallel", "startup")}
    extra = {key: value for key, value in (options or {}).items() if key not in NEUTRAL_OPTIONS}
    return json.loads(json.dumps({"notebook": notebook, "limits": settings, "options": extra}, default=str))


def grader_key(limits: Limits, notebook: str, options: Optional[Dict] = None) -> str:
    text = json.dumps(result_options(limits, notebook, options), sort_keys=True)
    return hashlib.sha256(f"{source_key()}\0{text}".encode()).hexdigest()[:32]
