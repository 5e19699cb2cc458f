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
