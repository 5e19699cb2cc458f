"""Check of the NER lab's exercise: ``tokenize_and_align_labels``.

The public test calls it on one resume sentence (words with punctuation, several words
split into subtokens) with ``label_all_tokens`` False and True, and on the sentence
repeated four times cut at ``max_length=16``. Hidden course scenarios keep that domain
(other sentences and tags, other cuts); beyond the course are unseen words split into
many subtokens, cuts inside a word, windows of 3 subtokens or exactly the input's
length, and tuples instead of lists. The tokenizer is a tiny WordPiece one built offline
(``check_tokenizer``), so the probe runs in the sandbox without the reference.
"""
import functools

import numpy as np

from assignment.checks.protocol import (BEYOND, COURSE, FILL_IN_HINT, PUBLIC, Check, CheckFailed, Group, register,
                                        short_error)

IGNORE = -100
FILL_IN = "Is the exercise filled in? Replace every None placeholder between START CODE HERE and END CODE HERE."

_SENTENCES = [
    "Mira Okafor knows Python, SQL and Kubernetes.",
    "Tomas Brandt worked at Bluepeak Systems in Pune as a Data Analyst.",
    "Skills: machine learning, Docker, Node.js and C++ (five years).",
    "Leena studied at the University of Leeds and graduated in 2016.",
    "Email: mira.okafor@example.com, phone on request.",
]


@functools.lru_cache(maxsize=1)
def check_tokenizer():
    """The checks' tokenizer: WordPiece with a tiny vocabulary, trained offline, so that
    longer words split into several subtokens."""
    from assignment.ner.tokenizer import train_wordpiece

    return train_wordpiece(_SENTENCES, vocab_size=150)


def tokenizer_fingerprint() -> str:
    """What the check's tokenizer depends on besides this module: the builder's source and
    the versions of ``tokenizers``/``transformers``. Part of the check's settings, so that
    the grader's cache of expected outputs (keyed by the settings) follows a change there."""
    import hashlib
    from importlib.metadata import version
    from importlib.util import find_spec

    digest = hashlib.sha256()
    with open(find_spec("assignment.ner.tokenizer").origin, "rb") as handle:
        digest.update(handle.read())
    for package in ("tokenizers", "transformers"):
        digest.update(f"{package} {version(package)}".encode())
    return digest.hexdigest()[:16]


def warm_up():
    """Build the tokenizer now (the grader's sandbox does it once, before forking per exercise)."""
    check_tokenizer()


_WORDS = ["Mira", "Okafor", "knows", "Python,", "SQL", "and", "Kubernetes.", "(five", "years)."]
_TAGS = ["B-Name", "I-Name", "O", "B-Skills", "B-Skills", "O", "B-Skills", "B-Years", "I-Years"]
_WORDS2 = ["Tomas", "Brandt,", "Data", "Analyst", "at", "Bluepeak", "Systems", "(Pune)."]
_TAGS2 = ["B-Name", "I-Name", "B-Designation", "I-Designation", "O", "B-Companies worked at",
          "I-Companies worked at", "B-Location"]
_WORDS3 = ["Leena", "studied", "at", "University", "of", "Leeds;", "graduated", "2016."]
_TAGS3 = ["B-Name", "O", "O", "B-College Name", "I-College Name", "I-College Name", "O", "B-Graduation Year"]
# unseen words, made of the training characters: many subtokens each
_WORDS4 = ["Okonkwo-Brandtsson", "Kubernetesification", "Pythonista,", "and", "Leedsworth"]
_TAGS4 = ["B-Name", "B-Skills", "I-Skills", "O", "B-Location"]


class _SpyTokenizer:
    """Passes every call to the real tokenizer and remembers how it was called."""

    def __init__(self, tokenizer):
        self._tokenizer, self.calls = tokenizer, []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self._tokenizer(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._tokenizer, name)


def _label_code(label) -> str:
    """One label as text that keeps its type: 's:B-Name', 'i:-100', 'r:<repr>'."""
    if isinstance(label, str):
        return "s:" + label
    if isinstance(label, (bool, np.bool_)):
        return "r:" + repr(label)
    if isinstance(label, (int, np.integer)):
        return f"i:{int(label)}"
    return "r:" + repr(label)[:60]


def decode_label(code: str):
    kind, _, text = str(code).partition(":")
    if kind == "s":
        return text
    if kind == "i":
        return int(text)
    return f"<{text}>"


def _ids(value):
    array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    return array.astype(np.int64) if array.dtype.kind in "iub" else array


def run_case(target, words, tags, kwargs):
    """Call the learner's function on a spy tokenizer; plain data about what came back."""
    spy = _SpyTokenizer(check_tokenizer())
    given = list(tags) if isinstance(tags, list) else tags
    result = target(spy, list(words) if isinstance(words, list) else words, given, **kwargs)
    if result is None:
        return None
    calls = []
    for args, call_kwargs in spy.calls[:8]:
        text = args[0] if args else call_kwargs.get("text")
        calls.append({"text": type(text).__name__, "split": bool(call_kwargs.get("is_split_into_words")),
                      "truncation": repr(call_kwargs.get("truncation")),
                      "max_length": repr(call_kwargs.get("max_length")), "padding": repr(call_kwargs.get("padding"))})
    seen = {"pytype": type(result).__name__, "calls": calls, "tags_changed": list(given) != list(tags)}
    try:
        keys = [str(key) for key in result.keys()]
    except Exception:  # noqa: BLE001 - not a mapping
        return dict(seen, keys="")
    seen["keys"] = ",".join(keys)
    if "input_ids" in keys:
        seen["input_ids"] = _ids(result["input_ids"])
    if "labels" in keys:
        labels = result["labels"]
        try:
            seen["labels"] = np.array([_label_code(label) for label in labels], dtype=str)
        except TypeError:
            seen["labels"] = f"not a list: {type(labels).__name__}"
    return seen


def as_plain(record, what="tokenize_and_align_labels"):
    """The observation of one scenario as {"input_ids": [...], "labels": [...], ...}, or CheckFailed."""
    kind = record.get("kind")
    if kind == "none":
        raise CheckFailed(f"{what} returned None: it must return the tokenizer's output with a 'labels' entry "
                          f"added. {FILL_IN}")
    if kind == "error":
        message = f"{what} raised {record['type']}: {short_error(record['message'])}"
        if record.get("where"):
            message += f"\n  at {record['where']}"
        if "None" in record["message"] or "None" in record.get("where", ""):
            message += f"\n{FILL_IN}"
        error = CheckFailed(message, raised=True)
        error.__cause__ = record.get("exception")
        raise error
    if kind != "mapping":
        raise CheckFailed(f"{what} returned something unexpected ({record.get('pytype')}). {FILL_IN_HINT}")
    items = record["items"]
    keys = [key for key in str(items.get("keys", {}).get("value", "")).split(",") if key]
    pytype = items.get("pytype", {}).get("value", "?")
    if "input_ids" not in keys or "labels" not in keys:
        raise CheckFailed(f"{what} must return the tokenizer's output with a 'labels' entry added (got a {pytype} "
                          f"with keys {keys}). {FILL_IN}")
    ids = items["input_ids"]
    labels = items["labels"]
    if ids.get("kind") != "array" or "array" not in ids:
        raise CheckFailed(f"encoding['input_ids'] should be a list of token ids; got a {ids.get('pytype')}.")
    if labels.get("kind") != "array" or "array" not in labels:
        raise CheckFailed(f"encoding['labels'] should be a list with one label per subtoken; got "
                          f"{labels.get('value', labels.get('pytype'))}.")
    calls = [{key: value.get("value") for key, value in call["items"].items()}
             for call in items.get("calls", {}).get("items", [])]
    return {"input_ids": np.asarray(ids["array"]).tolist(),
            "labels": [decode_label(code) for code in np.asarray(labels["array"]).reshape(-1).tolist()],
            "tags_changed": bool(items.get("tags_changed", {}).get("value")), "calls": calls}


@register
class TokenizeAndAlignLabels(Check):
    name = "tokenize_and_align_labels"
    groups = (
        Group("public", PUBLIC, "the public sentence (9 words), with label_all_tokens False and True, and four "
                                "times that sentence cut at max_length=16",
              mistakes_on=("public", "public_all", "public_truncated")),
        Group("other_sentences", COURSE, "other resume sentences and tags (8 words), with label_all_tokens False "
                                         "and True, and 24 words cut at max_length=12",
              mistakes_on=("other", "other_all", "other_truncated", "college_all")),
        Group("many_subwords", BEYOND, "unseen words split into many subtokens (5 words), with label_all_tokens "
                                       "False and True", mistakes_on=("unseen", "unseen_all")),
        Group("windows", BEYOND, "cuts inside a word (max_length=9 with label_all_tokens=True), a window of 3 "
                                 "subtokens, and max_length equal to the input's own length",
              mistakes_on=("cut_inside", "window_3", "window_exact")),
        Group("tuples", BEYOND, "words and tags given as tuples instead of lists", mistakes_on=("tuples",)),
    )
    hints = {
        "raw_text": "Tokenize the list of words, not the joined raw text: call tokenizer(words, "
                    "is_split_into_words=True, ...). With raw text, a word like 'Python,' becomes two pre-tokens "
                    "and every label after it slides out of line.",
        "no_truncation": "The output is longer than max_length: pass truncation=True and max_length=max_length "
                         "to the tokenizer.",
        "padded": "Do not pad here (no padding='max_length'): the output must be as long as the tokenized words; "
                  "batches are padded later, per batch.",
        "special_tokens_labelled": "The special tokens [CLS] and [SEP] must be labelled -100 (word_ids() gives "
                                   "None for them), not given a tag.",
        "all_subtokens_always": "With label_all_tokens=False only the first subtoken of a word gets the word's "
                                "tag; the second and later ones get -100.",
        "b_not_turned_into_i": "With label_all_tokens=True, a word's later subtokens continue its entity: B- "
                               "becomes I- (an I- or O tag stays as it is).",
        "i_for_every_tag": "With label_all_tokens=True only a B- tag turns into I- on the later subtokens: O "
                           "stays O and I-X stays I-X (check tag.startswith('B-')).",
    }

    @staticmethod
    def cases():
        """key -> (group id, words, tags, keyword arguments)."""
        return {
            "public": ("public", _WORDS, _TAGS, {}),
            "public_all": ("public", _WORDS, _TAGS, {"label_all_tokens": True}),
            "public_truncated": ("public", _WORDS * 4, _TAGS * 4, {"max_length": 16}),
            "other": ("other_sentences", _WORDS2, _TAGS2, {}),
            "other_all": ("other_sentences", _WORDS2, _TAGS2, {"label_all_tokens": True}),
            "other_truncated": ("other_sentences", _WORDS2 * 3, _TAGS2 * 3, {"max_length": 12}),
            "college_all": ("other_sentences", _WORDS3, _TAGS3, {"label_all_tokens": True}),
            "unseen": ("many_subwords", _WORDS4, _TAGS4, {}),
            "unseen_all": ("many_subwords", _WORDS4, _TAGS4, {"label_all_tokens": True}),
            "cut_inside": ("windows", _WORDS, _TAGS, {"label_all_tokens": True, "max_length": 9}),
            "window_3": ("windows", _WORDS2, _TAGS2, {"max_length": 3}),
            "window_exact": ("windows", _WORDS3, _TAGS3, {"label_all_tokens": True, "max_length": 31}),
            "tuples": ("tuples", tuple(_WORDS2), tuple(_TAGS2), {"label_all_tokens": True}),
        }

    def __init__(self, exercise, reference=None, **settings):
        settings.setdefault("tokenizer", tokenizer_fingerprint())
        super().__init__(exercise, reference, **settings)

    def scenarios(self, target, extras):
        for key, (group, words, tags, kwargs) in self.cases().items():
            yield group, key, (lambda w=words, t=tags, k=kwargs: run_case(target, w, t, k))

    # ---- judging

    def _compare(self, group, got, expected):
        for key, (case_group, _, _, kwargs) in self.cases().items():
            if case_group == group:
                self._compare_case(key, kwargs, got[key], expected[key])

    def _compare_case(self, key, kwargs, record, want_record):
        what = "tokenize_and_align_labels" + (f"({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
                                              if kwargs else "")
        got = as_plain(record, what)
        want = as_plain(want_record, "the reference")
        if got["tags_changed"]:
            raise CheckFailed("Do not change the `tags` list you are given.")
        if got["input_ids"] == want["input_ids"] and got["labels"] == want["labels"]:
            return
        for hint, wrong in self.known_mistakes(key):
            wrong = wrong() if callable(wrong) else wrong
            if wrong is not None and got["input_ids"] == list(wrong["input_ids"]) \
                    and got["labels"] == list(wrong["labels"]):
                raise CheckFailed(hint)
        self._explain(what, kwargs, got, want)

    def _explain(self, what, kwargs, got, want):
        """Name the first thing that differs (no known mistake matched)."""
        ids, labels, want_ids, want_labels = got["input_ids"], got["labels"], want["input_ids"], want["labels"]
        max_length = kwargs.get("max_length", 512)
        if got["calls"] and not all(call["split"] and call["text"] in ("list", "tuple") for call in got["calls"]):
            raise CheckFailed(self.hints["raw_text"])
        if len(ids) > max_length:
            raise CheckFailed(f"{what}: {len(ids)} subtokens, more than max_length={max_length}. "
                              + self.hints["no_truncation"])
        if ids != want_ids:
            raise CheckFailed(f"{what}: input_ids are not the tokenization of the words:\n  got      {ids}\n"
                              f"  expected {want_ids}\nCall tokenizer(words, is_split_into_words=True, "
                              "truncation=True, max_length=max_length) once.")
        if len(labels) != len(ids):
            raise CheckFailed(f"{what}: labels has {len(labels)} entries but input_ids has {len(ids)}: give one "
                              "label per subtoken, special tokens included.")
        tokens = check_tokenizer().convert_ids_to_tokens(ids)
        for position in (0, len(ids) - 1):
            if labels[position] != IGNORE and want_labels[position] == IGNORE:
                raise CheckFailed(f"{self.hints['special_tokens_labelled']} Position {position} "
                                  f"({tokens[position]!r}) got {labels[position]!r}.")
        for position, (label, wanted) in enumerate(zip(labels, want_labels)):
            if label == wanted:
                continue
            where = f"position {position} (subtoken {tokens[position]!r})"
            if wanted == IGNORE and not kwargs.get("label_all_tokens"):
                raise CheckFailed(f"{self.hints['all_subtokens_always']} {where} got {label!r}.")
            if isinstance(wanted, str) and wanted.startswith("I-") and label == "B-" + wanted[2:]:
                raise CheckFailed(f"{self.hints['b_not_turned_into_i']} {where} got {label!r}.")
            raise CheckFailed(f"{what}: {where} should get {wanted!r} (the tag of its word, found with "
                              f"word_ids()), got {label!r}.")
        raise CheckFailed(f"{what}: the output differs from the expected one.")

    def compare_public(self, got, expected):
        self._compare("public", got, expected)

    def compare_other_sentences(self, got, expected):
        self._compare("other_sentences", got, expected)

    def compare_many_subwords(self, got, expected):
        self._compare("many_subwords", got, expected)

    def compare_windows(self, got, expected):
        self._compare("windows", got, expected)

    def compare_tuples(self, got, expected):
        self._compare("tuples", got, expected)
