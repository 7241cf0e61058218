"""`make serve`: sphinx-autobuild serves a small book, and a change to the front matter shows after the rebuild."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from sphinx_autobuild.filter import IgnoreFilter

import serve
from conftest import BIN, MINI_HOME, ROOT, make_variable
from site_check import free_port

ABOUT = """\
---
title: {title}
description: What this small book is about.
eleventyNavigation:
  key: About
  parent: Home
last_reviewed_on: 2026-12-01
review_in: 1 year
---

Text about the book.
"""
BUILD_FLAGS = make_variable("BUILD_FLAGS")


def test_make_serve_runs_this_tool_with_the_books_flags():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "tools/serve.py $(BUILD_FLAGS)" in recipe and BUILD_FLAGS.split() == ["-W", "-n", "--keep-going"]


def test_it_watches_what_the_build_reads_and_nothing_it_writes():
    run = serve.command(ROOT, 8000, [])
    ignored = IgnoreFilter([], [run[i + 1] for i, arg in enumerate(run) if arg == "--re-ignore"])
    watched = [
        "_config.yml",
        "book/about.md",
        "theme/moj_book/layout.html",
        "theme/moj_book/scss/_book.scss",
        "tools/book_extensions.py",
        "tools/example_archive.py",
        "notebooks/court_cases_etl/sql/land.sql",
        "notebooks/court_cases_etl/pipeline.py",
        "notebooks/court_timeliness_dbt/court_timeliness_dbt.ipynb",
    ]
    not_watched = [
        "_toc.yml",  # rewritten before each build from the front matter
        "_build/html/index.html",
        "conf.py",
        "notebooks/output/court_cases_etl/etl/court.duckdb",
        "notebooks/court_cases_etl/__pycache__/pipeline.cpython-311.pyc",
        "notebooks/court_cases_etl/.ipynb_checkpoints/court_cases_etl-checkpoint.ipynb",
        "tools/make_toc.py",
        "tests/test_serve.py",
        "README.md",
    ]
    assert [name for name in watched if ignored(str(ROOT / name))] == []
    assert [name for name in not_watched if not ignored(str(ROOT / name))] == []


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(what, server: subprocess.Popen, log: Path, seconds: float = 180):
    """What `what()` returns once it is truthy; fails with the server's output if it never is."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        if result := what():
            return result
        time.sleep(0.5)
    pytest.fail(f"not within {seconds} s; the server said:\n{log.read_text(encoding='utf-8')[-6000:]}")


@pytest.mark.slow  # builds and serves a small book of its own
def test_it_serves_the_book_and_a_front_matter_change_shows_after_the_rebuild(tmp_path):
    book = tmp_path / "book"
    for name in ("theme", "tools", "node_modules"):
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        (book / name).symlink_to(ROOT / name)
    (book / "_config.yml").write_bytes((ROOT / "_config.yml").read_bytes())
    pages = book / "book"
    pages.mkdir()
    (pages / "index.md").write_text(MINI_HOME.format(reviewed="2026-12-01", review_in="1 year"), encoding="utf-8")
    (pages / "about.md").write_text(ABOUT.format(title="About this book"), encoding="utf-8")
    port, log = free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "DO_NOT_TRACK": "1", "NO_COLOR": "1"}
    command = [str(BIN / "python"), str(ROOT / "tools" / "serve.py"), "--root", str(book), "--port", str(port)]
    with log.open("w") as output:
        server = subprocess.Popen(
            [*command, *BUILD_FLAGS.split()], stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        home = wait_for(lambda: fetch(base + "book/index.html"), server, log)
        assert "About this book" in home and "/websocket-reload" in home  # the script that reloads the page
        built = (book / "_build" / "html" / "book" / "index.html").read_text(encoding="utf-8")
        assert "/websocket-reload" not in built and "About this book" in built, "the files stay as built"

        # A new page under About, and About's new title: the navigation is regenerated, then the book rebuilt.
        (pages / "about.md").write_text(ABOUT.format(title="About us"), encoding="utf-8")
        (pages / "later.md").write_text(
            ABOUT.format(title="A later page").replace("key: About\n  parent: Home", "key: Later\n  parent: About"),
            encoding="utf-8",
        )
        home = wait_for(lambda: (page := fetch(base + "book/index.html")) and "About us" in page and page, server, log)
        assert "About this book" not in home
        about = wait_for(lambda: fetch(base + "book/about.html"), server, log)
        assert 'href="later.html"' in about, about
        assert "book/later" in (book / "_toc.yml").read_text(encoding="utf-8")

        # A mistake in the front matter stops the next build with its message; the last good build stays served.
        (pages / "bad.md").write_text(ABOUT.format(title="Bad").replace("parent: Home", "parent: Nope"), "utf-8")
        message = "book/bad.md: the parent 'Nope' is not the key of any page"
        wait_for(lambda: message in log.read_text(encoding="utf-8"), server, log)
        assert "About us" in fetch(base + "book/index.html")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
