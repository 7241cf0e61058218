"""What every page says about itself: its description, its review (when, by when, who), when it
last changed, where its source is and how to report a problem; api/pages.json for the
reminder bot; a warning on a page whose review is overdue; and `make reviews`."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from moj_book.review import add_interval, long_date, parse_review

import reviews
from conftest import MINI_HOME as HOME
from conftest import ROOT, mini_book_in
from pages import find_sources, read_metadata
from site_check import expected_pages

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
BASE_URL = CONFIG["html"]["baseurl"].rstrip("/")
OWNER = CONFIG["sphinx"]["config"]["html_theme_options"]["review_default_owner"]
SOURCES = {rel.with_suffix("").as_posix(): rel for rel in find_sources(ROOT)}
PAGES = [page.removesuffix(".html") for page in expected_pages() if page.removesuffix(".html") in SOURCES]


def soup(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text(node) -> str:
    return re.sub(r" ([.,;:!?)])", r"\1", " ".join(node.get_text(" ").split()))


def last_commit(rel) -> str | None:
    out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", str(rel)], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or None


def test_every_page_of_the_navigation_is_checked():
    assert len(PAGES) == len([p for p in expected_pages() if p not in ("search.html", "404.html", "index.html")])


@pytest.mark.parametrize("docname", PAGES)
def test_the_page_has_the_description_of_its_front_matter(built_book, docname):
    meta = read_metadata(ROOT / SOURCES[docname])
    tags = soup(built_book.page(docname)).find_all("meta", attrs={"name": "description"})
    assert [tag["content"] for tag in tags] == [meta["description"]]


@pytest.mark.parametrize("docname", ["search", "404"])
def test_generated_pages_have_a_description_too(built_book, docname):
    tags = soup(built_book.page(docname)).find_all("meta", attrs={"name": "description"})
    assert len(tags) == 1 and len(tags[0]["content"]) > 20


@pytest.mark.parametrize("docname", PAGES)
def test_the_page_says_when_it_was_reviewed_when_it_is_due_and_who_owns_it(built_book, docname):
    review = parse_review(read_metadata(ROOT / SOURCES[docname]), SOURCES[docname], OWNER)
    info = soup(built_book.page(docname)).find(class_="app-page-info")
    assert info is not None, f"{docname} has no page information block"
    words = text(info)
    assert f"last reviewed on {long_date(review.last_reviewed_on)}" in words
    assert f"reviewed again on {long_date(review.review_by)} by the page owner {review.owner_slack}" in words
    committed = last_commit(SOURCES[docname])
    if committed:
        assert f"Last updated: {long_date(dt.date.fromisoformat(committed))}." in words
    else:
        assert "Last updated" not in words  # a new page not yet committed has no date to show


def test_the_accessibility_statement_says_the_review_date_of_its_review_box(built_book):
    """The statement's "last reviewed on" is made from the front matter that fills the box."""
    docname = "book/accessibility"
    review = parse_review(read_metadata(ROOT / SOURCES[docname]), SOURCES[docname], OWNER)
    main = soup(built_book.page(docname)).find("main")
    box = main.find(class_="app-page-info")
    box.extract()
    said = re.findall(r"last reviewed on (\d{1,2} \w+ \d{4})", text(main))
    assert said == [long_date(review.last_reviewed_on)], (
        f"the statement says it was last reviewed on {said}, its review box {long_date(review.last_reviewed_on)}: "
        "write {review-date}`last_reviewed_on` in book/accessibility.md, not a date"
    )


def test_the_review_date_role_needs_a_known_field(mini_book):
    page = HOME.format(reviewed="2026-12-02", review_in="6 months") + "\nReviewed {review-date}`someday`.\n"
    build = mini_book({"book/index.md": page})
    assert build.returncode != 0
    assert "{review-date}`someday`: write last_reviewed_on or review_by" in build.log


@pytest.mark.parametrize("docname", PAGES)
def test_view_source_and_report_a_problem_link_to_the_repository(built_book, docname):
    page = soup(built_book.page(docname))
    info = page.find(class_="app-page-info")
    source = next(a for a in info.find_all("a") if text(a).startswith("View source"))
    assert source["href"] == f"{REPOSITORY}/blob/{CONFIG['repository']['branch']}/{SOURCES[docname].as_posix()}"
    assert (ROOT / SOURCES[docname]).is_file()
    problem = next(a for a in info.find_all("a") if text(a).startswith("Report a problem"))
    address = urlsplit(problem["href"])
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{REPOSITORY}/issues/new"
    query = parse_qs(address.query)
    title = text(page.find("h1"))
    assert title in query["title"][0]
    assert f"{BASE_URL}/{docname}.html" in query["body"][0] and title in query["body"][0]


def test_api_pages_json_has_the_shape_the_reminder_bot_reads(built_book):
    pages = json.loads((built_book.html / "api" / "pages.json").read_text(encoding="utf-8"))
    assert {page["url"] for page in pages} == {f"{BASE_URL}/{docname}.html" for docname in PAGES}
    for page in pages:
        assert set(page) == {"title", "url", "review_by", "owner_slack"}
        docname = page["url"].removeprefix(BASE_URL + "/").removesuffix(".html")
        review = parse_review(read_metadata(ROOT / SOURCES[docname]), SOURCES[docname], OWNER)
        assert page["review_by"] == review.review_by.isoformat() and page["owner_slack"] == review.owner_slack
        assert page["title"] == text(soup(built_book.page(docname)).find("h1"))


def test_review_intervals_add_calendar_months_and_years():
    assert add_interval(dt.date(2026, 12, 2), 6, "month") == dt.date(2027, 6, 2)
    assert add_interval(dt.date(2027, 8, 31), 6, "month") == dt.date(2028, 2, 29)
    assert add_interval(dt.date(2024, 2, 29), 1, "year") == dt.date(2025, 2, 28)
    assert add_interval(dt.date(2026, 12, 2), 3, "week") == dt.date(2026, 12, 23)
    assert parse_review({"last_reviewed_on": "2026-01-31", "review_in": "1 Month"}, "x.md").review_by == dt.date(
        2026, 2, 28
    )


# --- A page overdue for review, and bad review dates, in a small book ----------------------

OLD = """\
---
title: An old page
description: A page nobody has reviewed for years.
eleventyNavigation:
  key: Old
  parent: Home
last_reviewed_on: 2020-01-15
review_in: 6 months
owner_slack: "#a-channel"
---

Text that may have gone stale.
"""


def test_an_overdue_page_warns_at_the_top_and_make_reviews_fails(mini_book, capsys):
    build = mini_book({"book/index.md": HOME.format(reviewed=dt.date.today(), review_in="1 year"), "book/old.md": OLD})
    assert build.returncode == 0, build.log[-3000:]
    old = soup(build.html / "book" / "old.html").find("article")
    warning = old.find(class_="govuk-warning-text")
    assert warning is not None and old.find("h1").find_previous(class_="govuk-warning-text") is warning
    assert text(warning) == "! Warning This page may be out of date. Its review was due on 15 July 2020."
    info = text(soup(build.html / "book" / "old.html").find(class_="app-page-info"))
    assert "due to be reviewed again on 15 July 2020 by the page owner #a-channel, so it may be out of date" in info
    assert soup(build.html / "book" / "index.html").find(class_="govuk-warning-text") is None

    assert reviews.main(["--root", str(build.root)]) == 1
    table = capsys.readouterr().out
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert rows[0].startswith("| OVERDUE | 2020-07-15 | An old page (book/old.md) | #a-channel |")
    assert rows[1].startswith("| current |") and "(book/index.md)" in rows[1]
    assert reviews.main(["--root", str(build.root), "--today", "2020-07-15"]) == 0  # due that day, not yet overdue


BAD_REVIEWS = {
    "book/not-a-date.md": ("last spring", "6 months", "`last_reviewed_on: last spring` is not a date"),
    "book/fortnights.md": ("2026-01-01", "6 fortnights", "`review_in: 6 fortnights` is not a number of days, weeks"),
    "book/soon.md": ("2026-01-01", "soon", "`review_in: soon` is not a number of days"),
}
BAD_PAGE = """\
---
title: {key}
description: A page with a bad review date or interval.
eleventyNavigation:
  key: {key}
  parent: Home
last_reviewed_on: {reviewed}
review_in: {review_in}
---

Text.
"""
BARE_PAGE = """\
---
title: Bare
eleventyNavigation:
  key: Bare
  parent: Home
---

Text.
"""


@pytest.fixture(scope="module")
def bad_pages_build(tmp_path_factory):
    """One build of a small book in which each page but the home page has one problem (the build
    goes on after an error, so each is reported)."""
    pages = {"book/index.md": HOME.format(reviewed="2026-01-01", review_in="1 year"), "book/bare.md": BARE_PAGE}
    for name, (reviewed, review_in, _) in BAD_REVIEWS.items():
        pages[name] = BAD_PAGE.format(key=Path(name).stem, reviewed=reviewed, review_in=review_in)
    return mini_book_in(tmp_path_factory.mktemp("bad_pages"))(pages)


def test_a_date_that_does_not_exist_stops_the_navigation_naming_the_file(mini_book):
    """YAML reads the front matter's dates, so this one stops before the build."""
    build = mini_book({"book/index.md": HOME.format(reviewed="2026-13-01", review_in="6 months")})
    assert build.returncode != 0
    assert "book/index.md: the front matter holds a date that does not exist" in build.log, build.log[-3000:]


@pytest.mark.slow  # builds a small book of its own (bad_pages_build)
@pytest.mark.parametrize("name", BAD_REVIEWS)
def test_a_bad_review_date_or_interval_fails_the_build_naming_the_file(bad_pages_build, name):
    assert bad_pages_build.returncode != 0
    assert f"{name}: {BAD_REVIEWS[name][2]}" in bad_pages_build.log, bad_pages_build.log[-3000:]


@pytest.mark.slow  # builds a small book of its own (bad_pages_build)
def test_a_page_without_a_description_or_review_date_fails_the_build_naming_the_file(bad_pages_build):
    assert bad_pages_build.returncode != 0
    assert "book/bare.md: no `description` in the front matter" in bad_pages_build.log, bad_pages_build.log[-3000:]
    assert "book/bare.md: no `last_reviewed_on` in the front matter" in bad_pages_build.log
    assert "book/index.md" not in bad_pages_build.log, "the good home page was reported"


def test_a_page_is_written_again_when_its_value_changes_not_otherwise():
    from moj_book.rebuild import changed_since_last_build

    class Env:
        found_docs = {"a", "b", "c"}

    env, values = Env(), {"a": 1, "b": 2, "c": 3}
    assert changed_since_last_build(env, "state", values.get) == []  # the first build writes every page anyway
    values.update(b=20)
    assert changed_since_last_build(env, "state", values.get) == ["b"]
    assert changed_since_last_build(env, "state", values.get) == []
