"""The notebook generator: markers, Markdown source, determinism, committed notebooks.

None of these tests starts a kernel or imports TensorFlow; see
test_notebook_execution.py for the executed notebooks.
"""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assignment.cli import main
from assignment.notebooks import cells, markdown, markers
from assignment.notebooks import build as release
from assignment.exercises import NOTEBOOKS, exercises_of

from assignment.paths import REPO_ROOT

REPO = REPO_ROOT
TRANSFORMER = REPO / "assignment" / "transformer.py"


def lines(text):
    return textwrap.dedent(text).strip("\n").splitlines()


# ------------------------------------------------------------------ markers

GRADED = '''
    # UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
    # GRADED FUNCTION double
    def double(x):
        """Twice x."""
        # START CODE HERE
        ### BEGIN SOLUTION
        y = x + x
        z = (y +
             0)
        ### END SOLUTION
        ### BEGIN STUB
        # # add x to itself
        # y = None
        #
        # z = None
        ### END STUB
        # END CODE HERE
        return z
'''


def test_split_keeps_solution_for_solved_and_stub_for_learner():
    learner, solved, count = markers.split_graded_lines(lines(GRADED), "m.py")
    assert "    y = x + x" in solved and "         0)" in solved
    assert "    # add x to itself" in learner and "    y = None" in learner and "    z = None" in learner
    assert "" in learner  # the bare "#" stub line became an empty line
    assert not any("x + x" in line for line in learner)
    assert not any("None" in line for line in solved)
    for copy in (learner, solved):
        assert not any("### BEGIN" in line or "### END" in line for line in copy)
        assert copy[0].startswith("# UNQ_C1") and copy[-1] == "    return z"
    assert count == 2  # a statement continued over two lines counts once


@pytest.mark.parametrize("body, line, message", [
    ("### BEGIN SOLUTION\nx = 1\n", 1, "never closed"),
    ("x = 1\n### END SOLUTION\n", 2, "without a matching"),
    ("### BEGIN SOLUTION\n### BEGIN STUB\n### END STUB\n### END SOLUTION\n", 2, "inside the SOLUTION block"),
    ("### BEGIN STUB\n# x = None\n### END SOLUTION\n", 3, "expected '### END STUB'"),
])
def test_unbalanced_markers_name_file_and_line(body, line, message):
    with pytest.raises(markers.SourceError, match=re.escape(f"ref.py:{line + 9}:") + ".*" + re.escape(message)):
        markers.split_graded_lines(body.splitlines(), "ref.py", first_lineno=10)


def test_stub_lines_must_be_commented_out():
    body = ["### BEGIN SOLUTION", "x = 1", "### END SOLUTION", "### BEGIN STUB", "x = None", "### END STUB"]
    with pytest.raises(markers.SourceError, match=r"ref\.py:5: .*commented out"):
        markers.split_graded_lines(body, "ref.py")


def test_uncomment_stub_line():
    assert markers.uncomment_stub_line("        # # hint", "f", 1) == "        # hint"
    assert markers.uncomment_stub_line("    #     x = None", "f", 1) == "        x = None"
    assert markers.uncomment_stub_line("    #", "f", 1) == ""
    assert markers.uncomment_stub_line("", "f", 1) == ""
    with pytest.raises(markers.SourceError):
        markers.uncomment_stub_line("    #x = None", "f", 7)


def write_module(tmp_path, text):
    path = tmp_path / "ref.py"
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def test_graded_blocks_of_a_module_add_a_line_count_hint(tmp_path):
    path = write_module(tmp_path, "import os\n\n\n" + textwrap.dedent(GRADED) + "\n\ndef helper():\n    return 1\n")
    blocks = markers.graded_blocks(path)
    assert list(blocks) == ["double"]
    block = blocks["double"]
    assert block.tag == "UNQ_C1" and block.first_line == 5 and block.solution_lines == 2
    assert "    # START CODE HERE\n    # (≈ 2 lines of code)\n" in block.learner
    assert "(≈" not in block.solved and "helper" not in block.solved
    assert markers.definition_source(path, "helper") == "def helper():\n    return 1\n"


def test_marker_outside_a_graded_block_is_an_error(tmp_path):
    path = write_module(tmp_path, textwrap.dedent(GRADED) + "\n\ndef helper():\n    ### BEGIN SOLUTION\n"
                                                            "    return 1\n    ### END SOLUTION\n")
    with pytest.raises(markers.SourceError, match=r"ref\.py:22: .*outside a graded block"):
        markers.graded_blocks(path)


def test_graded_function_comment_must_name_the_definition(tmp_path):
    path = write_module(tmp_path, GRADED.replace("GRADED FUNCTION double", "GRADED FUNCTION triple"))
    with pytest.raises(markers.SourceError, match=r"ref\.py:1: .*triple.*must agree"):
        markers.graded_blocks(path)


def test_given_code_may_not_hold_markers(tmp_path):
    path = write_module(tmp_path, GRADED)
    with pytest.raises(markers.SourceError, match="graded"):
        markers.definition_source(path, "double")


def test_reference_solutions_have_one_graded_block_per_exercise():
    for notebook, exercises in NOTEBOOKS.items():
        for exercise in exercises:
            path = markers.module_path(exercise.source_module) if notebook == "Transformer" else None
            if path is None:
                continue
            block = markers.graded_blocks(path)[exercise.name]
            assert block.tag == exercise.tag
            assert block.learner.splitlines()[1] == f"# GRADED FUNCTION {exercise.name}"
            assert block.learner.count("None") > block.solved.count("None")


# ------------------------------------------------------------------ Markdown source

def test_parse_markdown_cells_and_directives():
    text = textwrap.dedent("""
        # Title

        Some text with `code`.

        ```text
        # not a heading, and not a code cell
        ```

        ## Section
        More text.

        ```python tags=figure,slow
        x = 1
        ```
        <!-- source: helper -->
        <!-- graded: double -->
        Text before.
        **Expected output**

        ```text
        1
        ```
        Text after.
        """)
    items = markdown.parse_markdown(text, "nb.md")
    kinds = [(type(i).__name__, getattr(i, "cell_type", getattr(i, "kind", None))) for i in items]
    assert kinds == [("Cell", "markdown"), ("Cell", "markdown"), ("Cell", "code"),
                     ("Directive", "source"), ("Directive", "graded"),
                     ("Cell", "markdown"), ("Cell", "markdown"), ("Cell", "markdown")]
    assert [c.source for c in items[5:]] == ["Text before.\n", "**Expected output**\n\n```text\n1\n```\n",
                                             "Text after.\n"]
    assert items[0].source.startswith("# Title") and "# not a heading" in items[0].source
    assert items[1].source == "## Section\nMore text.\n"
    assert items[2].source == "x = 1\n" and items[2].tags == ("figure", "slow")
    assert (items[4].argument, items[4].lineno) == ("double", 17)


@pytest.mark.parametrize("text, message", [
    ("```python\nx = 1\n", r"nb\.md:1: .*never closed"),
    ("text\n<!-- grade: double -->\n", r"nb\.md:2: unknown directive 'grade'"),
    ("<!-- graded:double extra -->\n", r"nb\.md:1: malformed directive"),
    ("```python tags=a b\nx\n```\n", r"nb\.md:1: unsupported fence options"),
])
def test_parse_markdown_errors(text, message):
    with pytest.raises(markers.SourceError, match=message):
        markdown.parse_markdown(text, "nb.md")


def minimal_source(extra=""):
    parts = ["# Tiny\n", extra]
    for exercise in exercises_of("Transformer"):
        parts.append(f"<!-- graded: {exercise.name} -->\n")
    return "\n".join(parts)


def test_build_cells_from_a_source_folder(tmp_path):
    (tmp_path / "Transformer.md").write_text(minimal_source(
        "<!-- source: create_look_ahead_mask -->\n<!-- include: optional.md -->\n"))
    learner = cells.build_cells("Transformer", cells.LEARNER, tmp_path)
    # Without optional.md: title, given function, then graded + test + expected per exercise.
    assert len(learner) == 2 + 3 * len(exercises_of("Transformer"))
    assert learner[1].source.startswith("def create_look_ahead_mask(") and learner[1].tags == ("given",)
    (tmp_path / "optional.md").write_text("## Optional\n\n```python\nprint(1)\n```\n")
    with_optional = cells.build_cells("Transformer", cells.SOLVED, tmp_path)
    assert [c.source for c in with_optional[2:4]] == ["## Optional\n", "print(1)\n"]
    assert [c.tags for c in with_optional[2:4]] == [("optional",), ("optional",)]
    assert all("optional" not in c.tags for c in with_optional[:2] + with_optional[4:])


def test_build_cells_requires_every_exercise_in_registry_order(tmp_path):
    names = [e.name for e in exercises_of("Transformer")]
    (tmp_path / "Transformer.md").write_text("\n".join(f"<!-- graded: {n} -->" for n in names[:-1]))
    with pytest.raises(markers.SourceError, match=names[-1]):
        cells.build_cells("Transformer", cells.LEARNER, tmp_path)
    swapped = [names[1], names[0]] + names[2:]
    (tmp_path / "Transformer.md").write_text("\n".join(f"<!-- graded: {n} -->" for n in swapped))
    with pytest.raises(markers.SourceError, match="registry's order"):
        cells.build_cells("Transformer", cells.LEARNER, tmp_path)
    (tmp_path / "Transformer.md").write_text("<!-- graded: not_an_exercise -->")
    with pytest.raises(markers.SourceError, match=r"Transformer\.md:1: 'not_an_exercise' is not an exercise"):
        cells.build_cells("Transformer", cells.LEARNER, tmp_path)


def test_include_cycle_is_an_error(tmp_path):
    (tmp_path / "Transformer.md").write_text(minimal_source("<!-- include: a.md -->\n"))
    (tmp_path / "a.md").write_text("<!-- include: a.md -->\n")
    with pytest.raises(markers.SourceError, match="include cycle"):
        cells.build_cells("Transformer", cells.LEARNER, tmp_path)


# ------------------------------------------------------------------ the real notebooks

@pytest.fixture(scope="module")
def notebooks():
    return {variant: release.build_notebook("Transformer", variant) for variant in cells.VARIANTS}


def test_graded_cells_follow_the_course_layout(notebooks):
    for variant, nb in notebooks.items():
        graded = [c for c in nb.cells if "graded" in c.metadata.get("tags", [])]
        assert [c.metadata.assignment["exercise"] for c in graded] == [e.name for e in exercises_of()]
        for cell, exercise in zip(graded, exercises_of()):
            first, second = cell.source.splitlines()[:2]
            assert first == f"# {exercise.tag} (UNIQUE CELL IDENTIFIER, DO NOT EDIT)"
            assert second == f"# GRADED FUNCTION {exercise.name}"
            assert cell.metadata.tags == ["graded", exercise.tag]
            assert "# START CODE HERE" in cell.source and "# END CODE HERE" in cell.source
            assert "### BEGIN" not in cell.source and "### END" not in cell.source
            body = cell.source.split("# START CODE HERE")[1]
            assert bool(re.search(r"= None\b", body)) == (variant == cells.LEARNER)
            index = nb.cells.index(cell)
            test_cell, expected = nb.cells[index + 1], nb.cells[index + 2]
            call = f"{exercise.check}({', '.join((exercise.name,) + exercise.extra_args)})"
            assert test_cell.source == f"# UNIT TEST\n{call}"
            assert expected.cell_type == "markdown" and "All tests passed" in expected.source


def test_test_calls_match_the_course():
    calls = [cells.test_call(e) for e in exercises_of("Transformer")]
    assert calls == [
        "get_angles_test(get_angles)",
        "positional_encoding_test(positional_encoding, get_angles)",
        "scaled_dot_product_attention_test(scaled_dot_product_attention)",
        "EncoderLayer_test(EncoderLayer)",
        "Encoder_test(Encoder)",
        "DecoderLayer_test(DecoderLayer, create_look_ahead_mask)",
        "Decoder_test(Decoder, create_look_ahead_mask, create_padding_mask)",
        "Transformer_test(Transformer, create_look_ahead_mask, create_padding_mask)",
    ]


def test_learner_copy_hides_every_solution_line(notebooks):
    learner = {line.strip() for c in notebooks[cells.LEARNER].cells for line in c.source.splitlines()}
    solved = {line.strip() for c in notebooks[cells.SOLVED].cells for line in c.source.splitlines()}
    for block in markers.graded_blocks(TRANSFORMER).values():
        solution_only = set(block.solved.splitlines()) - set(block.learner.splitlines())
        solution_only = {line.strip() for line in solution_only if line.strip() and not line.strip().startswith("#")}
        assert solution_only, block.name
        for line in solution_only:
            assert line not in learner, f"solution line of {block.name} leaked: {line}"
            assert line in solved


def test_sections_in_the_course_order(notebooks):
    headings = [line for c in notebooks[cells.LEARNER].cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    numbered = [h for h in headings if re.match(r"## \d", h)]
    assert [h.split(" - ")[0] for h in numbered][:6] == [f"## {n}" for n in range(1, 7)]
    assert headings[headings.index("## Packages") + 1].startswith("## 1 - Positional")
    assert headings[-2:] == ["## Conclusion", "## References"]
    text = "\n".join(c.source for c in notebooks[cells.LEARNER].cells)
    assert "Vaswani" in text and "$$" in text and "<details>" in text
    for number, exercise in enumerate(exercises_of(), start=1):
        assert f"Exercise {number} - {exercise.name}" in text


def test_first_code_cell_selects_legacy_keras_before_tensorflow(notebooks):
    first = next(c for c in notebooks[cells.LEARNER].cells if c.cell_type == "code").source
    assert first.index('os.environ["TF_USE_LEGACY_KERAS"] = "1"') < re.search(r"^import tensorflow", first, re.M).start()
    assert "sys.path.insert(0" in first and "from public_tests import *" in first


def test_given_code_comes_from_the_reference_module(notebooks):
    given = [c.source for c in notebooks[cells.LEARNER].cells if "given" in c.metadata.get("tags", [])]
    for name in ("create_padding_mask", "create_look_ahead_mask", "FullyConnected"):
        assert markers.definition_source(TRANSFORMER, name).rstrip("\n") in given


def test_figure_cells_are_tagged(notebooks):
    figures = [c for c in notebooks[cells.SOLVED].cells if "figure" in c.metadata.get("tags", [])]
    assert len(figures) >= 5
    assert all("plt." in c.source for c in figures)


def test_cells_have_unique_deterministic_ids_and_no_outputs(notebooks):
    for nb in notebooks.values():
        ids = [c.id for c in nb.cells]
        assert len(set(ids)) == len(ids)
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids)
        assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
        assert nb.metadata.kernelspec.name == "python3"
    # The same cell has the same id in both copies, so a grader can match them.
    assert [c.id for c in notebooks[cells.LEARNER].cells] == [c.id for c in notebooks[cells.SOLVED].cells]


def test_render_is_deterministic():
    for variant in cells.VARIANTS:
        assert release.render("Transformer", variant) == release.render("Transformer", variant)


RELEASE_IN_CHILD = """
import sys
from assignment.cli import main
status = main(["notebooks", "build", "--out", sys.argv[1], "--solutions", sys.argv[1] + "/solutions"])
print("tensorflow imported:", "tensorflow" in sys.modules)
sys.exit(status)
"""


@pytest.mark.slow  # two fresh interpreters
def test_release_twice_writes_identical_bytes_without_tensorflow(tmp_path):
    """Two processes (different hash seeds), run side by side: same bytes, no TensorFlow."""
    children = []
    for seed in (1, 2):
        out = tmp_path / f"run{seed}"
        env = dict(os.environ, PYTHONHASHSEED=str(seed))
        children.append((out, subprocess.Popen([sys.executable, "-c", RELEASE_IN_CHILD, str(out)], cwd=REPO,
                                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                               text=True)))
    files = []
    for out, child in children:
        stdout, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr
        assert "tensorflow imported: False" in stdout, stdout
        files.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.ipynb"))})
    assert Path("Transformer.ipynb") in files[0] and Path("solutions/Transformer.ipynb") in files[0]
    assert files[0] == files[1]
    assert files[0][Path("Transformer.ipynb")] != files[0][Path("solutions/Transformer.ipynb")]
    json.loads(files[0][Path("Transformer.ipynb")])


def test_committed_notebooks_equal_the_generated_ones():
    names = release.available_notebooks()
    assert "Transformer" in names
    stale = release.stale_notebooks()
    assert stale == [], (f"{[str(p) for p in stale]} differ from what the generator writes: "
                         "run `python -m assignment notebooks build` and commit the result")


def test_notebooks_check_reports_a_stale_notebook(tmp_path, capsys):
    (tmp_path / "Transformer.ipynb").write_text(release.render("Transformer") + " ")
    assert tmp_path / "Transformer.ipynb" in release.stale_notebooks(tmp_path)
    assert main(["notebooks", "check", "--out", str(tmp_path)]) == 1
    assert "out of date: " in capsys.readouterr().err
    (tmp_path / "Transformer.ipynb").write_text(release.render("Transformer"))
    assert tmp_path / "Transformer.ipynb" not in release.stale_notebooks(tmp_path)
