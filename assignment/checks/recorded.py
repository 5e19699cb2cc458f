"""``RecordedReference``: reference values replayed from data recorded by ``live.record``.

What a public test needs without the reference solutions: the expected observations of
the public scenarios, the outputs of the known mistakes there, the auxiliary values.
It imports no solution code; hidden scenarios are not in it.
"""
from __future__ import annotations

import copy

from assignment.checks.protocol import Check, Reference
from assignment.observations import decode, encode


class RecordedReference(Reference):
    """``data``: {exercise name: the dict ``live.record(check)`` returned}."""

    def __init__(self, data: dict):
        self.data = data

    def _of(self, check: Check) -> dict:
        try:
            return self.data[check.name]
        except KeyError:
            raise KeyError(f"no recorded reference values for {check.name}") from None

    def expected(self, check: Check, hidden: bool) -> dict:
        if hidden:
            raise KeyError(f"only the public scenarios of {check.name} are recorded")
        return copy.deepcopy(self._of(check)["expected"])

    def mistakes(self, check: Check, scenario: str):
        recorded = self._of(check)["mistakes"]
        if scenario not in recorded:
            raise KeyError(f"no recorded known mistakes of {check.name} on {scenario!r}")
        return dict(recorded[scenario])

    def auxiliary(self, check: Check, name: str):
        return copy.deepcopy(self._of(check)["auxiliary"][name])

    # ---- as text (JSON with .npy arrays, never pickle)

    def to_json(self) -> str:
        return encode(self.data)

    @classmethod
    def from_json(cls, text: str) -> "RecordedReference":
        return cls(decode(text))
