"""The case of a word, as a small class id every subtoken of the word carries.

The pretrained encoder's vocabulary is uncased: its tokenizer lowercases "Paris", "PARIS"
and "paris" to the same ids, and on social-media text the capital letter is one of the
few signs that a never-seen word is a name. ``word_case`` keeps that sign as one of
``CASE_CLASSES``; ``subtoken_cases`` spreads it over a window's subtokens (the special
tokens and the padding get class 0, "none"), and ``case_model`` adds a learned vector per
class to the input embeddings.
"""
from typing import List, Optional, Sequence

CASE_CLASSES = ("none", "lower", "title", "upper", "mixed", "digits", "symbols", "handle")
NONE, LOWER, TITLE, UPPER, MIXED, DIGITS, SYMBOLS, HANDLE = range(len(CASE_CLASSES))


def word_case(word: str) -> int:
    """The class id of ``word``: lower ("paris"), title ("Paris", "I"), upper ("NASA"),
    mixed ("iPhone", "McDonald"), digits (no letter, a digit: "2017"), symbols (no letter
    nor digit: "!!", an emoji), handle (an @-mention or #-hashtag, whatever its case)."""
    if len(word) > 1 and word[0] in "@#":
        return HANDLE
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return DIGITS if any(c.isdigit() for c in word) else SYMBOLS
    uppers = [c.isupper() for c in letters]
    if not any(uppers):
        return LOWER
    if all(uppers):
        return UPPER if len(letters) > 1 else TITLE
    if uppers[0] and not any(uppers[1:]):
        return TITLE
    return MIXED


def subtoken_cases(word_ids: Sequence[Optional[int]], words: Sequence[str]) -> List[int]:
    """One class id per subtoken: its word's (``word_ids[i]`` indexes ``words``), 0 for
    the special tokens (``word_ids[i]`` None)."""
    cases = [word_case(word) for word in words]
    return [NONE if word is None else cases[word] for word in word_ids]


def reads_case(model) -> bool:
    """Whether ``model`` takes a ``case_ids`` input (a ``case_model`` model: its config says so)."""
    return bool(getattr(model.config, "ner_case_features", False))
