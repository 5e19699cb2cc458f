"""Recognizing a notebook of the 2021 release (assignment/grade/course_edition.py)."""
from pathlib import Path

import pytest

from assignment.grade.extract import _make_cell, read_cells
from assignment.grade.course_edition import CURRENT, RELEASE_2021, detect
from assignment.grade.report import table

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"


def test_the_2021_fixture_is_recognized_with_its_signs():
    release = detect(read_cells(SUBMISSIONS / "release_2021.ipynb"))
    assert release.name == RELEASE_2021 and release.settings() == {"mask_convention": "2021"}
    assert release.reference_module == "assignment.transformer_2021"  # graded against that release's reference
    assert len(release.signs) == 3
    assert "1 = padding" in release.line() and release.line().startswith("Release: 2021 notebook")


@pytest.mark.parametrize("name", ["all_correct.ipynb", "course_style.ipynb", "given_code_edited.ipynb",
                                  "learner_k_dot_t.ipynb", "learner_dk_from_keys.ipynb"])
def test_current_notebooks_are_current(name):
    release = detect(read_cells(SUBMISSIONS / name))
    assert release.name == CURRENT and release.settings() == {} and release.line() == ""
    assert release.reference_module is None  # the registry's reference


def test_one_sign_alone_is_not_a_release():
    cells = [_make_cell(0, "def get_angles(pos, i, d):\n    return pos")]
    assert detect(cells).name == CURRENT
    cells.append(_make_cell(1, "def DecoderLayer_test(target):\n    pass"))
    assert detect(cells).name == RELEASE_2021


def test_the_report_says_so_in_one_line_on_top():
    release = detect(read_cells(SUBMISSIONS / "release_2021.ipynb"))
    result = {"exercises": [{"name": "get_angles", "points": 12.5, "max_points": 12.5, "status": "passed",
                             "feedback": ""}], "score": 12.5, "max_score": 12.5, "release_line": release.line()}
    assert table(result).splitlines()[0] == release.line()


def test_the_2021_fixture_is_written_in_that_release_s_given_code():
    """tests/submissions/release_2021.ipynb: the given code of assignment/transformer_2021.py."""
    from assignment.grade.given_code import given_code_edits, helper_edits
    cells = read_cells(SUBMISSIONS / "release_2021.ipynb")
    assert helper_edits(cells, "assignment.transformer_2021") == []
    for name in ("EncoderLayer", "DecoderLayer", "get_angles", "Transformer"):
        node = next(cell.definition(name) for cell in cells if cell.definition(name) is not None)
        assert given_code_edits(node, name, "assignment.transformer_2021") == [], name
        assert given_code_edits(node, name, "assignment.transformer") != [], name  # not today's
