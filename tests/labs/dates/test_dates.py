"""Tests of the date-normalization lab: data, masks, loss, schedule, decoding, checkpoints, CLI.

Models here are tiny and train for a few dozen steps (the whole file: about a minute on two
busy cores); the tests that need the trained model or train one are marked slow.
"""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import datetime
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from assignment import cli
from assignment.labs.dates import data
from assignment.labs.dates.decode import exact_match, greedy_decode, next_token_probs, translate
from assignment.labs.dates.model import ModelConfig, build_model, load_model
from assignment.labs.dates.train import WarmupSchedule, _batches, masked_loss, progress_bar_class, train
from assignment.transformer import Transformer

SAMPLES = ["3 May 1979", "tuesday, march 12 2002", "12.03.02", "Mar 5, 1999", "the 1st of June 2010"]


# ---------------------------------------------------------------- data

def test_splits_are_deterministic_and_disjoint():
    a = data.make_splits(seed=3, n_train=2000, n_dev=200, n_test=300)
    b = data.make_splits(seed=3, n_train=2000, n_dev=200, n_test=300)
    assert a == b
    assert data.make_splits(seed=4, n_train=50, n_dev=0, n_test=0)["train"] != a["train"][:50]
    keys = {name: {data.normalize(x) for x, _ in pairs} for name, pairs in a.items()}
    assert [len(keys[n]) for n in ("train", "dev", "test")] == [2000, 200, 300]
    assert not (keys["train"] & keys["dev"] or keys["train"] & keys["test"] or keys["dev"] & keys["test"])


def test_mapping_is_a_function_and_targets_are_valid_iso():
    splits = data.make_splits(seed=0, n_train=30_000, n_dev=0, n_test=0)
    seen = {}
    for text, iso in splits["train"]:
        assert seen.setdefault(data.normalize(text), iso) == iso, f"{text!r} maps to two dates"
        assert datetime.date.fromisoformat(iso).isoformat() == iso
        assert len(data.normalize(text)) <= data.MAX_INPUT_CHARS
        data.check_input(text)  # only known characters


@pytest.mark.parametrize("text, iso", [
    ("12.03.02", "2002-03-12"),      # dotted: day.month.year
    ("3/12/02", "2002-03-12"),       # slashed: month/day/year
    ("5 mar 99", "1999-03-05"),      # 2-digit year >= 50 -> 19yy
    ("the 1st of june 2010", "2010-06-01"),
    ("tuesday, march 12 2002", "2002-03-12"),
])
def test_documented_conventions(text, iso):
    date = datetime.date.fromisoformat(iso)
    rendered = {t.render(date) for t in data.TEMPLATES}
    assert text in rendered


def test_vocab_round_trip_and_specials():
    ids = data.INPUT_VOCAB.encode("3 may 1979", 16)
    assert ids[0] == data.START and ids[11] == data.END and ids[12:] == [data.PAD] * 4
    assert data.INPUT_VOCAB.decode(ids[1:]) == "3 may 1979"
    targets = data.encode_targets(["1979-05-03"])
    assert targets.shape == (1, data.MAX_TARGET_TOKENS)
    assert data.TARGET_VOCAB.decode(targets[0, 1:]) == "1979-05-03"


@pytest.mark.parametrize("text, message", [
    ("", "empty date"),
    ("   ", "empty date"),
    ("3 May 1979 @ noon", "characters the model does not know: '@'"),
    ("3 Mai 1979 é", "'é'"),
    ("the 1st of september in the year 2010", "the model reads at most 32"),
])
def test_bad_input_gets_a_specific_error(text, message):
    with pytest.raises(data.DateInputError, match=message.replace("(", r"\(")):
        data.encode_inputs([text])


# ---------------------------------------------------------------- loss and schedule

def test_loss_ignores_padding():
    real = tf.constant([[5, 6, data.END, data.PAD, data.PAD]])
    probs = tf.nn.softmax(tf.random.stateless_normal((1, 5, len(data.TARGET_VOCAB)), seed=(1, 2)))
    other = tf.concat([probs[:, :3], tf.nn.softmax(10 * tf.ones((1, 2, len(data.TARGET_VOCAB))))], axis=1)
    expected = -np.mean(np.log([probs[0, i, real[0, i]].numpy() for i in range(3)]))
    assert masked_loss(real, probs).numpy() == pytest.approx(expected, rel=1e-5)
    assert masked_loss(real, other).numpy() == pytest.approx(expected, rel=1e-5)


def test_warmup_schedule_formula():
    schedule = WarmupSchedule(embedding_dim=64, warmup_steps=100)
    for step in (1, 50, 100, 400):  # the optimizer's iteration counter is step - 1
        expected = 64 ** -0.5 * min(step ** -0.5, step * 100 ** -1.5)
        assert float(schedule(step - 1)) == pytest.approx(expected, rel=1e-5)


# ---------------------------------------------------------------- decoding

def test_predictions_use_only_the_prefix():
    tf.keras.utils.set_random_seed(0)
    model = build_model(Transformer, ModelConfig.tiny())
    inp = data.encode_inputs(SAMPLES)  # (5, S)
    rng = np.random.default_rng(0)
    dec_in = rng.integers(3, len(data.TARGET_VOCAB), size=(5, 11)).astype(np.int32)
    dec_in[:, 0] = data.START
    base = next_token_probs(model, inp, dec_in).numpy()  # (5, 11, vocab)
    for t in (0, 4, 9):
        changed = dec_in.copy()
        changed[:, t + 1:] = rng.integers(3, len(data.TARGET_VOCAB), size=(5, 10 - t))
        probs = next_token_probs(model, inp, changed).numpy()
        np.testing.assert_allclose(probs[:, :t + 1], base[:, :t + 1], atol=1e-6)
        # the test is not vacuous: later positions do react to the change
        assert np.abs(probs[:, t + 1:] - base[:, t + 1:]).max() > 1e-4
    changed = dec_in.copy()
    changed[:, 1] = (changed[:, 1] - 2) % 11 + 3  # a change in the prefix does matter
    assert np.abs(next_token_probs(model, inp, changed).numpy()[:, 1:] - base[:, 1:]).max() > 1e-4


def test_greedy_decode_stops_at_end_token():
    tf.keras.utils.set_random_seed(1)
    model = build_model(Transformer, ModelConfig.tiny())
    # bias the output layer towards </s> so that every row ends right away
    kernel, bias = model.final_layer.get_weights()
    bias[:] = 0
    bias[data.END] = 50
    model.final_layer.set_weights([kernel * 0, bias])
    out = greedy_decode(model, data.encode_inputs(SAMPLES))
    assert out.shape == (5, 11)
    assert (out[:, 0] == data.END).all() and (out[:, 1:] == data.PAD).all()
    assert translate(model, SAMPLES) == [""] * 5


# ---------------------------------------------------------------- training and checkpoints

def test_length_buckets_cover_each_example_once_per_epoch():
    pairs = data.make_splits(seed=5, n_train=640, n_dev=0, n_test=0)["train"]
    inputs, targets = data.encode_pairs(pairs)
    lengths = np.sum(inputs != data.PAD, axis=1)
    bounds = {16: (0, 16), 24: (16, 24), 34: (24, 34)}  # width -> (shortest - 1, longest) it holds
    per_epoch = sum(int(np.sum((lengths > lo) & (lengths <= hi))) // 32 for lo, hi in bounds.values())
    batches = _batches(inputs, targets, 32, seed=0, widths=(16, 24))
    seen, widths = [], set()
    for _ in range(per_epoch):
        inp, tar = (x.numpy() for x in next(batches))
        widths.add(inp.shape[1])
        lo, hi = bounds[inp.shape[1]]
        assert ((np.sum(inp != data.PAD, axis=1) > lo) & (np.sum(inp != data.PAD, axis=1) <= hi)).all()
        seen += [data.INPUT_VOCAB.decode(row[1:]) + data.TARGET_VOCAB.decode(t[1:]) for row, t in zip(inp, tar)]
    assert widths == {16, 24, 34}
    assert len(seen) == len(set(seen)) == 32 * per_epoch  # no example twice within the epoch


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("dates_model"))
    model, history = train(Transformer, out_dir=out, steps=40, config=ModelConfig.tiny(), batch_size=64, n_train=3000,
                           warmup_steps=20, eval_every=40, n_dev=50, bucket_widths=(), progress=False,
                           log=lambda _: None)
    return out, model, history


@pytest.mark.slow  # the module's training fixture takes ~20 s
def test_short_training_lowers_the_loss(trained):
    _, _, history = trained
    loss = history["loss"]
    assert len(loss) == 40
    assert np.mean(loss[-5:]) < 0.75 * np.mean(loss[:5])
    assert history["accuracy"][-1] > history["accuracy"][0]


@pytest.mark.slow  # the module's training fixture takes ~20 s
def test_saved_files(trained):
    out, _, history = trained
    for name in ("config.json", "history.json", "learning_curves.png", "attention.png"):
        assert os.path.getsize(os.path.join(out, name)) > 0
    with open(os.path.join(out, "history.json")) as f:
        assert json.load(f)["loss"] == history["loss"]


@pytest.mark.slow  # the module's training fixture takes ~20 s
def test_reloaded_checkpoint_decodes_like_the_model_that_saved_it(trained):
    out, model, _ = trained
    reloaded, config = load_model(Transformer, out)
    assert config == ModelConfig.tiny()
    inputs = data.encode_inputs(SAMPLES + [x for x, _ in data.make_splits(7, 0, 0, 40)["test"]])
    expected = greedy_decode(model, inputs)
    np.testing.assert_array_equal(greedy_decode(reloaded, inputs), expected)
    for a, b in zip(model.trainable_variables, reloaded.trainable_variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    pairs = [(x, data.TARGET_VOCAB.decode(row)) for x, row in zip(SAMPLES, expected)]
    assert exact_match(reloaded, pairs) == 1.0


# ---------------------------------------------------------------- command line

@pytest.mark.slow  # the module's training fixture takes ~20 s
def test_cli_translate(trained, capsys):
    out, model, _ = trained
    assert cli.main(["dates", "translate", "--model", out, "3 May 1979", "12.03.02"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{x} -> {y}" for x, y in zip(["3 May 1979", "12.03.02"],
                                                  translate(model, ["3 May 1979", "12.03.02"]))]


@pytest.mark.slow  # the module's training fixture
@pytest.mark.parametrize("argv, message", [
    (["translate", "--model", "{out}", ""], "error: empty date"),
    (["translate", "--model", "{out}", "3 May 1979 #1"], "does not know: '#'"),
    (["translate", "--model", "{out}", "x" * 40], "the model reads at most 32"),
    (["translate", "--model", "{out}/nowhere", "3 May 1979"], "no trained model in"),
    (["translate", "--model", "{out}"], "the following arguments are required: dates"),
    (["train", "--steps", "0"], "--steps must be positive"),
    (["train", "--steps", "many"], "invalid int value: 'many'"),
    (["fly"], "unknown verb 'fly'"),
])
def test_cli_bad_input_is_one_clear_line(trained, capsys, argv, message):
    out = trained[0]
    assert cli.main(["dates", *(a.format(out=out) for a in argv)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")
    assert "Traceback" not in captured.err and captured.out == ""


@pytest.mark.slow
def test_cli_train_writes_a_model(tmp_path, capsys):
    out = str(tmp_path / "m")
    argv = ["train", "--steps", "3", "--out", out, "--layers", "1", "--dim", "16", "--heads", "1",
            "--ffn", "16", "--train-size", "500", "--eval-every", "3", "--mode", "eager", "--quiet"]
    assert cli.main(["dates", *argv]) == 0
    assert "trained 3 steps" in capsys.readouterr().out
    assert load_model(Transformer, out)[1].embedding_dim == 16


# ---------------------------------------------------------------- structure, progress

def _dates_imports():
    """{module: the assignment.labs.dates modules it imports, at the top or inside functions}."""
    import ast

    folder = os.path.dirname(data.__file__)
    graph = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py") and name != "__init__.py":
            tree = ast.parse(open(os.path.join(folder, name)).read())
            found = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "assignment.labs.dates":
                    found |= {alias.name for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("assignment.labs.dates."):
                    found.add(node.module.rsplit(".", 1)[1])
                elif isinstance(node, ast.Import):
                    found |= {a.name.rsplit(".", 1)[1] for a in node.names if a.name.startswith("assignment.labs.dates.")}
            graph[name[:-3]] = found
    return graph


def test_dates_modules_import_one_way():
    """commands -> train -> plots -> decode -> model -> data, never back (no import cycle)."""
    graph = _dates_imports()
    assert {"model", "plots", "decode", "train", "data"} <= set(graph)
    assert graph["decode"] & {"train", "plots", "commands"} == set(), graph["decode"]
    assert graph["model"] & {"train", "plots", "decode", "commands"} == set(), graph["model"]
    assert graph["plots"] & {"train", "commands"} == set(), graph["plots"]

    def reaches(start, target, seen=()):
        return any(n == target or (n not in seen and reaches(n, target, seen + (n,)))
                   for n in graph.get(start, ()))

    cycles = [m for m in graph if reaches(m, m)]
    assert not cycles, f"import cycles through {cycles}: {graph}"


def test_progress_bar_without_ipywidgets_is_the_text_bar(monkeypatch):
    import sys
    import warnings

    from tqdm.std import tqdm as text_bar

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets -> ImportError
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tqdm.auto's "IProgress not found" would raise here
        assert progress_bar_class() is text_bar
