"""Run a token-classification model over whole documents (any length) and turn word
tags back into entities with character offsets."""
from typing import List, Sequence

import numpy as np

from assignment.labs.ner.data import split_words
from assignment.labs.ner.decoding import log_softmax, viterbi
from assignment.labs.ner.windows import encode_document, merge_predictions

# How word tags are read from the model's scores, for every model (measured on WNUT-17's
# development file: benchmarks/RESULTS.md).
DEFAULT_DECODING = "argmax"


def pad_batch(windows, pad_id, length=None):
    """(input_ids, attention_mask, labels) int32 arrays, (batch, length), padded on the right."""
    length = length or max(len(w.input_ids) for w in windows)
    ids = np.full((len(windows), length), pad_id, dtype=np.int32)
    mask = np.zeros((len(windows), length), dtype=np.int32)
    labels = np.full((len(windows), length), -100, dtype=np.int32)
    for row, window in enumerate(windows):
        n = len(window.input_ids)
        ids[row, :n], mask[row, :n], labels[row, :n] = window.input_ids, 1, window.labels
    return ids, mask, labels


def predict_windows(model, windows, pad_id, batch_size=32, decoding="argmax") -> List[np.ndarray]:
    """Predicted label id of every subtoken of every window (batches sorted by length).
    ``decoding="bio"``: the words' first subtokens get the best valid BIO sequence
    (``decoding.viterbi``) instead of each its own argmax."""
    tags = [model.config.id2label[i] for i in range(len(model.config.id2label))] if decoding == "bio" else None
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
    preds = [None] * len(windows)
    for first in range(0, len(order), batch_size):
        chunk = order[first : first + batch_size]
        ids, mask, _ = pad_batch([windows[i] for i in chunk], pad_id)
        logits = model(input_ids=ids, attention_mask=mask, training=False).logits  # (batch, length, labels)
        best = np.argmax(logits.numpy(), axis=-1)
        if tags is not None:
            scores = log_softmax(logits.numpy())
            for row, index in enumerate(chunk):
                positions = [p for p in windows[index].first_token if p >= 0]
                best[row, positions] = viterbi(scores[row, positions], tags)
        for row, index in enumerate(chunk):
            preds[index] = best[row, : len(windows[index].input_ids)]
    return preds


def predict_tags(model, tokenizer, documents: Sequence[Sequence[str]], max_length=128, stride=32,
                 batch_size=32, decoding=None, *, align) -> List[List[str]]:
    """Tag names for every word of every document (a document is a list of words);
    ``align``: the exercise that encodes the windows (see windows.encode_document).
    ``decoding``: 'argmax' or 'bio' (see ``decoding.py``); None: the one the model was
    trained with (``config.ner_decoding``, written by ``ner train``), else ``DEFAULT_DECODING``."""
    label2id = {tag: int(i) for tag, i in model.config.label2id.items()}
    id2label = {int(i): tag for i, tag in model.config.id2label.items()}
    windows = []
    for doc, words in enumerate(documents):
        windows += encode_document(tokenizer, list(words), None, label2id, max_length, stride, doc, align=align)
    decoding = decoding or getattr(model.config, "ner_decoding", None) or DEFAULT_DECODING
    preds = predict_windows(model, windows, tokenizer.pad_token_id, batch_size, decoding)
    by_doc = {}
    for window, pred in zip(windows, preds):
        by_doc.setdefault(window.doc, ([], []))
        by_doc[window.doc][0].append(window)
        by_doc[window.doc][1].append(pred)
    outside = label2id.get("O", 0)
    result = []
    for doc, words in enumerate(documents):
        doc_windows, doc_preds = by_doc.get(doc, ([], []))
        ids = merge_predictions(len(words), doc_windows, doc_preds, default=outside)
        result.append([id2label[i] for i in ids])
    return result


def tags_to_entities(text, offsets, tags) -> List[dict]:
    """[{label, start, end, text}] (``end`` exclusive) from word tags; an I- tag that does
    not continue an entity of its type starts a new one (as seqeval reads it)."""
    entities, current = [], None
    for (start, end), tag in zip(offsets, tags):
        if tag == "O":
            current = None
            continue
        prefix, label = tag[:1], tag[2:]
        if prefix == "I" and entities and current is entities[-1] and current["label"] == label:
            current["end"] = end
        else:
            current = {"label": label, "start": start, "end": end}
            entities.append(current)
    for entity in entities:
        entity["text"] = text[entity["start"] : entity["end"]]
    return entities


def predict_text(model, tokenizer, text, max_length=128, stride=32, *, align) -> List[dict]:
    """Entities found in raw ``text``, with character offsets (``align``: the exercise)."""
    words, offsets = split_words(text)
    tags = predict_tags(model, tokenizer, [words], max_length, stride, align=align)[0]
    return tags_to_entities(text, offsets, tags)
