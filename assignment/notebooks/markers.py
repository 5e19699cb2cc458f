"""The markers of the reference modules: where a graded block starts and ends, which lines
are the solution and which the learner's stub.

A reference module (``assignment/transformer.py``, or whatever the registry names as
``source_module``) holds the graded code. A graded block starts at the comment line
``# UNQ_C<n> (UNIQUE CELL IDENTIFIER, DO NOT EDIT)`` and runs to the end of the
top-level ``def``/``class`` that follows it. Inside, ``### BEGIN SOLUTION`` ...
``### END SOLUTION`` holds the solution (dropped from the learner copy) and
``### BEGIN STUB`` ... ``### END STUB`` holds the learner's lines, commented out
(uncommented in the learner copy, dropped from the solved copy). Marker lines never
reach a notebook.

The notebooks' cells (``assignment.notebooks.cells``) and the grader (given code, stubs,
similarity) read the modules through here. Nothing here imports TensorFlow: the modules
are read as text and parsed with ``ast``.
"""
from __future__ import annotations

import ast
import io
import re
import textwrap
import threading
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from assignment.paths import REPO_ROOT

UNQ_RE = re.compile(r"^# (UNQ_C\d+) \(UNIQUE CELL IDENTIFIER, DO NOT EDIT\)\s*$")
GRADED_RE = re.compile(r"^# GRADED FUNCTION (\w+)\s*$")
MARKER_RE = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|STUB)\s*$")
START_CODE_RE = re.compile(r"^(\s*)# START CODE HERE\s*$")


class SourceError(ValueError):
    """A reference module or Markdown source that cannot become a notebook.

    The message starts with ``file:line:`` so an editor can jump to the problem.
    """

    def __init__(self, path, lineno: Optional[int], message: str):
        where = f"{path}:{lineno}" if lineno else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path, self.lineno = str(path), lineno


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
