"""The project's kernel spec carries TF_USE_LEGACY_KERAS=1 (assignment/kernelspec.py).

Writing it (merge into an existing kernel.json, refuse what is not one), installing it
with ipykernel into a prefix, and the kernel Jupyter actually picks from this virtual
environment (``make setup`` installs it): the one nbclient, JupyterLab and VS Code start.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assignment import cli
from assignment.kernelspec import KERNEL_ENV, KernelSpecError, add_env, install, read_spec, spec_file

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT


def write_spec(path: Path, spec) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def test_kernel_env_selects_keras_2_and_the_command_line_quiet_settings():
    assert KERNEL_ENV["TF_USE_LEGACY_KERAS"] == "1"
    # one set of quiet values: the kernel's agree with the command line's
    assert {name: KERNEL_ENV.get(name) for name in cli.QUIET_TENSORFLOW} == cli.QUIET_TENSORFLOW


def test_add_env_merges_into_the_spec_and_keeps_the_rest(tmp_path):
    path = write_spec(tmp_path / "k" / "kernel.json",
                      {"argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                       "display_name": "X", "language": "python", "env": {"KEEP": "me", "TF_USE_LEGACY_KERAS": "0"}})
    add_env(path)
    spec = json.loads(path.read_text(encoding="utf-8"))
    assert spec["env"] == {"KEEP": "me", **KERNEL_ENV}  # ours wins over a stale "0"
    assert spec["argv"][:3] == ["python", "-m", "ipykernel_launcher"] and spec["display_name"] == "X"
    assert [p.name for p in path.parent.iterdir()] == ["kernel.json"]  # no temporary file left


@pytest.mark.parametrize("content, expected", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a kernel spec"),
    ('{"display_name": "no argv"}', "not a kernel spec"),
    ('{"argv": [], "env": ["A=1"]}', '"env" is not a JSON object'),
])
def test_a_broken_spec_is_a_clear_error_naming_the_file(tmp_path, content, expected):
    path = tmp_path / "kernel.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KernelSpecError, match=expected) as caught:
        add_env(path)
    assert str(path) in str(caught.value)
    assert path.read_text(encoding="utf-8") == content  # left as it was


def test_a_symlinked_or_missing_spec_is_refused(tmp_path):
    target = write_spec(tmp_path / "elsewhere.json", {"argv": []})
    link = tmp_path / "kernel.json"
    link.symlink_to(target)
    with pytest.raises(KernelSpecError, match="not a regular file"):
        add_env(link)
    assert "env" not in json.loads(target.read_text(encoding="utf-8"))
    with pytest.raises(KernelSpecError, match="no kernel spec"):
        read_spec(tmp_path / "missing.json")


def test_install_writes_a_kernel_of_this_python_with_the_env(tmp_path):
    path = install(prefix=tmp_path, name="assignment-test", display_name="Test kernel")
    assert path == spec_file(tmp_path, "assignment-test")
    spec = read_spec(path)
    assert spec["argv"][0] == sys.executable and "ipykernel_launcher" in spec["argv"]
    assert spec["display_name"] == "Test kernel" and spec["env"] == KERNEL_ENV


def test_install_failure_is_one_clear_error(tmp_path):
    with pytest.raises(KernelSpecError, match="ipykernel install.*failed"):
        install(prefix=tmp_path, python=str(tmp_path / "no-such-python"))


def test_the_verb_prints_where_it_installed(tmp_path, capsys):
    assert cli.main(["kernel", "--prefix", str(tmp_path), "--name", "verb-test"]) == 0
    out = capsys.readouterr().out
    assert str(spec_file(tmp_path, "verb-test")) in out and "TF_USE_LEGACY_KERAS=1" in out


def test_make_setup_installs_the_kernel_with_this_module():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-m assignment kernel" in makefile
    assert "ipykernel install" not in makefile  # one way to write the kernel spec


def test_the_kernel_jupyter_picks_here_carries_the_env():
    """What nbclient (kernel_name="python3"), JupyterLab and VS Code start from this
    environment: the first "python3" on Jupyter's data path. ``make setup`` installs it."""
    code = ("import json; from jupyter_client.kernelspec import KernelSpecManager; "
            "spec = KernelSpecManager().get_kernel_spec('python3'); "
            "print(json.dumps({'dir': spec.resource_dir, 'env': spec.env, 'argv': spec.argv}))")
    env = {key: value for key, value in os.environ.items() if not key.startswith("JUPYTER")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    prefix = Path(sys.prefix).resolve()
    assert Path(found["dir"]).resolve().is_relative_to(prefix), \
        f"Jupyter picks the kernel in {found['dir']}, not this environment's; run make setup"
    assert {key: found["env"].get(key) for key in KERNEL_ENV} == KERNEL_ENV, \
        f"{found['dir']}/kernel.json lacks {KERNEL_ENV}; run make setup (python -m assignment kernel)"
    assert Path(found["argv"][0]).resolve() == Path(sys.executable).resolve()


def test_the_module_runs_on_its_own_as_a_release_ships_it(tmp_path):
    """Standard library only, nothing of this package: a copy runs as a script anywhere."""
    script = tmp_path / "kernelspec.py"
    script.write_text((ROOT / "assignment" / "kernelspec.py").read_text(encoding="utf-8"), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-I", str(script), str(tmp_path / "prefix")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert read_spec(spec_file(tmp_path / "prefix"))["env"] == KERNEL_ENV
    # its one argument is the prefix; an option is refused with its usage, nothing installed
    done = subprocess.run([sys.executable, "-I", str(script), "--prefix", str(tmp_path / "other")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2 and done.stderr.startswith("usage: python kernelspec.py [PREFIX]"), done.stderr
    assert not (tmp_path / "other").exists()
