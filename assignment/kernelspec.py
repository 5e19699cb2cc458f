"""The project's Jupyter kernel spec: the kernel itself selects Keras 2 (tf-keras).

TensorFlow reads ``TF_USE_LEGACY_KERAS`` once, when it is first imported, so a notebook
whose first cell is ``import tensorflow as tf`` gets Keras 3 unless the kernel process
already has the variable. Every front-end (JupyterLab, VS Code's Jupyter kernels,
nbclient) starts a kernel from its kernel spec and adds the spec's ``"env"`` to the
kernel's environment (https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs),
so the project's kernel carries it there. ``make setup`` runs::

    python -m assignment kernel      # installs "python3" into this Python's sys.prefix

which runs ``ipykernel install --prefix PREFIX --name NAME --display-name ...`` (the
kernel's ``argv``, logos, metadata) and then writes ``KERNEL_ENV`` into its
``kernel.json``. With the kernel in the virtual environment's ``share/jupyter/kernels``,
Jupyter run from that environment finds it first (``jupyter --paths``: the environment's
data folder comes before the user's).

Standard library only, and nothing from this package: the learner's release ships this
file as it is and its set-up runs ``python kernelspec.py``.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

NAME = "python3"
DISPLAY_NAME = "Python 3 (Transformer assignment)"
# tf-keras before TensorFlow loads; TensorFlow's start-up notices off (C++ log: errors and
# above; oneDNN's custom CPU operations off, which TensorFlow announces on stderr
# whatever the log level, and which the kernel would show in red under the first cell).
KERNEL_ENV = {"TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}
MAX_SPEC_BYTES = 1 << 20  # a kernel.json is a few hundred bytes


class KernelSpecError(RuntimeError):
    """The kernel spec cannot be installed or read; the message says which file and why."""


def spec_file(prefix, name: str = NAME) -> Path:
    """Where ``ipykernel install --prefix PREFIX --name NAME`` writes the kernel.json."""
    return Path(prefix) / "share" / "jupyter" / "kernels" / name / "kernel.json"


def read_spec(path) -> dict:
    """The kernel spec at ``path``, checked: a JSON object with an ``argv`` list."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise KernelSpecError(f"{path}: no kernel spec there (not a regular file)")
    if path.stat().st_size > MAX_SPEC_BYTES:
        raise KernelSpecError(f"{path}: {path.stat().st_size} bytes, too large for a kernel spec")
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise KernelSpecError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("argv"), list):
        raise KernelSpecError(f"{path}: not a kernel spec (expected a JSON object with an \"argv\" list)")
    if not isinstance(spec.get("env", {}), dict):
        raise KernelSpecError(f"{path}: its \"env\" is not a JSON object")
    return spec


def add_env(path, env=None) -> dict:
    """Merge ``env`` (default ``KERNEL_ENV``) into the ``"env"`` of the kernel spec at
    ``path``, keeping its other variables; written atomically. Returns the new spec."""
    env = dict(KERNEL_ENV if env is None else env)
    for key, value in env.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise KernelSpecError(f"environment variables of a kernel spec are strings: {key!r}={value!r}")
    path = Path(path)
    spec = read_spec(path)
    spec["env"] = {**spec.get("env", {}), **env}
    # Its own atomic write, not assignment.atomic's: this file runs alone, as a script (the release's set-up).
    handle, temporary = tempfile.mkstemp(prefix=".kernel-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(spec, out, indent=1, sort_keys=True)
            out.write("\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return spec


def install(prefix=None, name: str = NAME, display_name: str = DISPLAY_NAME, env=None,
            python: str = sys.executable) -> Path:
    """Install the kernel ``name`` for ``python`` under ``prefix`` (default: this Python's
    ``sys.prefix``) with ``env`` in its spec; returns the kernel.json's path."""
    prefix = sys.prefix if prefix is None else str(prefix)
    command = [python, "-m", "ipykernel", "install", "--prefix", prefix, "--name", name,
               "--display-name", display_name]
    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    except OSError as error:
        raise KernelSpecError(f"`{' '.join(command[1:4])}` failed: cannot run {python} ({error.strerror})") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise KernelSpecError(f"`{' '.join(command[1:4])}` failed for {python} (exit {result.returncode}): {last}")
    path = spec_file(prefix, name)
    add_env(path, env)
    return path


def install_and_describe(prefix=None, name: str = NAME, display_name: str = DISPLAY_NAME) -> str:
    """Install the kernel (``install``); returns the line that says where, with its env."""
    path = install(prefix, name, display_name)
    return (f"kernel {name!r} ({display_name}): {path}, env "
            + " ".join(f"{key}={value}" for key, value in sorted(KERNEL_ENV.items())))


def _script(argv) -> int:
    """``python kernelspec.py [PREFIX]``: the copy a learner's release ships runs on its own
    (``python -m assignment kernel`` is the repository's command, assignment/cli.py)."""
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: python kernelspec.py [PREFIX]  (default PREFIX: this Python's sys.prefix)", file=sys.stderr)
        return 2
    try:
        print(install_and_describe(argv[0] if argv else None))
    except (KernelSpecError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_script(sys.argv[1:]))
