"""Check of the NER lab's exercise: ``tokenize_and_align_labels(tokenizer, examples, tags)``.

The signature is the course's (its lab "Exercise 1 - tokenize_and_align_labels"): a batch
of examples and their tag lists, the module-level ``label_all_tokens`` read at call time,
every example padded to ``max_length=512``. The check varies ``label_all_tokens`` the way a
learner does, by setting that global of the function's module for the call (and putting
it back), and calls the function with the course's three arguments; only the scenarios
beyond the course pass ``max_length=``.

The public test calls it on a batch of two resume sentences (words with punctuation,
several words split into subtokens) with ``label_all_tokens`` False and True, and on a
batch whose first example is longer than 512 subtokens. Hidden course scenarios keep that
domain (other sentences, tags and batches); beyond the course are unseen words split into
many subtokens, other ``max_length`` (cuts inside a word, windows of 3 subtokens or exactly
the input's length) and tuples instead of lists. The course's own version (the raw text
with ``is_split_into_words=False``) is recognised from its tokenizer call and told what it
does to real resumes. The tokenizer is a tiny WordPiece one built offline
(``check_tokenizer``), so the probe runs in the sandbox without the reference; it, the call
of the learner's function and the record of what came back are ``alignment_probe``'s.
"""
from assignment.checks.alignment_probe import as_plain, check_tokenizer, run_case, tokenizer_fingerprint
from assignment.checks.judging import CheckFailed
from assignment.checks.protocol import BEYOND, COURSE, PUBLIC, Check, Group, register

IGNORE = -100
COURSE_MAX_LENGTH = 512  # the course pads and cuts every example to 512 subtokens


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


_WORDS5 = ["Email:", "mira.okafor@example.com,", "phone", "on", "request."]
_TAGS5 = ["O", "B-Email Address", "O", "O", "O"]
# long enough that the course's max_length=512 cuts them (the public sentence is 38 subtokens)
_LONG, _LONG_TAGS = _WORDS * 14, _TAGS * 14
_LONG2, _LONG2_TAGS = _WORDS2 * 30, _TAGS2 * 30


def word_pieces(words):
    """How many pieces the tokenizer's pre-tokenizer cuts each word into, when the words
    are joined into raw text (``'Python,'`` -> ``'Python'``, ``','``: 2)."""
    pre = check_tokenizer().backend_tokenizer.pre_tokenizer
    return [max(1, len(pre.pre_tokenize_str(word))) for word in words]


def sliding(words, tags) -> str:
    """What the raw text does to the labels of ``words``, in words: the first word whose
    first subtoken would get another word's tag, and the word that made it slide."""
    pieces = word_pieces(words)
    piece = 0
    for number, (word, tag, count) in enumerate(zip(words, tags, pieces)):
        if piece < len(tags) and tags[piece] != tag:
            cause = next((w for w, n in zip(words[:number], pieces) if n > 1), words[0])
            return (f"in {' '.join(words[:number + 1])!r}, {cause!r} is one word but {pieces[words.index(cause)]} "
                    f"pieces of raw text, so from there on each label lands on a piece of another word: {word!r} "
                    f"gets {tags[piece]!r} (the tag of {words[piece]!r}) instead of {tag!r}")
        piece += count
    return "after the first punctuation mark, the labels land on pieces of other words"


@register
class TokenizeAndAlignLabels(Check):
    name = "tokenize_and_align_labels"
    groups = (
        Group("public", PUBLIC, "a batch of two resume sentences (9 and 8 words), with label_all_tokens False and "
                                "True, and a batch whose first example is longer than 512 subtokens",
              mistakes_on=("public", "public_all", "public_long")),
        Group("other_sentences", COURSE, "other batches of resume sentences and tags (3 examples), with "
                                         "label_all_tokens False and True, and 240 words cut at 512 subtokens",
              mistakes_on=("other", "other_all", "other_long", "college_all")),
        Group("many_subwords", BEYOND, "unseen words split into many subtokens (5 words), with label_all_tokens "
                                       "False and True", mistakes_on=("unseen", "unseen_all")),
        Group("windows", BEYOND, "max_length other than 512: cuts inside a word (max_length=9 with "
                                 "label_all_tokens=True), windows of 3 subtokens, and max_length equal to the "
                                 "input's own length", mistakes_on=("cut_inside", "window_3", "window_exact")),
        Group("tuples", BEYOND, "examples and tags given as tuples instead of lists", mistakes_on=("tuples",)),
    )
    hints = {
        "course_raw_text": "This is the course's version of tokenize_and_align_labels: it calls the tokenizer "
                           "with is_split_into_words=False, which reads each example as raw text and cuts it "
                           "again, at spaces and at punctuation, so word_ids() counts the tokenizer's pieces, "
                           "not the words the tags belong to. On real resumes the labels slide: {sliding}. Here "
                           "each example is a list of words: call tokenizer(examples, is_split_into_words=True, "
                           "truncation=True, padding='max_length', max_length=max_length).",
        "raw_text": "Tokenize the lists of words, not joined raw texts: call tokenizer(examples, "
                    "is_split_into_words=True, ...). With raw text, a word like 'Python,' becomes two pre-tokens "
                    "and every label after it slides out of line.",
        "no_truncation": "An output is longer than max_length: pass truncation=True and max_length=max_length "
                         "to the tokenizer.",
        "not_padded": "Pad every example to max_length, as the course does: pass padding='max_length' (and "
                      "max_length=max_length) to the tokenizer; padding tokens get the label -100.",
        "special_tokens_labelled": "The special tokens [CLS], [SEP] and [PAD] must be labelled -100 (word_ids() "
                                   "gives None for them), not given a tag.",
        "all_subtokens_always": "With label_all_tokens = False only the first subtoken of a word gets the word's "
                                "tag; the second and later ones get -100 (read the module-level "
                                "label_all_tokens, do not assume it is True).",
        "b_not_turned_into_i": "With label_all_tokens = True, a word's later subtokens continue its entity: B- "
                               "becomes I- (an I- or O tag stays as it is).",
        "i_for_every_tag": "With label_all_tokens = True only a B- tag turns into I- on the later subtokens: O "
                           "stays O and I-X stays I-X (check tag.startswith('B-')).",
        "first_example_only": "Align every example of the batch: loop over the examples (enumerate(tags)) and "
                              "read each one's word_ids(batch_index=i), not only the first one's.",
    }

    @staticmethod
    def cases():
        """key -> (group id, examples, tags, label_all_tokens, keyword arguments)."""
        return {
            "public": ("public", [_WORDS, _WORDS3], [_TAGS, _TAGS3], False, {}),
            "public_all": ("public", [_WORDS, _WORDS3], [_TAGS, _TAGS3], True, {}),
            "public_long": ("public", [_LONG, _WORDS], [_LONG_TAGS, _TAGS], True, {}),
            "other": ("other_sentences", [_WORDS2, _WORDS5, _WORDS3], [_TAGS2, _TAGS5, _TAGS3], False, {}),
            "other_all": ("other_sentences", [_WORDS2, _WORDS5, _WORDS3], [_TAGS2, _TAGS5, _TAGS3], True, {}),
            "other_long": ("other_sentences", [_WORDS5, _LONG2], [_TAGS5, _LONG2_TAGS], False, {}),
            "college_all": ("other_sentences", [_WORDS3], [_TAGS3], True, {}),
            "unseen": ("many_subwords", [_WORDS4], [_TAGS4], False, {}),
            "unseen_all": ("many_subwords", [_WORDS4, _WORDS2], [_TAGS4, _TAGS2], True, {}),
            "cut_inside": ("windows", [_WORDS, _WORDS2], [_TAGS, _TAGS2], True, {"max_length": 9}),
            "window_3": ("windows", [_WORDS2], [_TAGS2], False, {"max_length": 3}),
            "window_exact": ("windows", [_WORDS3], [_TAGS3], True, {"max_length": 31}),
            "tuples": ("tuples", (tuple(_WORDS2), tuple(_WORDS5)), (tuple(_TAGS2), tuple(_TAGS5)), True, {}),
        }

    def __init__(self, exercise, reference=None, **settings):
        settings.setdefault("tokenizer", tokenizer_fingerprint())
        super().__init__(exercise, reference, **settings)

    def scenarios(self, target, extras):
        for key, (group, examples, tags, all_tokens, kwargs) in self.cases().items():
            yield group, key, (lambda e=examples, t=tags, a=all_tokens, k=kwargs: run_case(target, e, t, a, k))

    # ---- judging

    def _compare(self, group, got, expected):
        for key, case in self.cases().items():
            if case[0] == group:
                self._compare_case(key, case, got[key], expected[key])

    def _compare_case(self, key, case, record, want_record):
        _, examples, tags, all_tokens, kwargs = case
        settings = [f"label_all_tokens = {all_tokens}"] + [f"{k}={v!r}" for k, v in kwargs.items()]
        what = f"tokenize_and_align_labels ({', '.join(settings)})"
        got = as_plain(record, what)
        want = as_plain(want_record, "the reference")
        if got["calls"] and not all(call["split"] for call in got["calls"]) \
                and all(str(call["text"]).endswith(("[list]", "[tuple]")) for call in got["calls"]):
            hint = self.hints["course_raw_text"].format(sliding=sliding(list(examples[0]), list(tags[0])))
            raise CheckFailed(hint)
        if got["tokenizer_error"]:
            call = got["calls"][-1]
            raise CheckFailed(f"{what}: the tokenizer call raised {got['tokenizer_error']} (it was given a "
                              f"{call['text']}, is_split_into_words={call['split']}). Call "
                              "tokenizer(examples, is_split_into_words=True, truncation=True, padding='max_length', "
                              "max_length=max_length) on the list of examples.", raised=True)
        if got["tags_changed"]:
            raise CheckFailed("Do not change the `tags` lists you are given.")
        if got["input_ids"] == want["input_ids"] and got["labels"] == want["labels"]:
            return
        for hint, wrong in self.known_mistakes(key):
            wrong = wrong() if callable(wrong) else wrong
            if wrong is not None and got["input_ids"] == [list(row) for row in wrong["input_ids"]] \
                    and got["labels"] == [list(row) for row in wrong["labels"]]:
                raise CheckFailed(hint)
        self._explain(what, all_tokens, kwargs, got, want)

    def _explain(self, what, all_tokens, kwargs, got, want):
        """Name the first thing that differs (no known mistake matched)."""
        max_length = kwargs.get("max_length", COURSE_MAX_LENGTH)
        if got["calls"] and not all(call["split"] and str(call["text"]).startswith(("list[", "tuple["))
                                    for call in got["calls"]):
            raise CheckFailed(self.hints["raw_text"])
        if len(got["input_ids"]) != len(want["input_ids"]):
            raise CheckFailed(f"{what}: input_ids has {len(got['input_ids'])} rows for a batch of "
                              f"{len(want['input_ids'])} examples: tokenize the whole batch at once and return "
                              "one row per example.")
        for row, (ids, labels, want_ids, want_labels) in enumerate(zip(got["input_ids"], got["labels"],
                                                                       want["input_ids"], want["labels"])):
            self._explain_row(f"{what}, example {row}", max_length, ids, labels, want_ids, want_labels,
                              all_tokens, row)
        if len(got["labels"]) != len(want["labels"]):
            raise CheckFailed(f"{what}: labels has {len(got['labels'])} rows for a batch of {len(want['labels'])} "
                              f"examples. {self.hints['first_example_only']}")
        raise CheckFailed(f"{what}: the output differs from the expected one.")

    def _explain_row(self, what, max_length, ids, labels, want_ids, want_labels, all_tokens, row):
        if len(ids) > max_length:
            raise CheckFailed(f"{what}: {len(ids)} subtokens, more than max_length={max_length}. "
                              + self.hints["no_truncation"])
        if len(ids) < len(want_ids) and ids == want_ids[:len(ids)]:
            raise CheckFailed(f"{what}: {len(ids)} subtokens, not max_length={max_length}. "
                              + self.hints["not_padded"])
        if ids != want_ids:
            raise CheckFailed(f"{what}: input_ids are not the tokenization of the words:\n  got      {ids[:40]}\n"
                              f"  expected {want_ids[:40]}\nCall tokenizer(examples, is_split_into_words=True, "
                              "truncation=True, padding='max_length', max_length=max_length) once.")
        if len(labels) != len(ids):
            hint = f" {self.hints['first_example_only']}" if row and not labels else ""
            raise CheckFailed(f"{what}: labels has {len(labels)} entries but input_ids has {len(ids)}: give one "
                              f"label per subtoken, special and padding tokens included.{hint}")
        tokens = check_tokenizer().convert_ids_to_tokens(ids)
        for position, (label, wanted) in enumerate(zip(labels, want_labels)):
            if label == wanted:
                continue
            where = f"position {position} (subtoken {tokens[position]!r})"
            if wanted == IGNORE and tokens[position] in ("[CLS]", "[SEP]", "[PAD]"):
                raise CheckFailed(f"{self.hints['special_tokens_labelled']} {where} got {label!r}.")
            if wanted == IGNORE and not all_tokens:
                raise CheckFailed(f"{self.hints['all_subtokens_always']} {where} got {label!r}.")
            if isinstance(wanted, str) and wanted.startswith("I-") and label == "B-" + wanted[2:]:
                raise CheckFailed(f"{self.hints['b_not_turned_into_i']} {where} got {label!r}.")
            raise CheckFailed(f"{what}: {where} should get {wanted!r} (the tag of its word, found with "
                              f"word_ids(batch_index=...)), got {label!r}.")

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
