"""What the child sets on itself before it runs anything: resource limits (soft = hard),
not dumpable (no ptrace, no /proc/<pid>/mem for its own user), a subreaper of orphans.

Standard library only: loaded before the limits are set.
"""
from __future__ import annotations

import resource


def set_limits(limits: dict) -> None:
    """Soft and hard limits alike, so the learner's code cannot raise them back."""
    for name, value in (("RLIMIT_AS", limits.get("memory")), ("RLIMIT_FSIZE", limits.get("file_size")),
                        ("RLIMIT_NOFILE", limits.get("open_files")), ("RLIMIT_CORE", 0),
                        ("RLIMIT_CPU", limits.get("runner_cpu")), ("RLIMIT_NPROC", limits.get("tasks"))):
        if value is None or not hasattr(resource, name):
            continue
        try:
            resource.setrlimit(getattr(resource, name), (int(value), int(value)))
        except (ValueError, OSError):
            pass


def subreaper() -> None:
    """PR_SET_CHILD_SUBREAPER: what the exercises leave behind becomes this process's child,
    so that ``kill_strays`` can reap it (a zombie still counts against the process limit)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def not_dumpable() -> None:
    """PR_SET_DUMPABLE 0: other processes of this user (the grandchildren included) cannot
    ptrace this one or open its /proc/<pid>/mem and /proc/<pid>/fd (Linux; root is exempt)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass
