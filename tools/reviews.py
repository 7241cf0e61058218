"""List every page with its owner and when its review is due, overdue first.

    python tools/reviews.py                     # or: make reviews
    python tools/reviews.py --today 2027-06-01  # as it will stand on that day

Exit status: 0 when no page is overdue, 1 when any page is overdue or has
missing or malformed review dates (each named with its file and the fix). The
GitHub workflow runs it every week, so an overdue page fails that run and the
maintainers hear of it. The dates and owners come from each page's front matter
(a notebook's metadata): ``last_reviewed_on``, ``review_in`` and ``owner_slack``,
which defaults to ``review_default_owner`` in _config.yml.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import yaml
from moj_book.review import ReviewError, long_date, parse_review

from pages import ROOT, PageError, find_sources, read_metadata


def default_owner(root: Path) -> str | None:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    options = ((config.get("sphinx") or {}).get("config") or {}).get("html_theme_options") or {}
    return options.get("review_default_owner")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="book root")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today(), help="judge as on this day")
    args = parser.parse_args(argv)
    owner = default_owner(args.root)
    rows, problems = [], []
    for rel in find_sources(args.root):
        try:
            meta = read_metadata(args.root / rel, rel)
            review = parse_review(meta, rel, owner)
        except (PageError, ReviewError) as exc:
            problems.extend(exc.problems if isinstance(exc, PageError) else [str(exc)])
            continue
        rows.append((review.overdue(args.today), review.review_by, rel.as_posix(), str(meta.get("title", rel)), review))
    rows.sort(key=lambda row: (not row[0], row[1], row[2]))
    print(f"Page reviews as on {long_date(args.today)}:\n")
    print("| status | review by | page | owner | last reviewed |")
    print("| --- | --- | --- | --- | --- |")
    for overdue, review_by, path, title, review in rows:
        status = "OVERDUE" if overdue else "current"
        print(
            f"| {status} | {review_by.isoformat()} | {title} ({path}) | {review.owner_slack or '(none)'} "
            f"| {review.last_reviewed_on.isoformat()} |"
        )
    overdue = [row for row in rows if row[0]]
    print()
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    if overdue:
        print(f"{len(overdue)} page(s) overdue for review: review each, then set its `last_reviewed_on` to the day.")
    elif not problems:
        print(f"No page is overdue. The next review is due on {long_date(rows[0][1])}." if rows else "No pages.")
    return 1 if overdue or problems else 0


if __name__ == "__main__":
    sys.exit(main())
