"""A learner's own course notebook runs here unchanged (issue 16, part 4).

A notebook written the course's way (its first cell imports tensorflow, numpy, pandas
and the Keras layers, with nothing about TF_USE_LEGACY_KERAS; the solutions pasted; then
``from public_tests import *`` and the tests), run with nbclient on the project's kernel
("python3", installed by ``make setup``) started from a process that does NOT have
TF_USE_LEGACY_KERAS: the kernel spec's env must select Keras 2, every public test must
pass and the notebook must show no TensorFlow start-up lines (in red, under a cell).

The same notebook on a kernel deliberately under Keras 3 (a kernel spec without the
variable): every public test stops with the one line that says so and what to do, never
Keras 3's "Only input tensors may be passed as positional arguments".

The course's imports are listed in docs/course_notebooks.md.
"""
import json
import os
import subprocess
import sys

import nbformat
import pytest

from assignment.exercises import exercises_of
from assignment.notebooks.markers import definition_source, graded_blocks, module_path
from assignment.notebooks.cells import test_call as public_test_call
from assignment.notebooks.execute import PASS_TEXT, output_text, plain
from assignment.paths import REPO_ROOT

pytestmark = pytest.mark.slow  # a Transformer's public tests on fresh kernels: a minute or more

FIRST_CELL = """\
import tensorflow as tf
import pandas as pd
import time
import numpy as np
import matplotlib.pyplot as plt

from tensorflow.keras.layers import Embedding, MultiHeadAttention, Dense, Input, Dropout, LayerNormalization
"""
# What the kernel runs: which Keras the course's imports resolved to (one JSON line).
PROBE_CELL = """\
import json, os
print(json.dumps({"dense": Dense.__module__, "tf_keras": tf.keras.layers.Layer.__module__,
                  "env": os.environ.get("TF_USE_LEGACY_KERAS"), "pandas": pd.__version__}))
"""
GIVEN = ("create_padding_mask", "create_look_ahead_mask", "FullyConnected")  # the course gives these
KERAS3_SAYS = "Only input tensors may be passed as positional arguments"
TF_START_UP = ("oneDNN custom operations", "absl::InitializeLog", "cpu_feature_guard", "cuda")


def course_notebook():
    """The course's layout, with the reference solutions pasted into the graded cells."""
    exercises = exercises_of("Transformer")
    path = module_path(exercises[0].source_module)
    blocks = graded_blocks(path)
    cells = [nbformat.v4.new_code_cell(FIRST_CELL), nbformat.v4.new_code_cell(PROBE_CELL)]
    cells += [nbformat.v4.new_code_cell(definition_source(path, name)) for name in GIVEN]
    cells += [nbformat.v4.new_code_cell(blocks[exercise.name].solved) for exercise in exercises]
    cells.append(nbformat.v4.new_code_cell("from public_tests import *"))
    tests = [nbformat.v4.new_code_cell(f"# UNIT TEST\n{public_test_call(exercise)}") for exercise in exercises]
    for cell, exercise in zip(tests, exercises):
        cell.metadata["exercise"] = exercise.name
    return nbformat.v4.new_notebook(cells=cells + tests)


def public_test_cells(nb):
    return [cell for cell in nb.cells if "exercise" in cell.metadata]


def start_up_lines(text: str):
    return [line for line in text.splitlines() if any(marker in line for marker in TF_START_UP)]


def notebook_text(nb) -> str:
    return "\n".join(output_text(cell) for cell in nb.cells if cell.cell_type == "code")


def probe(nb) -> dict:
    return json.loads(output_text(nb.cells[1]).strip().splitlines()[-1])


# nbclient in a process of its own, as a front-end would run it: its environment has no
# TF_USE_LEGACY_KERAS (nor the quiet settings) and nothing of this package is imported
# there; its stderr (the "terminal" of the front-end, which the kernel inherits) is read.
RUNNER = """\
import sys
import nbformat
from nbclient import NotebookClient
source, target, kernel, cwd = sys.argv[1:]
nb = nbformat.read(source, as_version=4)
NotebookClient(nb, kernel_name=kernel, allow_errors=True, timeout=300, record_timing=False,
               resources={"metadata": {"path": cwd}}).execute()
nbformat.write(nb, target)
"""


def run_course_notebook(tmp_path, kernel: str, jupyter_path=None):
    """(executed notebook, the front-end's stderr) of the course notebook on ``kernel``."""
    source, target = tmp_path / "course.ipynb", tmp_path / "course-run.ipynb"
    nbformat.write(course_notebook(), source)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TF_", "JUPYTER")) and key != "PYTHONPATH"}
    if jupyter_path is not None:
        env["JUPYTER_PATH"] = str(jupyter_path)
    done = subprocess.run([sys.executable, "-c", RUNNER, str(source), str(target), kernel, str(REPO_ROOT)],
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return nbformat.read(target, as_version=4), done.stderr


def test_course_notebook_passes_every_public_test_on_the_projects_kernel(tmp_path):
    nb, stderr = run_course_notebook(tmp_path, "python3")
    seen = probe(nb)
    assert seen["env"] == "1" and seen["dense"].startswith("tf_keras.") and seen["tf_keras"].startswith("tf_keras."), \
        f"the project's kernel runs {seen}: its kernel spec must set TF_USE_LEGACY_KERAS=1 (make setup)"
    assert not start_up_lines(notebook_text(nb) + stderr), start_up_lines(notebook_text(nb) + stderr)
    errors = [(index, output_text(cell)) for index, cell in enumerate(nb.cells)
              if any(output.output_type == "error" for output in cell.get("outputs", []))]
    assert not errors, errors
    for cell in public_test_cells(nb):
        assert PASS_TEXT in plain(output_text(cell)), (cell.metadata["exercise"], output_text(cell))


def test_on_a_keras_3_kernel_every_public_test_says_so_in_one_line(tmp_path):
    spec_dir = tmp_path / "jupyter" / "kernels" / "keras3-here"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Keras 3 (no TF_USE_LEGACY_KERAS)", "language": "python"}), encoding="utf-8")
    nb, stderr = run_course_notebook(tmp_path, "keras3-here", jupyter_path=tmp_path / "jupyter")
    seen = probe(nb)
    assert seen["dense"].startswith("keras.") and seen["env"] is None, f"not a Keras 3 kernel: {seen}"
    # Without the project's kernel spec, TensorFlow's start-up lines do show (on the
    # front-end's terminal, and in red under a cell when they reach the notebook before
    # the cell ends): the quiet check of the test above can fail.
    assert start_up_lines(notebook_text(nb) + stderr), stderr[-2000:]
    for cell in public_test_cells(nb):
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert len(errors) == 1, (cell.metadata["exercise"], output_text(cell))
        error = errors[0]
        assert error.ename == "Keras3ActiveError", (cell.metadata["exercise"], error.ename, error.evalue)
        assert "\n" not in error.evalue and error.evalue.startswith("Keras 3 is active in this kernel")
        assert "restart the kernel" in error.evalue and "TF_USE_LEGACY_KERAS" in error.evalue
        assert KERAS3_SAYS not in output_text(cell)
