"""The check protocol: registry-built checks, the reference interface, scenario tags, policy."""
import subprocess
import sys
from pathlib import Path

import pytest

from assignment import exercises
from assignment.checks import BEYOND, COURSE, PUBLIC, CheckFailed, Group, make_check
from assignment.checks.judging import short_error
from assignment.checks.protocol import CHECK_CLASSES
from assignment.exercises import EXERCISES, Exercise, RegistryError

from check_helpers import CHECKS, LIVE, ref

PACKAGE = Path(__file__).resolve().parents[2] / "assignment" / "checks"
EXERCISE_MODULES = sorted({e.check_module for e in EXERCISES})


def test_every_exercise_has_a_check_built_from_the_registry():
    assert set(CHECK_CLASSES) >= {e.name for e in EXERCISES}
    for exercise in EXERCISES:
        check = CHECKS[exercise.name]
        assert check.exercise is exercise and check.reference is LIVE


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_scenario_groups_are_tagged(exercise):
    """The public group first; at least one hidden course group (so hard-coding the public
    outputs fails) and one beyond-course group; every group has its compare method."""
    groups = CHECKS[exercise.name].groups
    assert groups[0].tag == PUBLIC and all(g.tag != PUBLIC for g in groups[1:])
    assert {COURSE, BEYOND} <= {g.tag for g in groups}
    assert len({g.id for g in groups}) == len(groups)
    assert all(g.about for g in groups)


def test_a_check_without_reference_probes_but_cannot_judge():
    check = make_check(exercises.find("get_angles"))
    observations = check.probe(ref.get_angles, hidden=True)
    assert set(observations) == {"public", "same_shapes", "other_size", "one_position"}
    with pytest.raises(RuntimeError, match="without a reference"):
        check.judge(observations)


def test_public_probe_runs_public_and_shown_scenarios_only():
    observations = CHECKS["scaled_dot_product_attention"].probe(ref.scaled_dot_product_attention)
    assert set(observations) == {"public", "public_mask", "other_sizes", "other_sizes_mask", "other_sizes_ones_mask",
                                 "batch_heads", "tensors"}  # the beyond groups shown by the public test
    assert not any(key.startswith("same_shapes") for key in observations)  # course scenarios stay hidden


def test_a_shown_group_must_be_beyond():
    with pytest.raises(ValueError, match="only a beyond group"):
        Group("x", "course", "about", shown=True)


def test_the_public_test_prints_advice_after_the_line(capsys):
    import public_tests
    from tests.mutants.transformer_mutants import attention_k_dot_t_dk_from_keys
    public_tests.scaled_dot_product_attention_test(attention_k_dot_t_dk_from_keys)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert "All tests passed" in lines[0]
    assert len(lines) == 4 and all(line.startswith("Advice: Beyond the course's tests") for line in lines[1:])
    assert "square root of the number of keys" in lines[1] and "transpose_b=True" in lines[2]


def test_unknown_policy_and_bad_group_tag_are_errors():
    check = CHECKS["get_angles"]
    with pytest.raises(ValueError, match="unknown policy"):
        check.judge(check.probe(ref.get_angles), policy="lenient")
    with pytest.raises(ValueError, match="not one of"):
        Group("x", "secret", "about")


def test_make_check_of_an_exercise_without_check_class():
    plain = Exercise("f", "UNQ_C1", 100.0, "f_test", "assignment.checks.inputs")  # a module with no Check of f
    with pytest.raises(LookupError, match="no probe/judge check"):
        make_check(plain)
    with pytest.raises(ValueError, match="checks 'get_angles'"):
        CHECK_CLASSES["get_angles"](exercises.find("positional_encoding"))


def test_registry_errors_are_real_errors():
    one = Exercise("f", "UNQ_C1", 60.0, "f_test", "m")
    with pytest.raises(RegistryError, match="sum to 60"):
        exercises.validate({"nb": (one,)})
    with pytest.raises(RegistryError, match="duplicate tags"):
        exercises.validate({"nb": (one, Exercise("g", "UNQ_C1", 40.0, "g_test", "m"))})


def test_short_error_drops_tensorflow_decorations():
    raw = ("{{function_node __wrapped__BatchMatMulV2_device_/job:localhost/replica:0/task:0/device:CPU:0}} "
           "In[0] and In[1] must have compatible batch dimensions: [2,3,5,8] vs. [8,6,3,2] [Op:BatchMatMulV2] name: ")
    assert short_error(raw) == "In[0] and In[1] must have compatible batch dimensions: [2,3,5,8] vs. [8,6,3,2]"


def test_exercise_modules_hold_no_solution_code():
    """The student release ships protocol + exercise modules: they must not import the
    reference or the known mistakes, even indirectly."""
    code = ("import sys, assignment, importlib\n"
            f"for name in {EXERCISE_MODULES + ['assignment.checks.recorded']!r}:\n"
            "    importlib.import_module(name)\n"
            "bad = [m for m in sys.modules if m in ('assignment.transformer', 'assignment.checks.known_mistakes',"
            " 'assignment.checks.live')]\n"
            "print(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=PACKAGE.parents[1])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_check_failed_carries_whether_the_code_raised():
    from assignment.checks.judging import value_of
    with pytest.raises(CheckFailed) as failure:
        value_of({"kind": "error", "type": "ValueError", "message": "bad", "where": "line 3: x"}, "f")
    assert failure.value.raised and "at line 3: x" in str(failure.value)


def test_short_error_skips_the_keras_wrapper_line():
    from assignment.checks.judging import short_error
    message = ("Exception encountered when calling layer 'encoder' (type Encoder).\n\n"
               "EncoderLayer.call() missing 1 required positional argument: 'mask'\n\nCall arguments received ...")
    assert short_error(message) == "EncoderLayer.call() missing 1 required positional argument: 'mask'"
