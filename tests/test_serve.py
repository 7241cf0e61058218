"""`make serve`: it watches what the build reads, and an open page reloads itself after a rebuild."""

from __future__ import annotations

import threading

import serve
from conftest import ROOT


def test_it_watches_every_input_of_the_build():
    watched = {path.relative_to(ROOT).as_posix() for path in serve.watched()}
    expected = {
        "_config.yml",
        "_toc.yml",
        "book/about.md",
        "theme/moj_book/layout.html",
        "theme/moj_book/scss/_book.scss",
        "tools/book_extensions.py",
        "notebooks/court_cases_etl/sql/land.sql",
        "notebooks/court_cases_etl/pipeline.py",
        "notebooks/court_timeliness_dbt/court_timeliness_dbt.ipynb",
    }
    assert expected <= watched, sorted(expected - watched)
    assert not [name for name in watched if "/output/" in name or "__pycache__" in name]


def test_an_open_page_reloads_after_a_good_build_and_the_files_stay_as_built(built_book, checker):
    builds = serve.Builds()
    server = serve.make_server(built_book.html, builds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        page, load = checker.open("book/about.html", base_url=base_url)
        try:
            assert base_url + serve.RELOAD_PATH.lstrip("/") in load.requests
            assert load.blocked == [], load.blocked
            page.evaluate("window.beforeTheRebuild = true")
            page.wait_for_timeout(1500)  # the script has read the build number at least once
            assert page.evaluate("window.beforeTheRebuild === true"), "the page reloaded with no new build"
            builds.succeeded()
            page.wait_for_function("window.beforeTheRebuild === undefined", timeout=10_000)
        finally:
            page.close()
    finally:
        server.shutdown()
        server.server_close()
    assert serve.RELOAD_PATH not in built_book.page("book/about").read_text(encoding="utf-8")
