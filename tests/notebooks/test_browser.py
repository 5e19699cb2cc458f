"""The learner's session in real JupyterLab, driven in headless Chromium (``make test-browser``).

JupyterLab from this Python environment serves a temporary folder on 127.0.0.1 (a free
port, a token); ``python -m assignment notebooks build`` writes the solved copy to ``solved/`` and
the learner copy to ``learner/``, each next to a link to ``public_tests.py`` (the repository
is on the kernel's ``PYTHONPATH``). The solved copy is run with *Run > Run All Cells* twice
in the same kernel, as a learner does after fixing an exercise, and saved; after each run
the saved ``.ipynb`` must show every public test's "All tests passed", an image in every
cell tagged ``figure``, no error, nothing on stderr in the first cell and TensorFlow's
start-up log on stderr nowhere (it can land in a later cell). The learner
copy is then run from the Run menu, going on below each failing cell as a learner would
(JupyterLab stops a run at the first error): each public test must fail with the fill-in
hint and the kernel must stay alive to the last cell. Screenshots go to ``build/``.

Needs the Debian packages ``chromium`` and ``chromium-driver`` and ``selenium``
(requirements-test.txt); runs only with ``pytest --browser``.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SCREENSHOT_DIR = ROOT / "build"
PASS_TEXT = "All tests passed"
FILL_IN_HINT = re.compile(r"did you fill in the code", re.IGNORECASE)
# TensorFlow's start-up lines from C++: written to the process's stderr, they may reach
# the notebook after the first cell has finished, in a later cell of a Run All.
START_UP_NOISE = re.compile(r"absl::InitializeLog|cudart_stub|cuInit|cuda_platform|oneDNN custom operations"
                            r"|cpu_feature_guard")
RUN_TIMEOUT = 1500  # seconds for one Run All (the first trains the dates model, 1,000 steps)
LAB_NOTEBOOKS = ("NER_DistilBERT", "QA_DistilBERT")  # the labs that train in the learner's environment
NER_RUN_TIMEOUT = 3600  # the NER lab's Run All fine-tunes MiniLM on two busy cores
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1000"]
# JupyterLab settings for the test: every cell in the page (no virtual scrolling, so every
# prompt can be read), no news or update checks (no network).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}


def _chromium():
    """(browser binary, driver binary); the real binary, not Debian's wrapper script."""
    browser = "/usr/lib/chromium/chromium" if os.path.isfile("/usr/lib/chromium/chromium") else shutil.which("chromium")
    return browser, shutil.which("chromedriver")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _release(folder: Path) -> None:
    """The solved and learner copies, as `python -m assignment notebooks build` writes them."""
    for sub in ("solved", "learner"):
        (folder / sub).mkdir()
        (folder / sub / "public_tests.py").symlink_to(ROOT / "public_tests.py")
    (folder / "solved" / "build").mkdir()
    # the learner copy's dates section loads the model the solved run trained
    (folder / "learner" / "build").symlink_to(folder / "solved" / "build")
    subprocess.run([sys.executable, "-m", "assignment", "notebooks", "build", "--notebook", "Transformer",
                    "--out", str(folder / "learner"), "--solutions", str(folder / "solved")],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)


def _start_lab(command, root: Path, home: Path, env: dict):
    """Start ``command`` (a JupyterLab command line) on ``root`` with the test's settings; yields
    {"url", "token", "root", "log"} once it answers, stops it by its PID at the end."""
    for name, values in LAB_SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), uuid.uuid4().hex
    env = dict(env, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"))
    command = list(command) + ["--no-browser", "--ServerApp.ip=127.0.0.1",
                               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                               f"--LabApp.user_settings_dir={home / 'settings'}",
                               f"--LabApp.workspaces_dir={home / 'workspaces'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "server.log", "w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(home / 'server.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield {"url": url, "token": token, "root": root, "log": home / "server.log"}
    finally:
        server.send_signal(signal.SIGTERM)  # stopped by its PID; it shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _check_chromium():
    browser, driver = _chromium()
    if not (browser and driver):
        pytest.fail("Chromium or chromedriver is missing: apt-get install -y chromium chromium-driver")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab on the repository release's copies: {"url", "token", "root"}."""
    _check_chromium()
    root = tmp_path_factory.mktemp("lab")
    _release(root)
    env = {k: v for k, v in os.environ.items()
           if k not in ("TF_CPP_MIN_LOG_LEVEL", "TF_USE_LEGACY_KERAS", "TF_ENABLE_ONEDNN_OPTS", "MPLBACKEND")}
    env.update(PYTHONPATH=str(ROOT))
    yield from _start_lab([sys.executable, "-m", "jupyter", "lab"], root, tmp_path_factory.mktemp("jupyter"), env)


@pytest.fixture(scope="module")
def learner_lab(learner_setup, tmp_path_factory):
    """JupyterLab started the learner release README's way (its second command, in the
    folder set up with its first), on that folder with the NER notebook solved."""
    from tests.release.learner_release import clean_env, readme_commands, solved_copy

    import nbformat

    _check_chromium()
    folder = learner_setup["folder"]
    for notebook in LAB_NOTEBOOKS:
        nbformat.write(solved_copy(learner_setup["pristine"], notebook), str(folder / f"{notebook}_solved.ipynb"))
    command = readme_commands(folder)[1].split()
    assert command[:2] == [".venv/bin/jupyter", "lab"], command
    home = tmp_path_factory.mktemp("learner-jupyter")
    env = clean_env(JUPYTER_DATA_DIR=str(home / "data"))  # no kernel spec of the user's: the release's own
    yield from _start_lab([str(folder / command[0])] + command[1:], folder, home, env)


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    browser, chromedriver = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"]:
        options.add_argument(flag)
    chrome = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    chrome.set_page_load_timeout(120)
    yield chrome
    chrome.quit()


# ------------------------------------------------------------------ JupyterLab, by hand

def _wait(condition, timeout, what, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _kernel_states(lab):
    with urllib.request.urlopen(f"{lab['url']}/api/kernels?token={lab['token']}", timeout=10) as reply:
        return [k["execution_state"] for k in json.load(reply)]


def _prompts(chrome):
    """The input prompt of every code cell in the open notebook: "[3]:", "[*]:" or "[ ]:"."""
    return chrome.execute_script(
        "return Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell'))"
        ".map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || '')")


def _menu(chrome, menu: str, command: str) -> None:
    """Click menu ``menu`` of the menu bar, then its item running ``command``."""
    from selenium.webdriver.common.by import By

    dialogs = [d.text for d in chrome.find_elements(By.CSS_SELECTOR, ".jp-Dialog") if d.is_displayed()]
    assert not dialogs, f"JupyterLab shows a dialog: {dialogs[0]!r}"
    bar = chrome.find_element(By.XPATH, f"//li[contains(@class,'lm-MenuBar-item')][.//div[text()='{menu}']]")
    bar.click()
    item = _wait(lambda: [e for e in chrome.find_elements(By.CSS_SELECTOR, f"li.lm-Menu-item[data-command='{command}']")
                          if e.is_displayed()], 20, f"the {command} item of the {menu} menu")
    item[0].click()


def _run(chrome, lab, command: str, timeout=RUN_TIMEOUT) -> None:
    """Run ``command`` from the Run menu; return once the run has started (a prompt
    changed) and then ended (no cell queued or running, kernels idle for 2 s)."""
    before = _prompts(chrome)
    _menu(chrome, "Run", command)
    _wait(lambda: _prompts(chrome) != before, 120, f"{command} to start")
    idle_since = [None]

    def done():
        prompts = _prompts(chrome)
        if any("*" in p for p in prompts) or any(s != "idle" for s in _kernel_states(lab)):
            idle_since[0] = None
            return False
        idle_since[0] = idle_since[0] or time.monotonic()
        return time.monotonic() - idle_since[0] > 2

    _wait(done, timeout, "the run to finish", interval=0.5)


def _accept_kernel_dialog(chrome) -> None:
    """Under load JupyterLab may ask which kernel to start, before it knows the kernel
    specs; accept its choice (this environment's Python 3), as a learner would."""
    from selenium.webdriver.common.by import By

    for dialog in chrome.find_elements(By.CSS_SELECTOR, ".jp-Dialog"):
        if dialog.is_displayed() and dialog.text.startswith("Select Kernel"):
            dialog.find_element(By.CSS_SELECTOR, ".jp-Dialog-button.jp-mod-accept").click()


def _open(chrome, lab, path: str) -> None:
    """Open ``path`` and wait until its own kernel has started and is idle."""
    from selenium.webdriver.common.by import By

    kernels = len(_kernel_states(lab))
    chrome.get(f"{lab['url']}/lab/tree/{path}?token={lab['token']}&reset")
    _wait(lambda: chrome.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-CodeCell"), 120, f"{path} to open")

    def started():
        _accept_kernel_dialog(chrome)
        states = _kernel_states(lab)
        return (len(states) > kernels and all(state == "idle" for state in states)
                and chrome.find_elements(By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator[data-status='idle']"))

    _wait(started, 180, f"the kernel of {path} to start")


def _save_and_read(chrome, lab, path: str):
    """Save from the File menu; returns the notebook read back from disk once it is written."""
    import nbformat

    file = lab["root"] / path
    before = file.stat().st_mtime_ns
    _menu(chrome, "File", "docmanager:save")

    def saved():
        if file.stat().st_mtime_ns == before:
            return None
        try:
            return nbformat.read(str(file), as_version=4)
        except Exception:  # noqa: BLE001  (still being written)
            return None

    return _wait(saved, 60, f"{path} to be saved")


def _text(cell, stream=None):
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and stream in (None, out.name):
            parts.append(out.text)
        elif out.output_type == "error" and stream is None:
            parts.append(f"{out.ename}: {out.evalue}")
    return "".join(parts)


def _describe(cell):
    return f"cell {cell.get('id')} ({cell.source.splitlines()[0][:60]!r})"


def _tagged(nb, tag):
    return [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]


# ------------------------------------------------------------------ the tests

def check_solved_run(nb, run: int, after: int = 0):
    """What a learner must see after a Run All of the solved copy (execution counts
    above ``after``: this run's)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    problems = []
    for cell in code:
        if (cell.execution_count or 0) <= after:
            problems.append(f"{_describe(cell)} did not run")
        for out in cell.outputs:
            if out.output_type == "error":
                problems.append(f"{_describe(cell)} raised {out.ename}: {out.evalue}")
        if "IProgress" in _text(cell):
            problems.append(f"{_describe(cell)} warns about IProgress")
        if START_UP_NOISE.search(_text(cell, "stderr")):
            problems.append(f"{_describe(cell)} shows TensorFlow's start-up log on stderr:\n"
                            f"{_text(cell, 'stderr')[:1000]}")
    first_stderr = _text(code[0], "stderr")
    if first_stderr:
        problems.append(f"the first cell wrote to stderr:\n{first_stderr[:2000]}")
    for cell in _tagged(nb, "public-test"):
        if PASS_TEXT not in _text(cell, "stdout"):
            problems.append(f"public test {_describe(cell)} printed {_text(cell)[-300:]!r}")
    figures = _tagged(nb, "figure")
    for cell in figures:
        if not any(o.output_type == "display_data" and "image/png" in o.get("data", {}) for o in cell.outputs):
            problems.append(f"figure {_describe(cell)} shows no image")
    assert not problems, f"run {run} of the solved copy:\n" + "\n".join(problems)
    return len(figures)


def test_solved_copy_run_twice_in_one_kernel_then_the_learner_copy(lab, driver):
    from selenium.webdriver.common.by import By

    chrome = driver
    _open(chrome, lab, "solved/Transformer.ipynb")
    seconds, last_count = [], 0
    for run in (1, 2):
        started = time.monotonic()
        _run(chrome, lab, "runmenu:run-all")
        seconds.append(time.monotonic() - started)
        nb = _save_and_read(chrome, lab, "solved/Transformer.ipynb")
        first = next(c for c in nb.cells if c.cell_type == "code")
        print(f"\nrun {run}: the first cell's outputs: {[o.get('name', o.output_type) for o in first.outputs]}")
        figures = check_solved_run(nb, run, after=last_count)
        assert figures >= 6
        last_count = max(c.execution_count for c in nb.cells if c.cell_type == "code")
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    images = chrome.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img")
    if images:  # the last figure: the dates model's attention, drawn after a second Run All
        chrome.execute_script("arguments[0].scrollIntoView()", images[-1])
    chrome.save_screenshot(str(SCREENSHOT_DIR / "browser_solved.png"))
    print(f"\nsolved copy: Run All {seconds[0]:.0f} s, then {seconds[1]:.0f} s in the same kernel")

    # the learner copy: a run stops at the first error; go on below it, as a learner would
    _open(chrome, lab, "learner/Transformer.ipynb")
    _run(chrome, lab, "runmenu:run-all")
    restarts = 0
    for _ in range(len(_prompts(chrome)) + 5):
        blank = [i for i, p in enumerate(_prompts(chrome)) if not re.search(r"\d", p)]
        if not blank:
            break
        restarts += 1
        cell = chrome.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")[blank[0]]
        chrome.execute_script("arguments[0].scrollIntoView()", cell)
        cell.find_element(By.CSS_SELECTOR, ".jp-InputPrompt").click()
        _run(chrome, lab, "notebook:run-all-below")
    print(f"learner copy: Run All, then {restarts} runs from below a failing cell")
    assert all(state == "idle" for state in _kernel_states(lab)), _kernel_states(lab)
    nb = _save_and_read(chrome, lab, "learner/Transformer.ipynb")
    chrome.save_screenshot(str(SCREENSHOT_DIR / "browser_learner.png"))
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert None not in counts, f"cells that never ran: {[_describe(c) for c in code if c.execution_count is None]}"
    assert "dead" not in _kernel_states(lab)
    tests = _tagged(nb, "public-test")
    assert len(tests) == 8
    without_hint = [_describe(c) + ": " + _text(c)[-300:] for c in tests if not FILL_IN_HINT.search(_text(c))]
    assert not without_hint, "public tests without the fill-in hint:\n" + "\n".join(without_hint)
    assert not any(PASS_TEXT in _text(c, "stdout") for c in tests)


@pytest.mark.parametrize("notebook", LAB_NOTEBOOKS)
def test_the_learner_release_in_jupyterlab_started_the_readme_way(learner_lab, driver, notebook):
    """The learner's folder, set up with its README's first command and opened with its
    second: a lab (NER, QA), solved, Run All Cells: every public test passes, the training's
    figures show, no error output anywhere."""
    chrome = driver
    _open(chrome, learner_lab, f"{notebook}_solved.ipynb")
    started = time.monotonic()
    _run(chrome, learner_lab, "runmenu:run-all", timeout=NER_RUN_TIMEOUT)
    nb = _save_and_read(chrome, learner_lab, f"{notebook}_solved.ipynb")
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    chrome.save_screenshot(str(SCREENSHOT_DIR / f"browser_learner_release_{notebook}.png"))
    problems = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        if not cell.execution_count:
            problems.append(f"{_describe(cell)} did not run")
        for out in cell.outputs:
            if out.output_type == "error":
                problems.append(f"{_describe(cell)} raised {out.ename}: {out.evalue}")
    tests = _tagged(nb, "public-test")
    if not tests or any(PASS_TEXT not in _text(c, "stdout") for c in tests):
        problems.append(f"public tests: {[_text(c)[-200:] for c in tests]}")
    figures = _tagged(nb, "figure")
    shown = [c for c in nb.cells if any(o.output_type in ("display_data", "execute_result")
                                        and "image/png" in o.get("data", {}) or
                                        ("text/html" in o.get("data", {}) and "<img" in o["data"]["text/html"])
                                        for o in c.get("outputs", []))]
    if len(shown) < max(2, len(figures)):
        problems.append(f"{len(shown)} cells show a figure, expected at least {max(2, len(figures))}")
    print(f"\nlearner release, {notebook} solved: Run All {time.monotonic() - started:.0f} s, {len(shown)} figures")
    assert not problems, f"the learner release's {notebook} notebook in JupyterLab:\n" + "\n".join(problems)
