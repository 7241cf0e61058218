"""Fixtures for the browser tests: the built book served on 127.0.0.1, one Chromium.

tests/conftest.py loads them as a plugin (`pytest_plugins`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from site_check import Checker, Load, serve

# What the page itself says about its structure, measured in the browser.
PAGE_FACTS = """() => {
  const doc = document.documentElement;
  const imgs = [...document.querySelectorAll('img')].map(img => ({
    src: img.getAttribute('src') || '', alt: img.getAttribute('alt')}));
  return {
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


@dataclass
class Report:
    load: Load
    violations: list[dict]
    facts: dict


@pytest.fixture(scope="session")
def served_book(built_book):
    if built_book.returncode != 0:
        pytest.fail(f"the book did not build, so its pages cannot be checked:\n{built_book.log[-3000:]}")
    with serve(built_book.html) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def checker(served_book):
    checker = Checker(served_book)
    yield checker
    checker.close()


@pytest.fixture(scope="session")
def page_report(checker):
    """Load a page once per colour scheme and width (cold), run axe-core, keep the facts."""
    cache: dict[tuple[str, str, int], Report] = {}

    def report(path: str, scheme: str = "light", width: int = 1280) -> Report:
        key = (path, scheme, width)
        if key not in cache:
            page, load = checker.open(path, scheme, width)
            try:
                cache[key] = Report(load, checker.axe(page), page.evaluate(PAGE_FACTS))
            finally:
                page.close()
        return cache[key]

    return report
