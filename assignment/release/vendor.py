"""The learner-safe modules as the learner's release ships them: the vendored package
``assignment_lab``.

Which modules go (every ``LEARNER`` module of ``assignment/audience.py``, refused when one
imports a module that is not learner-safe), under which names (``assignment.x`` ->
``assignment_lab.x``, imports renamed in code and strings), and with what cut out: the
hidden scenario groups of the checks (``prune_hidden``), so that DIR holds the public
scenarios only.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterable, List

from assignment import audience
from assignment.audience import module_path
from assignment.paths import REPO_ROOT

PACKAGE = "assignment_lab"  # the vendored package's name inside DIR
HIDDEN_TAGS = ("COURSE", "BEYOND")


class StudentReleaseError(RuntimeError):
    """The student release cannot be built without shipping instructor-only code."""


# ------------------------------------------------------------------ which modules, renamed how

def module_file(module: str) -> Path:
    return REPO_ROOT / module_path(module)


def _imports_of(module: str) -> List[str]:
    """The ``assignment...`` modules that ``module`` imports (at any level of its code)."""
    tree = ast.parse(module_file(module).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            # `from assignment.checks import protocol` imports a submodule
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return [name for name in found if (name == "assignment" or name.startswith("assignment."))
            and (REPO_ROOT / module_path(name)).is_file()]


def learner_modules() -> List[str]:
    """Every learner-safe module of the repository (``assignment/audience.py``), sorted:
    the release ships them all. Raises StudentReleaseError when one of them imports a
    module that is not learner-safe (it could not work in DIR, and shipping it would be a leak)."""
    shipped = audience.modules(audience.LEARNER)
    for module in shipped:
        for name in _imports_of(module):
            if audience.AUDIENCE.get(name) != audience.LEARNER:
                raise StudentReleaseError(f"{module_path(module)} imports {name}, which is "
                                          f"{audience.AUDIENCE.get(name, 'not classified')} (assignment/audience.py): "
                                          "a learner-safe module may import learner-safe modules only, or take what "
                                          "it needs as an argument")
    return list(shipped)


def vendored_name(module: str) -> str:
    """``assignment.checks.positional`` -> ``assignment_lab.checks.positional``,
    ``assignment.labs.dates.train`` -> ``assignment_lab.labs.dates.train``: the repository's layout
    under another top-level name."""
    if module == "assignment" or module.startswith("assignment."):
        return PACKAGE + module[len("assignment"):]
    raise ValueError(f"not a repository module: {module}")


def vendored_path(module: str) -> str:
    """The vendored module's file, relative to DIR."""
    return PACKAGE + module_path(module)[len("assignment"):]


def rewrite_imports(text: str, modules: Iterable[str]) -> str:
    """The vendored ``modules``' names, in code and strings, renamed into ``assignment_lab``
    (other repository names, e.g. the registry's ``source_module`` strings, are left as
    they are: nothing in DIR imports them, and an import of one is refused afterwards)."""
    for module in sorted((m for m in modules if m != "assignment"), key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(module)}\b(?!\.[A-Za-z_])", vendored_name(module), text)
    # `import assignment` (it selects tf-keras) and `from assignment import x`
    return re.sub(r"(?m)^(\s*)(import|from) assignment(?![\w.])", rf"\1\2 {PACKAGE}", text)


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
    return pruned + "\n# Generated by python -m assignment release: public scenarios only.\n"
