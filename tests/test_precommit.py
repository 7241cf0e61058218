"""The pre-commit hooks (`make lint`) pass on the repository, offline, and catch what they are for.

The hooks run on a copy of the tracked files (as they are in the working tree)
in a temporary git repository, so that hooks that fix files (nbstripout, ruff
format) never change the checkout, and pre-commit's cache goes to a temporary
folder too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from checkout import tracked_copy
from conftest import BIN, ROOT

CONFIG = ROOT / ".pre-commit-config.yaml"
OFFLINE_LANGUAGES = {"unsupported", "unsupported_script", "system", "script", "pygrep", "fail"}


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The tracked files, as they are now, in a fresh git repository beside the project's .venv."""
    target = tracked_copy(tmp_path_factory.mktemp("precommit") / "repo")
    git(target, "init", "-q")
    git(target, "add", "-A")
    return target


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def pre_commit(repo: Path, *args: str, skip: str = "") -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "DO_NOT_TRACK": "1",
        "NO_COLOR": "1",
        "SKIP": skip,
    }
    return subprocess.run(
        [str(BIN / "pre-commit"), "run", "--color", "never", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_hook_is_local_and_runs_an_installed_tool():
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    ids = []
    for repo in config["repos"]:
        assert repo["repo"] == "local", f"{CONFIG}: remote hook repositories are cloned from GitHub; use `local`"
        for hook in repo["hooks"]:
            assert hook["language"] in OFFLINE_LANGUAGES, f"{hook['id']} would install an environment"
            ids.append(hook["id"])
    expected = {"nbstripout", "ruff-check", "ruff-format", "codespell", "codespell-british", "sqlfluff-lint"}
    expected |= {"ruff-check-notebooks", "ruff-format-notebooks"}
    assert expected | {"navigation"} <= set(ids)


def test_make_lint_runs_the_same_hooks():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "pre-commit run --all-files" in recipe


def test_the_hooks_pass_on_the_repository(copy):
    """Every hook but SQLFluff, the slowest (it compiles the dbt project): it runs once, in
    test_sqlfluff_fails_on_the_planted_files_and_on_nothing_else, over every file it lints."""
    result = pre_commit(copy, "--all-files", skip="sqlfluff-lint")
    assert result.returncode == 0, f"`make lint` fails; fix what it names:\n{result.stdout[-6000:]}{result.stderr}"


def _fails(copy: Path, hook: str, path: Path, expected: str) -> str:
    git(copy, "add", "-A")
    result = pre_commit(copy, hook, "--files", str(path.relative_to(copy)))
    assert result.returncode != 0, result.stdout
    assert expected in result.stdout, result.stdout
    return result.stdout


@pytest.fixture
def scratch(copy):
    """Files a test adds to the copy; removed afterwards so that each test starts clean."""
    added: list[Path] = []
    yield added
    for path in added:
        path.unlink(missing_ok=True)
    git(copy, "add", "-A")


def test_an_american_spelling_in_a_page_is_flagged_with_the_british_one(copy, scratch):
    page = copy / "book" / "spelling.md"
    scratch.append(page)
    page.write_text("---\ntitle: Spelling\n---\nWe analyze the color of the data.\n", encoding="utf-8")
    output = _fails(copy, "codespell-british", page, "book/spelling.md:4: analyze ==> analyse")
    assert "color ==> colour" in output


def test_code_may_use_american_identifiers_but_not_typos(copy, scratch):
    code = copy / "tools" / "spelling.py"
    scratch.append(code)
    typo = "reci" + "eved"  # spelt out in two parts so that codespell passes this file
    code.write_text(f'plot(color="red")  # the {typo} value\n', encoding="utf-8")
    output = _fails(copy, "codespell", code, f"tools/spelling.py:1: {typo} ==> received")
    assert "color" not in output


def test_a_notebook_with_outputs_is_stripped(copy, scratch):
    notebook = copy / "notebooks" / "dirty.ipynb"
    scratch.append(notebook)
    cell = {"cell_type": "code", "id": "a1", "metadata": {}, "source": "1 + 1", "execution_count": 3}
    cell["outputs"] = [
        {"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {}, "execution_count": 3}
    ]
    notebook.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    _fails(copy, "nbstripout", notebook, "files were modified by this hook")
    stripped = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
    assert stripped["outputs"] == [] and stripped["execution_count"] is None


def test_a_notebook_line_longer_than_88_characters_fails_and_a_py_line_may_be_longer(copy, scratch):
    long_string = '"' + "x" * 90 + '"'
    notebook = copy / "notebooks" / "wide.ipynb"
    module = copy / "notebooks" / "wide.py"
    scratch.extend([notebook, module])
    cell = {"cell_type": "code", "id": "a1", "metadata": {}, "source": f"text = {long_string}\n"}
    cell |= {"outputs": [], "execution_count": None}
    notebook.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    _fails(copy, "ruff-check-notebooks", notebook, "E501")
    module.write_text(f"text = {long_string}\n", encoding="utf-8")
    git(copy, "add", "-A")
    result = pre_commit(copy, "ruff-check", "--files", str(module.relative_to(copy)))
    assert result.returncode == 0, result.stdout


def test_a_stale_navigation_fails(copy, scratch):
    page = copy / "book" / "zz-new-page.md"
    scratch.append(page)
    page.write_text("---\ntitle: New\neleventyNavigation: {key: New, parent: Home}\n---\nText.\n", encoding="utf-8")
    _fails(copy, "navigation", page, "_toc.yml: out of date")


@pytest.mark.slow
def test_sqlfluff_fails_on_the_planted_files_and_on_nothing_else(copy, scratch):
    """One run of the SQLFluff hook over all its files (as `make lint` runs it), with a model and
    a data test planted that use upper-case keywords: those two fail, on the project's lower-case
    rule, and every other model and data test passes."""
    repos = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["repos"]
    hook = next(h for r in repos for h in r["hooks"] if h["id"] == "sqlfluff-lint")
    project = copy / "notebooks" / "court_timeliness_dbt" / "court_timeliness"
    models = sorted(project.glob("models/**/*.sql"))
    data_tests = sorted(project.glob("tests/*.sql"))
    linted = [p for p in models + data_tests if re.search(hook["files"], p.relative_to(copy).as_posix())]
    assert len(models) >= 9 and len(data_tests) >= 4 and linted == models + data_tests, linted
    planted = {project / "models" / "marts" / "zz_bad_model.sql", project / "tests" / "zz_bad_data_test.sql"}
    for path in planted:
        scratch.append(path)
        path.write_text("SELECT 1 AS X\n", encoding="utf-8")
    git(copy, "add", "-A")
    result = pre_commit(copy, "sqlfluff-lint", "--all-files")
    assert result.returncode != 0, result.stdout
    failed = set(re.findall(r"^== \[(.+?)\] FAIL", result.stdout, re.M))
    assert failed == {p.relative_to(project).as_posix() for p in planted}, result.stdout[-6000:]
    assert result.stdout.count("| CP01 |") >= 2, result.stdout[-6000:]
