# Quickstart: `make demo`, `make test`. Each creates .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.djstate-installed

.PHONY: demo test corpora bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Scan the bundled bookshop: it is broken on purpose, so findings (exit 1) are expected.
demo: $(STAMP)
	$(BIN)/djstate scan corpora/example; status=$$?; test $$status -le 1

test: $(STAMP)
	$(BIN)/python -m pytest

# Download the pinned real-world projects into ~/.cache/djstate/corpora (outside the repo).
corpora: $(STAMP)
	$(BIN)/python corpora/fetch.py

bench: $(STAMP)
	@echo "bench: not yet implemented (see the performance issue); scan timings per corpus are in docs/performance.md"

docs: $(STAMP)
	$(BIN)/python tools/gen_rule_docs.py

clean:
	rm -rf $(VENV) .pytest_cache
