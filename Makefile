# Two commands do all set-up on a fresh machine (Python 3.11 + the package registries):
#   make book   builds the HTML book into _build/html
#   make test   runs every check: ruff, pytest, nbval, book build (-W), HTML tests, reproduce
# Both create .venv/ from requirements.lock on first use and reuse it afterwards.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(wildcard book/*.ipynb)
# pip's output goes to .venv/install.log and is shown only when an install fails.
PIP_QUIET := --quiet --disable-pip-version-check
# BLAS threads on the tiny matrices of the simulation tests only cost time (2-core CI).
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: book test env lint unit nbval html-tests reproduce notebooks data benchmarks clean

env: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_QUIET) -r requirements.lock > $(VENV)/install.log 2>&1 \
	    || { cat $(VENV)/install.log; exit 1; }
	$(BIN)/python -m pip install $(PIP_QUIET) --no-deps -e . >> $(VENV)/install.log 2>&1 \
	    || { cat $(VENV)/install.log; exit 1; }
	$(BIN)/python -c "import sozialanalyse, jupyter_book, statsmodels, nbval"
	touch $(STAMP)

# Build the book; every notebook is executed afresh (execute_notebooks: force).
book: $(STAMP)
	$(BIN)/jupyter-book build . --all -W -n --keep-going

lint: $(STAMP)
	$(BIN)/ruff check sozialanalyse tests benchmarks _ext book

unit: $(STAMP)
	$(BIN)/pytest -m "not book" -p no:cacheprovider

nbval: $(STAMP)
	$(BIN)/pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    -p no:cacheprovider $(NOTEBOOKS)

html-tests: $(STAMP)
	$(BIN)/pytest -m book -p no:cacheprovider tests/book

reproduce: $(STAMP)
	$(BIN)/python -m sozialanalyse reproduce

# The test command: everything a reviewer's CI verifies, in order; stops at the first failure.
test: $(STAMP)
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) nbval
	$(MAKE) book
	$(MAKE) html-tests
	$(MAKE) reproduce

# Maintainer helpers (not part of the test command).
notebooks: $(STAMP)
	for nb in $(NOTEBOOKS); do $(BIN)/jupyter-execute --inplace $$nb || exit 1; done

data: $(STAMP)
	$(BIN)/python -m sozialanalyse build-data

benchmarks: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf _build
