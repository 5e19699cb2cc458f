"""Shared pieces of the tests of assignment/checks/: the reference, the checks judging against it, and
ways to run a candidate through a public test or through the grader's probe + judge."""
import pytest

from assignment import transformer as ref
from assignment.checks import make_check
from assignment.checks.live import LiveReference
from assignment.exercises import EXERCISES, find

LIVE = LiveReference(ref)
CHECKS = {exercise.name: make_check(exercise, LIVE) for exercise in EXERCISES}


def extras_of(name):
    return [getattr(ref, helper) for helper in find(name).extra_args]


def run_public_test(name, target):
    """The notebook's public test of exercise ``name`` on ``target`` (with the reference helpers)."""
    import public_tests
    getattr(public_tests, find(name).check)(target, *extras_of(name))


def graded(name, target, policy="course"):
    """What the grader does, in this process: probe every scenario, judge; returns the Verdict."""
    check = CHECKS[name]
    return check.judge(check.probe(target, *extras_of(name), hidden=True), hidden=True, policy=policy)


def mutants_of(name):
    from tests.mutants.transformer_mutants import MUTANTS
    return [pytest.param(mutant, hint, id=mutant.__name__) for exercise, mutant, hint in MUTANTS if exercise == name]

