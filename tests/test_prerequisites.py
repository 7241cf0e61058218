"""A missing browser or Java stops the test run once, before any test, with one line that says what to
install, instead of failing every test that needs it. (That tests that need neither run without them:
test_workers.py.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, make_variable

pytestmark = pytest.mark.slow  # see the markers in pyproject.toml


def run_pytest(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


# As make test runs the tests (on pytest-xdist's workers, where a worker's pytest.exit would reach the
# controller as an internal error, the message lost), and in one process (returncode 4, pytest.exit's).
@pytest.mark.parametrize("workers", ["make's workers", "one process"])
def test_no_chromium_stops_the_run_once_with_what_to_install(workers):
    args = make_variable("WORKERS").split() if workers == "make's workers" else []
    result = run_pytest(*args, "tests/test_accessibility.py", "tests/test_budgets.py", CHROMIUM="/no/such/chromium")
    assert result.returncode == (2 if args else 4), result.stdout[-2000:]
    output = result.stdout + result.stderr
    assert "INTERNALERROR" not in output, output[-2000:]
    lines = [line for line in output.splitlines() if "Chromium" in line]
    assert len(lines) == 1, lines
    assert "apt-get install chromium" in lines[0] and "brew install --cask chromium" in lines[0]
    assert "CHROMIUM=" in lines[0] and "/no/such/chromium" in lines[0]
    assert " passed" not in result.stdout and " failed" not in result.stdout


def test_the_quick_check_leaves_out_spark_browser_and_slow_tests_and_only_those():
    markers = make_variable("CHECK_MARKERS")
    result = run_pytest("--collect-only", "-m", f"not ({markers})")
    assert result.returncode == 0, result.stdout[-2000:]
    left_out = {line.split("[")[0] for line in result.stdout.splitlines() if "::" in line}
    expected = {
        "tests/test_court_timeliness_dbt_spark.py::test_spark_builds_and_passes_every_node_that_duckdb_does",
        "tests/test_people_linkage_spark.py::test_spark_ran_and_wrote_nothing_where_it_started",
        "tests/test_accessibility.py::test_axe_finds_no_violations",
        "tests/test_budgets.py::test_one_load_checks_each_scheme_and_the_tab_walk",
        "tests/test_page_info.py::test_a_bad_review_date_or_interval_fails_the_build_naming_the_file",
        "tests/test_court_timeliness_dbt.py::test_build_passes_on_good_data",
        "tests/test_precommit.py::test_sqlfluff_fails_on_the_planted_files_and_on_nothing_else",
    }
    assert expected <= left_out, f"make check would run {sorted(expected - left_out)}"
    kept = [name for name in left_out if name.startswith(("tests/test_notebooks.py", "tests/test_pages.py"))]
    assert kept == [], f"make check would leave out the page checks {kept}"
