"""Accessibility of every built page, in Chromium: axe-core (WCAG 2.2 AA), reflow,
keyboard and focus, headings and images. See tools/site_check.py for the browser."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from site_check import (
    AXE_TAGS,
    NOT_FOUND_ADDRESS,
    PHONE,
    SCHEMES,
    WIDTHS,
    browser_pages,
    built_pages,
    describe,
    expected_pages,
)
from site_fixtures import focus_visible

# Every page, as the browser loads it: the 404 page at an address of no page in a sub-folder.
PAGES = browser_pages()
FILE_NAME = re.compile(r"^[\w.-]+\.(png|jpe?g|gif|svg|webp)$|^(image|img|png|figure|plot)\s*\d*$", re.I)


def test_every_built_page_is_checked(built_book):
    """The tests below are parametrised from _toc.yml: the build must hold no other page."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    built, expected = set(built_pages(built_book.html)), set(expected_pages())
    assert built == expected, (
        f"pages built but not checked: {sorted(built - expected)}; checked but not built: {sorted(expected - built)}"
    )
    assert NOT_FOUND_ADDRESS in PAGES and "404.html" not in PAGES, PAGES


def test_axe_core_is_pinned_at_4_14_or_later(checker, served_book):
    page, _ = checker.visit("404.html")
    version = checker.axe_version(page)
    major, minor = (int(part) for part in version.split(".")[:2])
    assert (major, minor) >= (4, 14), f"axe-core {version} is older than 4.14: update package.json and npm ci"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violations(page_report, path, scheme, width):
    report = page_report(path, scheme, width)
    expected = 404 if path == NOT_FOUND_ADDRESS else 200
    assert report.load.status == expected, f"{path}: HTTP {report.load.status}, not {expected}"
    assert report.violations == [], (
        f"{path} ({scheme}, {width} px), axe-core tags {AXE_TAGS}:\n{describe(report.violations)}"
    )


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scrolling_at_320_px(page_report, path):
    facts = page_report(path, "light", 320).facts
    assert facts["scrollWidth"] <= facts["clientWidth"], (
        f"{path} is {facts['scrollWidth']} px wide in a {facts['clientWidth']} px window: something does not reflow"
    )


@pytest.mark.parametrize("path", PAGES)
def test_one_h1(page_report, path):
    h1s = page_report(path).facts["h1s"]
    assert len(h1s) == 1, f"{path} has {len(h1s)} <h1> elements: {h1s}"


@pytest.mark.parametrize("path", PAGES)
def test_every_image_has_alt_text_that_says_what_it_shows(page_report, path):
    bad = []
    for image in page_report(path).facts["images"]:
        alt = (image["alt"] or "").strip()
        name = image["src"].rsplit("/", 1)[-1]
        if not alt or FILE_NAME.match(alt) or alt == name or alt.lower() == name.rsplit(".", 1)[0].lower():
            bad.append(f"{image['src']} (alt={image['alt']!r})")
    assert bad == [], (
        f"{path}: images without alt text that says what they show: {bad}. In a notebook, put it in the "
        'cell metadata: "mystnb": {"image": {"alt": "..."}}'
    )


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith(("book/", "notebooks/")) and p != NOT_FOUND_ADDRESS])
def test_navigation_marks_the_current_page(page_report, path):
    current = page_report(path).facts["current"]
    assert len(current) == 1, f"{path}: links marked aria-current=page in the navigation: {current}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_tab_reaches_every_interactive_element_with_a_visible_focus(page_report, path, width):
    tab = page_report(path, "light", width).tab
    reached = {element["index"] for element in tab["reached"]}
    missing = [html for index, html in enumerate(tab["html"]) if index not in reached]
    invisible = [e["html"] for e in tab["reached"] if not focus_visible(tab["before"][e["index"]], e["style"])]
    assert tab["before"], f"{path}: no interactive elements found; the check is broken"
    assert missing == [], f"{path} at {width} px: Tab never reaches {missing}"
    assert invisible == [], f"{path} at {width} px: no visible change on focus: {invisible}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_boxes_that_scroll_sideways_are_focusable_and_named(page_report, path, width):
    bad = [
        s
        for s in page_report(path, "light", width).facts["scrollers"]
        if s["tabindex"] != "0" or not s["label"] or s["role"] != "region"
    ]
    assert bad == [], f"{path} at {width} px: scrolling boxes a keyboard cannot reach or that have no name: {bad}"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


NOTEBOOK_PAGES = [p for p in PAGES if p.startswith("notebooks/")]


@pytest.mark.skipif(not NOTEBOOK_PAGES, reason="no notebook in _toc.yml yet")
@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_notebook_page_offers_its_example_and_copy_buttons(checker, path):
    context = checker.context("light", 1280)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin(checker.base_url))
    page, _ = checker.visit(path)
    link = page.get_by_role("link", name=re.compile(r"^Download this example"))
    href = link.get_attribute("href")
    assert href.endswith(".zip") and link.get_attribute("download") is not None, href
    archive = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
    assert archive.status == 200 and archive.body()[:4] == b"PK\x03\x04", f"{href} is not a zip archive"
    # Long listings and exercises' solutions are collapsed (theme/moj_book/code.py, exercises.py): open
    # them, and every block has its button.
    page.eval_on_selector_all(
        "details.app-listing, details.app-disclosure", "all => all.forEach(details => { details.open = true; })"
    )
    code_blocks = page.locator("[data-app-copy] pre").count()
    buttons = page.get_by_role("button", name=re.compile(r"^Copy code"))
    assert code_blocks > 0 and buttons.count() == code_blocks, (code_blocks, buttons.count())
    first_code = page.locator("[data-app-copy] pre").first.inner_text().rstrip("\n")
    buttons.first.click()
    page.get_by_role("status").filter(has_text="Code copied").first.wait_for(timeout=5_000)
    assert page.evaluate("navigator.clipboard.readText()") == first_code


# Each collapsible navigation list: its button's state, and whether the list it controls shows.
TOGGLES = """() => [...document.querySelectorAll('.app-toggle')].map(button => {
  const list = document.getElementById(button.getAttribute('aria-controls'));
  return {label: button.textContent.trim(), expanded: button.getAttribute('aria-expanded'),
          button: button.checkVisibility(), list: !!list && list.checkVisibility()};
})"""


def test_on_a_phone_the_navigation_opens_from_the_keyboard_and_shows_without_javascript(checker):
    """On a phone the book's navigation and the page's contents collapse behind buttons (GOV.UK
    Frontend's way: aria-expanded, aria-controls); Enter opens each. Without JavaScript, and at
    desktop width, there is no button and the lists show."""
    path = "book/about.html"
    page, _ = checker.visit(path, "light", PHONE)
    closed = page.evaluate(TOGGLES)
    for index in range(len(closed)):
        page.locator(".app-toggle").nth(index).focus()
        page.keyboard.press("Enter")
    opened = page.evaluate(TOGGLES)
    assert [t["label"] for t in closed] == ["Contents", "On this page"], closed
    assert all(t["button"] and t["expanded"] == "false" and not t["list"] for t in closed), closed
    assert all(t["button"] and t["expanded"] == "true" and t["list"] for t in opened), opened
    desktop, _ = checker.visit(path, "light", 1280)
    wide = desktop.evaluate(TOGGLES)
    assert all(not t["button"] and t["list"] for t in wide), wide
    context = checker.browser.new_context(viewport={"width": PHONE, "height": 844}, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(checker.base_url + path)
        without_script = plain.evaluate(TOGGLES)
    finally:
        context.close()
    assert all(not t["button"] and t["list"] for t in without_script), without_script
