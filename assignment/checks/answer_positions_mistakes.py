"""The known mistakes of ``answer_token_positions`` (QA lab), computed on the check's scenarios.

Instructor only (it re-implements the exercise to reproduce each mistake): never shipped,
never imported in the sandbox. ``PROVIDERS["answer_token_positions"](live, check,
scenario)`` returns {mistake id: function of no arguments giving the (start, end) that
mistake returns}; the hints are in ``assignment/checks/answer_positions.py``. The check
names this module in its ``mistakes_module``, so ``LiveReference`` finds it.
"""
from assignment.checks.answer_positions import MAX_LENGTH, check_tokenizer

PROVIDERS = {}
AUXILIARY = {}


def _pair(encoding, first_char, last_char, sequence_index=1):
    """(start, end) of the tokens holding two characters of one of the texts, (0, 0) when
    either is not in the encoding."""
    start = encoding.char_to_token(first_char, sequence_index=sequence_index)
    end = encoding.char_to_token(last_char, sequence_index=sequence_index)
    return (0, 0) if start is None or end is None else (int(start), int(end))


def answer_token_positions_mistakes(live, check, scenario):
    _, question, story, answer, answer_start, kwargs = check.cases()[scenario]
    max_length = kwargs.get("max_length", MAX_LENGTH)
    tokenizer = check_tokenizer()
    last = answer_start + len(answer) - 1

    def encoded():
        return tokenizer(question, story, truncation="only_second", max_length=max_length, padding="max_length")

    def exclusive_end():
        start, end = _pair(encoded(), answer_start, last)
        return (start, end + 1) if (start, end) != (0, 0) else None

    mistakes = {
        "char_offsets": lambda: (answer_start, answer_start + len(answer)),
        "char_offsets_inclusive": lambda: (answer_start, last),
        "exclusive_end": exclusive_end,
        "story_alone": lambda: _pair(tokenizer(story), answer_start, last, 0),
        "story_alone_no_specials": lambda: _pair(tokenizer(story, add_special_tokens=False), answer_start, last, 0),
        "question_tokens": lambda: _pair(encoded(), answer_start, last, 0),
    }
    first = story.find(answer)
    if first != answer_start:
        mistakes["first_occurrence"] = lambda: _pair(encoded(), first, first + len(answer) - 1)
    return mistakes


PROVIDERS["answer_token_positions"] = answer_token_positions_mistakes
