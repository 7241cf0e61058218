"""Every page is a page: search and 404 included, each has the same head (viewport, description,
styles) and a "Report a problem" link that names it, which print hides; the 404 page works at any
address, as GitHub Pages serves it (its content, status 404, for every address of no file).

In Chromium, every page a reader sees (the 404 page at an address in a sub-folder) at 1280 x 900
and on a phone (390 x 844): the viewport tag (the footer's licence line: test_licence); on the phone, the
first screen shows the H1 and the start of the page's text; at 1280, no page is taller than
15,000 px. Each page is loaded once per width for all the browser checks (site_fixtures)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from site_check import NOT_FOUND_ADDRESS, PHONE, SCREEN_HEIGHTS, built_pages, reader_pages

VIEWPORT = "width=device-width, initial-scale=1"
# Addresses of no file, at several depths of the site.
MISSING = ["missing.html", "book/missing.html", "notebooks/court_cases_etl/gone/deeper.html", "book/gone/"]
STYLED = """() => [...document.styleSheets].some(s => (s.href || '').endsWith('/_static/moj-book.css')
  && s.cssRules.length > 100)"""
PROBLEM_LINK = "a[href*='/issues/new']"
READER_PAGES = reader_pages()
# The tallest a page may be at 1280 px wide, with its long listings collapsed (theme/moj_book/code.py).
TALLEST = 15_000


def head_problems(html: str) -> list[str]:
    """What a page's head lacks: one viewport tag, one description, a title and the stylesheet."""
    head = BeautifulSoup(html, "html.parser").find("head")
    viewports = [m.get("content") for m in head.find_all("meta", attrs={"name": "viewport"})]
    descriptions = [m.get("content", "").strip() for m in head.find_all("meta", attrs={"name": "description"})]
    styles = [link["href"] for link in head.find_all("link", rel="stylesheet")]
    problems = []
    if viewports != [VIEWPORT]:
        problems.append(f"viewport tags {viewports}, not one of “{VIEWPORT}”")
    if len(descriptions) != 1 or not descriptions[0]:
        problems.append(f"descriptions {descriptions}, not one")
    if head.find("title") is None or not head.find("title").get_text(strip=True):
        problems.append("no title")
    if not any(href.split("?")[0].endswith("_static/moj-book.css") for href in styles):
        problems.append(f"no theme stylesheet among {styles}")
    return problems


def pages_of(built_book) -> dict[str, str]:
    """Every built page that a reader sees (not Jupyter Book's redirect to the root page)."""
    pages = {p: (built_book.html / p).read_text(encoding="utf-8") for p in built_pages(built_book.html)}
    shown = {p: html for p, html in pages.items() if 'http-equiv="refresh"' not in html}
    assert set(pages) - set(shown) == {"index.html"}
    return shown


def test_every_page_has_the_same_head(built_book):
    problems = {page: found for page, html in pages_of(built_book).items() if (found := head_problems(html))}
    assert problems == {}


def test_a_head_without_viewport_or_description_fails():
    assert head_problems('<head><title>T</title><link rel="stylesheet" href="_static/moj-book.css"></head>') == [
        f"viewport tags [], not one of “{VIEWPORT}”",
        "descriptions [], not one",
    ]


def test_report_a_problem_names_every_page(built_book):
    titles = {}
    for page, html in pages_of(built_book).items():
        link = BeautifulSoup(html, "html.parser").select_one(PROBLEM_LINK)
        assert link is not None, f"{page} has no “Report a problem” link"
        titles[page] = parse_qs(urlsplit(link["href"]).query)["title"][0]
    assert titles["search.html"] == "Problem with the page “Search”"
    assert titles["404.html"] == "Problem with the page “Page not found”"
    unnamed = [page for page, title in titles.items() if title.endswith("“”")]
    assert unnamed == []


@pytest.mark.parametrize("path", MISSING)
def test_the_404_page_works_at_any_address(checker, path):
    page, load = checker.visit(path)
    h1 = page.locator("h1").inner_text()
    styled = page.evaluate(STYLED)
    links = page.eval_on_selector_all("a[href]:not([href^='#'])", "links => links.map(a => a.href)")
    local = sorted({link.split("#")[0] for link in links if link.startswith(checker.base_url)})
    broken = [link for link in local if page.request.get(link).status != 200]
    assert load.status == 404 and h1 == "Page not found", (load.status, h1)
    assert load.failed == [] and styled, f"{path}: the stylesheet did not load: failed {load.failed}"
    assert len(local) >= 10, local
    assert broken == [], f"{path}: links of the 404 page that lead nowhere: {broken}"


@pytest.mark.parametrize("path", ["search.html", "404.html", "book/contact.html"])
def test_print_hides_report_a_problem(checker, path):
    page, _ = checker.visit(path)
    link = page.locator(PROBLEM_LINK)
    on_screen = link.is_visible()
    page.emulate_media(media="print")  # the next visit sets it back
    printed = link.is_visible()
    assert on_screen and not printed, f"{path}: on screen {on_screen}, in print {printed}"


HEADERS = """() => [...document.querySelectorAll('article table th')].map(th => {
  const inner = th.querySelector('*') || th;
  return {text: th.textContent.trim(), weight: Number(getComputedStyle(inner).fontWeight),
          own: Number(getComputedStyle(th).fontWeight)};
})"""


@pytest.mark.parametrize("path", ["book/contact.html", "book/join.html", "book/at_scale.html"])
def test_table_headers_are_bold(checker, path):
    page, _ = checker.visit(path)
    headers = page.evaluate(HEADERS)
    assert headers, f"{path} has no table header cells"
    light = [h["text"] for h in headers if min(h["weight"], h["own"]) < 700]
    assert light == [], f"{path}: table headers not in bold: {light}"


@pytest.mark.parametrize("width", [1280, PHONE])
@pytest.mark.parametrize("path", READER_PAGES)
def test_every_page_has_the_viewport_tag_in_the_browser(page_report, path, width):
    viewports = page_report(path, "light", width).facts["viewports"]
    assert viewports == [VIEWPORT], f"{path} at {width} px: viewport tags {viewports}, not one of “{VIEWPORT}”"


@pytest.mark.parametrize("width", [1280, PHONE])
@pytest.mark.parametrize("path", READER_PAGES)
def test_no_page_logs_a_script_error_or_warning(page_report, path, width):
    load = page_report(path, "light", width).load
    # The 404 page's own status is one, which the browser reports as an error loading it.
    own_status = f"error: Failed to load resource: the server responded with a status of 404 (Not Found) @ {load.url}"
    console = [line for line in load.console if not (path == NOT_FOUND_ADDRESS and line == own_status)]
    assert console == [], f"{path} at {width} px: the browser's console says {console}"


@pytest.mark.parametrize("path", READER_PAGES)
def test_on_a_phone_the_first_screen_shows_the_title_and_the_start_of_the_text(page_report, path):
    screen = SCREEN_HEIGHTS[PHONE]
    facts = page_report(path, "light", PHONE).facts
    where = f"{path} at {PHONE} x {screen}"
    assert facts["h1Top"] is not None and facts["h1Top"] < screen, (
        f"{where}: the H1 starts {facts['h1Top']} px down, below the first screen: what comes before it "
        "(the navigation?) must collapse on a phone (theme/moj_book/navigation.py, scss/_book.scss)"
    )
    assert facts["textTop"] is not None and facts["textTop"] < screen, (
        f"{where}: the page's text starts {facts['textTop']} px down ({facts['text']!r}), below the first screen"
    )


@pytest.mark.parametrize("path", READER_PAGES)
def test_no_page_is_taller_than_15000_px_at_1280(page_report, path):
    height = page_report(path, "light", 1280).facts["height"]
    assert 0 < height <= TALLEST, (
        f"{path} is {height:,} px tall at 1280 px wide (at most {TALLEST:,}): collapse its long listings "
        "(theme/moj_book/code.py) or shorten the page"
    )


SMALLEST_CHART_TEXT = 10  # CSS px: issue 21, point 6


@pytest.mark.parametrize("path", READER_PAGES)
def test_no_chart_text_is_under_10_px_on_a_phone(page_report, built_book, path):
    charts = page_report(path, "light", PHONE).facts["charts"]
    if path.startswith("notebooks/"):
        # Every notebook draws charts, and each must say how small its text is (example_output.figures).
        html = (built_book.html / path).read_text(encoding="utf-8")
        assert len(charts) == html.count("<img"), (
            f"{path}: a chart without data-smallest-text-px: show it with example_output.figures.show"
        )
        assert charts, f"{path} shows no chart"
    small = [f"{chart['alt']!r}: {chart['textPx']:.1f} px" for chart in charts if chart["textPx"] < SMALLEST_CHART_TEXT]
    assert not small, (
        f"{path} at {PHONE} px wide: chart text under {SMALLEST_CHART_TEXT} CSS px: {small}. Draw the chart narrower "
        "or its text larger (a 5.2-inch figure with 11-point text passes), or put fewer panels in a row"
    )
