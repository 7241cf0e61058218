"""A copy of the checkout for tests that run the real Makefile or hooks without touching it.

``tracked_copy(folder)`` copies the files git tracks, as they are now in the working tree,
beside a link to the project's .venv; ``later(path)`` waits until a change made next gets a
newer time than ``path`` (make compares times, and some file systems keep coarse ones).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT


def tracked_copy(destination: Path) -> Path:
    """The tracked files in `destination` (a file deleted but not yet committed is left out),
    with `.venv` linked to this project's virtual environment. Returns `destination`."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.fail(f"{ROOT} is not a git checkout: these tests copy its tracked files. Clone the repository.")
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    (destination / ".venv").symlink_to(BIN.parent)
    return destination


def later(path: Path, margin: float = 0.01) -> None:
    """Wait until the clock is more than `margin` seconds past `path`'s time."""
    time.sleep(0.02)
    stamp = path.stat().st_mtime
    while time.time() <= stamp + margin:
        time.sleep(0.01)
