"""``python -m assignment release DIR [--zip]``: what an instructor hands to learners.

DIR gets both labs whole, on the learner's own code: the learner notebooks (the
Transformer notebook with its dates section, the NER lab with every section), the NER
lab's data file, ``public_tests.py``, every learner-safe module of the repository
(``assignment/audience.py``) vendored as the package ``assignment_lab`` (same layout,
imports renamed, so that nothing in DIR imports this repository), and
``public_test_values.json``: the expected values of the public scenarios and the known
mistakes' outputs there, recorded from the reference now. Then the learner's own
environment: pinned requirements (``assignment/release/environment.py``), ``setup_env.py``
and a README with two commands. ``--zip`` also writes ``DIR.zip`` with the same files.
No reference solution, no known mistake, no live reference and no hidden scenario goes in.
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path
from typing import Iterable, List

import nbformat

from assignment.exercises import NOTEBOOKS
from assignment.notebooks.build import build_notebook
from assignment.notebooks.cells import LEARNER
from assignment.paths import REPO_ROOT, SOURCE_DIR
from assignment.release.environment import learner_nodeps_requirements, learner_requirements, setup_script
from assignment.release.vendor import (PACKAGE, StudentReleaseError, learner_modules, module_file, prune_hidden,
                                       rewrite_imports, vendored_name, vendored_path)

VALUES_FILE = "public_test_values.json"  # the name public_tests.py (repo and DIR) looks for
# Notebooks whose public tests can run from recorded values (their checks are probe/judge
# Check classes, judged without the reference solution).
STUDENT_NOTEBOOKS = ("Transformer", "NER_DistilBERT", "QA_DistilBERT")
# Data files a notebook reads, shipped at the same path under DIR.
NOTEBOOK_DATA = {"NER_DistilBERT": ("data/resumes.jsonl",)}


# ------------------------------------------------------------------ the files of DIR

INIT_TEMPLATE = '''"""The learner's side of the assignment (a student release: no solutions).

``checks``: the public tests' checks (the public scenarios and their hints; ``recorded``
replays the reference values recorded in ``public_test_values.json``); ``dates``: the
dates lab, which trains the Transformer class it is given; ``ner``: the NER lab (data,
model, training, metrics, predictions), which uses the tokenize_and_align_labels it is
given; ``prerequisites``: a lab cell stops with one line while its exercise fails.
Importing this package selects tf-keras (Keras 2) before TensorFlow loads.
"""
from {package}.legacy_keras import use_legacy_keras

use_legacy_keras()
'''

PUBLIC_TESTS_TEMPLATE = '''"""Public tests of the assignment: `from public_tests import *`.

Each test takes your function or class (and, like the course, the helpers it needs),
prints "All tests passed" in green when it is right, and otherwise raises an
AssertionError whose message names the likely mistake. The expected values are recorded
in public_test_values.json; the checks are in assignment_lab/checks/.
"""
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow is imported
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import {package}  # noqa: E402,F401  (selects tf-keras if TensorFlow is not loaded yet)
from {package}.checks.public import lazy_public_test  # noqa: E402
from {package}.exercises import NOTEBOOKS  # noqa: E402

RECORDED_VALUES = os.path.join(_HERE, "{values}")
_REFERENCE = {{}}


def _reference():
    """The recorded reference values, read on the first test."""
    if "recorded" not in _REFERENCE:
        from {package}.checks.recorded import RecordedReference
        with open(RECORDED_VALUES, encoding="utf-8") as handle:
            _REFERENCE["recorded"] = RecordedReference.from_json(handle.read())
    return _REFERENCE["recorded"]


__all__ = []
for _exercises in NOTEBOOKS.values():
    for _exercise in _exercises:
        globals()[_exercise.check] = lazy_public_test(_exercise, _reference)  # built on first use
        __all__.append(_exercise.check)
'''

README_TEMPLATE = """# {title}

{notebook_lines}

## Set up, then open the notebooks

Linux and macOS, with Python 3.11 installed as `python3.11`, in this folder:

```sh
python3.11 setup_env.py
.venv/bin/jupyter lab
```

Windows, with Python 3.11 from python.org, in this folder (PowerShell or Command Prompt):

```bat
py -3.11 setup_env.py
.venv\\Scripts\\jupyter lab
```

The first command creates `.venv` here and installs everything the notebooks need, once
(about 2.5 GB; the pinned versions are in `requirements.txt` and `requirements-nodeps.txt`,
the second installed with `--no-deps`); the second opens JupyterLab in your browser on
this folder (as root, add `--allow-root`). Open a notebook and run its cells from the
top. The cell after each graded cell runs its public test: it prints "All tests passed"
or says what looks wrong. A lab cell that needs one of your exercises checks it first and
stops with one line ("fill in ... first") while that exercise's public test fails.

Files: the notebooks; `data/` (the NER lab's resumes); `public_tests.py` and
`public_test_values.json` (the expected values of the public tests and the outputs of
common mistakes on the same inputs, recorded from a correct solution); `assignment_lab/`
(the checks of the public tests and the labs' code: data, models, training, metrics; it
uses the functions and classes you write in the notebooks and holds no solution);
`setup_env.py`, `requirements.txt`, `requirements-nodeps.txt`.
"""
NOTEBOOK_LINES = {
    "Transformer": "- `Transformer.ipynb`: build a Transformer, exercise by exercise, then train yours to "
                   "rewrite dates (`3 May 1979` -> `1979-05-03`).",
    "NER_DistilBERT": "- `NER_DistilBERT.ipynb`: align word tags with subtokens, then fine-tune DistilBERT on "
                      "resumes with your function and score it by entities.",
    "QA_DistilBERT": "- `QA_DistilBERT.ipynb`: turn an answer's characters into token positions, then fine-tune "
                     "DistilBERT to answer bAbI questions with your function.",
}


def _student_cells(name: str, cells, modules: Iterable[str]):
    """The notebook's cells with their repository imports renamed into the vendored package;
    refuses a cell that would still import the repository or a module DIR does not have."""
    modules = list(modules)
    shipped = {vendored_name(module) for module in modules}
    for cell in cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        source = rewrite_imports(source, modules)
        for match in re.finditer(r"(?m)^\s*(?:from|import)\s+([\w.]+)", source):
            imported = match.group(1)
            if imported == "assignment" or imported.startswith("assignment."):
                raise StudentReleaseError(f"{name} student copy: a cell still imports the repository ({imported}), "
                                          f"which is not learner-safe (assignment/audience.py):\n{source[:300]}")
            if imported.startswith(PACKAGE + ".") and imported not in shipped:
                raise StudentReleaseError(f"{name} student copy: a cell imports {imported}, which the release "
                                          "does not ship")
        cell.source = source
    return cells


def student_notebook(name: str, source_dir: Path = SOURCE_DIR):
    """The learner notebook, every section kept (the optional ones too: the dates section
    trains the learner's Transformer), its imports of the repository's learner-safe modules
    renamed into the vendored package."""
    nb = build_notebook(name, LEARNER, source_dir)
    nb.cells = _student_cells(name, nb.cells, learner_modules())
    nb.metadata["assignment"]["variant"] = "student"
    nbformat.validate(nb)
    return nb


def recorded_values(notebooks: Iterable[str] = STUDENT_NOTEBOOKS, progress=None) -> str:
    """The expected values of the public scenarios and the known mistakes' outputs there,
    computed from the reference now (``live.record``), as JSON."""
    import importlib

    from assignment.checks import make_check
    from assignment.checks.live import LiveReference, record
    from assignment.checks.recorded import RecordedReference
    data, lives = {}, {}
    for name in notebooks:
        for exercise in NOTEBOOKS[name]:
            if progress:
                progress(exercise)
            module = exercise.source_module
            if module not in lives:
                lives[module] = LiveReference(importlib.import_module(module))
            data[exercise.name] = record(make_check(exercise, lives[module]))
    return RecordedReference(data).to_json()


def write_student_release(out_dir: Path, notebooks: Iterable[str] = STUDENT_NOTEBOOKS,
                          source_dir: Path = SOURCE_DIR, progress=None) -> List[Path]:
    """Write the student release into ``out_dir`` (replacing what a previous run wrote
    there); returns the files written, sorted."""
    notebooks = list(notebooks)
    unknown = [name for name in notebooks if name not in STUDENT_NOTEBOOKS]
    if unknown:
        raise StudentReleaseError(f"no student release for notebook(s) {unknown}: their public tests "
                                  f"need the reference solution (supported: {list(STUDENT_NOTEBOOKS)})")
    out_dir = Path(out_dir)
    modules = learner_modules()
    # everything that may fail, before writing anything
    notebook_texts = {name: nbformat.writes(student_notebook(name, source_dir)) + "\n" for name in notebooks}
    requirements, nodeps = learner_requirements(), learner_nodeps_requirements()
    values = recorded_values(notebooks, progress)
    package = out_dir / PACKAGE
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    written = []

    def write(path: Path, text: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for module in modules:
        if module == "assignment":
            write(out_dir / vendored_path(module), INIT_TEMPLATE.format(package=PACKAGE))
            continue
        text = rewrite_imports(prune_hidden(module_file(module).read_text(encoding="utf-8"), module_file(module)),
                               modules)
        if module == "assignment.exercises":  # only the notebooks shipped
            text += ("\n# Student release: only these notebooks.\n"
                     f"NOTEBOOKS = {{name: NOTEBOOKS[name] for name in {tuple(notebooks)!r}}}\n")
        write(out_dir / vendored_path(module), text)
    write(out_dir / "public_tests.py", PUBLIC_TESTS_TEMPLATE.format(package=PACKAGE, values=VALUES_FILE))
    write(out_dir / VALUES_FILE, values)
    for name in notebooks:
        write(out_dir / f"{name}.ipynb", notebook_texts[name])
        for relative in NOTEBOOK_DATA.get(name, ()):
            target = out_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO_ROOT / relative, target)
            written.append(target)
    write(out_dir / "requirements.txt", requirements)
    write(out_dir / "requirements-nodeps.txt", nodeps)
    write(out_dir / "setup_env.py", setup_script())
    write(out_dir / "README.md", README_TEMPLATE.format(
        title="Sequence models, week 4: Transformers", notebook_lines="\n".join(NOTEBOOK_LINES[n] for n in notebooks)))
    _check_no_repository_imports(package)
    return sorted(written)


def _check_no_repository_imports(package: Path) -> None:
    """Every import of the vendored modules resolves inside DIR (or to installed packages)."""
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                if name == "assignment" or name.startswith("assignment."):
                    raise StudentReleaseError(f"{path}:{node.lineno}: imports the repository ({name})")
