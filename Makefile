# presswork: `make run` ingests seeds/ into warehouse/; `make test` runs the whole suite, `make test-fast` the
# tests that need no Prefect server, spaCy model or browser.
# Both create .venv (Python 3.11) and install the project into it, editable, with pinned versions.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast lint format benchmark throughput clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/presswork run --input seeds --warehouse warehouse

test: $(STAMP)
	$(BIN)/python -m pytest

# The edit loop: every test that needs no Prefect server, no spaCy model and no browser (under a minute).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check presswork flows tests benchmarks
	$(BIN)/ruff format --check presswork flows tests benchmarks

format: $(STAMP)
	$(BIN)/ruff check --fix presswork flows tests benchmarks
	$(BIN)/ruff format presswork flows tests benchmarks

benchmark: $(STAMP)
	$(BIN)/python benchmarks/cleaning.py
	$(BIN)/python benchmarks/entities.py
	$(BIN)/python benchmarks/reprints.py --check
	$(BIN)/python benchmarks/stories.py

throughput: $(STAMP)
	$(BIN)/python benchmarks/throughput.py --n 500

clean:
	rm -rf warehouse/data warehouse/snapshots warehouse/current warehouse/presswork.duckdb warehouse/.catalog-digest
