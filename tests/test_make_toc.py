"""Unit tests for tools/make_toc.py: the navigation generated from front matter."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

import make_toc


def page(root: Path, name: str, front: str | None, body: str = "Some text.\n") -> Path:
    path = root / "book" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = body if front is None else f"---\n{textwrap.dedent(front).strip()}\n---\n{body}"
    path.write_text(text, encoding="utf-8")
    return path


def home(root: Path) -> None:
    page(root, "index.md", "title: Home page\neleventyNavigation:\n  key: Home")


def run(root: Path, *args: str) -> int:
    return make_toc.main(["--root", str(root), *args])


def toc(root: Path) -> dict:
    return yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))


def test_builds_a_nested_tree_ordered_by_order_then_title(tmp_path):
    home(tmp_path)
    page(tmp_path, "about.md", "title: About\norder: 1\neleventyNavigation: {key: About, parent: Home}")
    page(tmp_path, "zebra.md", "title: Zebra\neleventyNavigation: {key: Zebra, parent: Home, order: 0}")
    page(tmp_path, "b.md", "title: Bravo\neleventyNavigation: {key: B, parent: About}")
    page(tmp_path, "a.md", "title: alpha\neleventyNavigation: {key: A, parent: About}")
    page(tmp_path, "first.md", "title: Yankee\neleventyNavigation: {key: Y, parent: About, order: 1}")
    assert run(tmp_path) == 0
    assert toc(tmp_path) == {
        "format": "jb-book",
        "root": "book/index",
        "chapters": [
            {"file": "book/zebra"},
            {
                "file": "book/about",
                "sections": [{"file": "book/first"}, {"file": "book/a"}, {"file": "book/b"}],
            },
        ],
    }


def test_reads_notebook_metadata(tmp_path):
    home(tmp_path)
    nb = {
        "cells": [],
        "metadata": {"title": "A notebook", "order": 3, "eleventyNavigation": {"key": "NB", "parent": "Home"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "lesson.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert run(tmp_path) == 0
    assert toc(tmp_path)["chapters"] == [{"file": "notebooks/lesson"}]


def test_check_fails_when_the_toc_is_stale(tmp_path, capsys):
    home(tmp_path)
    assert run(tmp_path) == 0
    page(tmp_path, "new.md", "title: New\neleventyNavigation: {key: New, parent: Home}")
    assert run(tmp_path, "--check") == 1
    assert "out of date" in capsys.readouterr().err
    assert run(tmp_path) == 0 and run(tmp_path, "--check") == 0


BAD_CASES = {
    "no front matter": (
        lambda r: page(r, "bad.md", None, "# Just a heading\n"),
        "book/bad.md:1: no front matter",
    ),
    "no title": (
        lambda r: page(r, "bad.md", "eleventyNavigation: {key: Bad, parent: Home}"),
        "book/bad.md: no `title`",
    ),
    "no key": (
        lambda r: page(r, "bad.md", "title: Bad\neleventyNavigation: {parent: Home}"),
        "book/bad.md: `eleventyNavigation` has no `key`",
    ),
    "no navigation at all": (
        lambda r: page(r, "bad.md", "title: Bad"),
        "book/bad.md: no `eleventyNavigation`",
    ),
    "unknown parent": (
        lambda r: page(r, "bad.md", "title: Bad\neleventyNavigation: {key: Bad, parent: Abuot}"),
        "book/bad.md: the parent 'Abuot' is not the key of any page",
    ),
    "duplicate key": (
        lambda r: page(r, "bad.md", "title: Bad\neleventyNavigation: {key: Home, parent: Home}"),
        "book/index.md: the key 'Home' is already used by book/bad.md",
    ),
    "cycle": (
        lambda r: (
            page(r, "x.md", "title: X\neleventyNavigation: {key: X, parent: Y}"),
            page(r, "y.md", "title: Y\neleventyNavigation: {key: Y, parent: X}"),
        ),
        "cycle (X -> Y -> X)",
    ),
    # The tool once looped for ever here, walking the tree down from a Home that was inside a cycle.
    "home in a cycle": (
        lambda r: (
            page(r, "index.md", "title: Home page\neleventyNavigation: {key: Home, parent: A}"),
            page(r, "a.md", "title: A\neleventyNavigation: {key: A, parent: Home}"),
        ),
        "book/a.md: the navigation goes round in a cycle (A -> Home -> A)",
    ),
    "two roots": (
        lambda r: page(r, "bad.md", "title: Bad\neleventyNavigation: {key: Bad}"),
        "book/bad.md: no `eleventyNavigation.parent`, so the navigation from Home does not reach this page",
    ),
    "unreached below a cycle": (
        lambda r: (
            page(r, "x.md", "title: X\neleventyNavigation: {key: X, parent: X}"),
            page(r, "child.md", "title: Child\neleventyNavigation: {key: Child, parent: X}"),
        ),
        "book/child.md: the navigation from Home does not reach this page",
    ),
    "invalid YAML": (
        lambda r: page(r, "bad.md", "title: [unclosed\neleventyNavigation: {key: Bad, parent: Home}"),
        "book/bad.md:",
    ),
    "order not a number": (
        lambda r: page(r, "bad.md", "title: Bad\norder: first\neleventyNavigation: {key: Bad, parent: Home}"),
        "book/bad.md: `order` must be a number",
    ),
}


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_front_matter_names_the_file_and_writes_nothing(tmp_path, capsys, case):
    home(tmp_path)
    assert run(tmp_path) == 0
    before = (tmp_path / "_toc.yml").read_bytes()
    make_bad, expected = BAD_CASES[case]
    make_bad(tmp_path)
    assert run(tmp_path) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "_toc.yml was not changed" in err
    assert (tmp_path / "_toc.yml").read_bytes() == before


def test_no_home_page_is_an_error(tmp_path, capsys):
    page(tmp_path, "about.md", "title: About\neleventyNavigation: {key: About, parent: Home}")
    assert run(tmp_path) == 1
    assert "no page has `key: Home`" in capsys.readouterr().err
    assert not (tmp_path / "_toc.yml").exists()


def test_notebook_without_navigation_metadata_is_an_error(tmp_path, capsys):
    home(tmp_path)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "lost.ipynb").write_text(json.dumps({"cells": [], "metadata": {}}), encoding="utf-8")
    assert run(tmp_path) == 1
    assert "notebooks/lost.ipynb: the notebook metadata has no `eleventyNavigation`" in capsys.readouterr().err


def test_hidden_and_build_folders_are_not_pages(tmp_path):
    home(tmp_path)
    page(tmp_path, ".hidden/secret.md", None)
    (tmp_path / "notebooks" / "_build").mkdir(parents=True)
    (tmp_path / "notebooks" / "_build" / "copy.ipynb").write_text("{}", encoding="utf-8")
    assert run(tmp_path) == 0
