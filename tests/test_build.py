"""The build itself is the first test: it must succeed with no warnings, offline."""

import re

import pytest


def test_book_builds_with_no_warnings(built_book):
    warnings = [line for line in built_book.log.splitlines() if re.search(r"\bWARNING\b|\bERROR\b", line)]
    assert built_book.returncode == 0, f"the build failed:\n{built_book.log[-5000:]}"
    assert "build succeeded" in built_book.log, "the build log does not say the build succeeded:\n" + built_book.log
    assert warnings == [], "the build printed warnings:\n" + "\n".join(warnings)


def test_the_book_builds_with_networking_off(built_book):
    """The build (and every notebook it runs) ran in a network namespace with only loopback."""
    if not built_book.offline:
        pytest.skip(f"the build ran with networking on: {built_book.offline_reason}")
    assert built_book.returncode == 0, built_book.log[-3000:]


def test_index_opens_on_the_home_page(built_book):
    index = (built_book.html / "index.html").read_text(encoding="utf-8")
    assert 'url=book/index.html"' in index.replace("'", '"') or "book/index.html" in index
    assert built_book.page("book/index").exists()
