"""Resumable batches: a result is kept while the submission's bytes and the grader's
version key are unchanged; a killed batch, run again, grades only the rest."""
import assignment  # noqa: F401  (tf-keras before TensorFlow)

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assignment import cli
from assignment.grade import batch, version_key
from assignment.grade.sandbox import Limits

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SUBMISSIONS = ROOT / "tests" / "submissions"


def graded_names(stderr: str):
    """The submissions a batch graded, from its one-line-per-submission progress."""
    return sorted(line.split("] ", 1)[1].split(":")[0] for line in stderr.splitlines() if line.startswith("["))


def test_cache_entry_is_kept_only_for_the_same_bytes_and_grader(tmp_path):
    submission = tmp_path / "a.ipynb"
    submission.write_text("{}")
    digest = batch.content_hash(submission)
    cache = batch.ResumeCache(tmp_path / "grades" / ".resume", "key1")
    result = {"file": str(submission), "score": 50.0}
    cache.store(submission, digest, result)
    assert cache.load(submission, digest) == result
    assert cache.load(submission, batch.content_hash(__file__)) is None  # other bytes
    assert batch.ResumeCache(cache.folder, "key2").load(submission, digest) is None  # other grader
    assert cache.load(tmp_path / "elsewhere" / "a.ipynb", digest) is None  # another file of that name
    (cache.folder / "a.ipynb.json").write_text('{"file": ')  # a torn entry is ignored, not an error
    assert cache.load(submission, digest) is None


def test_grader_key_follows_the_checks_and_the_options_that_change_results(tmp_path, monkeypatch):
    copy = tmp_path / "assignment"
    shutil.copytree(ROOT / "assignment", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(version_key, "PACKAGE", copy)
    limits = Limits()
    key = version_key.grader_key(limits, "Transformer", {"jobs": 2, "quiet": True})
    assert version_key.grader_key(limits, "Transformer", {"jobs": 4, "quiet": False}) == key  # no effect on results
    assert version_key.grader_key(Limits(timeout=5), "Transformer", {}) != key
    assert version_key.grader_key(limits, "Transformer", {"strict": True}) != key  # any other option counts
    with open(copy / "grade" / "report.py", "a") as handle:  # presentation only
        handle.write("\n# a comment\n")
    assert version_key.grader_key(limits, "Transformer", {}) == key
    with open(copy / "checks" / "protocol.py", "a") as handle:  # a check changed: every result is stale
        handle.write("\n# a comment\n")
    assert version_key.grader_key(limits, "Transformer", {}) != key


def test_rerun_grades_only_what_changed_and_force_regrades_all(tmp_path, capsys):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in ("a.ipynb", "b.ipynb"):
        shutil.copy(SUBMISSIONS / "learner_release.ipynb", folder / name)  # graded without running code
    shutil.copy(SUBMISSIONS / "not_a_notebook.ipynb", folder / "c.ipynb")
    out = tmp_path / "grades.csv"
    argv = [str(folder), "--out", str(out), "--jobs", "1"]
    assert cli.main(["grade", *argv]) == 0
    assert graded_names(capsys.readouterr().err) == ["a.ipynb", "b.ipynb", "c.ipynb"]
    csv_before = out.read_text()
    assert cli.main(["grade", *argv]) == 0
    err = capsys.readouterr().err
    assert graded_names(err) == [] and "3 of 3 submissions unchanged" in err
    assert out.read_text() == csv_before
    nb = json.loads((folder / "b.ipynb").read_text())
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [],
                        "execution_count": None, "id": "extra"})
    (folder / "b.ipynb").write_text(json.dumps(nb))
    assert cli.main(["grade", *argv]) == 0
    assert graded_names(capsys.readouterr().err) == ["b.ipynb"]
    assert cli.main(["grade", *argv, "--force"]) == 0
    assert graded_names(capsys.readouterr().err) == ["a.ipynb", "b.ipynb", "c.ipynb"]
    assert cli.main(["grade", *argv, "--force", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_killed_batch_resumes_with_the_rest(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name, source in (("1.ipynb", "learner_release"), ("2.ipynb", "learner_release"),
                         ("3.ipynb", "all_correct"), ("4.ipynb", "learner_release")):
        shutil.copy(SUBMISSIONS / f"{source}.ipynb", folder / name)
    out = tmp_path / "grades.csv"
    command = [sys.executable, "-m", "assignment", "grade", str(folder), "--out", str(out), "--jobs", "1",
               "--timeout", "30"]
    resume = tmp_path / "grades" / ".resume"
    with open(tmp_path / "first.log", "wb") as log:
        first = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 300
            while len(list(resume.glob("*.json"))) < 2 and first.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)  # 3.ipynb (TensorFlow to start) is being graded now
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)  # the batch and its pool, at once
            first.wait(timeout=30)
    finished = sorted(path.name for path in resume.glob("*.json"))
    assert finished == ["1.ipynb.json", "2.ipynb.json"], (tmp_path / "first.log").read_text()[-3000:]
    assert not out.exists()
    for path in (tmp_path / "grades").glob("*.json"):  # what was written is whole
        json.loads(path.read_text())
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "2 of 4 submissions unchanged" in again.stderr
    assert graded_names(again.stderr) == ["3.ipynb", "4.ipynb"]
    rows = out.read_text().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["1.ipynb", "2.ipynb", "3.ipynb", "4.ipynb"]
    assert rows[3].split(",")[10] == "100"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_a_bar_on_a_terminal_lines_otherwise_nothing_when_quiet():
    result = {"file": "/x/alice.ipynb", "score": 87.5, "max_score": 100.0, "error": None}
    terminal = Terminal()
    progress = batch.Progress(total=4, done=1, stream=terminal)
    progress.update(result)
    progress.close()
    assert "grading" in terminal.getvalue() and "2/4" in terminal.getvalue() and "alice.ipynb" in terminal.getvalue()
    log = io.StringIO()
    progress = batch.Progress(total=4, done=1, stream=log)
    progress.update(result)
    assert log.getvalue() == "[2/4] alice.ipynb: 87.5/100\n"
    quiet = Terminal()
    progress = batch.Progress(total=4, quiet=True, stream=quiet)
    progress.update(result)
    progress.note("kept")
    progress.close()
    assert quiet.getvalue() == ""


def test_a_crashed_local_worker_costs_a_retry_not_the_batch(tmp_path, monkeypatch):
    """The pool breaks when a worker dies: the submissions it had not finished are graded
    again in a new pool; after the last attempt they are error rows, not cached."""
    rounds = []

    def fake_round(paths, todo, limits, jobs, notebook, on_result, last, policy="course"):
        rounds.append(list(todo))
        for index in todo:
            if paths[index].name == "ok.ipynb" or (paths[index].name == "flaky.ipynb" and len(rounds) == 2):
                on_result(index, {"file": str(paths[index])}, True)
            elif last:
                on_result(index, {"file": str(paths[index]), "error": "crashed"}, False)
        return [i for i in todo
                if paths[i].name == "bad.ipynb" or (paths[i].name == "flaky.ipynb" and len(rounds) == 1)]

    monkeypatch.setattr(batch, "_pool_round", fake_round)
    paths = [tmp_path / name for name in ("bad.ipynb", "flaky.ipynb", "ok.ipynb")]
    seen = []
    batch.grade_in_pool(paths, Limits(), 2, "Transformer", lambda i, r, final: seen.append((paths[i].name, final)))
    assert rounds == [[0, 1, 2], [0, 1]]
    assert sorted(seen) == [("bad.ipynb", False), ("flaky.ipynb", True), ("ok.ipynb", True)]
