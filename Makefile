# Two commands do everything on a fresh machine with Python 3.11:
#   make demo   — the whole job on the bundled example office → demo-out/
#   make test   — installs what the tests need, runs make lint, then the tests
#   make test-fast — the everyday loop: the tests without LibreOffice or the slow ones, on every core
#   make lint   — ruff (lint and format) and mypy over the package, tests and benchmarks
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo lint test test-fast bench clean windows-bundle

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

demo: $(VENV)/.installed
	rm -rf demo-out
	$(BIN)/followup-xl demo demo-out

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -q -n auto -m "not libreoffice and not slow" $(PYTEST_ARGS)

# The offline installer for staff PCs: dist/客户回访助手-安装包.zip (wheels for CPython 3.11–3.13
# on 64-bit Windows, 安装.bat, 安装说明.txt); needs the package index once, here.
windows-bundle: $(VENV)/.installed
	$(BIN)/python tools/bundle.py

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo-out .pytest_cache
