"""A solved notebook whose graded cell is rewritten: how the grader tests put a mutant
where a learner's answer goes."""
import json

from assignment.notebooks.build import render
from assignment.notebooks.cells import SOLVED


def with_graded_cell(notebook: str, graded_def: str, rewrite) -> str:
    """The solved ``notebook`` (JSON text) with the code cell that holds ``graded_def``
    (e.g. "def answer_token_positions(") replaced by ``rewrite(its source)``."""
    document = json.loads(render(notebook, SOLVED))
    for cell in document["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and graded_def in source:
            cell["source"] = rewrite(source)
            return json.dumps(document)
    raise AssertionError(f"no graded cell ({graded_def}) in the {notebook} notebook")
