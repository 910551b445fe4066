# Quick start: `make demo` (set up, ingest the sample corpus, print stories, write the report)
# and `make test` (set up, run the whole test suite). Both create .venv when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEMO_DB ?= sqlite:///storyline-demo.db

.PHONY: setup demo test bench eval lint clean

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/storyline db upgrade --db $(DEMO_DB)  # a demo store made by an older version is upgraded
	$(BIN)/storyline ingest examples/corpus --db $(DEMO_DB)
	$(BIN)/storyline stories --db $(DEMO_DB) --limit 20
	$(BIN)/storyline report --db $(DEMO_DB) --out storyline-report
	@echo "Open the desk on this corpus: $(BIN)/storyline serve --db $(DEMO_DB)  (then http://127.0.0.1:8000)"

test: $(INSTALLED)
	bash scripts/ensure_browser.sh
	bash scripts/ensure_postgres.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(INSTALLED)
	$(BIN)/python benchmarks/ingest_throughput.py

lint: $(INSTALLED)
	$(BIN)/ruff check storyline tests benchmarks

clean:
	rm -rf storyline-report storyline-demo.db* .pytest_cache
