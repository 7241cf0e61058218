"""Search as a reader expects, offline in Chromium: GOV.UK's words ("3 results for ..."), each
page once, and under each the sentence that matched, with the searched word in it; no error in
the browser's console, and none for axe-core. Sphinx's searchtools.js finds the pages, the theme's moj-search.js shows
them (theme/moj_book/static/moj-search.js)."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

import pytest
from bs4 import BeautifulSoup

from site_check import describe
from test_every_page import pages_of

WORDS = ["quarantine", "apprenticeship", "Splink"]
# Each result: the page it links to (without its #anchor), its title and its snippet.
RESULTS = """() => [...document.querySelectorAll('#search-results .app-search-result')].map(item => {
  const link = item.querySelector('a');
  const snippet = item.querySelector('.app-search-result__snippet');
  return {page: link.href.split('#')[0].split('?')[0], title: link.textContent.trim(),
          snippet: snippet ? snippet.textContent : null,
          marked: snippet ? [...snippet.querySelectorAll('mark')].map(m => m.textContent) : []};
})"""
DONE = (
    "() => { const items = document.querySelectorAll('#search-results .app-search-result'); "
    "return [...items].every(item => item.hasAttribute('data-snippet')); }"
)


def search(checker, query: str) -> tuple[str, list[dict], object, str, list[dict]]:
    """Search the served book; wait until every result has its snippet (or has none). Returns the
    status line, the results, the page's load, the results' text and axe-core's violations."""
    page, load = checker.visit(f"search.html?q={quote_plus(query)}")
    page.wait_for_function(
        "() => /results? for/.test(document.getElementById('search-status').textContent)", timeout=10_000
    )
    page.wait_for_function(DONE, timeout=10_000)
    checker.settle(page)  # the snippets' fetches, finished and recorded
    status = page.locator("#search-status").inner_text()
    results = page.evaluate(RESULTS)
    text = page.locator("#search-results").inner_text()
    violations = checker.axe(page)
    return status, results, load, text, violations


def pages_that_say(built_book, word: str) -> set[str]:
    """The pages whose own text (their article) has the word: each must be found."""
    found = set()
    for path, html in pages_of(built_book).items():
        article = BeautifulSoup(html, "html.parser").select_one("main article")
        if path not in ("search.html", "404.html") and article and word.lower() in article.get_text().lower():
            found.add(path)
    return found


@pytest.mark.parametrize("word", WORDS)
def test_each_page_once_with_the_sentence_that_matched(checker, built_book, word):
    status, results, load, _, violations = search(checker, word)
    pages = [result["page"].removeprefix(checker.base_url) for result in results]
    expected = pages_that_say(built_book, word)
    assert expected, f"no page says {word!r}: the check is broken"
    assert status == f"{len(results)} result{'s' * (len(results) != 1)} for “{word}”", status
    assert sorted(pages) == sorted(set(pages)), f"pages listed more than once for {word!r}: {pages}"
    assert expected <= set(pages), f"{word!r}: pages that say it and are not found: {sorted(expected - set(pages))}"
    without = [r["title"] for r in results if not r["snippet"] or word.lower() not in r["snippet"].lower()]
    assert without == [], f"{word!r}: results without a snippet that has the word: {without}\n{results}"
    unmarked = [r["title"] for r in results if not any(m.lower().startswith(word.lower()) for m in r["marked"])]
    assert unmarked == [], f"{word!r}: snippets where the word is not marked: {unmarked}"
    assert load.console == [] and load.blocked == [], (load.console, load.blocked)
    assert violations == [], describe(violations)


def test_a_search_of_several_words_finds_the_pages_that_have_them_all(checker):
    status, results, load, _, _ = search(checker, "Ministry Justice")
    assert any(r["page"].endswith("book/about.html") for r in results), results
    assert re.fullmatch(r"\d+ results for “Ministry Justice”", status), status
    assert load.blocked == [] and load.console == [], (load.blocked, load.console)


def test_no_result_says_so_in_govuk_words(checker):
    status, results, load, text, violations = search(checker, "xylophonist")
    assert status == "0 results for “xylophonist”" and results == [], (status, results)
    assert "There are no matching results." in text and "double-checking your spelling" in text, text
    assert "selected enough categories" not in text and "page(s)" not in status + text
    assert load.console == [] and violations == [], (load.console, describe(violations))
