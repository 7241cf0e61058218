"""Every notebook in the book ran top to bottom in the build, cleanly.

The build is the one execution of each notebook per test run, through the
execution cache (`execute_notebooks: cache`). These tests read what the build
used for each page, `_build/jupyter_execute/<page>.ipynb`, and hold in every
state of a checkout: after a cold build, where the notebook has just run, and
after a rebuild that took it from the cache (a page edit, say), where its copy
carries outputs but no execution counts.

What proves a clean run then is the cache itself: myst-nb adds a notebook to
jupyter-cache only when it ran without an error (raise_on_error), and the
record keeps how long it ran. So every page's notebook must be the current
notebook (its code cells, and the digest of the files it reads), must match a
cache record that says it ran, and must have printed no error and nothing on
stderr, where Python's warnings go.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache

from book_extensions import INPUTS_KEY, inputs_digest, notebook_inputs
from conftest import ROOT
from site_check import expected_pages

NOTEBOOKS = [page.removesuffix(".html") for page in expected_pages() if (ROOT / page).with_suffix(".ipynb").is_file()]


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]


def ran_cleanly(executed: Path, source: Path, cache_dir: Path, root: Path = ROOT) -> list[str]:
    """Why `executed` (a page's notebook as the build used it) is not proof that `source` ran
    top to bottom without an error or a warning; [] if it is."""
    if not executed.is_file():
        return [f"{executed} is missing: the build did not run {source.name}"]
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    code, wanted = code_cells(notebook), code_cells(json.loads(source.read_text(encoding="utf-8")))
    if ["".join(c["source"]) for c in code] != ["".join(c["source"]) for c in wanted]:
        return [f"{executed} is not the current {source.name}: its code cells differ (a stale build?)"]
    digest = code[0].get("metadata", {}).get(INPUTS_KEY) if code else None
    if code and digest != inputs_digest(notebook_inputs(source, root), root):
        return [f"{executed} ran with other versions of the files {source.name} reads (a stale build?)"]
    problems = []
    counts = [cell.get("execution_count") for cell in code]
    if counts not in (list(range(1, len(code) + 1)), [None] * len(code)):
        problems.append(f"cells did not all run, in order: {counts}")
    try:
        record = get_cache(str(cache_dir)).match_cache_notebook(nbformat.reads(json.dumps(notebook), as_version=4))
    except KeyError:
        problems.append(f"no clean run of it in the execution cache {cache_dir}: it failed, or never ran")
    else:
        if not isinstance(record.data.get("execution_seconds"), float):
            problems.append(f"the cache record {record.pk} does not say the notebook ran: {record.data}")
    for number, cell in enumerate(code, start=1):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                problems.append(f"cell {number}: {output['ename']}: {output['evalue']}")
            elif output["output_type"] == "stream" and output.get("name") == "stderr":
                problems.append(f"cell {number} wrote to stderr: {''.join(output['text'])[:300]}")
    return problems


def test_the_book_has_its_example_notebooks():
    assert len(NOTEBOOKS) >= 2, NOTEBOOKS


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_every_cell_ran_without_errors_or_warnings(built_book, docname):
    assert built_book.returncode == 0, built_book.log[-3000:]
    problems = ran_cleanly(
        built_book.executed / f"{docname}.ipynb", ROOT / f"{docname}.ipynb", built_book.html.parent / ".jupyter_cache"
    )
    assert problems == [], f"{docname}:\n" + "\n".join(problems)


@pytest.fixture
def one_executed(built_book, tmp_path) -> tuple[Path, Path, dict]:
    """A copy of one page's notebook as the build used it, to plant problems in, and its source."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    docname = NOTEBOOKS[0]
    copy = tmp_path / "executed.ipynb"
    shutil.copy(built_book.executed / f"{docname}.ipynb", copy)
    return copy, ROOT / f"{docname}.ipynb", json.loads(copy.read_text(encoding="utf-8"))


def planted(copy: Path, notebook: dict, change) -> Path:
    change(code_cells(notebook))
    copy.write_text(json.dumps(notebook), encoding="utf-8")
    return copy


def test_the_check_passes_the_build_as_it_is(built_book, one_executed):
    copy, source, _ = one_executed
    assert ran_cleanly(copy, source, built_book.html.parent / ".jupyter_cache") == []


def test_the_check_finds_a_run_the_cache_does_not_hold(one_executed, tmp_path):
    copy, source, _ = one_executed
    problems = ran_cleanly(copy, source, tmp_path / "empty-cache")
    assert any("no clean run of it in the execution cache" in p for p in problems), problems


def test_the_check_finds_a_stale_page_a_warning_and_cells_out_of_order(built_book, one_executed):
    copy, source, notebook = one_executed
    cache = built_book.html.parent / ".jupyter_cache"
    stale = planted(copy, json.loads(json.dumps(notebook)), lambda code: code[-1].update(source="print('new')"))
    assert "its code cells differ" in "".join(ran_cleanly(stale, source, cache))
    warning = {"output_type": "stream", "name": "stderr", "text": "UserWarning: careful"}
    warned = planted(copy, json.loads(json.dumps(notebook)), lambda code: code[0]["outputs"].append(warning))
    assert "cell 1 wrote to stderr: UserWarning: careful" in ran_cleanly(warned, source, cache)

    def shuffle(code):
        for number, cell in enumerate(code, start=1):
            cell["execution_count"] = number
        code[0]["execution_count"], code[1]["execution_count"] = 2, 1

    assert "cells did not all run, in order" in "".join(ran_cleanly(planted(copy, notebook, shuffle), source, cache))
