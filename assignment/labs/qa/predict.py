"""Answers from a question-answering model's start and end logits.

The model scores every token as the answer's first (start logits) and last (end logits)
token. The answer is the span ``start <= end`` of story tokens (never the question's,
never ``[CLS]``/``[SEP]``/padding) with the highest ``start_logit + end_logit``, at most
``max_answer_tokens`` long; its characters come from the tokenizer's offsets.
"""
import html
from dataclasses import dataclass
from typing import List, Sequence

import numpy as np


MAX_ANSWER_TOKENS = 8


@dataclass
class Prediction:
    text: str  # the answer's characters in the story
    start_char: int  # in the story; end_char exclusive
    end_char: int
    start: int  # token positions in the encoded pair (inclusive)
    end: int
    score: float  # start_logit + end_logit of the span
    tokens: List[str]  # the encoded pair's tokens, padding dropped
    start_probs: np.ndarray  # softmax of the start logits over those tokens
    end_probs: np.ndarray


def best_span(start_logits, end_logits, allowed, max_answer_tokens=MAX_ANSWER_TOKENS):
    """(start, end, score) of the best span with ``start <= end < start + max_answer_tokens``,
    both ends where ``allowed`` is True; (0, 0, -inf) when nothing is allowed."""
    start_logits, end_logits = np.asarray(start_logits, np.float64), np.asarray(end_logits, np.float64)
    allowed = np.asarray(allowed, bool)
    n = len(start_logits)
    scores = start_logits[:, None] + end_logits[None, :]  # (start, end)
    starts, ends = np.indices((n, n))
    valid = (ends >= starts) & (ends < starts + max_answer_tokens) & allowed[:, None] & allowed[None, :]
    if not valid.any():
        return 0, 0, float("-inf")
    scores = np.where(valid, scores, -np.inf)
    start, end = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return int(start), int(end), float(scores[start, end])


def softmax(values):
    values = np.asarray(values, np.float64)
    shifted = np.exp(values - values.max())
    return shifted / shifted.sum()


def encode_pairs(tokenizer, questions, stories, max_length):
    """The tokenizer's output for the (question, story) pairs, as the exercise encodes them
    (question first, only the story cut), padded to the longest pair, with offsets."""
    return tokenizer(list(questions), list(stories), truncation="only_second", max_length=max_length, padding=True,
                     return_offsets_mapping=True)


def predict_answers(model, tokenizer, questions: Sequence[str], stories: Sequence[str], max_length=128,
                    batch_size=64, max_answer_tokens=MAX_ANSWER_TOKENS) -> List[Prediction]:
    """The best answer span of each (question, story) pair (see ``best_span``)."""
    predictions = []
    for first in range(0, len(questions), batch_size):
        chunk_q, chunk_s = questions[first:first + batch_size], stories[first:first + batch_size]
        encoding = encode_pairs(tokenizer, chunk_q, chunk_s, max_length)
        ids = np.asarray(encoding["input_ids"], np.int32)
        mask = np.asarray(encoding["attention_mask"], np.int32)
        output = model(input_ids=ids, attention_mask=mask, training=False)
        start_logits, end_logits = output.start_logits.numpy(), output.end_logits.numpy()
        for row, story in enumerate(chunk_s):
            length = int(mask[row].sum())
            allowed = [sequence == 1 for sequence in encoding.sequence_ids(row)[:length]]
            start, end, score = best_span(start_logits[row, :length], end_logits[row, :length], allowed,
                                          max_answer_tokens)
            offsets = encoding["offset_mapping"][row]
            start_char, end_char = (offsets[start][0], offsets[end][1]) if np.isfinite(score) else (0, 0)
            predictions.append(Prediction(story[start_char:end_char], int(start_char), int(end_char), start, end,
                                          score, encoding.tokens(row)[:length],
                                          softmax(start_logits[row, :length]), softmax(end_logits[row, :length])))
    return predictions


def highlighted(story: str, prediction: Prediction, answer_start=None, answer=None) -> str:
    """HTML of ``story`` with the predicted span marked (and, given, the true answer
    underlined); every piece of text is escaped."""
    marks = [(prediction.start_char, prediction.end_char, "mark")]
    if answer_start is not None and answer is not None:
        marks.append((answer_start, answer_start + len(answer), "u"))
    cuts = sorted({0, len(story)} | {edge for start, end, _ in marks for edge in (start, end) if end > start})
    out = []
    for left, right in zip(cuts, cuts[1:]):
        piece = html.escape(story[left:right])
        for start, end, tag in marks:
            if start <= left and right <= end and end > start:
                piece = f"<{tag}>{piece}</{tag}>"
        out.append(piece)
    return "".join(out)
