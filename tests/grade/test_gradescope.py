"""The Gradescope autograder (assignment/grade/autograder.py): the archive that
``gradescope build DIR`` writes, its scripts, and ``run_autograder`` in a simulated
Gradescope layout (``$AUTOGRADER_ROOT``), checked against the documented results.json
format (https://gradescope-autograders.readthedocs.io/en/latest/specs/; docs/gradescope.md)."""
import json
import math
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assignment.exercises import exercises_of
from assignment.grade import autograder, report
from assignment.cli import main

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SUBMISSIONS = ROOT / "tests" / "submissions"
EXPECTED = json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8"))
EXERCISES = exercises_of("Transformer")

# The documented results.json (specs page, "Output format"): the top-level and per-test keys, and
# the visibility values ("Controlling Test Case Visibility").
TOP_KEYS = {"score", "execution_time", "output", "visibility", "stdout_visibility", "extra_data", "tests",
            "leaderboard"}
TEST_KEYS = {"score", "max_score", "name", "number", "output", "tags", "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def schema_problems(document) -> list:
    """What in ``document`` breaks Gradescope's documented results.json format (empty: valid)."""
    problems = []
    try:
        json.dumps(document, allow_nan=False)
    except ValueError as error:
        problems.append(f"not strict JSON: {error}")
    if not isinstance(document, dict):
        return problems + ["the document is not an object"]
    problems += [f"unknown top-level key {key!r}" for key in set(document) - TOP_KEYS]
    tests = document.get("tests")
    if "score" not in document and not (isinstance(tests, list) and tests and all(
            isinstance(t, dict) and "score" in t for t in tests)):
        problems.append("no top-level score and not a score on every test")
    if "score" in document and not _number(document["score"]):
        problems.append(f"score is not a number: {document['score']!r}")
    if "execution_time" in document and not (_number(document["execution_time"]) and document["execution_time"] >= 0):
        problems.append(f"execution_time is not seconds: {document['execution_time']!r}")
    for key in ("output",):
        if key in document and not isinstance(document[key], str):
            problems.append(f"{key} is not a string")
    for key in ("visibility", "stdout_visibility"):
        if key in document and document[key] not in VISIBILITY:
            problems.append(f"{key} {document[key]!r} is not one of {sorted(VISIBILITY)}")
    if "extra_data" in document and not isinstance(document["extra_data"], dict):
        problems.append("extra_data is not an object")
    if tests is not None and not isinstance(tests, list):
        return problems + ["tests is not a list"]
    for index, test in enumerate(tests or []):
        where = f"tests[{index}]"
        if not isinstance(test, dict):
            problems.append(f"{where} is not an object")
            continue
        problems += [f"{where}: unknown key {key!r}" for key in set(test) - TEST_KEYS]
        for key in ("score", "max_score"):
            if key in test and not _number(test[key]):
                problems.append(f"{where}.{key} is not a number: {test[key]!r}")
        if _number(test.get("score")) and _number(test.get("max_score")) and not 0 <= test["score"] <= test["max_score"]:
            problems.append(f"{where}: score {test['score']} outside 0..{test['max_score']}")
        for key in ("name", "output", "number"):
            if key in test and not isinstance(test[key], str):
                problems.append(f"{where}.{key} is not a string")
        if "visibility" in test and test["visibility"] not in VISIBILITY:
            problems.append(f"{where}.visibility {test['visibility']!r} is not one of {sorted(VISIBILITY)}")
        if "tags" in test and not (isinstance(test["tags"], list) and all(isinstance(t, str) for t in test["tags"])):
            problems.append(f"{where}.tags is not a list of strings")
    return problems


def check_results(document, statuses=None):
    """Valid per the documentation, and per our contract: one test per exercise, in registry
    order, with its points; the total is the tests' sum. ``statuses``: {exercise: "a|b"}."""
    assert schema_problems(document) == []
    assert [t["name"] for t in document["tests"]] == [f"{e.tag} {e.name}" for e in EXERCISES]
    assert [t["max_score"] for t in document["tests"]] == [e.points for e in EXERCISES]
    assert document["score"] == pytest.approx(sum(t["score"] for t in document["tests"]))
    for test, exercise in zip(document["tests"], EXERCISES):
        if statuses:
            expected = statuses[exercise.name]
            assert test["output"].split(":", 1)[0].split("\n")[0] in expected["status"].split("|"), test
            assert expected["feedback"] in test["output"], (expected["feedback"], test["output"])


# --------------------------------------------------------------------------- the schema check itself

@pytest.mark.parametrize("broken, problem", [
    ({"score": "100", "tests": []}, "score is not a number"),
    ({"score": float("nan"), "tests": []}, "not strict JSON"),
    ({"tests": [{"name": "a", "max_score": 1}]}, "no top-level score"),
    ({"score": 1, "visibility": "public"}, "visibility 'public'"),
    ({"score": 1, "tests": [{"score": 2, "max_score": 1}]}, "outside 0..1"),
    ({"score": 1, "tests": [{"score": 1, "points": 1}]}, "unknown key 'points'"),
    ({"score": 1, "grade": 1}, "unknown top-level key 'grade'"),
    ({"score": 1, "tests": [{"score": True}]}, "is not a number"),
    ({"score": 1, "tests": [{"score": 1, "output": ["x"]}]}, "output is not a string"),
])
def test_the_schema_check_rejects_what_the_documentation_does_not_allow(broken, problem):
    assert any(problem in found for found in schema_problems(broken)), schema_problems(broken)


def test_report_writer_matches_the_schema_on_a_synthetic_result():
    from assignment.grade.core import error_result
    result = error_result("x.ipynb", "unreadable submission: <not JSON>", "Transformer")
    check_results(report.gradescope(result))
    assert "unreadable submission" in report.gradescope(result)["output"]


# --------------------------------------------------------------------------- the archive

@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradescope")
    assert main(["gradescope", "build", str(out), "--notebook", "Transformer"]) == 0
    return out / "autograder.zip"


def test_archive_holds_what_gradescope_and_the_grader_need(archive, tmp_path):
    with zipfile.ZipFile(archive) as zipped:
        infos = {info.filename: info for info in zipped.infolist()}
        config = json.loads(zipped.read(autograder.CONFIG_NAME))
        setup = zipped.read("setup.sh").decode()
    for name in ("setup.sh", "run_autograder"):  # at the root of the zip, executable
        assert stat.S_IMODE(infos[name].external_attr >> 16) == 0o755, name
    # the reference solutions, the hidden checks and the known mistakes travel inside
    for name in ("assignment/transformer.py", "assignment/checks/known_mistakes.py", "assignment/checks/live.py",
                 "assignment/grade/child/main.py", "assignment/labs/ner/align.py", "requirements.txt",
                 "requirements-nodeps.txt", "selftest/Transformer.ipynb"):
        assert name in infos, name
    assert not [name for name in infos if "__pycache__" in name or name.endswith(".pyc") or name.startswith("/")
                or ".." in name.split("/")]
    assert config["notebook"] == "Transformer" and config["policy"] == "course"
    assert config["self_test"] == "selftest/Transformer.ipynb"
    assert "requirements.txt" in setup and "--no-deps" in setup and "bubblewrap" in setup
    # the same sources give the same bytes
    again = tmp_path / "again"
    assert main(["gradescope", "build", str(again), "--notebook", "Transformer"]) == 0
    assert (again / "autograder.zip").read_bytes() == archive.read_bytes()


def test_one_notebook_per_autograder(tmp_path, capsys):
    assert main(["gradescope", "build", str(tmp_path), "--notebook", "Transformer",
                 "--notebook", "NER_DistilBERT"]) == 2
    assert "one notebook" in capsys.readouterr().err
    assert not (tmp_path / "autograder.zip").exists()


def _unpack(archive, root: Path) -> Path:
    """Gradescope's layout: the zip in ROOT/source, run_autograder copied to ROOT."""
    source = root / "source"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(source)
    (root / "run_autograder").write_bytes((source / "run_autograder").read_bytes())
    (root / "submission").mkdir()
    return source


def test_scripts_parse_and_setup_has_a_dry_run(archive, tmp_path):
    source = _unpack(archive, tmp_path)
    for script in ("setup.sh", "run_autograder"):
        done = subprocess.run(["bash", "-n", str(source / script)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    # no python3.11 and no bwrap on this PATH: the dry run shows the apt-get line too
    empty = tmp_path / "empty-path"
    empty.mkdir()
    done = subprocess.run(["/bin/bash", str(source / "setup.sh"), "--dry-run"], capture_output=True, text=True,
                          env={"PATH": str(empty), "AUTOGRADER_ROOT": str(tmp_path)}, timeout=30)
    assert done.returncode == 0, done.stderr
    commands = [line[2:] for line in done.stdout.splitlines() if line.startswith("+ ")]
    venv = tmp_path / "source" / ".venv"
    assert commands[0] == "apt-get update"
    assert "python3.11 python3.11-venv bubblewrap" in commands[1]
    assert commands[2] == f"python3.11 -m venv {venv}"
    assert f"pip install --quiet -r {tmp_path / 'source' / 'requirements.txt'}" in commands[4]
    assert "--no-deps -r" in commands[5] and commands[6] == f"cd {tmp_path / 'source'}"
    assert commands[7].endswith("-m assignment gradescope run --self-test") and len(commands) == 8
    assert not venv.exists()  # a dry run installs nothing


# --------------------------------------------------------------------------- inside the container

def _notebook(path: Path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_find_submission_prefers_the_named_notebook_and_never_follows_links(tmp_path):
    folder = tmp_path / "submission"
    _notebook(folder / "scratch.ipynb")
    named = _notebook(folder / "hw" / "Transformer.ipynb")
    assert autograder.find_submission(folder, "Transformer") == named
    assert autograder.find_submission(folder, None) == named  # registry names are known without a config
    (named).unlink()
    assert autograder.find_submission(folder, "Transformer") == folder / "scratch.ipynb"  # the only one
    _notebook(folder / "copy.ipynb")
    with pytest.raises(autograder.NoSubmission, match="several .ipynb files.*copy.ipynb, scratch.ipynb"):
        autograder.find_submission(folder, "Transformer")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "Transformer.ipynb").symlink_to(ROOT / "notebooks" / "Transformer.ipynb")
    (linked / "dir").symlink_to(ROOT / "notebooks")
    with pytest.raises(autograder.NoSubmission, match="symbolic links are not followed"):
        autograder.find_submission(linked, "Transformer")


def test_an_empty_or_unreadable_submission_still_gets_a_results_file(tmp_path, monkeypatch):
    monkeypatch.setattr(autograder, "_limits", lambda config: None)  # no sandbox needed: nothing runs
    (tmp_path / "submission").mkdir()
    result = autograder.grade_root(tmp_path)
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    check_results(document)
    assert document["score"] == 0 and "no .ipynb notebook was found" in document["output"]
    assert result["error"]
    _notebook(tmp_path / "submission" / "Transformer.ipynb", "this is not JSON {")
    autograder.grade_root(tmp_path)
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    check_results(document)
    assert "unreadable submission" in document["output"] and document["score"] == 0


# --------------------------------------------------------------------------- end to end

def _run_autograder(root: Path, submission: Path) -> dict:
    folder = root / "submission"
    for old in folder.iterdir():
        old.unlink()
    results = root / "results" / "results.json"
    if results.exists():
        results.unlink()
    (folder / submission.name).write_bytes(submission.read_bytes())
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    done = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Score:" in done.stdout  # the table, for the instructor's stdout
    return json.loads(results.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_run_autograder_in_a_simulated_gradescope_layout(archive, tmp_path):
    root = tmp_path / "autograder"
    _unpack(archive, root)
    solutions = tmp_path / "solutions"
    subprocess.run([sys.executable, "-m", "assignment", "notebooks", "build", "--notebook", "Transformer",
                    "--solutions", str(solutions), "--out", str(tmp_path / "learner")],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    solved = _run_autograder(root, solutions / "Transformer.ipynb")
    check_results(solved)
    assert solved["score"] == 100 and all(t["output"].startswith("passed") for t in solved["tests"])

    wrong = _run_autograder(root, SUBMISSIONS / "mutants_round1.ipynb")
    check_results(wrong, EXPECTED["mutants_round1.ipynb"]["exercises"])
    assert wrong["score"] == EXPECTED["mutants_round1.ipynb"]["score"]

    unreadable = _run_autograder(root, SUBMISSIONS / "not_a_notebook.ipynb")
    check_results(unreadable)
    assert unreadable["score"] == 0 and "unreadable submission" in unreadable["output"]
    assert all(t["output"].startswith("error: unreadable submission") for t in unreadable["tests"])


def test_the_autograder_never_runs_learner_code_unconfined(tmp_path):
    (tmp_path / "submission").mkdir()
    _notebook(tmp_path / "submission" / "Transformer.ipynb", (SUBMISSIONS / "all_correct.ipynb").read_text())
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / autograder.CONFIG_NAME).write_text(json.dumps({"isolation": "none"}))
    result = autograder.grade_root(tmp_path, tmp_path / "source")
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    check_results(document)
    assert document["score"] == 0 and "could not start its sandbox" in document["output"]
    assert "refused" in result["error"]
