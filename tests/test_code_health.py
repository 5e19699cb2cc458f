"""The package's shape holds (measured by tests/code_health.py, from the source alone)."""
import textwrap

from tests import code_health


def test_no_import_cycle_even_counting_function_local_imports():
    # The graph with every import, those inside functions too: a local import that only
    # postpones a cycle would show up here.
    assert code_health.cycles(code_health.graph(module_level_only=False)) == []


def test_no_import_cycle_between_the_subpackages():
    assert code_health.cycles(code_health.package_graph()) == []


def test_one_module_builds_the_command_line():
    assert code_health.parser_modules() == ["assignment.cli"]


def test_the_cycle_finder_finds_a_cycle_and_a_local_import(tmp_path):
    """The measures can fail: a two-module cycle through a function-local import."""
    package = tmp_path / code_health.PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from assignment.b import g\n")
    (package / "b.py").write_text(textwrap.dedent("""
        def g():
            from assignment import a
            return a
    """))
    assert code_health.cycles(code_health.graph(tmp_path)) == []
    assert code_health.cycles(code_health.graph(tmp_path, module_level_only=False)) == [
        ["assignment.a", "assignment.b"]]
    assert code_health.local_imports(tmp_path) == [("assignment.b", 3, "assignment.a")]
