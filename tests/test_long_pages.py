"""Long pages a reader can move through: a listing longer than code.LONG_LISTING lines is collapsed
behind a GOV.UK details control that says what it holds (theme/moj_book/code.py), and a page
that lists its sections ends with a "Back to top" link. Each page's height at 1280 px is checked
in Chromium (test_every_page.py); that a listing opens, and shows what it says, too
(test_code_width.py)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from moj_book import code, tables
from moj_book.html import Page

from test_every_page import pages_of

SAYS = re.compile(r"^Show the (\d+) lines of (.+)$")


def lines(count: int, text: str = "SELECT 1;") -> str:
    return "\n".join([text] * count) + "\n"


def block(language: str, count: int, extra_class: str = "") -> str:
    return (
        f'<div class="highlight-{language} notranslate{extra_class}"><div class="highlight">'
        f"<pre>{lines(count)}</pre></div></div>"
    )


def after_theme(body: str) -> BeautifulSoup:
    page = Page(app=None, name="page", context={"body": body}, doctree=None)
    code.page(page)
    return page.body


def summaries(body: str) -> list[str]:
    return [s.get_text(strip=True) for s in after_theme(body).select("details.govuk-details > summary")]


def test_a_listing_longer_than_the_limit_is_collapsed_and_no_shorter_one():
    limit = code.LONG_LISTING
    assert summaries(block("sql", limit)) == []
    body = after_theme(block("sql", limit + 1))
    details = body.find("details")
    assert details is not None and "govuk-details" in details["class"]
    assert details.find("summary").get_text(strip=True) == f"Show the {limit + 1} lines of SQL code"
    # The listing is inside, as it was, still marked for its copy button.
    assert details.find("pre").get_text() == lines(limit + 1)
    assert details.select_one("div.govuk-details__text > div[data-app-copy]") is not None


def cell(tag: str, code_lines: int, output_lines: int) -> str:
    """A notebook's code cell as myst-nb writes it, with its tag, code and output."""
    return (
        f'<div class="cell tag_{tag} docutils container"><div class="cell_input docutils container">'
        f'{block("ipython3", code_lines)}</div><div class="cell_output docutils container">'
        f"{block('myst-ansi', output_lines, ' output stream')}</div></div>"
    )


def test_a_cells_tag_collapses_its_code_or_its_output_whatever_its_length():
    assert summaries(cell("collapse-input", 3, 2)) == ["Show the 3 lines of Python code"]
    assert summaries(cell("collapse-output", 3, 2)) == ["Show the 2 lines of output"]
    assert summaries(cell("parameters", 3, 2)) == []
    # A long output in a cell whose code is collapsed is collapsed too, once each.
    assert summaries(cell("collapse-input", 3, code.LONG_LISTING + 1)) == [
        "Show the 3 lines of Python code",
        f"Show the {code.LONG_LISTING + 1} lines of output",
    ]


def test_the_summary_names_the_file_above_the_listing_or_its_caption_or_its_language():
    file_above = "<p><code>sql/validate.sql</code></p>" + block("sql", 252)
    assert summaries(file_above) == ["Show the 252 lines of validate.sql"]
    caption = (
        '<div class="literal-block-wrapper docutils container"><div class="code-block-caption">'
        '<span class="caption-text">dbt_project.yml</span></div>' + block("yaml", 40) + "</div>"
    )
    assert summaries(caption) == ["Show the 40 lines of dbt_project.yml"]
    # A paragraph that is more than a file's name names nothing.
    prose = "<p>The query in <code>sql/validate.sql</code> follows.</p>" + block("ipython3", 35)
    assert summaries(prose) == ["Show the 35 lines of Python code"]
    assert summaries(block("myst-ansi", 40, " output stream")) == ["Show the 40 lines of output"]


def test_every_long_listing_in_the_book_is_collapsed_and_says_how_long_it_is(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    wrong, collapsed = [], 0
    for path, html in pages_of(built_book).items():
        for pre in BeautifulSoup(html, "html.parser").select("main pre"):
            count = len(pre.get_text().rstrip("\n").split("\n"))
            details = pre.find_parent("details", class_="app-listing")
            says = SAYS.match(details.summary.get_text(strip=True)) if details else None
            if count > code.LONG_LISTING:
                collapsed += 1
                if says is None or int(says.group(1)) != count:
                    wrong.append(
                        f"{path}: a listing of {count} lines, {'summary ' + repr(says) if details else 'open'}"
                    )
            elif details is not None and not code.tagged_to_collapse(pre):
                wrong.append(f"{path}: a listing of {count} lines is collapsed")
    assert collapsed > 0, "no long listing in the book: the check is broken"
    assert wrong == []


def test_a_page_that_lists_its_sections_ends_with_back_to_top(built_book):
    with_contents = 0
    for path, html in pages_of(built_book).items():
        page = BeautifulSoup(html, "html.parser")
        link = page.select_one("main a.app-back-to-top__link")
        if page.select_one("nav.app-contents"):
            with_contents += 1
            assert link is not None, f"{path} lists its sections and has no “Back to top” link"
            assert link.get_text(strip=True) == "Back to top" and link["href"] == "#main-content", str(link)
            assert page.find(id="main-content").name == "main"
        else:
            assert link is None, f"{path} is short (no list of sections) and has a “Back to top” link"
    assert with_contents > 0, "no page lists its sections: the check is broken"


def test_a_table_longer_than_the_limit_is_collapsed_and_says_what_it_holds():
    rows = "".join(f"<tr><td>{n}</td></tr>" for n in range(tables.LONG_TABLE + 1))
    html = f"<table><caption>Reconciliation of every file</caption><tbody>{rows}</tbody></table>"
    page = Page(app=None, name="page", context={"body": html + html.replace("<tr><td>0</td></tr>", "")}, doctree=None)
    tables.page(page)
    collapsed = page.body.select("details.app-long-table")
    assert len(collapsed) == 1, "only the table of more than LONG_TABLE rows is collapsed"
    summary = collapsed[0].summary.get_text(strip=True)
    assert summary == f"Show the {tables.LONG_TABLE + 1} rows of: reconciliation of every file"
    assert collapsed[0].select_one("div.govuk-details__text > div.app-scroll > table > caption") is not None


def test_every_long_table_in_the_book_is_collapsed(built_book):
    wrong, collapsed = [], 0
    for path, html in pages_of(built_book).items():
        for table in BeautifulSoup(html, "html.parser").select("main table"):
            rows = len(table.select("tbody > tr"))
            inside = table.find_parent("details", class_="app-long-table") is not None
            collapsed += inside
            if inside != (rows > tables.LONG_TABLE):
                wrong.append(f"{path}: a table of {rows} rows is {'collapsed' if inside else 'open'}")
    assert collapsed > 0, "no long table in the book: the check is broken"
    assert wrong == []


def test_spaces_in_listings_carry_no_highlighting_span():
    html = '<div class="highlight-sql notranslate"><div class="highlight"><pre><span class="k">SELECT</span><span class="w"> </span><span class="mi">1</span></pre></div></div>'
    pre = after_theme(html).find("pre")
    assert pre.select("span.w") == [] and pre.get_text() == "SELECT 1"
