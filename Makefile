# Every target builds the environment it needs first, so a fresh clone only needs `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-fast fix lint bench openapi clean

# `make test T=tests/app/test_audit.py` (or `make test-fast T=...`) runs a subset.
T ?=
# The inner loop: no browser, no Node.js or OB 2.0 validator, nothing marked slow, on every
# core (SQLite: a database per worker; one PostgreSQL database is shared, so then one process).
FAST := -q -x -p no:cacheprovider -m "not browser and not interop and not slow" \
	--ignore=tests/browser --ignore=tests/interop --ignore=tests/interop_ob2 \
	$(if $(SHOMEI_TEST_DATABASE_URL),,-n auto)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/shomei serve --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict badges keys app

test: lint
	$(BIN)/pytest $(T)

test-fast: $(STAMP)
	$(BIN)/pytest $(FAST) $(T)

fix: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/shomei bench

openapi: $(STAMP)
	$(BIN)/shomei openapi > openapi.yaml

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
