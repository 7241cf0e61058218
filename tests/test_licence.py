"""The licences: the code under MIT (LICENSE), the content under the Open Government Licence,
and every page's footer says both, as GOV.UK's footer does: in its HTML, and on screen in
Chromium at 1280 px and on a phone."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from site_check import PHONE, reader_pages
from test_every_page import pages_of

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OGL_LINE = "All content is available under the Open Government Licence v3.0, except where otherwise stated."
CODE_LINE = "The code is available under the MIT licence."
LICENSE_URL = "https://github.com/ministryofjustice/data-and-analytics-engineering/blob/main/LICENSE"


def text(node) -> str:
    return re.sub(r"\s+([.,])", r"\1", re.sub(r"\s+", " ", node.get_text(" ")).strip())


def footer_problems(html: str) -> list[str]:
    """What a page's footer lacks of the licence line."""
    footer = BeautifulSoup(html, "html.parser").find("footer")
    if footer is None:
        return ["no footer"]
    problems = []
    said = text(footer)
    for line in (OGL_LINE, CODE_LINE):
        if line not in said:
            problems.append(f"the footer does not say “{line}”")
    links = {text(a): a.get("href") for a in footer.find_all("a")}
    if links.get("Open Government Licence v3.0") != OGL:
        problems.append(f"no link to the Open Government Licence ({OGL})")
    if links.get("MIT licence") != LICENSE_URL:
        problems.append(f"no link to the code's licence ({LICENSE_URL})")
    return problems


def test_the_code_is_under_the_mit_licence_crown_copyright():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n")
    assert re.search(r"^Copyright \(c\) \d{4} Crown Copyright \(Ministry of Justice\)$", licence, re.M)
    assert "Permission is hereby granted, free of charge" in licence


def test_every_page_footer_states_both_licences(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    pages = pages_of(built_book)  # every page a reader sees
    assert {"search.html", "404.html", "book/contact.html"} <= set(pages)
    problems = {page: found for page, html in pages.items() if (found := footer_problems(html))}
    assert problems == {}


def test_a_footer_without_the_licence_line_fails():
    assert len(footer_problems("<footer><p>© Crown copyright</p></footer>")) == 4
    assert footer_problems("<p>No footer</p>") == ["no footer"]
    assert footer_problems(f"<footer>{OGL_LINE} {CODE_LINE}</footer>") == [
        f"no link to the Open Government Licence ({OGL})",
        f"no link to the code's licence ({LICENSE_URL})",
    ]


@pytest.mark.parametrize("width", [1280, PHONE])
@pytest.mark.parametrize("path", reader_pages())
def test_every_page_shows_the_licence_line(page_report, path, width):
    shown = page_report(path, "light", width).facts["licence"]
    missing = [line for line in (OGL_LINE, CODE_LINE) if line not in shown]
    assert missing == [], f"{path} at {width} px: the footer does not show {missing}; it shows {shown!r}"
