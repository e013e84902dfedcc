# The two commands the README promises: `make demo` runs the product, `make test` passes the tests.
# Both set up everything they need on a fresh machine (virtualenv, Python packages).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint typecheck pytest contract bench clean sandbox

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/wispgate sandbox --host $(HOST) --port $(PORT)

sandbox: demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

test: lint typecheck pytest

contract: install
	$(BIN)/python -m adapters.wispgate.contract

bench: install
	$(BIN)/python bench/adapter_calls.py --write

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
