# Entry points for readers, new joiners and maintainers. See README.md; `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements
HTML   := _build/html

# Recipes run in bash, so that a pipe fails when its first command does.
SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

# Tools in this project never send telemetry.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

# Python caches each module's bytecode the first time a process imports it (in git-ignored
# __pycache__ folders), even where the caller's environment sets PYTHONDONTWRITEBYTECODE: the
# tests start dozens of Python processes, and each would otherwise compile again every module
# it imports (the heavy imports of one test took 8.9 s instead of 3.6 s).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help setup toc book html test check serve lab bench clean lock lint drafts reviews linkcheck etl audit \
        screenshots

## help: list these targets and what each does
help:
	@echo "Targets (make <target>):"
	@awk '/^## [a-z][a-z-]*: / { name = substr($$2, 1, length($$2) - 1); \
	        printf "\n  %-12s %s", name, substr($$0, length(name) + 6); next } \
	      /^## / && name { printf " %s", substr($$0, 4); next } \
	      { name = "" } END { print "" }' $(firstword $(MAKEFILE_LIST))

# Create the virtual environment and install the locked requirements, checking
# every file against its hash (again only when requirements.txt changes). The
# venv's own pip installs only uv, from its lines in the lock (hashed too); uv then
# installs the whole lock, every package pinned and hashed, without resolving it
# again (--no-deps: the lock lists every dependency, and `uv pip check` fails if one
# is missing). It compiles no bytecode (as pip would with --compile-bytecode): of the
# 11,000 modules installed, a whole `make test` imports some 4,500, and Python caches
# each on its first import (see PYTHONDONTWRITEBYTECODE above), where compiling them
# all took 14 s of the set-up's 20 s. From a warm cache this takes about 6 s where
# pip took a minute and a half. The example notebooks' packages (pyproject.toml)
# are then installed in editable mode, from this folder only (--no-index,
# --no-build-isolation: nothing is fetched).
UV_PIP = $(BIN)/uv pip $(1) --python $(BIN)/python
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11 (or newer).")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	awk '/^uv==/ {p = 1; print; next} p && /^ / {print; next} {p = 0}' requirements.txt > $(VENV)/uv-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(VENV)/uv-lock.txt
	$(call UV_PIP,install) --quiet --require-hashes --no-deps -r requirements.txt
	$(call UV_PIP,check)
	$(call UV_PIP,install) --quiet --no-deps --no-index --no-build-isolation --editable .
	touch $(STAMP)

# Install the pinned front-end packages (GOV.UK Frontend and Sass for the theme,
# axe-core and the Nu HTML Checker for the tests) from package-lock.json, again
# only when it changes. No package runs code of its own at install: vnu-jar's
# script would download a Java runtime where none is installed. Needs Node 20
# or newer and npm.
NODE_STAMP := node_modules/.installed-package-lock
export NPM_CONFIG_UPDATE_NOTIFIER := false
$(NODE_STAMP): package-lock.json package.json
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null || \
	  { echo "Node 20 or newer (with npm) is needed: install it, then run make again." >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NODE_STAMP)

## setup: create .venv with the locked Python packages and install the front-end packages (npm ci)
setup: $(STAMP) $(NODE_STAMP)
	@:  # a recipe that says nothing: make test's set-up is silent when there is nothing to do

## toc: regenerate _toc.yml from the pages' front matter
toc: $(STAMP)
	$(BIN)/python tools/make_toc.py

## book: regenerate the navigation, then build the HTML book into _build/html (warnings are errors)
book: toc
	@$(MAKE) --no-print-directory html
	@echo
	@echo "The book is built. Open $(CURDIR)/$(HTML)/index.html in a browser."

# What the HTML is built from. `make html` (which `make book` and the tests run)
# runs jupyter-book only if one of these changed since the last good build, so
# a rebuild with nothing changed takes a fraction of a second. Folders are
# listed too (as `book/.`: plain `book` would name the phony target): adding or
# removing a file changes its folder's time. A failed build leaves no stamp, so
# the next build runs again, and it forgets Sphinx's saved state, so that the
# next build reads every page again: Sphinx reports a page's warnings only when
# it reads the page, and would otherwise pass over the page that failed (the
# notebooks' execution cache keeps that quick). Every build's output is kept in
# BUILD_LOG, which the tests read for warnings. `make html` builds from _toc.yml
# as committed. Git's log of HEAD is an input too: each page says when its source
# was last committed, so a commit, a checkout or a pull builds again (Sphinx then
# writes again only the pages whose date changed: theme/moj_book/rebuild.py).
JUPYTER_BOOK ?= $(BIN)/jupyter-book
BUILD_FLAGS  := -W -n --keep-going
BUILT        := _build/.make-book-stamp
BUILD_LOG    := _build/book-build.log
SPHINX_STATE := _build/.doctrees/environment.pickle
BOOK_DIRS    := book notebooks theme
BOOK_SOURCES  = $(shell find $(BOOK_DIRS) -mindepth 1 \( -name _build -o -name output -o -name node_modules \
                  -o -name __pycache__ -o -name '.?*' \) -prune -o -print 2>/dev/null)
BOOK_INPUTS   = $(wildcard $(addsuffix /.,$(BOOK_DIRS))) $(BOOK_SOURCES) _config.yml _toc.yml \
                tools/book_extensions.py tools/bench_results.py tools/example_archive.py \
                $(wildcard bench/results/*.json) requirements.txt $(wildcard package-lock.json) $(GIT_HEAD_LOG)
GIT_HEAD_LOG := $(wildcard $(shell git rev-parse --git-path logs/HEAD 2>/dev/null))

html: $(BUILT)

$(BUILT): $(BOOK_INPUTS) $(STAMP) $(NODE_STAMP)
	@mkdir -p $(@D)
	$(JUPYTER_BOOK) build . $(BUILD_FLAGS) 2>&1 | tee $(BUILD_LOG) || { rm -f $(SPHINX_STATE); exit 1; }
	@touch $@

# Both make test and make check run the tests on two workers (pytest-xdist): a test file's tests
# stay together, and the browser's checks of one page go together (the groups: tests/conftest.py).
# The groups are handed out in the order conftest.py sorts them (--no-loadscope-reorder: not the
# biggest first), so that the tests that need no book run while it builds and the tests that wait
# for Spark come last. The first worker to need the book builds it; Spark's runs start early.
WORKERS := --numprocesses 2 --dist loadgroup --no-loadscope-reorder

# make test and make check first set up the Python and the front-end packages side by side (--jobs=2:
# on a fresh clone, 6.5 s instead of 9.2 s one after the other).
## test: run every test (they build the book into _build/html with `make html`, once), on two workers
test:
	@$(MAKE) --no-print-directory --jobs=2 setup
	$(BIN)/python -m pytest $(WORKERS)

## check: the quick check after an edit of a page, notebook or theme (about a minute once built): the
## book build and its page checks, unit tests and lint; no Spark, browser or test-book builds (make test runs them).
## Two workers, as make test
CHECK_MARKERS := not spark and not browser and not slow
check:
	@$(MAKE) --no-print-directory --jobs=2 setup
	$(BIN)/python -m pytest -m "$(CHECK_MARKERS)" $(WORKERS)

## reviews: list every page with its owner and review date, overdue first; fails if any is overdue
reviews: $(STAMP)
	$(BIN)/python tools/reviews.py

## linkcheck: check every link to another website with Sphinx's linkcheck (needs the internet; notebooks
## are not run). The weekly workflow runs it; make test checks the book's own links, offline
LINKCHECK_CONFIG := _build/linkcheck-config.yml
linkcheck: $(STAMP) $(NODE_STAMP)
	@mkdir -p _build
	$(BIN)/python -c 'import sys, yaml, pathlib; c = yaml.safe_load(open("_config.yml")); \
	  c["execute"]["execute_notebooks"] = "off"; ext = c["sphinx"]["local_extensions"]; \
	  c["sphinx"]["local_extensions"] = {k: str(pathlib.Path(v).resolve()) for k, v in ext.items()}; \
	  yaml.safe_dump(c, open(sys.argv[1], "w"))' $(LINKCHECK_CONFIG)
	$(JUPYTER_BOOK) build . --config $(LINKCHECK_CONFIG) --builder linkcheck --path-output _build/linkcheck

# Where `make etl` reads the extract files, and writes its database and curated output.
EXTRACTS   ?= notebooks/output/court_cases_etl/extracts
ETL_OUTPUT ?= notebooks/output/court_cases_etl/etl

## etl: load the extract files in EXTRACTS and publish them under ETL_OUTPUT (python -m court_cases_etl --help)
etl: $(STAMP)
	$(BIN)/python -m court_cases_etl load $(EXTRACTS) --output $(ETL_OUTPUT)

## audit: build, then print each page's weight, requests and axe-core violations (Chromium)
audit: book
	$(BIN)/python tools/audit.py $(HTML)

## screenshots: build, then save PNGs of Home, About and a notebook page into _build/screenshots
screenshots: book
	$(BIN)/python tools/screenshots.py $(HTML) _build/screenshots

## serve: build, serve on http://127.0.0.1:8000 (or $PORT), rebuild on every save and reload the open page
## (sphinx-autobuild; the navigation is regenerated before each build)
serve: $(STAMP) $(NODE_STAMP)
	$(BIN)/python tools/serve.py $(BUILD_FLAGS)

## lab: open the example notebooks in JupyterLab on http://127.0.0.1:8888 (JUPYTER_PORT=8889 for another port).
## Markdown cells show as MyST renders them (jupyterlab-myst), and a notebook picks up edits to the
## package beside it when a cell runs (autoreload). It fetches no news, checks for no updates and
## does not browse PyPI for extensions, so it works offline.
# tests/test_lab.py runs this target as it is, with a port, a token and a Jupyter configuration of its own.
lab: $(STAMP)
	cd notebooks && ../$(BIN)/jupyter lab --ip=127.0.0.1 --LabApp.news_url=None \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --LabApp.extension_manager=readonly

## bench: run the benchmarks in bench/ and print their tables (ONLY=name for one)
bench: $(STAMP)
	$(BIN)/python bench/run.py

## lock: recompile requirements.txt (every package, pinned, with hashes) from requirements.in
## (UPGRADE=1 moves every package to its newest allowed version)
lock: $(STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(if $(UPGRADE),--upgrade) \
	  --output-file requirements.txt requirements.in

## lint: run the pre-commit hooks on every file (nbstripout, ruff, codespell, SQLFluff, navigation, zizmor)
lint: $(STAMP)
	$(BIN)/pre-commit run --all-files

## drafts: list the sections of the book that are still placeholders
drafts: $(STAMP)
	$(BIN)/python tools/drafts.py

## clean: remove the build output and the notebook execution cache
clean:
	rm -rf _build
