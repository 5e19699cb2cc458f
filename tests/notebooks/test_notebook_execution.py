"""The generated notebooks, executed top to bottom on fresh kernels (nbclient + ipykernel).

The solved copy must run without an error, every public test must print "All tests
passed", every figure cell must produce an image and every "Expected output" block must
show what the cell above it prints. The learner copy must run up to the first exercise;
each public test of an unfilled exercise must fail with the "did you fill in the code"
hint, and the kernel must survive to the last cell.

Both notebooks run at once, on two kernels, and are executed once per test session. The
cells of included sections (tagged ``optional``: they may train a model) are skipped to
keep this fast; ``make demo`` runs them.
"""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import re
import time
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from assignment.exercises import exercises_of
from assignment.notebooks.cells import LEARNER, OPTIONAL_TAG, SOLVED
from assignment.notebooks.build import build_notebook
from assignment.notebooks.execute import PASS_TEXT, errors, execute, plain, run_solved, tagged
from assignment.paths import REPO_ROOT

pytestmark = pytest.mark.slow  # two notebooks on fresh kernels: minutes

FILL_IN_HINT = re.compile(r"did you fill in the code", re.IGNORECASE)  # the wording
FENCE_RE = re.compile(r"```text\n(.*?)```", re.DOTALL)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """{"solved": nb, "learner": nb, "seconds": {...}, "saved": path}: both run concurrently."""
    saved = tmp_path_factory.mktemp("demo") / "Transformer_solved.ipynb"

    def solved():
        return run_solved("Transformer", saved, timeout=240, skip_optional=True)

    def learner():
        nb = build_notebook("Transformer", LEARNER)
        started = time.monotonic()
        execute(nb, allow_errors=True, timeout=240, skip_tag=OPTIONAL_TAG)
        return nb, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=2) as pool:
        solved_run, learner_run = pool.submit(solved), pool.submit(learner)
        (solved_nb, solved_s), (learner_nb, learner_s) = solved_run.result(), learner_run.result()
    print(f"\nexecuted: solved copy {solved_s:.1f} s, learner copy {learner_s:.1f} s (concurrently)")
    return {SOLVED: solved_nb, LEARNER: learner_nb, "saved": saved}


def code_cells(nb):
    """The code cells the tests execute (the included, optional sections are skipped)."""
    return [cell for cell in nb.cells
            if cell.cell_type == "code" and OPTIONAL_TAG not in cell.metadata.get("tags", [])]


def stdout(cell):
    return plain("".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"))


def describe(cell):
    return f"cell {cell.id} ({cell.source.splitlines()[0][:60]!r})"


# ------------------------------------------------------------------ the solved copy

def test_solved_copy_runs_every_cell_without_error(executed):
    nb = executed[SOLVED]
    for cell in code_cells(nb):
        assert cell.execution_count is not None, f"{describe(cell)} never ran"
        assert not errors(cell), f"{describe(cell)} failed: {errors(cell)}"


def test_solved_copy_passes_every_public_test(executed):
    tests = tagged(executed[SOLVED], "public-test")
    assert [c.metadata.assignment["exercise"] for c in tests] == [e.name for e in exercises_of()]
    for cell in tests:
        assert stdout(cell).strip() == PASS_TEXT, f"{describe(cell)} printed {stdout(cell)!r}"


def test_solved_copy_figures_are_images(executed):
    figures = tagged(executed[SOLVED], "figure")
    assert len(figures) >= 5
    for cell in figures:
        images = [o for o in cell.outputs if o.output_type == "display_data" and "image/png" in o.data]
        assert images, f"{describe(cell)} produced no image"
        assert len(images[0].data["image/png"]) > 2000, f"{describe(cell)}: suspiciously small image"


def test_expected_output_blocks_match_what_the_cells_print(executed):
    nb = executed[SOLVED]
    blocks = tagged(nb, "expected-output")
    assert len(blocks) >= len(exercises_of()) + 8
    for block in blocks:
        index = nb.cells.index(block)
        above = next(c for c in reversed(nb.cells[:index]) if c.cell_type == "code")
        expected = FENCE_RE.search(block.source)
        assert expected, f"expected-output cell {block.id} has no ```text block"
        want = [line.rstrip() for line in expected.group(1).strip("\n").splitlines()]
        got = [line.rstrip() for line in stdout(above).strip("\n").splitlines()]
        assert got == want, f"{describe(above)} printed:\n{chr(10).join(got)}\nbut {block.id} says:\n{chr(10).join(want)}"


def test_solved_copy_is_saved_with_its_outputs(executed):
    saved = nbformat.read(str(executed["saved"]), as_version=4)
    nbformat.validate(saved)
    assert [c.id for c in saved.cells] == [c.id for c in executed[SOLVED].cells]
    assert any(o.output_type == "display_data" for c in code_cells(saved) for o in c.outputs)


# ------------------------------------------------------------------ the learner copy

def test_learner_copy_runs_until_the_first_exercise(executed):
    nb = executed[LEARNER]
    first_graded = nb.cells.index(tagged(nb, "graded")[0])
    before = [cell for cell in code_cells(nb) if nb.cells.index(cell) <= first_graded]
    assert before, "no code cell before the first exercise"
    for cell in before:
        assert cell.execution_count is not None and not errors(cell), f"{describe(cell)} failed: {errors(cell)}"


def test_learner_stubs_define_their_functions_and_classes(executed):
    for cell in tagged(executed[LEARNER], "graded"):
        assert not errors(cell), f"the stub in {describe(cell)} does not even run: {errors(cell)}"


def test_learner_copy_tests_fail_with_the_fill_in_hint_and_the_kernel_survives(executed):
    nb = executed[LEARNER]
    counts = [cell.execution_count for cell in code_cells(nb)]
    assert None not in counts and counts == sorted(counts), "the kernel stopped before the last cell"
    tests = tagged(nb, "public-test")
    assert len(tests) == len(exercises_of())
    without_hint = []
    for cell in tests:
        failures = [o for o in cell.outputs if o.output_type == "error"]
        assert failures, f"{describe(cell)} passed on an unfilled stub"
        assert PASS_TEXT not in stdout(cell)
        message = plain(failures[0].evalue)
        if not FILL_IN_HINT.search(message):
            without_hint.append(f"{cell.metadata.assignment['exercise']}: {failures[0].ename}: {message[-300:]}")
    assert not without_hint, ("public tests that fail on an unfilled stub without the "
                              "'did you fill in the code' hint:\n" + "\n".join(without_hint))


# ------------------------------------------------------------------ a quiet start

@pytest.mark.parametrize("notebook", ["Transformer", "NER_DistilBERT"])
def test_first_cell_prints_nothing_on_stderr(notebook, tmp_path):
    """The first cell's code in a fresh interpreter started without any TF_* variable, its
    stderr read at the file descriptor: TensorFlow's C++ start-up lines (written before
    its logging settings apply) would be a red block in Jupyter. In a kernel they reach
    the notebook or not depending on timing (a Run All in JupyterLab may drop them or show
    them a cell later), so they are checked here, where nothing can lose them."""
    import os
    import subprocess
    import sys

    nb = build_notebook(notebook, LEARNER)
    first = next(cell for cell in nb.cells if cell.cell_type == "code").source
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_") and k != "MPLBACKEND"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    run = subprocess.run([sys.executable, "-c", first], cwd=REPO_ROOT / "notebooks", env=env,
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stderr == "", f"the first cell of {notebook} wrote to stderr:\n{run.stderr[:2000]}"
    assert "TensorFlow" in run.stdout
