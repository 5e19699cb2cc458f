"""The entry point of the sandboxed child: ``BOOTSTRAP`` starts it, ``main`` runs it.

Started by ``assignment.grade.sandbox`` as ``python -I -c BOOTSTRAP STAGED RESULTS_FD
COMMANDS_FD SECRETS_FD`` (STAGED: the folder of the staged allowlisted modules, put first
on ``sys.path``). The order matters: not dumpable and a subreaper first, the secrets read
before anything else, the limits and (``--isolation landlock``) Landlock before NumPy and
TensorFlow are imported; only then the checks' warm-up, and one command per submission.
"""
from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
import time

from assignment.exercises import NOTEBOOKS
from assignment.grade.child.channel import Channel, read_commands, read_secrets
from assignment.grade.child.cleanup import clear_folder, scrub
from assignment.grade.child.landlock import landlock_restrict
from assignment.grade.child.process_limits import not_dumpable, set_limits, subreaper
from assignment.grade.child.sealed_reference import reference_sealed
from assignment.grade.child.supervisor import probe_all


def warm_up_checks(reference_module) -> None:
    """Once per sandbox, before the forks: what the checks of this reference's exercises
    build at first use (a check module's ``warm_up()``, e.g. the NER check's tokenizer),
    so that each exercise's process inherits it instead of building it again."""
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
    os.environ["TF_USE_LEGACY_KERAS"] = "1"  # (the package selected tf-keras when the bootstrap imported it)
    # NumPy and TensorFlow only now, under the limits (and Landlock): the slow part, once per sandbox.
    import numpy  # noqa: F401
    import tensorflow as tf
    from tensorflow.keras import layers  # noqa: F401  (loads tf-keras now, once)
    import assignment.observations  # noqa: F401  (NumPy: imported here, after the limits, like it)
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


# Only the staged folder provides `assignment`: an editable install of the project
# (`pip install -e .`, which `make setup` does) adds a finder to sys.meta_path that resolves
# any `assignment.*` missing from the staged folder in the repository itself (the
# reference, the grader); a compat-mode install adds the repository to sys.path. Both go
# before anything is imported. (tests/grade/test_sandbox_isolation.py runs this prelude.)
PRELUDE = (
    "import os, sys\n"
    "sys.meta_path[:] = [f for f in sys.meta_path\n"
    "                    if not str(getattr(f, '__module__', '')).startswith('__editable__')]\n"
    "sys.path[:] = [p for p in sys.path if not os.path.exists(os.path.join(p or '.', 'assignment'))]\n"
    "sys.path_importer_cache.clear()\n"
    "sys.path.insert(0, sys.argv[1])\n"
)
BOOTSTRAP = PRELUDE + (
    "from assignment.grade.child.main import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)
