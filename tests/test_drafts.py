"""tools/drafts.py (`make drafts`): lists the sections that are still placeholders."""

from __future__ import annotations

import textwrap
from pathlib import Path

import drafts
from conftest import ROOT


def page(root: Path, name: str, text: str) -> None:
    path = root / "book" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def test_lists_each_placeholder_with_file_line_and_heading(tmp_path, capsys):
    page(
        tmp_path,
        "about.md",
        """
        ---
        title: About
        ---
        Coming soon: a welcome.

        ## History

        ### Our beginnings

        ```{note}
        We are still writing this section.
        ```

        ## Written

        This one is finished.
        """,
    )
    page(tmp_path, "team/join.md", "# Join us\n\n## Roles\n\nTODO: list the roles.\n")
    assert drafts.main(["--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "book/about.md:4: About: Coming soon: a welcome.",
        "book/about.md:11: Our beginnings: We are still writing this section.",
        "book/team/join.md:5: Roles: TODO: list the roles.",
        "3 section(s) still to write.",
    ]


def test_code_blocks_are_not_drafts_but_directives_are_read(tmp_path):
    page(
        tmp_path,
        "code.md",
        """
        # Code

        ```python
        # TODO: an example comment, not a draft
        print("We are still writing this section")
        ```

        ~~~~
        coming soon
        ~~~~

        :::{note}
        Coming soon.
        :::
        """,
    )
    found = drafts.find_drafts(tmp_path)
    assert [(d.line, d.heading) for d in found] == [(13, "Code")]


def test_a_finished_book_has_no_drafts_and_fail_mode_fails_only_on_drafts(tmp_path, capsys):
    page(tmp_path, "index.md", "---\ntitle: Home\n---\nAll written, but TBC.\n")
    assert drafts.main(["--root", str(tmp_path), "--fail"]) == 1
    page(tmp_path, "index.md", "---\ntitle: Home\n---\nAll written. We built a todo list app; TBCs are gone.\n")
    assert drafts.main(["--root", str(tmp_path), "--fail"]) == 0
    assert "No sections are waiting to be written." in capsys.readouterr().out


def test_the_book_lists_our_beginnings_as_a_draft():
    found = [str(d) for d in drafts.find_drafts(ROOT)]
    assert any(
        line.startswith("book/about.md:") and ": Our beginnings: We are still writing this section." in line
        for line in found
    ), found
