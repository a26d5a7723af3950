# Every target installs what it needs into .venv; only Python 3.11+ and make are assumed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp

.PHONY: demo test bench lint clean app fit fit-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP)-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(STAMP)-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,distributed,bench,app,e2e,docs,fit]'
	touch $@

$(STAMP)-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[app]'
	touch $@

# The end-to-end test drives the dashboard in Debian's Chromium (never a downloaded browser).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

$(STAMP)-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[bench]'
	touch $@

# The `fit` extra (BayesFlow, Keras, JAX on CPU: about 450 MB) for `iwm fit` and `iwm fit-check`.
$(STAMP)-fit: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,fit]'
	touch $@

$(STAMP)-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	touch $@

demo: $(STAMP)-base
	$(BIN)/iwm demo

test: $(STAMP)-test $(CHROMIUM)
	$(BIN)/lint-imports
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir build/site
	$(BIN)/python -m pytest -n 2

fit: $(STAMP)-fit
	@echo "the fit extra is installed: $(BIN)/iwm fit DATA, $(BIN)/iwm fit-check"

fit-test: $(STAMP)-fit
	$(BIN)/python -m pytest tests/test_fit.py

app: $(STAMP)-app
	$(BIN)/iwm app

bench: $(STAMP)-bench
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)-dev
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) iwm-demo .pytest_cache .mypy_cache .ruff_cache
