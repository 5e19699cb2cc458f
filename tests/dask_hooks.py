"""Test-only Dask worker preload (``dask worker --preload tests/dask_hooks.py``): the
worker process dies (``os._exit``) while grading a submission named ``die_once_*`` (the
first time only, across workers) or ``die_always_*`` (every time), to test that a batch
survives lost workers. Markers go to ``$GRADE_TEST_DEATHS``."""
import os
from pathlib import Path


def dask_setup(worker):
    from assignment.grade import distributed

    original = distributed.grade_remote

    def grade_remote(name, data, *args):
        folder = os.environ.get("GRADE_TEST_DEATHS")
        if folder and (name.startswith("die_always_") or
                       (name.startswith("die_once_") and not any(Path(folder).glob(f"{name}.*")))):
            (Path(folder) / f"{name}.{os.getpid()}").touch()
            os._exit(13)
        return original(name, data, *args)

    distributed.grade_remote = grade_remote
