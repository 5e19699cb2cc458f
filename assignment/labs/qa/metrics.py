"""Exact match and token F1 of predicted answers, as SQuAD scores them.

The normalisation (lower case, no punctuation, no articles a/an/the, single spaces) and
both scores follow the official evaluation script of SQuAD v1.1 (Rajpurkar et al. 2016,
"SQuAD: 100,000+ Questions for Machine Comprehension of Text", arXiv:1606.05250); this is
our own code. On bAbI task 1 every answer is one word, so the two agree unless a
prediction runs over into a neighbouring word.
"""
import re
import string
from collections import Counter
from typing import Dict, Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower case, punctuation and articles removed, whitespace collapsed."""
    text = "".join(char for char in str(text).lower() if char not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, answer: str) -> float:
    """1.0 when the normalised texts are equal, else 0.0."""
    return float(normalize_answer(prediction) == normalize_answer(answer))


def token_f1(prediction: str, answer: str) -> float:
    """F1 of the words the normalised prediction and answer share (counted with repeats)."""
    predicted, wanted = normalize_answer(prediction).split(), normalize_answer(answer).split()
    if not predicted or not wanted:
        return float(predicted == wanted)
    common = sum((Counter(predicted) & Counter(wanted)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(wanted)
    return 2 * precision * recall / (precision + recall)


def scores(predictions: Sequence[str], answers: Sequence[str]) -> Dict[str, float]:
    """{"exact_match", "f1", "count"}: the means over the examples (ValueError when the lists differ in length)."""
    if len(predictions) != len(answers):
        raise ValueError(f"{len(predictions)} predictions for {len(answers)} answers")
    if not answers:
        return {"exact_match": 0.0, "f1": 0.0, "count": 0}
    return {"exact_match": sum(map(exact_match, predictions, answers)) / len(answers),
            "f1": sum(map(token_f1, predictions, answers)) / len(answers), "count": len(answers)}
