"""Build the test submissions of the grader from the release notebooks, and expected.json.

    .venv/bin/python tests/submissions/make_submissions.py

Every submission starts from the release's learner notebook (stubs) or solved notebook
(``assignment.notebooks.build.build_notebook``) and replaces graded cells or adds cells. Hostile
submissions keep the other exercises as stubs (not run, so the test suite stays fast)
and solve ``scaled_dot_product_attention`` as a canary: it must still pass. The mutants
come from ``tests/mutants/transformer_mutants.py`` (the public tests' known mistakes).
"""
from __future__ import annotations

import inspect
import json
import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

import assignment  # noqa: E402,F401
import nbformat  # noqa: E402

from assignment.exercises import EXERCISES  # noqa: E402
from assignment.notebooks.cells import LEARNER, SOLVED  # noqa: E402
from assignment.notebooks.markers import graded_blocks, module_path  # noqa: E402

BY_NAME = {e.name: e for e in EXERCISES}
BLOCKS = graded_blocks(module_path("assignment.transformer"))
CANARY = "scaled_dot_product_attention"
ATTACK_PORT = 47613  # tests/grade/test_sandbox_isolation.py listens there on the grader's side
BOMB_MARKER = "617.25"  # the fork bomb's processes run `sleep 617.25`: the tests look for them
CHANNEL_FILE = "exercise-channel.bin"
NOT_IMPLEMENTED = "Not implemented"


def base(variant):
    from assignment.notebooks.build import build_notebook
    return build_notebook("Transformer", variant)


def header(name):
    return f"# {BY_NAME[name].tag} (UNIQUE CELL IDENTIFIER, DO NOT EDIT)\n# GRADED FUNCTION {name}\n"


def graded_index(nb, name):
    tag = BY_NAME[name].tag
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and f"# {tag} (" in cell.source:
            return index
    raise KeyError(name)


def replace(nb, name, source):
    nb.cells[graded_index(nb, name)].source = source.rstrip("\n")
    return nb


def solve(nb, *names):
    for name in names:
        replace(nb, name, BLOCKS[name].solved)
    return nb


def add_cell(nb, source, after=None):
    cell = nbformat.v4.new_code_cell(source)
    cell.id = f"extra-{len(nb.cells)}"
    if after is None:
        nb.cells.append(cell)
    else:
        nb.cells.insert(graded_index(nb, after) + 1, cell)
    return nb


def hostile(name, body):
    """Learner notebook + canary solved + the hostile graded cell of ``name``."""
    nb = solve(base(LEARNER), CANARY)
    return replace(nb, name, header(name) + textwrap.dedent(body))


# ----------------------------------------------------------------- mutants as learner code

def mutant_source(exercise, mutant):
    """Learner-style source of a mutant: a graded cell defining ``exercise``."""
    from tests.mutants import transformer_mutants as module
    if inspect.isfunction(mutant):
        text = textwrap.dedent(inspect.getsource(mutant))
        text = re.sub(rf"^def {mutant.__name__}\(", f"def {exercise}(", text, flags=re.M)
        helpers = ""
        for helper in ("_angles", "_attention"):
            if re.search(rf"\b{helper}\(", text):
                helpers += textwrap.dedent(inspect.getsource(getattr(module, helper))) + "\n\n"
        return header(exercise) + (helpers + text).replace("ref.", "")
    # A class mutant: the release's solved class with the mutant's call() and attributes.
    owner = next(cls for cls in mutant.__mro__ if "call" in cls.__dict__)
    call = textwrap.indent(textwrap.dedent(inspect.getsource(owner.__dict__["call"])), "    ")
    attributes = []
    for cls in reversed(mutant.__mro__):
        if cls.__module__ != module.__name__:
            continue
        for key, value in cls.__dict__.items():
            if not key.startswith("__") and not callable(value) and not isinstance(value, (staticmethod, classmethod)):
                attributes.append(f"    {key} = {value!r}")
    solved = BLOCKS[exercise].solved
    lines = solved.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"    def call\(", line))
    class_line = next(i for i, line in enumerate(lines) if line.startswith(f"class {exercise}("))
    body = lines[:start] + call.rstrip("\n").splitlines()
    body = body[:class_line + 1] + attributes + body[class_line + 1:]
    return "\n".join(body).replace("ref.", "") + "\n"


def mutant_rounds():
    from tests.mutants.transformer_mutants import MUTANTS
    usable = {}
    for exercise, mutant, hint in MUTANTS:
        source = mutant_source(exercise, mutant)
        if f"{exercise}.call(" in source:  # calls the reference's call(): not expressible as learner code
            continue
        usable.setdefault(exercise, []).append((mutant.__name__, source, hint))
    # The layer exercises are slow to probe: two mistakes each keep the suite fast; the
    # public tests already show every mutant is caught by its check.
    for name, count in (("EncoderLayer", 2), ("Encoder", 2), ("DecoderLayer", 2), ("Decoder", 1), ("Transformer", 1)):
        usable[name] = usable.get(name, [])[:count]
    return usable


# ----------------------------------------------------------------- the submissions

def build():
    out = {}  # file -> (notebook or text, expected)
    names = [e.name for e in EXERCISES]

    def expect(score, **statuses):
        """statuses: name -> (status, feedback substring); unlisted exercises: stub unless solved."""
        return {"score": score, "exercises": {k: {"status": v[0], "feedback": v[1]} for k, v in statuses.items()}}

    stubs = {n: ("failed", NOT_IMPLEMENTED) for n in names}
    canary = {CANARY: ("passed", "")}

    out["all_correct.ipynb"] = (base(SOLVED), expect(100, **{n: ("passed", "") for n in names}))
    out["learner_release.ipynb"] = (base(LEARNER), expect(0, **stubs))

    for index, (round_) in enumerate(_zip_rounds(mutant_rounds()), start=1):
        nb = base(SOLVED)
        statuses = {n: ("passed", "") for n in names}
        for exercise, (mutant, source, hint) in round_.items():
            replace(nb, exercise, source)
            statuses[exercise] = ("failed|error", hint)
        for exercise in names:  # keep the rounds cheap: exercises without a mutant stay stubs
            if exercise not in round_ and index > 2:
                replace(nb, exercise, BLOCKS[exercise].learner)
                statuses[exercise] = ("failed", NOT_IMPLEMENTED)
        score = 12.5 * sum(1 for s in statuses.values() if s[0] == "passed")
        out[f"mutants_round{index}.ipynb"] = (nb, expect(score, **statuses))

    nb = solve(base(LEARNER), "get_angles", CANARY)
    replace(nb, "positional_encoding", BLOCKS["positional_encoding"].solved.replace(
        "angle_rads[:, 0::2] = np.sin(angle_rads[:, 0::2])", "angle_rads[:, 0::2] = np.sin(angle_rads[:, 0::2]"))
    out["syntax_error.ipynb"] = (nb, expect(25, **dict(stubs, get_angles=("passed", ""), **canary,
                                                        positional_encoding=("error", "SyntaxError"))))

    nb = solve(base(LEARNER), "get_angles", "positional_encoding", CANARY)
    i = graded_index(nb, "get_angles")
    nb.cells[i].source = nb.cells[i].source.replace("# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)\n", "")
    i = graded_index(nb, "positional_encoding")
    nb.cells[i].source = re.sub(r"# (UNQ_C2 \(UNIQUE CELL IDENTIFIER, DO NOT EDIT\)|GRADED FUNCTION positional_encoding)\n",
                                "", nb.cells[i].source)
    i = graded_index(nb, CANARY)
    nb.cells[i].source = nb.cells[i].source.replace("# UNQ_C3 (", "# UNQ_C33 (")
    out["tags_edited.ipynb"] = (nb, expect(37.5, **dict(stubs, get_angles=("passed", "tag was edited or removed"),
                                                        positional_encoding=("passed", "graded the last definition"),
                                                        **{CANARY: ("passed", "found scaled_dot_product_attention by its "
                                                                              "'# GRADED FUNCTION' comment")})))

    nb = solve(base(LEARNER), CANARY)
    add_cell(nb, "def pair_index(k):\n    return k // 2  # the learner's own helper, in its own cell", after=CANARY)
    replace(nb, "get_angles", BLOCKS["get_angles"].solved.replace("i = k // 2", "i = pair_index(k)") +
            "\nget_angles_test(get_angles)  # the public test, left in the graded cell\n")
    add_cell(nb, "raise ValueError('scratch work that fails')", after="get_angles")
    add_cell(nb, "def get_angles(pos, k, d):\n    return 0  # an experiment in an untagged cell", after="get_angles")
    add_cell(nb, "%timeit -n1 1 + 1\n!echo shell lines are dropped\nget_angles = None\n1 / 0", after=CANARY)
    add_cell(nb, "%%bash\necho a bash cell")
    out["scratch_cells.ipynb"] = (nb, expect(25, **dict(stubs, get_angles=("passed", "uses pair_index, defined in code cell"),
                                                        **canary)))

    out["infinite_loop.ipynb"] = (hostile("get_angles", """
        def get_angles(pos, k, d):
            while True:
                pass
        """), expect(12.5, **dict(stubs, get_angles=("timeout", "infinite loop"), **canary)))
    out["memory_bomb.ipynb"] = (hostile("get_angles", """
        def get_angles(pos, k, d):
            everything = np.zeros((1 << 20, 1 << 20))  # 8 TiB at once
            return everything
        """), expect(12.5, **dict(stubs, get_angles=("error", "MemoryError"), **canary)))
    out["memory_bomb_8g.ipynb"] = (hostile("get_angles", """
        spaces = b" " * (8 << 30)  # fits in this machine's RAM, not in the sandbox's 4 GiB
        def get_angles(pos, k, d):
            return len(b" " * (8 << 30))
        """), expect(12.5, **dict(stubs, get_angles=("error", "MemoryError"), **canary)))
    out["sys_exit.ipynb"] = (hostile("get_angles", """
        import sys
        print("All tests passed")
        sys.exit(0)
        def get_angles(pos, k, d):
            return None
        """), expect(12.5, **dict(stubs, get_angles=("error", "sys.exit"), **canary)))
    out["os_exit.ipynb"] = (hostile("get_angles", """
        import os
        def get_angles(pos, k, d):
            print("All tests passed")
            os._exit(0)
        """), expect(12.5, **dict(stubs, get_angles=("error", "exited with status 0"), **canary)))
    out["fake_pass.ipynb"] = (hostile("get_angles", """
        print("\\033[92mAll tests passed")
        def get_angles(pos, k, d):
            print("All tests passed")
            return pos * 0 + k * 0
        """), expect(12.5, **dict(stubs, get_angles=("failed", "Column 0 must hold the positions"), **canary)))
    out["monkeypatch.ipynb"] = (hostile("get_angles", """
        import numpy
        import numpy.testing
        numpy.allclose = lambda *args, **kwargs: True
        numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.shape(a), bool)
        numpy.testing.assert_allclose = lambda *args, **kwargs: None
        tf.debugging.assert_near = lambda *args, **kwargs: None
        def get_angles(pos, k, d):
            return pos / np.power(10000, k / d)
        """), expect(12.5, **dict(stubs, get_angles=("failed", "not k/d"), **canary)))
    nb = hostile("get_angles", """
        def get_angles_test(*args):
            print("All tests passed")
        def get_angles(pos, k, d):
            return pos * k
        """)
    add_cell(nb, "import public_tests\npublic_tests.get_angles_test = lambda *a: print('All tests passed')\n"
                 "def positional_encoding_test(*args):\n    print('All tests passed')", after="get_angles")
    out["redefined_tests.ipynb"] = (nb, expect(12.5, **dict(stubs, get_angles=("failed", "Column 0 must hold the positions"),
                                                            **canary)))

    from assignment import transformer as ref
    import numpy as np
    public = ref.get_angles(np.arange(4)[:, np.newaxis], np.arange(16)[np.newaxis, :], 16)
    encoding = ref.positional_encoding(8, 16).numpy()
    nb = hostile("get_angles", f"""
        def get_angles(pos, k, d):
            return np.array({public.tolist()!r})
        """)
    replace(nb, "positional_encoding", header("positional_encoding") + textwrap.dedent(f"""
        def positional_encoding(positions, d):
            return tf.constant(np.array({encoding.tolist()!r}, dtype=np.float32))
        """))
    out["hardcoded.ipynb"] = (nb, expect(12.5, **dict(stubs, get_angles=("failed", "On a hidden scenario"),
                                                      positional_encoding=("failed", "shape"), **canary)))
    out["delete_files.ipynb"] = (hostile("get_angles", """
        import os, shutil
        for entry in os.listdir("."):
            shutil.rmtree(entry, ignore_errors=True) if os.path.isdir(entry) else os.remove(entry)
        def get_angles(pos, k, d):
            for entry in os.listdir("."):
                os.remove(entry)
            with open("junk.bin", "wb") as handle:
                handle.write(b"x" * 1000)
            i = k // 2
            return pos / np.power(10000, (2 * i) / np.float32(d))
        """), expect(25, **dict(stubs, get_angles=("passed", ""), **canary)))
    out["kill_parent.ipynb"] = (hostile("get_angles", """
        import os, signal
        os.killpg(0, signal.SIGTERM) if False else None
        os.kill(os.getppid(), signal.SIGKILL)
        def get_angles(pos, k, d):
            return None
        """), expect(12.5, **dict(stubs, get_angles=("error|failed", "killed by SIGKILL|is None"), **canary)))
    # (Sandboxed, the kill is refused (Landlock scopes signals) or kills the fork server, which
    # is restarted; get_angles then fails on its None or is the culprit. Without isolation the
    # server dies, is restarted and get_angles is the culprit. tests/grade/test_grade_submissions.py
    # checks both.)
    out["steal_reference.ipynb"] = (hostile("get_angles", """
        try:
            from assignment.transformer import get_angles as _stolen
        except ImportError:
            _stolen = None
        def get_angles(pos, k, d):
            import sys
            return sys.modules["assignment.transformer"].get_angles(pos, k, d)
        """), expect(12.5, **dict(stubs, get_angles=("error", "KeyError|AttributeError"), **canary)))
    out["huge_file.ipynb"] = (hostile("get_angles", """
        def get_angles(pos, k, d):
            with open("huge.bin", "wb") as handle:
                while True:
                    handle.write(b"x" * (1 << 20))
        """), expect(12.5, **dict(stubs, get_angles=("error", "File too large"), **canary)))

    # Attacks on the grader itself (issue 10). Each cell tries to get out of the sandbox
    # and uses the formula only when it did (a breach would then show as "passed"); when
    # everything is blocked it raises "blocked: ...": an error for that exercise only.
    formula = "pos / np.power(10000, (2 * (k // 2)) / np.float32(d))"
    out["attack_read_reference.ipynb"] = (hostile("get_angles", f"""
        import glob, os, sys
        def _candidates():
            found = []
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    found += [f"/proc/{{pid}}/cwd/assignment/transformer.py"]
            for module in list(sys.modules.values()):
                folder = os.path.dirname(getattr(module, "__file__", None) or "")
                if "assignment" in folder:
                    found += [os.path.join(folder, "transformer.py"), os.path.join(folder, "..", "transformer.py")]
            for depth in range(1, 6):
                found += glob.glob("/" + "*/" * depth + "assignment/transformer.py")
            for entry in sys.path:
                found.append(os.path.join(entry, "assignment", "transformer.py"))
            return found
        def get_angles(pos, k, d):
            for path in _candidates():
                try:
                    with open(path) as handle:
                        source = handle.read()
                    stolen = {{}}
                    exec(source, stolen)
                    return stolen["get_angles"](pos, k, d)
                except Exception:
                    continue
            raise RuntimeError("blocked: no reference file readable")
        """), expect(12.5, **dict(stubs, get_angles=("error", "blocked: no reference file readable"), **canary)))
    out["attack_write_repository.ipynb"] = (hostile("get_angles", f"""
        import glob, os
        def get_angles(pos, k, d):
            written = []
            targets = glob.glob("/*/*/*/assignment/transformer.py") + glob.glob("/*/*/assignment/transformer.py")
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    targets.append(f"/proc/{{pid}}/cwd/assignment/transformer.py")
            for path in targets:
                try:
                    with open(path, "a") as handle:
                        handle.write("\\n# tampered with by a submission\\n")
                    written.append(path)
                except OSError:
                    pass
            if written:
                return {formula}
            raise RuntimeError(f"blocked: could not write the reference ({{len(targets)}} paths tried)")
        """), expect(12.5, **dict(stubs, get_angles=("error", "blocked: could not write the reference"), **canary)))
    out["attack_read_submissions.ipynb"] = (hostile("get_angles", """
        import glob, os, re
        def get_angles(pos, k, d):
            folders = set()
            for pid in os.listdir("/proc"):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as handle:
                        arguments = handle.read().decode("utf-8", "replace").split("\\0")
                except OSError:
                    continue
                folders.update(a for a in arguments if a.startswith("/") and os.path.isdir(a))
            for pattern in ["/tmp/*/*/*/", "/tmp/*/*/", "/tmp/*/"] + [f + "/" for f in folders]:
                for path in glob.glob(pattern + "all_correct.ipynb"):
                    try:
                        text = open(path).read()
                    except OSError:
                        continue
                    match = re.search(r"def get_angles.*?return [^\\n]*", text.replace("\\\\n", "\\n"), re.S)
                    if match:
                        namespace = {"np": np}
                        exec(match.group(0), namespace)
                        return namespace["get_angles"](pos, k, d)
            raise RuntimeError(f"blocked: no other submission readable ({len(folders)} folders seen)")
        """), expect(12.5, **dict(stubs, get_angles=("error", "blocked: no other submission readable"), **canary)))
    out["attack_overwrite_grades.ipynb"] = (hostile("get_angles", f"""
        import os
        def get_angles(pos, k, d):
            written = []
            for pid in os.listdir("/proc"):
                try:
                    with open(f"/proc/{{pid}}/cmdline", "rb") as handle:
                        arguments = handle.read().decode("utf-8", "replace").split("\\0")
                except OSError:
                    continue
                for i, argument in enumerate(arguments[:-1]):
                    if argument == "--out":
                        out = arguments[i + 1]
                        for path in (out, out + ".pwned", os.path.join(out[:-4], "pwned.json")):
                            try:
                                with open(path, "a") as handle:
                                    handle.write("pwned,100\\n")
                                written.append(path)
                            except OSError:
                                pass
            if written:
                return {formula}
            raise RuntimeError("blocked: could not write the batch's results")
        """), expect(12.5, **dict(stubs, get_angles=("error", "blocked: could not write the batch"), **canary)))
    out["attack_network.ipynb"] = (hostile("get_angles", f"""
        import socket
        def get_angles(pos, k, d):
            reached = []
            for address in (("127.0.0.1", {ATTACK_PORT}), ("1.1.1.1", 53), ("pypi.org", 443)):
                try:
                    socket.create_connection(address, timeout=3).close()
                    reached.append(address)
                except OSError as error:
                    pass
            try:
                server = socket.socket()
                server.bind(("0.0.0.0", {ATTACK_PORT + 1}))
                server.listen()
                reached.append("listening")
            except OSError:
                pass
            if reached:
                return {formula}
            raise RuntimeError("blocked: no network")
        """), expect(12.5, **dict(stubs, get_angles=("error", "blocked: no network"), **canary)))
    out["attack_fork_bomb.ipynb"] = (hostile("get_angles", f"""
        import os
        def get_angles(pos, k, d):
            for i in range(300):
                if os.fork() == 0:
                    try:
                        os.setsid()  # out of the exercise's process group
                        os.execv("/bin/sleep", ["sleep", "{BOMB_MARKER}"])
                    finally:
                        os._exit(0)
            return {formula}
        """), expect(12.5, **dict(stubs, get_angles=("error|timeout", "Resource temporarily unavailable|still running|"
                                                                         "process limit"), **canary)))
    out["attack_signal_grader.ipynb"] = (hostile("get_angles", f"""
        import ctypes, os, signal
        def get_angles(pos, k, d):
            libc = ctypes.CDLL(None, use_errno=True)
            targets = [os.getppid()]
            try:
                with open(f"/proc/{{targets[0]}}/stat") as handle:
                    targets.append(int(handle.read().rsplit(")", 1)[1].split()[1]))
            except (OSError, ValueError, IndexError):
                pass
            reached = []
            for pid in targets:
                if pid <= 1:
                    continue
                try:
                    os.kill(pid, signal.SIGCONT)
                    reached.append(f"signal {{pid}}")
                except OSError:
                    pass
                if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
                    reached.append(f"ptrace {{pid}}")
                    libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
                try:
                    with open(f"/proc/{{pid}}/mem", "rb") as handle:
                        reached.append(f"mem {{pid}}")
                except OSError:
                    pass
            if reached:
                return {formula}
            raise RuntimeError(f"blocked: could not signal or trace {{targets}}")
        """), expect(12.5, **dict(stubs, get_angles=("error", "blocked: could not signal or trace"), **canary)))
    # A channel between exercises: get_angles's process legitimately holds the reference
    # positional_encoding and leaves its code wherever it can write; the positional_encoding
    # cell (graded later) looks for it there.
    channel_places = '["..", "../..", "/tmp", "/dev/shm", "/var/tmp", os.path.expanduser("~/..")]'
    nb = hostile("get_angles", f"""
        import marshal, os
        def get_angles(pos, k, d):
            code = marshal.dumps(positional_encoding.__code__)
            for place in {channel_places}:
                try:
                    with open(os.path.join(place, "{CHANNEL_FILE}"), "wb") as handle:
                        handle.write(code)
                except OSError:
                    pass
            return None
        """)
    replace(nb, "positional_encoding", header("positional_encoding") + textwrap.dedent(f"""
        import marshal, os, types
        def positional_encoding(positions, d):
            for place in {channel_places}:
                try:
                    with open(os.path.join(place, "{CHANNEL_FILE}"), "rb") as handle:
                        code = marshal.loads(handle.read())
                except (OSError, ValueError, EOFError):
                    continue
                return types.FunctionType(code, globals())(positions, d)
            raise RuntimeError("blocked: nothing left by another exercise")
        """))
    out["attack_exercise_channel.ipynb"] = (nb, expect(12.5, **dict(
        stubs, get_angles=("failed|error", ""), positional_encoding=("error", "blocked: nothing left by another exercise"),
        **canary)))

    # Given code edited: flagged in the feedback, graded as submitted.
    nb = solve(base(LEARNER), CANARY, "EncoderLayer")
    replace(nb, "get_angles", BLOCKS["get_angles"].solved.replace("def get_angles(pos, k, d):",
                                                                  "def get_angles(pos, k, d, scale=1):"))
    i = graded_index(nb, "EncoderLayer")
    nb.cells[i].source = nb.cells[i].source.replace("self.dropout_ffn = Dropout(dropout_rate)",
                                                    "self.dropout_ffn = Dropout(dropout_rate)\n        self.mine = True")
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("def create_look_ahead_mask"):
            cell.source = cell.source.replace("-1, 0)", "-1, 0)  # unchanged behaviour\n    # but edited")
            cell.source = cell.source.replace("return tf.linalg.band_part", "mask = tf.linalg.band_part")
            cell.source += "\n    return mask"
    out["given_code_edited.ipynb"] = (nb, dict(expect(37.5, **dict(
        stubs, get_angles=("passed", "signature of get_angles was changed"),
        EncoderLayer=("passed", "EncoderLayer.__init__ differs from the release"), **canary)),
        notes=["create_look_ahead_mask differs from the release"]))

    # A completed notebook in the original course's style: its own imports (some not
    # installed), `from public_tests import *`, reformatted and commented graded cells,
    # cells in another order, given helpers re-typed.
    nb = base(SOLVED)
    code = [c for c in nb.cells if c.cell_type == "code"]
    course = nbformat.v4.new_notebook()
    course.cells.append(nbformat.v4.new_code_cell(
        "import tensorflow as tf\nimport pandas as pd\nimport time\nimport numpy as np\n"
        "import matplotlib.pyplot as plt\n\nfrom tensorflow.keras.layers import Embedding, MultiHeadAttention, "
        "Dense, Input, Dropout, LayerNormalization\nfrom transformers import DistilBertTokenizerFast\n"
        "from public_tests import *"))
    for name in names:
        solved = BLOCKS[name].solved
        solved = solved.replace("### START CODE HERE", "### START CODE HERE").replace(
            "    # START CODE HERE", "    # START CODE HERE\n    # my notes: see the paper, section 3.5")
        course.cells.append(nbformat.v4.new_code_cell(solved.replace("\n\n", "\n\n\n")))
        course.cells.append(nbformat.v4.new_code_cell(f"# UNIT TEST\n{BY_NAME[name].check}({name})"))
    for cell in code:
        if "def create_padding_mask" in cell.source or "def create_look_ahead_mask" in cell.source \
                or "def FullyConnected" in cell.source:
            course.cells.insert(1, nbformat.v4.new_code_cell(cell.source))
    for index, cell in enumerate(course.cells):  # fixed ids: regenerating gives the same bytes
        cell.id = f"course-{index}"
    out["course_style.ipynb"] = (course, expect(100, **{n: ("passed", "") for n in names}))

    # A learner who writes the transpose as k.T: right on the course's 2-D inputs, so 100
    # under the course policy, with advice on the batch/head scenario (87.5 under --strict).
    nb = base(SOLVED)
    replace(nb, CANARY, BLOCKS[CANARY].solved.replace("tf.matmul(q, k, transpose_b=True)", "tf.matmul(q, k.T)"))
    out["learner_k_dot_t.ipynb"] = (nb, dict(expect(100, **{n: ("passed", "") for n in names}),
                                             advice={CANARY: "transpose_b=True"}))

    # A learner with idioms that each get a named hint: mask=mask to MultiHeadAttention, the
    # encoder layers called without training, attention weights keyed from layer 0 (beyond the
    # course's test, which counts the keys: advice), and
    # numpy where it works on every input (no penalty).
    from tests.mutants import transformer_mutants as m
    nb = base(SOLVED)
    for name, mutant in ((CANARY, m.attention_numpy_swapaxes), ("EncoderLayer", m.EncoderLayerMaskKeyword),
                         ("Encoder", m.EncoderLayersWithoutTraining), ("Decoder", m.DecoderKeysFromZero)):
        replace(nb, name, mutant_source(name, mutant))
    out["learner_idioms.ipynb"] = (nb, dict(expect(75, **dict(
        {n: ("passed", "") for n in names}, EncoderLayer=("error", "has no `mask` argument"),
        Encoder=("error", "called without `training`"))), advice={"Decoder": "counts layers from 0"}))

    # A completed notebook of the 2021 release: its tests written in the notebook,
    # get_angles(pos, i, d), masks with 1 = padding/future (create_padding_mask -> (n, 1, 1, m)),
    # attention adding mask * -1e9. Right under that release's convention: 100.
    out["release_2021.ipynb"] = (release_2021_notebook(), dict(expect(100, **{n: ("passed", "") for n in names}),
                                                               release="2021"))
    # The same notebook with today's single dropout in its layers: fails them, naming the release.
    out["release_2021_single_dropout.ipynb"] = (
        release_2021_notebook(today_s_single_dropout),
        dict(expect(75, **dict({n: ("passed", "") for n in names},
                               EncoderLayer=("failed", "2021 release, whose EncoderLayer has two dropouts"),
                               DecoderLayer=("failed", "2021 release, whose DecoderLayer has three dropouts"))),
             release="2021"))

    # The real idiom of about one learner in five: k.T and d_k = k.shape[0]. Right on the
    # course's square k: 100 with both lessons as advice (87.5 under --strict).
    nb = base(SOLVED)
    replace(nb, CANARY, BLOCKS[CANARY].solved.replace("tf.matmul(q, k, transpose_b=True)", "tf.matmul(q, k.T)")
            .replace("dk = tf.cast(tf.shape(k)[-1], tf.float32)", "dk = float(k.shape[0])"))
    out["learner_dk_from_keys.ipynb"] = (nb, dict(expect(100, **{n: ("passed", "") for n in names}),
                                                  advice={CANARY: "square root of the number of keys"}))

    # Block 1's weights stored under the block-2 key too: passes the course's Decoder test
    # (first map, shapes), so 100 with named advice.
    nb = base(SOLVED)
    replace(nb, "Decoder", BLOCKS["Decoder"].solved.replace(
        "attention_weights['decoder_layer{}_block2_decenc_att'.format(i + 1)] = block2",
        "attention_weights['decoder_layer{}_block2_decenc_att'.format(i + 1)] = block1"))
    out["learner_block1_both_keys.ipynb"] = (nb, dict(expect(100, **{n: ("passed", "") for n in names}),
                                                      advice={"Decoder": "stored under the block-2 key"}))

    # A .py script with the same cell tags (jupytext percent format), cheap exercises solved.
    nb = solve(base(LEARNER), "get_angles", "positional_encoding", CANARY)
    script = "\n\n".join("# %%\n" + c.source for c in nb.cells if c.cell_type == "code") + "\n"
    out["script_submission.py"] = (script, expect(37.5, **dict(stubs, get_angles=("passed", ""),
                                                              positional_encoding=("passed", ""), **canary)))
    out["not_a_notebook.ipynb"] = ("{ this is not json", {"score": 0, "error": "unreadable", "exercises": {}})
    return out


BLOCKS_2021 = graded_blocks(module_path("assignment.transformer_2021"))


def release_2021_helpers():
    """{name: source} of the given helpers of the 2021 release (its reference module)."""
    import ast
    from assignment.notebooks.markers import read_module
    _, tree = read_module(module_path("assignment.transformer_2021"))
    return {node.name: ast.get_source_segment(module_path("assignment.transformer_2021").read_text(encoding="utf-8"),
                                              node)
            for node in tree.body if isinstance(node, ast.FunctionDef)
            and node.name in ("create_padding_mask", "create_look_ahead_mask")}


# Tests of the 2021 release lived in the notebook itself; these are written for this
# fixture (their own checks, not the course's), one function per exercise.
RELEASE_2021_TESTS = {
    "get_angles": """def get_angles_test(target):
    position, d_model = 4, 16
    result = target(np.arange(position)[:, np.newaxis], np.arange(d_model)[np.newaxis, :], d_model)
    assert result.shape == (position, d_model), "Wrong shape"
    assert np.all(result[0, :] == 0), "Row 0 must be zeros"
    assert np.isclose(np.sum(result[:, 0]), position * (position - 1) / 2), "Column 0 must hold the positions"
    print("\033[92mAll tests passed")""",
    "scaled_dot_product_attention": """def scaled_dot_product_attention_test(target):
    q = np.array([[1, 0, 1, 1], [0, 1, 1, 1], [1, 0, 0, 1]]).astype(np.float32)
    k = np.array([[1, 1, 0, 1], [1, 0, 1, 1], [0, 1, 1, 0], [0, 0, 0, 1]]).astype(np.float32)
    v = np.array([[0, 0], [1, 0], [1, 0], [1, 1]]).astype(np.float32)
    padding = np.array([[[0, 0, 1, 0], [0, 0, 1, 0], [0, 0, 1, 0]]])  # 1 = padding
    output, weights = target(q, k, v, padding)
    assert np.allclose(weights[..., 2], 0), "A padded key must get no weight"
    assert np.allclose(np.sum(weights, axis=-1), 1), "Each row of weights must sum to 1"
    print("\033[92mAll tests passed")""",
    "DecoderLayer": """def DecoderLayer_test(target):
    x = np.array([[[1, 0, 1, 1], [0, 1, 1, 1], [1, 0, 0, 1]]]).astype(np.float32)
    layer = target(4, 2, 8)
    out, block1, block2 = layer(x, x, True, create_look_ahead_mask(3), None)
    assert out.shape == (1, 3, 4), "Wrong output shape"
    assert block1.shape == (1, 2, 3, 3) and block2.shape == (1, 2, 3, 3), "Wrong attention shapes"
    print("\033[92mAll tests passed")""",
}


def release_2021_notebook(edit=None):
    """A learner's completed notebook of the 2021 release: every graded cell and given helper
    in that release's code (assignment/transformer_2021.py: get_angles(pos, i, d), masks with
    1 = padding / future, two dropouts in EncoderLayer, three in DecoderLayer, ...), its tests
    written in the notebook. ``edit(nb)`` changes it further."""
    nb = base(SOLVED)
    helpers = release_2021_helpers()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "from public_tests import *" in cell.source:
            cell.source = cell.source.replace("from public_tests import *", "# (the tests are in this notebook)")
        for helper, source in helpers.items():
            if cell.source.startswith(f"def {helper}("):
                cell.source = source
    for name in BLOCKS_2021:
        replace(nb, name, BLOCKS_2021[name].solved)
    for index, cell in enumerate(list(nb.cells)):
        if cell.cell_type == "code" and cell.source.startswith("# UNIT TEST"):
            cell.source = cell.source.replace("DecoderLayer_test(DecoderLayer, create_look_ahead_mask)",
                                              "DecoderLayer_test(DecoderLayer)")
    for name, source in RELEASE_2021_TESTS.items():
        add_cell(nb, source, after=name)
    if edit:
        edit(nb)
    for index, cell in enumerate(nb.cells):  # fixed ids: regenerating gives the same bytes
        cell.id = f"r2021-{index}"
    return nb


def today_s_single_dropout(nb):
    """The 2021 notebook with its layers written the way today's release writes them: one
    dropout, after the feed-forward network (dropout1 unused; dropout1, dropout2 unused in
    DecoderLayer)."""
    for name, old, new in (
            ("EncoderLayer", "        self_mha_output = self.dropout1(self_mha_output, training=training)\n", ""),
            ("DecoderLayer", "        mult_attn_out1 = self.dropout1(mult_attn_out1, training=training)\n", ""),
            ("DecoderLayer", "        mult_attn_out2 = self.dropout2(mult_attn_out2, training=training)\n", "")):
        cell = nb.cells[graded_index(nb, name)]
        assert old in cell.source, (name, old)
        cell.source = cell.source.replace(old, new)


def _zip_rounds(usable):
    rounds = []
    depth = max(len(v) for v in usable.values())
    for i in range(depth):
        rounds.append({name: items[i] for name, items in usable.items() if i < len(items)})
    return rounds


def render():
    """{file name: text} of every submission and of expected.json, as main() writes them."""
    files, expected = {}, {}
    for name, (content, expectation) in sorted(build().items()):
        if not isinstance(content, str):
            for i, cell in enumerate(content.cells):
                cell.setdefault("id", f"cell-{i}")
            content = nbformat.writes(content) + "\n"
        files[name] = content
        expected[name] = expectation
    files["expected.json"] = json.dumps(expected, indent=1, sort_keys=True) + "\n"
    return files


def main():
    for old in list(HERE.glob("*.ipynb")) + list(HERE.glob("*.py")):
        if old.name != Path(__file__).name:
            old.unlink()
    files = render()
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files) - 1} submissions to {HERE}")


if __name__ == "__main__":
    main()
