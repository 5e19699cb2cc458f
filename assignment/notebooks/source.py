"""Turn the reference solutions and a Markdown source into notebook cells.

Two inputs, one output:

* the reference module (``assignment/transformer.py``, or whatever the registry names as
  ``source_module``) holds the graded code. A graded block starts at the comment line
  ``# UNQ_C<n> (UNIQUE CELL IDENTIFIER, DO NOT EDIT)`` and runs to the end of the
  top-level ``def``/``class`` that follows it. Inside, ``### BEGIN SOLUTION`` ...
  ``### END SOLUTION`` holds the solution (dropped from the learner copy) and
  ``### BEGIN STUB`` ... ``### END STUB`` holds the learner's lines, commented out
  (uncommented in the learner copy, dropped from the solved copy). Marker lines never
  reach a notebook.
* the Markdown source (``notebooks/source/<Name>.md``): text becomes markdown cells (a
  new cell at each heading), each ```` ```python ```` fence becomes one code cell (an
  info string like ```` ```python tags=figure,slow ```` adds cell tags), and HTML-comment
  directives pull code in:

  - ``<!-- source: NAME -->``, or ``<!-- source: package.module:NAME -->``: a code cell
    with the source of the top-level function/class NAME of the reference module;
  - ``<!-- graded: NAME -->``: the graded cell of exercise NAME (learner or solved form),
    then its public-test cell, built from the registry (``check`` and ``extra_args``),
    then an "Expected output" cell;
  - ``<!-- include: FILE.md -->``: the cells of another source file in the same folder,
    or nothing when that file does not exist (optional sections). Included cells are
    tagged ``optional``, so that quick executions (the CI tests) can skip them.

Nothing here imports TensorFlow: the reference modules are read as text and parsed with
``ast``, so generating the notebooks is fast and needs no accelerator.
"""
from __future__ import annotations

import ast
import hashlib
import io
import re
import textwrap
import threading
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from assignment.exercises import Exercise, exercises_of
from assignment.paths import REPO_ROOT, SOURCE_DIR


LEARNER = "learner"
SOLVED = "solved"
VARIANTS = (LEARNER, SOLVED)

UNQ_RE = re.compile(r"^# (UNQ_C\d+) \(UNIQUE CELL IDENTIFIER, DO NOT EDIT\)\s*$")
GRADED_RE = re.compile(r"^# GRADED FUNCTION (\w+)\s*$")
MARKER_RE = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|STUB)\s*$")
START_CODE_RE = re.compile(r"^(\s*)# START CODE HERE\s*$")
DIRECTIVE_RE = re.compile(r"^<!--\s*([a-z][a-z-]*)\s*:\s*(\S+)\s*-->\s*$")
DIRECTIVES = ("source", "graded", "include")
FENCE_RE = re.compile(r"^(`{3,}|~{3,})\s*([^`\s]*)(.*)$")
HEADING_RE = re.compile(r"^#{1,6} ")

EXPECTED_OUTPUT_HEADER = "**Expected output**"
# Cells of an included section carry this tag: the execution tests skip them (they may
# train a model), `python -m assignment.notebooks.execute` runs them unless --skip-optional.
OPTIONAL_TAG = "optional"


class SourceError(ValueError):
    """A reference module or Markdown source that cannot become a notebook.

    The message starts with ``file:line:`` so an editor can jump to the problem.
    """

    def __init__(self, path, lineno: Optional[int], message: str):
        where = f"{path}:{lineno}" if lineno else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path, self.lineno = str(path), lineno


# --------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------

@dataclass
class Cell:
    """One notebook cell before it becomes JSON."""

    cell_type: str  # "markdown" or "code"
    source: str
    tags: Tuple[str, ...] = ()
    metadata: Dict[str, object] = field(default_factory=dict)
    id: Optional[str] = None  # None: derived from the content when the notebook is built


# --------------------------------------------------------------------------------------
# Reference modules: markers and graded blocks
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GradedBlock:
    """The graded cell of one exercise, in both forms."""

    name: str
    tag: str  # "UNQ_C1", as written in the source
    learner: str
    solved: str
    first_line: int  # 1-based line of the "# UNQ_C" comment in the reference module
    solution_lines: int  # logical lines of code in the solution, for the learner's hint


def check_markers(lines: Sequence[str], path, allowed: Optional[Sequence[Tuple[int, int]]] = None,
                  first_lineno: int = 1) -> None:
    """Raise :class:`SourceError` unless the BEGIN/END markers pair up.

    ``allowed``: 1-based inclusive line ranges (the graded blocks) outside of which no
    marker may appear; ``None`` accepts markers anywhere.
    """
    open_kind, open_line = None, None
    for lineno, line in enumerate(lines, start=first_lineno):
        match = MARKER_RE.match(line)
        if not match:
            continue
        action, kind = match.groups()
        if allowed is not None and not any(lo <= lineno <= hi for lo, hi in allowed):
            raise SourceError(path, lineno, f"'### {action} {kind}' outside a graded block "
                                            "(a '# UNQ_C<n>' comment followed by a top-level def/class)")
        if action == "BEGIN":
            if open_kind is not None:
                raise SourceError(path, lineno, f"'### BEGIN {kind}' inside the {open_kind} block "
                                                f"opened at line {open_line}; close it first with "
                                                f"'### END {open_kind}'")
            open_kind, open_line = kind, lineno
        else:
            if open_kind is None:
                raise SourceError(path, lineno, f"'### END {kind}' without a matching '### BEGIN {kind}'")
            if open_kind != kind:
                raise SourceError(path, lineno, f"'### END {kind}' closes the {open_kind} block opened "
                                                f"at line {open_line}; expected '### END {open_kind}'")
            open_kind, open_line = None, None
    if open_kind is not None:
        raise SourceError(path, open_line, f"'### BEGIN {open_kind}' is never closed with "
                                           f"'### END {open_kind}'")


def uncomment_stub_line(line: str, path, lineno: int) -> str:
    """``    # x = None`` -> ``    x = None``; ``    #`` -> empty line; blank stays blank."""
    if not line.strip():
        return ""
    match = re.match(r"^(\s*)#( (.*))?$", line)
    if not match:
        raise SourceError(path, lineno, "a line inside '### BEGIN STUB' ... '### END STUB' must be "
                                        f"commented out with '# ' (got {line.strip()!r})")
    indent, rest = match.group(1), match.group(3)
    return "" if rest is None else indent + rest


def count_logical_lines(code: str) -> int:
    """Statements the code holds (a call spread over three lines counts once)."""
    code = textwrap.dedent(code)
    count = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.NEWLINE:
                count += 1
    except (tokenize.TokenError, IndentationError):
        count = sum(1 for line in code.splitlines() if line.strip() and not line.strip().startswith("#"))
    return count


def split_graded_lines(lines: Sequence[str], path, first_lineno: int = 1) -> Tuple[List[str], List[str], int]:
    """Split one graded block into (learner lines, solved lines, solution statement count).

    ``first_lineno``: the file line number of ``lines[0]``, for error messages.
    """
    check_markers(lines, path, first_lineno=first_lineno)
    learner: List[str] = []
    solved: List[str] = []
    state = None
    solution: List[str] = []
    for offset, line in enumerate(lines):
        lineno = first_lineno + offset
        match = MARKER_RE.match(line)
        if match:
            action, kind = match.groups()
            state = kind if action == "BEGIN" else None
            continue
        if state == "SOLUTION":
            solved.append(line)
            solution.append(line)
        elif state == "STUB":
            learner.append(uncomment_stub_line(line, path, lineno))
        else:
            learner.append(line)
            solved.append(line)
    return learner, solved, count_logical_lines("\n".join(solution) + "\n")


def _top_level_definitions(tree: ast.Module) -> Dict[str, ast.AST]:
    return {node.name: node for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _first_line(node: ast.AST) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


# CPython 3.11 before 3.11.8 can fail ast.parse in two threads at once ("SystemError: AST
# constructor recursion depth mismatch", python/cpython#106905): notebooks are built in threads.
_PARSE_LOCK = threading.Lock()


def read_module(path: Path) -> Tuple[List[str], ast.Module]:
    text = Path(path).read_text(encoding="utf-8")
    try:
        with _PARSE_LOCK:
            tree = ast.parse(text, filename=str(path))
    except SyntaxError as error:
        raise SourceError(path, error.lineno, f"not valid Python: {error.msg}") from None
    return text.splitlines(), tree


def graded_blocks(path: Path) -> Dict[str, GradedBlock]:
    """Every graded block of a reference module, by function/class name."""
    path = Path(path)
    lines, tree = read_module(path)
    blocks: Dict[str, GradedBlock] = {}
    ranges: List[Tuple[int, int]] = []
    definitions = sorted(_top_level_definitions(tree).values(), key=_first_line)
    for node in definitions:
        start = _first_line(node)
        # Walk up over the comment lines right above the definition.
        unq_line, graded_name = None, None
        lineno = start - 1
        while lineno >= 1 and lines[lineno - 1].startswith("#"):
            text = lines[lineno - 1]
            if UNQ_RE.match(text):
                unq_line = lineno
            graded = GRADED_RE.match(text)
            if graded:
                graded_name = graded.group(1)
            lineno -= 1
        if unq_line is None:
            continue
        if graded_name is not None and graded_name != node.name:
            raise SourceError(path, unq_line, f"'# GRADED FUNCTION {graded_name}' sits above "
                                              f"{node.name!r}; the names must agree")
        end = node.end_lineno
        ranges.append((unq_line, end))
        block = lines[unq_line - 1:end]
        learner, solved, count = split_graded_lines(block, path, unq_line)
        if not any(MARKER_RE.match(line) for line in block):
            raise SourceError(path, unq_line, f"graded block {node.name!r} has no "
                                              "'### BEGIN SOLUTION' ... '### END SOLUTION' part")
        learner = _add_line_count_hint(learner, count)
        blocks[node.name] = GradedBlock(
            name=node.name, tag=UNQ_RE.match(lines[unq_line - 1]).group(1),
            learner="\n".join(learner).rstrip() + "\n", solved="\n".join(solved).rstrip() + "\n",
            first_line=unq_line, solution_lines=count)
    check_markers(lines, path, allowed=ranges)
    return blocks


def _add_line_count_hint(lines: List[str], count: int) -> List[str]:
    """Put "(≈ N lines of code)" under the first '# START CODE HERE' of the learner copy."""
    out = []
    added = False
    for line in lines:
        out.append(line)
        match = START_CODE_RE.match(line)
        if match and not added and count:
            plural = "line" if count == 1 else "lines"
            out.append(f"{match.group(1)}# (≈ {count} {plural} of code)")
            added = True
    return out


def definition_source(path: Path, name: str) -> str:
    """The source text of the top-level function or class ``name`` (decorators included)."""
    path = Path(path)
    lines, tree = read_module(path)
    node = _top_level_definitions(tree).get(name)
    if node is None:
        raise SourceError(path, None, f"no top-level function or class named {name!r}")
    text = lines[_first_line(node) - 1:node.end_lineno]
    if any(MARKER_RE.match(line) for line in text):
        raise SourceError(path, node.lineno, f"{name!r} holds solution/stub markers: "
                                             "use <!-- graded: ... --> for it, not <!-- source: ... -->")
    return "\n".join(text) + "\n"


def module_path(module: str) -> Path:
    """The file of a module of this repository, found without importing it."""
    parts = module.split(".")
    base = REPO_ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"module {module!r} not found under {REPO_ROOT} "
                            f"(looked for {base.with_suffix('.py')} and {base / '__init__.py'})")


# --------------------------------------------------------------------------------------
# Markdown source
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Directive:
    kind: str
    argument: str
    path: str
    lineno: int


def parse_markdown(text: str, path) -> List[object]:
    """Split a Markdown source into :class:`Cell` (markdown/code) and :class:`Directive` items.

    A markdown cell ends before each heading, code fence and directive; an "Expected
    output" block (the line ``**Expected output**`` and the fence after it) is a cell of
    its own, so that tests can compare it with the output of the code cell above.
    """
    items: List[object] = []
    markdown: List[str] = []

    def flush_markdown():
        body = "\n".join(markdown).strip("\n")
        if body.strip():
            items.append(Cell("markdown", body.rstrip() + "\n"))
        markdown.clear()

    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        fence = FENCE_RE.match(line)
        if fence:
            marker, language, info = fence.group(1), fence.group(2), fence.group(3).strip()
            # Find the closing fence (same character, at least as long).
            j = i + 1
            while j < len(lines) and not (lines[j].startswith(marker) and not lines[j].strip(marker[0]).strip()):
                j += 1
            if j >= len(lines):
                raise SourceError(path, lineno, f"code fence {marker}{language} is never closed")
            if language == "python":
                flush_markdown()
                tags = _fence_tags(info, path, lineno)
                code = "\n".join(lines[i + 1:j]).strip("\n")
                if not code.strip():
                    raise SourceError(path, lineno, "empty ```python block")
                items.append(Cell("code", code + "\n", tags=tags))
            else:  # text, mermaid, ...: stays inside the markdown cell
                markdown.extend(lines[i:j + 1])
                if next((l for l in markdown if l.strip()), "").strip() == EXPECTED_OUTPUT_HEADER:
                    flush_markdown()  # an "Expected output" block is a cell of its own
            i = j + 1
            continue
        directive = DIRECTIVE_RE.match(line.strip())
        if directive:
            kind, argument = directive.groups()
            if kind not in DIRECTIVES:
                raise SourceError(path, lineno, f"unknown directive {kind!r}; known: {', '.join(DIRECTIVES)}")
            flush_markdown()
            items.append(Directive(kind, argument, str(path), lineno))
            i += 1
            continue
        if line.strip().startswith("<!--") and re.match(r"^<!--\s*(source|graded|include)\b", line.strip()):
            raise SourceError(path, lineno, f"malformed directive {line.strip()!r}; "
                                            "write it as <!-- kind: argument --> on its own line")
        if (HEADING_RE.match(line) or line.strip() == EXPECTED_OUTPUT_HEADER) and any(l.strip() for l in markdown):
            flush_markdown()
        markdown.append(line)
        i += 1
    flush_markdown()
    return items


def _fence_tags(info: str, path, lineno: int) -> Tuple[str, ...]:
    if not info:
        return ()
    match = re.fullmatch(r"tags=([A-Za-z0-9_,-]+)", info)
    if not match:
        raise SourceError(path, lineno, f"unsupported fence options {info!r}; use e.g. ```python tags=figure")
    return tuple(tag for tag in match.group(1).split(",") if tag)


# --------------------------------------------------------------------------------------
# Building the cells of a notebook
# --------------------------------------------------------------------------------------

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
