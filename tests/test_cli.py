"""One command surface: every verb and sub-verb declared in ``assignment/cli.py`` (the only
module that builds an argument parser), each with ``--help``; one wrapper for errors
(``error: ...`` on one line, exit 2 for usage, 1 for failures); the Makefile calling verbs."""
import argparse
import ast
import re
import subprocess
import sys

import pytest

from assignment import cli
from assignment.errors import Failure, UsageError, command
from assignment.paths import REPO_ROOT
from tests.code_health import parser_modules

ROOT = REPO_ROOT
# The verb table the README and docs/ describe: (verb, its sub-verbs).
VERB_TABLE = {
    "check": [], "notebooks": ["build", "check", "run"], "release": [], "gradescope": ["build", "run"],
    "grade": [], "ner": ["train", "evaluate", "predict", "convert", "synth", "social"],
    "qa": ["train"], "dates": ["train", "translate"], "kernel": [],
}


def _sub_verbs(parser):
    """{name: parser} of the parser's sub-verbs (argparse keeps them in its subparsers action)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _every_command():
    """Every verb and sub-verb, as the argv that names it: ["ner", "train"], ["check"], ..."""
    found = []
    for verb, parser in _sub_verbs(cli.build_parser()).items():
        subs = _sub_verbs(parser)
        found.append([verb])
        found += [[verb, sub] for sub in subs]
    return found


def test_the_parser_declares_the_verb_table():
    declared = {verb: list(_sub_verbs(parser)) for verb, parser in _sub_verbs(cli.build_parser()).items()}
    assert declared == VERB_TABLE


def test_help_lists_every_verb_without_loading_tensorflow():
    code = ("import sys; from assignment.cli import main; status = main(['--help']); "
            "print('tensorflow loaded:', 'tensorflow' in sys.modules); sys.exit(status)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "tensorflow loaded: False" in done.stdout
    for verb in VERB_TABLE:
        lines = [line for line in done.stdout.splitlines() if line.split()[:1] == [verb]]
        assert len(lines) == 1 and len(lines[0].split()) > 3, (verb, done.stdout)


@pytest.mark.parametrize("argv", _every_command(), ids=" ".join)
def test_every_verb_and_sub_verb_has_help(argv, capsys):
    assert cli.main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m assignment {' '.join(argv)}"), out
    for sub in VERB_TABLE.get(argv[0], []) if len(argv) == 1 else []:
        assert re.search(rf"^\s+{sub}\s+\w", out, re.M), (sub, out)  # each sub-verb with its help


@pytest.mark.parametrize("argv, message", [
    (["frobnicate"], "unknown verb 'frobnicate' of python -m assignment; verbs: check, notebooks,"),
    (["notebooks", "publish"], "unknown verb 'publish' of python -m assignment notebooks; verbs: build, check, run"),
    (["ner", "fly"], "unknown verb 'fly' of python -m assignment ner"),
    (["gradescope-run"], "unknown verb 'gradescope-run'"),  # old spellings are gone, not aliases
    (["run-notebook"], "unknown verb 'run-notebook'"),
    (["release", "DIR", "--student", "x"], "unrecognized arguments: --student x (see: python -m assignment release"),
    (["notebooks", "build", "--check"], "unrecognized arguments: --check (see: python -m assignment notebooks build"),
    (["dates", "train", "--nope"], "unrecognized arguments: --nope (see: python -m assignment dates train --help)"),
    (["check", "--notebook", "Nope"], "argument --notebook: no notebook 'Nope'; known: Transformer"),
    (["grade", "x.ipynb", "--memory", "lots"], "argument --memory: not a size: 'lots'"),
    ([], "the following arguments are required: VERB"),
    (["ner"], "the following arguments are required: {train,evaluate,predict,convert,synth,social}"),
    (["release"], "the following arguments are required: DIR"),
])
def test_a_bad_command_line_is_one_error_line(argv, message, capsys):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    assert message in captured.err and "Traceback" not in captured.err, captured.err
    assert captured.out == ""


def test_a_bad_command_line_from_a_shell_exits_2_without_traceback():
    done = subprocess.run([sys.executable, "-m", "assignment", "notebooks", "frobnicate"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: unknown verb 'frobnicate'") and done.stderr.count("\n") == 1


def test_only_the_cli_module_builds_a_parser():
    assert parser_modules() == ["assignment.cli"]


def _prints_an_error(node) -> bool:
    """``print("error: ...")`` or ``print(f"error: ...")``."""
    if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print" and node.args):
        return False
    first = node.args[0]
    if isinstance(first, ast.JoinedStr) and first.values:
        first = first.values[0]
    return isinstance(first, ast.Constant) and str(first.value).startswith("error:")


def test_no_package_module_parses_a_command_line_or_prints_its_own_errors():
    """Packages take plain arguments: no argparse, no ``print("error: ...")`` (they raise
    UsageError/Failure, which ``errors.command`` reports), no ``__main__`` program;
    kernelspec.py aside: a learner's release runs a copy of it on its own, without the package."""
    for path in sorted((ROOT / "assignment").rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative in ("assignment/cli.py", "assignment/__main__.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "argparse" not in imported, relative
        if relative in ("assignment/errors.py", "assignment/kernelspec.py"):
            continue
        assert not [node.lineno for node in ast.walk(tree) if _prints_an_error(node)], relative
        mains = [node.lineno for node in tree.body if isinstance(node, ast.If) and "__main__" in ast.dump(node.test)]
        assert not mains, f"{relative}:{mains}: a hidden program; make it a verb in assignment/cli.py"


def test_the_wrapper_maps_errors_to_exit_statuses(capsys):
    def usage(argv):
        raise UsageError("--steps must be positive")

    def failure(argv):
        raise Failure("the scheduler went away")

    def bad_option(argv):
        cli.Parser(prog="python -m assignment demo").parse_args(argv)

    def interrupted(argv):
        raise KeyboardInterrupt

    assert command(usage)([]) == 2
    assert capsys.readouterr().err == "error: --steps must be positive\n"
    assert command(failure)([]) == 1
    assert capsys.readouterr().err == "error: the scheduler went away\n"
    assert command(bad_option)(["--nope"]) == 2
    err = capsys.readouterr().err
    assert err == "error: unrecognized arguments: --nope (see: python -m assignment demo --help)\n"
    assert command(interrupted)([]) == 130
    assert command(lambda argv: 0)([]) == 0


def test_a_failure_of_a_verb_exits_1(capsys):
    assert cli.main(["gradescope", "run", "--self-test"]) == 1  # no archive here: no solved notebook
    err = capsys.readouterr().err
    assert err.startswith("error: no solved notebook") and err.count("\n") == 1


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


def test_the_data_generators_are_sub_verbs_that_rewrite_the_shipped_files(tmp_path, capsys):
    for verb, shipped, n in (("synth", "resumes.jsonl", "300"), ("social", "social.conll", "3000")):
        out = tmp_path / shipped
        assert cli.main(["ner", verb, "--out", str(out)]) == 0
        assert f"wrote {n} " in capsys.readouterr().out
        assert out.read_bytes() == (ROOT / "data" / shipped).read_bytes()


def test_makefile_calls_verbs_not_modules():
    makefile = (ROOT / "Makefile").read_text()
    assert not re.search(r"-m assignment\.", makefile)
    assert "-m assignment notebooks run" in makefile
    verbs = re.findall(r"-m assignment (\S+)", makefile)
    assert verbs and set(verbs) <= set(VERB_TABLE), verbs


def test_no_public_function_of_the_cli_and_grader_shadows_another():
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
