"""Who may see each module of the package: the one definition of learner-safe and
instructor-only code, read by the student release, the grader's sandbox and the tests.

* ``LEARNER``: holds no solution, no known mistake, no hidden scenario's values and no
  grader. The student release (``python -m assignment release DIR``) ships
  every learner module, vendored with its imports renamed; learner code may import them
  in the sandbox.
* ``SANDBOX``: the grader's own child side (``assignment.grade.child``). Staged into the
  sandbox, because the sandboxed child runs it, but never shipped to learners, and learner
  code may not import it.
* ``INSTRUCTOR``: everything else: the reference solutions, the known mistakes (they
  re-implement the solutions), the live reference, the grader, the notebook generator and
  release, the command lines, the data generators. Never shipped, never staged, and
  refused to learner code while grading.

Each entry names one module (``assignment.x.y``, a package by its own name for its
``__init__``). ``tests/test_audience.py`` fails when a module of the package has no entry,
when an entry names no module, and when a learner module imports a module that is not
learner-safe. The code still lives in the repository's one package tree; moving the
learner-safe code into a folder of its own is a later layout change (issue 20), and this
table is what the release, the sandbox and the tests follow until then.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple
from assignment.paths import PACKAGE_DIR

LEARNER, SANDBOX, INSTRUCTOR = "learner", "sandbox", "instructor"
PACKAGE_ROOT = PACKAGE_DIR  # the folder of the package ``assignment``

AUDIENCE: Dict[str, str] = {
    # the package and what the public tests need on the learner's side
    "assignment": LEARNER,  # selects tf-keras before TensorFlow loads
    "assignment.legacy_keras": LEARNER,
    "assignment.exercises": LEARNER,  # the registry: names, tags, points, signatures
    "assignment.observations": LEARNER,
    "assignment.prerequisites": LEARNER,  # a lab cell stops with one line while its exercise fails
    "assignment.kernelspec": LEARNER,  # the release's set-up installs its kernel with it (standard library only)
    "assignment.paths": LEARNER,  # where things are (the sandbox stages it too)
    "assignment.atomic": INSTRUCTOR,  # the one atomic file write (grader, release); no learner module uses it
    # the checks: public side (scenarios, hints, comparisons; hidden groups are cut when shipped)
    "assignment.checks": LEARNER,
    "assignment.checks.protocol": LEARNER,
    "assignment.checks.judging": LEARNER,  # CheckFailed and the judges' helpers
    "assignment.checks.public": LEARNER,  # the public tests built from the checks
    "assignment.checks.recorded": LEARNER,
    "assignment.checks.inputs": LEARNER,
    "assignment.checks.comparisons": LEARNER,
    "assignment.checks.idioms": LEARNER,
    "assignment.checks.positional": LEARNER,
    "assignment.checks.attention": LEARNER,
    "assignment.checks.encoder": LEARNER,
    "assignment.checks.decoder": LEARNER,
    "assignment.checks.transformer_model": LEARNER,
    "assignment.checks.token_alignment": LEARNER,
    "assignment.checks.alignment_probe": LEARNER,  # the NER check's tokenizer, call and record
    "assignment.checks.answer_positions": LEARNER,  # the QA lab's check
    "assignment.checks.answer_positions_mistakes": INSTRUCTOR,  # its known mistakes, from the reference
    "assignment.checks.known_mistakes": INSTRUCTOR,  # re-implements the solutions
    "assignment.checks.live": INSTRUCTOR,  # runs the reference module
    # the dates lab: trains the Transformer class it is given
    "assignment.labs": LEARNER,
    "assignment.labs.dates": LEARNER,
    "assignment.labs.dates.data": LEARNER,
    "assignment.labs.dates.model": LEARNER,
    "assignment.labs.dates.decode": LEARNER,
    "assignment.labs.dates.plots": LEARNER,
    "assignment.labs.dates.train": LEARNER,
    "assignment.labs.dates.commands": INSTRUCTOR,  # the command line trains the reference Transformer
    # the NER lab: data, model, training, metrics, predictions on the function it is given
    "assignment.labs.ner": LEARNER,
    "assignment.labs.ner.data": LEARNER,
    "assignment.labs.ner.tokenizer": LEARNER,
    "assignment.labs.ner.convert": LEARNER,
    "assignment.labs.ner.modeling": LEARNER,
    "assignment.labs.ner.windows": LEARNER,
    "assignment.labs.ner.train": LEARNER,
    "assignment.labs.ner.metrics": LEARNER,
    "assignment.labs.ner.predict": LEARNER,
    "assignment.labs.ner.decoding": LEARNER,  # valid-BIO (Viterbi) decoding of predictions
    "assignment.labs.ner.casing": LEARNER,  # each word's case class (windows and predict need it)
    "assignment.labs.ner.case_model": LEARNER,  # the DistilBERT that reads the case classes
    "assignment.labs.ner.align": INSTRUCTOR,  # the lab's reference solution
    "assignment.labs.ner.commands": INSTRUCTOR,  # the command line trains with the reference
    "assignment.labs.ner.synth": INSTRUCTOR,  # generators of the shipped data (learners get the data file)
    "assignment.labs.ner.social": INSTRUCTOR,
    # the QA lab: bAbI stories, the model, training, predictions on the function it is given
    "assignment.labs.qa": LEARNER,
    "assignment.labs.qa.data": LEARNER,
    "assignment.labs.qa.modeling": LEARNER,
    "assignment.labs.qa.train": LEARNER,
    "assignment.labs.qa.predict": LEARNER,
    "assignment.labs.qa.metrics": LEARNER,
    "assignment.labs.qa.plots": LEARNER,
    "assignment.labs.qa.positions": INSTRUCTOR,  # the lab's reference solution
    "assignment.labs.qa.commands": INSTRUCTOR,  # the command line trains with the reference
    # the reference solutions and the tools around them
    "assignment.transformer": INSTRUCTOR,
    "assignment.transformer_2021": INSTRUCTOR,  # the 2021 release's reference solutions
    "assignment.notebooks": INSTRUCTOR,
    "assignment.release": INSTRUCTOR,
    "assignment.notebooks.markers": INSTRUCTOR,  # reads the reference modules' text (the grader too)
    "assignment.notebooks.markdown": INSTRUCTOR,  # the notebooks' Markdown sources
    "assignment.notebooks.cells": INSTRUCTOR,  # a notebook's cells from both
    "assignment.notebooks.build": INSTRUCTOR,
    "assignment.release.build": INSTRUCTOR,
    "assignment.release.vendor": INSTRUCTOR,  # the learner-safe modules, renamed and pruned for DIR
    "assignment.release.environment": INSTRUCTOR,  # writes the release's requirements and set-up script
    "assignment.release.archive": INSTRUCTOR,
    "assignment.release.publish": INSTRUCTOR,  # the `release` verb
    "assignment.notebooks.execute": INSTRUCTOR,
    "assignment.self_check": INSTRUCTOR,
    "assignment.cli": INSTRUCTOR,
    "assignment.errors": INSTRUCTOR,
    "assignment.__main__": INSTRUCTOR,
    # the grader: its child side runs in the sandbox, the rest stays outside
    "assignment.grade": SANDBOX,
    "assignment.grade.child": SANDBOX,  # the program of the sandboxed child, one step per module
    "assignment.grade.child.main": SANDBOX,  # its entry point (what the sandbox launches)
    "assignment.grade.child.channel": SANDBOX,
    "assignment.grade.child.process_limits": SANDBOX,
    "assignment.grade.child.landlock": SANDBOX,
    "assignment.grade.child.sealed_reference": SANDBOX,
    "assignment.grade.child.supervisor": SANDBOX,
    "assignment.grade.child.exercise": SANDBOX,
    "assignment.grade.child.cleanup": SANDBOX,
    "assignment.audience": SANDBOX,  # this table: the child reads it to refuse imports
    "assignment.grade.batch": INSTRUCTOR,
    "assignment.grade.commands": INSTRUCTOR,
    "assignment.grade.core": INSTRUCTOR,
    "assignment.grade.distributed": INSTRUCTOR,
    "assignment.grade.extract": INSTRUCTOR,
    "assignment.grade.given_code": INSTRUCTOR,
    "assignment.grade.isolation": INSTRUCTOR,
    "assignment.grade.course_edition": INSTRUCTOR,
    "assignment.grade.report": INSTRUCTOR,
    "assignment.grade.sandbox": INSTRUCTOR,
    "assignment.grade.child_process": INSTRUCTOR,  # the grader's handle on the sandboxed child
    "assignment.grade.similarity": INSTRUCTOR,
    "assignment.grade.autograder": INSTRUCTOR,  # the Gradescope autograder: it ships the grader and the reference
    "assignment.grade.html_report": INSTRUCTOR,
    "assignment.grade.intake": INSTRUCTOR,  # reads platform exports (the instructor's side)
    "assignment.grade.platform_layouts": INSTRUCTOR,
    "assignment.grade.submission_tree": INSTRUCTOR,
    "assignment.grade.version_key": INSTRUCTOR,
    "assignment.grade.worker": INSTRUCTOR,
    "assignment.grade.archive": INSTRUCTOR,
}
# Outside the package: the repository's own public_tests.py runs the live reference.
INSTRUCTOR_FILES = ("public_tests.py",)

# What the sandboxed child imports (a subset of the learner and sandbox modules): it is
# staged there, and nothing else of the repository is. A package named here is staged
# whole, less its instructor-only modules.
SANDBOX_STAGED = ("assignment", "assignment.legacy_keras", "assignment.exercises", "assignment.observations",
                  "assignment.checks", "assignment.grade", "assignment.grade.child", "assignment.audience", "assignment.paths",
                  "assignment.labs", "assignment.labs.ner",
                  "assignment.labs.ner.tokenizer")
WHOLE_PACKAGES = ("assignment.checks", "assignment.grade.child")  # staged with every module in it that
# is not instructor-only


def of(module: str) -> str:
    """LEARNER, SANDBOX or INSTRUCTOR; KeyError (naming this file) for a module not classified."""
    try:
        return AUDIENCE[module]
    except KeyError:
        raise KeyError(f"{module} is not classified in assignment/audience.py (AUDIENCE): say whether "
                       "learners may see it") from None


def modules(audience: str) -> Tuple[str, ...]:
    """The modules of one audience, sorted."""
    return tuple(sorted(name for name, who in AUDIENCE.items() if who == audience))


def package_modules(root: Path = PACKAGE_ROOT) -> List[str]:
    """Every module of the package as found on disk (``assignment``, ``assignment.x.y``), sorted."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = (root.name,) + path.relative_to(root).with_suffix("").parts
        found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(found)


def module_path(module: str) -> str:
    """The module's file relative to the repository root: ``assignment/x/y.py`` or
    ``assignment/x/__init__.py`` for a package."""
    relative = Path(*module.split("."))
    package = PACKAGE_ROOT.parent / relative
    return (relative / "__init__.py").as_posix() if package.is_dir() else relative.with_suffix(".py").as_posix()


def sandbox_entries() -> Tuple[str, ...]:
    """``SANDBOX_STAGED`` as the sandbox's allowlist entries (paths relative to the
    repository root): a whole package as its folder, a module without its suffix (a module
    file or a package folder of that name), a package's own ``__init__.py`` explicitly."""
    entries = []
    for module in SANDBOX_STAGED:
        relative = "/".join(module.split("."))
        if module in WHOLE_PACKAGES:
            entries.append(relative)
        elif (PACKAGE_ROOT.parent / relative).is_dir():
            entries.append(f"{relative}/__init__.py")
        else:
            entries.append(relative)
    return tuple(entries)


def never_staged() -> Tuple[str, ...]:
    """Paths (relative to the repository root) the sandbox never stages: every
    instructor-only module and file."""
    return tuple(module_path(m) for m in modules(INSTRUCTOR)) + INSTRUCTOR_FILES


def not_for_learner_code() -> Tuple[str, ...]:
    """The modules learner code may not import while it is graded: all but the learner ones."""
    return tuple(sorted(name for name, who in AUDIENCE.items() if who != LEARNER))
