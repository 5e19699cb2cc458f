"""Execute a generated notebook headlessly on a fresh kernel (nbclient + ipykernel).

``python -m assignment notebooks run`` generates the solved copy of the Transformer
notebook, runs it top to bottom with the working directory set to ``notebooks/`` (where
learners open it), saves it with its outputs to ``build/Transformer_solved.ipynb`` and
prints the path. It exits with status 1 when a cell fails or a public test did not print
"All tests passed". ``make demo`` runs it; the execution tests use the same functions.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

import nbformat

from assignment.checks.protocol import ALL_TESTS_PASSED
from assignment.notebooks.build import build_notebook, display_path
from assignment.notebooks.cells import OPTIONAL_TAG, SOLVED
from assignment.paths import REPO_ROOT

NOTEBOOK_CWD = REPO_ROOT / "notebooks"  # the learner opens the notebook here
DEFAULT_OUTPUT = REPO_ROOT / "build" / "Transformer_solved.ipynb"
PASS_TEXT = ALL_TESTS_PASSED
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def execute(nb, cwd: Path = NOTEBOOK_CWD, allow_errors: bool = False, timeout: int = 300,
            kernel_name: str = "python3", skip_tag: str = "skip-execution"):
    """Run every cell of ``nb`` (in place) on a new kernel; returns ``nb``.

    ``allow_errors=False`` stops at the first failing cell with ``CellExecutionError``;
    ``True`` records the error in the cell's outputs and goes on with the next cell.
    Cells tagged ``skip_tag`` are left unexecuted (``OPTIONAL_TAG``: the included,
    optional sections).
    """
    import os

    from nbclient import NotebookClient  # imported here: `release` must not need it

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the kernel inherits it: less log noise

    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, allow_errors=allow_errors,
                            record_timing=False, skip_cells_with_tag=skip_tag,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def plain(text: str) -> str:
    """Output text without the terminal colour codes."""
    return ANSI_RE.sub("", text)


def output_text(cell) -> str:
    """Everything a code cell printed: streams, text results and error messages."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", ""))
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}\n" + "\n".join(output.traceback))
    return plain("\n".join(parts))


def errors(cell) -> List[str]:
    return [plain(f"{o.ename}: {o.evalue}") for o in cell.get("outputs", []) if o.output_type == "error"]


def tagged(nb, tag: str):
    return [cell for cell in nb.cells if tag in cell.get("metadata", {}).get("tags", [])]


def failed_public_tests(nb) -> List[Tuple[str, str]]:
    """(exercise, output) of each public-test cell that did not print "All tests passed"."""
    failed = []
    for cell in tagged(nb, "public-test"):
        text = output_text(cell)
        if PASS_TEXT not in text or errors(cell):
            failed.append((cell.metadata.get("assignment", {}).get("exercise", cell.id), text))
    return failed


def run_solved(notebook: str = "Transformer", output: Optional[Path] = DEFAULT_OUTPUT,
               timeout: int = 300, skip_optional: bool = False):
    """Generate, execute and save the solved copy; returns (executed notebook, seconds)."""
    nb = build_notebook(notebook, SOLVED)
    started = time.monotonic()
    execute(nb, allow_errors=True, timeout=timeout,
            skip_tag=OPTIONAL_TAG if skip_optional else "skip-execution")
    elapsed = time.monotonic() - started
    if output is not None:
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(output))
    return nb, elapsed


def run_notebook(notebook: str = "Transformer", output: Optional[Path] = None, timeout: int = 900,
                 skip_optional: bool = False) -> int:
    """``notebooks run``: execute the solved ``notebook``, save it to ``output`` (default
    ``build/<Name>_solved.ipynb``) and report; 1 when a cell fails or a public test does not pass."""
    output = Path(output) if output else REPO_ROOT / "build" / f"{notebook}_solved.ipynb"
    nb, elapsed = run_solved(notebook, output, timeout, skip_optional)
    failing = [(cell.id, errors(cell)[0]) for cell in nb.cells
               if cell.cell_type == "code" and errors(cell)]
    failed_tests = failed_public_tests(nb)
    shown = display_path(output)
    ran = sum(cell.cell_type == "code" and cell.execution_count is not None for cell in nb.cells)
    print(f"Executed the solved {notebook} notebook ({ran} code cells, {elapsed:.1f} s); "
          f"saved with its outputs to {shown}")
    for cell_id, message in failing:
        print(f"  cell {cell_id} failed: {message}", file=sys.stderr)
    for exercise, text in failed_tests:
        print(f"  public test of {exercise} did not pass: {text.strip()[:300]}", file=sys.stderr)
    if failing or failed_tests:
        return 1
    print(f"  {len(tagged(nb, 'public-test'))} public tests passed; open it with: "
          f"jupyter lab {shown}")
    return 0
