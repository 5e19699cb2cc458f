"""Long documents -> overlapping windows of whole words, and window predictions -> words.

The course cut every resume at 512 tokens and lost what came after. Here a document is
cut into windows of at most ``max_length`` subtokens (special tokens included) that
overlap by about ``stride`` subtokens; each word's prediction is taken from the window
where it sits furthest from an edge, i.e. where it has the most context on both sides.

The windows are encoded by the lab's exercise, which every function here that needs it
takes as its ``align`` argument: the learner's ``tokenize_and_align_labels`` from the
notebook, or whatever function of that signature the caller chooses (the command line
passes the reference). Its padding to ``max_length`` is cut off again here, so that
batches are padded only to their longest window.
"""
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from assignment.labs.ner.casing import subtoken_cases

IGNORE = -100  # the label the loss and the metrics skip


@dataclass
class Window:
    """One model input: words [start, end) of document ``doc``, encoded."""

    doc: int
    start: int
    end: int
    input_ids: List[int]
    labels: List[int]  # label ids, -100 where the loss ignores the subtoken
    first_token: List[int]  # position of each word's first subtoken (-1: none)
    case_ids: List[int] = field(default_factory=list)  # each subtoken's word case (casing.py); [] = all "none"


def word_token_counts(tokenizer, words: Sequence[str]) -> List[int]:
    """Number of subtokens of each word (0 for a word the normalizer drops)."""
    if not words:
        return []
    encoding = tokenizer(list(words), is_split_into_words=True, add_special_tokens=False)
    counts = [0] * len(words)
    for word_id in encoding.word_ids():
        if word_id is not None:
            counts[word_id] += 1
    return counts


def plan_windows(counts: Sequence[int], budget: int, stride: int) -> List[Tuple[int, int]]:
    """[(start, end), ...] word ranges of at most ``budget`` subtokens each (a single longer
    word gets a window of its own), consecutive ranges sharing up to ``stride`` subtokens."""
    windows, start, n = [], 0, len(counts)
    while start < n:
        end, total = start, 0
        while end < n and (end == start or total + counts[end] <= budget):
            total += counts[end]
            end += 1
        windows.append((start, end))
        if end >= n:
            break
        new_start, overlap = end, 0
        while new_start - 1 > start and overlap + counts[new_start - 1] <= stride:
            new_start -= 1
            overlap += counts[new_start]
        start = new_start
    return windows


def label_ids(labels, label2id) -> List[int]:
    """Aligned labels (tag names and -100) -> label ids, -100 kept."""
    return [IGNORE if label == IGNORE else label2id[label] for label in labels]


def encode_document(tokenizer, words, tags, label2id, max_length=128, stride=32, doc=0, *, align) -> List[Window]:
    """Cut one document into encoded windows (tags may be None when predicting).

    ``align`` is the exercise, ``align(tokenizer, examples, tags, max_length=...)``: it is
    called once per document, on the batch of its windows' words.
    """
    tags = list(tags) if tags is not None else ["O"] * len(words)
    plan = plan_windows(word_token_counts(tokenizer, words), max_length - 2, stride)
    if not plan:
        return []
    encoding = align(tokenizer, [list(words[start:end]) for start, end in plan],
                     [tags[start:end] for start, end in plan], max_length=max_length)
    windows = []
    for row, (start, end) in enumerate(plan):
        ids = list(encoding["input_ids"][row])
        mask = encoding["attention_mask"][row] if "attention_mask" in encoding else [1] * len(ids)
        length = int(sum(mask))  # the padding the exercise added is dropped: batches pad per batch
        first = [-1] * (end - start)
        word_ids = encoding.word_ids(row)[:length]
        for position, word in enumerate(word_ids):
            if word is not None and first[word] < 0:
                first[word] = position
        windows.append(Window(doc, start, end, ids[:length], label_ids(list(encoding["labels"][row])[:length],
                                                                       label2id), first,
                              subtoken_cases(word_ids, words[start:end])))
    return windows


def merge_predictions(n_words: int, windows: Sequence[Window], window_preds: Sequence[Sequence[int]],
                      default: int = 0) -> List[int]:
    """Per-word label ids of one document from its windows' per-subtoken predictions.

    A word seen by several windows takes the prediction of the window where it is most
    central (ties: the earlier window); a word with no subtoken gets ``default``.
    """
    best: List[Optional[Tuple[int, int]]] = [None] * n_words  # (centrality, label)
    for window, preds in zip(windows, window_preds):
        for offset, position in enumerate(window.first_token):
            if position < 0 or position >= len(preds):
                continue
            word = window.start + offset
            centrality = min(word - window.start, window.end - 1 - word)
            if best[word] is None or centrality > best[word][0]:
                best[word] = (centrality, int(preds[position]))
    return [default if item is None else item[1] for item in best]


__all__ = ["IGNORE", "Window", "encode_document", "label_ids", "merge_predictions", "plan_windows",
           "word_token_counts"]
