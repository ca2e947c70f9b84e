# Two commands do all set-up on a fresh machine (Python 3.11 + the package registries):
#   make book   builds the HTML book into _build/html and prints it into _build/html/sozialanalyse.pdf
#   make test   runs every check: ruff, pytest + nbval, book build (-W), PDF, HTML tests, reproduce
# Both create .venv/ from requirements.lock on first use and reuse it afterwards.
#
# Every notebook is executed once per `make test`: nbval runs each notebook in a fresh kernel
# and compares every output with the one stored in the notebook; the book is then built from
# those stored (just verified) outputs without executing them again (tools/book_config.py).
# `make book-executed` builds with execution, as the Pages workflow does.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_STAMP := $(VENV)/.lab-installed
NOTEBOOKS := $(wildcard book/*.ipynb)
# pip's output goes to .venv/install.log and is shown only when an install fails.
PIP_QUIET := --quiet --disable-pip-version-check
# BLAS threads on the tiny matrices of the simulation tests only cost time (2-core CI).
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
# pytest-xdist workers (`make test JOBS=1` for a serial run). loadscope keeps all cells of a
# notebook (and all tests of a module) on one worker, in order, as nbval requires.
JOBS   ?= auto
PYTEST := $(BIN)/pytest -p no:cacheprovider
RUFF   := $(BIN)/ruff
XDIST  := -n $(JOBS) --dist loadscope
# The three chains of `make test` run side by side, except with JOBS=1 (all serial).
CHAINS := $(if $(filter 1,$(JOBS)),1,3)
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
BOOK_FLAGS := --all -W -n --keep-going
STORED_CONFIG := _build/config-stored-outputs.yml
TIMES  := _build/test-times.txt
# The steps of `make test` run as sub-makes; `test` itself has made (or, with
# `-o .venv/.installed`, skipped) the environment, so the sub-makes do not check it again.
ENV    := $(if $(ENV_READY),,$(STAMP))

.PHONY: book book-executed html pdf html-pdf test env lint unit nbval pytest html-tests reproduce \
        test-chain-pytest test-chain-book test-chain-reproduce \
        notebooks data benchmarks lab clean

env: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_QUIET) -r requirements.lock > $(VENV)/install.log 2>&1 \
	    || { cat $(VENV)/install.log; exit 1; }
	$(BIN)/python -m pip install $(PIP_QUIET) --no-deps -e . >> $(VENV)/install.log 2>&1 \
	    || { cat $(VENV)/install.log; exit 1; }
	$(BIN)/python -c "import sozialanalyse, jupyter_book, statsmodels, nbval, xdist, pypdf"
	touch $(STAMP)

# The book: HTML from the notebooks' stored outputs, then the PDF (skipped with a notice
# when no Chromium/Chrome is installed; `make pdf` insists).
book: html
	$(BIN)/python tools/book_pdf.py --if-browser

# HTML with warnings as errors, built from the outputs stored in the notebooks.
html: $(ENV)
	$(BIN)/python tools/book_config.py $(STORED_CONFIG)
	$(BIN)/jupyter-book build . --config $(STORED_CONFIG) $(BOOK_FLAGS)

# HTML with every notebook executed afresh (_config.yml: execute_notebooks: force), then PDF.
book-executed: $(ENV)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	$(BIN)/python tools/book_pdf.py

# The whole book as one PDF, printed offline by headless Chromium (tools/book_pdf.py).
pdf: $(ENV)
	$(BIN)/python tools/book_pdf.py

# The HTML, then the PDF (a browser is required): the book step of `make test`.
html-pdf: html
	$(BIN)/python tools/book_pdf.py

lint: $(ENV)
	$(RUFF) check sozialanalyse tests benchmarks _ext book tools

# Unit, property, calibration and data tests, and nbval on every notebook, in one parallel run;
# prints the slowest tests and the run time of every notebook (tests/conftest.py). The notebooks
# come first: they are the largest units, so the workers start with them and the many small test
# modules fill the gaps at the end.
pytest: $(ENV)
	$(PYTEST) $(XDIST) --durations=10 -m "not book" $(NBVAL) $(NOTEBOOKS) tests

unit: $(ENV)
	$(PYTEST) $(XDIST) -m "not book" tests

nbval: $(ENV)
	$(PYTEST) $(XDIST) $(NBVAL) $(NOTEBOOKS)

# One process: the browser tests keep both cores busy with Chromium tabs; nbval and
# hypothesis are not needed here (their start-up costs seconds per process).
html-tests: $(ENV)
	$(PYTEST) -p no:nbval -p no:hypothesispytest -m book tests/book

reproduce: $(ENV)
	$(BIN)/python -m sozialanalyse reproduce

# Run one step ($(1): make targets, $(2): make options) and append its wall time to $(TIMES);
# the status is the step's.
timed = { t0=$$(date +%s); $(MAKE) --no-print-directory ENV_READY=1 $(2) $(1); rc=$$?; \
	printf '  %-24s %4d s%s\n' "$(1)" $$(( $$(date +%s) - t0 )) \
	    "$$( [ $$rc = 0 ] || echo '  FEHLER' )" >> $(TIMES); [ $$rc = 0 ]; }

# The test command: everything a reviewer's CI verifies; prints the time of each step.
# ruff first (seconds); then three independent chains at the same time, so that both cores
# stay busy until the end: (a) pytest + nbval, (b) the book (HTML with -W from the stored
# notebook outputs, the PDF) followed by the tests on the built HTML and PDF, (c) reproduce.
# The book does not wait for nbval: both read the same stored outputs, and a stored output
# that differs from a fresh run fails chain (a) and so the whole command.
test: $(STAMP)
	@mkdir -p _build && \
	echo "make test: seconds per step (after lint, the three chains run at the same time)" \
	    > $(TIMES) && t_start=$$(date +%s); \
	$(call timed,lint) && $(MAKE) --no-print-directory -j$(CHAINS) --output-sync=target ENV_READY=1 \
	    test-chain-pytest test-chain-book test-chain-reproduce; rc=$$?; \
	printf '  %-24s %4d s\n' "total" $$(( $$(date +%s) - t_start )) >> $(TIMES); \
	cat $(TIMES); exit $$rc

test-chain-pytest:
	@$(call timed,pytest)
test-chain-book:
	@$(call timed,html-pdf) && $(call timed,html-tests)
test-chain-reproduce:
	@$(call timed,reproduce)

# Maintainer helpers (not part of the test command).
notebooks: $(ENV)
	for nb in $(NOTEBOOKS); do $(BIN)/jupyter-execute --inplace $$nb || exit 1; done

data: $(ENV)
	$(BIN)/python -m sozialanalyse build-data

benchmarks: $(ENV)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

# JupyterLab (extra `lab`, pinned in requirements-lab.lock) on the book's notebooks.
$(LAB_STAMP): $(STAMP) requirements-lab.lock
	$(BIN)/python -m pip install $(PIP_QUIET) -r requirements.lock -r requirements-lab.lock \
	    > $(VENV)/install-lab.log 2>&1 || { cat $(VENV)/install-lab.log; exit 1; }
	touch $(LAB_STAMP)

# Root (containers) needs --allow-root; LAB_ARGS adds options, e.g. LAB_ARGS=--no-browser.
LAB_ARGS ?=
lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=book $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

clean:
	rm -rf _build
