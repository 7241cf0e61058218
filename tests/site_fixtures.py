"""Fixtures for the browser tests: the built book served on 127.0.0.1, one Chromium.

tests/conftest.py loads them as a plugin (`pytest_plugins`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from site_check import COLOUR_RULES, SCHEMES, WIDTHS, Checker, Load, chromium_path, serve, site_root

# What the page itself says about its structure, measured in the browser. Its text starts at the
# first paragraph (or form) after the H1 that is not navigation or the notebook's download link.
PAGE_FACTS = """() => {
  const doc = document.documentElement;
  const imgs = [...document.querySelectorAll('img')].map(img => ({
    src: img.getAttribute('src') || '', alt: img.getAttribute('alt')}));
  const top = el => el ? Math.round(el.getBoundingClientRect().top + window.scrollY) : null;
  const h1 = document.querySelector('main h1');
  const text = h1 && [...document.querySelectorAll('main p, main form')].find(el =>
    (h1.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) && el.getClientRects().length
    && !el.closest('nav, .app-download'));
  const licence = document.querySelector('footer .govuk-footer__licence-description');
  return {
    viewports: [...document.querySelectorAll('meta[name="viewport"]')].map(m => m.getAttribute('content')),
    height: doc.scrollHeight,
    h1Top: top(h1),
    textTop: top(text),
    text: text ? text.textContent.trim().replace(/\\s+/g, ' ').slice(0, 80) : null,
    licence: licence && licence.getClientRects().length ? licence.innerText.replace(/\\s+/g, ' ').trim() : '',
    // Each table's caption beside the box the table scrolls in: a caption must fit its box.
    captions: [...document.querySelectorAll('caption')].map(caption => {
      const box = (caption.closest('[role="region"]') || caption.parentElement).getBoundingClientRect();
      const own = caption.getBoundingClientRect();
      return {text: caption.textContent.trim().slice(0, 60), left: own.left, right: own.right,
              boxLeft: box.left, boxRight: box.right, clipped: caption.scrollWidth > caption.clientWidth};
    }),
    // Each chart that records its smallest text (data-smallest-text-px, in the image's pixels):
    // that text's height as shown, scaled by the width the image is drawn at.
    charts: [...document.querySelectorAll('img[data-smallest-text-px]')].map(img => ({
      src: img.getAttribute('src'), alt: (img.getAttribute('alt') || '').slice(0, 60),
      textPx: parseFloat(img.dataset.smallestTextPx) * img.getBoundingClientRect().width
              / Number(img.getAttribute('width'))})),
    scrollWidth: doc.scrollWidth,
    clientWidth: doc.clientWidth,
    h1s: [...document.querySelectorAll('h1')].map(h => h.textContent.trim()),
    images: imgs,
    current: [...document.querySelectorAll('nav a[aria-current="page"]')].map(a => a.textContent.trim()),
    // Boxes that scroll sideways: each must be reachable by keyboard and named.
    scrollers: [...document.querySelectorAll('body *')].filter(el => {
      const s = getComputedStyle(el);
      return ['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth;
    }).map(el => ({tag: el.tagName, tabindex: el.getAttribute('tabindex'), label: el.getAttribute('aria-label'),
                   role: el.getAttribute('role')})),
  };
}"""


# Every element a keyboard user should reach with Tab.
FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), "
    "textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])"
)
# How an element looks: compared before and while it has the focus.
FOCUS_STYLE = """el => {
  const s = getComputedStyle(el);
  return {outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, outlineWidth: parseFloat(s.outlineWidth),
          outlineStyle: s.outlineStyle, outlineColor: s.outlineColor, boxShadow: s.boxShadow,
          background: s.backgroundColor, color: s.color, textDecoration: s.textDecorationLine,
          opacity: s.opacity};
}"""
# Number the visible elements Tab should reach; return how each looks without the focus.
MARK_FOCUSABLE = f"""selector => {{
  const style = {FOCUS_STYLE};
  const els = [...document.querySelectorAll(selector)].filter(el => {{
    const s = getComputedStyle(el);
    // checkVisibility: not in a closed <details> either (its content keeps its boxes in Chromium).
    return el.getClientRects().length && el.checkVisibility() && s.visibility !== 'hidden' && !el.closest('[inert]');
  }});
  return els.map((el, i) => {{ el.setAttribute('data-tab-check', i); return style(el); }});
}}"""
# After a press of Tab: which numbered element has the focus, and how it looks now.
FOCUSED = f"""() => {{
  const el = document.activeElement;
  const index = el && el.getAttribute('data-tab-check');
  return index === null || index === undefined ? null
    : {{index: Number(index), style: ({FOCUS_STYLE})(el), html: el.outerHTML.slice(0, 160)}};
}}"""
# Record FOCUSED each time the focus moves, in the page (window.tabWalkLog), so that the walk reads
# them in one call after its presses of Tab instead of asking after each (half the browser's calls).
LOG_FOCUS = f"""() => {{
  window.tabWalkLog = [];
  document.addEventListener('focusin', () => window.tabWalkLog.push(({FOCUSED})()), true);
}}"""


@dataclass
class Report:
    load: Load
    violations: list[dict] | None  # None where axe-core did not run (the phone: facts only)
    facts: dict
    # The Tab walk (light scheme only): the elements expected, how each looked before,
    # and each element reached in order, with how it looked when focused.
    tab: dict | None = None


def tab_walk(page) -> dict:
    """Press Tab until the focus comes round again; record every numbered element it reaches.

    The page logs where the focus goes (LOG_FOCUS); the presses come in batches, each followed by
    one read of the log: first as many as there are elements to reach and two more (to come round
    again), then a few at a time, up to ten more than the elements."""
    before = page.evaluate(MARK_FOCUSABLE, FOCUSABLE)
    page.evaluate(LOG_FOCUS)
    reached: list[dict] = []
    seen: set[int] = set()
    read = pressed = 0
    limit = len(before) + 10
    round_again = False
    while pressed < limit and not round_again:
        batch = min(len(before) + 2 if pressed == 0 else 4, limit - pressed)
        for _ in range(batch):
            page.keyboard.press("Tab")
        pressed += batch
        log = page.evaluate("from => window.tabWalkLog.slice(from)", read)
        read += len(log)
        for focused in log:
            if focused is None or focused["index"] in seen:
                if reached and focused is not None and focused["index"] == reached[0]["index"]:
                    round_again = True
                    break
                continue
            seen.add(focused["index"])
            reached.append(focused)
    html = page.evaluate(
        "() => [...document.querySelectorAll('[data-tab-check]')].map(el => el.outerHTML.slice(0, 160))"
    )
    return {"before": before, "reached": reached, "html": html}


def focus_visible(before: dict, after: dict) -> bool:
    """True if focus draws something: an outline, a box shadow or a new background."""
    if float(after["opacity"]) == 0:
        return False
    outline = (
        after["outlineStyle"] != "none"
        and after["outlineWidth"] >= 2
        and not after["outlineColor"].endswith(", 0)")
        and after["outlineColor"] != "transparent"
        and after["outline"] != before["outline"]
    )
    shadow = after["boxShadow"] != "none" and after["boxShadow"] != before["boxShadow"]
    background = after["background"] != before["background"]
    return outline or shadow or background


def measure(checker, path: str, width: int, base_url: str | None = None, full: bool = True) -> dict[str, Report]:
    """One cold load of a page at a width (in the checker's tab: Checker.visit), checked in
    each colour scheme: axe-core and the page's facts in light, then dark, then the Tab walk
    back in light (it moves the focus and marks elements, so it comes last). The dark report's
    load holds every request the page made in either scheme; the light one's, those of the
    cold load alone. Not ``full``: the page's facts alone, in light (how the page is laid out
    at a width)."""
    page, load = checker.visit(path, SCHEMES[0], width, base_url=base_url)
    if not full:
        return {SCHEMES[0]: Report(load, None, page.evaluate(PAGE_FACTS))}
    reports = {}
    for scheme in SCHEMES:
        if scheme != SCHEMES[0]:
            checker.set_scheme(page, scheme)
        snapshot = replace(
            load,
            requests=list(load.requests),
            blocked=list(load.blocked),
            failed=list(load.failed),
            console=list(load.console),
        )
        rules = None if scheme == SCHEMES[0] else COLOUR_RULES  # the rest cannot change with the scheme
        reports[scheme] = Report(snapshot, checker.axe(page, rules), page.evaluate(PAGE_FACTS))
    checker.set_scheme(page, SCHEMES[0])
    reports[SCHEMES[0]].tab = tab_walk(page)
    return reports


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of the Chromium to drive, for a browser test that needs no built book (`make lab`'s)."""
    return chromium_path()


@pytest.fixture(scope="session")
def served_book(built_book):
    if built_book.returncode != 0:
        pytest.fail(f"the book did not build, so its pages cannot be checked:\n{built_book.log[-3000:]}")
    # Under the site's own root, as GitHub Pages publishes it: the 404 page's absolute links work.
    with serve(built_book.html, site_root()) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def checker(served_book):
    checker = Checker(served_book)
    yield checker
    checker.close()


@pytest.fixture(scope="session")
def page_report(checker):
    """Load a page once per width (cold) and check it in each colour scheme (see measure); at a
    width other than site_check.WIDTHS (the phone's), only its facts, in light."""
    cache: dict[tuple[str, str, int], Report] = {}

    def report(path: str, scheme: str = "light", width: int = 1280) -> Report:
        if not any(key[0] == path and key[2] == width for key in cache):
            for each, found in measure(checker, path, width, full=width in WIDTHS).items():
                cache[(path, each, width)] = found
        return cache[(path, scheme, width)]

    return report
