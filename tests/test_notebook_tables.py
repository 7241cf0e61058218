"""Notebook tables are real tables: GOV.UK classes, scoped headers, a caption, no inline style.

pandas writes a DataFrame as HTML with a ``<style scoped>`` block (invalid HTML),
``border="1"``, unscoped headers and, for a named index, a second header row; the
theme (theme/moj_book/tables.py) rewrites each one with the caption from its cell's
metadata, and a table without a caption fails the build naming the notebook and cell.
pandas' default index (unnamed, 0 to n - 1) is row numbers, not data: the theme leaves it out.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from moj_book.tables import govuk_table

from conftest import MINI_HOME
from site_check import PHONE, expected_pages


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def rewritten(frame: pd.DataFrame, caption: str = "What the table holds"):
    fragment = soup(frame.to_html())
    table = fragment.find("table")
    govuk_table(table, caption)
    return table


def test_a_named_index_joins_the_column_headers_in_one_row():
    frame = pd.DataFrame({"rows": [10, 2_500], "share": ["1.5%", "98.5%"]}, index=pd.Index(["a", "b"], name="rule"))
    table = rewritten(frame)
    head_rows = table.find("thead").find_all("tr")
    assert len(head_rows) == 1
    assert [th.get_text() for th in head_rows[0].find_all("th")] == ["rule", "rows", "share"]
    assert {th["scope"] for th in head_rows[0].find_all("th")} == {"col"}
    assert [th["scope"] for th in table.select("tbody th")] == ["row", "row"]


def test_numbers_are_marked_numeric_and_text_is_not():
    frame = pd.DataFrame({"court": ["Leeds", "York"], "cases": [1_234, None], "median": [12.5, 3.0]})
    table = rewritten(frame.assign(cases=frame["cases"].astype("Int64")))
    numeric = table.select("thead th.govuk-table__header--numeric")
    assert [th.get_text() for th in numeric] == ["cases", "median"]
    first = table.select("tbody tr")[0].find_all("td")
    assert ["govuk-table__cell--numeric" in td["class"] for td in first] == [False, True, True]


def test_no_inline_style_or_border_and_the_caption_comes_first():
    table = rewritten(pd.DataFrame({"x": [1]}), "One number")
    assert "border" not in table.attrs and table.find(style=True) is None
    assert table["class"] == ["govuk-table", "app-data-table"]
    assert table.contents[0].name == "caption" and table.caption.get_text() == "One number"


def headers_and_index(table) -> tuple[list[str], list[str]]:
    """The column headers, and the row headers (the index) of the body."""
    return [th.get_text() for th in table.select("thead th")], [th.get_text() for th in table.select("tbody th")]


def test_the_default_index_is_left_out():
    frame = pd.DataFrame({"court": ["Leeds", "York", "Hull"], "cases": [3, 4, 5]})
    table = rewritten(frame)
    assert headers_and_index(table) == (["court", "cases"], [])
    # The columns keep their places: "cases" is the numeric one.
    assert [th.get_text() for th in table.select("thead th.govuk-table__header--numeric")] == ["cases"]
    assert [td.get_text() for td in table.select("tbody tr")[0].find_all("td")] == ["Leeds", "3"]


@pytest.mark.parametrize(
    "index",
    [
        pd.RangeIndex(3, name="row"),  # named: the author meant it
        pd.Index([2, 0, 1]),  # row labels of a sample or a sort: they say where each row came from
        pd.Index([0, 1, 0]),  # tables put one under another
        pd.Index([1, 2, 3]),
        pd.Index(["a", "b", "c"]),
        pd.MultiIndex.from_tuples([(0, "x"), (1, "y"), (2, "z")]),
    ],
    ids=["named", "shuffled", "repeated", "from-1", "labels", "multi"],
)
def test_any_other_index_is_kept(index):
    frame = pd.DataFrame({"cases": [3, 4, 5]}, index=index)
    _, row_headers = headers_and_index(rewritten(frame))
    assert len(row_headers) >= 3, row_headers


def test_the_default_index_is_left_out_under_grouped_columns_too():
    frame = pd.DataFrame([[1, 2], [3, 4]], columns=pd.MultiIndex.from_tuples([("cases", "open"), ("cases", "closed")]))
    table = rewritten(frame)
    assert headers_and_index(table) == (["cases", "open", "closed"], [])


NOTEBOOKS = [p for p in expected_pages() if p.startswith("notebooks/")]


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_no_table_of_a_built_notebook_shows_the_default_index(built_book, path):
    page = soup(built_book.page(path.removesuffix(".html")).read_text(encoding="utf-8"))
    numbered = []
    for table in page.find("main").find_all("table"):
        rows = table.select("tbody > tr")
        firsts = [row.find(["th", "td"]) for row in rows]
        corner = table.select_one("thead tr > th")
        unnamed = corner is not None and not corner.get_text(strip=True)
        if rows and unnamed and [c.get_text(strip=True) for c in firsts] == [str(n) for n in range(len(rows))]:
            numbered.append(table.caption.get_text(" ", strip=True))
    assert numbered == [], f"{path}: tables that show pandas' row numbers 0 to n - 1: {numbered}"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_every_table_of_a_built_notebook_is_a_named_govuk_table(built_book, path):
    page = soup(built_book.page(path.removesuffix(".html")).read_text(encoding="utf-8"))
    article = page.find("main")
    tables = article.find_all("table")
    assert tables, f"{path}: no tables found"
    assert article.find("style") is None, f"{path}: an inline <style> is left in the page"
    for table in tables:
        caption = " ".join(table.caption.get_text().split()) if table.caption else ""
        assert caption, f"{path}: a table without a caption:\n{str(table)[:300]}"
        assert "border" not in table.attrs, f"{path}: {caption}: border attribute"
        assert all(th.get("scope") in {"col", "colgroup", "row"} for th in table.find_all("th")), caption
        assert table.parent.get("aria-label") == caption, f"{path}: the scroll box is not named after {caption!r}"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_on_a_phone_every_caption_wraps_within_its_table_box(page_report, path):
    captions = page_report(path, "light", PHONE).facts["captions"]
    assert captions, f"{path}: no table captions found"
    outside = [
        c["text"] for c in captions if c["clipped"] or c["left"] < c["boxLeft"] - 1 or c["right"] > c["boxRight"] + 1
    ]
    assert outside == [], f"{path} at {PHONE} px: captions wider than their table's box, so clipped: {outside}"


def notebook(cell_metadata: dict, html: str) -> str:
    """A notebook of one code cell whose output (a DataFrame's HTML) is already there: no kernel runs."""
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {
                "title": "Tables",
                "description": "A notebook with a table.",
                "last_reviewed_on": "2026-12-01",
                "review_in": "1 year",
                "eleventyNavigation": {"key": "Tables", "parent": "Home"},
                "mystnb": {"execution_mode": "off"},
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            },
            "cells": [
                {
                    "cell_type": "code",
                    "id": "a1",
                    "metadata": cell_metadata,
                    "execution_count": 1,
                    "source": "frame",
                    "outputs": [
                        {
                            "output_type": "execute_result",
                            "execution_count": 1,
                            "metadata": {},
                            "data": {"text/html": html, "text/plain": "frame"},
                        }
                    ],
                }
            ],
        }
    )


HOME = MINI_HOME.format(reviewed="2026-12-01", review_in="1 year")


def test_a_table_without_a_caption_fails_the_build_naming_the_notebook_and_cell(mini_book):
    html = pd.DataFrame({"cases": [1, 2]}).to_html()
    build = mini_book({"book/index.md": HOME, "notebooks/tables.ipynb": notebook({}, html)})
    assert build.returncode != 0, build.log
    assert (
        "notebooks/tables.ipynb, cell 1 ('frame'): the cell shows 1 table and its metadata has 0 captions" in build.log
    )

    build = mini_book({"book/index.md": HOME, "notebooks/tables.ipynb": notebook({"caption": "Cases"}, html)})
    assert build.returncode == 0, build.log
    page = soup((build.html / "notebooks" / "tables.html").read_text(encoding="utf-8"))
    table = page.find("table")
    assert table.caption.get_text() == "Cases" and "govuk-table" in table["class"]
    # A notebook outside an example's package cannot be packed to run alone: its page offers the notebook.
    assert page.select_one(".app-download a[download]")["href"].endswith("_sources/notebooks/tables.ipynb")
