"""The learner's release set up as a learner would (slow; shared by the tests that need it)."""
import shutil

import pytest


@pytest.fixture(scope="session")
def learner_setup(tmp_path_factory):
    """A folder holding only the student release (``python -m assignment release DIR``),
    set up with its README's first command in a fresh virtual environment (``.venv`` there).
    Shared by every test of the session that uses the learner's environment."""
    from assignment.cli import main
    from tests.release.learner_release import set_up

    folder = tmp_path_factory.mktemp("learner") / "week4"
    assert main(["release", str(folder)]) == 0
    pristine = tmp_path_factory.mktemp("pristine") / "week4"
    shutil.copytree(folder, pristine)  # the notebooks as shipped, before anything runs in them
    set_up(folder)
    return {"folder": folder, "pristine": pristine}
