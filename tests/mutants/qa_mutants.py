"""Known-wrong versions of ``answer_token_positions`` (the QA lab's exercise) that its check must reject.

Each takes the exercise's arguments ``(tokenizer, question, story, answer, answer_start,
max_length=128)``; each gets one thing wrong, the way a learner does. ``MUTANTS`` pairs
each with a piece of the hint the check must give it.
"""
MAX_LENGTH = 128


def _encode(tokenizer, first, second, max_length, **options):
    settings = dict(truncation="only_second", max_length=max_length, padding="max_length",
                    return_offsets_mapping=True)
    settings.update(options)
    return tokenizer(first, second, **{key: value for key, value in settings.items() if value is not None})


def _story_span(encoding, first_char, end_char, inclusive=True):
    """(start, end) of the story tokens covering [first_char, end_char), or (None, None)."""
    sequence_ids, start, end = encoding.sequence_ids(), None, None
    for index, (first, last) in enumerate(encoding["offset_mapping"]):
        if sequence_ids[index] != 1:
            continue
        if first <= first_char < last:
            start = index
        if first < end_char <= last:
            end = index if inclusive else index + 1
    return start, end


def _finish(encoding, start, end):
    if start is None or end is None:
        start = end = 0
    encoding["start_positions"], encoding["end_positions"] = start, end
    return encoding


def char_offsets(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """Returns the answer's characters instead of its tokens."""
    encoding = _encode(tokenizer, question, story, max_length)
    encoding["start_positions"], encoding["end_positions"] = answer_start, answer_start + len(answer)
    return encoding


def exclusive_end(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """The end one past the answer's last token (Python's slice convention)."""
    encoding = _encode(tokenizer, question, story, max_length)
    return _finish(encoding, *_story_span(encoding, answer_start, answer_start + len(answer), inclusive=False))


def story_alone(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """Right pair encoding, but the positions are looked up in the story tokenized by itself."""
    encoding = _encode(tokenizer, question, story, max_length)
    alone = tokenizer(story)
    return _finish(encoding, alone.char_to_token(answer_start), alone.char_to_token(answer_start + len(answer) - 1))


def story_alone_no_specials(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """Counts the positions among the story's own tokens (no [CLS], no question)."""
    encoding = _encode(tokenizer, question, story, max_length)
    tokens = tokenizer(story, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    end_char = answer_start + len(answer)
    start = next((i for i, (first, last) in enumerate(tokens) if first <= answer_start < last), None)
    end = next((i for i, (first, last) in enumerate(tokens) if first < end_char <= last), None)
    return _finish(encoding, start, end)


def default_sequence_index(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """char_to_token without sequence_index=1: it looks in the question, finds nothing, and
    the cut-off convention gives (0, 0) everywhere."""
    encoding = _encode(tokenizer, question, story, max_length)
    return _finish(encoding, encoding.char_to_token(answer_start),
                   encoding.char_to_token(answer_start + len(answer) - 1))


def story_first(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """The course lab's order, (story, question), with positions right for that order."""
    encoding = tokenizer(story, question, truncation="only_first", max_length=max_length, padding="max_length")
    return _finish(encoding, encoding.char_to_token(answer_start, sequence_index=0),
                   encoding.char_to_token(answer_start + len(answer) - 1, sequence_index=0))


def first_occurrence(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """Ignores answer_start and takes the answer's first occurrence (story.find)."""
    encoding = _encode(tokenizer, question, story, max_length)
    found = story.find(answer)
    return _finish(encoding, *_story_span(encoding, found, found + len(answer)))


def none_when_cut(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """Leaves the positions None when truncation cut the answer off."""
    encoding = _encode(tokenizer, question, story, max_length)
    encoding["start_positions"], encoding["end_positions"] = _story_span(encoding, answer_start,
                                                                         answer_start + len(answer))
    return encoding


def last_token_when_cut(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """Points a cut-off answer at the last token instead of [CLS]."""
    encoding = _encode(tokenizer, question, story, max_length)
    start, end = _story_span(encoding, answer_start, answer_start + len(answer))
    if start is None or end is None:
        start = end = max_length - 1
    encoding["start_positions"], encoding["end_positions"] = start, end
    return encoding


def no_truncation(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """Pads but never cuts: long stories come out longer than max_length."""
    encoding = _encode(tokenizer, question, story, max_length, truncation=False)
    return _finish(encoding, *_story_span(encoding, answer_start, answer_start + len(answer)))


def not_padded(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """Cuts but never pads."""
    encoding = _encode(tokenizer, question, story, max_length, padding=False)
    return _finish(encoding, *_story_span(encoding, answer_start, answer_start + len(answer)))


def unfilled(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    """The stub as given: every placeholder still None."""
    encoding = None
    for index, (first, last) in enumerate(encoding["offset_mapping"]):
        pass
    return encoding


def returns_none(tokenizer, question, story, answer, answer_start, max_length=MAX_LENGTH):
    return None


MUTANTS = [
    (char_offsets, "character offsets in the story, not token positions"),
    (exclusive_end, "one past the answer's last token"),
    (story_alone, "counted in the story tokenized alone"),
    (story_alone_no_specials, "counted in the story tokenized alone"),
    (default_sequence_index, "sequence_index=1"),
    (story_first, "Tokenize the question first"),
    (first_occurrence, "not story.find(answer)"),
    (none_when_cut, "both positions must be 0"),
    (last_token_when_cut, "both positions must be 0"),
    (no_truncation, "truncation='only_second'"),
    (not_padded, "padding='max_length'"),
    (unfilled, "Is the exercise filled in?"),
    (returns_none, "Is the exercise filled in?"),
]
