"""The grader end to end on the learner notebooks of the named hints and of the 2021 release."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SUBMISSIONS = ROOT / "tests" / "submissions"


def grade(name, tmp_path, *options):
    out = tmp_path / f"{name}.json"
    process = subprocess.run([sys.executable, "-m", "assignment", "grade", str(SUBMISSIONS / name), "--json",
                              str(out), "--timeout", "60", *options], cwd=ROOT, capture_output=True, text=True,
                             timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    return process.stdout, json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_k_dot_t_learner_loses_points_only_under_strict(tmp_path):
    _, result = grade("learner_k_dot_t.ipynb", tmp_path, "--strict")
    assert result["score"] == 87.5 and result["policy"] == "strict"
    attention = next(e for e in result["exercises"] if e["name"] == "scaled_dot_product_attention")
    assert attention["status"] == "error" and "transpose_b=True" in attention["feedback"]
    assert "q (2, 3, 5, 8)" in attention["feedback"]  # what it received


@pytest.mark.slow
def test_2021_notebook_says_so_on_top_and_passes(tmp_path):
    stdout, result = grade("release_2021.ipynb", tmp_path)
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert lines[0].startswith("Release: 2021 notebook") and "1 = padding" in lines[0]
    assert result["release"]["name"] == "2021" and result["score"] == 100


@pytest.mark.slow
def test_dk_from_keys_learner_gets_both_lessons_then_a_hint_under_strict(tmp_path):
    """k.T with d_k = k.shape[0]: passes the course's square k; two pieces of advice, one a line."""
    stdout, result = grade("learner_dk_from_keys.ipynb", tmp_path)
    attention = next(e for e in result["exercises"] if e["name"] == "scaled_dot_product_attention")
    assert result["score"] == 100 and attention["status"] == "passed"
    assert any("square root of the number of keys" in item and "k.shape[-1]" in item for item in attention["advice"])
    assert any("transpose_b=True" in item for item in attention["advice"])
    _, strict = grade("learner_dk_from_keys.ipynb", tmp_path, "--strict")
    attention = next(e for e in strict["exercises"] if e["name"] == "scaled_dot_product_attention")
    assert strict["score"] == 87.5 and "square root of the number of keys" in attention["feedback"]
