"""Code that fits: on a 1280 px screen a notebook's code line of up to 88 characters (the line
length ruff keeps the notebooks to) shows whole, without scrolling sideways. A long listing,
collapsed (theme/moj_book/code.py), opens from the keyboard and shows its lines as its summary
counts them; opened, it fits too. Measured in Chromium."""

from __future__ import annotations

import re

import pytest

from site_check import expected_pages

NOTEBOOK_PAGES = [p for p in expected_pages() if p.startswith("notebooks/")]
LINE = 88
FITS = """chars => {
  const boxes = [...document.querySelectorAll('.cell_input pre')];
  return boxes.map(pre => {
    const s = getComputedStyle(pre);
    const probe = document.createElement('span');
    probe.textContent = '0'.repeat(chars);
    pre.appendChild(probe);
    const needed = probe.getBoundingClientRect().width;
    probe.remove();
    const room = pre.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    const longest = Math.max(...pre.innerText.split('\\n').map(line => line.length));
    return {room, needed, longest, scrolls: pre.scrollWidth > pre.clientWidth};
  });
}"""


# Each collapsed listing: the number of lines its summary says, and the lines it shows.
LISTINGS = """() => [...document.querySelectorAll('details.app-listing')].map(details => {
  const pre = details.querySelector('pre');
  return {summary: details.querySelector('summary').textContent.trim(), open: details.open,
          shown: pre.checkVisibility() && pre.clientHeight > 0,
          lines: pre.innerText.replace(/\\n$/, '').split('\\n').length};
})"""
SAYS = re.compile(r"^Show the (\d+) lines of \S")


def open_listings_by_keyboard(page) -> list[dict]:
    """Open every collapsed listing as a keyboard user would (focus its summary, press Enter)."""
    summaries = page.locator("details.app-listing > summary")
    for index in range(summaries.count()):
        summaries.nth(index).focus()
        page.keyboard.press("Enter")
    return page.evaluate(LISTINGS)


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_a_code_line_of_88_characters_shows_whole_at_1280_px(checker, path):
    page, _ = checker.visit(path, "light", 1280)
    closed = page.evaluate(LISTINGS)
    listings = open_listings_by_keyboard(page)
    blocks = page.evaluate(FITS, LINE)
    assert all(not listing["open"] and not listing["shown"] for listing in closed), closed
    wrong = [
        listing
        for listing in listings
        if not (listing["open"] and listing["shown"])
        or not (m := SAYS.match(listing["summary"]))
        or int(m.group(1)) != listing["lines"]
    ]
    assert wrong == [], f"{path}: collapsed listings that do not open by keyboard, or show other than they say: {wrong}"
    assert blocks, f"{path}: no code cells found"
    narrow = [b for b in blocks if b["needed"] > b["room"]]
    assert narrow == [], (
        f"{path}: {LINE} characters need {narrow[0]['needed']:.0f} px, the code box has {narrow[0]['room']:.0f}"
    )
    scrolling = [b["longest"] for b in blocks if b["scrolls"]]
    assert scrolling == [], f"{path}: code cells with lines of {scrolling} characters scroll sideways at 1280 px"
