"""Reading resume / CoNLL data, spans -> BIO, bad input, and the shipped data set."""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import hashlib
import json
import pathlib

import pytest

from assignment.labs.ner import synth
from assignment.labs.ner.data import (
    DataError, Span, read_conll, read_data, read_resumes, split_examples, spans_to_bio, split_words, tag_names,
)

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT


def _tags(text, spans):
    words, _, tags = spans_to_bio(text, spans)
    return list(zip(words, tags))


def test_split_words_keeps_offsets_and_splits_punctuation():
    text = "Python, C++ and jane.doe@mail.example.com\n• Node.js"
    words, offsets = split_words(text)
    assert words == ["Python", ",", "C++", "and", "jane.doe@mail.example.com", "•", "Node.js"]
    assert all(text[s:e] == w for w, (s, e) in zip(words, offsets))


def test_spans_are_trimmed_and_cover_whole_words():
    text = "Name: Mira Okafor\nSkills: SQL Server, Git"
    # span with a leading space and a trailing newline, as the course's annotators left them
    start = text.index(" Mira")
    spans = [Span(start, text.index("\n") + 1, "Name"), Span(text.index("SQL"), text.index(","), "Skills")]
    assert _tags(text, spans) == [
        ("Name", "O"), (":", "O"), ("Mira", "B-Name"), ("Okafor", "I-Name"), ("Skills", "O"), (":", "O"),
        ("SQL", "B-Skills"), ("Server", "I-Skills"), (",", "O"), ("Git", "O"),
    ]


def test_overlap_rule_earliest_then_longest_then_label_priority():
    text = "Riverside Institute of Technology, Pune"
    college = Span(0, len(text), "College Name")
    city = Span(text.index("Pune"), len(text), "Location")
    inner = Span(0, len("Riverside"), "Location")
    # earliest start wins (college over the city inside it), then the longest (college over 'Riverside')
    expected = ["B-College Name"] + ["I-College Name"] * 5
    assert [t for _, t in _tags(text, [city, inner, college])] == expected
    assert [t for _, t in _tags(text, [college, inner, city])] == expected  # order of input irrelevant
    # same words, two labels: the label listed first in RESUME_LABELS (Skills before Degree) wins
    assert [t for _, t in _tags("SQL", [Span(0, 3, "Degree"), Span(0, 3, "Skills")])] == ["B-Skills"]
    # a later span overlapping a kept one is dropped entirely, not cut
    two = [Span(0, 10, "Designation"), Span(5, 20, "Skills")]
    assert [t for _, t in _tags("Data Analyst at Acme Corp", two)] == ["B-Designation", "I-Designation", "O", "O", "O"]


def test_resume_reader_labels_list_or_name_and_null_annotation(tmp_path):
    path = tmp_path / "r.jsonl"
    lines = [
        {"content": "Mira Okafor\nPune", "annotation": [
            {"label": ["Name"], "points": [{"start": 0, "end": 11, "text": "Mira Okafor\n"}]},
            {"label": "Location", "points": [{"start": 12, "end": 15, "text": "Pune"}]}], "extras": None},
        {"content": "nothing here", "annotation": None, "extras": None},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = read_resumes(path)
    assert [e.tags for e in result.examples] == [["B-Name", "I-Name", "B-Location"], ["O", "O"]]
    assert result.examples[0].offsets == [(0, 4), (5, 11), (12, 16)]


BAD_JSONL = [
    ('{"content": "abc", "annotation": [', "malformed JSON"),
    ('{"content": "abc", "annotation": [{"label": "Name", "points": [{"start": 1, "end": 9, "text": "x"}]}]}',
     "outside the text"),
    ('{"content": "abc", "annotation": [{"label": "Name", "points": [{"start": 2, "end": 1, "text": "x"}]}]}',
     "end 1 < start 2"),
    ('["not", "an", "object"]', "expected a JSON object"),
]


@pytest.mark.parametrize("line, message", BAD_JSONL)
def test_bad_resume_lines_name_file_and_line_or_are_skipped(tmp_path, line, message):
    good = json.dumps({"content": "Mira", "annotation": [{"label": "Name", "points": [{"start": 0, "end": 3, "text": "Mira"}]}]})
    path = tmp_path / "bad.jsonl"
    path.write_text(f"{good}\n{line}\n{good}\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_resumes(path)
    assert str(caught.value).startswith(f"{path}:2: ") and message in str(caught.value)
    result = read_resumes(path, skip_bad=True)
    assert len(result.examples) == 2 and [err.line for err in result.skipped] == [2]


def test_non_utf8_line_is_reported(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"content": "ok", "annotation": null}\n{"content": "caf\xe9", "annotation": null}\n')
    with pytest.raises(DataError, match=r"latin1.jsonl:2: not UTF-8"):
        read_resumes(path)
    assert len(read_resumes(path, skip_bad=True).examples) == 1


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        read_data(tmp_path / "missing.jsonl")


def test_conll_reader(tmp_path):
    path = tmp_path / "s.conll"
    path.write_text("-DOCSTART- -X- O\n\nMira B-PER\nOkafor\tI-PER\nsmiled _ O\n\n\nPune B-LOC\n", encoding="utf-8")
    examples = read_conll(path).examples
    assert [e.words for e in examples] == [["Mira", "Okafor", "smiled"], ["Pune"]]
    assert examples[0].tags == ["B-PER", "I-PER", "O"]
    assert examples[0].text[slice(*examples[0].offsets[1])] == "Okafor"


@pytest.mark.parametrize("bad_line, message", [("Okafor", "expected a token and its tag"), ("Okafor PER", "tag .PER. is not BIO")])
def test_conll_bad_line(tmp_path, bad_line, message):
    path = tmp_path / "s.conll"
    path.write_text(f"Mira B-PER\n{bad_line}\n\nPune B-LOC\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"s.conll:2: {message}"):
        read_conll(path)
    result = read_conll(path, skip_bad=True)
    assert [e.words for e in result.examples] == [["Pune"]] and len(result.skipped) == 1


def test_shipped_conll_sample():
    examples = read_data(ROOT / "data" / "conll_sample.txt").examples
    assert len(examples) >= 30
    assert tag_names(examples) == ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER"]


def test_shipped_resumes_regenerate_byte_for_byte(tmp_path):
    path = tmp_path / "resumes.jsonl"
    synth.write(path)
    shipped = (ROOT / "data" / "resumes.jsonl").read_bytes()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(shipped).hexdigest()


def test_shipped_resumes_have_splits_and_all_labels():
    examples = read_resumes(ROOT / "data" / "resumes.jsonl").examples
    parts = split_examples(examples)
    assert {k: len(v) for k, v in parts.items()} == {"train": 240, "dev": 30, "test": 30}
    assert len(tag_names(examples)) == 21
    assert any("\n" in e.text[e.offsets[i][0]:e.offsets[i + 1][1]]
               for e in examples for i in range(len(e.tags) - 1) if e.tags[i + 1].startswith("I-"))
