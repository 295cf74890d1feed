# The two commands a new user needs: `make run` and `make test`. Each creates .venv and
# installs the pinned dependencies first (only when pyproject.toml changed).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export GX_ANALYTICS_ENABLED := false

.PHONY: run test test-fast bench bench-small fuzz clean contract coverage

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/infobox-etl run

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

# The fast loop while developing (90 s to 2.5 min on two cores): everything but the tests marked slow
# (end-to-end runs, SIGKILLs, Dask, ZIM and Enterprise runs, headless Chromium, long property
# tests), on both cores (pytest-xdist).
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not slow" -n 2

contract: run
	$(BIN)/python ../shared/tools/check_contract.py curated

# Benchmarks print figures side by side with their baselines; see bench/RESULTS.md.
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-small: $(VENV)/.installed-test
	$(BIN)/python bench/run.py --small

# Share of filled key infobox parameters that come out typed, per column, and the templates
# still unknown, for a folder of wikitext (default: the shared corpus of current infoboxes).
COVERAGE_DIR ?= ../shared/corpus/wikitext/current
coverage: $(VENV)/.installed
	$(BIN)/python bench/coverage.py $(COVERAGE_DIR) $(COVERAGE_ARGS)

# At least 10,000 mutated and generated inputs through the real pipeline, then 200 SIGKILLs
# of a publishing run: zero crashes, every input accounted for, curated/ always readable.
fuzz: $(VENV)/.installed-test
	$(BIN)/python bench/fuzz.py --n 10000 --kills 200 $(FUZZ_ARGS)

clean:
	rm -rf curated/_snapshots curated/_current curated/*.parquet reports
