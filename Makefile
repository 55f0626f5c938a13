# Quickstart: `make demo`, `make test`. Each creates .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE := $(VENV)/.djstate-base
TESTDEPS := $(VENV)/.djstate-test

.PHONY: demo test fuzz corpora corpora-check bench docs clean

# djstate alone: what `make demo` needs (libcst, networkx, typer).
$(BASE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(BASE)

# The oracle and the test runner: Django, DRF, wagtail, taggit, modelcluster, allauth, pytest.
$(TESTDEPS): $(BASE)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TESTDEPS)

# Scan the bundled bookshop: it is broken on purpose, so findings (exit 1) are expected.
demo: $(BASE)
	$(BIN)/djstate scan corpora/example; status=$$?; test $$status -le 1

test: $(TESTDEPS)
	$(BIN)/python -m pytest

# Mutated copies of real projects, scanned in-process; `make test` runs a bounded share of it.
# DJSTATE_FUZZ_REPORT=fuzz.json also writes each DJS000 cause with a mutated file.
FUZZ_EXAMPLES ?= 3000
FUZZ_SECONDS ?= 1020
fuzz: $(TESTDEPS)
	DJSTATE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) DJSTATE_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest tests/test_fuzz.py -q -s -p no:cacheprovider

# Download the pinned real-world projects into ~/.cache/djstate/corpora (outside the repo).
corpora: $(BASE)
	$(BIN)/python corpora/fetch.py

# Scan every pinned corpus (74, fetched on demand) with djstate, one subprocess each;
# writes docs/data/sweep-latest.json and .md (crashes, counts, every error and warning).
corpora-check: $(BASE)
	$(BIN)/python tools/sweep_corpora.py --out docs/data/sweep-latest

# djstate cold/warm beside Django's makemigrations and django-orm-lens (installed only in a cached
# bench venv) on the wagtail tree, netbox, mayan-edms and generated N-app trees; writes the table
# into docs/performance.md. Not part of `make test`. BENCH_ARGS="--trees gen --sizes 500,1000".
bench: $(BASE)
	$(BIN)/python tools/bench.py $(BENCH_ARGS)

docs: $(BASE)
	$(BIN)/python tools/gen_rule_docs.py

clean:
	rm -rf $(VENV) .pytest_cache

# Django and DRF judge djstate on every corpus (cached venvs under ~/.cache/djstate/oracle-venvs);
# writes docs/data/oracle-wide.json and docs/accuracy.md. ORACLE_ARGS="wagtail netbox --force" runs some.
.PHONY: oracle-wide
oracle-wide: $(TESTDEPS)
	$(BIN)/python tools/oracle_wide.py $(ORACLE_ARGS)

# Recall on mutated copies of every pinned corpus (tools/mutate.py): per kind of breakage and per
# corpus; writes docs/data/recall.json and docs/data/recall.md. RECALL_ARGS="--corpora wagtail --per-kind 3".
.PHONY: recall
recall: $(TESTDEPS)
	$(BIN)/python tools/mutate.py $(RECALL_ARGS)

# djstate beside mypy + django-stubs on the bundled example's query bugs (tools/compare_mypy_bugs.toml),
# mypy in a cached venv (~/.cache/djstate/venvs/mypy-*); writes its section of docs/accuracy.md.
# Not part of `make test`.
.PHONY: compare-mypy
compare-mypy: $(BASE)
	$(BIN)/python tools/compare_mypy.py --write-doc
