"""The program of the sandboxed child: probe one submission's exercises, report observations.

Started by ``sandbox.py`` as ``python -I -c <bootstrap> MODULES RESULTS_FD COMMANDS_FD
SECRETS_FD`` (MODULES: the staged allowlisted project modules). It

1. reads the HMAC key and the one-time pads from the secrets pipe into bytearrays, then the
   job (the limits, the reference definitions sealed with the pads) as the first line of
   the command pipe; under ``--isolation landlock`` it confines itself with Landlock;
2. sets its own resource limits (address space, file size, open files, core dumps and,
   under bwrap, processes);
3. imports NumPy and TensorFlow once (the slow part), but not the reference solutions;
4. for each exercise, forks a fresh grandchild, which
   - wipes the key, unseals the reference definitions of every *other* exercise and zeroes
     every pad in place (the graded exercise's reference cannot be recovered from it),
   - confines itself with Landlock (where the kernel has it): it writes only its own
     folder and reads nothing of the scratch space, no TCP, no signals or abstract
     sockets out of its domain,
   - builds a stand-in ``assignment.transformer`` module holding those definitions,
   - builds the learner's namespace from them, replays the notebook's harmless imports,
     executes the learner's graded cell statement by statement,
   - calls the probe of the exercise's check (built without a reference), which only records what
     the learner's code returned,
   - and sends the encoded observations back through a private pipe;
   the runner kills a grandchild that runs past the per-exercise timeout, and after each
   exercise removes what it left behind (its folder, other files of the scratch space,
   stray processes, /dev/shm and System V IPC objects of the sandbox);
5. sends each result to the grader as one line, authenticated with the key.

Only the standard library is imported at module level: this module is loaded before the
limits are set.
"""
from __future__ import annotations

import ast
import builtins
import gc
import hashlib
import hmac
import json
import linecache
import os
import resource
import select
import shutil
import signal
import sys
import time
import traceback
import types

from assignment.audience import not_for_learner_code  # noqa: E402

MAX_PAYLOAD = 64 << 20  # bytes a grandchild may send back
MAX_OUTPUT = 4000  # characters of a grandchild's printed output kept in the result

# Modules the learner's code must not import in the grandchild: every module that is not
# learner-safe (assignment/audience.py): the real reference solutions (the learner's
# namespace holds a stand-in without the graded exercise), the generators that read them,
# the checks' known mistakes (they re-implement solutions) and the grader itself.
BLOCKED_MODULES = not_for_learner_code()

KERAS_NAMES = ("Dense", "Dropout", "Embedding", "LayerNormalization", "MultiHeadAttention", "Input")


# --------------------------------------------------------------------------- channel

class Channel:
    """Lines of JSON to the grader, each prefixed with its HMAC."""

    def __init__(self, fd: int, key: bytearray, commands: int = -1):
        self.fd, self.key, self.commands = fd, key, commands

    def send(self, message: dict) -> None:
        body = json.dumps(message, separators=(",", ":"))
        mac = hmac.new(self.key, body.encode("utf-8"), hashlib.sha256).hexdigest()  # no bytes copy of the key
        data = f"{mac} {body}\n".encode("utf-8")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]


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


# --------------------------------------------------------------------------- reference stand-in

def read_exactly_into(fd: int, buffer: bytearray) -> None:
    """Fill ``buffer`` from ``fd`` in place (no intermediate bytes objects)."""
    view = memoryview(buffer)
    while view:
        count = os.readv(fd, [view])
        if count == 0:
            raise EOFError("the grader closed the secrets pipe early")
        view = view[count:]


def read_secrets(fd: int):
    """(key, pads): the HMAC key and the one-time pads of the reference definitions, read
    into bytearrays so that they can be wiped in place."""
    header = bytearray(8)
    read_exactly_into(fd, header)
    key, pads = bytearray(int.from_bytes(header[:4], "big")), bytearray(int.from_bytes(header[4:], "big"))
    read_exactly_into(fd, key)
    read_exactly_into(fd, pads)
    os.close(fd)
    return key, pads


def reference_sealed(reference: dict):
    """The job's reference part, ciphertexts decoded once: (imports, [(name, offset, cipher)])."""
    return (list(reference["imports"]),
            [(name, int(offset), bytes.fromhex(cipher)) for name, offset, cipher in reference["definitions"]])


def unseal(sealed, pads: bytearray, exclude: str):
    """(imports, definitions) of every reference definition except ``exclude``; then every
    pad is zeroed in place, so the graded exercise's definition can no longer be recovered
    from this process's memory."""
    imports, definitions = sealed
    plain = []
    for name, offset, cipher in definitions:
        if name == exclude:
            continue
        pad = int.from_bytes(pads[offset:offset + len(cipher)], "big")
        text = (int.from_bytes(cipher, "big") ^ pad).to_bytes(len(cipher), "big").decode("utf-8")
        plain.append((name, text))
    memoryview(pads)[:] = bytes(len(pads))
    return [imports, plain]


def build_stand_in(module_name: str, imports, definitions, exclude: str) -> types.ModuleType:
    """A module with every reference definition except ``exclude``."""
    module = types.ModuleType(module_name, "Reference solutions (without the exercise being graded).")
    module.__spec__ = None
    for statement in imports:
        exec(compile(statement, "<reference>", "exec"), module.__dict__)
    for name, source in definitions:
        if name != exclude:
            exec(compile(source, "<reference>", "exec"), module.__dict__)
    return module


class BlockImports:
    """A meta path finder that refuses to (re)load the modules holding the solutions."""

    def __init__(self, blocked):
        self.blocked = tuple(blocked)

    def find_spec(self, fullname, path=None, target=None):
        if any(fullname == name or fullname.startswith(name + ".") for name in self.blocked):
            raise ImportError(f"importing {fullname} is not allowed while grading")
        return None


# --------------------------------------------------------------------------- Landlock

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


# --------------------------------------------------------------------------- between exercises

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


# --------------------------------------------------------------------------- one exercise (in the grandchild)

def describe_exit(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return f"the code called sys.exit({error.code!r}) (or raised SystemExit); grading code must not exit"
    return f"{type(error).__name__} raised: {error}"


def run_exercise(exercise: dict, job: dict, pieces) -> dict:
    """Execute the learner's cell and probe it. Runs in the grandchild only."""
    import numpy as np
    import tensorflow as tf
    from tensorflow.keras import layers as keras_layers

    name = exercise["name"]
    module_name = job["reference_module"]
    imports, definitions = pieces
    stand_in = build_stand_in(module_name, imports, definitions, exclude=name)
    definitions.clear()  # this process's copy: the graded exercise's reference is now gone
    from assignment.checks import make_check
    from assignment.exercises import find
    from assignment.observations import encode
    check = make_check(find(name, exercise.get("notebook", "Transformer")),  # no reference: it can only probe
                       **{key: str(value) for key, value in (exercise.get("settings") or {}).items()})

    sys.meta_path.insert(0, BlockImports(BLOCKED_MODULES))
    del pieces, imports, definitions

    namespace = {"__name__": "__main__", "__builtins__": builtins, "np": np, "tf": tf}
    for keras_name in KERAS_NAMES:
        namespace[keras_name] = getattr(keras_layers, keras_name)
    for statement in job["imports"]:  # the notebook's own imports of harmless modules
        try:
            exec(compile(statement, "<notebook imports>", "exec"), namespace)
        except Exception:  # noqa: BLE001 - a missing module only matters if the code uses it
            pass
    for key, value in vars(stand_in).items():
        if not key.startswith("__"):
            namespace[key] = value

    notes = []
    for source in exercise.get("support") or []:  # the learner's helpers from other cells
        try:
            exec(compile(source, "<helper from another cell>", "exec"), namespace)
        except Exception as error:  # noqa: BLE001
            notes.append(f"a helper from another cell raised {type(error).__name__}: {str(error)[:200]}")
    test_names = set(job.get("test_names") or ())
    protected = set(job["protected_names"]) - {name}
    filename = f"<{exercise['tag']} cell of the submission>"
    linecache.cache[filename] = (len(exercise["code"]), None, exercise["code"].splitlines(True), filename)
    tree = ast.parse(exercise["code"])
    for node in tree.body:
        is_definition = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and \
                isinstance(node.value.func, ast.Name) and node.value.func.id in test_names:
            continue  # a public-test call left in the graded cell: the grader runs its own checks
        if is_definition and node.name in protected:
            notes.append(f"line {node.lineno}: the cell redefines {node.name}; graded with the release's "
                         f"{node.name} instead")
            continue
        code = compile(ast.Module(body=[node], type_ignores=[]), filename, "exec")
        try:
            exec(code, namespace)
        except Exception as error:  # noqa: BLE001
            if is_definition and node.name == name:
                return {"ok": False, "status": "error",
                        "message": f"defining {name} raised {type(error).__name__}: {error}"}
            notes.append(f"line {node.lineno}: {type(error).__name__}: {str(error)[:200]} "
                         "(a statement outside the definition; ignored)")
    target = namespace.get(name)
    if target is None:
        return {"ok": False, "status": "error", "message": f"the graded cell did not define {name}"}
    extras = [getattr(stand_in, extra) for extra in exercise["extra_args"]]
    observations = check.probe(target, *extras, hidden=True)
    return {"ok": True, "observations": encode(observations), "notes": notes}


def grandchild(exercise: dict, job: dict, pieces, write_fd: int, output_path: str, channel: Channel,
               exercise_dir: str) -> None:
    """The forked process of one exercise; never returns."""
    status = 70
    try:
        os.setpgid(0, 0)  # its own group: the runner can kill it and its children at once
        for i in range(len(channel.key)):  # the learner's code must not sign results
            channel.key[i] = 0
        try:
            os.close(channel.fd)
        except OSError:
            pass
        try:
            os.close(channel.commands)
        except OSError:
            pass
        os.makedirs(exercise_dir, mode=0o700, exist_ok=True)
        os.chdir(exercise_dir)
        os.environ["HOME"] = os.environ["TMPDIR"] = exercise_dir
        out = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        sys.stdout = open(1, "w", closefd=False, buffering=1)
        sys.stderr = open(2, "w", closefd=False, buffering=1)
        sealed, pads = pieces
        pieces = unseal(sealed, pads, exercise["name"])  # every pad wiped: the graded one is gone
        del sealed, pads
        # Nested in the sandbox: write only its own folder, read nothing of the scratch space
        # (other exercises' folders and outputs), no TCP, no signals or abstract sockets out.
        if job["isolation"] != "none":
            landlock_restrict(job["sandbox_read"], [exercise_dir], job["devices"])
        cpu = job["limits"].get("exercise_cpu")
        if cpu:
            resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu)))
        import tensorflow as tf
        threads = int(job.get("threads") or 0)
        if threads:
            try:
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
            except RuntimeError:
                pass
        try:
            result = run_exercise(exercise, job, pieces)
        except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt, ...
            result = {"ok": False, "status": "error", "message": describe_exit(error)}
        data = json.dumps(result).encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
        status = 0
    except BaseException:  # noqa: BLE001
        try:
            os.write(2, traceback.format_exc().encode("utf-8", "replace"))
        except OSError:
            pass
    finally:
        os._exit(status)


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


# --------------------------------------------------------------------------- main

def read_commands(fd: int):
    """Commands from the grader, one JSON object per line, until EOF."""
    buffer = b""
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield json.loads(line.decode("utf-8"))


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


def warm_up_checks(reference_module) -> None:
    """Once per sandbox, before the forks: what the checks of this reference's exercises
    build at first use (a check module's ``warm_up()``, e.g. the NER check's tokenizer),
    so that each exercise's process inherits it instead of building it again."""
    import importlib

    from assignment.exercises import NOTEBOOKS
    modules = {exercise.check_module for exercises in NOTEBOOKS.values() for exercise in exercises
               if exercise.source_module == reference_module}
    for name in sorted(modules):
        warm_up = getattr(importlib.import_module(name), "warm_up", None)
        if warm_up is not None:
            warm_up()


def main(argv) -> int:
    not_dumpable()
    subreaper()
    fd, commands, secrets_fd = int(argv[0]), int(argv[1]), int(argv[2])
    key, pads = read_secrets(secrets_fd)  # before anything else: no copies of them exist
    incoming = read_commands(commands)
    job = next(incoming)  # the first line is the job, the next ones the submissions
    channel = Channel(fd, key, commands)
    workdir = job["workdir"]
    job["cwd_root"] = os.getcwd()
    set_limits(job["limits"])
    if job["isolation"] == "landlock" and not landlock_restrict(
            job["sandbox_read"], [job["cwd_root"], workdir], job["devices"]):
        raise SystemExit("Landlock is not available in this process")
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)

    started = time.monotonic()
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import assignment  # noqa: F401  (tf-keras before TensorFlow)
    import numpy  # noqa: F401
    import tensorflow as tf
    from tensorflow.keras import layers  # noqa: F401  (loads tf-keras now, once)
    import assignment.exercises  # noqa: F401
    import assignment.observations  # noqa: F401
    warm_up_checks(job.get("reference_module"))
    pieces = (reference_sealed(job.pop("reference")), pads)
    gc.freeze()  # forked children then leave the imported heap alone (no copy-on-write from the gc)
    channel.send({"event": "ready", "seconds": round(time.monotonic() - started, 3),
                  "tensorflow": tf.__version__, "python": sys.version.split()[0]})
    try:
        for command in incoming:  # one command per submission
            request = dict(job, **command)
            probe_all(request["exercises"], request, pieces, channel, workdir)
            scrub(job)  # nothing of this submission is left for the next one
            channel.send({"event": "finished", "id": command.get("id")})
    finally:  # the grader closed the pipe (or went away): leave nothing behind
        clear_folder(workdir)
        clear_folder(job["cwd_root"])
    return 0


BOOTSTRAP = (
    "import sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from assignment.grade.runner import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)
