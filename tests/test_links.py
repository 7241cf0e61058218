"""Every internal link and anchor of the built book leads somewhere (offline; other sites are
checked by the scheduled workflow, never here)."""

from __future__ import annotations

import shutil

from check_links import broken_links, pages
from site_check import site_root


def test_every_internal_link_and_anchor_of_the_book_works(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    assert len(pages(built_book.html)) >= 10
    assert broken_links(built_book.html, site_root()) == []


def test_a_broken_link_or_anchor_fails_naming_the_page_and_the_link(built_book, tmp_path):
    site = tmp_path / "html"
    shutil.copytree(built_book.html, site, ignore=shutil.ignore_patterns("_images", "_sources"))
    page = site / "book" / "planted.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Planted</title></head><body>'
        '<a href="about.html#our-beginnings">fine</a> <a href="about.html#no-such-heading">anchor</a> '
        '<a href="gone.html">page</a> <a href="#here">self</a> <a href="https://example.org/x">other site</a> '
        '<a href="/site/book/about.html">from the root</a> <a href="/site/book/gone.html">gone from the root</a> '
        '<a href="/elsewhere/book/about.html">outside the root</a>'
        "</body></html>",
        encoding="utf-8",
    )
    problems = broken_links(site, "/site/")
    planted = [p for p in problems if p.startswith("book/planted.html")]
    assert planted == [
        "book/planted.html: about.html#no-such-heading: book/about.html has no element with id “no-such-heading”",
        "book/planted.html: gone.html: there is no book/gone.html",
        "book/planted.html: #here: book/planted.html has no element with id “here”",
        "book/planted.html: /site/book/gone.html: there is no book/gone.html",
        "book/planted.html: /elsewhere/book/about.html is not under the site's root /site/",
    ], problems
