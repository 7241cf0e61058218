"""A check in a notebook that a learner's change can trip says what changed and what to do: no
notebook uses a bare `assert` (it stops with no word of why, and `python -O` skips it)."""

from __future__ import annotations

import ast
import json

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))


def bare_asserts(notebook: dict) -> list[str]:
    """Where a code cell asserts: 'cell <n>, line <m>: <the line>'."""
    found = []
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        # IPython's magics (%autoreload) are not Python: read them as comments.
        tree = ast.parse(
            "\n".join("#" + line if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
        )
        lines = source.split("\n")
        found += [
            f"cell {number}, line {node.lineno}: {lines[node.lineno - 1].strip()}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Assert)
        ]
    return found


def test_there_are_notebooks_to_read():
    assert len(NOTEBOOKS) >= 4, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_notebook_check_is_a_bare_assert(path):
    found = bare_asserts(json.loads(path.read_text(encoding="utf-8")))
    assert found == [], (
        f"{path.relative_to(ROOT)} checks with a bare assert, which stops a learner's run without saying why: "
        f"{found}. Check through the example's package instead (court_cases_etl.checks, people_linkage.claims), "
        "with a message that says what changed and what to do."
    )


def test_a_bare_assert_is_found_by_cell_and_line():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["assert nothing"]},
            {"cell_type": "code", "source": ["%autoreload 2\n", "x = 1\n", "assert x == 2"]},
        ]
    }
    assert bare_asserts(notebook) == ["cell 1, line 3: assert x == 2"]
