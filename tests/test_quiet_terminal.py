"""No TensorFlow start-up lines on the terminal of a verb (issue 18, part 4); real errors
still show.

Each verb runs as the user runs it, ``python -m assignment ...``, from an environment
without TF_CPP_MIN_LOG_LEVEL / TF_ENABLE_ONEDNN_OPTS / TF_USE_LEGACY_KERAS (a plain
shell, not the Makefile's exports): the command-line entry sets what keeps TensorFlow
quiet before any verb imports it (assignment/cli.py, QUIET_TENSORFLOW).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assignment import cli

pytestmark = pytest.mark.slow  # each verb loads TensorFlow in a fresh process; grade runs a sandbox

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
# What TensorFlow 2.21 prints on start-up: the absl notice, oneDNN's announcement, the
# CPU-feature note, CUDA probing (GPU build), C++ info/warning lines (I0000/W0000 ...).
START_UP = re.compile(r"absl::InitializeLog|oneDNN custom operations|cpu_feature_guard|"
                      r"This TensorFlow binary is optimized|rebuild TensorFlow with|cuda|"
                      r"^[IW]\d{4} \d\d:\d\d:\d\d", re.IGNORECASE | re.MULTILINE)


def plain_shell_env():
    env = {key: value for key, value in os.environ.items()
           if key not in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "TF_USE_LEGACY_KERAS")}
    env.pop("PYTHONPATH", None)
    return env


def run(*args, timeout=600):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=plain_shell_env(), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def start_up_lines(text):
    return [line for line in text.splitlines() if START_UP.search(line)]


def test_the_pattern_matches_what_tensorflow_prints_unquieted():
    """The check can fail: TensorFlow imported without the entry's settings prints them."""
    done = run("-c", "import tensorflow as tf; tf.constant(1.0) + 1.0")
    assert done.returncode == 0, done.stderr
    assert start_up_lines(done.stderr), done.stderr


def test_check_prints_no_start_up_line():
    done = run("-m", "assignment", "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "public tests pass" in done.stdout
    assert not start_up_lines(done.stderr + done.stdout), done.stderr


def test_grade_prints_no_start_up_line_before_its_table():
    done = run("-m", "assignment", "grade", str(ROOT / "tests" / "submissions" / "all_correct.ipynb"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Score: 100/100" in done.stdout
    assert not start_up_lines(done.stderr + done.stdout), done.stderr


def test_real_errors_still_show(tmp_path):
    missing = tmp_path / "missing.ipynb"
    done = run("-m", "assignment", "grade", str(missing))
    assert done.returncode == 2 and f"error: {missing}" in done.stderr, done.stderr
    # After TensorFlow has loaded with the entry's settings, its errors are not hidden.
    code = ("from assignment.cli import quiet_tensorflow; quiet_tensorflow(); import tensorflow as tf; "
            f"tf.io.read_file({str(tmp_path / 'absent.txt')!r})")
    done = run("-c", code)
    assert done.returncode == 1 and "NotFoundError" in done.stderr and "absent.txt" in done.stderr, done.stderr
    assert not start_up_lines(done.stderr), done.stderr


def test_the_entry_respects_a_setting_the_user_made():
    code = ("import os, runpy, sys; sys.argv = ['assignment', '--help']; "
            "import assignment.cli as cli; cli.main = lambda: print(os.environ['TF_CPP_MIN_LOG_LEVEL'], "
            "os.environ['TF_ENABLE_ONEDNN_OPTS']) or 0; runpy.run_module('assignment', run_name='__main__')")
    env = dict(plain_shell_env(), TF_CPP_MIN_LOG_LEVEL="0")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.split() == ["0", cli.QUIET_TENSORFLOW["TF_ENABLE_ONEDNN_OPTS"]], done.stdout + done.stderr


def test_importing_the_cli_sets_nothing():
    """Library code leaves os.environ alone: only the entry point (assignment/__main__.py) sets them."""
    code = ("import os; from assignment import cli; cli.main(['--help']); "
            "print([name for name in cli.QUIET_TENSORFLOW if name in os.environ])")
    done = run("-c", code)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_the_labs_verbs_keep_onednn_on_the_others_turn_it_off():
    """oneDNN trains the labs' models twice as fast (benchmarks/RESULTS.md): their verbs keep it."""
    for argv, expected in ((["ner", "train"], None), (["qa", "train"], None), (["dates", "train"], None),
                           (["grade", "x"], "0"), (["check"], "0"), ([], "0")):
        environ = {}
        cli.quiet_tensorflow(environ, argv=argv)
        assert environ.get("TF_ENABLE_ONEDNN_OPTS") == expected and environ["TF_CPP_MIN_LOG_LEVEL"] == "2", argv
