"""The fork supervisor: one grandchild per exercise, up to ``parallel`` at a time, each
stopped at its deadline; its observations (bounded), or why it returned none, sent back
in the exercises' order, the sandbox scrubbed after each.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import time

from assignment.grade.child.channel import Channel
from assignment.grade.child.cleanup import scrub
from assignment.grade.child.exercise import grandchild

MAX_PAYLOAD = 64 << 20  # bytes a grandchild may send back
MAX_OUTPUT = 4000  # characters of a grandchild's printed output kept in the result


def describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            signame = signal.Signals(number).name
        except ValueError:
            signame = f"signal {number}"
        reason = {"SIGXCPU": " (CPU time limit)", "SIGXFSZ": " (file size limit)",
                  "SIGKILL": " (killed; out of memory or by its own code)",
                  "SIGSEGV": " (crashed; out of memory?)"}.get(signame, "")
        return f"the process was killed by {signame}{reason} before returning its results"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    return (f"the process exited with status {code} before returning its results "
            "(os._exit() or sys.exit() in the code?)")


def read_output(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_OUTPUT + 1)
    except OSError:
        return ""
    text = data.decode("utf-8", "replace")
    return text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT] + "\n...[output truncated]"


class Flight:
    """One exercise's grandchild, from fork to result."""

    def __init__(self, exercise: dict, job: dict, pieces, channel: Channel, workdir: str, inherited=()):
        self.exercise, self.job = exercise, job
        read_fd, write_fd = os.pipe()
        self.output_path = os.path.join(workdir, f"output-{exercise['tag']}.txt")
        self.exercise_dir = os.path.join(job["cwd_root"], f"{exercise['tag']}-{os.urandom(12).hex()}")
        self.started = time.monotonic()
        self.deadline = self.started + float(job["timeout"])
        pid = os.fork()
        if pid == 0:
            for fd in (read_fd,) + tuple(inherited):  # other exercises' pipes are not its business
                try:
                    os.close(fd)
                except OSError:
                    pass
            grandchild(exercise, job, pieces, write_fd, self.output_path, channel, self.exercise_dir)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd
        self.chunks, self.size = [], 0
        self.eof = self.timed_out = self.too_big = False
        self.status = None
        self.result = None
        channel.send({"event": "start", "exercise": exercise["name"], "pid": pid})

    def readable(self) -> bool:
        return not self.eof and self.result is None

    def on_readable(self) -> None:
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            self.eof = True
            return
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size > MAX_PAYLOAD:
            self.too_big = True
            self.finish()

    def tick(self) -> None:
        """Finish when the grandchild has exited after EOF, or when the deadline passed."""
        if self.result is not None:
            return
        if self.eof:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = status
                self.finish()
                return
        if time.monotonic() >= self.deadline:
            self.timed_out = not self.chunks
            self.finish()

    def finish(self) -> None:
        if self.status is None:
            for kill in (lambda: os.killpg(self.pid, signal.SIGKILL), lambda: os.kill(self.pid, signal.SIGKILL)):
                try:
                    kill()
                except OSError:
                    pass
            _, self.status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        output = read_output(self.output_path)
        try:
            os.unlink(self.output_path)
        except OSError:
            pass
        shutil.rmtree(self.exercise_dir, ignore_errors=True)
        self.result = self.interpret(output)

    def interpret(self, output: str) -> dict:
        job, exercise = self.job, self.exercise
        base = {"event": "result", "exercise": exercise["name"],
                "seconds": round(time.monotonic() - self.started, 3), "output": output}
        if self.timed_out:
            return dict(base, status="timeout",
                        message=f"still running after {job['timeout']:g} s (infinite loop?); stopped")
        if self.too_big:
            return dict(base, status="error", message="the code sent back more than "
                                                      f"{MAX_PAYLOAD >> 20} MiB of results; stopped")
        raw = b"".join(self.chunks)
        if not raw:
            return dict(base, status="error", message=describe_status(self.status))
        try:
            result = json.loads(raw.decode("utf-8"))
            if not isinstance(result, dict):
                raise ValueError("not an object")
        except ValueError:
            return dict(base, status="error", message="the results sent back could not be read")
        if result.get("ok"):
            return dict(base, status="probed", observations=result.get("observations"),
                        notes=[str(note) for note in result.get("notes") or []][:20])
        return dict(base, status="error", message=str(result.get("message"))[:4000])


def probe_all(exercises, job: dict, pieces, channel: Channel, workdir: str) -> None:
    """Probe the exercises, up to ``job['parallel']`` at a time; send results in order."""
    parallel = max(1, int(job.get("parallel") or 1))
    pending = list(exercises)
    flights = []  # in exercise order
    while pending or flights:
        while pending and len(flights) < parallel:
            inherited = [flight.fd for flight in flights if flight.result is None]
            flights.append(Flight(pending.pop(0), job, pieces, channel, workdir, inherited))
        waiting = [flight for flight in flights if flight.readable()]
        timeout = 0.02 if any(f.eof and f.result is None for f in flights) else \
            max(0.0, min((f.deadline for f in flights if f.result is None), default=time.monotonic()) - time.monotonic())
        if waiting:
            ready, _, _ = select.select([f.fd for f in waiting], [], [], min(timeout, 1.0))
            for flight in waiting:
                if flight.fd in ready:
                    flight.on_readable()
        else:
            time.sleep(min(timeout, 0.02))
        finished = sum(f.result is not None for f in flights)
        for flight in flights:
            flight.tick()
        if sum(f.result is not None for f in flights) != finished:
            scrub(job, [f for f in flights if f.result is None])
        while flights and flights[0].result is not None:  # in order
            channel.send(flights.pop(0).result)
