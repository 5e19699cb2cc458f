"""bAbI task 1 ("single supporting fact") stories: a seeded generator, a reader and a writer.

The task is the first of the twenty of Weston et al. 2015, "Towards AI-Complete Question
Answering: A Set of Prerequisite Toy Tasks" (arXiv:1502.05698): people move between the
rooms of a house (``Mary moved to the bathroom.``), and every few sentences a question
asks where one of them is; the answer is the place that person went to last, and the
sentence saying so is the question's *supporting fact*. The task's people (Mary, John,
Sandra, Daniel), places (bathroom, bedroom, garden, hallway, kitchen, office) and verbs
(moved, went, journeyed, travelled to, went back to) are the released task's; the other
people in the story are its distractors. Our generator is written from that description;
no data is downloaded.

The text format is that of the public release (``tasks_1-20_v1-2``, files such as
``qa1_single-supporting-fact_train.txt``): one line per sentence, numbered from 1 within a
story, a number 1 starting a new story; a question line holds the question, a tab, the
answer, a tab and the numbers of its supporting lines::

    1 Mary moved to the bathroom.
    2 John went to the hallway.
    3 Where is Mary? \tbathroom\t1

For the extractive model each question becomes a ``QAExample``: its context is every
statement of the story before it, joined by single spaces, and ``answer_start`` is where
the answer sits inside the supporting statement (not the answer's first occurrence: a
place is often mentioned by someone else before or after).
"""
import os
import random
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

PEOPLE = ("Mary", "John", "Sandra", "Daniel")
PLACES = ("bathroom", "bedroom", "garden", "hallway", "kitchen", "office")
VERBS = ("moved to", "went to", "journeyed to", "travelled to")
BACK = "went back to"  # only for a place the person has been to before
SPLITS = ("train", "dev", "test")
DEFAULT_SIZES = {"train": 900, "dev": 100, "test": 200}  # stories per split (five questions each)
MAX_FILE_BYTES = 64 * 1024 * 1024  # the released task files are a few MB; refuse anything far bigger
MAX_LINE_CHARS = 2000

_LINE_RE = re.compile(r"(\d{1,6}) (.*)")


class BabiFormatError(ValueError):
    """A file that is not in the bAbI text format, located at ``path`` and ``line`` (1-based)."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Statement:
    number: int  # its line number in the story (1-based; questions are numbered too)
    text: str


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    answer: str
    support: Tuple[int, ...]  # the numbers of its supporting statements


@dataclass(frozen=True)
class Story:
    id: str
    lines: Tuple[Union[Statement, Question], ...]

    @property
    def statements(self) -> List[Statement]:
        return [line for line in self.lines if isinstance(line, Statement)]

    @property
    def questions(self) -> List[Question]:
        return [line for line in self.lines if isinstance(line, Question)]


@dataclass(frozen=True)
class QAExample:
    """One question with the story told so far, for an extractive model."""

    id: str  # "<story id>:<question line number>"
    question: str
    context: str  # the statements before the question, joined by spaces
    answer: str
    answer_start: int  # character index of the answer in ``context``, inside its supporting statement
    support: Tuple[int, ...] = ()


@dataclass
class Converted:
    """What ``to_examples`` returns: the examples, and the questions it could not use."""

    examples: List[QAExample]
    skipped: List[str] = field(default_factory=list)  # "<id>: why"


# ------------------------------------------------------------------ the generator

def generate_story(rng: random.Random, story_id: str, questions: int = 5, statements_per_question: int = 2,
                   people: Sequence[str] = PEOPLE, places: Sequence[str] = PLACES) -> Story:
    """One task-1 story: ``questions`` times, ``statements_per_question`` moves then a
    question about a person mentioned so far (chosen at random, so the others are
    distractors). Everybody moves to a place other than the one they are in; "went back
    to" is used only for a place the person has been to before."""
    if questions < 1 or statements_per_question < 1:
        raise ValueError("a story needs at least one question and one statement before it")
    if len(places) < 2 or not people:
        raise ValueError("a story needs at least one person and two places")
    where: Dict[str, str] = {}
    visited: Dict[str, set] = {}
    last_line: Dict[str, int] = {}
    lines: List[Union[Statement, Question]] = []
    for _ in range(questions):
        for _ in range(statements_per_question):
            person = rng.choice(list(people))
            place = rng.choice([p for p in places if p != where.get(person)])
            back = place in visited.get(person, ())
            verb = BACK if back and rng.random() < 0.5 else rng.choice(VERBS)
            lines.append(Statement(len(lines) + 1, f"{person} {verb} the {place}."))
            where[person] = place
            visited.setdefault(person, set()).add(place)
            last_line[person] = len(lines)
        person = rng.choice(sorted(where))
        lines.append(Question(len(lines) + 1, f"Where is {person}?", where[person], (last_line[person],)))
    return Story(story_id, tuple(lines))


def generate_splits(sizes: Optional[Dict[str, int]] = None, seed: int = 0, **story_options) -> Dict[str, List[Story]]:
    """Stories for each split (default: 900 train, 100 dev, 200 test stories of five
    questions each), from one seeded generator. No story appears in two splits (nor twice
    in one): a story whose statements repeat an earlier story's is drawn again."""
    sizes = dict(sizes or DEFAULT_SIZES)
    unknown = set(sizes) - set(SPLITS)
    if unknown:
        raise ValueError(f"unknown splits {sorted(unknown)}; expected some of {SPLITS}")
    rng = random.Random(seed)
    seen = set()
    splits: Dict[str, List[Story]] = {}
    for split in SPLITS:
        stories: List[Story] = []
        attempts = 0
        while len(stories) < sizes.get(split, 0):
            attempts += 1
            if attempts > 100 * sizes[split] + 1000:
                raise ValueError(f"cannot draw {sizes[split]} distinct stories for {split!r} with these options")
            story = generate_story(rng, f"{split}-{len(stories)}", **story_options)
            key = tuple(s.text for s in story.statements)
            if key in seen:
                continue
            seen.add(key)
            stories.append(story)
        splits[split] = stories
    return splits


# ------------------------------------------------------------------ stories -> examples

def story_examples(story: Story) -> List[QAExample]:
    """One example per question of ``story`` (ValueError when an answer is not a span of its
    supporting statement)."""
    examples = []
    parts: List[str] = []
    starts: Dict[int, int] = {}  # statement number -> its character offset in the context
    length = 0
    for line in story.lines:
        if isinstance(line, Statement):
            starts[line.number] = length + (1 if parts else 0)
            length = starts[line.number] + len(line.text)
            parts.append(line.text)
            continue
        context = " ".join(parts)
        example_id = f"{story.id}:{line.number}"
        found = -1
        for number in sorted(line.support, reverse=True):
            statement = next((s for s in story.statements if s.number == number), None)
            at = _word_at(statement.text, line.answer) if statement else -1
            if at >= 0:
                found = starts[number] + at
                break
        if found < 0:
            found = _word_at(context, line.answer, last=True)
        if found < 0:
            raise ValueError(f"{example_id}: the answer {line.answer!r} is not a word of the story")
        examples.append(QAExample(example_id, line.text, context, line.answer, found, tuple(line.support)))
    return examples


def _word_at(text: str, word: str, last: bool = False) -> int:
    """Where ``word`` occurs in ``text`` as a whole word (first, or last), or -1."""
    matches = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)]
    return (matches[-1] if last else matches[0]) if matches else -1


def to_examples(stories: Sequence[Story]) -> Converted:
    """The examples of all ``stories``; a question whose answer is not in its story (other
    bAbI tasks: yes/no, counts, lists) is skipped and reported, the others are kept."""
    result = Converted([])
    for story in stories:
        try:
            result.examples += story_examples(story)
        except ValueError:
            for question in story.questions:  # keep the story's good questions
                single = Story(story.id, tuple(line for line in story.lines
                                               if isinstance(line, Statement) or line is question))
                try:
                    result.examples += story_examples(single)
                except ValueError as error:
                    result.skipped.append(str(error))
    return result


def generated_examples(sizes=None, seed: int = 0, **story_options) -> Dict[str, List[QAExample]]:
    """{split: examples} of freshly generated stories (see ``generate_splits``)."""
    return {split: to_examples(stories).examples
            for split, stories in generate_splits(sizes, seed, **story_options).items()}


# ------------------------------------------------------------------ the bAbI text format

def format_story(story: Story) -> List[str]:
    """The lines of ``story`` in the bAbI format (no newlines)."""
    out = []
    for line in story.lines:
        if isinstance(line, Statement):
            out.append(f"{line.number} {line.text}")
        else:
            out.append(f"{line.number} {line.text} \t{line.answer}\t{' '.join(str(n) for n in line.support)}")
    return out


def write_babi(stories: Sequence[Story], path) -> None:
    """Write ``stories`` to ``path`` in the bAbI text format (UTF-8, one line per sentence)."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for story in stories:
            for line in format_story(story):
                handle.write(line + "\n")


def read_babi(path, max_bytes: int = MAX_FILE_BYTES) -> List[Story]:
    """The stories of a bAbI text file; BabiFormatError (file, line, what was expected) at
    the first line that breaks the format. Blank lines are ignored."""
    name = os.fspath(path)
    if os.path.islink(name):
        raise BabiFormatError(name, None, "is a symbolic link; give the file itself")
    if not os.path.isfile(name):
        raise BabiFormatError(name, None, "no such file")
    size = os.path.getsize(name)
    if size > max_bytes:
        raise BabiFormatError(name, None, f"{size} bytes, more than the {max_bytes} a bAbI task file may have")
    with open(name, "rb") as handle:
        raw = handle.read(max_bytes + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise BabiFormatError(name, line, "not UTF-8 text") from None
    return parse_babi(text.splitlines(), name)


def parse_babi(lines: Sequence[str], name: str = "<text>") -> List[Story]:
    """The stories of the bAbI-format ``lines`` (see ``read_babi``)."""
    base = os.path.splitext(os.path.basename(name))[0] or "story"
    stories: List[Story] = []
    current: List[Union[Statement, Question]] = []
    statements: set = set()

    def close():
        if current:
            stories.append(Story(f"{base}-{len(stories)}", tuple(current)))

    for index, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue

        def fail(message):
            raise BabiFormatError(name, index, message)

        if len(line) > MAX_LINE_CHARS:
            fail(f"{len(line)} characters, more than {MAX_LINE_CHARS}")
        match = _LINE_RE.fullmatch(line.lstrip("\ufeff"))
        if not match:
            fail(f"expected '<number> <sentence>', e.g. '1 Mary moved to the bathroom.'; got {line[:60]!r}")
        number, rest = int(match.group(1)), match.group(2)
        if number == 1:
            close()
            current, statements = [], set()
        elif not current:
            fail(f"the first line of a story is numbered 1, not {number}")
        elif number != current[-1].number + 1:
            fail(f"line number {number} after {current[-1].number}: expected {current[-1].number + 1}, "
                 "or 1 to start a new story")
        if "\t" not in rest:
            sentence = rest.strip()
            if not sentence:
                fail("an empty statement")
            current.append(Statement(number, sentence))
            statements.add(number)
            continue
        fields = rest.split("\t")
        if len(fields) != 3:
            fail(f"a question line has 3 tab-separated fields (question, answer, supporting line numbers); "
                 f"got {len(fields)}")
        question, answer, support_text = fields[0].strip(), fields[1].strip(), fields[2].strip()
        if not question:
            fail("an empty question")
        if not answer:
            fail(f"the question {question!r} has no answer")
        try:
            support = tuple(int(part) for part in support_text.split())
        except ValueError:
            fail(f"supporting facts are line numbers separated by spaces; got {support_text!r}")
        if not support:
            fail(f"the question {question!r} names no supporting line")
        wrong = [n for n in support if n not in statements]
        if wrong:
            fail(f"supporting line {wrong[0]} is not a statement of this story before line {number}")
        current.append(Question(number, question, answer, support))
    close()
    return stories
