"""One exercise, in its own forked process (the grandchild): unseal the other exercises'
reference, confine itself, build the learner's namespace, run the graded cell, probe it,
send the observations back, exit.
"""
from __future__ import annotations

import ast
import builtins
import json
import linecache
import os
import resource
import sys
import traceback

from assignment.audience import not_for_learner_code
from assignment.exercises import find
from assignment.grade.child.channel import Channel
from assignment.grade.child.landlock import landlock_restrict
from assignment.grade.child.sealed_reference import build_stand_in, unseal

# Modules the learner's code must not import in the grandchild: every module that is not
# learner-safe (assignment/audience.py): the real reference solutions (the learner's
# namespace holds a stand-in without the graded exercise), the generators that read them,
# the checks' known mistakes (they re-implement solutions) and the grader itself.
BLOCKED_MODULES = not_for_learner_code()

KERAS_NAMES = ("Dense", "Dropout", "Embedding", "LayerNormalization", "MultiHeadAttention", "Input")


class BlockImports:
    """A meta path finder that refuses to (re)load the modules holding the solutions."""

    def __init__(self, blocked):
        self.blocked = tuple(blocked)

    def find_spec(self, fullname, path=None, target=None):
        if any(fullname == name or fullname.startswith(name + ".") for name in self.blocked):
            raise ImportError(f"importing {fullname} is not allowed while grading")
        return None


def describe_exit(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return f"the code called sys.exit({error.code!r}) (or raised SystemExit); grading code must not exit"
    return f"{type(error).__name__} raised: {error}"


def run_exercise(exercise: dict, job: dict, pieces) -> dict:
    """Execute the learner's cell and probe it. Runs in the grandchild only."""
    # Imported here, not with this module: the child loads NumPy, TensorFlow and the checks
    # (which import them) only once its limits are set (``main``); here they are loaded already.
    import numpy as np
    import tensorflow as tf
    from tensorflow.keras import layers as keras_layers

    name = exercise["name"]
    module_name = job["reference_module"]
    imports, definitions = pieces
    stand_in = build_stand_in(module_name, imports, definitions, exclude=name)
    definitions.clear()  # this process's copy: the graded exercise's reference is now gone
    from assignment.checks import make_check
    from assignment.observations import encode
    check = make_check(find(name, exercise.get("notebook", "Transformer")),  # no reference: it can only probe
                       **{key: str(value) for key, value in (exercise.get("settings") or {}).items()})

    sys.meta_path.insert(0, BlockImports(BLOCKED_MODULES))
    del pieces, imports, definitions

    namespace = {"__name__": "__main__", "__builtins__": builtins, "np": np, "tf": tf}
    for keras_name in KERAS_NAMES:
        namespace[keras_name] = getattr(keras_layers, keras_name)
    for statement in job["imports"]:  # the notebook's own imports of harmless modules
        try:
            exec(compile(statement, "<notebook imports>", "exec"), namespace)
        except Exception:  # noqa: BLE001 - a missing module only matters if the code uses it
            pass
    for key, value in vars(stand_in).items():
        if not key.startswith("__"):
            namespace[key] = value

    notes = []
    for source in exercise.get("support") or []:  # the learner's helpers from other cells
        try:
            exec(compile(source, "<helper from another cell>", "exec"), namespace)
        except Exception as error:  # noqa: BLE001
            notes.append(f"a helper from another cell raised {type(error).__name__}: {str(error)[:200]}")
    test_names = set(job.get("test_names") or ())
    protected = set(job["protected_names"]) - {name}
    filename = f"<{exercise['tag']} cell of the submission>"
    linecache.cache[filename] = (len(exercise["code"]), None, exercise["code"].splitlines(True), filename)
    tree = ast.parse(exercise["code"])
    for node in tree.body:
        is_definition = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and \
                isinstance(node.value.func, ast.Name) and node.value.func.id in test_names:
            continue  # a public-test call left in the graded cell: the grader runs its own checks
        if is_definition and node.name in protected:
            notes.append(f"line {node.lineno}: the cell redefines {node.name}; graded with the release's "
                         f"{node.name} instead")
            continue
        code = compile(ast.Module(body=[node], type_ignores=[]), filename, "exec")
        try:
            exec(code, namespace)
        except Exception as error:  # noqa: BLE001
            if is_definition and node.name == name:
                return {"ok": False, "status": "error",
                        "message": f"defining {name} raised {type(error).__name__}: {error}"}
            notes.append(f"line {node.lineno}: {type(error).__name__}: {str(error)[:200]} "
                         "(a statement outside the definition; ignored)")
    target = namespace.get(name)
    if target is None:
        return {"ok": False, "status": "error", "message": f"the graded cell did not define {name}"}
    extras = [getattr(stand_in, extra) for extra in exercise["extra_args"]]
    observations = check.probe(target, *extras, hidden=True)
    return {"ok": True, "observations": encode(observations), "notes": notes}


def grandchild(exercise: dict, job: dict, pieces, write_fd: int, output_path: str, channel: Channel,
               exercise_dir: str) -> None:
    """The forked process of one exercise; never returns."""
    status = 70
    try:
        os.setpgid(0, 0)  # its own group: the supervisor can kill it and its children at once
        for i in range(len(channel.key)):  # the learner's code must not sign results
            channel.key[i] = 0
        try:
            os.close(channel.fd)
        except OSError:
            pass
        try:
            os.close(channel.commands)
        except OSError:
            pass
        os.makedirs(exercise_dir, mode=0o700, exist_ok=True)
        os.chdir(exercise_dir)
        os.environ["HOME"] = os.environ["TMPDIR"] = exercise_dir
        out = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        sys.stdout = open(1, "w", closefd=False, buffering=1)
        sys.stderr = open(2, "w", closefd=False, buffering=1)
        sealed, pads = pieces
        pieces = unseal(sealed, pads, exercise["name"])  # every pad wiped: the graded one is gone
        del sealed, pads
        # Nested in the sandbox: write only its own folder, read nothing of the scratch space
        # (other exercises' folders and outputs), no TCP, no signals or abstract sockets out.
        if job["isolation"] != "none":
            landlock_restrict(job["sandbox_read"], [exercise_dir], job["devices"])
        cpu = job["limits"].get("exercise_cpu")
        if cpu:
            resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu)))
        import tensorflow as tf
        threads = int(job.get("threads") or 0)
        if threads:
            try:
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
            except RuntimeError:
                pass
        try:
            result = run_exercise(exercise, job, pieces)
        except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt, ...
            result = {"ok": False, "status": "error", "message": describe_exit(error)}
        data = json.dumps(result).encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
        status = 0
    except BaseException:  # noqa: BLE001
        try:
            os.write(2, traceback.format_exc().encode("utf-8", "replace"))
        except OSError:
            pass
    finally:
        os._exit(status)
