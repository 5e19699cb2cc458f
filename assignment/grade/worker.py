"""A process that grades for a batch (a local pool's worker, a Dask worker): its set-up.

The environment TensorFlow reads when it loads (tf-keras, quiet C++ logs, no GPU: the
sandbox probes on the CPU and the judge must compute the same values), set once per
process before anything imports TensorFlow; a local pool's worker also leaves Ctrl-C to
the batch and exits when the batch process is gone.
"""
from __future__ import annotations

import os
import signal
import threading
import time


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:  # the batch was killed: do not grade on for nobody
            os._exit(1)


def worker_init(parent: int = 0) -> None:
    """Set this grading process up; ``parent``: the local batch's process id (0: a Dask worker)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    if parent:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
