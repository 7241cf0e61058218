"""List the sections of the book that are still placeholders.

    python tools/drafts.py          # or: make drafts
    python tools/drafts.py --fail   # exit 1 if there are any (for a release check)

A placeholder is a line in a page under book/ that says the section is not
written yet, such as "We are still writing this section." Each is printed as
``file:line: heading: the placeholder text``, where the heading is the one the
placeholder sits under (or the page's title when it comes before any heading).
Code blocks are skipped: a placeholder phrase inside an example is not a draft.
Directives such as ```{note} are read, since that is where placeholders live.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pages import PageError, read_front_matter, split_front_matter

ROOT = Path(__file__).resolve().parent.parent
# Phrases that mark a section as not written yet (case does not matter).
PLACEHOLDERS = [
    r"we are still writing this (section|page)",
    r"this (section|page) is (a placeholder|not written yet|coming soon)",
    r"coming soon",
]
PATTERN = re.compile("|".join(f"(?:{p})" for p in PLACEHOLDERS), re.IGNORECASE)
# Markers writers leave, in capitals only: "a todo list" is prose, "TODO" is not.
MARKERS = re.compile(r"\b(TODO|TBC|FIXME)\b")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


@dataclass
class Draft:
    path: Path
    line: int
    heading: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.heading}: {self.text}"


def _front_matter(text: str, rel: Path) -> tuple[dict, int]:
    """The page's front matter (empty if it has none or it is broken: not this tool's job) and
    the index of the first line after it."""
    try:
        front = read_front_matter(text, rel)
    except PageError:
        split = split_front_matter(text)
        return {}, (split[1] - 1 if split else 0)
    return front.meta, front.body_line - 1


def drafts_in(path: Path, rel: Path) -> list[Draft]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    meta, start = _front_matter(text, rel)
    heading = str(meta.get("title") or rel.stem)
    found: list[Draft] = []
    fence: str | None = None  # the closing fence of the code block we are in
    for number, line in enumerate(lines[start:], start=start + 1):
        opening = FENCE.match(line)
        if fence is not None:
            if opening and opening.group(2).startswith(fence) and not opening.group(3).strip():
                fence = None
            continue
        if opening and not opening.group(3).strip().startswith("{"):
            fence = opening.group(2)  # a code block: skip to its closing fence
            continue
        match = HEADING.match(line)
        if match:
            heading = match.group(2)
            continue
        if PATTERN.search(line) or MARKERS.search(line):
            found.append(Draft(rel, number, heading, line.strip()))
    return found


def find_drafts(root: Path = ROOT) -> list[Draft]:
    book = root / "book"
    pages = sorted(p for p in book.rglob("*.md") if not any(part.startswith(".") for part in p.parts))
    return [d for page in pages for d in drafts_in(page, page.relative_to(root))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="book root (holds book/)")
    parser.add_argument("--fail", action="store_true", help="exit 1 if any section is still a placeholder")
    args = parser.parse_args(argv)
    drafts = find_drafts(args.root)
    for draft in drafts:
        print(draft)
    if not drafts:
        print("No sections are waiting to be written.")
        return 0
    print(f"{len(drafts)} section(s) still to write.")
    return 1 if args.fail else 0


if __name__ == "__main__":
    sys.exit(main())
