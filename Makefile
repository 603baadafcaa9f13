# Two commands: `make run` starts qiao, `make test` runs every test. Both set up what
# they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PYTEST_WORKERS ?= 2

.PHONY: run test lint typecheck unit bench system-deps postgres clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/qiao serve

system-deps:
	bash scripts/ensure-system-deps.sh

postgres: system-deps
	bash scripts/ensure-postgres.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) postgres lint typecheck
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

bench: $(STAMP) postgres
	$(BIN)/python bench/records.py

clean:
	rm -rf $(VENV) qiao-data .pytest_cache .mypy_cache .ruff_cache
