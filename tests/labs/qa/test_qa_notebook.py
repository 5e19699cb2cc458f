"""The QA lab notebook: its solved copy runs top to bottom (nbclient, a fresh kernel) and
reaches the lab's target; the learner's copy stops in one line where the exercise is needed."""
import re

import pytest

from assignment.notebooks.build import build_notebook
from assignment.notebooks.cells import LEARNER
from assignment.notebooks.execute import errors, execute, failed_public_tests, output_text, run_solved

GUARD = "require(answer_token_positions_test, answer_token_positions"


@pytest.mark.slow
def test_solved_qa_notebook_executes_and_answers(tmp_path):
    nb, _ = run_solved("QA_DistilBERT", tmp_path / "QA_DistilBERT_solved.ipynb", timeout=900)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [message for cell in code for message in errors(cell)] == []
    assert failed_public_tests(nb) == []
    text = "\n".join(output_text(cell) for cell in code)
    match = re.search(r"test: exact match ([0-9.]+)", text)
    assert match, text[-2000:]
    assert float(match.group(1)) >= 0.9, f"test exact match {match.group(1)}"
    html = [o for cell in code for o in cell.outputs if "text/html" in o.get("data", {})]
    assert any("<mark" in o["data"]["text/html"] for o in html)  # the predicted spans highlighted
    images = [o for cell in code for o in cell.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # the curves and the start/end probabilities


@pytest.mark.slow
def test_learner_copy_cells_that_need_the_exercise_stop_in_one_line():
    nb = execute(build_notebook("QA_DistilBERT", LEARNER), allow_errors=True, timeout=600)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    guarded = [cell for cell in code if GUARD in cell.source]
    assert len(guarded) >= 4  # training, curves, evaluation, predictions, the figure
    for cell in guarded:
        outputs = [o for o in cell.outputs if o.output_type == "error"]
        assert len(outputs) == 1 and outputs[0].ename == "ExerciseNotReady", cell.source[:80]
        assert outputs[0].evalue.startswith("fill in answer_token_positions first")
        assert len(outputs[0].traceback) == 1
