"""Command line: ``python -m assignment VERB ...``, split by verb like otter-grader.

Each verb lives in its own module that exposes ``main(argv) -> int``; it is imported
only when used, so ``python -m assignment --help`` does not load TensorFlow.
"""
import importlib
import sys

VERBS = {
    "check": ("assignment.check_cli", "run the public tests against the reference solutions"),
    "release": ("assignment.release", "generate the notebooks from the reference solutions"),
    "grade": ("assignment.grade.cli", "grade submitted notebooks (one file or a folder)"),
    "ner": ("assignment.ner.cli", "named-entity recognition lab: train, evaluate, predict"),
    "dates": ("assignment.dates.cli", "train the Transformer on date normalization"),
}


def usage() -> str:
    lines = ["usage: python -m assignment VERB [options]", "", "verbs:"]
    lines += [f"  {verb:<8} {help_text}" for verb, (_, help_text) in VERBS.items()]
    lines.append("\n`python -m assignment VERB --help` for the options of a verb.")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0 if argv else 2
    verb, rest = argv[0], argv[1:]
    if verb not in VERBS:
        print(f"error: unknown verb {verb!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(VERBS[verb][0])
    return int(module.main(rest) or 0)
