"""The NER lab notebook's solved copy runs top to bottom, with a short training run
(of the pretrained MiniLM, converted to DistilBERT, when its package is installed)."""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import pytest

from assignment.run_notebook import errors, failed_public_tests, output_text, run_solved


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
    from assignment.ner.convert import minilm_available

    expected = "minilm -> TFDistilBertForTokenClassification" if minilm_available() else "tiny -> TFDistilBert"
    assert expected in text
