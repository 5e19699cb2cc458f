"""Where the model comes from: ``tiny`` (built offline), ``minilm`` (a pretrained encoder
converted to DistilBERT), a local directory, or a hub name.

Every source ends in ``from_pretrained(directory or name)``: the tiny and the converted
MiniLM models are saved with ``save_pretrained`` first and read back, the same path a hub
checkpoint takes.
"""
import glob
import json
import os
import socket
import threading
from urllib.parse import urlparse

from assignment.labs.ner.convert import ConversionError, convert, minilm_available, minilm_directory  # noqa: F401
from assignment.labs.ner.tokenizer import train_wordpiece

# A small DistilBERT: trains from scratch on the shipped resumes in minutes on a CPU.
TINY = dict(dim=128, n_layers=2, n_heads=4, hidden_dim=256, max_position_embeddings=512,
            dropout=0.1, attention_dropout=0.1)
TINY_VOCAB = 3000
HUB_DEFAULT = "distilbert-base-cased"
# Names of the optional pretrained MiniLM, converted to TFDistilBertForTokenClassification.
MINILM_NAMES = ("minilm", "distilbert-minilm")


class ModelSourceError(RuntimeError):
    """The model asked for cannot be loaded (no network, no such directory, ...)."""


def label_maps(tags):
    """(id2label, label2id) for a list of tag names."""
    return {i: tag for i, tag in enumerate(tags)}, {tag: i for i, tag in enumerate(tags)}


def build_tiny(texts, tags, directory, seed=0, vocab_size=TINY_VOCAB, **config):
    """Train a WordPiece tokenizer on ``texts``, make a small randomly initialised
    DistilBERT for ``tags``, and save both in ``directory`` (returned)."""
    import tensorflow as tf
    from transformers import DistilBertConfig, TFDistilBertForTokenClassification

    tokenizer = train_wordpiece(texts, vocab_size=vocab_size)
    id2label, label2id = label_maps(tags)
    settings = {**TINY, **config}
    model_config = DistilBertConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                                    id2label=id2label, label2id=label2id, **settings)
    tf.keras.utils.set_random_seed(seed)
    model = TFDistilBertForTokenClassification(model_config)
    model(model.dummy_inputs)  # create the weights
    os.makedirs(directory, exist_ok=True)
    tokenizer.save_pretrained(directory)
    model.save_pretrained(directory)
    return directory


def converted_minilm(directory):
    """The installed MiniLM package's checkpoint converted to DistilBERT in ``directory``
    (reused when it is already there and came from the same folder)."""
    try:
        source = minilm_directory()
        record = os.path.join(directory, "converted_from.json")
        if os.path.exists(record) and os.path.exists(os.path.join(directory, "tf_model.h5")):
            with open(record, encoding="utf-8") as handle:
                if json.load(handle).get("source") == os.path.abspath(source):
                    return directory
        return convert(source, directory)
    except (ConversionError, OSError) as err:
        raise ModelSourceError(f"--model minilm: {err}") from None


def hub_reachable(seconds=4.0):
    """Whether the hub's host accepts a connection within ``seconds`` (DNS included)."""
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    outcome = []

    def probe():
        try:
            socket.create_connection((host, 443), timeout=seconds).close()
            outcome.append(True)
        except OSError:
            outcome.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(seconds)
    return bool(outcome and outcome[0])


def _offline_message(name):
    return (f"cannot load model {name!r}: it is not a local directory and the Hugging Face hub cannot be "
            "reached (no network, or HF_HUB_OFFLINE=1). Use --model tiny to build a small model offline, or "
            "--model DIR with a directory written by save_pretrained (a trained `ner train` output's model/ "
            "folder, or a downloaded checkpoint).")


def load(source, tags=None, work_dir="build/ner", texts=None, seed=0, case_features=False):
    """(model, tokenizer) from ``source``: 'tiny', 'minilm' (or 'distilbert-minilm'), a
    directory or a hub name.

    ``tags`` sets a new classification head (fine-tuning); None keeps the checkpoint's
    labels (evaluating or predicting with a trained model). ``texts`` feed the tiny
    model's tokenizer. ``case_features``: with a new head, a DistilBERT model that also
    reads each word's case (``case_model``); "auto": only when the tokenizer is uncased
    and the model is a DistilBERT (``wants_case``). A directory saved from such a model is
    always loaded as one.
    """
    from transformers import AutoTokenizer  # no TensorFlow yet: a hub failure is reported in seconds
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the unused-dropout-layer notices are noise here
    if source == "tiny":
        if texts is None or tags is None:
            raise ModelSourceError("the tiny model is built from the training texts and tags")
        source = build_tiny(texts, tags, os.path.join(work_dir, "tiny-init"), seed=seed)
    elif source in MINILM_NAMES:
        source = converted_minilm(os.path.join(work_dir, "distilbert-minilm"))
    head = {}
    if tags is not None:
        id2label, label2id = label_maps(tags)
        head = dict(num_labels=len(tags), id2label=id2label, label2id=label2id)
        _seed_new_head(seed)
    if os.path.isdir(source):
        tokenizer = AutoTokenizer.from_pretrained(source)
        if case_features == "auto":
            case_features = wants_case(source, tokenizer)
        model = _from_directory(source, head, case_features and bool(head))
    elif os.sep in source and source.startswith((".", os.sep, "~")) or os.path.exists(source):
        raise ModelSourceError(f"model directory {source!r} does not exist (or is not a directory)")
    else:
        try:  # already in the local cache?
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
        except (OSError, ValueError):
            if not hub_reachable():
                raise ModelSourceError(_offline_message(source)) from None
            try:
                tokenizer = AutoTokenizer.from_pretrained(source)
            except (OSError, ValueError) as err:
                raise ModelSourceError(f"cannot load model {source!r}: {err}") from None
        if case_features == "auto":
            case_features = wants_case(source, tokenizer)
        try:
            model = _model_class(source, case_features and bool(head)).from_pretrained(
                source, ignore_mismatched_sizes=bool(head), **head)
        except (OSError, ValueError) as err:
            raise ModelSourceError(f"cannot load model {source!r}: {err}") from None
    if not getattr(tokenizer, "is_fast", False):
        raise ModelSourceError(f"{source!r} has no fast tokenizer; word_ids() needs one")
    return model, tokenizer


def _seed_new_head(seed):
    """Seed TensorFlow's, numpy's and Python's generators before a new classification head
    is created: ``from_pretrained`` draws its initial weights from them, so without this the
    same command gives a different head (and F1) every run."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)


def uncased(tokenizer) -> bool:
    """Whether ``tokenizer`` gives "Paris" and "paris" the same ids (an uncased vocabulary)."""
    return tokenizer("Paris PARIS", add_special_tokens=False)["input_ids"] == \
        tokenizer("paris paris", add_special_tokens=False)["input_ids"]


def wants_case(source, tokenizer) -> bool:
    """``case_features="auto"``: a DistilBERT checkpoint whose tokenizer is uncased."""
    from transformers import AutoConfig

    try:
        model_type = AutoConfig.from_pretrained(source).model_type
    except (OSError, ValueError):
        return False
    return model_type == "distilbert" and uncased(tokenizer)


def _model_class(source, case_features):
    """The TF class to load ``source`` with: the case-reading DistilBERT when asked for (or
    when ``source``'s config says it was saved from one), else the Auto class."""
    from transformers import AutoConfig, TFAutoModelForTokenClassification

    config = AutoConfig.from_pretrained(source) if (case_features or os.path.isdir(source)) else None
    if config is None or not (case_features or getattr(config, "ner_case_features", False)):
        return TFAutoModelForTokenClassification
    if config.model_type != "distilbert":
        raise ModelSourceError(f"case features need a DistilBERT model; {source!r} is a {config.model_type!r} model")
    from assignment.labs.ner.case_model import TFDistilBertWithCaseForTokenClassification  # TensorFlow: only here

    return TFDistilBertWithCaseForTokenClassification


def _from_directory(directory, head, case_features=False):
    """TF weights when the directory has them, else PyTorch/safetensors weights converted."""
    has_tf = os.path.exists(os.path.join(directory, "tf_model.h5"))
    options = dict(head, ignore_mismatched_sizes=True) if head else {}
    try:
        if has_tf:
            return _model_class(directory, case_features).from_pretrained(directory, **options)
        return load_torch_weights_without_torch(directory, head, case_features)
    except (OSError, ValueError) as err:
        raise ModelSourceError(f"cannot load a model from {directory!r}: {err}") from None


def load_torch_weights_without_torch(directory, head, case_features=False):
    """A TF token-classification model of the checkpoint's own class (BERT, ...) from
    ``directory``'s safetensors weights, read as numpy: no PyTorch needed."""
    from safetensors.numpy import load_file
    from transformers import AutoConfig, TFAutoModelForTokenClassification
    from transformers.modeling_tf_pytorch_utils import load_pytorch_state_dict_in_tf2_model

    files = sorted(glob.glob(os.path.join(directory, "*.safetensors")))
    if not files:
        raise OSError(f"no tf_model.h5 and no *.safetensors in {directory}")
    config = AutoConfig.from_pretrained(directory, **head)
    model_class = _model_class(directory, case_features)
    model = (model_class.from_config(config) if model_class is TFAutoModelForTokenClassification
             else model_class(config))
    model(model.dummy_inputs)  # create the weights
    state = {}
    for path in files:
        state.update(load_file(path))
    load_pytorch_state_dict_in_tf2_model(model, state, allow_missing_keys=True)
    return model
