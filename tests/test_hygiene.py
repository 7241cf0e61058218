"""Repository hygiene: notebooks are committed without outputs; pytest never
collects copies under the build folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def notebook_problems(path: Path) -> list[str]:
    """Why a notebook may not be committed as it is (empty list: it may)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{path}: cell {number} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"{path}: cell {number} has an execution count")
    return problems


def committed_notebooks() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=False)
    if listed.returncode != 0:  # not a git checkout: every notebook in the tree
        return [p for p in ROOT.rglob("*.ipynb") if "_build" not in p.parts and ".venv" not in p.parts]
    return [ROOT / line for line in listed.stdout.splitlines()]


def test_committed_notebooks_have_no_outputs():
    problems = [p for nb in committed_notebooks() for p in notebook_problems(nb)]
    assert problems == [], "strip outputs before committing (nbstripout):\n" + "\n".join(problems)


def test_the_output_check_catches_outputs_and_counts(tmp_path):
    nb = tmp_path / "dirty.ipynb"
    nb.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "source": "1",
                        "outputs": [{"output_type": "stream"}],
                        "execution_count": None,
                    },
                    {"cell_type": "code", "source": "2", "outputs": [], "execution_count": 4},
                    {"cell_type": "markdown", "source": "text"},
                ]
            }
        ),
        encoding="utf-8",
    )
    assert notebook_problems(nb) == [f"{nb}: cell 1 has outputs", f"{nb}: cell 2 has an execution count"]


def test_pytest_never_collects_copies_under_the_build_folder(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for folder in ("tests", "notebooks", "_build/html/_sources", "notebooks/_build", ".venv/lib"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / "tests" / "test_real.py").write_text("def test_real():\n    pass\n")
    for copy in ("_build/html/_sources/test_copy.py", "notebooks/_build/test_copy.py", ".venv/lib/test_copy.py"):
        (tmp_path / copy).write_text("def test_copy():\n    pass\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "test_real.py::test_real" in result.stdout, result.stdout + result.stderr
    assert "test_copy" not in result.stdout
