"""Shared fixtures: the project root and one build of the book per test run."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Build:
    returncode: int
    log: str
    html: Path

    def page(self, docname: str) -> Path:
        return self.html / f"{docname}.html"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Build:
    """Build the book once, as `make book` does, into a temporary folder."""
    out = tmp_path_factory.mktemp("book")
    env = {**os.environ, "DO_NOT_TRACK": "1", "NO_COLOR": "1"}
    result = subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    return Build(result.returncode, result.stdout + result.stderr, out / "_build" / "html")


# The browser fixtures (the served book, one Chromium) for the accessibility and budget tests.
pytest_plugins = ["site_fixtures"]
