"""Run the learner's code in a separate, confined child process; bring back observations.

The child is a fresh interpreter (``python -I``: no user site, no ``PYTHON*`` variables)
running ``assignment.grade.child`` (started, fed and cleaned away by
``assignment.grade.child_process``), confined as ``isolation.select`` decides:

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
definition XOR-ed with a one-time pad, the pads over a separate pipe
(``child.sealed_reference.seal``). The
child only sends back, per exercise, the observations of ``probe`` (JSON and ``.npy``
bytes, decoded here without pickle) or an error. Each line carries an HMAC with a key
that learner code never sees, and lines must arrive in the expected order, so a
submission cannot forge another exercise's result. When the child dies or hangs on
exercise k, k is marked (error/timeout) and a new child grades the rest (when two
exercises were running, they are retried one at a time to find the culprit). A session
(this module) keeps its child between submissions, so a batch worker imports TensorFlow once.
"""
from __future__ import annotations

import ast
import hashlib
import os
import queue
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from assignment.grade.child_process import MAX_LINE, ChildProcess, StartFailed, Tampering, exit_text
from assignment.observations import decode

GRACE = 15.0  # seconds the grader waits beyond the child's own deadlines


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


class Session:
    """A sandboxed child kept between submissions (TensorFlow is imported once per session).

    The child never runs learner code itself: every exercise runs in a fresh process
    forked from it. If a submission kills or stops the child, a new one is started.
    """

    def __init__(self, limits: Limits, static: dict):
        self.limits, self.static = limits, dict(static)
        self.child: Optional[ChildProcess] = None
        self.info: Dict = {}

    def close(self) -> None:
        if self.child is not None:
            self.child.cleanup()
            self.child = None

    def _start(self) -> ChildProcess:
        child = ChildProcess(self.limits, self.static)
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
                        problem = exit_text(child.process)
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
    if not isinstance(text, str) or len(text) > MAX_LINE:
        raise ValueError("observations missing or too large")
    value = decode(text)
    if not isinstance(value, dict):
        raise ValueError("observations are not a mapping")
    return value
