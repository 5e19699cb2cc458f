"""Helpers for the tests that use the learner's release as a learner would: its README's
commands, and its notebooks with the reference solutions pasted into the graded cells."""
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List

import nbformat

from assignment.notebooks.cells import SOLVED

PASS_TEXT = "All tests passed"
# The fill-in hints of the checks: the Transformer's (judging.FILL_IN_HINT) and the NER check's.
FILL_IN_HINT = re.compile(r"did you fill in the code|is the exercise filled in", re.IGNORECASE)
# The one line a lab cell stops with while its exercise fails (assignment/prerequisites.py).
NOT_READY = re.compile(r"fill in \w+ first")
DEMO_DATES = {"3 May 1979": "1979-05-03", "tuesday, march 12 2002": "2002-03-12", "12.03.02": "2002-03-12",
              "Mar 5, 1999": "1999-03-05", "the 1st of June 2010": "2010-06-01"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def readme_commands(folder: Path) -> List[str]:
    """The commands of the README's first ```sh block (Linux and macOS): set up, then open."""
    text = (Path(folder) / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "the release README has no ```sh block of commands"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def clean_env(**extra) -> dict:
    """The environment of a learner's shell: no TF_USE_LEGACY_KERAS (the kernel spec must set
    it), nothing pointing into the repository, nothing of the test's virtual environment."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "TF_USE_LEGACY_KERAS", "JUPYTER_PATH")}
    venv_bin = os.path.dirname(os.path.realpath(sys.executable))
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and os.path.realpath(p) != venv_bin)
    env.update(extra)
    return env


def set_up(folder: Path, timeout: int = 2400) -> subprocess.CompletedProcess:
    """Run the README's first command in ``folder``, as a learner's shell would."""
    setup = readme_commands(folder)[0]
    done = subprocess.run(setup, shell=True, cwd=folder, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{setup!r} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def solved_copy(folder: Path, name: str):
    """The release's ``name`` notebook with each graded cell (ids ``unq_c<n>``) replaced by
    the reference solution's cell of the same id, as a learner who solved it would have it."""
    from assignment.notebooks.build import build_notebook
    solved = {cell.id: cell.source for cell in build_notebook(name, SOLVED).cells if cell.id.startswith("unq_")}
    nb = nbformat.read(Path(folder) / f"{name}.ipynb", as_version=4)
    graded = [cell for cell in nb.cells if cell.get("id", "").startswith("unq_")]
    assert graded and {cell.id for cell in graded} == set(solved), name
    for cell in graded:
        cell.source = solved[cell.id]
    return nb


def text_of(cell, stream=None) -> str:
    """The cell's printed text (``stream``: only stdout or stderr), results and errors."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and stream in (None, output.get("name")):
            parts.append(output.get("text", ""))
        elif output.get("output_type") in ("execute_result", "display_data") and stream is None:
            parts.append(output.get("data", {}).get("text/plain", ""))
        elif output.get("output_type") == "error" and stream is None:
            parts.append(ANSI.sub("", "\n".join(output.get("traceback", []))))
    return "".join(parts)


def errors(cell) -> List[dict]:
    return [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def tagged(nb, tag):
    return [cell for cell in nb.cells if tag in cell.get("metadata", {}).get("tags", [])]


def public_test_cells(nb):
    """The cells that run a public test (tagged ``public-test`` by the generator)."""
    return tagged(nb, "public-test")


def has_image(cell) -> bool:
    return any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def translated_dates(nb) -> dict:
    """{demo date: the model's translation} printed by the dates section."""
    found = {}
    for cell in nb.cells:
        for line in text_of(cell, "stdout").splitlines():
            if " -> " in line:
                text, iso = (part.strip() for part in line.split(" -> ", 1))
                if text in DEMO_DATES:
                    found[text] = iso
    return found
