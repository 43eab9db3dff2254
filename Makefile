# Every target builds the environment it needs first, so a fresh clone only needs `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench openapi clean

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
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/shomei bench

openapi: $(STAMP)
	$(BIN)/shomei openapi > openapi.yaml

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
