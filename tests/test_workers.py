"""The two workers of make test and make check share the tests out by group (conftest.py,
`--dist loadgroup`): the tests of a module run in one worker, so its module fixtures are made
once. pytest-xdist does this by adding the group to each test's id; a pytest it cannot do that
with would share every test out one by one, silently."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict

import pytest

from conftest import ROOT, make_variable

pytestmark = pytest.mark.slow  # a pytest run of its own, with two workers

MODULES = ["tests/test_etl_checks.py", "tests/test_make_toc.py"]


def workers_options() -> list[str]:
    """The options make test and make check give pytest for the workers (the Makefile's WORKERS)."""
    return make_variable("WORKERS").split()


@pytest.fixture(scope="module")
def ran() -> subprocess.CompletedProcess:
    """MODULES run as make test runs them, on a machine without Chromium."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *workers_options(), "-v", *MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CHROMIUM": "/no/such/chromium"},
    )


def test_tests_that_need_no_browser_run_without_one(ran):
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    assert re.search(r"^=+ \d+ passed in ", ran.stdout, re.M), ran.stdout[-2000:]


def test_each_modules_tests_run_in_one_worker(ran):
    assert "loadgroup" in workers_options()
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    workers = defaultdict(set)
    for worker, module in re.findall(r"^\[(gw\d+)\].*? PASSED (tests/\w+\.py)::", ran.stdout, re.M):
        workers[module].add(worker)
    assert set(workers) == set(MODULES), ran.stdout[-3000:]
    split = {module: sorted(found) for module, found in workers.items() if len(found) > 1}
    assert not split, (
        f"the tests of {split} ran in more than one worker: the groups of conftest.py were not applied. "
        "Is pytest newer than pytest-xdist supports (requirements.in)?"
    )
