"""The About page's role descriptions link to the example notebooks, and so does the
Example notebooks page."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

# Each role's description is followed by a paragraph linking to its notebooks.
NOTEBOOKS = {
    "Data engineers": (
        "notebooks/court_cases_etl/court_cases_etl",
        "notebooks/people_linkage/people_linkage",
        "notebooks/people_linkage/people_linkage_accuracy",
    ),
    "Analytics engineers": ("notebooks/court_timeliness_dbt/court_timeliness_dbt",),
}


def links_to(paragraph, docname: str) -> bool:
    return any(re.search(rf"(^|/){re.escape(docname)}\.html(#.*)?$", a["href"]) for a in paragraph.select("a[href]"))


@pytest.mark.parametrize("role", NOTEBOOKS)
def test_each_role_description_is_followed_by_links_to_its_notebooks(built_book, role):
    article = BeautifulSoup(built_book.page("book/about").read_text(encoding="utf-8"), "html.parser").find("article")
    description = next(p for p in article.find_all("p") if p.find("em", string=role))
    following = description.find_next_sibling("p")
    assert following is not None, f"no paragraph follows the description of {role.lower()}"
    for docname in NOTEBOOKS[role]:
        assert links_to(following, docname.split("/", 1)[1]), (
            f"the paragraph after the description of {role.lower()} does not link to {docname}"
        )
        assert built_book.page(docname).exists()


def test_the_example_notebooks_page_links_to_every_notebook(built_book):
    article = BeautifulSoup(built_book.page("book/examples").read_text(encoding="utf-8"), "html.parser").find("article")
    for docname in (d for docnames in NOTEBOOKS.values() for d in docnames):
        assert any(links_to(li, docname.split("/", 1)[1]) for li in article.find_all("li")), docname
