"""Read NER data (resume JSON lines, CoNLL columns) into word-level BIO examples.

Words are cut with ``split_words`` (words, numbers, e-mail addresses, ``C++``; every
other punctuation mark is a word of its own), and each word keeps its character offsets
in the text, so predictions can be mapped back to the original characters. The model's
tokenizer later splits these words into subtokens; labels follow the words, never the
raw text, which is what keeps them in line (see ``align.py``).
"""
import json
import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from assignment.labs.ner import RESUME_LABELS

# A word: letters/digits joined by . @ ' - + # / & (e-mails, "Node.js", "2015-2019",
# "C++", "C#"), or any single other non-space character.
WORD_RE = re.compile(r"\w+(?:[.@'\-+#/&]\w+)*[+#]*|[^\w\s]")

SPLITS = ("train", "dev", "test")


class DataError(ValueError):
    """Bad input, located at ``path:line`` (line is 1-based; None for the whole file)."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class Span:
    """A labelled character span, ``end`` exclusive."""

    start: int
    end: int
    label: str


@dataclass
class Example:
    """One document or sentence: words, their (start, end) offsets in ``text``, BIO tags."""

    id: str
    text: str
    words: List[str]
    offsets: List[Tuple[int, int]]
    tags: List[str]
    split: Optional[str] = None


@dataclass
class ReadResult:
    """What a reader returns: the good examples and the bad items it skipped."""

    examples: List[Example]
    skipped: List[DataError] = field(default_factory=list)


def split_words(text: str):
    """Cut ``text`` into words; returns (words, [(start, end), ...])."""
    matches = list(WORD_RE.finditer(text))
    return [m.group() for m in matches], [(m.start(), m.end()) for m in matches]


def _label_rank(label: str, priority: Sequence[str]):
    return (priority.index(label), label) if label in priority else (len(priority), label)


def spans_to_bio(text: str, spans: Sequence[Span], priority: Sequence[str] = RESUME_LABELS):
    """Word-level BIO tags for character spans; returns (words, offsets, tags).

    Whitespace at a span's edges is trimmed first. A span covers every word it shares
    at least one character with. Overlaps are resolved greedily and deterministically:
    spans are taken in order of (first word, longest first, label ``priority``, label
    name) and one is kept only if none of its words belongs to a span kept before. So
    the earliest-starting span wins, then the longest, then the higher-priority label
    (which is also how a span carrying several labels is settled).
    """
    words, offsets = split_words(text)
    candidates = []
    for span in spans:
        start, end = span.start, span.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        covered = [i for i, (ws, we) in enumerate(offsets) if ws < end and we > start]
        if covered:
            candidates.append((covered[0], covered[-1] + 1, span.label))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0]), _label_rank(c[2], priority)))
    tags = ["O"] * len(words)
    for first, stop, label in candidates:
        if all(tag == "O" for tag in tags[first:stop]):
            tags[first] = f"B-{label}"
            tags[first + 1 : stop] = [f"I-{label}"] * (stop - first - 1)
    return words, offsets, tags


def _lines(path):
    """Yield (line_number, decoded_line) of a UTF-8 file; errors name the file and line."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as err:
        raise DataError(path, None, f"cannot read the file ({err.strerror})") from None
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        try:
            yield number, chunk.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as err:
            yield number, DataError(
                path, number, f"not UTF-8 text (byte 0x{chunk[err.start]:02x} at column {err.start + 1})"
            )


def _parse_resume(record, path, number) -> Tuple[str, List[Span], Optional[str], Optional[str]]:
    """Check one decoded JSON record; returns (text, spans, split, id)."""
    if not isinstance(record, dict) or not isinstance(record.get("content"), str):
        raise DataError(path, number, "expected a JSON object with a string 'content'")
    text = record["content"]
    spans = []
    for item in record.get("annotation") or []:
        if not isinstance(item, dict):
            raise DataError(path, number, "each annotation must be an object with 'label' and 'points'")
        labels = item.get("label")
        labels = [labels] if isinstance(labels, str) else labels
        if not labels or not all(isinstance(label, str) and label for label in labels):
            raise DataError(path, number, f"annotation label must be a name or a list of names, got {item.get('label')!r}")
        for point in item.get("points") or []:
            start, end = (point.get("start"), point.get("end")) if isinstance(point, dict) else (None, None)
            if not isinstance(start, int) or not isinstance(end, int):
                raise DataError(path, number, f"span needs integer 'start' and 'end', got {point!r}")
            if end < start:
                raise DataError(path, number, f"span end {end} < start {start}")
            if start < 0 or end >= len(text):
                raise DataError(path, number, f"span [{start}, {end}] outside the text (length {len(text)})")
            spans.extend(Span(start, end + 1, label) for label in labels)  # end inclusive -> exclusive
    split = record.get("split")
    if split is not None and split not in SPLITS:
        raise DataError(path, number, f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    return text, spans, split, record.get("id")


def read_resumes(path, skip_bad: bool = False) -> ReadResult:
    """Read the course's resume annotations (one JSON object per line)."""
    result = ReadResult([])
    for number, line in _lines(path):
        try:
            if isinstance(line, DataError):
                raise line
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(path, number, f"malformed JSON ({err.msg} at column {err.colno})") from None
            text, spans, split, doc_id = _parse_resume(record, path, number)
        except DataError as err:
            if not skip_bad:
                raise
            result.skipped.append(err)
            continue
        words, offsets, tags = spans_to_bio(text, spans)
        result.examples.append(Example(str(doc_id or f"line{number}"), text, words, offsets, tags, split))
    return result


def _sentence(words, tags, number, split=None) -> Example:
    text = " ".join(words)
    offsets, position = [], 0
    for word in words:
        offsets.append((position, position + len(word)))
        position += len(word) + 1
    return Example(f"sentence@{number}", text, list(words), offsets, list(tags), split)


def read_conll(path, skip_bad: bool = False) -> ReadResult:
    """Read CoNLL columns: a token per line, its BIO tag last, blank lines between sentences."""
    result = ReadResult([])
    words, tags, first, bad = [], [], None, None

    def flush():
        nonlocal words, tags, first, bad
        if bad is not None:
            result.skipped.append(bad)
        elif words:
            result.examples.append(_sentence(words, tags, first))
        words, tags, first, bad = [], [], None, None

    for number, line in _lines(path):
        try:
            if isinstance(line, DataError):
                raise line
            if line.startswith("-DOCSTART-") or not line.strip():
                flush()
                continue
            columns = line.split()
            if len(columns) < 2:
                raise DataError(path, number, f"expected a token and its tag separated by a space or tab, got {line.strip()!r}")
            tag = columns[-1]
            if not (tag == "O" or (tag[:2] in ("B-", "I-") and len(tag) > 2)):
                raise DataError(path, number, f"tag {tag!r} is not BIO (O, B-TYPE or I-TYPE)")
        except DataError as err:
            if not skip_bad:
                raise
            bad = bad or err  # skip the whole sentence, report its first problem
            first = first or number
            continue
        first = first or number
        words.append(columns[0])
        tags.append(tag)
    flush()
    return result


def read_data(path, fmt: Optional[str] = None, skip_bad: bool = False) -> ReadResult:
    """Read ``path`` as 'jsonl' or 'conll' (guessed from the extension when ``fmt`` is None)."""
    fmt = fmt or ("jsonl" if str(path).endswith((".jsonl", ".json")) else "conll")
    if fmt == "jsonl":
        return read_resumes(path, skip_bad)
    if fmt == "conll":
        return read_conll(path, skip_bad)
    raise ValueError(f"unknown format {fmt!r}: use jsonl or conll")


def split_examples(examples: Sequence[Example]):
    """{'train': [...], 'dev': [...], 'test': [...]}: the recorded split, else every 10th
    example to dev (index % 10 == 8) and to test (== 9), the rest to train."""
    parts = {name: [] for name in SPLITS}
    for index, example in enumerate(examples):
        name = example.split or {8: "dev", 9: "test"}.get(index % 10, "train")
        parts[name].append(example)
    return parts


def tag_names(examples: Sequence[Example], priority: Sequence[str] = RESUME_LABELS) -> List[str]:
    """The tag set: 'O', then B-/I- for each entity type seen (priority order, then A-Z)."""
    types = {tag[2:] for example in examples for tag in example.tags if tag != "O"}
    ordered = sorted(types, key=lambda label: _label_rank(label, priority))
    return ["O"] + [f"{prefix}-{label}" for label in ordered for prefix in ("B", "I")]


def entity_counts(examples: Sequence[Example]):
    """{entity type: number of entities} (counted on B- tags)."""
    counts = {}
    for example in examples:
        for tag in example.tags:
            if tag.startswith("B-"):
                counts[tag[2:]] = counts.get(tag[2:], 0) + 1
    return counts
