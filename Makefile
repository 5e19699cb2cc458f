# The README's two commands are `make demo` and `make test`; both set up .venv first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements

export TF_USE_LEGACY_KERAS := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup demo test notebook release clean

setup: $(STAMP)

# Reinstall only when requirements.txt changes: a second `make setup` is instant.
$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Transformer assignment)" >/dev/null
	touch $(STAMP)

demo: setup
	$(PY) -m assignment check

test: setup
	$(PY) -m pytest -q

notebook: setup
	$(VENV)/bin/jupyter lab notebooks/

release: setup
	$(PY) -m assignment release --solutions build/solutions

clean:
	rm -rf build .pytest_cache
