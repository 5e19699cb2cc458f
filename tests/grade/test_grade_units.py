"""Fast tests of the grader's pieces: reading submissions, given code, CLI usage, channel."""
import assignment  # noqa: F401  (tf-keras before TensorFlow)

import hashlib
import hmac
import json
import queue
import textwrap
from pathlib import Path

import nbformat
import pytest

from assignment import cli
from assignment.grade import child_process, extract, given_code, report
from assignment.notebooks.markers import graded_blocks, module_path

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SUBMISSIONS = ROOT / "tests" / "submissions"
BLOCKS = graded_blocks(module_path("assignment.transformer"))


def notebook(tmp_path, *sources, name="nb.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(source)) for source in sources]
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


def test_magics_and_shell_lines_are_dropped():
    cleaned = extract.clean_source("%matplotlib inline\n!pip install x\nfiles = !ls\nx = 1\n")
    assert cleaned.splitlines() == ["", "", "", "x = 1"]
    assert extract.clean_source("%%bash\necho hi\n") == ""
    assert extract.clean_source("%%time\ny = 2\n").splitlines() == ["", "y = 2"]


def test_find_by_tag_then_comment_then_fallback(tmp_path):
    path = notebook(tmp_path,
                    "def get_angles(pos, k, d):\n    return 'scratch, defined before the graded cell'",
                    "# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)\ndef get_angles(pos, k, d):\n    return 1",
                    "def get_angles(pos, k, d):\n    return 'a later experiment'",
                    "# GRADED FUNCTION positional_encoding\ndef positional_encoding(p, d):\n    return 2",
                    "def scaled_dot_product_attention(q, k, v, mask):\n    return 3",
                    "def EncoderLayer(:\n    pass")
    cells = extract.read_cells(path)
    found = extract.find_all(cells, assignment.exercises.EXERCISES)
    assert found["get_angles"].how == "tag" and found["get_angles"].cell.index == 1
    assert found["positional_encoding"].how == "graded-comment"
    assert "edited or removed" in found["positional_encoding"].notes[0]
    assert found["scaled_dot_product_attention"].how == "fallback"
    assert "graded the last definition" in found["scaled_dot_product_attention"].notes[0]
    assert found["EncoderLayer"].cell.syntax_error  # found, but it does not parse
    assert found["Encoder"].how == "missing"


def test_py_script_cells(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import numpy as np\n# %%\n# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)\n"
                      "def get_angles(pos, k, d):\n    return pos\n# %%\nget_ipython().run_line_magic('x', '')\n")
    cells = extract.read_cells(script)
    assert len(cells) == 3 and cells[1].tags == ["UNQ_C1"] and cells[2].tree is not None
    untagged = tmp_path / "t.py"
    untagged.write_text("import math\n\n# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)\n# GRADED FUNCTION get_angles\n"
                        "def get_angles(pos, k, d):\n    return pos\n\n# UNQ_C2 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)\n"
                        "def positional_encoding(p, d):\n    return p\n")
    cells = extract.read_cells(untagged)
    assert [c.tags for c in cells] == [[], ["UNQ_C1"], ["UNQ_C2"]]
    assert extract.replayed_imports(cells) == ["import math"]


def test_only_harmless_imports_are_replayed(tmp_path):
    path = notebook(tmp_path, "import numpy as np\nimport os\nfrom public_tests import *\nimport math, time\n"
                              "from tensorflow.keras.layers import Dense\nimport pandas as pd")
    assert extract.replayed_imports(extract.read_cells(path)) == [
        "import numpy as np", "import math, time", "from tensorflow.keras.layers import Dense"]


def test_unreadable_files(tmp_path):
    (tmp_path / "bad.ipynb").write_text("{not json")
    (tmp_path / "old.ipynb").write_text(json.dumps({"nbformat": 3, "cells": []}))
    (tmp_path / "notes.txt").write_text("hello")
    for name, words in (("bad.ipynb", "not valid notebook JSON"), ("old.ipynb", "nbformat 3"),
                        ("notes.txt", "expected a .ipynb"), ("missing.ipynb", "no such file")):
        with pytest.raises(extract.SubmissionError, match=words):
            extract.read_cells(tmp_path / name)


def test_stub_and_given_code_detection():
    import ast
    stub = ast.parse(BLOCKS["EncoderLayer"].learner).body[0]
    solved = ast.parse(BLOCKS["EncoderLayer"].solved).body[0]
    assert given_code.is_stub(stub, "EncoderLayer") and not given_code.is_stub(solved, "EncoderLayer")
    assert given_code.given_code_edits(solved, "EncoderLayer") == []
    reformatted = ast.parse(BLOCKS["EncoderLayer"].solved.replace("\n\n", "\n\n\n# a comment of mine\n")).body[0]
    assert given_code.given_code_edits(reformatted, "EncoderLayer") == []
    edited = ast.parse(BLOCKS["EncoderLayer"].solved.replace("epsilon=layernorm_eps)", "epsilon=1e-3)", 1)).body[0]
    assert "__init__ differs" in given_code.given_code_edits(edited, "EncoderLayer")[0]
    signature = ast.parse(BLOCKS["EncoderLayer"].solved.replace("def call(self, x, training, mask)",
                                                                "def call(self, x, mask, training)")).body[0]
    assert "signature of EncoderLayer.call" in given_code.given_code_edits(signature, "EncoderLayer")[0]


def test_cli_usage_errors(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "missing.ipynb")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "bad.ipynb").write_text("{")
    assert cli.main(["grade", str(tmp_path / "bad.ipynb")]) == 2
    assert "not valid notebook JSON" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path)]) == 2
    assert "--out" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["grade", str(empty), "--out", str(tmp_path / "g.csv")]) == 2  # no submissions in it
    assert "no .ipynb or .py submissions" in capsys.readouterr().err
    # In a folder, an unreadable file is an error row, not an abort.
    assert cli.main(["grade", str(tmp_path), "--out", str(tmp_path / "g.csv"), "--quiet"]) == 0
    assert "unreadable" in (tmp_path / "g.csv").read_text()
    assert cli.main(["grade", "x.ipynb", "--timeout", "-1"]) == 2
    assert cli.main(["grade"]) == 2
    assert cli.main(["grade", str(tmp_path / "bad.ipynb"), "--notebook", "Nope"]) == 2
    assert "no notebook 'Nope'" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path / "bad.ipynb"), "--notebook", "NER_DistilBERT"]) == 2  # gradable, but unreadable
    assert "cannot grade" not in capsys.readouterr().err


def test_learner_release_grades_to_zero_without_running_anything(tmp_path, capsys):
    gradescope = tmp_path / "results.json"
    as_json = tmp_path / "result.json"
    assert cli.main(["grade", str(SUBMISSIONS / "learner_release.ipynb"), "--json", str(as_json),
                     "--gradescope", str(gradescope)]) == 0
    table = capsys.readouterr().out
    assert table.rstrip().endswith("Score: 0/100") and table.count("Not implemented") == 8
    document = json.loads(gradescope.read_text())
    assert document["score"] == 0 and len(document["tests"]) == 8
    assert {"name", "score", "max_score", "output", "visibility"} <= set(document["tests"][0])
    result = json.loads(as_json.read_text())
    assert result["exercises"][0]["status"] == "failed" and result["exercises"][0]["max_points"] == 12.5


def fake_runner(key, lines):
    child = child_process.ChildProcess.__new__(child_process.ChildProcess)
    child.key = key
    child.reader = type("R", (), {"lines": queue.Queue()})()
    for line in lines:
        child.reader.lines.put(line)
    return child


def test_channel_rejects_forged_messages():
    key = b"k" * 32
    body = json.dumps({"event": "result", "exercise": "get_angles"}).encode()
    good = hmac.new(key, body, hashlib.sha256).hexdigest().encode() + b" " + body
    forged = hmac.new(b"x" * 32, body, hashlib.sha256).hexdigest().encode() + b" " + body
    child = fake_runner(key, [good, forged, b"!overflow"])
    assert child.receive(1)["exercise"] == "get_angles"
    with pytest.raises(child_process.Tampering):
        child.receive(1)
    with pytest.raises(child_process.Tampering):
        child.receive(1)


def test_table_and_gradescope_shapes():
    result = {"file": "f.ipynb", "score": 12.5, "max_score": 100, "notes": [], "error": None,
              "grader_version": "1", "tensorflow_version": "2",
              "exercises": [{"name": "get_angles", "tag": "UNQ_C1", "points": 12.5, "max_points": 12.5,
                             "status": "passed", "feedback": "", "feedback_line": "", "seconds": 1.0,
                             "notes": [], "output": ""},
                            {"name": "positional_encoding", "tag": "UNQ_C2", "points": 0, "max_points": 87.5,
                             "status": "failed", "feedback": "first line\nsecond line",
                             "feedback_line": "first line", "seconds": 1.0, "notes": [], "output": ""}]}
    table = report.table(result)
    assert "first line" in table and "second line" not in table and table.endswith("Score: 12.5/100")
    assert report.gradescope(result)["tests"][1]["output"] == "failed: first line\nsecond line"


def test_helpers_from_other_cells_are_taken_only_when_used(tmp_path):
    path = notebook(tmp_path,
                    "def scale(x):\n    return x * factor()\n\ndef factor():\n    return 2\n\ndef unused():\n    return 0",
                    "def get_angles(pos, k, d):\n    return 'an untagged experiment'",
                    "# UNQ_C2 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)\ndef positional_encoding(p, d):\n"
                    "    return scale(get_angles(p, p, d))")
    cells = extract.read_cells(path)
    support = extract.support_definitions(cells, cells[2], protected={"get_angles", "positional_encoding"})
    assert [name for name, _, _ in support] == ["factor", "scale"]  # dependencies first, no get_angles
    assert support[1][2] == 1  # code cell number


def test_committed_submissions_equal_the_generated_ones():
    """The fixtures are generated (tests/submissions/make_submissions.py), never hand-edited."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_submissions", SUBMISSIONS / "make_submissions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stale = [name for name, text in module.render().items()
             if (SUBMISSIONS / name).read_text(encoding="utf-8") != text]
    assert not stale, f"regenerate with: .venv/bin/python tests/submissions/make_submissions.py ({stale})"


def test_advice_and_policy_reach_table_json_csv_and_summary(tmp_path):
    advice = "Beyond the course's tests, with leading batch and head axes (q (2, 3, 5, 8)): it raised"
    def exercise(name, advice_items):
        return {"name": name, "tag": "UNQ_C3", "points": 12.5, "max_points": 12.5, "status": "passed",
                "feedback": "", "feedback_line": "", "seconds": 1.0, "notes": [], "output": "",
                "advice": advice_items}
    results = [{"file": f"s{i}.ipynb", "score": 25, "max_score": 25, "notes": [], "error": None, "policy": "course",
                "grader_version": "1", "tensorflow_version": "2",
                "exercises": [exercise("scaled_dot_product_attention", [advice] if i < 2 else []),
                              exercise("Decoder", [])]} for i in range(3)]
    table = report.table(results[0])
    assert "advice: Beyond the course's tests" in table and "- scaled_dot_product_attention: Beyond" in table
    document = report.as_json(results[0])
    assert document["policy"] == "course" and document["exercises"][0]["advice"] == [advice]
    assert "Advice: Beyond" in report.gradescope(results[0])["tests"][0]["output"]
    names = ["scaled_dot_product_attention", "Decoder"]
    report.write_csv(tmp_path / "g.csv", results, names)
    import csv
    rows = list(csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8")))
    assert [row["advice"] for row in rows] == ["1", "1", "0"]
    summary = report.summary(results, names)
    assert summary["policy"] == "course"
    assert summary["exercises"]["scaled_dot_product_attention"]["frequent_advice"] == [{"advice": advice, "count": 2}]
    assert summary["exercises"]["scaled_dot_product_attention"]["advised"] == 2
    markdown = report.summary_markdown(summary)
    assert "## Most frequent advice" in markdown and f"- 2 x {advice}" in markdown


def test_strict_option():
    assert cli.build_parser().parse_args(["grade", "x.ipynb", "--strict"]).strict
    assert not cli.build_parser().parse_args(["grade", "x.ipynb"]).strict
