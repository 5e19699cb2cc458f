"""Read a submission and find the learner's code of each exercise.

A submission is a notebook (nbformat 4) or a ``.py`` script. Its code cells are cleaned
(IPython magics ``%...``/``%%...`` and shell lines ``!...`` dropped) and parsed one by one,
so a syntax error costs only the exercise whose cell holds it.

Each exercise's code is looked for, in this order:

1. the cell(s) carrying its tag ``# UNQ_C<n>`` and defining the exercise's name;
2. the cell(s) carrying ``# GRADED FUNCTION <name>`` (the tag was edited away);
3. the last code cell with a top-level ``def``/``class`` of that name (both comments
   were removed; the feedback says so).

Nothing here runs the learner's code: it is text and ``ast`` only.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

TAG_RE = re.compile(r"#\s*(UNQ_C\d+)\b")
GRADED_RE = re.compile(r"#\s*GRADED\s+(?:FUNCTION|CLASS)\s*:?\s*([A-Za-z_]\w*)")
MAGIC_RE = re.compile(r"^\s*(?:[%!]|get_ipython\(\)|[A-Za-z_]\w*\s*=\s*[%!])")
CELL_MARK_RE = re.compile(r"^\s*#\s*(?:%%|In\s*\[[^\]]*\]\s*:)")
# Cell magics whose body is not Python: the whole cell is dropped.
FOREIGN_CELL_MAGICS = ("%%bash", "%%sh", "%%script", "%%html", "%%javascript", "%%js", "%%latex",
                       "%%markdown", "%%svg", "%%writefile", "%%perl", "%%ruby", "%%file", "%%system")


MAX_SUBMISSION_BYTES = 50 << 20


class SubmissionError(ValueError):
    """The file cannot be read as a submission (not a notebook or script, bad JSON...)."""


@dataclass
class Cell:
    """One code cell of a submission, cleaned of magics."""

    index: int  # position among the code cells, from 0
    source: str
    tags: List[str] = field(default_factory=list)  # the UNQ_C tags its comments carry
    graded_names: List[str] = field(default_factory=list)  # names in '# GRADED FUNCTION <name>'
    tree: Optional[ast.Module] = None
    syntax_error: Optional[str] = None  # "line 3: invalid syntax", when it does not parse

    def defines(self, name: str) -> bool:
        return self.tree is not None and any(
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name
            for node in self.tree.body)

    def mentions_definition(self, name: str) -> bool:
        """Like ``defines``, for a cell that does not parse: a ``def name``/``class name`` line."""
        return re.search(rf"^(?:async\s+)?(?:def|class)\s+{re.escape(name)}\b", self.source, re.M) is not None

    def definition(self, name: str):
        """The last top-level def/class ``name`` of this cell (an ``ast`` node), or None."""
        found = None
        for node in (self.tree.body if self.tree is not None else ()):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                found = node
        return found


@dataclass
class Found:
    """Where an exercise's code was found, or why not."""

    name: str
    cell: Optional[Cell] = None
    how: str = "missing"  # "tag", "graded-comment", "fallback" or "missing"
    notes: List[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading

def clean_source(source: str) -> str:
    """Drop IPython magics and shell lines; a non-Python cell magic empties the cell."""
    lines = source.splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith(FOREIGN_CELL_MAGICS):
        return ""
    kept = []
    for line in lines:
        if MAGIC_RE.match(line):
            # Keep the line count, so that line numbers in messages match the cell.
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept) + ("\n" if kept else "")


def _make_cell(index: int, source: str) -> Cell:
    cleaned = clean_source(source)
    cell = Cell(index=index, source=cleaned)
    for line in cleaned.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            continue
        cell.tags += TAG_RE.findall(stripped)
        cell.graded_names += GRADED_RE.findall(stripped)
    try:
        cell.tree = ast.parse(cleaned)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:  # ValueError: null bytes
        lineno = getattr(error, "lineno", None)
        message = getattr(error, "msg", None) or str(error)
        cell.syntax_error = f"line {lineno}: {message}" if lineno else message
    return cell


def read_notebook_text(text: str, where: str = "notebook") -> List[str]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise SubmissionError(f"{where} is not valid notebook JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise SubmissionError(f"{where} is not a Jupyter notebook (no list of cells)")
    if data.get("nbformat") != 4:
        raise SubmissionError(f"{where} is nbformat {data.get('nbformat')!r}; only nbformat 4 is supported "
                              "(open and save it in a current Jupyter)")
    sources = []
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        sources.append(str(source))
    return sources


def split_script(text: str) -> List[str]:
    """A ``.py`` submission's cells: split at ``# %%`` / ``# In[ ]:`` markers, else at tags."""
    lines = text.splitlines()
    if any(CELL_MARK_RE.match(line) for line in lines):
        starts = [i for i, line in enumerate(lines) if CELL_MARK_RE.match(line)]
    else:  # no cell markers: a graded cell starts at the first comment line of a tag block
        starts = []
        for i, line in enumerate(lines):
            if TAG_RE.search(line) or GRADED_RE.search(line):
                start = i
                while start > 0 and lines[start - 1].strip().startswith("#") and \
                        (TAG_RE.search(lines[start - 1]) or GRADED_RE.search(lines[start - 1])):
                    start -= 1
                starts.append(start)
        starts = sorted(set(starts))
    bounds = sorted(set([0] + starts + [len(lines)]))
    return ["\n".join(lines[a:b]) + "\n" for a, b in zip(bounds, bounds[1:]) if "\n".join(lines[a:b]).strip()]


def read_cells(path) -> List[Cell]:
    """The code cells of a submission file; ``SubmissionError`` when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path}: no such file")
    try:
        if path.stat().st_size > MAX_SUBMISSION_BYTES:
            raise SubmissionError(f"{path}: larger than {MAX_SUBMISSION_BYTES >> 20} MiB; not graded")
        raw = path.read_bytes()
    except OSError as error:
        raise SubmissionError(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError(f"{path}: not UTF-8 text (is it really a notebook?)") from None
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        sources = read_notebook_text(text, str(path))
    elif suffix == ".py":
        sources = split_script(text)
    else:
        raise SubmissionError(f"{path}: expected a .ipynb notebook or a .py script, not {suffix or 'no suffix'!r}")
    return [_make_cell(i, source) for i, source in enumerate(sources)]


# --------------------------------------------------------------------------- finding

def find_exercise(cells: Sequence[Cell], name: str, tag: str) -> Found:
    """Locate exercise ``name`` (cell tag ``tag``) among ``cells``."""
    found = Found(name)

    def pick(candidates, how, label):
        usable = [c for c in candidates if c.defines(name) or (c.syntax_error and c.mentions_definition(name))]
        if not usable and candidates:
            found.notes.append(f"the cell marked {label} does not define {name}")
            return False
        if not usable:
            return False
        if len(usable) > 1:
            found.notes.append(f"{len(usable)} cells are marked {label}; graded the last one")
        found.cell, found.how = usable[-1], how
        return True

    if pick([c for c in cells if tag in c.tags], "tag", tag):
        return found
    if pick([c for c in cells if name in c.graded_names], "graded-comment", f"'# GRADED FUNCTION {name}'"):
        found.notes.append(f"the '# {tag}' tag was edited or removed; found {name} by its "
                           "'# GRADED FUNCTION' comment")
        return found
    defining = [c for c in cells if c.defines(name) or (c.syntax_error and c.mentions_definition(name))]
    if defining:
        found.cell, found.how = defining[-1], "fallback"
        found.notes.append(f"no cell is tagged '# {tag}' or '# GRADED FUNCTION {name}' (tags edited or "
                           f"removed): graded the last definition of {name}, in code cell {found.cell.index + 1}")
        return found
    found.notes = [f"no code defines {name} (no '# {tag}' cell and no 'def/class {name}')"]
    return found


def find_all(cells: Sequence[Cell], exercises) -> Dict[str, Found]:
    return {e.name: find_exercise(cells, e.name, e.tag) for e in exercises}


# --------------------------------------------------------------------------- imports of other cells

# Modules whose imports, written anywhere in the notebook, are replayed before a graded
# cell runs (so ``import math`` in the first cell works in the graded function). Other
# imports (pandas, transformers, public_tests, ...) are ignored: grading does not need them.
REPLAYED_MODULES = ("numpy", "tensorflow", "keras", "tf_keras", "math", "random", "itertools", "functools",
                    "collections", "typing", "re", "string", "time", "copy", "operator")


def replayed_imports(cells: Sequence[Cell]) -> List[str]:
    """Top-level import statements (source text) of the allowed modules, in cell order."""
    statements: List[str] = []
    for cell in cells:
        if cell.tree is None:
            continue
        for node in cell.tree.body:
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            if all(root in REPLAYED_MODULES for root in roots):
                try:
                    text = ast.unparse(node)
                except (RecursionError, ValueError):
                    continue
                if text not in statements:
                    statements.append(text)
    return statements


# --------------------------------------------------------------------------- helpers of other cells

def _free_names(tree) -> set:
    """Names a piece of code reads (a superset: attribute bases, calls, globals in bodies)."""
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def _top_level_names(tree) -> set:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def support_definitions(cells: Sequence[Cell], cell: Cell, protected, limit: int = 20) -> List[tuple]:
    """The learner's own helper functions/classes, defined in *other* cells, that the graded
    cell uses: [(name, source, cell number)], dependencies first. Names of exercises and
    given helpers are never taken from the learner (the release's versions are used)."""
    definitions = {}
    for other in cells:
        if other is cell or other.tree is None:
            continue
        for node in other.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name not in protected:
                definitions[node.name] = (node, other.index)  # the last definition wins
    if cell.tree is None:
        return []
    wanted = sorted(_free_names(cell.tree) - _top_level_names(cell.tree))
    chosen: List[tuple] = []
    seen = set()
    while wanted and len(chosen) < limit:
        name = wanted.pop(0)
        if name in seen or name not in definitions:
            continue
        seen.add(name)
        node, index = definitions[name]
        try:
            source = ast.unparse(node)
        except (RecursionError, ValueError):
            continue
        chosen.insert(0, (name, source, index + 1))
        wanted.extend(sorted(_free_names(node) - seen))
    return chosen
