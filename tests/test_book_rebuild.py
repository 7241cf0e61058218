"""`make book` skips the build when nothing changed, and only then.

These tests check correctness, not speed (bench/bench_build.py measures that).
They run the real Makefile and navigation generator on a copy of the tracked
files, with a stand-in for jupyter-book that records each call, so that no
book is built and the checkout's _build is never touched.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from checkout import later, tracked_copy
from conftest import BIN

# Each test runs the real Makefile several times on a copy of the checkout (a second or two each).
pytestmark = pytest.mark.slow  # see the markers in pyproject.toml

FAKE_BUILD = """#!/bin/sh
# Stands in for jupyter-book: records the call, then fails if told to.
echo build >> "$(dirname "$0")/calls"
mkdir -p _build/html
[ ! -e "$(dirname "$0")/fail" ]
"""


@pytest.fixture
def project(tmp_path) -> Path:
    repo = tracked_copy(tmp_path / "repo")
    fake = tmp_path / "fake" / "jupyter-book"
    fake.parent.mkdir()
    fake.write_text(FAKE_BUILD, encoding="utf-8")
    fake.chmod(0o755)
    # Stand for up-to-date installs: nothing is reinstalled.
    (tmp_path / "venv-stamp").touch()
    (tmp_path / "node-stamp").touch()
    return repo


def make_book(repo: Path) -> int:
    """Run `make book`; return how many times jupyter-book was called so far."""
    fake = repo.parent / "fake"
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "book",
            f"JUPYTER_BOOK={fake / 'jupyter-book'}",
            f"STAMP={repo.parent}/venv-stamp",
            f"NODE_STAMP={repo.parent}/node-stamp",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "MAKEFLAGS": ""},
        timeout=60,
    )
    if result.returncode != 0 and not (fake / "fail").exists():
        pytest.fail(f"make book failed:\n{result.stdout}\n{result.stderr}")
    calls = fake / "calls"
    return len(calls.read_text().splitlines()) if calls.exists() else 0


def test_nothing_changed_means_no_build(project):
    assert make_book(project) == 1
    assert make_book(project) == 1
    assert make_book(project) == 1


def test_editing_a_page_rebuilds(project):
    assert make_book(project) == 1
    page = project / "book" / "contact.md"
    later(project / "_build" / ".make-book-stamp")
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert make_book(project) == 2
    assert make_book(project) == 2


def test_a_navigation_change_regenerates_the_toc_first_then_rebuilds(project):
    assert make_book(project) == 1
    later(project / "_build" / ".make-book-stamp")
    page = project / "book" / "join.md"
    text = page.read_text(encoding="utf-8")
    assert "parent: About" in text
    page.write_text(text.replace("parent: About", "parent: Home", 1), encoding="utf-8")
    assert make_book(project) == 2
    toc = yaml.safe_load((project / "_toc.yml").read_text(encoding="utf-8"))
    assert "book/join" in [chapter["file"] for chapter in toc["chapters"]]
    assert subprocess.run([str(BIN / "python"), "tools/make_toc.py", "--check"], cwd=project).returncode == 0


def test_a_new_page_appears_in_the_toc_and_is_built(project):
    assert make_book(project) == 1
    later(project / "_build" / ".make-book-stamp")
    (project / "book" / "new.md").write_text(
        "---\ntitle: New\neleventyNavigation: {key: New, parent: About}\n---\nText.\n", encoding="utf-8"
    )
    assert make_book(project) == 2
    assert "book/new" in (project / "_toc.yml").read_text(encoding="utf-8")


def test_a_changed_config_theme_notebook_or_notebook_input_rebuilds(project):
    assert make_book(project) == 1
    calls = 1
    notebooks = sorted(str(p.relative_to(project)) for p in (project / "notebooks").rglob("*.ipynb"))
    sql = sorted(str(p.relative_to(project)) for p in (project / "notebooks").rglob("*.sql"))
    assert notebooks and sql
    for name in [
        "_config.yml",
        "tools/book_extensions.py",
        "tools/example_archive.py",
        "theme/moj_book/layout.html",
        "theme/moj_book/scss/_book.scss",
        notebooks[0],
        sql[0],
    ]:
        later(project / "_build" / ".make-book-stamp")
        (project / name).touch()
        calls += 1
        assert make_book(project) == calls, name


def test_a_failed_build_is_tried_again(project):
    (project.parent / "fake" / "fail").touch()
    assert make_book(project) == 1
    assert make_book(project) == 2
    (project.parent / "fake" / "fail").unlink()
    assert make_book(project) == 3
    assert make_book(project) == 3


def test_a_failed_build_makes_the_next_one_read_every_page_again(project):
    """Sphinx reports a page's warnings only when it reads the page. A failed build forgets the
    saved state, so that the next build reads the failing page again instead of passing over it."""
    state = project / "_build" / ".doctrees" / "environment.pickle"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"saved")
    assert make_book(project) == 1
    assert state.exists(), "a good build keeps Sphinx's state (incremental builds)"
    (project.parent / "fake" / "fail").touch()
    later(project / "_build" / ".make-book-stamp")
    (project / "book" / "join.md").touch()
    assert make_book(project) == 2
    assert not state.exists()


def test_a_commit_rebuilds_so_that_each_page_shows_its_last_commit(project):
    """Each page says when its source was last committed ("Last updated"): a commit must build
    again, even of a file that was already built as it is."""

    def commit(*args: str) -> None:
        identity = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid"]
        subprocess.run(["git", *identity, *args], cwd=project, check=True, capture_output=True)

    commit("init", "-q")
    commit("add", "-A")
    commit("commit", "-q", "-m", "first")
    assert make_book(project) == 1
    later(project / "_build" / ".make-book-stamp")
    commit("commit", "-q", "--allow-empty", "-m", "second")
    assert make_book(project) == 2
    assert make_book(project) == 2
