"""One command surface: every verb in ``python -m assignment --help``, one wrapper for
errors (``error: ...``, exit 2 for usage, 1 for failures), the Makefile calling verbs."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assignment import cli
from assignment.errors import ArgumentParser, Failure, UsageError, command

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT


def test_help_lists_every_verb_without_loading_tensorflow():
    code = ("import sys; from assignment.cli import main; status = main(['--help']); "
            "print('tensorflow loaded:', 'tensorflow' in sys.modules); sys.exit(status)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "tensorflow loaded: False" in done.stdout
    for verb in ("check", "release", "grade", "ner", "dates", "run-notebook"):
        lines = [line for line in done.stdout.splitlines() if line.split()[:1] == [verb]]
        assert len(lines) == 1 and len(lines[0].split()) > 3, (verb, done.stdout)


def test_unknown_or_missing_verb_is_a_usage_error(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown verb 'frobnicate'")
    assert cli.main([]) == 2


@pytest.mark.parametrize("verb", sorted(cli.VERBS))
def test_every_verb_has_help(verb, capsys):
    assert cli.main([verb, "--help"]) == 0
    assert "usage:" in capsys.readouterr().out


def test_the_wrapper_maps_errors_to_exit_statuses(capsys):
    def usage(argv):
        raise UsageError("--steps must be positive")

    def failure(argv):
        raise Failure("the scheduler went away")

    def bad_option(argv):
        ArgumentParser(prog="python -m assignment demo").parse_args(argv)

    assert command(usage)([]) == 2
    assert capsys.readouterr().err == "error: --steps must be positive\n"
    assert command(failure)([]) == 1
    assert capsys.readouterr().err == "error: the scheduler went away\n"
    assert command(bad_option)(["--nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unrecognized arguments: --nope") and err.count("\n") == 1
    assert command(lambda argv: 0)([]) == 0


def test_grade_usage_errors_of_the_folder_options(tmp_path, capsys):
    (tmp_path / "a.ipynb").write_text("{}")
    assert cli.main(["grade", str(tmp_path / "a.ipynb"), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "for a folder of submissions" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path), "--out", str(tmp_path / "g.csv"), "--jobs", "2",
                     "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--jobs is for local grading" in capsys.readouterr().err


def test_unreachable_scheduler_is_a_usage_error(tmp_path, capsys, monkeypatch):
    from assignment.grade import distributed
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 2)
    (tmp_path / "a.ipynb").write_text("{}")
    assert cli.main(["grade", str(tmp_path), "--out", str(tmp_path / "g.csv"), "--quiet",
                     "--scheduler", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:1") and "Traceback" not in err


def test_makefile_calls_verbs_not_modules():
    makefile = (ROOT / "Makefile").read_text()
    assert not re.search(r"-m assignment\.", makefile)
    assert "-m assignment run-notebook" in makefile


def test_no_public_function_of_the_cli_and_grader_shadows_another():
    import ast
    modules = list((ROOT / "assignment" / "grade").glob("*.py")) + [ROOT / "assignment" / "cli.py",
                                                                    ROOT / "assignment" / "errors.py"]
    seen = {}
    module_names = {path.stem for path in modules}
    for path in modules:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_") \
                    and node.name != "main":
                assert node.name not in seen, f"{node.name} in {path.name} and {seen[node.name]}"
                assert node.name not in module_names, f"{path.name}:{node.name} is also a module's name"
                seen[node.name] = path.name
