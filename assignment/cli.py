"""Command line: ``python -m assignment VERB ...``, one verb per package, like otter-grader.

Each verb's module exposes ``main(argv) -> int``; it is imported only when used, so
``python -m assignment --help`` does not load TensorFlow. Every verb runs through the
one wrapper of ``errors.command``: ``error: ...`` and exit status 2 for a usage
error, 1 for a failure.
"""
import importlib
import os
import sys

from assignment.errors import command

# TensorFlow's start-up lines off (the absl "log messages before absl::InitializeLog()"
# notice, "oneDNN custom operations are on", the CPU-feature note): its C++ log shows
# errors only, and oneDNN's custom CPU operations, announced on stderr whatever the log
# level, are off. Set by the command-line entry (assignment/__main__.py) before any verb
# imports TensorFlow, unless the caller set them; never by library code. The grader's
# sandboxed children get the same values from assignment/grade/sandbox.py.
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}

VERBS = {
    "check": ("assignment.self_check", "run the public tests against the reference solutions"),
    "release": ("assignment.notebooks.build", "generate the notebooks from the reference solutions"),
    "grade": ("assignment.grade.cli", "grade submitted notebooks (one file, a folder, or on a Dask cluster)"),
    "ner": ("assignment.labs.ner.cli", "named-entity recognition lab: train, evaluate, predict"),
    "dates": ("assignment.labs.dates.cli", "train the Transformer on date normalization, translate dates"),
    "gradescope-run": ("assignment.grade.autograder", "inside Gradescope's container: grade the submission, "
                                                     "write results.json (release --gradescope builds it)"),
    "run-notebook": ("assignment.notebooks.execute", "execute the solved notebook on a fresh kernel and save it"),
    "kernel": ("assignment.kernelspec", "install the project's Jupyter kernel (TF_USE_LEGACY_KERAS=1 in its kernel spec)"),
}


def quiet_tensorflow(environ=os.environ) -> None:
    """Set ``QUIET_TENSORFLOW`` in ``environ`` where the caller has not set them."""
    for name, value in QUIET_TENSORFLOW.items():
        environ.setdefault(name, value)


def usage() -> str:
    width = max(len(verb) for verb in VERBS)
    lines = ["usage: python -m assignment VERB [options]", "", "verbs:"]
    lines += [f"  {verb:<{width}}  {help_text}" for verb, (_, help_text) in VERBS.items()]
    lines.append("\n`python -m assignment VERB --help` for the options of a verb.")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    verb, rest = argv[0], argv[1:]
    if verb not in VERBS:
        print(f"error: unknown verb {verb!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(VERBS[verb][0])
    return command(module.main)(rest)
