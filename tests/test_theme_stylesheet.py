"""The theme's stylesheet is compiled by Sass once for the same inputs, and again when one of them
changes (theme/moj_book/stylesheet.py). These tests give it a stand-in for Sass that records each
call, in a node_modules folder of their own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from moj_book import stylesheet
from sphinx.errors import ExtensionError

FAKE_SASS = """#!/bin/sh
# Stands in for Sass: records the call; writes the file named last, or echoes its input (--stdin).
echo "$*" >> "$(dirname "$0")/../calls"
for last; do :; done
# Told to fail: stops half-way through the file it writes.
[ -e "$(dirname "$0")/../fail" ] && { echo "half" > "$last"; echo "Error: expected ';'" >&2; exit 1; }
case "$1" in --stdin) cat ;; *) echo "compiled" > "$last" ;; esac
"""


@pytest.fixture
def modules(tmp_path, monkeypatch) -> Path:
    """A node_modules with the stand-in for Sass, and a copy of the theme's Sass to change."""
    modules = tmp_path / "node_modules"
    (modules / ".bin").mkdir(parents=True)
    (modules / ".bin" / "sass").write_text(FAKE_SASS, encoding="utf-8")
    (modules / ".bin" / "sass").chmod(0o755)
    for package in ("sass", "govuk-frontend"):
        (modules / package).mkdir()
        (modules / package / "package.json").write_text('{"version": "1.0.0"}', encoding="utf-8")
    scss = tmp_path / "scss"
    shutil.copytree(stylesheet.SCSS, scss)
    monkeypatch.setattr(stylesheet, "SCSS", scss)
    return modules


def sass_calls(modules: Path) -> int:
    calls = modules / "calls"
    return len(calls.read_text(encoding="utf-8").splitlines()) if calls.exists() else 0


def test_the_same_inputs_compile_once_and_each_change_compiles_again(modules):
    first = stylesheet.compiled(modules, ".code { color: red }")
    assert sass_calls(modules) == 2, "Sass runs twice: the theme's Sass, then the code colours"
    text = first.read_text(encoding="utf-8")
    assert text.startswith("compiled\n") and text.endswith("\n.code { color: red }\n"), text
    assert first.parent == modules / ".cache" / "moj_book"
    assert stylesheet.compiled(modules, ".code { color: red }") == first
    assert sass_calls(modules) == 2, "the cached stylesheet was compiled again"
    changes = {
        "the code colours": lambda: ".code { color: blue }",
        "a Sass file": lambda: (stylesheet.SCSS / "_book.scss").write_text("a { b: c }", encoding="utf-8"),
        "a new Sass file": lambda: (stylesheet.SCSS / "_new.scss").write_text("", encoding="utf-8"),
        "Sass's version": lambda: (modules / "sass" / "package.json").write_text('{"version": "1.0.1"}'),
        "GOV.UK Frontend's version": lambda: (modules / "govuk-frontend" / "package.json").write_text("{}"),
    }
    pygments, calls, before = ".code { color: red }", 2, first
    for what, change in changes.items():
        changed = change()
        pygments = changed if what == "the code colours" else pygments
        again = stylesheet.compiled(modules, pygments)
        calls += 2
        assert sass_calls(modules) == calls and again != before, f"a change of {what} did not compile again"
        before = again


def test_a_sass_error_fails_the_build_naming_the_file_and_caches_nothing(modules):
    (modules / "fail").touch()
    with pytest.raises(ExtensionError, match=r"Sass could not compile .*moj-book\.scss:\nError: expected ';'"):
        stylesheet.compiled(modules, "")
    assert list((modules / ".cache" / "moj_book").iterdir()) == []
    (modules / "fail").unlink()
    stylesheet.compiled(modules, "")
    assert sass_calls(modules) == 3, "after the error, the next build compiles again"


def test_the_cache_keeps_the_most_recently_used(modules):
    cache = modules / ".cache" / "moj_book"
    cache.mkdir(parents=True)
    for age in range(stylesheet.KEEP + 3):
        sheet = cache / f"{age:02d}.css"
        sheet.write_text("old", encoding="utf-8")
        os.utime(sheet, (1e9 - age, 1e9 - age))
    (cache / "stopped.part").write_text("half", encoding="utf-8")
    os.utime(cache / "stopped.part", (1e9, 1e9))
    (cache / "running.part").write_text("half", encoding="utf-8")
    used = stylesheet.compiled(modules, "")
    kept = sorted(path.name for path in cache.iterdir())
    expected = [f"{age:02d}.css" for age in range(stylesheet.KEEP - 1)] + ["running.part", used.name]
    assert kept == sorted(expected)
