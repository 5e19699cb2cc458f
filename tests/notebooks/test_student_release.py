"""The student release (`python -m assignment release --student DIR`): no solutions in
DIR, nothing in DIR imports the repository, and from DIR alone the public tests pass the
reference and name the known mistakes exactly as the repository's public tests do.
"""
import ast
import io
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import textwrap
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from assignment.exercises import NOTEBOOKS
from assignment.student_release import (PACKAGE, VALUES_FILE, StudentReleaseError, learner_modules,
                                        vendored_name, write_student_release)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_MODULES = sorted({e.source_module for exercises in NOTEBOOKS.values() for e in exercises})
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
INSTRUCTOR_ONLY = ("assignment.checks.known_mistakes",)
# Solution lines that the learner side must hold, each with the reason.
ALLOWED = {
    "np.arange(d)[np.newaxis, :],": "the course's public test feeds get_angles a row of dimensions this way "
                                    "(checks/positional.py, angle_inputs); positional_encoding's solution "
                                    "calls get_angles on the same inputs",
}


# ------------------------------------------------------------------ the solution lines

def _code_part(line: str) -> str:
    """A stripped line without its trailing comment (a copy may drop or reword the comment)."""
    return re.split(r"\s+#\s", line.strip(), maxsplit=1)[0].strip()


def is_trivial(code: str) -> bool:
    """Lines that say nothing about a solution, so they may appear anywhere:

    * fewer than 12 non-space characters (`return x`, `x = None`, `i = k // 2`): too short
      to be a solution's own; such lines also occur in the stubs, in the given code and in
      the hints, which may quote the course's formulas (the hint "Use i = k // 2");
    * only keywords, one-letter names and punctuation (`else:`, `pass`, `)`, `]`);
    * only names, dots, commas and brackets: an argument list's continuation line
      (`look_ahead_mask, padding_mask)`), whose names are the signature's.

    Every other line of a solution block (a formula, a call chain, a layer call) is
    specific enough that finding it in DIR means a solution leaked.
    """
    if len(re.sub(r"\s", "", code)) < 12:
        return True
    if re.fullmatch(r"[\w\s.,()\[\]]*", code):
        return True
    words = re.findall(r"[A-Za-z_]\w*", code)
    return all(keyword.iskeyword(word) or len(word) == 1 for word in words)


def published_text():
    """What the repository shows learners on purpose, so a solution line found there is
    not secret: the reference modules outside their solution blocks (the given code and
    the stubs, comment signs removed), the notebooks' Markdown sources (the instructions,
    which quote calls such as `self.mha1(x, x, x, look_ahead_mask, ...)`) and the string
    constants of the learner-side check modules (the hints the public tests print)."""
    parts = []
    for module in REFERENCE_MODULES:
        inside = False
        for line in ROOT.joinpath(*module.split(".")).with_suffix(".py").read_text().splitlines():
            inside = (inside or line.strip() == BEGIN) and line.strip() != END
            if not inside:
                parts.append(re.sub(r"^\s*(#\s?)*", "", line))
    parts += [path.read_text() for path in sorted((ROOT / "notebooks" / "source").glob("*.md"))]
    for module in learner_modules():
        tree = ast.parse(ROOT.joinpath(*module.split(".")).with_suffix(".py").read_text())
        parts += [node.value for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    return "\n".join(parts)


def solution_lines():
    """{stripped code line: "module:line"} of every line between the solution markers of
    every reference module of the registry and of every line of the instructor-only
    modules, except trivial, published and allowed ones."""
    published = published_text()
    lines = {}
    for module in REFERENCE_MODULES:
        path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
        inside = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() == BEGIN:
                inside = True
            elif line.strip() == END:
                inside = False
            elif inside:
                code = _code_part(line)
                if code and not code.startswith("#") and not is_trivial(code) and code not in published \
                        and code not in ALLOWED:
                    lines.setdefault(code, f"{module}:{number}")
    # The known mistakes re-implement the solutions: all their code is instructor-only,
    # except lines the learner-side modules share (imports, helpers).
    shared = "\n".join(ROOT.joinpath(*m.split(".")).with_suffix(".py").read_text() for m in learner_modules())
    for module in INSTRUCTOR_ONLY:
        path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = _code_part(line)
            if code and not code.startswith(("#", '"', "'")) and not is_trivial(code) \
                    and code not in published and code not in shared and code not in ALLOWED:
                lines.setdefault(code, f"{module}:{number}")
    return lines


def solution_hits(folder: Path):
    """(file, line, where in the reference) of every solution line found in a file of ``folder``."""
    lines = solution_lines()
    hits = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            text = path.read_bytes().decode("latin-1")
        if path.suffix == ".ipynb":  # the code as a learner sees it, not JSON-escaped
            text += "\n" + "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
        for code, where in lines.items():
            if code in text:
                hits.append((str(path.relative_to(folder)), code, where))
    return hits


def test_solution_lines_are_found_and_the_rule_keeps_real_code():
    lines = solution_lines()
    assert len(lines) > 40  # every exercise of the Transformer and the NER reference
    assert any("np.power(10000" in line for line in lines)
    assert any("tokenizer(examples" in line for line in lines)
    assert is_trivial("return x") and is_trivial("else:") and is_trivial(")") and is_trivial("pass")
    assert not is_trivial("angles = pos / np.power(10000, (2 * i) / np.float32(d))")


# ------------------------------------------------------------------ the release

@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student") / "release"
    write_student_release(folder)
    return folder


@pytest.mark.slow
def test_release_has_the_learner_files_and_no_instructor_modules(student_dir):
    names = {p.relative_to(student_dir).as_posix() for p in student_dir.rglob("*") if p.is_file()}
    assert {"Transformer.ipynb", "NER_DistilBERT.ipynb", "public_tests.py", VALUES_FILE, "README.md",
            f"{PACKAGE}/__init__.py", f"{PACKAGE}/protocol.py", f"{PACKAGE}/recorded.py", f"{PACKAGE}/ner.py",
            f"{PACKAGE}/ner_tokenizer.py"} <= names
    assert not any(re.search(r"known_mistakes|live\.py|transformer\.py$|align\.py", name) for name in names)
    notebook = json.loads((student_dir / "Transformer.ipynb").read_text())
    assert not any("optional" in cell["metadata"].get("tags", []) for cell in notebook["cells"])
    # the NER copy: the exercise and its test, not the sections that use the repository
    ner = json.loads((student_dir / "NER_DistilBERT.ipynb").read_text())
    ner_sources = ["".join(cell["source"]) for cell in ner["cells"]]
    assert any("tokenize_and_align_labels_test(tokenize_and_align_labels)" in text for text in ner_sources)
    assert not any(text.startswith(("## 1 - ", "## 3 - ", "## 4 - ")) for text in ner_sources)
    for cell in ner["cells"]:
        if cell["cell_type"] == "code":
            assert not re.search(r"(?m)^\s*(from|import) assignment\b", "".join(cell["source"])), cell["source"]
    for path in (student_dir / PACKAGE).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n == "assignment" or n.startswith("assignment.") for n in names), path


def hidden_scenarios():
    """The ids of the repository checks' hidden groups and the keys of their scenarios."""
    from assignment.checks import PUBLIC, make_check
    hidden = set()
    for exercise in [e for exercises in NOTEBOOKS.values() for e in exercises]:
        check = make_check(exercise)
        ids = {group.id for group in check.groups if group.tag != PUBLIC}
        nothing = lambda *args, **kwargs: None  # noqa: E731  (the thunks are never called)
        hidden |= ids | {key for group, key, _ in check.scenarios(nothing, [nothing] * len(exercise.extra_args))
                         if group in ids}
    return hidden


@pytest.mark.slow
def test_release_holds_public_scenarios_only(student_dir):
    hidden = hidden_scenarios()
    assert {"other_size", "batch_heads", "sizes_build"} <= hidden  # the search is not empty
    # A module without scenario groups may hold a scenario's name as an ordinary word (the
    # NER case "other" is also a word of observations.py); its own strings are not scenarios.
    ordinary = {}
    for module in learner_modules():
        text = ROOT.joinpath(*module.split(".")).with_suffix(".py").read_text()
        if "Group(" not in text:
            ordinary[vendored_name(module).split(".", 1)[1] + ".py"] = {
                node.value for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Constant)
                and isinstance(node.value, str)}
    assert "observations.py" in ordinary and "ner.py" not in ordinary
    for path in (student_dir / PACKAGE).glob("*.py"):
        tree = ast.parse(path.read_text())
        constants = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                     and isinstance(node.value, str)} - ordinary.get(path.name, set())
        assert not constants & hidden, (path.name, sorted(constants & hidden))
        for node in ast.walk(tree):  # every Group(...) left is a public one
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Group":
                assert getattr(node.args[1], "id", None) == "PUBLIC", (path.name, ast.unparse(node))
    values = json.loads((student_dir / VALUES_FILE).read_text())
    assert {"other_sentences", "unseen", "window_3"} <= hidden  # the NER check's hidden ones too
    assert set(values) == {e.name for e in NOTEBOOKS["Transformer"] + NOTEBOOKS["NER_DistilBERT"]}
    for name, recorded in values.items():
        keys = set(recorded["expected"]) | set(recorded["mistakes"])
        assert keys and not keys & hidden, (name, sorted(keys & hidden))


@pytest.mark.slow
def test_no_solution_line_in_the_release(student_dir):
    assert solution_hits(student_dir) == []


@pytest.mark.slow
@pytest.mark.parametrize("leak", ["assignment/checks/known_mistakes.py", "assignment/transformer.py",
                                  "assignment/ner/align.py"])
def test_the_search_finds_a_leaked_instructor_module(student_dir, tmp_path, leak):
    copy = tmp_path / "leaky"
    shutil.copytree(student_dir, copy)
    shutil.copy(ROOT / leak, copy / PACKAGE / Path(leak).name)
    hits = solution_hits(copy)
    assert hits and all(file == f"{PACKAGE}/{Path(leak).name}" for file, _, _ in hits)


def test_an_instructor_module_reached_by_an_import_is_refused(monkeypatch):
    import assignment.student_release as release
    assert not any(m in learner_modules() for m in release.FORBIDDEN)
    monkeypatch.setattr(release, "BASE_MODULES", release.BASE_MODULES + ("assignment.checks.live",))
    with pytest.raises(StudentReleaseError, match="instructor-only"):
        release.learner_modules()


def test_a_notebook_whose_test_needs_the_reference_is_refused(tmp_path, monkeypatch):
    import assignment.student_release as release
    monkeypatch.setattr(release, "STUDENT_NOTEBOOKS", ("Transformer",))
    with pytest.raises(StudentReleaseError, match="NER_DistilBERT"):
        release.write_student_release(tmp_path / "out", ["NER_DistilBERT"])
    assert not (tmp_path / "out").exists()


def test_the_ner_copy_refuses_a_notebook_it_cannot_cut(monkeypatch):
    """The NER copy's edits are exact: when the notebook's demo changes, the release says so."""
    import assignment.student_release as release
    monkeypatch.setattr(release, "NER_DROPPED_SECTIONS", ("## 1 - ", "## 4 - ", "## 5 - ", "## 6 - "))
    with pytest.raises(StudentReleaseError, match="imports the repository"):
        release.student_notebook("NER_DistilBERT")


# ------------------------------------------------------------------ from DIR alone

DRIVER = textwrap.dedent('''
    """Runs in `python -I`, cwd = the student release: nothing of the repository may load."""
    import importlib.abc, io, json, os, re, sys, types
    from contextlib import redirect_stdout

    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    REPO, RELEASE, SOURCES = sys.argv[1], os.getcwd(), json.load(open(sys.argv[2]))

    class NoRepository(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "assignment" or name.startswith(("assignment.", "tests")):
                raise ImportError(f"the student release imported the repository: {name}")
            return None

    sys.meta_path.insert(0, NoRepository())
    sys.path.insert(0, RELEASE)
    import public_tests

    # The reference and the mutants, from their text (never imported from the repository);
    # in linecache, so that a traceback's "line N: code" reads as it does in the repository.
    import linecache

    def load(name, text, namespace):
        linecache.cache[name] = (len(text), None, text.splitlines(True), name)
        exec(compile(text, name, "exec"), namespace)

    def run(name, target, extras):
        out = io.StringIO()
        try:
            with redirect_stdout(out):
                getattr(public_tests, name)(target, *[getattr(ref, e) for e in extras])
            return {"passed": True, "out": out.getvalue()}
        except AssertionError as failure:
            return {"passed": False, "message": str(failure)}

    results = {"reference": {}, "mutants": []}
    for lab in SOURCES["labs"]:
        ref = types.ModuleType("reference_solutions")
        load(lab["reference_file"], re.sub(r"(?m)^import assignment\\b.*$", "", lab["reference"]), ref.__dict__)
        mutants = types.ModuleType("mutants")
        mutants.ref = ref
        load(lab["mutants_file"], lab["mutants"].replace("from assignment import transformer as ref", ""),
             mutants.__dict__)
        for name, check, extras in lab["exercises"]:
            results["reference"][name] = run(check, getattr(ref, name), extras)
        for mutant_entry in mutants.MUTANTS:
            name, mutant, words = mutant_entry if len(mutant_entry) == 3 else (lab["exercises"][0][0], *mutant_entry)
            check, extras = next((c, x) for n, c, x in lab["exercises"] if n == name)
            results["mutants"].append([name, mutant.__name__, run(check, mutant, extras)])
    repo = os.path.realpath(REPO)
    venv = os.path.realpath(sys.prefix) + os.sep  # the installed packages (a .venv may sit inside the checkout)

    def from_repository(module):
        path = os.path.realpath(getattr(module, "__file__", None) or "/")
        return path.startswith(repo + os.sep) and not path.startswith(venv)

    results["loaded_from_repository"] = sorted(
        m for m, module in list(sys.modules.items()) if from_repository(module))
    print("RESULTS " + json.dumps(results))
''')


# (notebook, its reference module, its mutants), as paths of the repository. The NER
# mutants are (mutant, words): they all target the lab's one exercise.
LABS = [("Transformer", "assignment/transformer.py", "tests/mutants/transformer_mutants.py"),
        ("NER_DistilBERT", "assignment/ner/align.py", "tests/mutants/ner_mutants.py")]


def run_from_release(student_dir, tmp_path):
    """The DRIVER's results; the driver and its inputs live outside DIR."""
    sources = {"labs": [{"reference_file": reference, "reference": (ROOT / reference).read_text(),
                         "mutants_file": mutants, "mutants": (ROOT / mutants).read_text(),
                         "exercises": [[e.name, e.check, list(e.extra_args)] for e in NOTEBOOKS[notebook]]}
                        for notebook, reference, mutants in LABS]}
    (tmp_path / "sources.json").write_text(json.dumps(sources))
    (tmp_path / "driver.py").write_text(DRIVER)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([sys.executable, "-I", str(tmp_path / "driver.py"), str(ROOT), str(tmp_path / "sources.json")],
                          cwd=student_dir, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULTS "))
    return json.loads(line[len("RESULTS "):])


@pytest.mark.slow
def test_from_the_release_alone_reference_passes_and_mutants_get_the_repository_messages(student_dir, tmp_path):
    import public_tests
    from assignment import transformer as ref
    from tests.mutants import ner_mutants, transformer_mutants

    results = run_from_release(student_dir, tmp_path)
    assert results["loaded_from_repository"] == []
    assert set(results["reference"]) == {e.name for e in NOTEBOOKS["Transformer"] + NOTEBOOKS["NER_DistilBERT"]}
    for name, outcome in results["reference"].items():
        assert outcome["passed"] and "All tests passed" in outcome["out"], (name, outcome)
    mutants = transformer_mutants.MUTANTS + [("tokenize_and_align_labels", mutant, words)
                                             for mutant, words in ner_mutants.MUTANTS]
    assert len(results["mutants"]) == len(mutants)
    for (name, mutant, words), (_, mutant_name, outcome) in zip(mutants, results["mutants"]):
        exercise = next(e for e in NOTEBOOKS["Transformer"] + NOTEBOOKS["NER_DistilBERT"] if e.name == name)
        assert mutant_name == mutant.__name__
        try:
            with redirect_stdout(io.StringIO()):
                getattr(public_tests, exercise.check)(mutant, *[getattr(ref, e) for e in exercise.extra_args])
            repository = None
        except AssertionError as failure:
            repository = str(failure)
        assert repository is not None, f"{mutant_name} passes the repository's public test"
        assert not outcome["passed"], f"{mutant_name} passes the student release's public test"
        assert words in outcome["message"], (mutant_name, outcome["message"])
        assert outcome["message"] == repository, mutant_name


@pytest.mark.slow
@pytest.mark.parametrize("notebook, test", [("Transformer", "get_angles_test"),
                                            ("NER_DistilBERT", "tokenize_and_align_labels_test")])
def test_the_notebooks_first_cell_finds_the_tests_in_the_release(student_dir, tmp_path, notebook, test):
    """The learner notebook's set-up cell, run in a fresh `python -I` from DIR, imports
    DIR's public tests (and nothing of the repository); an unfilled stub gets the fill-in hint.
    The NER copy's demo cell then runs from DIR too (on the reference, given as text)."""
    cells = json.loads((student_dir / f"{notebook}.ipynb").read_text())["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    setup = code[0]
    if notebook == "NER_DistilBERT":
        demo = next(text for text in code if "check_tokenizer" in text)
        reference = re.sub(r"(?m)^import assignment\b.*$", "", (ROOT / "assignment" / "ner" / "align.py").read_text())
        (tmp_path / "after.py").write_text(reference + "\n" + demo + "\nprint('DEMO', len(demo['labels'][0]))\n")
    else:
        (tmp_path / "after.py").write_text("")
    script = textwrap.dedent('''
        import importlib.abc, json, os, sys

        class NoRepository(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "assignment" or name.startswith("assignment."):
                    raise ImportError(f"the student release imported the repository: {name}")

        sys.meta_path.insert(0, NoRepository())
        exec(open(sys.argv[1]).read())
        try:
            TEST(None)
            print("RESULT no failure")
        except AssertionError as failure:
            print("RESULT " + json.dumps([REPO_ROOT, sys.modules["public_tests"].__file__, str(failure)]))
        exec(open(sys.argv[2]).read())
    ''').replace("TEST", test)
    (tmp_path / "setup_cell.py").write_text(setup)
    (tmp_path / "run.py").write_text(script)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([sys.executable, "-I", str(tmp_path / "run.py"), str(tmp_path / "setup_cell.py"),
                           str(tmp_path / "after.py")],
                          cwd=student_dir, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    root, tests_file, message = json.loads(line[len("RESULT "):])
    assert Path(root).resolve() == student_dir.resolve()
    assert Path(tests_file).resolve() == (student_dir / "public_tests.py").resolve()
    assert "START CODE HERE" in message
    if notebook == "NER_DistilBERT":
        assert any(line.startswith("DEMO ") and int(line.split()[1]) > 8 for line in done.stdout.splitlines())


def test_the_ner_copy_is_the_same_every_time():
    """The student copy's own cells (the closing note) have fixed ids: two releases write the same bytes."""
    import nbformat

    from assignment.student_release import NER_NOTE, student_notebook
    first, second = (nbformat.writes(student_notebook("NER_DistilBERT")) for _ in range(2))
    assert first == second and NER_NOTE in first
