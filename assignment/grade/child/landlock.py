"""Landlock system calls: confine this process and its future children (Linux >= 5.13).

Facts from the kernel's documentation (https://docs.kernel.org/userspace-api/landlock.html)
and its UAPI header ``include/uapi/linux/landlock.h``: the system call numbers 444-446,
the access-right bits, the ruleset attribute's size per ABI version. Standard library only
(``ctypes``); the grader's ``isolation.landlock_problem`` asks ``landlock_abi`` too.
"""
from __future__ import annotations

import os


FS_READ = (1 << 0) | (1 << 2) | (1 << 3)  # EXECUTE, READ_FILE, READ_DIR
FS_FILE = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)  # rights that apply to files
SCOPE_ALL = 1 | 2  # abstract UNIX sockets, signals (ABI 6)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return max(0, int(libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))))
    except (OSError, AttributeError):
        return 0


def landlock_fs_rights(abi: int) -> int:
    return ((1 << 13) - 1) | ((1 << 13) if abi >= 2 else 0) | ((1 << 14) if abi >= 3 else 0) | \
        ((1 << 15) if abi >= 5 else 0)


def landlock_restrict(read, write, devices=()) -> int:
    """Confine this process and its future children: read (and execute) only beneath
    ``read``, write only beneath ``write``, read/write the ``devices``; no TCP (ABI 4), no
    abstract UNIX sockets or signals out of the domain (ABI 6). Returns the ABI used (0:
    Landlock unavailable, nothing done)."""
    import ctypes
    abi = landlock_abi()
    if abi < 1:
        return 0
    libc = ctypes.CDLL(None, use_errno=True)

    class RulesetAttr(ctypes.Structure):
        _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]

    handled = landlock_fs_rights(abi)
    attr = RulesetAttr(handled, 3 if abi >= 4 else 0, SCOPE_ALL if abi >= 6 else 0)
    size = 24 if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(444, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for paths, rights in ((read, FS_READ), (devices, FS_READ | FS_FILE), (write, handled)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    allowed = rights & handled
                    if not os.path.isdir(path):
                        allowed &= FS_FILE
                    rule = PathBeneath(allowed, fd)
                    if libc.syscall(445, ruleset, 1, ctypes.byref(rule), 0) != 0:
                        raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
                finally:
                    os.close(fd)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
        if libc.syscall(446, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi
