"""The NER lab notebook's solved copy runs top to bottom, with a short training run
(of the pretrained MiniLM, converted to DistilBERT, when its package is installed)."""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import pytest

from assignment.notebooks.execute import errors, failed_public_tests, output_text, run_solved


@pytest.mark.slow
def test_solved_ner_notebook_executes(tmp_path):
    nb, _ = run_solved("NER_DistilBERT", tmp_path / "NER_DistilBERT_solved.ipynb", timeout=600)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [message for cell in code for message in errors(cell)] == []
    assert failed_public_tests(nb) == []
    text = "\n".join(output_text(cell) for cell in code)
    assert "All tests passed" in text and "micro avg" in text and "best dev entity F1" in text
    html = [o for cell in code for o in cell.outputs if "text/html" in o.get("data", {})]
    assert any("<mark" in o["data"]["text/html"] for o in html)  # entities highlighted
    from assignment.labs.ner.convert import minilm_available

    expected = "minilm -> TFDistilBertForTokenClassification" if minilm_available() else "tiny -> TFDistilBert"
    assert expected in text


@pytest.mark.slow
def test_learner_copy_cells_that_need_the_exercise_stop_in_one_line():
    """The stub as shipped: the public test fails with the fill-in hint, and every later cell
    that runs the learner's function in the lab's code (windows, training, curves,
    evaluation, predictions) stops with one line, not a traceback from inside training."""
    from assignment.notebooks.cells import LEARNER
    from assignment.notebooks.build import build_notebook
    from assignment.notebooks.execute import execute

    nb = execute(build_notebook("NER_DistilBERT", LEARNER), allow_errors=True, timeout=600)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    guarded = [cell for cell in code if "require(tokenize_and_align_labels_test, tokenize_and_align_labels" in cell.source]
    assert len(guarded) >= 6  # windows, training, curves, evaluation, two predictions
    for cell in guarded:
        outputs = [o for o in cell.outputs if o.output_type == "error"]
        assert len(outputs) == 1 and outputs[0].ename == "ExerciseNotReady", cell.source[:80]
        assert outputs[0].evalue.startswith("fill in tokenize_and_align_labels first: its public test fails")
        assert len(outputs[0].traceback) == 1  # the one line, no frames
    tests = [cell for cell in code if "tokenize_and_align_labels_test(tokenize_and_align_labels)" in cell.source]
    assert "Is the exercise filled in?" in output_text(tests[0])
    demo = [cell for cell in code if "demo_tokenizer" in cell.source]  # the exercise's own cells: the stub raises
    assert len(demo) == 1 and errors(demo[0])
    others = [cell for cell in code if cell not in guarded + tests + demo]
    assert [message for cell in others for message in errors(cell)] == []  # data and model cells run
