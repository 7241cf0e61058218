"""Code that fits: on a 1280 px screen a notebook's code line of up to 88 characters (the line
length ruff keeps the notebooks to) shows whole, without scrolling sideways. Measured in Chromium."""

from __future__ import annotations

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


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_a_code_line_of_88_characters_shows_whole_at_1280_px(checker, path):
    page, _ = checker.open(path, "light", 1280)
    try:
        blocks = page.evaluate(FITS, LINE)
    finally:
        page.close()
    assert blocks, f"{path}: no code cells found"
    narrow = [b for b in blocks if b["needed"] > b["room"]]
    assert narrow == [], (
        f"{path}: {LINE} characters need {narrow[0]['needed']:.0f} px, the code box has {narrow[0]['room']:.0f}"
    )
    scrolling = [b["longest"] for b in blocks if b["scrolls"]]
    assert scrolling == [], f"{path}: code cells with lines of {scrolling} characters scroll sideways at 1280 px"
