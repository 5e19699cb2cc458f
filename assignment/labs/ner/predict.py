"""Run a token-classification model over whole documents (any length) and turn word
tags back into entities with character offsets."""
from typing import List, Sequence, Tuple

import numpy as np

from assignment.labs.ner.casing import reads_case
from assignment.labs.ner.data import split_words
from assignment.labs.ner.decoding import log_softmax, viterbi
from assignment.labs.ner.windows import encode_document, merge_predictions

# How word tags are read from the model's scores, for every model (measured on WNUT-17's
# development file: benchmarks/RESULTS.md).
DEFAULT_DECODING = "argmax"


def pad_batch(windows, pad_id, length=None, case=False):
    """(inputs, labels): ``inputs`` {input_ids, attention_mask[, case_ids]} and ``labels``,
    int32 arrays (batch, length), padded on the right (case ids and labels with 0 and -100).
    ``case``: add each subtoken's word case (for a model that ``case_model.reads_case``)."""
    length = length or max(len(w.input_ids) for w in windows)
    ids = np.full((len(windows), length), pad_id, dtype=np.int32)
    mask = np.zeros((len(windows), length), dtype=np.int32)
    labels = np.full((len(windows), length), -100, dtype=np.int32)
    cases = np.zeros((len(windows), length), dtype=np.int32)
    for row, window in enumerate(windows):
        n = len(window.input_ids)
        ids[row, :n], mask[row, :n], labels[row, :n] = window.input_ids, 1, window.labels
        if window.case_ids:
            cases[row, :n] = window.case_ids
    inputs = {"input_ids": ids, "attention_mask": mask}
    if case:
        inputs["case_ids"] = cases
    return inputs, labels


def window_log_probs(model, windows, pad_id, batch_size=32) -> List[np.ndarray]:
    """Log-probabilities of every label for every subtoken of every window, each
    (subtokens, labels); batches sorted by length."""
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
    scores = [None] * len(windows)
    case = reads_case(model)
    for first in range(0, len(order), batch_size):
        chunk = order[first : first + batch_size]
        inputs, _ = pad_batch([windows[i] for i in chunk], pad_id, case=case)
        logits = model(**inputs, training=False).logits.numpy()  # (batch, length, labels)
        for row, index in enumerate(chunk):
            scores[index] = log_softmax(logits[row, : len(windows[index].input_ids)])
    return scores


def decode_windows(scores, windows, tags, decoding="argmax", outside_bias=0.0) -> List[np.ndarray]:
    """Label id of every subtoken from ``window_log_probs``' ``scores``. ``decoding="bio"``:
    the words' first subtokens get the best valid BIO sequence (``decoding.viterbi``)
    instead of each its own argmax. ``outside_bias``: subtracted from the 'O' label's
    log-probability first (> 0: more words are tagged as entities; recall for precision)."""
    outside = list(tags).index("O") if outside_bias and "O" in tags else None
    preds = []
    for window, score in zip(windows, scores):
        if outside is not None:
            score = score.copy()
            score[:, outside] -= outside_bias
        best = np.argmax(score, axis=-1)
        if decoding == "bio":
            positions = [p for p in window.first_token if 0 <= p < len(score)]
            best[positions] = viterbi(score[positions], tags)
        preds.append(best)
    return preds


def score_documents(model, tokenizer, documents: Sequence[Sequence[str]], max_length=128, stride=32, batch_size=32,
                    *, align) -> Tuple[list, List[np.ndarray]]:
    """(windows, scores): every document (a list of words) cut into windows by the exercise
    ``align`` (see windows.encode_document), and each window's ``window_log_probs``. One
    forward pass, to decode as often as wanted (``tags_from_scores``)."""
    label2id = {tag: int(i) for tag, i in model.config.label2id.items()}
    windows = []
    for doc, words in enumerate(documents):
        windows += encode_document(tokenizer, list(words), None, label2id, max_length, stride, doc, align=align)
    return windows, window_log_probs(model, windows, tokenizer.pad_token_id, batch_size)


def tags_from_scores(model, documents, windows, scores, decoding=None, outside_bias=None) -> List[List[str]]:
    """Tag names for every word of every document from ``score_documents``' output.
    ``decoding`` ('argmax' or 'bio', see ``decoding.py``) and ``outside_bias`` (see
    ``decode_windows``): None, the model's own (``config.ner_decoding``,
    ``config.ner_outside_bias``, written by ``ner train``), else ``DEFAULT_DECODING`` and 0."""
    id2label = {int(i): tag for i, tag in model.config.id2label.items()}
    tags = [id2label[i] for i in range(len(id2label))]
    decoding = decoding or getattr(model.config, "ner_decoding", None) or DEFAULT_DECODING
    if outside_bias is None:
        outside_bias = float(getattr(model.config, "ner_outside_bias", 0.0) or 0.0)
    preds = decode_windows(scores, windows, tags, decoding, outside_bias)
    by_doc = {}
    for window, pred in zip(windows, preds):
        by_doc.setdefault(window.doc, ([], []))
        by_doc[window.doc][0].append(window)
        by_doc[window.doc][1].append(pred)
    outside = tags.index("O") if "O" in tags else 0
    result = []
    for doc, words in enumerate(documents):
        doc_windows, doc_preds = by_doc.get(doc, ([], []))
        ids = merge_predictions(len(words), doc_windows, doc_preds, default=outside)
        result.append([id2label[i] for i in ids])
    return result


def predict_tags(model, tokenizer, documents: Sequence[Sequence[str]], max_length=128, stride=32,
                 batch_size=32, decoding=None, outside_bias=None, *, align) -> List[List[str]]:
    """Tag names for every word of every document (a document is a list of words);
    ``align``: the exercise that encodes the windows (see windows.encode_document);
    ``decoding``, ``outside_bias``: see ``tags_from_scores``."""
    windows, scores = score_documents(model, tokenizer, documents, max_length, stride, batch_size, align=align)
    return tags_from_scores(model, documents, windows, scores, decoding, outside_bias)


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
