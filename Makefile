# Two commands: `make run` starts qiao, `make test` runs every test. Both set up what
# they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PYTEST_WORKERS ?= 2

WEB_BUILD := src/qiao/web/dist/index.html
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/package.json -type f 2>/dev/null)

.PHONY: run test lint typecheck unit bench system-deps postgres clean web web-test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

# the web app is built into the Python package and served by `qiao serve` at /
$(WEB_BUILD): web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build

web: $(WEB_BUILD)

# type check and unit tests of the web app
web-test: web/node_modules/.installed
	cd web && npx vue-tsc --noEmit
	cd web && npx vitest run

run: $(STAMP) $(WEB_BUILD)
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

# e2e tests drive the built web app in Debian's Chromium (installed by system-deps)
test: $(STAMP) postgres lint typecheck web-test $(WEB_BUILD)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

bench: $(STAMP) postgres $(WEB_BUILD)
	$(BIN)/python bench/records.py
	$(BIN)/python bench/webapp.py
	$(BIN)/python bench/permissions.py
	$(BIN)/python bench/formulas.py
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/exports.py

clean:
	rm -rf $(VENV) qiao-data .pytest_cache .mypy_cache .ruff_cache web/node_modules src/qiao/web/dist
