"""Submissions as course platforms export them: each layout, archives (hostile ones too) and
symbolic links in a submissions tree. Discovery and unpacking are pure Python (fast); one
slow test grades a Canvas zip end to end."""
import csv
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

from assignment.grade import intake, platform_layouts
from assignment.grade.archive import ArchiveError, UnpackLimits, safe_parts, unpacked

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SUBMISSIONS = ROOT / "tests" / "submissions"
NOTEBOOK = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []})

# Gradescope's submission_metadata.yml, in the shape public parsers of it read (see docs/intake.md).
GRADESCOPE_METADATA = """\
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: ada@example.edu
  :created_at: 2024-03-01 10:00:00.000000000 -08:00
  :score: 0.0
  :status: processed
submission_102:
  :submitters:
  - :name: Pair One
    :sid: '200'
  - :name: Pair Two
    :sid: '201'
  :history: []
"""


def write(path: Path, text: str = NOTEBOOK) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rows_of(found):
    return [(s.where, s.student, s.error is None) for s in found.submissions]


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """tempfile's folder, watched: every test here checks nothing is left in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == [], "the unpacked archive was left behind"


# --------------------------------------------------------------------------- layouts (folders)

def test_gradescope_export_names_students_from_the_metadata(tmp_path):
    root = tmp_path / "assignment_9_export"
    write(root / "submission_metadata.yml", GRADESCOPE_METADATA)
    write(root / "submission_101" / "Transformer.ipynb")
    write(root / "submission_102" / "Transformer.ipynb")
    write(root / "submission_102" / "helpers.py", "x = 1\n")  # beside a notebook: a helper, not a submission
    write(root / "submission_103" / "report.pdf", "%PDF")  # no notebook: an error row, not silence
    found = intake.discover(tmp_path)
    assert found.layout == "gradescope"
    assert rows_of(found) == [
        ("assignment_9_export/submission_101/Transformer.ipynb", "Ada Lovelace (1001)", True),
        ("assignment_9_export/submission_102/Transformer.ipynb", "Pair One (200); Pair Two (201)", True),
        ("assignment_9_export/submission_103", "submission_103", False)]
    assert "1 folders not in submission_metadata.yml" in found.line()
    staged = intake.copies_to_grade(found, tmp_path / "grades" / "submissions")
    names = [s.path.name for s in staged if s.error is None]
    assert names == ["submission_101-Transformer.ipynb", "submission_102-Transformer.ipynb"]  # unique
    assert "Gradescope export: 2 submissions of 2 students; 1 not gradable" in found.line()


@pytest.mark.parametrize("metadata, problem", [
    ("a: &x [1, 2]\nb: *x\n", "not valid YAML (aliases are not accepted"),
    ("- just\n- a list\n", "not a mapping"),
    ("key: [unclosed\n", "not valid YAML"),
    ("!!python/object:os.system {}\n", "not valid YAML"),
])
def test_gradescope_metadata_is_read_defensively(tmp_path, metadata, problem):
    write(tmp_path / "submission_metadata.yml", metadata)
    write(tmp_path / "submission_1" / "a.ipynb")
    found = intake.discover(tmp_path)
    assert found.layout == "gradescope" and problem in found.line()
    assert rows_of(found) == [("submission_1/a.ipynb", "submission_1", True)]


def test_gradescope_metadata_size_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(platform_layouts, "MAX_METADATA_BYTES", 100)
    write(tmp_path / "submission_metadata.yml", GRADESCOPE_METADATA)
    write(tmp_path / "submission_101" / "a.ipynb")
    found = intake.discover(tmp_path)
    assert "larger than" in found.line() and rows_of(found)[0][1] == "submission_101"


def test_canvas_files_give_name_user_id_and_late(tmp_path):
    write(tmp_path / "lovelaceada_1001_55501_Transformer.ipynb")
    write(tmp_path / "turingalan_LATE_1002_55502_Transformer-1.ipynb")
    (tmp_path / "hopper_1003_55503_b.py").symlink_to(ROOT / "assignment" / "transformer.py")
    found = intake.discover(tmp_path)
    link = found.submissions.pop(0)
    assert link.student == "hopper (1003)" and "symbolic link" in link.error  # an error row, still hers
    assert found.layout == "canvas" and found.flat  # unique flat names: graded where they are
    assert rows_of(found) == [("lovelaceada_1001_55501_Transformer.ipynb", "lovelaceada (1001)", True),
                              ("turingalan_LATE_1002_55502_Transformer-1.ipynb", "turingalan (1002)", True)]
    assert [s.late for s in found.submissions] == [False, True] and "1 late" in found.line()


def test_moodle_folders_and_the_older_flat_names(tmp_path):
    write(tmp_path / "Ada Lovelace_1001_assignsubmission_file_" / "Transformer.ipynb")
    write(tmp_path / "Alan Turing_1002_assignsubmission_onlinetext_" / "onlinetext.html", "<p>hi</p>")
    write(tmp_path / "Grace Hopper_1003_assignsubmission_file_Transformer.ipynb")
    found = intake.discover(tmp_path)
    assert found.layout == "moodle"
    assert rows_of(found) == [
        ("Ada Lovelace_1001_assignsubmission_file_/Transformer.ipynb", "Ada Lovelace (1001)", True),
        ("Grace Hopper_1003_assignsubmission_file_Transformer.ipynb", "Grace Hopper (1003)", True)]


@pytest.mark.parametrize("given", ["course", "course/submitted"])
def test_nbgrader_submitted_tree(tmp_path, given):
    course = tmp_path / "course"
    write(course / "submitted" / "alice" / "ps1" / "Transformer.ipynb")
    write(course / "submitted" / "alice" / "ps1" / "timestamp.txt", "2024-03-01 10:00:00 UTC")
    write(course / "submitted" / "bob" / "ps1" / "Transformer.ipynb")
    write(course / "source" / "ps1" / "Transformer.ipynb")  # the instructor's copy is not a submission
    found = intake.discover(tmp_path / given)
    assert found.layout == "nbgrader"
    prefix = "submitted/" if given == "course" else ""  # places are relative to what was given
    assert rows_of(found) == [(f"{prefix}alice/ps1/Transformer.ipynb", "alice", True),
                              (f"{prefix}bob/ps1/Transformer.ipynb", "bob", True)]
    staged = intake.copies_to_grade(found, tmp_path / "grades" / "submissions")
    assert [s.path.name for s in staged] == ["alice-ps1-Transformer.ipynb", "bob-ps1-Transformer.ipynb"]


def test_plain_files_and_a_folder_per_student(tmp_path):
    write(tmp_path / "plain" / "a.ipynb")
    write(tmp_path / "plain" / "b.py", "x = 1\n")
    write(tmp_path / "plain" / "notes.txt", "not a submission")
    found = intake.discover(tmp_path / "plain")
    assert found.layout == "plain" and found.flat
    assert rows_of(found) == [("a.ipynb", "a.ipynb", True), ("b.py", "b.py", True)]
    write(tmp_path / "folders" / "alice" / "work.ipynb")
    write(tmp_path / "folders" / "bob" / "deep" / "work.ipynb")
    found = intake.discover(tmp_path / "folders")
    assert found.layout == "folders" and not found.flat
    assert rows_of(found) == [("alice/work.ipynb", "alice", True), ("bob/deep/work.ipynb", "bob", True)]


def test_copies_get_unique_names_even_when_names_clean_to_the_same(tmp_path):
    write(tmp_path / "a b" / "work.ipynb")
    write(tmp_path / "a_b" / "work.ipynb")
    write(tmp_path / "a_b" / "sub" / "work.ipynb")
    found = intake.discover(tmp_path)
    staged = intake.copies_to_grade(found, tmp_path / "out")
    assert [s.path.name for s in staged] == ["a_b-work.ipynb", "a_b-work-2.ipynb", "a_b-work-3.ipynb"]


def test_the_grades_folder_inside_the_tree_is_not_read(tmp_path):
    write(tmp_path / "alice" / "work.ipynb")
    write(tmp_path / "bob" / "work.ipynb")
    write(tmp_path / "grades" / "submissions" / "alice-work.ipynb")
    found = intake.discover(tmp_path, exclude=[tmp_path / "grades"])
    assert [s.student for s in found.submissions] == ["alice", "bob"]


# --------------------------------------------------------------------------- symbolic links

def test_symlinks_anywhere_are_error_rows_never_followed(tmp_path):
    reference = ROOT / "assignment" / "transformer.py"
    outside = write(tmp_path / "outside" / "stolen.ipynb")
    root = tmp_path / "export"
    write(root / "submission_metadata.yml", GRADESCOPE_METADATA)
    write(root / "submission_101" / "Transformer.ipynb")
    (root / "submission_101" / "b.py").symlink_to(reference)  # a file link in a submission
    (root / "submission_102").mkdir()
    (root / "submission_102" / "work").symlink_to(outside.parent, target_is_directory=True)  # a folder link
    (root / "submission_103").symlink_to(outside.parent, target_is_directory=True)  # a submission that is a link
    found = intake.discover(root)
    by_where = {s.where: s for s in found.submissions}
    assert by_where["submission_101/Transformer.ipynb"].error is None
    for where, target in [("submission_101/b.py", reference), ("submission_102/work", outside.parent),
                          ("submission_103", outside.parent)]:
        error = by_where[where].error
        assert error and "symbolic link" in error and "not followed" in error and str(target) in error, where
    assert not any("stolen" in s.where for s in found.submissions)
    staged = intake.copies_to_grade(found, tmp_path / "grades" / "submissions")
    assert [p.name for p in (tmp_path / "grades" / "submissions").iterdir()] == ["submission_101-Transformer.ipynb"]
    assert sum(1 for s in staged if s.error is None) == 1


def test_a_file_swapped_for_a_link_after_discovery_is_not_read(tmp_path):
    write(tmp_path / "alice" / "work.ipynb")
    found = intake.discover(tmp_path)
    (tmp_path / "alice" / "work.ipynb").unlink()
    (tmp_path / "alice" / "work.ipynb").symlink_to(ROOT / "assignment" / "transformer.py")
    staged = intake.copies_to_grade(found, tmp_path / "out")
    assert "symbolic link; not followed" in staged[0].error  # O_NOFOLLOW: the link itself fails to open


def test_a_symlink_to_the_reference_is_an_error_row_not_a_full_score(tmp_path):
    """Before intake, ``b.py -> assignment/transformer.py`` was graded as a script: 100/100."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "b.py").symlink_to(ROOT / "assignment" / "transformer.py")
    out = tmp_path / "grades.csv"
    process = run_grade(folder, "--out", out)
    assert process.returncode == 0, process.stderr[-2000:]
    rows = read_csv(out)
    assert [row["file"] for row in rows] == ["b.py"]
    assert rows[0]["total"] == "0", rows[0]
    assert "symbolic link" in rows[0]["errors"] and "not followed" in rows[0]["errors"], rows[0]
    assert "Read submissions: plain files: 0 submissions of 0 students; 1 not gradable" in process.stdout


# --------------------------------------------------------------------------- archives

def zip_of(path: Path, entries) -> Path:
    """entries: (name, bytes) or (zipfile.ZipInfo, bytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def link_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def tar_of(path: Path, members, mode="w:gz") -> Path:
    """members: (TarInfo, bytes or None)."""
    with tarfile.open(path, mode) as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def tar_info(name, kind=tarfile.REGTYPE, linkname=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info


def test_a_canvas_zip_is_unpacked_privately_and_removed(tmp_path, private_tmp):
    archive = zip_of(tmp_path / "submissions.zip", [("lovelaceada_1001_1_Transformer.ipynb", NOTEBOOK),
                                                    ("turingalan_LATE_1002_2_Transformer.ipynb", NOTEBOOK),
                                                    ("turingalan_LATE_1002_3_essay.pdf", b"%PDF" * 100)])
    with intake.opened(archive) as found:
        root = next(private_tmp.iterdir())
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
        assert sorted(p.name for p in root.iterdir()) == ["lovelaceada_1001_1_Transformer.ipynb",
                                                          "turingalan_LATE_1002_2_Transformer.ipynb"]  # no pdf
        staged = intake.copies_to_grade(found, tmp_path / "grades" / "submissions")
    assert found.layout == "canvas" and found.archive and not found.flat
    assert "submissions.zip: a Canvas export (archive): 2 submissions of 2 students, 1 late" in found.line()
    assert all(s.path.is_file() and s.path.parent == tmp_path / "grades" / "submissions" for s in staged)


def test_an_nbgrader_tar_gz(tmp_path, private_tmp):
    archive = tar_of(tmp_path / "course.tgz", [
        (tar_info("course/submitted/alice/ps1/Transformer.ipynb"), NOTEBOOK.encode()),
        (tar_info("course/submitted/bob/ps1/Transformer.ipynb"), NOTEBOOK.encode())])
    with intake.opened(archive) as found:
        intake.copies_to_grade(found, tmp_path / "out")
    assert found.layout == "nbgrader" and [s.student for s in found.submissions] == ["alice", "bob"]


@pytest.mark.parametrize("name, why", [
    ("../evil.ipynb", "outside the archive"),
    ("a/../../evil.ipynb", "outside the archive"),
    ("/tmp/abs.ipynb", "an absolute path"),
    ("C:\\Users\\evil.ipynb", "a drive letter"),
    ("..\\evil.ipynb", "outside the archive"),
    ("a\x01b.ipynb", "control character"),
])
def test_zip_entries_outside_the_folder_are_refused(tmp_path, private_tmp, name, why):
    archive = zip_of(tmp_path / "x.zip", [(name, NOTEBOOK), ("ok.ipynb", NOTEBOOK)])
    with intake.opened(archive) as found:
        pass
    assert [s.where for s in found.submissions if s.error is None] == ["ok.ipynb"]
    refused = [s for s in found.submissions if s.error]
    assert len(refused) == 1 and why in refused[0].error and "refused" in refused[0].error
    assert not (tmp_path / "evil.ipynb").exists() and not Path("/tmp/abs.ipynb").exists()


def test_safe_parts():
    assert safe_parts("a/./b//c.ipynb") == (["a", "b", "c.ipynb"], "")
    assert safe_parts("a/b/../c")[0] is None
    assert safe_parts("/".join(["d"] * 40))[0] is None


def test_link_and_special_entries_are_refused_and_reported(tmp_path, private_tmp):
    archive = zip_of(tmp_path / "links.zip", [(link_info("b.py"), str(ROOT / "assignment" / "transformer.py")),
                                              ("a.ipynb", NOTEBOOK)])
    with intake.opened(archive) as found:
        root = next(private_tmp.iterdir())
        assert not os.path.lexists(root / "b.py")
    assert [(s.where, s.error) for s in found.submissions if s.error] == [
        ("b.py", "archive entry 'b.py' refused: a symbolic link entry")]
    archive = tar_of(tmp_path / "links.tar.gz", [
        (tar_info("sub/b.py", tarfile.SYMTYPE, str(ROOT / "assignment" / "transformer.py")), None),
        (tar_info("sub/c.py", tarfile.LNKTYPE, "sub/a.ipynb"), None),
        (tar_info("sub/tty", tarfile.CHRTYPE), None),
        (tar_info("sub/fifo", tarfile.FIFOTYPE), None),
        (tar_info("sub/a.ipynb"), NOTEBOOK.encode())])
    with intake.opened(archive) as found:
        root = next(private_tmp.iterdir())
        assert sorted(p.name for p in (root / "sub").iterdir()) == ["a.ipynb"]
    errors = {s.where: s.error for s in found.submissions if s.error}
    assert errors == {"sub/b.py": "archive entry 'sub/b.py' refused: a symbolic link entry",
                      "sub/c.py": "archive entry 'sub/c.py' refused: a hard link entry",
                      "sub/tty": "archive entry 'sub/tty' refused: a device entry",
                      "sub/fifo": "archive entry 'sub/fifo' refused: a FIFO entry"}


def test_a_refused_entry_is_the_row_of_the_student_it_came_from(tmp_path, private_tmp):
    archive = zip_of(tmp_path / "gs.zip", [
        ("assignment_9_export/submission_metadata.yml", GRADESCOPE_METADATA),
        ("assignment_9_export/submission_101/Transformer.ipynb", NOTEBOOK),
        (link_info("assignment_9_export/submission_102/Transformer.ipynb"), "/etc/passwd")])
    with intake.opened(archive) as found:
        pass
    assert rows_of(found) == [
        ("assignment_9_export/submission_101/Transformer.ipynb", "Ada Lovelace (1001)", True),
        ("assignment_9_export/submission_102/Transformer.ipynb", "Pair One (200); Pair Two (201)", False)]
    archive = zip_of(tmp_path / "canvas.zip", [("a_1_2_x.ipynb", NOTEBOOK), (link_info("hopper_1003_503_b.py"), "/x")])
    with intake.opened(archive) as found:
        pass
    assert [s.student for s in found.submissions] == ["a (1)", "hopper (1003)"]


def test_a_zip_bomb_is_refused_with_one_line(tmp_path, private_tmp, monkeypatch):
    archive = zip_of(tmp_path / "bomb.zip", [("a.ipynb", NOTEBOOK), ("bomb.ipynb", b"\0" * (8 << 20))])
    with pytest.raises(ArchiveError) as error:
        with intake.opened(archive):
            pass
    message = str(error.value)
    assert "\n" not in message and "bomb.zip" in message and "compressed more than 200 to 1" in message
    from assignment.grade import archive as archive_module
    with monkeypatch.context() as patch:
        patch.setattr(archive_module._Writer, "file", lambda *args: pytest.fail("a byte written before the check"))
        with pytest.raises(ArchiveError, match="compressed more than 200 to 1"):  # from the headers, first
            with unpacked(archive):
                pass
    small = UnpackLimits(total_size=4 << 20, ratio=10_000)  # the ratio let through: the total size stops it
    with pytest.raises(ArchiveError, match="unpacks to more than 4 MiB"):
        with unpacked(archive, small):
            pass


def test_a_zip_entry_larger_than_declared_is_caught(tmp_path, private_tmp):
    archive = zip_of(tmp_path / "liar.zip", [("a.ipynb", b"x" * 5000)])
    data = bytearray(archive.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")  # central directory: "100 bytes"
    local = data.find(b"PK\x03\x04")
    data[local + 22:local + 26] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    with pytest.raises(ArchiveError):  # zipfile stops at the declared size, then the CRC fails: corrupt
        with unpacked(archive):
            pass


def test_a_tar_gz_bomb_is_refused(tmp_path, private_tmp):
    archive = tar_of(tmp_path / "bomb.tar.gz", [(tar_info("a.ipynb"), b"\0" * (8 << 20))])
    with pytest.raises(ArchiveError, match="compressed more than 200 to 1"):
        with unpacked(archive):
            pass


def test_too_many_entries_are_refused(tmp_path, private_tmp, monkeypatch):
    limits = UnpackLimits(entries=10)
    archive = zip_of(tmp_path / "many.zip", [(f"f{i}.txt", "x") for i in range(11)])
    with pytest.raises(ArchiveError, match="more than 10 entries"):
        with unpacked(archive, limits):
            pass
    from assignment.grade import archive as archive_module
    with monkeypatch.context() as patch:
        patch.setattr(archive_module.zipfile, "ZipFile", lambda *args: pytest.fail("the directory was read"))
        with pytest.raises(ArchiveError, match="more than 10 entries"):  # from the end record, first
            with unpacked(tmp_path / "many.zip", limits):
                pass
    archive = tar_of(tmp_path / "many.tar.gz", [(tar_info(f"f{i}.txt"), b"x") for i in range(11)])
    with pytest.raises(ArchiveError, match="more than 10 entries"):
        with unpacked(archive, limits):
            pass


@pytest.mark.parametrize("name, data", [
    ("random.zip", os.urandom(4000)),
    ("random.tar.gz", b"\x1f\x8b" + os.urandom(4000)),
    ("empty.tgz", b""),
])
def test_a_corrupt_archive_is_one_clear_error(tmp_path, private_tmp, name, data):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ArchiveError) as error:
        with intake.opened(tmp_path / name):
            pass
    assert name in str(error.value) and "\n" not in str(error.value)


def test_a_truncated_zip_is_one_clear_error(tmp_path, private_tmp):
    archive = zip_of(tmp_path / "cut.zip", [("a.ipynb", os.urandom(20000))])
    data = archive.read_bytes()
    archive.write_bytes(data[:5000] + data[-22:])  # the end record still there, the data gone
    with pytest.raises(ArchiveError, match="cut.zip"):
        with intake.opened(archive):
            pass


def test_the_cli_refuses_a_bomb_or_corrupt_archive_with_exit_2(tmp_path):
    zip_of(tmp_path / "bomb.zip", [("bomb.ipynb", b"\0" * (8 << 20))])
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    for name in ("bomb.zip", "corrupt.zip"):
        process = run_grade(tmp_path / name, "--out", tmp_path / "grades.csv", timeout=120)
        assert process.returncode == 2, process.stderr
        lines = process.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and name in lines[0], process.stderr
        assert "Traceback" not in process.stderr


# --------------------------------------------------------------------------- end to end

def run_grade(*args, timeout=900, quiet=True):
    return subprocess.run([sys.executable, "-m", "assignment", "grade", *map(str, args)] + ["--quiet"] * quiet,
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_grade_a_canvas_zip_end_to_end(tmp_path):
    archive = zip_of(tmp_path / "canvas.zip", [
        ("lovelaceada_1001_501_Transformer.ipynb", (SUBMISSIONS / "all_correct.ipynb").read_bytes()),
        ("turingalan_LATE_1002_502_Transformer.ipynb", (SUBMISSIONS / "learner_release.ipynb").read_bytes()),
        (link_info("hopper_1003_503_b.py"), str(ROOT / "assignment" / "transformer.py"))])
    out = tmp_path / "grades.csv"
    process = run_grade(archive, "--out", out, "--jobs", "1", "--timeout", "60")
    assert process.returncode == 0, process.stderr[-3000:]
    assert "canvas.zip: a Canvas export (archive): 2 submissions of 2 students, 1 late; 1 not gradable" \
        in process.stdout
    rows = {row["student"]: row for row in read_csv(out)}
    assert rows["lovelaceada (1001)"]["total"] == "100", rows
    assert rows["turingalan (1002)"]["total"] == "0"
    assert rows["hopper (1003)"]["total"] == "0" and "symbolic link entry" in rows["hopper (1003)"]["errors"]
    document = json.loads((tmp_path / "grades" / "lovelaceada_1001_501_Transformer.json").read_text())
    assert document["student"] == "lovelaceada (1001)" and document["score"] == 100
    assert Path(document["file"]).is_file()  # the graded copy stays beside the grades
    summary = json.loads((tmp_path / "grades-summary.json").read_text())
    assert summary["submissions"] == 3
    assert [p["student"] for p in summary["problems"]] == ["hopper (1003)"]
    again = run_grade(archive, "--out", out, "--jobs", "1", "--timeout", "60", quiet=False)  # resumable
    assert again.returncode == 0 and "2 of 2 submissions unchanged" in again.stderr, again.stderr[-3000:]
    assert {row["student"]: row["total"] for row in read_csv(out)} == {
        student: row["total"] for student, row in rows.items()}
