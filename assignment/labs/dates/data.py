"""Seeded generator of human-readable dates and their ISO form, plus character vocabularies.

The data is generated at run time, not stored: ``make_splits(seed)`` is a pure function of
its arguments (it uses only ``random.Random(seed)``, ``datetime`` and our own month and
weekday names, never the locale), so every run and every machine sees the same splits.

Conventions that make the mapping input -> ISO a function:
  * dotted numbers are day.month.year (European): "12.03.02" is 2002-03-12;
  * slashed numbers are month/day/year (US): "03/12/02" is 2002-03-12;
  * dashed numbers are year-month-day (ISO) and always have a 4-digit year;
  * a 2-digit year yy means 19yy when yy >= 50, else 20yy, so templates with a 2-digit
    year only produce dates in 1950..2049, and the others dates in 1900..2099.
Inputs are normalized (lowercased, whitespace collapsed) before encoding, so casing is
free variety and never changes the meaning.
"""
import dataclasses
import datetime
import random
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
MONTHS_ABBR = [m[:3] for m in MONTHS]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS_ABBR = [w[:3] for w in WEEKDAYS]

PAD, START, END = 0, 1, 2
SPECIALS = ["<pad>", "<s>", "</s>"]

INPUT_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789 ,.-/"
TARGET_CHARS = "0123456789-"
MAX_INPUT_CHARS = 32  # the longest template output is 31 characters
TARGET_CHARS_LEN = 10  # YYYY-MM-DD
MAX_INPUT_TOKENS = MAX_INPUT_CHARS + 2  # <s> chars </s>
MAX_TARGET_TOKENS = TARGET_CHARS_LEN + 2  # <s> YYYY-MM-DD </s>


class DateInputError(ValueError):
    """A date string the model cannot read: empty, too long, or with unknown characters."""


def _ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _m(d): return MONTHS[d.month - 1]
def _mon(d): return MONTHS_ABBR[d.month - 1]
def _wd(d): return WEEKDAYS[d.weekday()]
def _wdabbr(d): return WEEKDAYS_ABBR[d.weekday()]


@dataclasses.dataclass(frozen=True)
class Template:
    """One way of writing a date; ``two_digit_year`` restricts it to 1950..2049."""
    name: str
    render: Callable[[datetime.date], str]
    two_digit_year: bool = False


TEMPLATES: List[Template] = [
    Template("d month yyyy", lambda d: f"{d.day} {_m(d)} {d.year}"),
    Template("dd month yyyy", lambda d: f"{d.day:02d} {_m(d)} {d.year}"),
    Template("d mon yyyy", lambda d: f"{d.day} {_mon(d)} {d.year}"),
    Template("d mon yy", lambda d: f"{d.day} {_mon(d)} {d.year % 100:02d}", True),
    Template("month d yyyy", lambda d: f"{_m(d)} {d.day} {d.year}"),
    Template("month d, yyyy", lambda d: f"{_m(d)} {d.day}, {d.year}"),
    Template("mon d, yyyy", lambda d: f"{_mon(d)} {d.day}, {d.year}"),
    Template("weekday, month d yyyy", lambda d: f"{_wd(d)}, {_m(d)} {d.day} {d.year}"),
    Template("wkd d mon yyyy", lambda d: f"{_wdabbr(d)} {d.day} {_mon(d)} {d.year}"),
    Template("weekday, dth month yyyy", lambda d: f"{_wd(d)}, {_ordinal(d.day)} {_m(d)} {d.year}"),
    Template("the dth of month yyyy", lambda d: f"the {_ordinal(d.day)} of {_m(d)} {d.year}"),
    Template("month dth, yyyy", lambda d: f"{_m(d)} {_ordinal(d.day)}, {d.year}"),
    Template("dd.mm.yy", lambda d: f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}", True),
    Template("d.m.yyyy", lambda d: f"{d.day}.{d.month}.{d.year}"),
    Template("dd.mm.yyyy", lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}"),
    Template("mm/dd/yyyy", lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}"),
    Template("m/d/yy", lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}", True),
    Template("yyyy-mm-dd", lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}"),
    Template("yyyymmdd", lambda d: f"{d.year}{d.month:02d}{d.day:02d}"),
    Template("dd-mon-yyyy", lambda d: f"{d.day:02d}-{_mon(d)}-{d.year}"),
]

_FULL_RANGE = (datetime.date(1900, 1, 1), datetime.date(2099, 12, 31))
_PIVOT_RANGE = (datetime.date(1950, 1, 1), datetime.date(2049, 12, 31))


def _random_date(rng: random.Random, two_digit_year: bool) -> datetime.date:
    first, last = _PIVOT_RANGE if two_digit_year else _FULL_RANGE
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _random_case(text: str, rng: random.Random) -> str:
    """Lower, Capitalized Words or UPPER: casing is variety only (inputs get lowercased)."""
    style = rng.choices(["lower", "title", "upper"], weights=[5, 4, 1])[0]
    if style == "title":
        return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    return text.upper() if style == "upper" else text


def random_example(rng: random.Random) -> Tuple[str, str]:
    """One (human-readable date, 'YYYY-MM-DD') pair drawn with ``rng``."""
    template = rng.choice(TEMPLATES)
    date = _random_date(rng, template.two_digit_year)
    return _random_case(template.render(date), rng), date.isoformat()


def normalize(text: str) -> str:
    """Lowercase and collapse runs of whitespace: the form the model reads."""
    return " ".join(text.lower().split())


def make_splits(seed: int = 0, n_train: int = 100_000, n_dev: int = 500,
                n_test: int = 1_000) -> Dict[str, List[Tuple[str, str]]]:
    """Train/dev/test lists of (input, iso) pairs; no normalized input is in two splits."""
    rng = random.Random(seed)
    seen = set()
    splits = {}
    for name, size in (("test", n_test), ("dev", n_dev), ("train", n_train)):
        pairs = []
        while len(pairs) < size:
            text, iso = random_example(rng)
            key = normalize(text)
            if key in seen:
                continue
            seen.add(key)
            pairs.append((text, iso))
        splits[name] = pairs
    return splits


class CharVocab:
    """Characters <-> ids, with <pad>=0, <s>=1, </s>=2 and the characters from id 3."""

    def __init__(self, chars: str):
        self.chars = chars
        self.itos = SPECIALS + list(chars)
        self.stoi = {c: i for i, c in enumerate(self.itos) if i >= len(SPECIALS)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str, max_tokens: int) -> List[int]:
        """<s> + character ids + </s>, right-padded with 0 to ``max_tokens``."""
        ids = [START] + [self.stoi[c] for c in text] + [END]
        if len(ids) > max_tokens:
            raise DateInputError(f"{text!r} has {len(text)} characters; at most {max_tokens - 2} fit")
        return ids + [PAD] * (max_tokens - len(ids))

    def decode(self, ids: Sequence[int]) -> str:
        """Characters up to the first </s> (or the end), skipping <pad> and <s>."""
        out = []
        for i in ids:
            i = int(i)
            if i == END:
                break
            if i >= len(SPECIALS):
                out.append(self.itos[i])
        return "".join(out)

    def tokens(self, ids: Sequence[int]) -> List[str]:
        """Readable token names, e.g. for the axes of an attention plot."""
        return [self.itos[int(i)] for i in ids]


INPUT_VOCAB = CharVocab(INPUT_CHARS)
TARGET_VOCAB = CharVocab(TARGET_CHARS)


def check_input(text: str, max_chars: int = MAX_INPUT_CHARS) -> str:
    """Normalize ``text`` or raise DateInputError saying exactly what is wrong with it."""
    if not isinstance(text, str):
        raise DateInputError(f"expected a string, got {type(text).__name__}")
    norm = normalize(text)
    if not norm:
        raise DateInputError("empty date: give a date such as '3 May 1979'")
    bad = sorted({c for c in norm if c not in INPUT_VOCAB.stoi})
    if bad:
        raise DateInputError(f"{text!r} contains characters the model does not know: "
                             f"{''.join(bad)!r} (allowed: letters, digits, space and ,.-/)")
    if len(norm) > max_chars:
        raise DateInputError(f"{text!r} is {len(norm)} characters long; the model reads at most {max_chars}")
    return norm


def encode_inputs(texts: Sequence[str], max_chars: int = MAX_INPUT_CHARS) -> np.ndarray:
    """(n,) strings -> (n, max_chars + 2) int32 ids; raises DateInputError on bad input."""
    return np.array([INPUT_VOCAB.encode(check_input(t, max_chars), max_chars + 2) for t in texts],
                    dtype=np.int32).reshape(len(texts), max_chars + 2)


def encode_targets(isos: Sequence[str]) -> np.ndarray:
    """(n,) 'YYYY-MM-DD' strings -> (n, 12) int32 ids: <s> YYYY-MM-DD </s>."""
    return np.array([TARGET_VOCAB.encode(s, MAX_TARGET_TOKENS) for s in isos],
                    dtype=np.int32).reshape(len(isos), MAX_TARGET_TOKENS)


def encode_pairs(pairs: Sequence[Tuple[str, str]], max_chars: int = MAX_INPUT_CHARS):
    """List of (input, iso) -> (inputs (n, max_chars + 2), targets (n, 12)) int32 arrays."""
    texts, isos = zip(*pairs) if pairs else ((), ())
    return encode_inputs(texts, max_chars), encode_targets(isos)
