"""Repository hygiene: pytest never collects copies under the build folder.

(Notebooks committed without outputs: the nbstripout hook, run on every file by
tests/test_precommit.py.)"""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import ROOT


def test_pytest_never_collects_copies_under_the_build_folder(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for folder in ("tests", "notebooks", "_build/html/_sources", "notebooks/_build", ".venv/lib"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / "tests" / "test_real.py").write_text("def test_real():\n    pass\n")
    for copy in ("_build/html/_sources/test_copy.py", "notebooks/_build/test_copy.py", ".venv/lib/test_copy.py"):
        (tmp_path / copy).write_text("def test_copy():\n    pass\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "test_real.py::test_real" in result.stdout, result.stdout + result.stderr
    assert "test_copy" not in result.stdout
