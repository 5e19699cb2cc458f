"""The grader on the QA lab: notebook detection, the learner's stub, the solved copy and a
mutant graded in one batch (CSV, the mutant's hint in its JSON)."""
import csv
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assignment.grade.core import detect_notebook, grade_file
from assignment.grade.extract import read_cells
from assignment.notebooks.build import render
from assignment.notebooks.cells import LEARNER, SOLVED
from assignment.paths import REPO_ROOT
from tests.mutants import qa_mutants
from tests.mutants.graded_cell import with_graded_cell

QA = "QA_DistilBERT"
GRADED = "def answer_token_positions("


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def mutant_notebook(mutant) -> str:
    """The solved QA notebook with its graded function replaced by ``mutant`` (and the
    mutants module's helpers, which the cell then defines too)."""
    code = inspect.getsource(mutant).replace(f"def {mutant.__name__}(", GRADED, 1)
    helpers = [inspect.getsource(getattr(qa_mutants, name)) for name in ("_encode", "_story_span", "_finish")]
    return with_graded_cell(QA, GRADED, lambda source: "MAX_LENGTH = 128\n\n\n" + "\n\n".join(helpers + [code]))


def test_qa_notebook_detected_from_its_graded_cell(tmp_path):
    assert detect_notebook(read_cells(write(tmp_path / "a.ipynb", render(QA, LEARNER)))) == QA
    script = write(tmp_path / "b.py", "def answer_token_positions(tokenizer, question, story, answer, answer_start):\n"
                                      "    pass\n")
    assert detect_notebook(read_cells(script)) == QA


def test_the_qa_stub_is_not_implemented(tmp_path):
    result = grade_file(write(tmp_path / "learner.ipynb", render(QA, LEARNER)))
    assert result["notebook"] == QA and result["score"] == 0 and result["max_score"] == 100
    assert result["exercises"][0]["feedback"].startswith("Not implemented: answer_token_positions")


@pytest.mark.slow
def test_a_qa_batch_scores_the_solution_and_names_the_mutants_mistake(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    write(folder / "solved.ipynb", render(QA, SOLVED))
    write(folder / "exclusive_end.ipynb", mutant_notebook(qa_mutants.exclusive_end))
    out = tmp_path / "grades" / "grades.csv"
    process = subprocess.run([sys.executable, "-m", "assignment", "grade", str(folder), "--out", str(out),
                              "--jobs", "1", "--quiet", "--timeout", "60"],
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stderr[-2000:]
    with open(out, encoding="utf-8") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    assert rows["solved.ipynb"]["answer_token_positions"] == "100"
    assert rows["exclusive_end.ipynb"]["total"] == "0"
    mutant = json.loads((out.with_suffix("") / "exclusive_end.json").read_text(encoding="utf-8"))
    hint = dict(qa_mutants.MUTANTS)[qa_mutants.exclusive_end]
    assert mutant["exercises"][0]["status"] == "failed" and hint in mutant["exercises"][0]["feedback"]
