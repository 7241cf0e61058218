"""Every notebook in the book ran top to bottom in the build, cleanly.

The build is the one execution of each notebook per test run (through the
execution cache); these tests read what it executed: every code cell ran, in
order, and printed no error and nothing on stderr, where Python's warnings go.
"""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from site_check import expected_pages

NOTEBOOKS = [page.removesuffix(".html") for page in expected_pages() if (ROOT / page).with_suffix(".ipynb").is_file()]


def test_the_book_has_its_example_notebooks():
    assert len(NOTEBOOKS) >= 2, NOTEBOOKS


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_every_cell_ran_without_errors_or_warnings(built_book, docname):
    assert built_book.returncode == 0, built_book.log[-3000:]
    executed = built_book.executed / f"{docname}.ipynb"
    assert executed.is_file(), f"{executed} is missing: the build did not run {docname}.ipynb"
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]
    counts = [cell.get("execution_count") for cell in code]
    assert counts == list(range(1, len(code) + 1)), f"{docname}: cells did not all run, in order: {counts}"
    problems = []
    for number, cell in enumerate(code, start=1):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                problems.append(f"cell {number}: {output['ename']}: {output['evalue']}")
            elif output["output_type"] == "stream" and output.get("name") == "stderr":
                problems.append(f"cell {number} wrote to stderr: {''.join(output['text'])[:300]}")
    assert problems == [], f"{docname}:\n" + "\n".join(problems)
