"""Where things are in the repository (or in a learner's release, which has the same layout).

The one place that knows the package sits one folder below the repository's root; every
module that needs a path of the project takes it from here.
"""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent  # assignment/ (assignment_lab/ in a learner's release)
REPO_ROOT = PACKAGE_DIR.parent
NOTEBOOK_DIR = REPO_ROOT / "notebooks"  # the generated notebooks, where learners open them
SOURCE_DIR = NOTEBOOK_DIR / "source"  # their Markdown sources
BUILD_DIR = REPO_ROOT / "build"  # everything the commands write by default
DATA_DIR = REPO_ROOT / "data"  # the lab's shipped data
GRADE_CACHE_DIR = BUILD_DIR / "grade-cache"
