"""assignment/atomic.py: the one atomic file write. A failed write leaves the old file as it
was, and no temporary file is left behind, whether the write succeeds or fails."""
import os
import stat
import zipfile

import pytest

from assignment import atomic


def leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_text_and_bytes_replace_the_file_and_leave_nothing_else(tmp_path):
    path = tmp_path / "deep" / "er" / "grades.json"  # missing folders are created
    atomic.write_text(path, "first\r\n")
    assert path.read_bytes() == b"first\r\n"  # written as given: no newline translation
    assert atomic.write_bytes(path, b"\x00second") == path
    assert path.read_bytes() == b"\x00second"
    assert os.listdir(path.parent) == ["grades.json"]


@pytest.mark.parametrize("write", [
    lambda path: atomic.write_text(path, "half of it \ud800"),  # not encodable: fails while writing
    lambda path: atomic.write_bytes(path, "text, not bytes"),  # the writer raises TypeError
], ids=["text", "bytes"])
def test_a_failed_write_keeps_the_old_file(tmp_path, write):
    path = tmp_path / "grades.json"
    path.write_text("old")
    with pytest.raises((UnicodeEncodeError, TypeError)):
        write(path)
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_a_failed_replace_removes_the_temporary_file(tmp_path):
    target = tmp_path / "a-folder"  # os.replace cannot put a file over a non-empty folder
    target.mkdir()
    (target / "inside").write_text("kept")
    with pytest.raises(OSError):
        atomic.write_text(target, "new")
    assert (target / "inside").read_text() == "kept"
    assert leftovers(tmp_path) == []


def test_a_block_that_raises_leaves_the_old_archive(tmp_path):
    archive = tmp_path / "release.zip"
    with atomic.replacing(archive) as temporary:
        with zipfile.ZipFile(temporary, "w") as bundle:
            bundle.writestr("a.txt", "one")
    with pytest.raises(RuntimeError):
        with atomic.replacing(archive) as temporary:
            with zipfile.ZipFile(temporary, "w") as bundle:
                bundle.writestr("b.txt", "two")
                raise RuntimeError("the build failed half-way")
    with zipfile.ZipFile(archive) as bundle:
        assert bundle.namelist() == ["a.txt"]
    assert leftovers(tmp_path) == []


def test_permissions_follow_the_umask_unless_a_mode_is_given(tmp_path):
    plain, chosen = tmp_path / "plain.txt", tmp_path / "chosen.json"
    umask = os.umask(0o022)
    try:
        atomic.write_text(plain, "x")
    finally:
        os.umask(umask)
    atomic.write_text(chosen, "{}", mode=0o640)
    assert stat.S_IMODE(plain.stat().st_mode) == 0o644
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o640


def test_a_link_at_the_target_is_replaced_not_written_through(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("must not change")
    link = tmp_path / "grades.json"
    link.symlink_to(outside)
    atomic.write_text(link, "new")
    assert not link.is_symlink() and link.read_text() == "new"
    assert outside.read_text() == "must not change"
