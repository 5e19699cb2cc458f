"""Test configuration: tf-keras before TensorFlow, the repo root importable, and the
``--browser`` option (the ``browser`` tests run only with it: ``make test-browser``).
Markers are registered in pytest.ini."""
import os
import sys

import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import assignment  # noqa: E402,F401


def pytest_addoption(parser):
    parser.addoption("--browser", action="store_true",
                     help="run the tests marked browser (JupyterLab in headless Chromium)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--browser"):
        return
    skip = pytest.mark.skip(reason="browser test: run it with make test-browser (pytest --browser)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def learner_setup(tmp_path_factory):
    """A folder holding only the student release (``python -m assignment release DIR``),
    set up with its README's first command in a fresh virtual environment (``.venv`` there).
    Shared by every test of the session that uses the learner's environment."""
    import shutil

    from assignment.cli import main
    from tests.release.learner_release import set_up  # the helpers of tests/release, imported when used

    folder = tmp_path_factory.mktemp("learner") / "week4"
    assert main(["release", str(folder)]) == 0
    pristine = tmp_path_factory.mktemp("pristine") / "week4"
    shutil.copytree(folder, pristine)  # the notebooks as shipped, before anything runs in them
    set_up(folder)
    return {"folder": folder, "pristine": pristine}
