"""No stale page: a notebook runs again when anything it reads changes, and only that notebook.

jupyter-cache matches a notebook by its code cells alone. The book's extension
(tools/book_extensions.py) adds a digest of each notebook's inputs (its folder's
helper modules, SQL and dbt project, the examples it imports, requirements.txt)
to what the cache matches, so these tests build a small book of two example
notebooks with the real extension and change one input at a time.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from book_extensions import notebook_inputs
from conftest import BIN, ROOT, make_variable, sphinx_build

pytestmark = pytest.mark.slow  # see the markers in pyproject.toml

# --- What the book's own notebooks read ------------------------------------------------


def _inputs(notebook: str) -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in notebook_inputs(ROOT / notebook, ROOT)}


def test_the_etl_notebook_reads_its_sql_and_helper_modules():
    inputs = _inputs("notebooks/court_cases_etl/court_cases_etl.ipynb")
    for name in ("sql/land.sql", "sql/validate.sql", "pipeline.py", "extracts.py", "__init__.py"):
        assert f"notebooks/court_cases_etl/{name}" in inputs, name
    assert "requirements.txt" in inputs
    assert not [name for name in inputs if name.endswith(".ipynb") or "/output/" in name or "__pycache__" in name]


def test_the_dbt_notebook_reads_its_dbt_project_and_the_etl_example_it_imports():
    inputs = _inputs("notebooks/court_timeliness_dbt/court_timeliness_dbt.ipynb")
    project = "notebooks/court_timeliness_dbt/court_timeliness"
    for name in ("dbt_project.yml", "profiles.yml", "models/marts/fct_cases.sql", "macros/percentile.sql"):
        assert f"{project}/{name}" in inputs, name
    assert "notebooks/court_timeliness_dbt/dbt_run.py" in inputs
    assert "notebooks/court_cases_etl/sql/land.sql" in inputs  # it runs the ETL pipeline for its data


def test_a_notebook_reads_the_shared_packages_its_examples_import():
    """The examples' modules import packages the notebooks do not name (the output folder's one
    definition, the shared Spark code): a change to those runs the notebooks again too."""
    for notebook in (
        "notebooks/court_cases_etl/court_cases_etl.ipynb",
        "notebooks/court_timeliness_dbt/court_timeliness_dbt.ipynb",
        "notebooks/people_linkage/people_linkage.ipynb",
        "notebooks/people_linkage/people_linkage_accuracy.ipynb",
    ):
        assert "notebooks/example_output/__init__.py" in _inputs(notebook), notebook
    assert "notebooks/local_spark/session.py" in _inputs("notebooks/court_timeliness_dbt/court_timeliness_dbt.ipynb")
    assert not [name for name in _inputs("notebooks/court_cases_etl/court_cases_etl.ipynb") if "local_spark" in name]


# --- A small book: rebuilds run exactly the notebooks whose inputs changed ---------------

CONFIG = """title: Inputs
only_build_toc_files: true
exclude_patterns: [_build, "**/.*"]
execute:
  execute_notebooks: cache
  raise_on_error: true
sphinx:
  local_extensions:
    book_extensions: {tools}
"""
TOC = """format: jb-book
root: intro
chapters:
- file: notebooks/demo/demo
- file: notebooks/other/other
- file: quote
"""


# What the book asks of every page (tools/book_extensions.py): a description and review dates.
PAGE_KEYS = {"description": "A page of a small book.", "last_reviewed_on": "2026-12-01", "review_in": "1 year"}
INTRO = "---\n" + "".join(f"{key}: {value}\n" for key, value in PAGE_KEYS.items()) + "---\n# Inputs\n"


def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "id": f"c{i}", "metadata": {}, "source": text}
                | ({"execution_count": None, "outputs": []} if kind == "code" else {})
                for i, (kind, text) in enumerate(cells)
            ],
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                **PAGE_KEYS,
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


@pytest.fixture
def book(tmp_path) -> Path:
    return small_book(tmp_path)


def small_book(book: Path) -> Path:
    (book / "_config.yml").write_text(CONFIG.format(tools=ROOT / "tools"), encoding="utf-8")
    (book / "_toc.yml").write_text(TOC, encoding="utf-8")
    (book / "intro.md").write_text(INTRO, encoding="utf-8")
    # A page that quotes the demo's glued value, and is not its parent in the navigation (Sphinx
    # writes a parent again anyway).
    quote = "The demo glued {glue:text}`notebooks/demo/demo.ipynb::value:s`.\n"
    (book / "quote.md").write_text(INTRO.replace("# Inputs", "# Quote") + quote, encoding="utf-8")
    demo = book / "notebooks" / "demo"
    (demo / "sql").mkdir(parents=True)
    (demo / "__init__.py").write_text("", encoding="utf-8")
    (demo / "helper.py").write_text("VALUE = 'helper value one'\n", encoding="utf-8")
    (demo / "sql" / "query.sql").write_text("select 'sql text one'\n", encoding="utf-8")
    (demo / "demo.ipynb").write_text(
        notebook(
            ("markdown", "# Demo"),
            ("code", "import helper\nfrom pathlib import Path\nprint(Path('sql/query.sql').read_text(), helper.VALUE)"),
            ("code", "from myst_nb import glue\nglue('value', helper.VALUE, display=False)"),
        ),
        encoding="utf-8",
    )
    other = book / "notebooks" / "other"
    other.mkdir()
    (other / "__init__.py").write_text("", encoding="utf-8")
    (other / "other.ipynb").write_text(notebook(("markdown", "# Other"), ("code", "print(6 * 7)")), encoding="utf-8")
    return book


def build(book: Path, command: bool = False) -> dict[str, str]:
    """Build the small book; return, per notebook, whether it was 'executed', 'cached' or 'unread'
    (Sphinx did not read it again: nothing it depends on changed).

    As `jupyter-book build` with the book's flags, in this process (conftest.sphinx_build), or
    with the `jupyter-book` command itself if `command`: run in this process, Sphinx also writes
    again a page that it did not read again, and so would show a quoted figure's latest value
    even if the book's extension did not read the quoting page again."""
    if command:
        result = subprocess.run(
            [str(BIN / "jupyter-book"), "build", str(book), *make_variable("BUILD_FLAGS").split()],
            capture_output=True,
            text=True,
            env={"PATH": str(BIN) + ":/usr/bin:/bin", "DO_NOT_TRACK": "1", "NO_COLOR": "1", "HOME": str(book)},
            cwd=book,
        )
        returncode, log = result.returncode, result.stdout + result.stderr
    else:
        returncode, log = sphinx_build(book)
    assert returncode == 0, log[-6000:]
    runs = {}
    for name in ("demo", "other"):
        executed = re.search(rf"{name}\.ipynb: Executing notebook", log)
        cached = re.search(rf"{name}\.ipynb: Using cached notebook", log)
        assert not (executed and cached), log
        runs[name] = "executed" if executed else "cached" if cached else "unread"
    return runs


def page_text(book: Path) -> str:
    return (book / "_build" / "html" / "notebooks" / "demo" / "demo.html").read_text(encoding="utf-8")


def test_a_changed_sql_file_or_helper_module_runs_its_notebook_again_and_only_that_one(book):
    assert build(book) == {"demo": "executed", "other": "executed"}

    # With Sphinx's saved state (a maintainer's rebuild): only the notebook that reads the SQL.
    query = book / "notebooks" / "demo" / "sql" / "query.sql"
    query.write_text("select 'sql text two'\n", encoding="utf-8")
    assert build(book) == {"demo": "executed", "other": "unread"}
    assert "sql text two" in page_text(book) and "sql text one" not in page_text(book)

    # As on a fresh CI machine: no Sphinx state, every page read again, and a notebook cache made
    # before the change (what the workflow's restore-keys can bring back). The helper change alone
    # runs its notebook again; a Markdown edit in the other notebook runs nothing.
    helper = book / "notebooks" / "demo" / "helper.py"
    helper.write_text("VALUE = 'helper value two'\n", encoding="utf-8")
    other = book / "notebooks" / "other" / "other.ipynb"
    other.write_text(other.read_text(encoding="utf-8").replace("# Other", "# Other, edited"), encoding="utf-8")
    shutil.rmtree(book / "_build" / ".doctrees", ignore_errors=True)
    shutil.rmtree(book / "_build" / "html" / ".doctrees", ignore_errors=True)
    assert build(book) == {"demo": "executed", "other": "cached"}
    assert "sql text two" in page_text(book) and "helper value two" in page_text(book)
    assert "helper value one" not in page_text(book)


def test_a_page_quoting_a_notebooks_glued_figure_shows_its_latest_run(book):
    """The page is not edited, so Sphinx would not read it again: the book's extension reads it
    again with the notebook it quotes (tools/book_extensions.py, _note_glue)."""
    quote = book / "_build" / "html" / "quote.html"
    assert build(book, command=True) == {"demo": "executed", "other": "executed"}
    assert "helper value one" in quote.read_text(encoding="utf-8")
    helper = book / "notebooks" / "demo" / "helper.py"
    helper.write_text("VALUE = 'helper value three'\n", encoding="utf-8")
    assert build(book, command=True) == {"demo": "executed", "other": "unread"}
    assert "helper value three" in quote.read_text(encoding="utf-8")
