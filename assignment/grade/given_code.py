"""Compare the code the learner was given with the release, to flag edits.

The learner writes only between ``# START CODE HERE`` and ``# END CODE HERE``; the
signatures, the class bases and the layers' ``__init__`` are given. An edit there is
not penalised (the exercise is graded as submitted) but reported, so the instructor
sees it. The comparison is on ``ast`` dumps without docstrings, so the learner's
formatting and comments never count as edits.
"""
from __future__ import annotations

import ast
import copy
from functools import lru_cache
from typing import Dict, List, Optional

from assignment.exercises import NOTEBOOKS
from assignment.notebooks.markers import graded_blocks, module_path, read_module

GIVEN_HELPERS = ("create_padding_mask", "create_look_ahead_mask", "FullyConnected")


def _strip_docstrings(node):
    node = copy.deepcopy(node)
    for child in ast.walk(node):
        body = getattr(child, "body", None)
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                and isinstance(body[0].value.value, str):
            child.body = body[1:] or [ast.Pass()]
    return node


def dump(node) -> str:
    """A layout-free fingerprint of an ``ast`` node (docstrings, comments, positions ignored)."""
    return ast.dump(_strip_docstrings(node), annotate_fields=False, include_attributes=False)


def signature(node) -> str:
    return f"({ast.unparse(node.args)})"


@lru_cache(maxsize=None)
def reference_definitions(module: str = "assignment.transformer") -> Dict[str, ast.AST]:
    """The top-level definitions of the reference module (solution form), by name."""
    _, tree = read_module(module_path(module))
    return {node.name: node for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


@lru_cache(maxsize=None)
def stub_fingerprints(module: str = "assignment.transformer") -> Dict[str, str]:
    """Fingerprints of the learner (stub) form of each graded definition of the release."""
    prints = {}
    for name, block in graded_blocks(module_path(module)).items():
        try:
            tree = ast.parse(block.learner)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                prints[name] = dump(node)
    return prints


def is_stub(node, name: str, module: str = "assignment.transformer") -> bool:
    """True when the learner's definition is exactly the release's stub (nothing filled in)."""
    return node is not None and stub_fingerprints(module).get(name) == dump(node)


def _methods(node) -> Dict[str, ast.AST]:
    return {item.name: item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}


def accepted_signatures(name: str, module: str) -> List[str]:
    """The course's signatures of exercise ``name`` (registry ``course_signatures``): given
    to the course's learners, so never an edit."""
    return [signature for exercises in NOTEBOOKS.values() for exercise in exercises
            if exercise.name == name and exercise.source_module == module
            for signature in exercise.course_signatures]


def given_code_edits(node, name: str, module: str = "assignment.transformer") -> List[str]:
    """Human-readable notes on what the learner changed in the given parts of ``name``."""
    reference = reference_definitions(module).get(name)
    if reference is None or node is None:
        return []
    notes: List[str] = []
    if isinstance(reference, ast.ClassDef) != isinstance(node, ast.ClassDef):
        return [f"given code edited: {name} should be a {'class' if isinstance(reference, ast.ClassDef) else 'function'}"]
    if isinstance(reference, ast.ClassDef):
        if [ast.unparse(b) for b in node.bases] != [ast.unparse(b) for b in reference.bases]:
            notes.append(f"given code edited: the base class of {name} "
                         f"({', '.join(ast.unparse(b) for b in node.bases) or 'none'}) differs from the release "
                         f"({', '.join(ast.unparse(b) for b in reference.bases)})")
        mine, theirs = _methods(node), _methods(reference)
        for method, ref_method in theirs.items():
            learner_method = mine.get(method)
            if learner_method is None:
                notes.append(f"given code edited: {name}.{method} was removed")
            elif method == "__init__":
                if dump(learner_method) != dump(ref_method):
                    notes.append(f"given code edited: {name}.__init__ differs from the release")
            elif dump(learner_method.args) != dump(ref_method.args):
                notes.append(f"given code edited: the signature of {name}.{method} was changed from "
                             f"{signature(ref_method)} to {signature(learner_method)}")
    elif dump(node.args) != dump(reference.args) and ast.unparse(node.args) not in accepted_signatures(name, module):
        notes.append(f"given code edited: the signature of {name} was changed from {signature(reference)} "
                     f"to {signature(node)}")
    return notes


def helper_edits(cells, module: str = "assignment.transformer") -> List[str]:
    """Notes on the given helper functions (masks, FullyConnected) the learner edited."""
    notes = []
    references = reference_definitions(module)
    for helper in GIVEN_HELPERS:
        last: Optional[ast.AST] = None
        for cell in cells:
            node = cell.definition(helper)
            if node is not None:
                last = node
        if last is not None and helper in references and dump(last) != dump(references[helper]):
            notes.append(f"given code edited: {helper} differs from the release "
                         "(graded with the release's version)")
    return notes
