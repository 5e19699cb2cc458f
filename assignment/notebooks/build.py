"""``python -m assignment notebooks build``: write the notebooks from the reference solutions.

For every notebook of the registry (``assignment/exercises.py``) whose Markdown source
``notebooks/source/<Name>.md`` exists, this writes the learner copy
``notebooks/<Name>.ipynb`` (graded bodies replaced by the stubs, outputs empty) and, with
``--solutions DIR``, the solved copy ``DIR/<Name>.ipynb``. The output is a pure function
of the sources: two runs write identical bytes, and ``notebooks check`` tells whether the
committed notebooks are up to date (exit status 1 when they are not).

Never edit ``notebooks/*.ipynb`` by hand: edit the Markdown source or the reference module
and run ``python -m assignment notebooks build``.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Optional

import nbformat

from assignment.errors import Failure
from assignment.exercises import NOTEBOOKS
from assignment.notebooks.cells import LEARNER, SOLVED, assign_ids, build_cells, source_path
from assignment.notebooks.markers import SourceError
from assignment.paths import NOTEBOOK_DIR, SOURCE_DIR

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {"name": "python", "file_extension": ".py", "mimetype": "text/x-python",
                 "pygments_lexer": "ipython3", "codemirror_mode": {"name": "ipython", "version": 3}}


def available_notebooks(source_dir: Path = SOURCE_DIR) -> List[str]:
    """The registry's notebooks that have a Markdown source, in registry order."""
    return [name for name in NOTEBOOKS if source_path(name, source_dir).is_file()]


def build_notebook(notebook: str, variant: str = LEARNER, source_dir: Path = SOURCE_DIR):
    """The notebook as an ``nbformat`` node (outputs empty, ids deterministic)."""
    cells = build_cells(notebook, variant, source_dir)
    assign_ids(cells)
    nb = nbformat.v4.new_notebook()
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict({
        "kernelspec": KERNELSPEC,
        "language_info": LANGUAGE_INFO,
        "assignment": {"notebook": notebook, "variant": variant,
                       "generated_by": "python -m assignment notebooks build (do not edit by hand)"},
    })
    for cell in cells:
        metadata = dict(cell.metadata)
        if cell.tags:
            metadata["tags"] = list(cell.tags)
        if cell.cell_type == "code":
            node = nbformat.v4.new_code_cell(cell.source.rstrip("\n"), id=cell.id, metadata=metadata)
        else:
            node = nbformat.v4.new_markdown_cell(cell.source.rstrip("\n"), id=cell.id, metadata=metadata)
        nb.cells.append(node)
    nbformat.validate(nb)
    return nb


def render(notebook: str, variant: str = LEARNER, source_dir: Path = SOURCE_DIR) -> str:
    """The notebook file's exact text."""
    return nbformat.writes(build_notebook(notebook, variant, source_dir)) + "\n"


def learner_path(notebook: str, out_dir: Path = NOTEBOOK_DIR) -> Path:
    return Path(out_dir) / f"{notebook}.ipynb"


def write_if_changed(path: Path, text: str) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def write_notebooks(out_dir: Path = NOTEBOOK_DIR, solutions: Optional[Path] = None,
            notebooks: Optional[List[str]] = None, source_dir: Path = SOURCE_DIR) -> Dict[Path, bool]:
    """Write the learner copies (and the solved ones); returns {path: changed}."""
    written: Dict[Path, bool] = {}
    for name in notebooks or available_notebooks(source_dir):
        path = learner_path(name, out_dir)
        written[path] = write_if_changed(path, render(name, LEARNER, source_dir))
        if solutions is not None:
            path = Path(solutions) / f"{name}.ipynb"
            written[path] = write_if_changed(path, render(name, SOLVED, source_dir))
    return written


def stale_notebooks(out_dir: Path = NOTEBOOK_DIR, source_dir: Path = SOURCE_DIR) -> List[Path]:
    """Committed learner copies that differ from what ``write_notebooks`` generates."""
    stale = []
    for name in available_notebooks(source_dir):
        path = learner_path(name, out_dir)
        if not path.is_file() or path.read_text(encoding="utf-8") != render(name, LEARNER, source_dir):
            stale.append(path)
    return stale


def display_path(path: Path) -> str:
    """``path`` as a command prints it: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def build_notebooks(out: Path = NOTEBOOK_DIR, solutions: Optional[Path] = None,
                    notebooks: Optional[List[str]] = None) -> int:
    """``notebooks build``: write them (``write_notebooks``) and say which changed."""
    names = notebooks or available_notebooks()
    if not names:
        raise Failure(f"no notebook source found in {SOURCE_DIR}")
    missing = [n for n in names if not source_path(n).is_file()]
    if missing:
        raise Failure(f"no source {source_path(missing[0])}")
    try:
        written = write_notebooks(out, solutions, names)
    except SourceError as error:
        raise Failure(str(error)) from None
    for path, changed in written.items():
        print(f"{'wrote' if changed else 'unchanged'}: {display_path(path)}")
    return 0


def check_notebooks(out: Path = NOTEBOOK_DIR) -> int:
    """``notebooks check``: 1 (and a line per notebook) when a learner copy is out of date."""
    try:
        stale = stale_notebooks(out)
    except SourceError as error:
        raise Failure(str(error)) from None
    for path in stale:
        print(f"out of date: {display_path(path)} (run: python -m assignment notebooks build)", file=sys.stderr)
    if not stale:
        print(f"up to date: {', '.join(available_notebooks())}")
    return 1 if stale else 0
