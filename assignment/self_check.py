"""``python -m assignment check``: run the public tests on the reference solutions.

Prints one row per registered exercise (tag, name, points, result, seconds) and exits 1
if any public test fails, so it doubles as a smoke test of a fresh install.
"""
import contextlib
import importlib
import io
import time

from assignment.exercises import NOTEBOOKS


def run_one(exercise):
    """Run one public test on the reference; returns (passed, message, seconds)."""
    started = time.perf_counter()
    try:
        from assignment.checks import ALL_TESTS_PASSED, lazy_public_test
        from assignment.checks.live import LiveReference
        reference = importlib.import_module(exercise.source_module)
        test = lazy_public_test(exercise, lambda: LiveReference(reference))
        extras = [getattr(reference, name) for name in exercise.extra_args]
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            test(getattr(reference, exercise.name), *extras)
        passed = ALL_TESTS_PASSED in printed.getvalue()
        message = ALL_TESTS_PASSED if passed else f"no '{ALL_TESTS_PASSED}' printed"
    except AssertionError as failure:
        passed, message = False, str(failure).splitlines()[0]
    except Exception as error:  # noqa: BLE001 - a broken install is reported, not raised
        passed, message = False, f"{type(error).__name__}: {error}".splitlines()[0]
    return passed, message, time.perf_counter() - started


def check_reference(notebooks=None) -> int:
    """Run the public tests of ``notebooks`` (default: all) on the reference and print the
    table; returns the exit status (1 when one fails)."""
    rows, failures = [], 0
    for notebook in notebooks or list(NOTEBOOKS):
        for exercise in NOTEBOOKS[notebook]:
            passed, message, seconds = run_one(exercise)
            failures += not passed
            rows.append((notebook, exercise.tag, exercise.name, exercise.points, "PASS" if passed else "FAIL",
                         seconds, message))
    print(f"{'notebook':<15} {'tag':<7} {'exercise':<29} {'points':>6}  {'result':<6} {'seconds':>7}")
    for notebook, tag, name, points, result, seconds, message in rows:
        print(f"{notebook:<15} {tag:<7} {name:<29} {points:>6g}  {result:<6} {seconds:>7.2f}"
              + ("" if result == "PASS" else f"  {message}"))
    print(f"\n{len(rows) - failures}/{len(rows)} public tests pass on the reference solutions.")
    return 1 if failures else 0
