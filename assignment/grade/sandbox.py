"""Run the learner's code in a separate, confined child process; bring back observations.

The child is a fresh interpreter (``python -I``: no user site, no ``PYTHON*`` variables)
running ``runner.py``, confined as ``isolation.select`` decides:

* ``bwrap``: under bubblewrap, in new user (uid 65534), PID, network, IPC and UTS
  namespaces, all capabilities dropped, ``--die-with-parent``, ``--new-session``; it sees
  only the Python runtime and the virtual environment (read-only), the staged allowlisted
  project modules (read-only, never the reference solutions), ``/proc``, a minimal
  ``/dev`` and private tmpfs folders (working directory, ``HOME``, ``TMPDIR``, ``/dev/shm``);
* ``landlock``: a Landlock ruleset on the child confines its file access to the same
  read-only set and its own temporary folders, and forbids TCP, abstract sockets and
  signals out of the sandbox;
* ``none``: a child process only (as before this module knew about isolation);

and in every case in its own session, stdin closed, output going to a file the grader
reads truncated, with resource limits set by the child on itself (soft = hard), a pids
cgroup capping its processes where one can be created (RLIMIT_NPROC in its own uid under
bwrap), and a wall-clock timeout per exercise.

The reference solutions never reach the child as a file: ``load_reference`` reads them
once in this process (their SHA-256 goes into the results), and the child gets each
definition XOR-ed with a one-time pad, the pads over a separate pipe (``seal``). The
child only sends back, per exercise, the observations of ``probe`` (JSON and ``.npy``
bytes, decoded here without pickle) or an error. Each line carries an HMAC with a key
that learner code never sees, and lines must arrive in the expected order, so a
submission cannot forge another exercise's result. When the child dies or hangs on
exercise k, k is marked (error/timeout) and a new child grades the rest (when two
exercises were running, they are retried one at a time to find the culprit). A session
keeps its child between submissions, so a batch worker imports TensorFlow once.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from assignment.grade import isolation, runner
from assignment.paths import REPO_ROOT

MAX_LINE = 80 << 20  # bytes of one result line the grader accepts
GRACE = 15.0  # seconds the grader waits beyond the runner's own deadlines


@dataclass
class Limits:
    timeout: float = 60.0  # wall-clock seconds per exercise
    memory: int = 4 << 30  # bytes of address space of the child
    file_size: int = 64 << 20  # bytes of the largest file the child may write
    open_files: int = 1024
    startup: float = 180.0  # seconds for the child to import TensorFlow
    threads: int = 0  # TensorFlow threads per exercise (0: TensorFlow's default)
    parallel: int = 1  # exercises of one submission probed at the same time
    isolation: str = "auto"  # isolation.CHOICES; resolved by isolation.select when the child starts

    def for_child(self, mode: str) -> dict:
        cores = os.cpu_count() or 1
        limits = {"memory": self.memory, "file_size": self.file_size, "open_files": self.open_files,
                  "exercise_cpu": int(self.timeout * cores + 10)}  # the fork server itself runs no learner
        # code and serves a whole batch: no CPU limit of its own
        if mode == "bwrap":  # its own uid in its own user namespace: RLIMIT_NPROC counts the sandbox only
            limits["tasks"] = self.max_tasks()
        return limits

    def max_tasks(self) -> int:
        """Processes + threads of one sandbox: the fork server's and, per exercise running at
        once, TensorFlow's thread pools with room to spare (a fork bomb hits the limit)."""
        threads = self.threads or os.cpu_count() or 1
        return 64 + max(1, self.parallel) * (4 * threads + 32)


_REFERENCES: Dict[str, dict] = {}


def load_reference(module_name: str) -> dict:
    """The reference module, read once per process, before any child exists: its SHA-256,
    its imports and its top-level definitions (source texts, in file order)."""
    if module_name not in _REFERENCES:
        import ast
        from importlib.util import find_spec
        spec = find_spec(module_name)
        data = Path(spec.origin).read_bytes()
        tree = ast.parse(data.decode("utf-8"))
        imports, definitions = [], []
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.append(ast.unparse(node))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                definitions.append((node.name, ast.unparse(node)))
        _REFERENCES[module_name] = {"module": module_name, "sha256": hashlib.sha256(data).hexdigest(),
                                    "imports": imports, "definitions": definitions}
    return _REFERENCES[module_name]


def seal(definitions) -> tuple:
    """(sealed definitions [name, offset, ciphertext hex], pads): each definition XOR-ed
    with its own slice of a one-time random pad. The child keeps ciphertexts and pads
    apart and wipes the pads in each exercise's process (runner.unseal)."""
    blobs = [source.encode("utf-8") for _, source in definitions]
    pads = secrets.token_bytes(sum(len(blob) for blob in blobs))
    sealed, offset = [], 0
    for (name, _), blob in zip(definitions, blobs):
        pad = int.from_bytes(pads[offset:offset + len(blob)], "big")
        sealed.append([name, offset, (int.from_bytes(blob, "big") ^ pad).to_bytes(len(blob), "big").hex()])
        offset += len(blob)
    return sealed, pads


def _remove_tree(path: Path) -> None:
    """rmtree that also removes the read-only staged modules."""
    for root, dirs, _ in os.walk(path):
        for name in dirs:
            try:
                os.chmod(os.path.join(root, name), 0o700)
            except OSError:
                pass
    shutil.rmtree(path, ignore_errors=True)


def _kill_session(session: int) -> None:
    """SIGKILL every process of session ``session`` (the child and whatever it started)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                stat = handle.read().decode("ascii", "replace")
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) == session:  # fields: state ppid pgrp session ...
                os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            continue


def _tail(path: Path, size: int = 3000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            length = handle.tell()
            handle.seek(max(0, length - size))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


class _Reader(threading.Thread):
    """Reads the child's result lines into a queue (None at EOF)."""

    def __init__(self, fd: int):
        super().__init__(daemon=True)
        self.fd, self.lines = fd, queue.Queue()

    def run(self) -> None:
        buffer = bytearray()
        try:
            while True:
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                buffer += chunk
                while True:
                    end = buffer.find(b"\n")
                    if end < 0:
                        break
                    self.lines.put(bytes(buffer[:end]))
                    del buffer[:end + 1]
                if len(buffer) > MAX_LINE:
                    self.lines.put(b"!overflow")
                    break
        except OSError:
            pass
        finally:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.lines.put(None)


class Tampering(Exception):
    pass


class StartFailed(Exception):
    pass


class RunnerProcess:
    """One child running ``runner.py``; it grades submission after submission."""

    def __init__(self, limits: Limits, static: dict):
        self.limits = limits
        self.isolation = limits.isolation if limits.isolation in ("bwrap", "landlock", "none") \
            else isolation.select(limits.isolation)
        self.private = Path(tempfile.mkdtemp(prefix="grade-job-"))
        self.cwd = Path(tempfile.mkdtemp(prefix="grade-cwd-"))
        self.staged = isolation.stage(self.private / "lib")  # the allowlisted modules only
        self.key = secrets.token_bytes(32)
        reference = static["reference"]
        sealed, pads = seal(reference["definitions"])
        if self.isolation == "bwrap":
            workdir, cwd, read, path = (f"{isolation.SCRATCH}/run", f"{isolation.SCRATCH}/cwd",
                                        isolation.bwrap_read_paths(), isolation.STAGED_AT)
        else:
            (self.private / "run").mkdir()
            workdir, cwd, read, path = (str(self.private / "run"), str(self.cwd),
                                        isolation.read_only_paths() + [str(self.staged)], str(self.staged))
        job = {"reference_module": static["reference_module"],
               "reference": {"imports": reference["imports"], "definitions": sealed},
               "timeout": limits.timeout, "limits": limits.for_child(self.isolation), "threads": limits.threads,
               "parallel": limits.parallel, "isolation": self.isolation, "workdir": workdir,
               "sandbox_read": read, "devices": list(isolation.DEVICES)}
        read_fd, write_fd = os.pipe()
        command_read, command_write = os.pipe()
        secrets_read, secrets_write = os.pipe()
        self.log_path = self.private / "runner.log"
        env = {"PATH": os.defpath, "HOME": cwd, "TMPDIR": cwd, "LANG": "C.UTF-8",
               "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "",
               "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
        # oneDNN exactly as in the grader (the command line sets "0"): the reference values are
        # computed here and compared with tight course tolerances, so both sides must run the
        # same kernels (oneDNN on in one and off in the other moves values by ~1e-6).
        if "TF_ENABLE_ONEDNN_OPTS" in os.environ:
            env["TF_ENABLE_ONEDNN_OPTS"] = os.environ["TF_ENABLE_ONEDNN_OPTS"]
        if limits.threads:
            env["OMP_NUM_THREADS"] = str(limits.threads)
        command = [sys.executable, "-I", "-c", runner.BOOTSTRAP, path, str(write_fd), str(command_read),
                   str(secrets_read)]
        if self.isolation == "bwrap":
            # New user (uid 65534), PID, network, IPC and UTS namespaces; only the runtime,
            # the staged modules, /proc, a minimal /dev and private tmpfs folders visible.
            command = isolation.bwrap_command(isolation.find_bwrap(), self.staged, command)
        self.cgroup = isolation.PidsCgroup.create(limits.max_tasks())
        if self.cgroup is not None:
            command = self.cgroup.prefix() + command
        job["own_cgroup"] = self.cgroup is not None
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.cwd, env=env,
                pass_fds=(write_fd, command_read, secrets_read), start_new_session=True, close_fds=True)
        for fd in (write_fd, command_read, secrets_read):
            os.close(fd)
        self.commands = command_write
        secret = len(self.key).to_bytes(4, "big") + len(pads).to_bytes(4, "big") + self.key + pads
        first = (json.dumps(job) + "\n").encode("utf-8")
        threading.Thread(target=_write_all, args=((secrets_write, secret, True), (command_write, first, False)),
                         daemon=True).start()
        self.reader = _Reader(read_fd)
        self.reader.start()
        self.info: Dict = {}
        self.commands_sent = 0

    def wait_ready(self) -> None:
        try:
            message = self.receive(self.limits.startup)
        except queue.Empty:
            raise StartFailed(f"{_exit_text(self.process)} (not ready after {self.limits.startup:g} s)") from None
        except (Tampering, ValueError) as error:
            raise StartFailed(str(error)) from None
        if message is None:
            raise StartFailed(_exit_text(self.process) + " while starting")
        if message.get("event") != "ready":
            raise StartFailed("unexpected first message")
        self.info = {"tensorflow": message.get("tensorflow"), "python": message.get("python"),
                     "startup_seconds": message.get("seconds"), "isolation": self.isolation,
                     "process_limit": "cgroup" if self.cgroup is not None else
                     ("rlimit" if self.isolation == "bwrap" else None)}

    def send(self, command: dict) -> None:
        data = (json.dumps(command) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(self.commands, view):]
        self.commands_sent += 1

    def receive(self, timeout: float):
        """The next authenticated message, None at EOF; raises queue.Empty or Tampering."""
        line = self.reader.lines.get(timeout=max(0.0, timeout))
        if line is None:
            return None
        if line == b"!overflow":
            raise Tampering("the grading process sent an oversized message")
        mac, _, body = line.partition(b" ")
        expected = hmac.new(self.key, body, hashlib.sha256).hexdigest().encode("ascii")
        if not hmac.compare_digest(mac, expected):
            raise Tampering("a message on the grader's channel was not from the grading process "
                            "(forged by the submission?)")
        message = json.loads(body.decode("utf-8"))
        if not isinstance(message, dict):
            raise Tampering("malformed message")
        return message

    def alive(self) -> bool:
        return self.process.poll() is None

    def cleanup(self) -> None:
        try:
            os.close(self.commands)
        except OSError:
            pass
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
        _kill_session(self.process.pid)
        if self.cgroup is not None:
            self.cgroup.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _remove_tree(self.private)
        _remove_tree(self.cwd)

    def log_tail(self) -> str:
        return _tail(self.log_path)


def _write_all(*writes) -> None:
    """Write each (fd, data, close) in order; a child that died early just breaks the pipe."""
    for fd, data, close in writes:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(fd, view):]
        except OSError:
            pass
        if close:
            try:
                os.close(fd)
            except OSError:
                pass


def _exit_text(process: subprocess.Popen) -> str:
    try:
        code = process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        return "the grading process stopped responding"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the grading process was killed by {name}"
    return f"the grading process exited with status {code}"


class Session:
    """A sandboxed child kept between submissions (TensorFlow is imported once per session).

    The child never runs learner code itself: every exercise runs in a fresh process
    forked from it. If a submission kills or stops the child, a new one is started.
    """

    def __init__(self, limits: Limits, static: dict):
        self.limits, self.static = limits, dict(static)
        self.child: Optional[RunnerProcess] = None
        self.info: Dict = {}

    def close(self) -> None:
        if self.child is not None:
            self.child.cleanup()
            self.child = None

    def _start(self) -> RunnerProcess:
        child = RunnerProcess(self.limits, self.static)
        try:
            child.wait_ready()
        except StartFailed:
            self.last_log = child.log_tail()
            child.cleanup()
            raise
        self.info = dict(child.info)
        return child

    def probe(self, exercises: List[dict], common: dict) -> Iterator[dict]:
        """Probe ``exercises``; yield one result dict per exercise, in order.

        Each result has ``exercise``, ``status`` ("probed", "error" or "timeout"), and
        either ``observations`` (encoded) or ``message``; plus ``seconds``, ``output``
        and ``notes``.
        """
        remaining = list(exercises)
        failed_starts = 0
        sequential = False
        while remaining:
            if self.child is None or not self.child.alive():
                if self.child is not None:
                    self.child.cleanup()
                try:
                    self.child = self._start()
                except StartFailed as error:
                    self.child = None
                    failed_starts += 1
                    if failed_starts < 2:
                        continue
                    log = getattr(self, "last_log", "").strip()
                    detail = log.splitlines()[-1] if log else ""
                    for exercise in remaining:
                        yield {"event": "result", "exercise": exercise["name"], "status": "error",
                               "message": f"grading process failed: {error}" + (f" ({detail})" if detail else ""),
                               "seconds": 0.0, "output": ""}
                    return
            child = self.child
            done: List[str] = []
            running: List[str] = []  # started, no result yet, in order
            started_at: Dict[str, float] = {}
            problem: Optional[str] = None
            timed_out = False
            finished = False
            parallel = 1 if sequential else max(1, self.limits.parallel)
            try:
                command_id = child.commands_sent
                child.send(dict(common, cmd="grade", id=command_id, exercises=remaining, parallel=parallel))
                starts = 0
                last_event = time.monotonic()
                while True:
                    if running:
                        deadline = started_at[running[0]] + self.limits.timeout + GRACE
                    else:
                        deadline = last_event + GRACE + 30
                    try:
                        message = child.receive(deadline - time.monotonic())
                    except queue.Empty:
                        timed_out = bool(running)
                        problem = (f"still running after {self.limits.timeout:g} s (infinite loop?); stopped"
                                   if timed_out else "the grading process stopped responding")
                        break
                    except (Tampering, ValueError) as error:
                        problem = str(error)
                        break
                    if message is None:
                        problem = _exit_text(child.process)
                        break
                    last_event = time.monotonic()
                    event = message.get("event")
                    if event == "start" and starts < len(remaining) and \
                            message.get("exercise") == remaining[starts]["name"] and len(running) < parallel:
                        running.append(remaining[starts]["name"])
                        started_at[running[-1]] = last_event
                        starts += 1
                    elif event == "result" and running and message.get("exercise") == running[0]:
                        done.append(running.pop(0))
                        yield message
                    elif event == "finished" and not running and len(done) == len(remaining) \
                            and message.get("id") == command_id:
                        finished = True
                        break
                    else:
                        problem = ("the grading process sent an unexpected message "
                                   "(tampered with by the submission?)")
                        break
            except OSError as error:  # the command pipe broke: the child is gone
                problem = f"the grading process went away ({error.strerror or error})"
            finally:
                if not finished:  # a problem, or the caller stopped early: this child is spoiled
                    child.cleanup()
                    self.child = None
            remaining = [e for e in remaining if e["name"] not in done]
            if finished or not remaining:
                return
            if len(running) > 1:  # several exercises were running: find the culprit one at a time
                sequential = True
                continue
            current = running[0] if running else remaining[0]["name"]
            yield {"event": "result", "exercise": current, "status": "timeout" if timed_out else "error",
                   "message": problem if timed_out else f"{problem} while grading {current}",
                   "seconds": self.limits.timeout if timed_out else 0.0, "output": ""}
            remaining = [e for e in remaining if e["name"] != current]


def decode_observations(text) -> Dict:
    """Observations from the child: ``observations.decode`` (JSON + .npy, never pickle)."""
    from assignment.observations import decode
    if not isinstance(text, str) or len(text) > MAX_LINE:
        raise ValueError("observations missing or too large")
    value = decode(text)
    if not isinstance(value, dict):
        raise ValueError("observations are not a mapping")
    return value
