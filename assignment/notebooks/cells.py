"""The cells of a notebook, in the learner's or the solved form, from its Markdown source
(``assignment.notebooks.markdown``) and the reference modules (``assignment.notebooks.markers``).

The directives of the source pull code in:

- ``<!-- source: NAME -->``, or ``<!-- source: package.module:NAME -->``: a code cell
  with the source of the top-level function/class NAME of the reference module;
- ``<!-- graded: NAME -->``: the graded cell of exercise NAME (learner or solved form),
  then its public-test cell, built from the registry (``check`` and ``extra_args``),
  then an "Expected output" cell;
- ``<!-- include: FILE.md -->``: the cells of another source file in the same folder,
  or nothing when that file does not exist (optional sections). Included cells are
  tagged ``optional``, so that quick executions (the CI tests) can skip them.

Nothing here imports TensorFlow, so generating the notebooks is fast and needs no accelerator.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Dict, List, Tuple

from assignment.exercises import Exercise, exercises_of
from assignment.notebooks.markdown import EXPECTED_OUTPUT_HEADER, Cell, Directive, parse_markdown
from assignment.notebooks.markers import GradedBlock, SourceError, definition_source, graded_blocks, module_path
from assignment.paths import SOURCE_DIR

LEARNER = "learner"
SOLVED = "solved"
VARIANTS = (LEARNER, SOLVED)

# Cells of an included section carry this tag: the execution tests skip them (they may
# train a model), `python -m assignment.notebooks.execute` runs them unless --skip-optional.
OPTIONAL_TAG = "optional"


def test_call(exercise: Exercise) -> str:
    """The public-test call of an exercise, e.g. ``Decoder_test(Decoder, create_look_ahead_mask, ...)``."""
    return f"{exercise.check}({', '.join((exercise.name,) + tuple(exercise.extra_args))})"


def source_path(notebook: str, source_dir: Path = SOURCE_DIR) -> Path:
    return Path(source_dir) / f"{notebook}.md"


def build_cells(notebook: str, variant: str, source_dir: Path = SOURCE_DIR) -> List[Cell]:
    """The cells of ``notebook`` ("Transformer", ...) in the learner or solved form."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    exercises = {e.name: e for e in exercises_of(notebook)}
    default_module = next(iter(exercises.values())).source_module
    blocks_cache: Dict[Path, Dict[str, GradedBlock]] = {}
    seen_graded: List[str] = []

    def blocks_of(path: Path) -> Dict[str, GradedBlock]:
        if path not in blocks_cache:
            blocks_cache[path] = graded_blocks(path)
        return blocks_cache[path]

    def expand(path: Path, stack: Tuple[Path, ...]) -> List[Cell]:
        cells: List[Cell] = []
        for item in parse_markdown(path.read_text(encoding="utf-8"), path):
            if isinstance(item, Cell):
                if item.cell_type == "markdown" and item.source.startswith(EXPECTED_OUTPUT_HEADER):
                    item.tags = tuple(item.tags) + ("expected-output",)
                cells.append(item)
                continue
            if item.kind == "include":
                target = (path.parent / item.argument).resolve()
                if target in stack:
                    raise SourceError(item.path, item.lineno, f"include cycle through {item.argument}")
                if target.is_file():  # optional sections: a missing file renders nothing
                    for cell in expand(target, stack + (target,)):
                        if OPTIONAL_TAG not in cell.tags:
                            cell.tags = tuple(cell.tags) + (OPTIONAL_TAG,)
                        cells.append(cell)
            elif item.kind == "source":
                module, _, name = item.argument.rpartition(":")
                try:
                    code = definition_source(module_path(module or default_module), name)
                except FileNotFoundError as error:
                    raise SourceError(item.path, item.lineno, str(error)) from None
                cells.append(Cell("code", code, tags=("given",)))
            elif item.kind == "graded":
                cells.extend(graded_cells(item, exercises, blocks_of, variant, seen_graded))
        return cells

    path = source_path(notebook, source_dir)
    cells = expand(path, (path.resolve(),))
    missing = [name for name in exercises if name not in seen_graded]
    if missing:
        raise SourceError(path, None, f"no <!-- graded: NAME --> directive for {', '.join(missing)} "
                                      f"(the registry lists them for notebook {notebook!r})")
    order = [name for name in exercises]
    if seen_graded != order:
        raise SourceError(path, None, f"graded cells appear in the order {seen_graded}; "
                                      f"the registry's order is {order}")
    return cells


def graded_cells(item: Directive, exercises: Dict[str, Exercise], blocks_of, variant: str,
                 seen: List[str]) -> List[Cell]:
    exercise = exercises.get(item.argument)
    if exercise is None:
        raise SourceError(item.path, item.lineno, f"{item.argument!r} is not an exercise of this "
                                                  f"notebook in assignment/exercises.py; known: {sorted(exercises)}")
    if exercise.name in seen:
        raise SourceError(item.path, item.lineno, f"exercise {exercise.name!r} is inserted twice")
    seen.append(exercise.name)
    path = module_path(exercise.source_module)
    block = blocks_of(path).get(exercise.name)
    if block is None:
        raise SourceError(path, None, f"no graded block for {exercise.name!r}: expected a "
                                      "'# UNQ_C<n> (UNIQUE CELL IDENTIFIER, DO NOT EDIT)' comment above it")
    if block.tag != exercise.tag:
        raise SourceError(path, block.first_line, f"{exercise.name!r} is marked {block.tag} here but "
                                                  f"{exercise.tag} in the registry")
    slug = exercise.tag.lower()
    grader = {"exercise": exercise.name, "tag": exercise.tag, "points": exercise.points,
              "check": exercise.check}
    graded = Cell("code", block.learner if variant == LEARNER else block.solved,
                  tags=("graded", exercise.tag), id=slug,
                  metadata={"assignment": dict(grader, role="graded"), "deletable": False})
    test = Cell("code", f"# UNIT TEST\n{test_call(exercise)}\n", tags=("public-test", f"{exercise.tag}-test"),
                id=f"{slug}-test", metadata={"assignment": dict(grader, role="public-test")})
    expected = Cell("markdown", f"{EXPECTED_OUTPUT_HEADER}\n\n```text\nAll tests passed\n```\n",
                    tags=("expected-output",), id=f"{slug}-expected")
    return [graded, test, expected]


def assign_ids(cells: List[Cell]) -> None:
    """Deterministic cell ids: the given ones, else a hash of the cell's type and text."""
    used = {cell.id for cell in cells if cell.id}
    for cell in cells:
        if cell.id:
            continue
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode("utf-8")).hexdigest()
        base = f"{cell.cell_type[:2]}-{digest[:10]}"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        cell.id = candidate
        used.add(candidate)
