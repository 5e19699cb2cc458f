"""Public test of the NER lab's graded exercise, ``tokenize_and_align_labels``.

It needs no network: its tokenizer is a small WordPiece one trained (deterministically)
on a few fixed sentences, small enough that longer words split into several subtokens.
Expected values are worked out word by word, independently of ``word_ids()``.
"""
import functools

import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

PASSED = "\033[92mAll tests passed\033[0m"
IGNORE = -100

_SENTENCES = [
    "Mira Okafor knows Python, SQL and Kubernetes.",
    "Tomas Brandt worked at Bluepeak Systems in Pune as a Data Analyst.",
    "Skills: machine learning, Docker, Node.js and C++ (five years).",
    "Leena studied at the University of Leeds and graduated in 2016.",
    "Email: mira.okafor@example.com, phone on request.",
]


@functools.lru_cache(maxsize=1)
def check_tokenizer():
    """The checks' tokenizer: WordPiece with a tiny vocabulary, trained offline."""
    from assignment.ner.tokenizer import train_wordpiece

    return train_wordpiece(_SENTENCES, vocab_size=150)


class _SpyTokenizer:
    """Passes every call to the real tokenizer and remembers how it was called."""

    def __init__(self, tokenizer):
        self._tokenizer, self.calls = tokenizer, []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self._tokenizer(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._tokenizer, name)


def _expected(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """(input_ids, labels) built word by word from each word's own subtokens."""
    ids, labels = [tokenizer.cls_token_id], [IGNORE]
    for word, tag in zip(words, tags):
        pieces = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(word))
        ids += pieces
        inside = ("I-" + tag[2:] if tag.startswith("B-") else tag) if label_all_tokens else IGNORE
        labels += [tag] + [inside] * (len(pieces) - 1)
    keep = max_length - 1
    return ids[:keep] + [tokenizer.sep_token_id], labels[:keep] + [IGNORE]


def _run(target, tokenizer, words, tags, **kwargs):
    """Call the learner's function on a spy tokenizer; turn crashes into hints."""
    spy = _SpyTokenizer(tokenizer)
    try:
        result = target(spy, list(words), list(tags), **kwargs)
    except Exception as err:  # the learner's code may fail in any way: explain, don't trace
        raise AssertionError(
            f"tokenize_and_align_labels raised {type(err).__name__}: {err}. Is the exercise filled in? "
            "Replace every None placeholder between START CODE HERE and END CODE HERE."
        ) from None
    if result is None or not hasattr(result, "keys") or "labels" not in result or "input_ids" not in result:
        raise AssertionError(
            "tokenize_and_align_labels must return the tokenizer's output with a 'labels' entry added "
            f"(got {type(result).__name__}). Is the exercise filled in?"
        )
    return spy, result


def _describe(tokenizer, ids, position):
    return f"position {position} (subtoken {tokenizer.convert_ids_to_tokens(int(ids[position]))!r})"


def tokenize_and_align_labels_test(target):
    """Check ``target(tokenizer, words, tags, label_all_tokens=False, max_length=512)``."""
    tokenizer = check_tokenizer()
    words = ["Mira", "Okafor", "knows", "Python,", "SQL", "and", "Kubernetes.", "(five", "years)."]
    tags = ["B-Name", "I-Name", "O", "B-Skills", "B-Skills", "O", "B-Skills", "B-Years", "I-Years"]
    tags_before = list(tags)

    spy, result = _run(target, tokenizer, words, tags)
    assert tags == tags_before, "Do not change the `tags` list you are given."
    texts = [args[0] for args, _ in spy.calls if args]
    assert spy.calls and all(isinstance(text, (list, tuple)) for text in texts) and all(
        kwargs.get("is_split_into_words") for _, kwargs in spy.calls
    ), (
        "Tokenize the list of words, not the joined raw text: call "
        "tokenizer(words, is_split_into_words=True, ...). With raw text, a word like 'Python,' "
        "becomes two pre-tokens and every label after it slides out of line."
    )
    ids, labels = list(result["input_ids"]), list(result["labels"])
    want_ids, want_labels = _expected(tokenizer, words, tags)
    assert ids == want_ids, (
        f"input_ids are not the tokenization of the words:\n  got      {ids}\n  expected {want_ids}\n"
        "Call tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length) once."
    )
    assert len(labels) == len(ids), (
        f"labels has {len(labels)} entries but input_ids has {len(ids)}: give one label per subtoken, "
        "special tokens included."
    )
    for position in (0, len(ids) - 1):
        assert labels[position] == IGNORE, (
            f"The special tokens [CLS] and [SEP] must be labelled -100 (word_ids() gives None for them), "
            f"but {_describe(tokenizer, ids, position)} got {labels[position]!r}."
        )
    for position, (got, want) in enumerate(zip(labels, want_labels)):
        if want == IGNORE and got != IGNORE:
            raise AssertionError(
                f"With label_all_tokens=False only the first subtoken of a word gets the word's tag; "
                f"the second and later ones get -100, but {_describe(tokenizer, ids, position)} got {got!r}."
            )
        assert got == want, (
            f"{_describe(tokenizer, ids, position)} should get {want!r} (the tag of its word, found "
            f"with word_ids()), got {got!r}."
        )

    # label_all_tokens=True: every subtoken is labelled, B- turned into I- after the first
    _, result = _run(target, tokenizer, words, tags, label_all_tokens=True)
    ids, labels = list(result["input_ids"]), list(result["labels"])
    _, want_labels = _expected(tokenizer, words, tags, label_all_tokens=True)
    assert len(labels) == len(want_labels), "With label_all_tokens=True there must still be one label per subtoken."
    for position, (got, want) in enumerate(zip(labels, want_labels)):
        if isinstance(want, str) and want.startswith("I-") and got == "B-" + want[2:]:
            raise AssertionError(
                f"With label_all_tokens=True, a word's later subtokens continue its entity: B- becomes I-. "
                f"{_describe(tokenizer, ids, position)} got {got!r} instead of {want!r}."
            )
        assert got == want, (
            f"With label_all_tokens=True every subtoken of a word gets the word's tag (B- turned into I- after "
            f"the first); {_describe(tokenizer, ids, position)} got {got!r}, expected {want!r}."
        )

    # long input: cut at max_length, [SEP] kept last, labels still aligned
    long_words, long_tags = words * 4, tags * 4
    _, result = _run(target, tokenizer, long_words, long_tags, max_length=16)
    ids, labels = list(result["input_ids"]), list(result["labels"])
    want_ids, want_labels = _expected(tokenizer, long_words, long_tags, max_length=16)
    assert len(ids) == 16 and ids[-1] == tokenizer.sep_token_id, (
        f"With max_length=16 the output must be cut to 16 subtokens ending with [SEP] (got {len(ids)}): "
        "pass truncation=True and max_length=max_length to the tokenizer."
    )
    assert labels == want_labels, f"After truncation the labels must still follow the words: got {labels}, expected {want_labels}."
    print(PASSED)
