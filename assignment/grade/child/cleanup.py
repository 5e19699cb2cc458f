"""Between exercises and submissions: what learner code left behind in the sandbox goes
(stray processes, files of the scratch space, /dev/shm, System V IPC objects).
"""
from __future__ import annotations

import os
import shutil
import signal


def _cgroups(pid) -> bytes:
    with open(f"/proc/{pid}/cgroup", "rb") as handle:
        return handle.read()


def kill_strays(keep_groups=(), same_cgroup: bool = False) -> None:
    """SIGKILL every process of the sandbox but PID 1, this one and the process groups of the
    exercises still running: what a submission left behind, in a session of its own
    included. The sandbox's processes: all of its own PID namespace (bwrap), or those in
    this process's own pids cgroup (``same_cgroup``)."""
    me = os.getpid()
    mine = _cgroups(me) if same_cgroup else None
    killed = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (1, me):
            continue
        try:
            if same_cgroup and _cgroups(entry) != mine:
                continue
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode("ascii", "replace")
            if int(entry) in keep_groups or int(stat[stat.rindex(")") + 2:].split()[2]) in keep_groups:
                continue  # (a grandchild just forked is not yet in its own group)
            os.kill(int(entry), signal.SIGKILL)
            killed.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    for pid in killed:  # orphans are this process's children (a subreaper): reap them, freeing their slots
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass


def remove_sysv_ipc() -> None:
    """Remove every System V shared memory segment, message queue and semaphore set of the
    sandbox's own IPC namespace (bwrap), so nothing passes from one submission to the next."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    for kind, remove in (("shm", lambda i: libc.shmctl(i, 0, None)), ("msg", lambda i: libc.msgctl(i, 0, None)),
                         ("sem", lambda i: libc.semctl(i, 0, 0))):
        try:
            with open(f"/proc/sysvipc/{kind}", encoding="ascii") as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            try:
                remove(int(row.split()[1]))
            except (ValueError, IndexError):
                continue


def clear_folder(path: str, keep=()) -> None:
    try:
        entries = os.listdir(path)
    except OSError:
        return
    for entry in entries:
        full = os.path.join(path, entry)
        if full in keep:
            continue
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full, ignore_errors=True)
        else:
            try:
                os.unlink(full)
            except OSError:
                pass


def scrub(job: dict, running=()) -> None:
    """After an exercise: what it left in the shared places goes (bwrap: other processes, /dev/shm,
    System V IPC; always: the working-directory root but the running exercises' folders)."""
    clear_folder(job["cwd_root"], keep={flight.exercise_dir for flight in running})
    if job.get("isolation") == "bwrap" or job.get("own_cgroup"):
        kill_strays({flight.pid for flight in running}, same_cgroup=job.get("isolation") != "bwrap")
    if job.get("isolation") == "bwrap":
        clear_folder("/dev/shm")
        if not running:
            remove_sysv_ipc()
