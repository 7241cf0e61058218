"""Every built page is valid HTML to the Nu HTML Checker (vnu, the W3C validator): the root
redirect and the 404 page included. One run of vnu checks them all, and a planted invalid page."""

from __future__ import annotations

import pytest

from validate_html import pages, validate

INVALID = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"></head>
<body>
<p id="twice">One</p>
<p id="twice">Two</p>
<p>Text <div>in a div</div></p>
</body>
</html>
"""


@pytest.fixture(scope="module")
def vnu_report(built_book, tmp_path_factory):
    assert built_book.returncode == 0, built_book.log[-3000:]
    planted = tmp_path_factory.mktemp("invalid") / "planted.html"
    planted.write_text(INVALID, encoding="utf-8")
    files = pages(built_book.html)
    return files, planted, validate([*files, planted])


def test_the_redirect_the_404_page_and_every_page_of_the_book_are_checked(built_book, vnu_report):
    files = {p.relative_to(built_book.html).as_posix() for p in vnu_report[0]}
    assert {"index.html", "404.html", "search.html", "book/index.html"} <= files, files
    assert len(files) >= 12


def test_every_built_page_is_valid_html(built_book, vnu_report):
    files, planted, errors = vnu_report
    ours = [e for e in errors if e.page != planted]
    assert ours == [], "the Nu HTML Checker finds errors:\n" + "\n".join(
        f"{e.page.relative_to(built_book.html)}:{e.line}: {e.message}" for e in ours
    )


def test_an_invalid_page_fails_naming_the_page_line_and_message(vnu_report):
    _, planted, errors = vnu_report
    found = {(e.line, e.message) for e in errors if e.page == planted}
    messages = " | ".join(m for _, m in found)
    assert any(line == 3 and "missing a required instance of child element “title”" in m for line, m in found), found
    assert any(line == 6 and "Duplicate ID “twice”" in m for line, m in found), messages
    assert any(line == 7 and "No “p” element in scope" in m for line, m in found), messages
