"""assignment/audience.py is the one definition of learner-safe and instructor-only code:
every module is classified, learner modules import learner modules only, and the release,
the sandbox's allowlist and the grader's import block all follow it."""
import ast
from pathlib import Path

import pytest

from assignment import audience
from assignment.grade import isolation
from assignment.grade.child.exercise import BLOCKED_MODULES

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT


def test_every_module_of_the_package_is_classified():
    on_disk, table = set(audience.package_modules()), set(audience.AUDIENCE)
    assert on_disk - table == set(), f"modules with no entry in assignment/audience.py: {sorted(on_disk - table)}"
    assert table - on_disk == set(), f"entries of assignment/audience.py that name no module: {sorted(table - on_disk)}"
    assert set(audience.AUDIENCE.values()) <= {audience.LEARNER, audience.SANDBOX, audience.INSTRUCTOR}


def test_an_unclassified_module_is_found(tmp_path):
    package = tmp_path / "assignment"
    (package / "labs").mkdir(parents=True)
    for relative in ("__init__.py", "labs/__init__.py", "labs/new_lab.py"):
        (package / relative).write_text("")
    assert audience.package_modules(package) == ["assignment", "assignment.labs", "assignment.labs.new_lab"]
    with pytest.raises(KeyError, match="not classified in assignment/audience.py"):
        audience.of("assignment.labs.new_lab")


def _repository_imports(module):
    tree = ast.parse((ROOT / audience.module_path(module)).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        yield from (name for name in names if name in audience.AUDIENCE)


def test_learner_modules_import_learner_modules_only():
    wrong = [(module, name) for module in audience.modules(audience.LEARNER)
             for name in _repository_imports(module) if audience.of(name) != audience.LEARNER]
    assert wrong == []


def test_the_reference_solutions_and_the_grader_are_instructor_only():
    for module in ("assignment.transformer", "assignment.labs.ner.align", "assignment.checks.known_mistakes",
                   "assignment.checks.live", "assignment.grade.core", "assignment.notebooks.build"):
        assert audience.of(module) == audience.INSTRUCTOR, module
    assert audience.of("assignment.grade.child.main") == audience.SANDBOX


def test_the_sandbox_and_the_grader_follow_the_table():
    staged = isolation.probe_files()
    for path in staged:
        module = path[:-len(".py")].replace("/", ".").removesuffix(".__init__")
        assert audience.of(module) in (audience.LEARNER, audience.SANDBOX), path
    assert set(isolation.NEVER_STAGED) >= {audience.module_path(m) for m in audience.modules(audience.INSTRUCTOR)}
    assert set(BLOCKED_MODULES) == set(audience.modules(audience.INSTRUCTOR) + audience.modules(audience.SANDBOX))
    assert not set(BLOCKED_MODULES) & set(audience.modules(audience.LEARNER))


def test_the_release_ships_exactly_the_learner_modules():
    from assignment.release.vendor import learner_modules
    assert learner_modules() == list(audience.modules(audience.LEARNER))
