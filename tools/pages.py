"""The book's pages and notebooks, and what their front matter (or notebook metadata) says.

One reader for every tool that needs a page's metadata: the navigation
generator (make_toc.py), the drafts list (drafts.py), the review list
(reviews.py) and the build's own checks (book_extensions.py).

A page is a MyST Markdown file under ``book/`` that starts with YAML front matter
between two ``---`` lines; a notebook under ``notebooks/`` carries the same keys
in its notebook metadata. Besides the navigation keys (see make_toc.py), every
page has:

- ``description``: one or two sentences for search engines and link previews;
- ``last_reviewed_on``: the date someone last checked the page was right
  (``2026-12-02``), and ``review_in``: how long until it must be checked again
  (``6 months``; units: days, weeks, months, years);
- optionally ``owner_slack``: who reviews it (default: ``html_theme_options.
  review_default_owner`` in _config.yml).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# Folders never scanned for pages.
SKIP_PARTS = {"_build", ".ipynb_checkpoints", "node_modules", "output"}


class PageError(Exception):
    """One or more problems in the pages' front matter, each naming its file and the fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class FrontMatter:
    meta: dict
    body_line: int  # the 1-based number of the first line after the front matter (1 if none)


def split_front_matter(text: str) -> tuple[str, int] | None:
    """The YAML between the opening and closing ``---`` lines, and the first line after them; or None."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:i]), i + 2
    return None


def read_front_matter(text: str, rel: Path | str) -> FrontMatter:
    """Parse a Markdown page's front matter; raise PageError naming the file if it is missing or invalid."""
    split = split_front_matter(text)
    if split is None:
        raise PageError(
            [
                f"{rel}:1: no front matter. Start the page with a `---` line, then "
                "`title:`, `eleventyNavigation:` with `key:` and `parent:`, then a closing `---`."
            ]
        )
    block, body_line = split
    try:
        meta = yaml.safe_load(block) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 2}" if mark is not None else ""
        raise PageError([f"{rel}{where}: the front matter is not valid YAML ({exc}). Fix its syntax."]) from exc
    except ValueError as exc:  # YAML reads 2026-13-01 as a date, and fails
        raise PageError(
            [f"{rel}: the front matter holds a date that does not exist ({exc}). Write real dates, as 2026-12-02."]
        ) from exc
    if not isinstance(meta, dict):
        raise PageError([f"{rel}: the front matter must be `key: value` lines, not {type(meta).__name__}."])
    return FrontMatter(meta, body_line)


def read_metadata(path: Path, rel: Path | str | None = None) -> dict:
    """A page's front matter, or a notebook's metadata, as a dict."""
    rel = rel if rel is not None else path
    if path.suffix == ".ipynb":
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PageError([f"{rel}: not a readable notebook ({exc}). Open and save it in Jupyter."]) from exc
        return notebook.get("metadata", {})
    return read_front_matter(path.read_text(encoding="utf-8"), rel).meta


def find_sources(root: Path = ROOT) -> list[Path]:
    """All pages in book/ and notebooks in notebooks/, relative to root."""
    found = []
    for folder, pattern in (("book", "*.md"), ("notebooks", "*.ipynb")):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob(pattern)):
            rel = path.relative_to(root)
            if any(part in SKIP_PARTS or part.startswith(".") for part in rel.parts):
                continue
            found.append(rel)
    return found


def check_metadata(meta: dict, rel: Path | str) -> list[str]:
    """What a page's metadata lacks besides navigation: a description and review dates.

    (Review dates that are there but malformed are the theme's to report: moj_book.review.)"""
    where = "the notebook's metadata" if str(rel).endswith(".ipynb") else "the front matter"
    problems = []
    description = meta.get("description")
    if not isinstance(description, str) or not description.strip():
        problems.append(
            f"{rel}: no `description` in {where}. Add `description: <one or two sentences saying what the page "
            "is for>`; search engines and link previews show it."
        )
    for key, example in (("last_reviewed_on", "2026-12-02"), ("review_in", "6 months")):
        if key not in meta:
            problems.append(
                f"{rel}: no `{key}` in {where}. Every page says when it was last checked and when it must be "
                f"checked again: add `{key}: {example}` (see CONTRIBUTING.md, Review a page)."
            )
    return problems


def today() -> dt.date:
    return dt.date.today()
