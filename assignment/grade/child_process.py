"""One sandboxed child process, seen from the grader: started confined, given the job and
the secrets, its signed result lines read and checked, and killed and cleaned away.

``assignment.grade.sandbox`` decides what to send it and what its silence means; the
program it runs is ``assignment.grade.child``; how it is confined is
``assignment.grade.isolation``.
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
from pathlib import Path
from typing import Dict

from assignment.grade import isolation
from assignment.grade.child.main import BOOTSTRAP
from assignment.grade.child.sealed_reference import seal

MAX_LINE = 80 << 20  # bytes of one result line the grader accepts


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


class ChildProcess:
    """One child running ``assignment.grade.child``; it grades submission after submission.
    ``limits``: the session's ``sandbox.Limits``."""

    def __init__(self, limits, static: dict):
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
        self.log_path = self.private / "child.log"
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
        command = [sys.executable, "-I", "-c", BOOTSTRAP, path, str(write_fd), str(command_read),
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
            raise StartFailed(f"{exit_text(self.process)} (not ready after {self.limits.startup:g} s)") from None
        except (Tampering, ValueError) as error:
            raise StartFailed(str(error)) from None
        if message is None:
            raise StartFailed(exit_text(self.process) + " while starting")
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


def exit_text(process: subprocess.Popen) -> str:
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
