"""A missing browser or Java stops the test run once, before any test, with one line that says what to
install, instead of failing every test that needs it."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def run_pytest(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_no_chromium_stops_the_run_once_with_what_to_install():
    result = run_pytest("tests/test_accessibility.py", "tests/test_budgets.py", CHROMIUM="/no/such/chromium")
    assert result.returncode == 4, result.stdout[-2000:]
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "Chromium" in line]
    assert len(lines) == 1, lines
    assert "apt-get install chromium" in lines[0] and "brew install --cask chromium" in lines[0]
    assert "CHROMIUM=" in lines[0] and "/no/such/chromium" in lines[0]
    assert " passed" not in result.stdout and " failed" not in result.stdout


def test_tests_that_need_no_browser_run_without_one():
    result = run_pytest("tests/test_make_toc.py", CHROMIUM="/no/such/chromium")
    assert result.returncode == 0, result.stdout[-2000:]
