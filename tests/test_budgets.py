"""Budgets for every built page: weight on a cold load, and no request to another host.
Also checks that the browser harness itself catches what it should."""

from __future__ import annotations

import pytest

from site_check import SCHEMES, WEIGHT_BUDGET_KIB, WIDTHS, describe, expected_pages, serve

PAGES = expected_pages()


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
<link rel="stylesheet" href="https://cdn.example.org/style.css"></head>
<body><main><h1>Bad</h1><img src="chart.png"><p style="color:#bbb;background:#fff">Faint text</p></main></body></html>"""


@pytest.fixture(scope="module")
def bad_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-site")
    (folder / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (folder / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 400_000)
    with serve(folder) as base_url:
        yield base_url


def test_the_harness_catches_other_hosts_weight_and_violations(checker, bad_site):
    page, load = checker.open("bad.html", base_url=bad_site)
    violations = checker.axe(page)
    page.close()
    assert set(load.blocked) == {"https://cdn.example.org/style.css"}
    assert load.kib > WEIGHT_BUDGET_KIB, f"a 400 kB image was measured as {load.kib:.0f} KiB"
    ids = {v["id"] for v in violations}
    assert {"image-alt", "color-contrast"} <= ids, describe(violations)
