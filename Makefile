# Entry points for readers, new joiners and maintainers. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements
HTML   := _build/html

# Tools in this project never send telemetry.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: setup toc book test serve bench clean lock lint drafts

# Create the virtual environment and install the locked requirements, checking
# every file against its hash (again only when requirements.txt changes). pip
# itself is brought to its locked version first: older pips cannot install a
# hashed lock whose packages ask for extras.
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11 (or newer).")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	awk '/^pip==/ {p = 1; print; next} p && /^ / {print; next} {p = 0}' requirements.txt > $(VENV)/pip-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(VENV)/pip-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

## toc: regenerate _toc.yml from the pages' front matter
toc: $(STAMP)
	$(BIN)/python tools/make_toc.py

## book: build the HTML book into _build/html (warnings are errors)
book: toc
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo
	@echo "The book is built. Open $(CURDIR)/$(HTML)/index.html in a browser."

## test: run every test (builds the book into a temporary folder)
test: $(STAMP)
	$(BIN)/python -m pytest

## serve: build, serve on http://127.0.0.1:8000 and rebuild on every save
serve: $(STAMP)
	$(BIN)/python tools/serve.py

## bench: run the benchmarks in bench/ and print their tables (ONLY=name for one)
bench: $(STAMP)
	$(BIN)/python bench/run.py

## lock: recompile requirements.txt (every package, pinned, with hashes) from requirements.in
## (UPGRADE=1 moves every package to its newest allowed version)
lock: $(STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(if $(UPGRADE),--upgrade) \
	  --output-file requirements.txt requirements.in

## lint: run the pre-commit hooks on every file (nbstripout, ruff, codespell, SQLFluff, navigation)
lint: $(STAMP)
	$(BIN)/pre-commit run --all-files

## drafts: list the sections of the book that are still placeholders
drafts: $(STAMP)
	$(BIN)/python tools/drafts.py

## clean: remove the build output and the notebook execution cache
clean:
	rm -rf _build
