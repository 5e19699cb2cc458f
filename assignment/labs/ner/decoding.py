"""Decoding word tags from per-word scores: independent argmax, or the best sequence that
is valid BIO.

An independent argmax can produce ``O I-person`` or ``B-person I-location``. seqeval (in
its default, conlleval-like mode) reads such an ``I-x`` as the start of a new entity, so
simply rewriting "I-x after something that is not x" as ``B-x`` changes no score: it is
what the metric already assumes. ``viterbi`` instead picks the sequence of highest total
log-probability among the valid ones (an ``I-x`` only after ``B-x`` or ``I-x``), which can
change the entity's type or its edges, as a CRF's decoding does with hard constraints and
no learned transition scores.
"""
from typing import List, Sequence

import numpy as np

DECODINGS = ("argmax", "bio")


def allowed(previous: str, tag: str) -> bool:
    """Whether ``tag`` may follow ``previous`` in BIO (``previous`` None: the first word)."""
    if not tag.startswith("I-"):
        return True
    return previous is not None and previous != "O" and previous[2:] == tag[2:]


def transition_mask(tags: Sequence[str]):
    """(start, trans): boolean vectors/matrices of allowed first tags and transitions,
    ``trans[i, j]``: tag j may follow tag i."""
    start = np.array([allowed(None, t) for t in tags])
    trans = np.array([[allowed(p, t) for t in tags] for p in tags])
    return start, trans


def viterbi(log_probs, tags: Sequence[str]) -> List[int]:
    """The valid BIO sequence of tag ids with the highest sum of ``log_probs`` ((words,
    tags) array). Every tag set with an 'O' or a B- tag has a valid sequence."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if len(log_probs) == 0:
        return []
    start, trans = transition_mask(tags)
    penalty = np.where(trans, 0.0, -np.inf)
    score = np.where(start, log_probs[0], -np.inf)
    back = np.zeros(log_probs.shape, dtype=np.int64)
    for t in range(1, len(log_probs)):
        candidates = score[:, None] + penalty  # (previous, current)
        back[t] = np.argmax(candidates, axis=0)
        score = candidates[back[t], np.arange(len(tags))] + log_probs[t]
    path = [int(np.argmax(score))]
    for t in range(len(log_probs) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def repair_bio(tags: Sequence[str]) -> List[str]:
    """Tag names with every ``I-x`` that does not continue an ``x`` entity turned into
    ``B-x`` (the simple repair; seqeval's default mode scores it the same as the input)."""
    out = []
    for tag in tags:
        previous = out[-1] if out else None
        out.append("B-" + tag[2:] if not allowed(previous, tag) else tag)
    return out


def log_softmax(logits, axis=-1):
    """Numerically stable log-softmax of a numpy array."""
    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
