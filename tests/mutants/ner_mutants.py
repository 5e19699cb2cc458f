"""Known-wrong versions of ``tokenize_and_align_labels`` that the public test must reject.

Each takes the course's arguments ``(tokenizer, examples, tags)`` (a batch) and reads this
module's ``label_all_tokens``, as a learner's function reads the notebook's; the check
sets that flag for each scenario.
"""
IGNORE = -100
label_all_tokens = True


def _continued(tag):
    return "I-" + tag[2:] if isinstance(tag, str) and tag.startswith("B-") else tag


def course_version(tokenizer, examples, tags):
    """The course's lab, on lists of words: the tokenizer is told the examples are raw text
    (is_split_into_words=False), padded and cut to 512, labels copied onto every subtoken."""
    encoded = tokenizer(examples, truncation=True, is_split_into_words=False, padding="max_length", max_length=512)
    batch = []
    for number, row_tags in enumerate(tags):
        row, last = [], None
        for word in encoded.word_ids(batch_index=number):
            if word is None:
                row.append(IGNORE)
            elif word != last:
                row.append(row_tags[word])
            else:
                row.append(row_tags[word] if label_all_tokens else IGNORE)
            last = word
        batch.append(row)
    encoded["labels"] = batch
    return encoded


def raw_text(tokenizer, examples, tags, max_length=512):
    """Tokenizes each example's joined text, so labels drift after punctuation."""
    encoding = tokenizer([" ".join(words) for words in examples], truncation=True, padding="max_length",
                         max_length=max_length)
    encoding["labels"] = []
    for index, row_tags in enumerate(tags):
        labels, previous = [], None
        for word_id in encoding.word_ids(index):
            if word_id is None:
                labels.append(IGNORE)
            elif word_id != previous:
                labels.append(row_tags[min(word_id, len(row_tags) - 1)])
            else:
                labels.append(_continued(row_tags[min(word_id, len(row_tags) - 1)]) if label_all_tokens else IGNORE)
            previous = word_id
        encoding["labels"].append(labels)
    return encoding


def _aligned(encoding, tags, first, later, special=IGNORE, row_of=None):
    """The per-example loop the mutants below share (each changes one rule)."""
    batch = []
    for index, row_tags in enumerate(tags):
        labels, previous = [], None
        for word_id in encoding.word_ids(index if row_of is None else row_of):
            if word_id is None:
                labels.append(special)
            elif word_id != previous:
                labels.append(first(row_tags[min(word_id, len(row_tags) - 1)]))
            else:
                labels.append(later(row_tags[min(word_id, len(row_tags) - 1)]))
            previous = word_id
        batch.append(labels)
    encoding["labels"] = batch
    return encoding


def _split(tokenizer, examples, max_length, **options):
    options = dict(dict(truncation=True, padding="max_length", max_length=max_length), **options)
    return tokenizer(examples, is_split_into_words=True, **{k: v for k, v in options.items() if v is not None})


def _later(tag):
    return _continued(tag) if label_all_tokens else IGNORE


def special_tokens_labelled(tokenizer, examples, tags, max_length=512):
    """Labels [CLS]/[SEP]/[PAD] as 'O' instead of -100."""
    return _aligned(_split(tokenizer, examples, max_length), tags, lambda t: t, _later, special="O")


def every_subtoken_b(tokenizer, examples, tags, max_length=512):
    """With label_all_tokens, copies the word's tag unchanged: later subtokens stay B-."""
    return _aligned(_split(tokenizer, examples, max_length), tags, lambda t: t,
                    lambda t: t if label_all_tokens else IGNORE)


def all_subtokens_always(tokenizer, examples, tags, max_length=512):
    """Ignores label_all_tokens = False: labels every subtoken."""
    return _aligned(_split(tokenizer, examples, max_length), tags, lambda t: t, lambda t: t)


def no_truncation(tokenizer, examples, tags, max_length=512):
    """Forgets truncation: long examples come out longer than max_length."""
    return _aligned(_split(tokenizer, examples, max_length, truncation=None), tags, lambda t: t, _later)


def unfilled(tokenizer, examples, tags, max_length=512):
    """The stub as the learner first sees it."""
    tokenized_inputs = None
    labels = []
    for index, example_tags in enumerate(tags):
        for word_id in None:
            labels.append(None)
    return tokenized_inputs


def returns_none(tokenizer, examples, tags, max_length=512):
    """Forgot the return value."""
    return None


def i_for_every_tag(tokenizer, examples, tags, max_length=512):
    """With label_all_tokens, writes 'I-' + tag[2:] on every later subtoken: O becomes 'I-'."""
    return _aligned(_split(tokenizer, examples, max_length), tags, lambda t: t,
                    lambda t: "I-" + t[2:] if label_all_tokens else IGNORE)


def not_padded(tokenizer, examples, tags, max_length=512):
    """Cuts at max_length but does not pad (no padding='max_length')."""
    return _aligned(_split(tokenizer, examples, max_length, padding=None), tags, lambda t: t, _later)


def first_example_only(tokenizer, examples, tags, max_length=512):
    """Calls word_ids() without batch_index: every example is aligned on the first one's words."""
    return _aligned(_split(tokenizer, examples, max_length), tags, lambda t: t, _later, row_of=0)


def copies_tags(tokenizer, examples, tags, max_length=512):
    """Right, but copies the tags with ``tags.copy()``, which a tuple does not have: passes the
    course's scenarios (lists), fails beyond them (tuples) -- advice, not a failure."""
    tags = tags.copy()
    return _aligned(_split(tokenizer, examples, max_length), tags, lambda t: t, _later)


def course_signature(tokenizer, examples, tags):
    """Right, with the course's signature exactly: no max_length keyword, so only the
    scenarios beyond the course (other max_length) fail -- advice, not a failure."""
    return _aligned(_split(tokenizer, examples, 512), tags, lambda t: t, _later)


# (mutant, the hint its failure must contain); copies_tags and course_signature are right
# on the course's scenarios
MUTANTS = [
    (course_version, "This is the course's version"),
    (raw_text, "not joined raw texts"),
    (special_tokens_labelled, "must be labelled -100"),
    (every_subtoken_b, "B- becomes I-"),
    (all_subtokens_always, "only the first subtoken of a word"),
    (no_truncation, "pass truncation=True"),
    (unfilled, "Is the exercise filled in?"),
    (returns_none, "Is the exercise filled in?"),
    (i_for_every_tag, "O stays O"),
    (not_padded, "Pad every example to max_length"),
    (first_example_only, "word_ids(batch_index=i)"),
]
