"""Check of the QA lab's exercise: ``answer_token_positions(tokenizer, question, story, answer,
answer_start, max_length=128)``.

The function encodes one (question, story) pair, question first, only the story cut,
padded to ``max_length``, and adds ``start_positions``/``end_positions``: the indices of
the answer's first and last token (inclusive), both 0 (``[CLS]``) when truncation cut the
answer off (see ``assignment/labs/qa/positions.py``). The course's question-answering lab
has no graded exercise and no public test of this step, so our public test defines what
is compared: the ``input_ids`` and the two positions, exactly.

Public: a bAbI task-1 story whose answer ("bathroom", three subtokens) was also visited
by someone else earlier, a two-sentence story whose answer is in the first sentence, and
a story longer than ``max_length`` whose answer truncation cuts off. Hidden, of the same
shapes (``COURSE``): other stories, answers at the very end of the story (the last
sentence, and a story without a final full stop), and long stories cut before and after
the answer. Beyond: other ``max_length`` (a cut through the answer's subtokens, a window
that ends exactly on the answer's last subtoken). The tokenizer is a small WordPiece one
built offline (``check_tokenizer``), so the places split into several subtokens and the
probe runs in the sandbox without the reference.
"""
import functools

import numpy as np

from assignment.checks.judging import FILL_IN, CheckFailed, raise_unless_mapping
from assignment.checks.protocol import BEYOND, COURSE, PUBLIC, Check, Group, register
from assignment.checks.alignment_probe import SpyTokenizer, tokenizer_fingerprint
from assignment.labs.ner.tokenizer import train_wordpiece

MAX_LENGTH = 128  # the lab's default (assignment/labs/qa/positions.py)

# The check tokenizer's texts: each place once, so it is cut into several subtokens.
_TEXTS = ["Mary moved to the bathroom.", "John went to the hallway.", "Where is Mary?",
          "Sandra journeyed to the kitchen.", "Daniel travelled to the office.", "John went back to the garden.",
          "Where is John?", "Mary went to the bedroom.", "Where is Sandra?", "Where is Daniel?"]
_VOCAB_SIZE = 140


@functools.lru_cache(maxsize=1)
def check_tokenizer():
    """The check's tokenizer: WordPiece with a small vocabulary, trained offline."""
    return train_wordpiece(_TEXTS, vocab_size=_VOCAB_SIZE)


def warm_up():
    """Build the tokenizer now (the grader's sandbox does it once, before forking per exercise)."""
    check_tokenizer()


def _story(*sentences):
    return " ".join(sentences)


_PUBLIC = _story("Sandra went to the bathroom.", "Mary journeyed to the kitchen.", "Daniel moved to the office.",
                 "Mary travelled to the bathroom.", "John went to the hallway.", "Sandra moved to the garden.")
_SHORT = _story("Mary moved to the bathroom.", "John went to the hallway.")
_MOVES = ["Daniel went to the bedroom.", "Sandra journeyed to the office.", "John moved to the kitchen.",
          "Mary went back to the garden.", "Daniel travelled to the hallway.", "Sandra went to the bathroom."]
_LONG = _story("John moved to the garden.", *(_MOVES * 4), "Mary went to the office.")  # ~200 tokens
_NOT_SANDRA = [move for move in _MOVES if not move.startswith("Sandra")]

# key -> (group id, question, story, answer, which occurrence of the answer is meant (-1: the
# last one, the supporting fact here), keyword arguments). Literal tuples led by the group
# id, the hidden stories written inside them: a student release cuts the hidden entries
# (assignment/release/vendor.py, prune_hidden), stories included.
_CASES = {
    "public": ("public", "Where is Mary?", _PUBLIC, "bathroom", -1, {}),
    "public_short": ("public", "Where is Mary?", _SHORT, "bathroom", -1, {}),
    "public_cut": ("public", "Where is Mary?", _LONG, "office", -1, {}),
    "other_daniel": ("other_stories", "Where is Daniel?",
                     _story("Daniel journeyed to the hallway.", "John went to the garden.",
                            "Daniel moved to the kitchen.", "John travelled to the office."), "kitchen", -1, {}),
    "other_mary": ("other_stories", "Where is Mary?",
                   _story("Mary went to the garden.", "Sandra travelled to the bedroom.",
                          "Mary went back to the garden.", "Daniel moved to the hallway.",
                          "Sandra journeyed to the kitchen.", "John went to the office.", "Mary moved to the bathroom.",
                          "Daniel went to the office."), "bathroom", -1, {}),
    "other_sandra": ("other_stories", "Where is Sandra?",
                     _story("Sandra moved to the hallway.", "John journeyed to the bathroom.",
                            "Sandra went to the bedroom.", "John travelled to the hallway."), "bedroom", -1, {}),
    "other_first": ("other_stories", "Where is John?",
                    _story("Mary went to the garden.", "Sandra travelled to the bedroom.",
                           "Mary went back to the garden.", "Daniel moved to the hallway.",
                           "Sandra journeyed to the kitchen.", "John went to the office.",
                           "Mary moved to the bathroom.", "Daniel went to the office."), "office", 0, {}),
    "end_last_sentence": ("answer_at_end", "Where is Mary?",
                          _story("John went to the hallway.", "Daniel moved to the bedroom.",
                                 "Mary travelled to the kitchen.", "Sandra journeyed to the office.",
                                 "Mary went to the garden."), "garden", -1, {}),
    "end_no_full_stop": ("answer_at_end", "Where is John?",
                         _story("Daniel went to the office.", "Sandra moved to the kitchen.",
                                "John journeyed to the bathroom"), "bathroom", -1, {}),
    "cut_before": ("truncated", "Where is Daniel?", _story(*(_MOVES[2:] * 5), "Daniel journeyed to the garden."),
                   "garden", -1, {}),  # ~170 tokens
    "cut_after": ("truncated", "Where is Sandra?", _story("Sandra travelled to the kitchen.", *(_NOT_SANDRA * 5)),
                  "kitchen", 0, {}),
    "window_through": ("windows", "Where is Mary?", _SHORT, "bathroom", -1, {"max_length": 14}),
    "window_exact": ("windows", "Where is Mary?", _SHORT, "bathroom", -1, {"max_length": 15}),
}


def _located(group, question, story, answer, which, kwargs):
    """The case with the answer's character index in place of ``which``."""
    starts = [index for index in range(len(story)) if story.startswith(answer, index)]
    return group, question, story, answer, starts[which], kwargs


CASES = {key: _located(*case) for key, case in _CASES.items()}


class _SpyTokenizer(SpyTokenizer):
    """The shared spy, recording which of the question and the story each call got."""

    def __init__(self, tokenizer, question, story):
        super().__init__(tokenizer)
        self._texts = {question: "question", story: "story"}

    def _name(self, text):
        if not isinstance(text, str):
            return type(text).__name__  # a list, None, ...: unhashable values must not break the spy
        return self._texts.get(text, "other text")

    def describe(self, args, kwargs) -> dict:
        first = args[0] if args else kwargs.get("text")
        second = args[1] if len(args) > 1 else kwargs.get("text_pair")
        return {"first": self._name(first), "second": "" if second is None else self._name(second)}


def _position_code(value) -> str:
    """A position as text that keeps its kind: 'i:12', 'none', 'r:<what it is>'."""
    if value is None:
        return "none"
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return f"r:{value!r}"
    if isinstance(value, (int, np.integer)):
        return f"i:{int(value)}"
    return "r:" + f"{type(value).__name__} {value!r}"[:80]


def _ids(value):
    """(array of ids, note): the ids of one encoded pair; a note says why they are not."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    try:
        array = np.asarray(value)
    except Exception as error:  # noqa: BLE001 - a learner object
        return None, f"not a list of token ids ({type(error).__name__})"
    if array.ndim == 2 and array.shape[0] == 1:
        return None, "a batch of one row: call the tokenizer on one pair (question, story), not on lists"
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        return None, f"not a list of token ids (shape {array.shape}, dtype {array.dtype})"
    return array.astype(np.int64), ""


def run_case(target, question, story, answer, answer_start, kwargs):
    """Call the learner's function on a spy tokenizer; plain data about what came back."""
    spy = _SpyTokenizer(check_tokenizer(), question, story)
    try:
        result = target(spy, question, story, answer, answer_start, **kwargs)
    except Exception:
        if not (spy.calls and spy.calls[-1]["raised"]):
            raise  # the learner's own line raised: the observation says which
        return {"calls": spy.calls[:6], "tokenizer_error": spy.calls[-1]["raised"]}
    if result is None:
        return None
    seen = {"calls": spy.calls[:6], "pytype": type(result).__name__}
    try:
        keys = [str(key) for key in result.keys()]
    except Exception:  # noqa: BLE001 - not a mapping
        return dict(seen, keys="")
    seen["keys"] = ",".join(keys)
    if "input_ids" in keys:
        ids, note = _ids(result["input_ids"])
        if ids is None:
            seen["input_ids_note"] = note
        else:
            seen["input_ids"] = ids
    for key in ("start_positions", "end_positions"):
        if key in keys:
            seen[key] = _position_code(result[key])
    return seen


def _value(items, key, default=None):
    return items.get(key, {}).get("value", default)


def as_plain(record, what="answer_token_positions"):
    """One scenario's observation as {"input_ids": [...], "start": int|str, "end": int|str,
    "calls": [...], "tokenizer_error": str}, or CheckFailed."""
    raise_unless_mapping(record, what, "the tokenizer's output with 'start_positions' and 'end_positions' added")
    items = record["items"]
    calls = [{key: value.get("value") for key, value in call["items"].items()}
             for call in items.get("calls", {}).get("items", [])]
    plain = {"calls": calls, "tokenizer_error": _value(items, "tokenizer_error", "")}
    if plain["tokenizer_error"]:
        return plain
    keys = [key for key in str(_value(items, "keys", "")).split(",") if key]
    missing = [key for key in ("input_ids", "start_positions", "end_positions") if key not in keys]
    if missing:
        raise CheckFailed(f"{what} must return the tokenizer's output with 'start_positions' and 'end_positions' "
                          f"added (got a {_value(items, 'pytype', '?')} with keys {keys}; missing {missing}). "
                          f"{FILL_IN}")
    if "input_ids_note" in items:
        raise CheckFailed(f"encoding['input_ids'] should be the token ids of the pair: got "
                          f"{_value(items, 'input_ids_note')}.")
    plain["input_ids"] = [int(i) for i in np.asarray(items["input_ids"]["array"]).reshape(-1)]
    for key, name in (("start_positions", "start"), ("end_positions", "end")):
        code = str(_value(items, key, "none"))
        plain[name] = int(code[2:]) if code.startswith("i:") else code
    return plain


def _shown(position):
    return "None" if position == "none" else position[2:] if isinstance(position, str) else str(position)


@register
class AnswerTokenPositions(Check):
    name = "answer_token_positions"
    mistakes_module = "assignment.checks.answer_positions_mistakes"  # instructor only
    groups = (
        Group("public", PUBLIC, "a bAbI story of six sentences whose answer was visited twice, a story of two "
                                "sentences, and a story longer than max_length=128 whose answer is cut off",
              mistakes_on=("public", "public_short", "public_cut")),
        Group("other_stories", COURSE, "other bAbI stories (four and eight sentences, answers of one to three "
                                       "subtokens, an answer given at its first occurrence)",
              mistakes_on=("other_daniel", "other_mary", "other_sandra", "other_first")),
        Group("answer_at_end", COURSE, "answers at the very end of the story (in its last sentence, and in a story "
                                       "without a final full stop)",
              mistakes_on=("end_last_sentence", "end_no_full_stop")),
        Group("truncated", COURSE, "stories longer than max_length=128, the answer before the cut or after it",
              mistakes_on=("cut_before", "cut_after")),
        Group("windows", BEYOND, "max_length other than 128: a cut through the answer's subtokens (max_length=14) "
                                 "and a window ending on the answer's last subtoken (max_length=15)",
              mistakes_on=("window_through", "window_exact")),
    )
    hints = {
        "story_first": "Tokenize the question first and the story second: tokenizer(question, story, ...). The "
                       "model reads [CLS] question [SEP] story [SEP], and the positions count in that sequence "
                       "(with the story first, truncation='only_second' would cut the question instead).",
        "char_offsets": "These are character offsets in the story, not token positions: start_positions and "
                        "end_positions are indices into input_ids. Find the tokens whose offset_mapping (start, "
                        "end) covers the answer's first and last characters.",
        "char_offsets_inclusive": "These are character offsets in the story, not token positions: start_positions "
                                  "and end_positions are indices into input_ids. Find the tokens whose "
                                  "offset_mapping (start, end) covers the answer's first and last characters.",
        "exclusive_end": "end_positions is one past the answer's last token: it must be the index of the last "
                         "token itself (inclusive), the token that holds the character answer_start + len(answer) "
                         "- 1 (an offset (first, last) holds a character c when first <= c < last).",
        "story_alone": "The positions are counted in the story tokenized alone: in the pair, the story's tokens "
                       "come after [CLS], the question's tokens and [SEP]. Look the answer up among the pair's own "
                       "tokens, the ones whose sequence_ids() value is 1.",
        "story_alone_no_specials": "The positions are counted in the story tokenized alone: in the pair, the "
                                   "story's tokens come after [CLS], the question's tokens and [SEP]. Look the "
                                   "answer up among the pair's own tokens, the ones whose sequence_ids() value "
                                   "is 1.",
        "question_tokens": "The answer's characters were looked up in the question: offset_mapping and "
                           "char_to_token count characters from the start of each text, and char_to_token reads "
                           "the first text (the question) unless told otherwise. Only the story's tokens, those "
                           "whose sequence_ids() value is 1, may hold the answer (with char_to_token, pass "
                           "sequence_index=1).",
        "first_occurrence": "The positions are those of the answer's first occurrence in the story, but the place "
                            "is mentioned more than once: use answer_start (the supporting sentence's occurrence), "
                            "not story.find(answer).",
        "cut_off_convention": "Truncation cut the answer off (or part of it), and then both positions must be 0, "
                              "the [CLS] token.",
        "no_truncation": "The encoding is longer than max_length: pass truncation='only_second' and "
                         "max_length=max_length (only the story may be cut, never the question).",
        "not_padded": "Pad the encoding to max_length: pass padding='max_length' (and max_length=max_length).",
    }

    @staticmethod
    def cases():
        """key -> (group id, question, story, answer, answer_start, keyword arguments)."""
        return CASES

    def __init__(self, exercise, reference=None, **settings):
        settings.setdefault("tokenizer", tokenizer_fingerprint())
        super().__init__(exercise, reference, **settings)

    def scenarios(self, target, extras):
        for key, (group, question, story, answer, start, kwargs) in self.cases().items():
            yield group, key, (lambda q=question, s=story, a=answer, at=start, k=kwargs:
                               run_case(target, q, s, a, at, k))

    # ---- judging

    def _compare(self, group, got, expected):
        for key, case in self.cases().items():
            if case[0] == group:
                self._compare_case(key, case, got[key], expected[key])

    def _compare_case(self, key, case, record, want_record):
        _, question, story, answer, answer_start, kwargs = case
        max_length = kwargs.get("max_length", MAX_LENGTH)
        what = f"answer_token_positions ({question!r}, answer {answer!r} at character {answer_start}" + \
               (f", max_length={max_length})" if kwargs else ")")
        got = as_plain(record, what)
        want = as_plain(want_record, "the reference")
        if any(call["first"] == "story" and call["second"] == "question" for call in got["calls"]):
            raise CheckFailed(self.hints["story_first"])
        if got["tokenizer_error"]:
            call = got["calls"][-1]
            raise CheckFailed(f"{what}: the tokenizer call raised {got['tokenizer_error']} (it was given the "
                              f"{call['first']}{' and the ' + call['second'] if call['second'] else ''}). Call "
                              "tokenizer(question, story, truncation='only_second', max_length=max_length, "
                              "padding='max_length', return_offsets_mapping=True).", raised=True)
        if got["input_ids"] != want["input_ids"]:
            self._explain_ids(what, max_length, got, want)
        pair, wanted = (got["start"], got["end"]), (want["start"], want["end"])
        if pair == wanted:
            return
        for hint, wrong in self.known_mistakes(key):
            wrong = wrong() if callable(wrong) else wrong
            if wrong is not None and pair == tuple(wrong):
                raise CheckFailed(f"{what}: {hint}")
        self._explain_positions(what, got, want)

    def _explain_ids(self, what, max_length, got, want):
        ids, want_ids = got["input_ids"], want["input_ids"]
        if len(ids) > max_length:
            raise CheckFailed(f"{what}: {len(ids)} tokens, more than max_length={max_length}. "
                              + self.hints["no_truncation"])
        pad = check_tokenizer().pad_token_id
        if len(ids) < len(want_ids) and ids == want_ids[:len(ids)] and all(i == pad for i in want_ids[len(ids):]):
            raise CheckFailed(f"{what}: {len(ids)} tokens, not max_length={max_length}. " + self.hints["not_padded"])
        tokens = check_tokenizer().convert_ids_to_tokens
        raise CheckFailed(f"{what}: input_ids are not the encoding of the pair (question, story):\n"
                          f"  got      {tokens(ids[:24])}\n  expected {tokens(want_ids[:24])}\nCall "
                          "tokenizer(question, story, truncation='only_second', max_length=max_length, "
                          "padding='max_length', return_offsets_mapping=True) once.")

    def _explain_positions(self, what, got, want):
        for name in ("start", "end"):
            if not isinstance(got[name], int):
                raise CheckFailed(f"{what}: {name}_positions is {_shown(got[name])}; it must be an int, the index "
                                  f"of a token in input_ids."
                                  + (f" {self.hints['cut_off_convention']}" if got[name] == "none"
                                     and (want["start"], want["end"]) == (0, 0) else ""))
        if (want["start"], want["end"]) == (0, 0):
            raise CheckFailed(f"{what}: got positions ({got['start']}, {got['end']}). "
                              + self.hints["cut_off_convention"])
        if (got["start"], got["end"]) == (0, 0):
            raise CheckFailed(f"{what}: got positions (0, 0), the [CLS] token, but the answer is in the encoded "
                              f"story, at tokens ({want['start']}, {want['end']}). "
                              + self.hints["question_tokens"])
        tokens = check_tokenizer().convert_ids_to_tokens(want["input_ids"])

        def token(position):
            return repr(tokens[position]) if 0 <= position < len(tokens) else "outside the encoding"

        for name in ("start", "end"):
            if got[name] != want[name]:
                raise CheckFailed(f"{what}: {name}_positions should be {want[name]} (token {token(want[name])}), "
                                  f"got {got[name]} (token {token(got[name])}).")

    def compare_public(self, got, expected):
        self._compare("public", got, expected)

    def compare_other_stories(self, got, expected):
        self._compare("other_stories", got, expected)

    def compare_answer_at_end(self, got, expected):
        self._compare("answer_at_end", got, expected)

    def compare_truncated(self, got, expected):
        self._compare("truncated", got, expected)

    def compare_windows(self, got, expected):
        self._compare("windows", got, expected)
