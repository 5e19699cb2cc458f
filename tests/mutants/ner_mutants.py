"""Known-wrong versions of ``tokenize_and_align_labels`` that the public test must reject."""
IGNORE = -100


def raw_text(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """The course's mistake: tokenize the joined text, so labels drift after punctuation."""
    encoding = tokenizer(" ".join(words), truncation=True, max_length=max_length)
    labels, previous = [], None
    for word_id in encoding.word_ids():
        labels.append(IGNORE if word_id is None or word_id == previous else tags[min(word_id, len(tags) - 1)])
        previous = word_id
    encoding["labels"] = labels
    return encoding


def special_tokens_labelled(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """Labels [CLS]/[SEP] as 'O' instead of -100."""
    encoding = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
    labels, previous = [], None
    for word_id in encoding.word_ids():
        if word_id is None:
            labels.append("O")
        elif word_id != previous:
            labels.append(tags[word_id])
        else:
            labels.append(tags[word_id] if label_all_tokens else IGNORE)
        previous = word_id
    encoding["labels"] = labels
    return encoding


def every_subtoken_b(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """With label_all_tokens, copies the word's tag unchanged: later subtokens stay B-."""
    encoding = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
    labels, previous = [], None
    for word_id in encoding.word_ids():
        if word_id is None:
            labels.append(IGNORE)
        elif word_id != previous or label_all_tokens:
            labels.append(tags[word_id])
        else:
            labels.append(IGNORE)
        previous = word_id
    encoding["labels"] = labels
    return encoding


def all_subtokens_always(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """Ignores label_all_tokens=False: labels every subtoken."""
    encoding = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
    encoding["labels"] = [IGNORE if w is None else tags[w] for w in encoding.word_ids()]
    return encoding


def no_truncation(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """Forgets truncation: long examples come out longer than max_length."""
    encoding = tokenizer(words, is_split_into_words=True)
    labels, previous = [], None
    for word_id in encoding.word_ids():
        if word_id is None:
            labels.append(IGNORE)
        elif word_id != previous:
            labels.append(tags[word_id])
        elif label_all_tokens:
            labels.append(tags[word_id].replace("B-", "I-", 1))
        else:
            labels.append(IGNORE)
        previous = word_id
    encoding["labels"] = labels
    return encoding


def unfilled(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """The stub as the learner first sees it."""
    encoding = None
    labels = []
    for word_id in None:
        labels.append(None)
    return encoding


def returns_none(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """Forgot the return value."""
    return None


def i_for_every_tag(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """With label_all_tokens, writes 'I-' + tag[2:] on every later subtoken: O becomes 'I-'."""
    encoding = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
    labels, previous = [], None
    for word_id in encoding.word_ids():
        if word_id is None:
            labels.append(IGNORE)
        elif word_id != previous:
            labels.append(tags[word_id])
        else:
            labels.append("I-" + tags[word_id][2:] if label_all_tokens else IGNORE)
        previous = word_id
    encoding["labels"] = labels
    return encoding


def padded(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """Pads every example to max_length (padding='max_length')."""
    encoding = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length,
                         padding="max_length")
    labels, previous = [], None
    for word_id in encoding.word_ids():
        if word_id is None:
            labels.append(IGNORE)
        elif word_id != previous:
            labels.append(tags[word_id])
        elif label_all_tokens:
            labels.append("I-" + tags[word_id][2:] if tags[word_id].startswith("B-") else tags[word_id])
        else:
            labels.append(IGNORE)
        previous = word_id
    encoding["labels"] = labels
    return encoding


def copies_tags(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """Right, but copies the tags with ``tags.copy()``, which a tuple does not have: passes the
    course's scenarios (lists), fails beyond them (tuples) -- advice, not a failure."""
    tags = tags.copy()
    encoding = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
    labels, previous = [], None
    for word_id in encoding.word_ids():
        if word_id is None:
            labels.append(IGNORE)
        elif word_id != previous:
            labels.append(tags[word_id])
        elif label_all_tokens:
            labels.append("I-" + tags[word_id][2:] if tags[word_id].startswith("B-") else tags[word_id])
        else:
            labels.append(IGNORE)
        previous = word_id
    encoding["labels"] = labels
    return encoding


# (mutant, the hint its failure must contain); copies_tags is right on the course's scenarios
MUTANTS = [
    (raw_text, "not the joined raw text"),
    (special_tokens_labelled, "special tokens [CLS] and [SEP] must be labelled -100"),
    (every_subtoken_b, "B- becomes I-"),
    (all_subtokens_always, "only the first subtoken of a word"),
    (no_truncation, "pass truncation=True"),
    (unfilled, "Is the exercise filled in?"),
    (returns_none, "Is the exercise filled in?"),
    (i_for_every_tag, "O stays O"),
    (padded, "Do not pad here"),
]
