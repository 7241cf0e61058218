# Entry points for readers, new joiners and maintainers. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements
HTML   := _build/html

# Tools in this project never send telemetry.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: setup toc book test serve bench clean

# Create the virtual environment and install the pinned requirements
# (again only when requirements.txt changes).
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11 (or newer).")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
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

## clean: remove the build output and the notebook execution cache
clean:
	rm -rf _build
