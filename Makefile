# The two commands of README.md: `make demo` (the main job) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test lint docs

$(VENV)/.installed: pyproject.toml scripts/setup-machine.sh
	bash scripts/setup-machine.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(PY) -m devtools.matrix

test: setup
	$(PY) -m pytest -n 2 --durations=25

lint: setup
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m devtools.docs --check

docs: setup
	$(PY) -m devtools.docs
