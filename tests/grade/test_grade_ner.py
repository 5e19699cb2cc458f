"""The grader on the NER lab: notebook detection, the solved copy, a mutant, a mixed folder."""
import assignment  # noqa: F401  (tf-keras before TensorFlow)

import csv
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assignment.grade.commands import by_notebook
from assignment.grade.core import detect_notebook, error_result, grade_file
from assignment.grade.extract import read_cells
from assignment.notebooks.cells import LEARNER, SOLVED
from assignment.notebooks.build import render
from tests.mutants import ner_mutants
from tests.mutants.graded_cell import with_graded_cell

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
NER = "NER_DistilBERT"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def mutant_code(mutant) -> str:
    """``mutant``'s source named tokenize_and_align_labels, after the mutants module's
    helpers and flag (the notebook cell defines them too)."""
    code = inspect.getsource(mutant).replace(f"def {mutant.__name__}(", "def tokenize_and_align_labels(", 1)
    helpers = [inspect.getsource(getattr(ner_mutants, name)) for name in ("_continued", "_aligned", "_split", "_later")]
    return "IGNORE = -100\nlabel_all_tokens = True\n\n\n" + "\n\n".join(helpers + [code])


def mutant_notebook(mutant) -> str:
    """The solved NER notebook with its graded function replaced by ``mutant``."""
    graded = "def tokenize_and_align_labels("
    return with_graded_cell(NER, graded, lambda source: source[:source.index(graded)] + mutant_code(mutant))


def test_notebook_detected_from_the_graded_cells(tmp_path):
    assert detect_notebook(read_cells(write(tmp_path / "a.ipynb", render(NER, LEARNER)))) == NER
    assert detect_notebook(read_cells(write(tmp_path / "b.ipynb", render("Transformer", LEARNER)))) == "Transformer"
    script = write(tmp_path / "c.py", "def tokenize_and_align_labels(tokenizer, examples, tags):\n    pass\n")
    assert detect_notebook(read_cells(script)) == NER
    assert detect_notebook(read_cells(write(tmp_path / "d.py", "x = 1\n"))) == "Transformer"  # nothing: default


def test_learner_release_of_the_ner_lab_is_not_implemented(tmp_path):
    result = grade_file(write(tmp_path / "learner.ipynb", render(NER, LEARNER)))  # the stub is never run
    assert result["notebook"] == NER and result["score"] == 0 and result["max_score"] == 100
    assert result["exercises"][0]["feedback"].startswith("Not implemented: tokenize_and_align_labels")


def test_notebook_override(tmp_path):
    result = grade_file(write(tmp_path / "t.ipynb", render("Transformer", LEARNER)), notebook=NER)
    assert result["notebook"] == NER and [e["status"] for e in result["exercises"]] == ["missing"]


def test_unreadable_rows_join_the_batch_notebook():
    graded = {"file": "ok.ipynb", "notebook": NER, "exercises": [], "score": 100}
    groups = by_notebook([graded, error_result("bad.ipynb", "unreadable submission: not JSON")])
    assert list(groups) == [NER]
    assert [e["name"] for e in groups[NER][1]["exercises"]] == ["tokenize_and_align_labels"]


def grade_cli(*args):
    return subprocess.run([sys.executable, "-m", "assignment", "grade", *map(str, args), "--timeout", "60"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_solved_ner_notebook_scores_100(tmp_path):
    path = write(tmp_path / "NER_DistilBERT.ipynb", render(NER, SOLVED))
    process = grade_cli(path, "--json", tmp_path / "result.json")
    assert process.returncode == 0, process.stderr[-2000:]
    assert "Score: 100/100" in process.stdout
    document = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert document["notebook"] == NER and document["exercises"][0]["status"] == "passed"
    assert document["exercises"][0]["advice"] == []


@pytest.mark.slow
def test_mixed_folder(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    write(folder / "ner_solved.ipynb", render(NER, SOLVED))
    write(folder / "ner_every_subtoken_b.ipynb", mutant_notebook(ner_mutants.every_subtoken_b))
    write(folder / "ner_copies_tags.ipynb", mutant_notebook(ner_mutants.copies_tags))
    write(folder / "transformer_learner.ipynb", render("Transformer", LEARNER))
    write(folder / "broken.ipynb", "{not json")
    out = tmp_path / "grades" / "grades.csv"
    process = grade_cli(folder, "--out", out, "--jobs", "1", "--quiet")
    assert process.returncode == 0, process.stderr[-2000:]
    assert not out.exists()  # mixed: one CSV per notebook
    with open(out.with_name("grades-NER_DistilBERT.csv"), encoding="utf-8") as handle:
        ner_rows = {row["file"]: row for row in csv.DictReader(handle)}
    with open(out.with_name("grades-Transformer.csv"), encoding="utf-8") as handle:
        transformer_rows = {row["file"]: row for row in csv.DictReader(handle)}
    assert set(ner_rows) == {"ner_solved.ipynb", "ner_every_subtoken_b.ipynb", "ner_copies_tags.ipynb",
                             "broken.ipynb"}  # the unreadable file joins the most frequent notebook
    assert set(transformer_rows) == {"transformer_learner.ipynb"}
    assert ner_rows["ner_solved.ipynb"]["tokenize_and_align_labels"] == "100"
    assert ner_rows["ner_every_subtoken_b.ipynb"]["total"] == "0"
    assert ner_rows["ner_copies_tags.ipynb"]["total"] == "100" and ner_rows["ner_copies_tags.ipynb"]["advice"] == "1"
    assert transformer_rows["transformer_learner.ipynb"]["total"] == "0"
    mutant = json.loads((out.with_suffix("") / "ner_every_subtoken_b.json").read_text(encoding="utf-8"))
    assert mutant["exercises"][0]["status"] == "failed" and "B- becomes I-" in mutant["exercises"][0]["feedback"]
    summary = out.with_name("grades-NER_DistilBERT-summary.md").read_text(encoding="utf-8")
    assert "tokenize_and_align_labels" in summary and "tuples" in summary
    assert out.with_name("grades-Transformer-summary.json").exists()


def test_sandbox_stages_the_tokenizer_builder_not_the_reference():
    from assignment.grade.isolation import probe_files
    files = probe_files()
    assert "assignment/labs/ner/tokenizer.py" in files and "assignment/checks/token_alignment.py" in files
    assert "assignment/labs/ner/align.py" not in files and "assignment/checks/known_mistakes.py" not in files
    assert not any(f.startswith("assignment/labs/ner/") and f not in ("assignment/labs/ner/__init__.py",
                                                                  "assignment/labs/ner/tokenizer.py") for f in files)


def stealing(tokenizer, examples, tags, max_length=512):
    from assignment.labs.ner.align import tokenize_and_align_labels as reference
    return reference(tokenizer, examples, tags, max_length)


@pytest.mark.slow
def test_importing_the_reference_is_an_error(tmp_path):
    path = write(tmp_path / "steal.ipynb", mutant_notebook(stealing))
    result = grade_file(path, notebook=None)
    exercise = result["exercises"][0]
    assert result["notebook"] == NER and exercise["status"] == "error"
    assert "importing assignment.labs.ner.align is not allowed" in exercise["feedback"]


def course_style_notebook() -> str:
    """A notebook written the way the course's lab is (our own text and code): pandas and
    the resume file read first, then, in one untagged cell, the module-level flag and the
    function with the course's signature, which gives the tokenizer the raw text
    (is_split_into_words=False) and pads to 512, then the cell that calls it on the texts."""
    function = inspect.getsource(ner_mutants.course_version).replace("def course_version(",
                                                                     "def tokenize_and_align_labels(", 1)
    cells = [
        ("markdown", "# Named-Entity Recognition of resumes\n\nExercise 1 - tokenize_and_align_labels"),
        ("code", "import pandas as pd\nimport numpy as np\nimport tensorflow as tf\n"
                 "df_data = pd.read_json('ner.json', lines=True)"),
        ("code", "label_all_tokens = True\nIGNORE = -100\n\n\n" + function),
        ("code", "test = tokenize_and_align_labels(tokenizer, df_data['content'].values.tolist(), tags)"),
    ]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": text,
         **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, text in cells]})


def test_the_course_signature_is_not_an_edit(tmp_path):
    import ast
    from assignment.grade.given_code import given_code_edits

    cells = read_cells(write(tmp_path / "course.ipynb", course_style_notebook()))
    assert detect_notebook(cells) == NER
    node = next(cell.definition("tokenize_and_align_labels") for cell in cells
                if cell.defines("tokenize_and_align_labels"))
    assert given_code_edits(node, "tokenize_and_align_labels", "assignment.labs.ner.align") == []
    ours = ast.parse("def tokenize_and_align_labels(tokenizer, examples, tags, max_length=512):\n    pass\n")
    assert given_code_edits(ours.body[0], "tokenize_and_align_labels", "assignment.labs.ner.align") == []
    edited = ast.parse("def tokenize_and_align_labels(tokenizer, words, tags, label_all_tokens=False):\n    pass\n")
    notes = given_code_edits(edited.body[0], "tokenize_and_align_labels", "assignment.labs.ner.align")
    assert len(notes) == 1 and "(tokenizer, words, tags, label_all_tokens=False)" in notes[0]


@pytest.mark.slow
def test_a_course_style_notebook_is_told_what_its_code_does_to_real_data(tmp_path):
    result = grade_file(write(tmp_path / "course.ipynb", course_style_notebook()))
    exercise = result["exercises"][0]
    assert result["notebook"] == NER and result["score"] == 0
    assert exercise["status"] == "failed", exercise
    feedback = exercise["feedback"]
    assert "This is the course's version" in feedback and "is_split_into_words=False" in feedback
    assert "'SQL' gets 'O'" in feedback  # the labels sliding, on the public sentence
    assert not any("signature" in note for note in exercise["notes"]), exercise["notes"]
