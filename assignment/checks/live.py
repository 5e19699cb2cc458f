"""``LiveReference``: the judge's reference values computed from the reference module.

Lazily, once per process (and, with ``cache_dir``, once per version of the reference and
the checks: the expected observations are the slow part of judging). ``record`` turns
what a check needs on its public scenarios into plain data for a ``RecordedReference``.
Instructor side only: it imports each check's ``mistakes_module`` (the known mistakes,
which re-implement the solutions).
"""
from __future__ import annotations

import copy
import hashlib
import importlib
import sys
import threading
from pathlib import Path

from assignment.checks.protocol import PUBLIC, Check, Reference
from assignment.observations import decode, encode
from assignment import paths
from assignment.atomic import write_text

PACKAGE_DIR = paths.PACKAGE_DIR / "checks"


class LiveReference(Reference):
    """The reference values of the checks, from the reference module ``module`` (a module
    or its dotted name)."""

    def __init__(self, module, cache_dir=None):
        self.module = importlib.import_module(module) if isinstance(module, str) else module
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._expected = {}
        self._memo = {}
        self._lock = threading.RLock()

    # ---- the Reference interface

    def expected(self, check: Check, hidden: bool) -> dict:
        key = (check.name, _settings_token(check), bool(hidden))
        with self._lock:
            if key not in self._expected:
                self._expected[key] = self._from_disk(check, hidden)
                if self._expected[key] is None:
                    self._expected[key] = self._compute(check, hidden)
                    self._to_disk(check, hidden, self._expected[key])
            return copy.deepcopy(self._expected[key])

    def mistakes(self, check: Check, scenario: str):
        provider = importlib.import_module(check.mistakes_module).PROVIDERS.get(check.name)
        return provider(self, check, scenario) if provider else {}

    def auxiliary(self, check: Check, name: str):
        compute = getattr(importlib.import_module(check.mistakes_module), "AUXILIARY", {}).get(check.name)
        if compute is None:
            raise KeyError(f"{check.name} has no auxiliary reference values")
        return self.memo(("auxiliary", check.name, _settings_token(check), name),
                         lambda: compute(self, check, name))

    # ---- helpers of known_mistakes

    def memo(self, key, factory):
        """``factory()`` once per key for this reference (warmed layers, angles, ...)."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = factory()
            return self._memo[key]

    # ---- computing and caching the expected observations

    def _compute(self, check: Check, hidden: bool) -> dict:
        target, extras = check.reference_call(self.module)
        observations = check.probe(target, *extras, hidden=hidden)
        broken = {key: record for key, record in observations.items() if record.get("kind") == "error"}
        if broken:
            key, record = next(iter(broken.items()))
            raise RuntimeError(f"the reference {check.name} raised on scenario {key!r}: "
                               f"{record['type']}: {record['message']}")
        return observations

    def _cache_path(self, check: Check, hidden: bool):
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(_settings_token(check).encode())
        digest.update(_versions().encode())
        own = [Path(sys.modules[type(check).__module__].__file__),
               Path(importlib.import_module(check.mistakes_module).__file__)]
        for path in [Path(self.module.__file__)] + own + sorted(PACKAGE_DIR.glob("*.py")) + \
                [PACKAGE_DIR.parent / "observations.py"]:
            digest.update(path.read_bytes())
        return self.cache_dir / f"{digest.hexdigest()[:20]}-{check.name}-{'hidden' if hidden else 'public'}.json"

    def _from_disk(self, check, hidden):
        path = self._cache_path(check, hidden)
        if path is None:
            return None
        try:
            return decode(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _to_disk(self, check, hidden, value):
        path = self._cache_path(check, hidden)
        if path is None:
            return
        try:
            write_text(path, encode(value))
        except OSError:
            pass


def _settings_token(check: Check) -> str:
    return repr(sorted(check.settings.items()))


def _versions() -> str:
    import numpy
    import tensorflow
    return f"numpy {numpy.__version__} tensorflow {tensorflow.__version__}"


def record(check: Check, live: LiveReference = None) -> dict:
    """Everything ``check`` asks its reference on the public scenarios (the ``public`` groups
    only: a student release cuts every other group, ``shown`` ones included), evaluated now:
    {"expected": observations, "mistakes": {scenario: {id: array}}, "auxiliary": {name: value}}.

    Plain data (arrays, dicts): ``RecordedReference`` replays it, ``observations.encode``
    writes it. ``live`` defaults to the check's own reference.
    """
    live = live or check.reference
    if not isinstance(live, LiveReference):
        raise TypeError("record() needs a LiveReference")
    mistakes = {}
    public = {group.id for group in check.groups if group.tag == PUBLIC}
    for group in check.groups:
        if group.tag != PUBLIC:  # a student release ships no hidden group, shown ones included
            continue
        for scenario in group.mistakes_on:
            provided = live.mistakes(check, scenario)
            unknown = set(provided) - set(check.hints)
            if unknown:
                raise KeyError(f"{check.name}: known mistakes {sorted(unknown)} on {scenario!r} have no hint")
            mistakes[scenario] = {key: value() if callable(value) else value for key, value in provided.items()}
    def nothing(*args, **kwargs):  # the thunks are never called: only the keys are read
        return None

    keys = {key for group, key, _ in check.scenarios(nothing, [nothing] * len(check.exercise.extra_args))
            if group in public}
    expected = {key: value for key, value in live.expected(check, False).items() if key in keys}
    return {"expected": expected, "mistakes": mistakes,
            "auxiliary": {name: live.auxiliary(check, name) for name in check.auxiliaries}}
