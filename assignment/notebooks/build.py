"""``python -m assignment release``: write the notebooks from the reference solutions.

For every notebook of the registry (``assignment/exercises.py``) whose Markdown source
``notebooks/source/<Name>.md`` exists, this writes the learner copy
``notebooks/<Name>.ipynb`` (graded bodies replaced by the stubs, outputs empty) and, with
``--solutions DIR``, the solved copy ``DIR/<Name>.ipynb``. The output is a pure function
of the sources: two runs write identical bytes, and ``--check`` tells whether the
committed notebooks are up to date (exit status 1 when they are not).

Never edit ``notebooks/*.ipynb`` by hand: edit the Markdown source or the reference module
and run ``make release``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Optional

import nbformat

from assignment.exercises import NOTEBOOKS
from assignment.notebooks.cells import LEARNER, SOLVED, assign_ids, build_cells, source_path
from assignment.notebooks.markers import SourceError
from assignment.paths import REPO_ROOT, SOURCE_DIR, NOTEBOOK_DIR

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
                       "generated_by": "python -m assignment release (do not edit by hand)"},
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


def release(out_dir: Path = NOTEBOOK_DIR, solutions: Optional[Path] = None,
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
    """Committed learner copies that differ from what ``release`` generates."""
    stale = []
    for name in available_notebooks(source_dir):
        path = learner_path(name, out_dir)
        if not path.is_file() or path.read_text(encoding="utf-8") != render(name, LEARNER, source_dir):
            stale.append(path)
    return stale


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assignment release",
        description="Generate notebooks/<Name>.ipynb (learner copies) from notebooks/source/<Name>.md "
                    "and the reference solutions.")
    parser.add_argument("--solutions", metavar="DIR", type=Path,
                        help="also write the solved copies (instructors only) into DIR")
    parser.add_argument("--out", metavar="DIR", type=Path, default=NOTEBOOK_DIR,
                        help="folder of the learner copies (default: notebooks/)")
    parser.add_argument("--notebook", action="append", choices=sorted(NOTEBOOKS),
                        help="only this notebook (repeatable; default: every one with a source)")
    parser.add_argument("--student", metavar="DIR", type=Path,
                        help="write the student release into DIR instead: learner notebooks, public_tests.py, "
                             "the checks' learner side and the recorded public values, no solutions")
    parser.add_argument("--zip", action="store_true",
                        help="with --student DIR: also write DIR.zip, the same files in one archive (the same bytes "
                             "on every run), for a course page")
    parser.add_argument("--gradescope", metavar="DIR", type=Path,
                        help="write DIR/autograder.zip, a Gradescope autograder (setup.sh, run_autograder, the "
                             "grader with the reference and hidden checks); --notebook picks the one it grades")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a committed learner copy is out of date")
    args = parser.parse_args(argv)

    try:
        if args.check:
            stale = stale_notebooks(args.out)
            for path in stale:
                print(f"out of date: {_display(path)} (run: python -m assignment release)", file=sys.stderr)
            if not stale:
                print(f"up to date: {', '.join(available_notebooks())}")
            return 1 if stale else 0
        if args.zip and args.student is None:
            print("error: --zip needs --student DIR (it archives the student release)", file=sys.stderr)
            return 2
        if args.student is not None:
            return _student(args.student, args.notebook, args.zip)
        if args.gradescope is not None:
            from assignment.grade.autograder import write_autograder
            print(f"wrote: {_display(write_autograder(args.gradescope, args.notebook))}")
            return 0
        names = args.notebook or available_notebooks()
        if not names:
            print(f"error: no notebook source found in {SOURCE_DIR}", file=sys.stderr)
            return 1
        missing = [n for n in names if not source_path(n).is_file()]
        if missing:
            print(f"error: no source {source_path(missing[0])}", file=sys.stderr)
            return 1
        written = release(args.out, args.solutions, names)
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path, changed in written.items():
        print(f"{'wrote' if changed else 'unchanged'}: {_display(path)}")
    return 0


def _student(out_dir: Path, notebooks, archive: bool = False) -> int:
    from assignment.release.environment import RequirementsError
    from assignment.release.archive import write_archive
    from assignment.release.build import STUDENT_NOTEBOOKS, StudentReleaseError, write_student_release
    names = notebooks or [name for name in available_notebooks() if name in STUDENT_NOTEBOOKS]
    try:
        written = write_student_release(out_dir, names, progress=lambda e: print(f"recording {e.name}",
                                                                               file=sys.stderr))
    except (StudentReleaseError, RequirementsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote: {_display(path)}")
    if archive:
        zipped = write_archive(out_dir, written, Path(f"{Path(out_dir).resolve()}.zip"))
        print(f"wrote: {_display(zipped)} ({len(written)} files, {zipped.stat().st_size / 1e6:.1f} MB)")
    left_out = [name for name in available_notebooks() if name not in names]
    if left_out:
        print(f"not in the student release: {', '.join(left_out)} (its public test needs the reference "
              "solution)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
