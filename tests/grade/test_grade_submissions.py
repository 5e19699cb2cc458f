"""The grader on the submissions of tests/submissions/, graded in ONE batch call.

expected.json gives, per submission, the score, and per exercise the status (``a|b``:
either) and a substring of the feedback. Regenerate both with
``python tests/submissions/make_submissions.py`` after changing the release or the checks.
"""
import assignment  # noqa: F401  (tf-keras before TensorFlow)

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SUBMISSIONS = ROOT / "tests" / "submissions"
EXPECTED = json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8"))
pytestmark = pytest.mark.slow  # one batch of 29 submissions graded in sandboxes: minutes

EXERCISES = ["get_angles", "positional_encoding", "scaled_dot_product_attention", "EncoderLayer", "Encoder",
             "DecoderLayer", "Decoder", "Transformer"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for name in EXPECTED:
        shutil.copy(SUBMISSIONS / name, folder / name)
    # The release's notebooks as generated now (not the committed copies): the solved one
    # must grade to 100, the learner one to 0 with "Not implemented" everywhere.
    from assignment.notebooks.cells import LEARNER, SOLVED
    from assignment.notebooks.build import render
    (folder / "all_correct.ipynb").write_text(render("Transformer", SOLVED), encoding="utf-8")
    (folder / "learner_release.ipynb").write_text(render("Transformer", LEARNER), encoding="utf-8")
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "assignment", "grade", str(folder), "--out", str(out), "--jobs", "2",
         "--timeout", "30", "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    return {"process": process, "out": out, "folder": folder, "seconds": time.monotonic() - started}


def result_of(batch, name):
    path = batch["out"].with_suffix("") / f"{Path(name).stem}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_batch_finishes_with_status_0(batch):
    process = batch["process"]
    assert process.returncode == 0, process.stderr[-3000:]
    assert "Graded" in process.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_submission_graded_as_expected(batch, name):
    expected = EXPECTED[name]
    result = result_of(batch, name)
    assert result["score"] == expected["score"], json.dumps(result["exercises"], indent=1)[:4000]
    statuses = {e["name"]: e for e in result["exercises"]}
    for exercise, want in expected["exercises"].items():
        got = statuses[exercise]
        assert got["status"] in want["status"].split("|"), (exercise, got["status"], got["feedback"])
        assert any(text in got["feedback"] for text in want["feedback"].split("|")), (exercise, got["feedback"])
        assert got["points"] == (got["max_points"] if got["status"] == "passed" else 0)
    for exercise, words in expected.get("advice", {}).items():  # named advice, under the course policy
        assert any(words in item for item in statuses[exercise]["advice"]), statuses[exercise]["advice"]
    if expected.get("release"):
        assert result["release"]["name"] == expected["release"], result["release"]
    for note in expected.get("notes", []):
        assert any(note in line for line in result["notes"]), result["notes"]
    if expected.get("error"):
        assert expected["error"] in result["error"]


def test_csv_has_one_row_per_submission(batch):
    with open(batch["out"], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["file"] for row in rows] == sorted(EXPECTED)
    for row in rows:
        assert float(row["total"]) == EXPECTED[row["file"]]["score"]
        assert sum(float(row[name]) for name in EXERCISES) == float(row["total"])
    by_file = {row["file"]: row for row in rows}
    assert "get_angles: timeout" in by_file["infinite_loop.ipynb"]["errors"]
    assert "unreadable" in by_file["not_a_notebook.ipynb"]["errors"]


def test_class_summary(batch):
    out = batch["out"]
    summary = json.loads(out.with_name("grades-summary.json").read_text(encoding="utf-8"))
    assert summary["submissions"] == len(EXPECTED)
    passed = sum(1 for r in (result_of(batch, n) for n in EXPECTED)
                 for e in r["exercises"] if e["name"] == "get_angles" and e["status"] == "passed")
    assert summary["exercises"]["get_angles"]["pass_rate"] == round(passed / len(EXPECTED), 4)
    hints = [item["feedback"] for item in summary["exercises"]["positional_encoding"]["frequent_feedback"]]
    assert hints[0].startswith("Not implemented")
    assert any("sin and cos are swapped" in hint for hint in hints)
    problems = {p["file"] for p in summary["problems"]}
    assert {"infinite_loop.ipynb", "not_a_notebook.ipynb", "os_exit.ipynb", "sys_exit.ipynb"} <= problems
    assert sum(summary["scores"]["histogram"].values()) == len(EXPECTED)
    markdown = out.with_name("grades-summary.md").read_text(encoding="utf-8")
    assert "| get_angles |" in markdown and "## Most frequent feedback" in markdown


def test_output_is_captured_but_not_trusted(batch):
    fake = result_of(batch, "fake_pass.ipynb")
    get_angles = fake["exercises"][0]
    assert get_angles["status"] == "failed" and "All tests passed" in get_angles["output"]


def test_json_fields(batch):
    result = result_of(batch, "all_correct.ipynb")
    assert result["score"] == 100 and result["max_score"] == 100
    assert result["grader_version"] and result["tensorflow_version"]
    assert result["isolation"] in ("bwrap", "landlock")
    assert len(result["reference_sha256"]) == 64
    for exercise in result["exercises"]:
        assert {"name", "tag", "points", "max_points", "status", "feedback", "seconds"} <= set(exercise)
        assert exercise["seconds"] > 0


def test_no_sandbox_leftovers(batch):
    """Every child and its temporary folders are gone once the batch is over."""
    folder = str(batch["folder"])
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            assert "assignment.grade.child" not in cmdline or folder not in cmdline
    assert not list(batch["folder"].glob("grade-*"))


def test_killed_fork_server_is_restarted_and_the_culprit_named(tmp_path):
    """Without isolation a submission can kill the sandbox's fork server: the exercise that
    did it is an error, a new server grades the rest."""
    out = tmp_path / "result.json"
    process = subprocess.run(
        [sys.executable, "-m", "assignment", "grade", str(SUBMISSIONS / "kill_parent.ipynb"), "--isolation", "none",
         "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["isolation"] == "none" and result["score"] == 12.5
    get_angles = result["exercises"][0]
    assert get_angles["status"] == "error" and "killed by SIGKILL" in get_angles["feedback"]
    assert result["exercises"][2]["status"] == "passed"
