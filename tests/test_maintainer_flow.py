"""A maintainer's most common flow stays green: build the book, edit a page, build again, test.

The second build takes every notebook from the execution cache, as a maintainer's
does, so the checks of what the notebooks ran must hold for a cached run as for a
fresh one (tests/test_notebooks.py). This runs the real Makefile on a copy of the
tracked files, starting from the execution cache of this run's own build (a warm
cache), so that the checkout's _build is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from checkout import later, tracked_copy
from conftest import ROOT
from test_notebooks import NOTEBOOKS, ran_cleanly

pytestmark = pytest.mark.slow  # see the markers in pyproject.toml


def make(repo: Path, target: str) -> subprocess.CompletedProcess:
    stamps = repo.parent / "stamps"
    stamps.mkdir(exist_ok=True)
    for name in ("venv", "node"):
        (stamps / name).touch()  # the packages are installed: stand for up-to-date installs
    return subprocess.run(
        ["make", "--no-print-directory", target, f"STAMP={stamps / 'venv'}", f"NODE_STAMP={stamps / 'node'}"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "MAKEFLAGS": "", "DO_NOT_TRACK": "1", "NO_COLOR": "1"},
        timeout=600,
    )


@pytest.fixture(scope="module")
def edited_and_rebuilt(built_book, tmp_path_factory) -> tuple[Path, list[str]]:
    """A copy of the checkout built with `make book` from this run's warm cache, then a page
    edited and built again with `make html`. Returns the copy and both builds' logs."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    repo = tracked_copy(tmp_path_factory.mktemp("maintainer") / "repo")
    (repo / "node_modules").symlink_to(ROOT / "node_modules")
    shutil.copytree(built_book.html.parent / ".jupyter_cache", repo / "_build" / ".jupyter_cache")
    logs = []
    first = make(repo, "book")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    logs.append((repo / "_build" / "book-build.log").read_text(encoding="utf-8"))
    later(repo / "_build" / ".make-book-stamp", margin=1)  # a real build: a whole second, to be sure
    page = repo / "book" / "join.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence a maintainer added.\n", encoding="utf-8")
    second = make(repo, "html")
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    logs.append((repo / "_build" / "book-build.log").read_text(encoding="utf-8"))
    return repo, logs


def test_the_rebuild_after_a_page_edit_shows_the_edit_and_runs_no_notebook(edited_and_rebuilt):
    repo, (first, second) = edited_and_rebuilt
    assert "A sentence a maintainer added." in (repo / "_build" / "html" / "book" / "join.html").read_text("utf-8")
    for log in (first, second):
        assert "Executing notebook" not in log, "a notebook ran again although nothing it reads changed"


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_after_the_edit_every_notebook_page_still_proves_a_clean_run(edited_and_rebuilt, docname):
    repo, _ = edited_and_rebuilt
    executed = repo / "_build" / "jupyter_execute" / f"{docname}.ipynb"
    problems = ran_cleanly(executed, repo / f"{docname}.ipynb", repo / "_build" / ".jupyter_cache", root=repo)
    assert problems == [], f"{docname}:\n" + "\n".join(problems)
