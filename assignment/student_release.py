"""``python -m assignment release --student DIR``: what an instructor hands to learners.

DIR gets the learner notebooks, a ``public_tests.py``, the learner side of the checks
vendored as the package ``assignment_checks`` (imports rewritten so that nothing in DIR
imports this repository), and ``public_test_values.json``: the expected values of the
public scenarios and the known mistakes' outputs there, recorded from the reference now.
No reference solution, no known mistake, no live reference and no hidden scenario goes in.
The NER lab's copy keeps its graded exercise and public test but not its data, model,
training and evaluation sections: they use the lab's repository (``assignment.ner``).
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path
from typing import Dict, Iterable, List

import nbformat

from assignment.exercises import NOTEBOOKS
from assignment.notebook_source import LEARNER, OPTIONAL_TAG, REPO_ROOT, SOURCE_DIR

PACKAGE = "assignment_checks"  # the vendored checks' package name inside DIR
VALUES_FILE = "public_test_values.json"  # the name public_tests.py (repo and DIR) looks for
# Notebooks whose public tests can run from recorded values (their checks are probe/judge
# Check classes, judged without the reference solution).
STUDENT_NOTEBOOKS = ("Transformer", "NER_DistilBERT")
# Repository modules every student release needs besides the exercise check modules.
BASE_MODULES = ("assignment.checks.protocol", "assignment.checks.recorded", "assignment.observations",
                "assignment.legacy_keras", "assignment.exercises")
# Instructor-only modules: they hold or re-implement the solutions. Reaching one while
# collecting the vendored modules is an error, never a silent copy.
FORBIDDEN = ("assignment.checks.known_mistakes", "assignment.checks.live", "assignment.transformer",
             "assignment.ner.align")
HIDDEN_TAGS = ("COURSE", "BEYOND")


class StudentReleaseError(RuntimeError):
    """The student release cannot be built without shipping instructor-only code."""


# ------------------------------------------------------------------ which modules, renamed how

def _module_file(module: str) -> Path:
    path = REPO_ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imports_of(module: str) -> List[str]:
    """The ``assignment...`` modules that ``module`` imports (at any level of its code)."""
    tree = ast.parse(_module_file(module).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            # `from assignment.checks import protocol` imports a submodule
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return [name for name in found if (name == "assignment" or name.startswith("assignment."))
            and (_module_file(name).is_file())]


def learner_modules(notebooks: Iterable[str] = STUDENT_NOTEBOOKS) -> List[str]:
    """The repository modules the learner side needs: the check modules of ``notebooks``,
    the base modules, and everything they import from the repository (sorted)."""
    wanted = [e.check_module for name in notebooks for e in NOTEBOOKS[name]] + list(BASE_MODULES)
    seen: Dict[str, str] = {}  # module -> who imported it
    stack = [(module, "the registry") for module in wanted]
    while stack:
        module, by = stack.pop()
        if module in seen or module in ("assignment", "assignment.checks"):
            continue
        if module in FORBIDDEN:
            raise StudentReleaseError(f"{by} imports {module}, which is instructor-only: the student "
                                      "release cannot ship it")
        seen[module] = by
        stack += [(name, module) for name in _imports_of(module)]
    return sorted(seen)


def vendored_name(module: str) -> str:
    """``assignment.checks.positional`` -> ``assignment_checks.positional``, ``assignment.observations``
    -> ``assignment_checks.observations``, ``assignment.ner.tokenizer`` -> ``assignment_checks.ner_tokenizer``
    (one flat package: ``assignment_checks.ner`` is the NER check)."""
    for prefix in ("assignment.checks.", "assignment."):
        if module.startswith(prefix):
            return f"{PACKAGE}.{module[len(prefix):].replace('.', '_')}"
    raise ValueError(f"not a repository module: {module}")


def rewrite_imports(text: str, modules: Iterable[str]) -> str:
    """The vendored ``modules``' names, in code and strings, renamed into ``assignment_checks``
    (other repository names, e.g. the registry's ``source_module`` strings, are left as
    they are: nothing in DIR imports them)."""
    for module in sorted(modules, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(module)}\b", vendored_name(module), text)
    # `import assignment` (it selects tf-keras): the vendored package's __init__ does the same
    text = re.sub(r"(?m)^(\s*)import assignment(?![\w.])", rf"\1import {PACKAGE}", text)
    return re.sub(r"\bassignment\.checks\b", PACKAGE, text)


# ------------------------------------------------------------------ hidden scenarios out

def _hidden_group_ids(tree: ast.Module) -> set:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Group" and len(node.args) >= 2:
            tag = node.args[1]
            if isinstance(tag, ast.Name) and tag.id in HIDDEN_TAGS and isinstance(node.args[0], ast.Constant):
                ids.add(node.args[0].value)
    return ids


def _hidden_spans(tree: ast.Module, hidden: set):
    """The source spans ((line, col), (end line, end col)) to cut: the hidden groups'
    ``Group(...)``, their ``compare_<id>`` methods, the ``yield "<id>", ...`` statements
    of their scenarios and the dict entries keyed by (or naming) their ids."""

    def names_hidden(node) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in hidden
        if isinstance(node, ast.Tuple) and node.elts:
            return names_hidden(node.elts[0])
        return False

    def span(first, last):
        return (first.lineno, first.col_offset), (last.end_lineno, last.end_col_offset)

    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple):
            spans += [span(elt, elt) for elt in node.elts
                      if isinstance(elt, ast.Call) and getattr(elt.func, "id", None) == "Group"
                      and elt.args and names_hidden(elt.args[0])]
        elif isinstance(node, ast.Dict):
            spans += [span(key, value) for key, value in zip(node.keys, node.values)
                      if key is not None and (names_hidden(key) or names_hidden(value))]
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("compare_") \
                and node.name[len("compare_"):] in hidden:
            spans.append(span(node.decorator_list[0] if node.decorator_list else node, node))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Yield) and node.value.value is not None \
                and names_hidden(node.value.value):
            spans.append(span(node, node))
    return spans


def prune_hidden(text: str, path="<module>") -> str:
    """The module's source without its hidden scenario groups (unchanged when it has none).

    The cut text is removed but its line breaks stay, so every line left keeps its number
    and its text: a failure message that quotes a line of a check ("at line 59: ...") reads
    the same in the student release as in the repository.
    """
    tree = ast.parse(text)
    hidden = _hidden_group_ids(tree)
    if not hidden:
        return text
    lines = text.splitlines(True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(lineno, col):  # ast columns count UTF-8 bytes
        return starts[lineno - 1] + len(lines[lineno - 1].encode("utf-8")[:col].decode("utf-8"))

    chars = list(text)
    for (line, col), (end_line, end_col) in _hidden_spans(tree, hidden):
        begin, end = offset(line, col), offset(end_line, end_col)
        follow = re.match(r"[ \t]*,[ \t]*", text[end:])  # the separator after an item
        end += follow.end() if follow else 0
        for index in range(begin, end):
            if chars[index] != "\n":
                chars[index] = ""
    pruned = "".join(chars)
    try:
        ast.parse(pruned)
    except SyntaxError as error:
        raise StudentReleaseError(f"{path}:{error.lineno}: cutting the hidden scenarios out leaves invalid "
                                  f"Python ({error.msg}); keep each hidden Group, case and yield on lines "
                                  "of its own") from None
    return pruned + "\n# Generated by python -m assignment release --student: public scenarios only.\n"


# ------------------------------------------------------------------ the files of DIR

INIT_TEMPLATE = '''"""The learner side of the assignment's checks (a student release: no solutions).

``protocol`` (Check, make_check, public_test), one module per exercise (the public
scenarios and their hints), ``recorded`` (RecordedReference: the reference values of the
public scenarios, replayed from ``public_test_values.json``), ``observations``.
Importing this package selects tf-keras (Keras 2) before TensorFlow loads.
"""
from {package}.legacy_keras import use_legacy_keras

use_legacy_keras()

from {package}.protocol import ALL_TESTS_PASSED, Check, CheckFailed, make_check, public_test, test_function  # noqa: E402,F401,E501
'''

PUBLIC_TESTS_TEMPLATE = '''"""Public tests of the assignment: `from public_tests import *`.

Each test takes your function or class (and, like the course, the helpers it needs),
prints "All tests passed" in green when it is right, and otherwise raises an
AssertionError whose message names the likely mistake. The expected values are recorded
in public_test_values.json; the checks are in assignment_checks/.
"""
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow is imported
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import {package}  # noqa: E402  (selects tf-keras if TensorFlow is not loaded yet)
from {package}.exercises import NOTEBOOKS  # noqa: E402
from {package}.legacy_keras import require_legacy_keras  # noqa: E402

RECORDED_VALUES = os.path.join(_HERE, "{values}")
_REFERENCE = {{}}


def _reference():
    """The recorded reference values, read on the first test."""
    if "recorded" not in _REFERENCE:
        from {package}.recorded import RecordedReference
        with open(RECORDED_VALUES, encoding="utf-8") as handle:
            _REFERENCE["recorded"] = RecordedReference.from_json(handle.read())
    return _REFERENCE["recorded"]


def _public_test(exercise):
    built = {{}}

    def test(target, *helpers):
        require_legacy_keras(target)  # Keras 3 active: one line saying so and what to do
        if "test" not in built:
            built["test"] = {package}.test_function(exercise, _reference)
        return built["test"](target, *helpers)

    test.__name__ = test.__qualname__ = exercise.check
    test.__doc__ = f"Public test of {{exercise.name}} ({{exercise.tag}}): prints 'All tests passed' or raises " \\
                   "AssertionError with a hint."
    return test


__all__ = []
for _exercises in NOTEBOOKS.values():
    for _exercise in _exercises:
        globals()[_exercise.check] = _public_test(_exercise)
        __all__.append(_exercise.check)
'''

README_TEMPLATE = """# {title}: student copy

Open the notebooks here in Jupyter ({notebooks}) and run the cells from the top.
The cell after each graded cell runs its public test (`from public_tests import *`):
it prints "All tests passed" or says what looks wrong.

Needs Python 3.11 with tensorflow 2.21, tf-keras 2.21 and numpy 1.26 (the NER lab also
transformers 4.57 and tokenizers). The NER lab's copy holds its graded exercise and
public test only: its data, model, training and evaluation sections are in the lab's
repository.

Files: the notebooks; `public_tests.py`; `assignment_checks/` (the checks of the public
tests); `public_test_values.json` (the expected values of the public tests and the
outputs of common mistakes on the same inputs, recorded from a correct solution).
"""


# The NER lab's sections that need the repository (its data file and assignment.ner's reader,
# model, training and metrics): not in the student copy. Section 2 (the exercise) stays.
NER_DROPPED_SECTIONS = ("## 1 - ", "## 3 - ", "## 4 - ", "## 5 - ", "## 6 - ")
# The demo under the exercise tokenizes a resume's first words (from section 1); the
# student copy gives it the same kind of words itself.
NER_DEMO_WORDS = ('EXAMPLE_WORDS = ["Leena", "Raghavan", "Senior", "Software", "Engineer", "at", "Cedarfield", '
                  '"Analytics,"]\n'
                  'EXAMPLE_TAGS = ["B-Name", "I-Name", "B-Designation", "I-Designation", "I-Designation", "O",\n'
                  '                "B-Companies worked at", "I-Companies worked at"]\n')
NER_NOTE = ("The lab's data, model, training, evaluation and prediction sections are not in this student "
            "copy: they need the lab's repository (its resumes and the `assignment.ner` modules).")


def _replace_once(source: str, old: str, new: str, what: str) -> str:
    if source.count(old) != 1:
        raise StudentReleaseError(f"NER_DistilBERT student copy: {what}: expected {old!r} once in the cell; "
                                  "the notebook source changed, update assignment/student_release.py")
    return source.replace(old, new)


def _ner_student_cells(cells):
    """The NER lab's cells for the student copy: sections 1, 3-6 out, the set-up cell
    without its ``assignment.ner`` imports, the demo on its own words and DIR's tokenizer."""
    kept, dropping = [], False
    for cell in cells:
        source = cell.source
        if cell.cell_type == "markdown" and source.startswith("## "):
            dropping = source.startswith(NER_DROPPED_SECTIONS)
        if dropping:
            continue
        if cell.cell_type == "markdown" and source.startswith("## Table of Contents"):
            cell.source = "\n".join(line for line in source.splitlines()
                                    if not any(f"[{head[3:]}" in line for head in NER_DROPPED_SECTIONS))
        elif cell.cell_type == "code" and "from public_tests import *" in source:
            cell.source = "\n".join(line for line in source.splitlines()
                                    if not re.match(r"\s*(from|import) assignment\b", line))
        elif cell.cell_type == "code" and "check_tokenizer" in source:
            source = _replace_once(source, "from assignment.ner.checks import check_tokenizer",
                                   f"from {PACKAGE}.ner import check_tokenizer", "the demo's import")
            cell.source = NER_DEMO_WORDS + _replace_once(source, "example.words[:8], example.tags[:8]",
                                                         "EXAMPLE_WORDS, EXAMPLE_TAGS", "the demo's words")
        kept.append(cell)
    note = nbformat.v4.new_markdown_cell(NER_NOTE)
    note.id = "student-copy-note"  # fixed: two releases write the same bytes
    kept.append(note)
    for cell in kept:
        if cell.cell_type == "code" and re.search(r"(?m)^\s*(from|import) assignment\b", cell.source):
            raise StudentReleaseError(f"NER_DistilBERT student copy: a cell still imports the repository:\n"
                                      f"{cell.source[:300]}")
    return kept


def student_notebook(name: str, source_dir: Path = SOURCE_DIR):
    """The learner notebook without its optional sections (they use the repository's
    reference Transformer, e.g. the training on dates), and for the NER lab without the
    sections that use the repository's data and lab modules."""
    from assignment.release import build_notebook
    nb = build_notebook(name, LEARNER, source_dir)
    nb.cells = [cell for cell in nb.cells if OPTIONAL_TAG not in cell.metadata.get("tags", [])]
    if name == "NER_DistilBERT":
        nb.cells = _ner_student_cells(nb.cells)
    nb.metadata["assignment"]["variant"] = "student"
    nbformat.validate(nb)
    return nb


def recorded_values(notebooks: Iterable[str] = STUDENT_NOTEBOOKS, progress=None) -> str:
    """The expected values of the public scenarios and the known mistakes' outputs there,
    computed from the reference now (``live.record``), as JSON."""
    import importlib

    from assignment.checks import make_check
    from assignment.checks.live import LiveReference, record
    from assignment.checks.recorded import RecordedReference
    data, lives = {}, {}
    for name in notebooks:
        for exercise in NOTEBOOKS[name]:
            if progress:
                progress(exercise)
            module = exercise.source_module
            if module not in lives:
                lives[module] = LiveReference(importlib.import_module(module))
            data[exercise.name] = record(make_check(exercise, lives[module]))
    return RecordedReference(data).to_json()


def write_student_release(out_dir: Path, notebooks: Iterable[str] = STUDENT_NOTEBOOKS,
                          source_dir: Path = SOURCE_DIR, progress=None) -> List[Path]:
    """Write the student release into ``out_dir`` (replacing what a previous run wrote
    there); returns the files written."""
    notebooks = list(notebooks)
    unknown = [name for name in notebooks if name not in STUDENT_NOTEBOOKS]
    if unknown:
        raise StudentReleaseError(f"no student release for notebook(s) {unknown}: their public tests "
                                  f"need the reference solution (supported: {list(STUDENT_NOTEBOOKS)})")
    out_dir = Path(out_dir)
    modules = learner_modules(notebooks)
    values = recorded_values(notebooks, progress)  # before writing anything: it may fail
    package = out_dir / PACKAGE
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    written = []

    def write(path: Path, text: str):
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for module in modules:
        text = rewrite_imports(prune_hidden(_module_file(module).read_text(encoding="utf-8"), _module_file(module)),
                               modules)
        if module == "assignment.exercises":  # only the notebooks shipped
            text += ("\n# Student release: only these notebooks.\n"
                     f"NOTEBOOKS = {{name: NOTEBOOKS[name] for name in {tuple(notebooks)!r}}}\n")
        write(package / (vendored_name(module).split(".", 1)[1] + ".py"), text)
    write(package / "__init__.py", INIT_TEMPLATE.format(package=PACKAGE))
    write(out_dir / "public_tests.py", PUBLIC_TESTS_TEMPLATE.format(package=PACKAGE, values=VALUES_FILE))
    write(out_dir / VALUES_FILE, values)
    for name in notebooks:
        write(out_dir / f"{name}.ipynb", nbformat.writes(student_notebook(name, source_dir)) + "\n")
    write(out_dir / "README.md", README_TEMPLATE.format(
        title="Sequence models, week 4", notebooks=", ".join(f"`{name}.ipynb`" for name in notebooks)))
    _check_no_repository_imports(package)
    return written


def _check_no_repository_imports(package: Path) -> None:
    """Every import of the vendored modules resolves inside DIR (or to installed packages)."""
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                if name == "assignment" or name.startswith("assignment."):
                    raise StudentReleaseError(f"{path}:{node.lineno}: imports the repository ({name})")
