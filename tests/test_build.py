"""The build itself is the first test: it must succeed with no warnings."""

import re


def test_book_builds_with_no_warnings(built_book):
    warnings = [line for line in built_book.log.splitlines() if re.search(r"\bWARNING\b|\bERROR\b", line)]
    assert built_book.returncode == 0, f"the build failed:\n{built_book.log[-5000:]}"
    assert warnings == [], "the build printed warnings:\n" + "\n".join(warnings)


def test_index_opens_on_the_home_page(built_book):
    index = (built_book.html / "index.html").read_text(encoding="utf-8")
    assert 'url=book/index.html"' in index.replace("'", '"') or "book/index.html" in index
    assert built_book.page("book/index").exists()
