"""Budgets for every built page: weight on a cold load, and no request to another host.
Also checks that the browser harness itself catches what it should."""

from __future__ import annotations

import pytest

from site_check import SCHEMES, TWO_FRAMES, WEIGHT_BUDGET_KIB, WIDTHS, Checker, browser_pages, describe, serve
from site_fixtures import focus_visible, measure

PAGES = browser_pages()  # the 404 page at an address of no page, in a sub-folder


@pytest.mark.parametrize("path", PAGES)
def test_page_weight_is_within_budget(page_report, path):
    load = page_report(path, "light", 1280).load
    assert load.local_bytes > 0, f"{path}: nothing was measured; the check is broken"
    assert load.kib <= WEIGHT_BUDGET_KIB, (
        f"{path} weighs {load.kib:.0f} KiB on a cold load (budget {WEIGHT_BUDGET_KIB} KiB): "
        f"{len(load.requests)} requests: {load.requests}"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", PAGES)
def test_no_request_leaves_the_local_server(page_report, path, scheme, width):
    load = page_report(path, scheme, width).load
    assert load.blocked == [], f"{path} ({scheme}, {width} px) tried to reach other hosts: {load.blocked}"
    assert load.failed == [], f"{path} ({scheme}, {width} px): requests failed: {load.failed}"


BAD_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Bad</title>
<link rel="stylesheet" href="https://cdn.example.org/style.css">
<style>
  a:focus { outline: 3px solid #0b0c0c; } a.no-focus:focus { outline: none; }
  @media (prefers-color-scheme: dark) {
    h1 { background: url(https://dark.example.org/night.png) no-repeat; } .faint-in-dark { color: #ccc; }
  }
</style></head>
<body><main><h1>Bad</h1><img src="chart.png"><p style="color:#bbb;background:#fff">Faint text</p>
<p class="faint-in-dark">Faint only in a dark scheme</p>
<a href="#a" class="no-focus">No visible focus</a> <a href="#b" tabindex="-1">Out of Tab's reach</a>
<a href="#c" id="fine">Fine</a></main>
<script>addEventListener("load", () => setTimeout(() => { new Image().src = "late.png"; }, 80));</script>
<script>console.error("broken"); undefinedFunction();</script></body></html>"""


@pytest.fixture(scope="module")
def bad_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-site")
    (folder / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (folder / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 400_000)
    (folder / "late.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100_000)  # asked for after the load event
    with serve(folder) as base_url:
        yield base_url


def test_the_harness_catches_other_hosts_weight_and_violations(checker, bad_site):
    page, load = checker.visit("bad.html", base_url=bad_site)
    # What the visit had recorded when it returned (the load goes on recording while the page is used).
    late, weight = [url for url in load.requests if url.endswith("/late.png")], load.local_bytes
    violations = checker.axe(page)
    assert set(load.blocked) == {"https://cdn.example.org/style.css"}
    said = [line.split(" @ ")[0] for line in load.console]
    assert "error: broken" in said and "uncaught: undefinedFunction is not defined" in said, said
    assert load.kib > WEIGHT_BUDGET_KIB, f"a 400 kB image was measured as {load.kib:.0f} KiB"
    assert late and weight > 500_000, f"the visit ended before the image asked for after the load: {late}, {weight} B"
    ids = {v["id"] for v in violations}
    assert {"image-alt", "color-contrast"} <= ids, describe(violations)


def test_one_load_checks_each_scheme_and_the_tab_walk(checker, bad_site):
    """What a dark scheme alone asks for is caught in the dark report, not blamed on the light one;
    the Tab walk finds a link it cannot reach and one whose focus does not show."""
    reports = measure(checker, "bad.html", 1280, base_url=bad_site)
    assert reports["light"].load.blocked == ["https://cdn.example.org/style.css"]
    assert "https://dark.example.org/night.png" in reports["dark"].load.blocked

    def faint(report):
        nodes = [n for v in report.violations if v["id"] == "color-contrast" for n in v["nodes"]]
        return [n["target"] for n in nodes if "faint-in-dark" in n["html"]]

    assert faint(reports["light"]) == [] and faint(reports["dark"]) != [], describe(reports["dark"].violations)
    tab = reports["light"].tab
    reached = {e["index"]: e for e in tab["reached"]}
    missing = [html for index, html in enumerate(tab["html"]) if index not in reached]
    assert len(missing) == 1 and "Out of Tab" in missing[0], missing
    visible = {"no-focus" in e["html"]: focus_visible(tab["before"][i], e["style"]) for i, e in reached.items()}
    assert visible == {True: False, False: True}, visible


def test_a_visit_in_the_kept_tab_loads_cold_and_as_the_context_asks(checker, bad_site):
    """Checker.visit reuses one tab: each visit must still fetch everything again, record only
    its own requests and messages, and undo the media an earlier check emulated."""
    page, first = checker.visit("bad.html", base_url=bad_site)
    page.emulate_media(media="print", color_scheme="dark")  # the dark scheme asks for one more image
    page.evaluate(TWO_FRAMES)
    again, second = checker.visit("bad.html", base_url=bad_site)
    media = again.evaluate("['print', '(prefers-color-scheme: dark)'].map(query => matchMedia(query).matches)")
    assert again is page, "visit opened a new tab: it should reuse the one it keeps"
    assert second is not first and second.requests == first.requests, (first.requests, second.requests)
    assert second.kib == first.kib > WEIGHT_BUDGET_KIB, f"the second visit fetched {second.kib:.0f} KiB, not all"
    assert first.blocked == ["https://cdn.example.org/style.css", "https://dark.example.org/night.png"], first.blocked
    assert second.blocked == ["https://cdn.example.org/style.css"], second.blocked
    assert second.console == [m for m in first.console if "night.png" not in m] != [], (first.console, second.console)
    assert media == [False, False], f"print and dark emulated by the last check outlived the visit: {media}"


def test_a_second_checker_works_beside_the_sessions(checker, bad_site):
    """A test with a site of its own (test_theme_exercises, test_lab) starts a Chromium beside
    the session's: both share the process's one Playwright, and closing one leaves the other."""
    second = Checker(bad_site)
    try:
        _, load = second.visit("bad.html")
    finally:
        second.close()
    _, after = checker.visit("bad.html", base_url=bad_site)
    assert load.status == after.status == 200 and load.requests == after.requests, (load, after)
