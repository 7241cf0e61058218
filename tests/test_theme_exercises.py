"""Exercises and their solutions (sphinx-exercise) look the theme's way (theme/moj_book/exercises.py):
an exercise is a box whose title is a heading, a dropdown solution a GOV.UK details component that
the keyboard opens, with no script of sphinx-togglebutton's or stylesheet of sphinx-exercise's; the
page is valid (no id twice), accessible in light and dark, light, and asks nothing of another host.

One small book, built once in this process, with two exercises, a dropdown solution, a solution
shown in full, and a dropdown note."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from conftest import MINI_HOME, mini_book_in
from site_check import WEIGHT_BUDGET_KIB, Checker, describe, serve
from site_fixtures import focus_visible, measure

PAGE = (
    MINI_HOME.format(reviewed="2026-11-01", review_in="6 months")
    + """
## Your turn

:::{exercise} Add a `not_null` test (about 5 minutes)
:label: mini-add-test

Add a test to `models/marts/_marts__models.yml`.
:::

```python
print("the check")
```

::::{solution} mini-add-test
:class: dropdown

Add these lines:

```yaml
data_tests: [not_null]
```
::::

:::{exercise} A new mart (about 20 minutes)
:label: mini-new-mart

Add a mart with its own test.
:::

:::{solution} mini-new-mart
Shown in full: `models/marts/fct_new.sql`.
:::

:::{note}
:class: dropdown
A note behind a control.
:::
"""
)


# A second page with an exercise: sphinx-exercise numbers it after the home page's two.
SECOND = """\
---
title: Second
description: A second page of a small book.
eleventyNavigation:
  key: Second
  parent: Home
last_reviewed_on: 2026-11-01
review_in: 6 months
---

:::{exercise} On the second page (about 5 minutes)
:label: mini-second

Do it.
:::

:::{solution} mini-second
:class: dropdown
Done.
:::
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    build = mini_book_in(tmp_path_factory.mktemp("exercises"))({"book/index.md": PAGE, "book/second.md": SECOND})
    assert build.returncode == 0, build.log[-3000:]
    return build.html


@pytest.fixture(scope="module")
def body(site) -> BeautifulSoup:
    return BeautifulSoup((site / "book" / "index.html").read_text(encoding="utf-8"), "html.parser")


pytestmark = pytest.mark.slow  # builds a book of its own (see the markers in pyproject.toml)


def test_an_exercise_is_a_box_whose_title_is_a_heading_with_its_number_and_minutes(body):
    boxes = body.select("main .app-exercise")
    assert [box.get("id") for box in boxes] == ["mini-add-test", "mini-new-mart"]
    titles = [" ".join(box.find("h3").get_text(" ", strip=True).split()) for box in boxes]
    # One heading level below "Your turn" (h2); no parentheses round the title.
    assert titles == ["Exercise 1: Add a not_null test (about 5 minutes)", "Exercise 2: A new mart (about 20 minutes)"]
    assert boxes[0].find("h3").find("code") is not None, "the title's code lost its markup"
    assert not body.select(".admonition-title, .exercise, .solution, .dropdown")


def test_a_dropdown_solution_is_collapsed_details_named_after_its_exercise(body):
    details = body.select("main details.govuk-details.app-disclosure")
    summaries = [d.find("summary").get_text(" ", strip=True) for d in details]
    assert summaries == ["Solution to exercise 1: Add a not_null test", "Note"]
    assert all(not d.has_attr("open") for d in details), "a solution shows before it is asked for"
    assert "data_tests: [not_null]" in details[0].get_text()
    assert details[0].find("summary").find("a") is None, "a link inside a summary is a control inside a control"


def test_a_solution_without_dropdown_shows_with_a_heading_that_links_to_its_exercise(body):
    shown = body.select_one("main .app-solution--shown")
    heading = shown.find("h3")
    assert heading.get_text(" ", strip=True) == "Solution to exercise 2: A new mart"
    assert heading.find("a")["href"] == "#mini-new-mart"
    assert "fct_new.sql" in shown.get_text()


def test_no_id_twice_and_no_file_of_sphinx_exercise_or_togglebutton(body):
    ids = [tag["id"] for tag in body.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    files = [tag.get("href") or tag.get("src") for tag in body.select("link[rel=stylesheet], script[src]")]
    assert not [f for f in files if re.search(r"togglebutton|exercise", f)], files


@pytest.fixture(scope="module")
def browser_on_site(site, chromium):
    with serve(site) as base_url:
        checker = Checker(base_url)
        try:
            yield checker
        finally:
            checker.close()


def test_the_page_is_accessible_light_and_offline_and_its_solution_opens_from_the_keyboard(browser_on_site):
    reports = measure(browser_on_site, "book/index.html", 1280)
    for scheme, report in reports.items():
        assert report.violations == [], f"{scheme}:\n{describe(report.violations)}"
        assert report.load.blocked == [] and report.load.failed == [], report.load
    assert reports["light"].load.kib <= WEIGHT_BUDGET_KIB
    tab = reports["light"].tab
    summaries = [e for e in tab["reached"] if e["html"].startswith("<summary")]
    assert len(summaries) == 2, [e["html"] for e in tab["reached"]]
    assert all(focus_visible(tab["before"][e["index"]], e["style"]) for e in summaries)
    page, _ = browser_on_site.visit("book/index.html")
    summary = page.get_by_role("group").first.locator("summary")
    answer = page.get_by_text("data_tests: [not_null]")
    assert not answer.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert answer.is_visible(), "Enter on the summary did not show the solution"


def test_exercises_are_numbered_on_each_page(site):
    second = BeautifulSoup((site / "book" / "second.html").read_text(encoding="utf-8"), "html.parser")
    titles = [h.get_text(" ", strip=True) for h in second.select("main .app-exercise__title")]
    assert titles == ["Exercise 1: On the second page (about 5 minutes)"], titles
    summaries = [s.get_text(" ", strip=True) for s in second.select("main details.app-disclosure > summary")]
    assert summaries == ["Solution to exercise 1: On the second page"], summaries
