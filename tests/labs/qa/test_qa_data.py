"""bAbI task 1 data: the generator (seeded, splits disjoint by story, answers right), the
reader and writer of the bAbI text format, and the reader's errors."""
import random

import pytest

from assignment.labs.qa import data
from assignment.labs.qa.data import BabiFormatError, Question, Statement

SAMPLE = __file__.rsplit("/", 1)[0] + "/babi_sample.txt"


def test_the_sample_file_reads_into_stories_and_examples():
    stories = data.read_babi(SAMPLE)
    assert [len(story.lines) for story in stories] == [9, 6]  # a 1 starts the second story
    first = stories[0]
    assert first.lines[0] == Statement(1, "Mary moved to the bathroom.")
    assert first.lines[2] == Question(3, "Where is Mary?", "bathroom", (1,))
    examples = data.to_examples(stories).examples
    assert len(examples) == 5
    sandra = examples[2]  # 'bathroom' is Mary's (line 1) before it is Sandra's (line 8)
    assert sandra.context.startswith("Mary moved to the bathroom. John went to the hallway. Daniel")
    assert sandra.context[sandra.answer_start:sandra.answer_start + len(sandra.answer)] == "bathroom"
    assert sandra.answer_start == sandra.context.rindex("bathroom") != sandra.context.index("bathroom")
    assert examples[3].context == "Sandra travelled to the office. Sandra went to the bathroom."
    assert examples[4].id == "babi_sample-1:6" and examples[4].support == (2,)


def test_writing_then_reading_gives_the_same_stories(tmp_path):
    stories = data.read_babi(SAMPLE)
    path = tmp_path / "copy.txt"
    data.write_babi(stories, path)
    assert path.read_text(encoding="utf-8") == open(SAMPLE, encoding="utf-8").read()
    generated = data.generate_splits({"train": 5}, seed=3)["train"]
    data.write_babi(generated, path)
    again = data.read_babi(path)
    assert [story.lines for story in again] == [story.lines for story in generated]


@pytest.mark.parametrize("lines, line, message", [
    (["1 Mary moved to the bathroom.", "3 John went to the hallway."], 2, "expected 2, or 1 to start a new story"),
    (["2 Mary moved to the bathroom."], 1, "numbered 1, not 2"),
    (["Mary moved to the bathroom."], 1, "expected '<number> <sentence>'"),
    (["1 Mary moved to the bathroom.", "2 Where is Mary? \tbathroom"], 2, "3 tab-separated fields"),
    (["1 Mary moved to the bathroom.", "2 Where is Mary? \t\t1"], 2, "has no answer"),
    (["1 Mary moved to the bathroom.", "2 Where is Mary? \tbathroom\tone"], 2, "line numbers separated by spaces"),
    (["1 Mary moved to the bathroom.", "2 Where is Mary? \tbathroom\t5"], 2, "supporting line 5 is not a statement"),
    (["1 Mary moved.", "2 Where is Mary? \tbathroom\t1", "3 Where? \tx\t2"], 3, "supporting line 2 is not a statement"),
])
def test_a_bad_line_is_an_error_naming_file_and_line(tmp_path, lines, line, message):
    path = tmp_path / "bad.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BabiFormatError) as error:
        data.read_babi(path)
    assert error.value.line == line and message in str(error.value)
    assert str(error.value).startswith(f"{path}, line {line}: ")


def test_files_the_reader_refuses(tmp_path):
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"1 Mary moved to the \xff.\n")
    with pytest.raises(BabiFormatError, match="line 1: not UTF-8"):
        data.read_babi(binary)
    with pytest.raises(BabiFormatError, match="no such file"):
        data.read_babi(tmp_path / "missing.txt")
    link = tmp_path / "link.txt"
    link.symlink_to(SAMPLE)
    with pytest.raises(BabiFormatError, match="symbolic link"):
        data.read_babi(link)
    with pytest.raises(BabiFormatError, match="more than the 100 a bAbI"):
        data.read_babi(SAMPLE, max_bytes=100)


def test_a_question_without_its_answer_in_the_story_is_skipped_and_reported():
    stories = data.parse_babi(["1 Mary moved to the bathroom.", "2 Is Mary in the office? \tno\t1",
                               "3 Where is Mary? \tbathroom\t1"], "yesno.txt")
    converted = data.to_examples(stories)
    assert [example.answer for example in converted.examples] == ["bathroom"]
    assert converted.skipped == ["yesno-0:2: the answer 'no' is not a word of the story"]


def test_generated_stories_follow_the_task():
    story = data.generate_story(random.Random(1), "s", questions=5)
    assert len(story.lines) == 15 and [type(line) for line in story.lines[:3]] == [Statement, Statement, Question]
    where = {}
    for line in story.lines:
        person = line.text.split()[0] if isinstance(line, Statement) else line.text.split()[-1].rstrip("?")
        if isinstance(line, Statement):
            assert line.text.endswith(".") and any(verb in line.text for verb in data.VERBS + (data.BACK,))
            place = line.text.rstrip(".").split()[-1]
            assert place in data.PLACES and place != where.get(person, (None,))[0]
            where[person] = (place, line.number)
        else:  # the answer is the place the person went to last, and that line supports it
            assert person in where and (line.answer, line.support) == (where[person][0], (where[person][1],))
    for example in data.story_examples(story):
        supporting = story.lines[example.support[0] - 1].text
        assert example.context[example.answer_start:].startswith(example.answer)
        assert example.context.index(supporting) <= example.answer_start < example.context.index(supporting) + \
            len(supporting)


def test_splits_are_seeded_and_disjoint_by_story():
    sizes = {"train": 300, "dev": 50, "test": 80}
    splits = data.generate_splits(sizes, seed=7)
    assert {name: len(stories) for name, stories in splits.items()} == sizes
    keys = {name: {tuple(s.text for s in story.statements) for story in stories} for name, stories in splits.items()}
    assert sum(map(len, keys.values())) == sum(sizes.values())  # no story twice, in one split or two
    again = data.generate_splits(sizes, seed=7)
    assert again == splits and data.generate_splits(sizes, seed=8) != splits
    with pytest.raises(ValueError, match="cannot draw 40 distinct stories"):
        data.generate_splits({"train": 40}, people=("Mary",), places=("bathroom", "garden"), questions=1,
                             statements_per_question=1)
