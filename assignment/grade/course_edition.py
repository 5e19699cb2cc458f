"""Which release of the Transformer notebook a submission comes from, from its code alone.

The 2021 release differs from the current one in ways a learner's notebook shows
(text and ``ast`` only, nothing runs): its tests are written in the notebook's own
cells (``def DecoderLayer_test(target):`` with one argument) instead of imported from
``public_tests``; ``get_angles`` takes ``(pos, i, d)``; ``create_padding_mask`` returns
``seq[:, tf.newaxis, tf.newaxis, :]`` with 1 = padding; ``create_look_ahead_mask``
returns ``1 - band_part(...)`` (1 = future). Its masks mark the *blocked* positions, so
its attention adds ``mask * -1e9``: the checks then use that mask convention
(``assignment.checks.inputs.RELEASE_2021``), and the notebook is graded against that
release's reference, ``assignment.transformer_2021`` (its given code: two dropouts in
EncoderLayer, three in DecoderLayer, ...; facts and sources in docs/release_2021.md), which
also stands in for the exercises not being graded.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import List, Sequence

from assignment.checks.inputs import CONVENTIONS

CURRENT, RELEASE_2021 = "current", "2021"
REFERENCE_MODULES = {RELEASE_2021: "assignment.transformer_2021"}  # instructor-only, like assignment.transformer
MIN_SIGNS = 2  # one sign alone (a renamed argument, a test copied in) is not a release


@dataclass
class Release:
    """The release a submission was written for, and the signs that say so."""

    name: str  # CURRENT or RELEASE_2021
    mask_convention: str  # a name of assignment.checks.inputs.CONVENTIONS
    signs: List[str] = field(default_factory=list)

    @property
    def reference_module(self):
        """The reference module of this release's given code and solutions; None: the registry's."""
        return REFERENCE_MODULES.get(self.name)

    def settings(self) -> dict:
        """The check settings for this release (empty for the current one)."""
        return {} if self.name == CURRENT else {"mask_convention": self.mask_convention}

    def line(self) -> str:
        """One line for the top of the report (empty for the current release)."""
        if self.name == CURRENT:
            return ""
        return (f"Release: {self.name} notebook ({'; '.join(self.signs)}); graded with its mask convention: "
                f"{CONVENTIONS[self.mask_convention].about}.")

    def as_json(self) -> dict:
        return {"name": self.name, "mask_convention": self.mask_convention, "signs": list(self.signs),
                "reference_module": self.reference_module}


def _functions(cells, name):
    for cell in cells:
        if cell.tree is None:
            continue
        for node in cell.tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                yield node


def _argument_names(node) -> List[str]:
    return [argument.arg for argument in node.args.args]


def detect(cells: Sequence) -> Release:
    """The release of a submission's cleaned cells (``assignment.grade.extract.Cell``)."""
    signs = []
    if any(_argument_names(node) == ["pos", "i", "d"] for node in _functions(cells, "get_angles")):
        signs.append("get_angles(pos, i, d)")
    for node in _functions(cells, "create_padding_mask"):
        text = ast.unparse(node)
        if re.search(r"newaxis\s*,\s*tf\.newaxis", text) and re.search(r"equal\(\s*\w+\s*,\s*0\s*\)", text) \
                and not re.search(r"1\.?\s*-\s*tf\.cast", text):
            signs.append("create_padding_mask returns (n, 1, 1, m) with 1 = padding")
            break
    inline = [node for node in _functions(cells, "DecoderLayer_test") if len(_argument_names(node)) == 1]
    if inline:
        signs.append("tests written in the notebook (DecoderLayer_test(target))")
    if len(signs) >= MIN_SIGNS:
        return Release(RELEASE_2021, RELEASE_2021, signs)
    return Release(CURRENT, CURRENT, [])
