"""The project is a package: pyproject.toml's pins are requirements.txt's, and .venv has it installed."""
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from assignment.paths import REPO_ROOT

PIN = re.compile(r"^\s*([A-Za-z0-9_.\[\]-]+)==([^\s;#]+)")


def pins(*names):
    found = {}
    for name in names:
        for line in (REPO_ROOT / name).read_text(encoding="utf-8").splitlines():
            match = PIN.match(line)
            if match:
                found[match.group(1).lower()] = match.group(2)
    return found


def pyproject():
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_pyproject_pins_are_the_tested_requirements():
    project = pyproject()
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    pinned = {}
    for requirement in declared:
        match = PIN.match(requirement)
        assert match, f"pyproject.toml: {requirement!r} is not pinned with =="
        assert match.group(1).lower() not in pinned, f"pyproject.toml lists {requirement!r} twice"
        pinned[match.group(1).lower()] = match.group(2)
    assert pinned == pins("requirements.txt", "requirements-test.txt")


def test_the_learner_packages_are_the_base_dependencies():
    from assignment.release.environment import LEARNER_PACKAGES
    base = {PIN.match(r).group(1).lower() for r in pyproject()["dependencies"]}
    assert base == set(LEARNER_PACKAGES)


def test_the_console_script_names_a_function_of_the_cli():
    import importlib
    module, _, function = pyproject()["scripts"]["assignment"].partition(":")
    assert callable(getattr(importlib.import_module(module), function))


def _clean_env():
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def test_any_process_of_the_environment_imports_the_package_without_pythonpath(tmp_path):
    """`make setup` installs the project (editable): from another folder, with no
    PYTHONPATH, Python finds this repository's package (a Dask worker relies on it)."""
    done = subprocess.run([sys.executable, "-c", "import assignment; print(assignment.__file__)"],
                          cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"the package is not installed in {sys.prefix} (run make setup): {done.stderr}"
    assert Path(done.stdout.strip()) == REPO_ROOT / "assignment" / "__init__.py"


def test_the_console_script_runs(tmp_path):
    script = Path(sys.executable).parent / "assignment"
    if not script.exists():
        pytest.fail(f"no console script {script}: make setup installs the project (pip install -e .)")
    done = subprocess.run([str(script), "--help"], cwd=tmp_path, env=_clean_env(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "verbs" in done.stdout, done.stderr
