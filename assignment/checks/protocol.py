"""The check protocol: probe the learner's code on scenarios, judge against a reference.

A check (one per graded exercise) has two halves:

* ``probe(target, *extras, hidden=False)`` calls the learner's function or class on the
  check's scenarios and records what came back (``assignment.observations``). It decides
  nothing and needs no reference, so it runs in the sandbox.
* ``judge(observations, hidden=False, policy="course")`` compares with what the
  reference gives on the same scenarios and raises ``CheckFailed`` with a hint that
  names the mistake. It never runs learner code.

Everything the judge needs from the reference solutions goes through a ``Reference``
(the expected observations, the outputs of the known mistakes, auxiliary values), so
the exercise modules hold no solution code: ``LiveReference`` (checks/live.py) computes
from the reference module, ``RecordedReference`` (checks/recorded.py) replays data.

Scenarios come in groups, each tagged ``public``, ``course`` or ``beyond``. The contract:

* ``public``: the course's public test inputs, compared exactly as the course's public
  test compares them (the same outputs, the same tolerances: each exercise module's
  docstring lists them, with where that fact comes from);
* ``course`` (hidden): the same comparisons on inputs of the public test's shapes with
  other values, seeds and masks; they catch hard-coded outputs and nothing else;
* ``beyond``: everything else (other sizes, batches, tensors instead of arrays, and any
  output or property the course's test does not compare, even on its own inputs).

Under the ``course`` policy a beyond failure is advice, not a failure; under ``strict`` it
fails the exercise. A beyond group marked ``shown`` is judged by the public test too: it
prints "All tests passed" exactly where the course's test passes, then that advice.
"""
from __future__ import annotations

import abc
import importlib
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Mapping, Tuple

from assignment.checks.judging import FILL_IN_HINT, CheckFailed, value_of
from assignment.observations import attempt

ALL_TESTS_PASSED = "All tests passed"

PUBLIC, COURSE, BEYOND = "public", "course", "beyond"
TAGS = (PUBLIC, COURSE, BEYOND)
POLICIES = ("course", "strict")  # "course": beyond-course failures are advice; "strict": they count


# ------------------------------------------------------------------ scenarios, verdicts, references

@dataclass(frozen=True)
class Group:
    """Scenarios judged together by the check's ``compare_<id>`` method.

    ``about`` says in words what these scenarios feed the code (shapes, batch, ...); the
    feedback quotes it when they fail. ``mistakes_on`` names the scenarios whose known
    mistakes ``compare_<id>`` asks the reference for (recorded for public groups).
    """

    id: str
    tag: str  # PUBLIC, COURSE or BEYOND
    about: str
    mistakes_on: Tuple[str, ...] = ()
    shown: bool = False  # a BEYOND group the public test judges too (its failures printed as advice)

    def __post_init__(self):
        if self.tag not in TAGS:
            raise ValueError(f"group {self.id!r}: tag {self.tag!r} is not one of {TAGS}")
        if self.shown and self.tag != BEYOND:
            raise ValueError(f"group {self.id!r}: only a beyond group is 'shown' (public groups always are)")

    @property
    def in_public_test(self) -> bool:
        """Judged by the public test (and so recorded for a student release)."""
        return self.tag == PUBLIC or self.shown


@dataclass(frozen=True)
class Advice:
    """A beyond-course scenario the learner's code gets wrong (a lesson, not a penalty)."""

    scenario: str  # the group id
    about: str
    message: str

    def __str__(self) -> str:
        return f"Beyond the course's tests, {self.about}: {self.message}"


@dataclass
class Verdict:
    """What ``judge`` returns when the exercise passes: the advice, if any."""

    advice: List[Advice]


class Reference(abc.ABC):
    """Everything a judge needs from the reference solutions, by check and scenario.

    ``check`` is the Check asking (its ``name``, ``exercise`` and ``settings`` say what
    to compute); every value is plain data (arrays, observations), so it can be recorded.
    """

    @abc.abstractmethod
    def expected(self, check: "Check", hidden: bool) -> dict:
        """The reference's observations on the check's scenarios (public only unless ``hidden``)."""

    @abc.abstractmethod
    def mistakes(self, check: "Check", scenario: str) -> Mapping[str, object]:
        """Known mistake id -> the output that mistake gives on ``scenario`` (an array, or a
        function of no arguments computing it); only the mistakes that apply there."""

    @abc.abstractmethod
    def auxiliary(self, check: "Check", name: str):
        """A named reference value the check's comparisons need (listed in ``check.auxiliaries``)."""


Scenario = Tuple[str, str, Callable[[], object]]  # (group id, observation key, thunk)


class Check(abc.ABC):
    """Base class of the checks: subclasses set ``name``, ``groups`` and ``hints``, and
    define ``scenarios`` and one ``compare_<group id>`` method per group."""

    name = ""
    groups: Tuple[Group, ...] = ()
    hints: Dict[str, str] = {}  # known mistake id -> the hint a learner gets when their output matches it
    auxiliaries: Tuple[str, ...] = ()  # names the check passes to reference.auxiliary
    # Instructor-only module whose PROVIDERS/AUXILIARY compute this check's known mistakes
    # and auxiliary values from the reference (read by LiveReference, never shipped).
    mistakes_module = "assignment.checks.known_mistakes"
    # The scenario that builds the learner's layer; later scenarios reuse what it built,
    # so when it fails, its error is the one to report.
    first_scenario = None

    def __init__(self, exercise, reference: Reference = None, **settings):
        if exercise.name != self.name:
            raise ValueError(f"{type(self).__name__} checks {self.name!r}, not {exercise.name!r}")
        self.exercise = exercise
        self.reference = reference
        self.settings = dict(settings)  # per-release parameters a check may read (none yet)

    # ---- probe side (sandbox): no reference

    @abc.abstractmethod
    def scenarios(self, target, extras) -> Iterator[Scenario]:
        """Yield (group id, key, thunk) triples; each thunk calls ``target`` and returns its outputs.
        ``extras`` are the helpers the public test receives after the target (may be empty)."""

    def wanted_groups(self, hidden: bool):
        return [group for group in self.groups if hidden or group.in_public_test]

    def probe(self, target, *extras, hidden=False):
        """Run the scenarios on the learner's code: observations, no verdict."""
        if target is None:
            return {"target": {"kind": "none"}}
        wanted = {group.id for group in self.wanted_groups(hidden)}
        observations = {}
        for group, key, thunk in self.scenarios(target, extras):
            if group in wanted:
                observations[key] = attempt(thunk)
        return observations

    def reference_call(self, module):
        """(target, extras) of the reference module that ``expected`` probes: the
        exercise's solution and its helpers. A check whose settings change the calling
        convention (e.g. another release's masks) may adapt the reference here."""
        return getattr(module, self.name), [getattr(module, name) for name in self.exercise.extra_args]

    # ---- judge side (grader, or the learner's kernel for a public test)

    def _reference(self) -> Reference:
        if self.reference is None:
            raise RuntimeError(f"the check of {self.name} was built without a reference: it can probe, not judge")
        return self.reference

    def expected(self, hidden=False) -> dict:
        return self._reference().expected(self, hidden)

    def known_mistakes(self, scenario: str):
        """(hint, output or thunk) of each known mistake on ``scenario``, in ``hints`` order."""
        provided = self._reference().mistakes(self, scenario)
        return [(hint, provided[key]) for key, hint in self.hints.items() if key in provided]

    def auxiliary(self, name: str):
        return self._reference().auxiliary(self, name)

    def judge(self, observations, hidden=False, policy="course") -> Verdict:
        """Raise CheckFailed where the learner's observations are wrong; return the advice."""
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}; expected one of {POLICIES}")
        if observations.get("target", {}).get("kind") == "none":
            raise CheckFailed(f"{self.name} is None. {FILL_IN_HINT}")
        if self.first_scenario:
            record = observations[self.first_scenario]
            if record.get("kind") == "none":
                raise CheckFailed(f"{self.name} returned None on the public inputs. {FILL_IN_HINT}")
            try:
                value_of(record, self.name)
            except CheckFailed as failure:  # say what it received, then the error and any hint
                about = next((group.about for group in self.groups if group.tag == PUBLIC), "the public inputs")
                error = CheckFailed(f"On the public test's inputs, {about}: {failure}", raised=failure.raised)
                raise error from failure.__cause__
        expected = self.expected(hidden)
        advice = []
        for group in self.wanted_groups(hidden):
            compare = getattr(self, f"compare_{group.id}")
            try:
                compare(observations, expected)
            except CheckFailed as failure:
                if group.tag == BEYOND and policy == "course":
                    message = " ".join(line.strip() for line in str(failure).splitlines() if line.strip())
                    advice.append(Advice(group.id, group.about, message))
                    continue
                if group.tag == PUBLIC and not failure.raised:
                    raise
                context = {PUBLIC: "the public test's inputs", BEYOND: "beyond the course's tests"}.get(
                    group.tag, "a hidden scenario")  # a raise says what the code received
                error = CheckFailed(f"On {context}, {group.about}: {failure}", raised=failure.raised)
                error.__cause__ = failure.__cause__
                raise error from failure.__cause__
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
                if group.tag == BEYOND and policy == "course":
                    advice.append(Advice(group.id, group.about, "the outputs have an unexpected structure "
                                                                f"({type(error).__name__}: {error})"))
                    continue
                raise
        return Verdict(advice)


# ------------------------------------------------------------------ the registry of check classes

CHECK_CLASSES: Dict[str, type] = {}


def register(cls):
    """Class decorator of the exercise modules: the check class of exercise ``cls.name``."""
    if cls.name in CHECK_CLASSES and CHECK_CLASSES[cls.name] is not cls:
        raise ValueError(f"two check classes for {cls.name!r}")
    missing = [group.id for group in cls.groups if not hasattr(cls, f"compare_{group.id}")]
    if missing:
        raise TypeError(f"{cls.__name__} has no compare_<id> method for groups {missing}")
    CHECK_CLASSES[cls.name] = cls
    return cls


def check_class(exercise):
    """The Check class of a registered exercise (imports its ``check_module``), or None
    when that module has no probe/judge check for it (a plain public test function)."""
    importlib.import_module(exercise.check_module)
    return CHECK_CLASSES.get(exercise.name)


def make_check(exercise, reference: Reference = None, **settings) -> Check:
    """The check of ``exercise`` (a registry ``Exercise``), judging against ``reference``.
    Without a reference it can only probe (that is all the sandbox needs)."""
    cls = check_class(exercise)
    if cls is None:
        raise LookupError(f"{exercise.check_module} has no probe/judge check for {exercise.name}")
    return cls(exercise, reference, **settings)
