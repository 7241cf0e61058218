"""Check every internal link and anchor of a built book, offline.

    python tools/check_links.py [HTML_DIR]      (default _build/html)

Every ``href`` and ``src`` on every page that points inside the book must name
a file of the build, and every ``#fragment`` an element with that ``id`` on the
target page. Links to other sites are not fetched here: the scheduled workflow
checks them with Sphinx's linkcheck, because other sites are slow and flaky.
Exit status 1, with one line per broken link (page, link, what is wrong).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from site_check import site_root

ROOT = Path(__file__).resolve().parent.parent
# Attributes that hold a link, by element.
LINKS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "form": "action"}
# Folders of a build that hold no pages.
ASSETS = ("_static", "_images", "_sources", "_downloads", "api")


@cache
def _ids(page: Path) -> frozenset[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    ids |= {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return frozenset(ids)


def pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if p.relative_to(html).parts[0] not in ASSETS)


def broken_links(html: Path, site_root: str = "/") -> list[str]:
    """Every internal link or anchor of the build at ``html`` that leads nowhere. A path from the
    server's root (as the 404 page's links are) must start with ``site_root``, where the build
    is published."""
    html = Path(html).resolve()
    _ids.cache_clear()
    problems = []
    for page in pages(html):
        rel = page.relative_to(html).as_posix()
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in LINKS.items():
            for element in soup.find_all(tag, attrs={attribute: True}):
                link = element[attribute].strip()
                parts = urlsplit(link)
                if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:")):
                    continue  # another site, an email address or inline data: not a file of this book
                if parts.path.startswith("/"):
                    if not parts.path.startswith(site_root):
                        problems.append(f"{rel}: {link} is not under the site's root {site_root}")
                        continue
                    target = (html / unquote(parts.path[len(site_root) :])).resolve()
                else:
                    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_relative_to(html):
                    problems.append(f"{rel}: {link} points outside the book")
                elif not target.is_file():
                    problems.append(f"{rel}: {link}: there is no {target.relative_to(html).as_posix()}")
                elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _ids(target):
                    where = target.relative_to(html).as_posix()
                    problems.append(f"{rel}: {link}: {where} has no element with id “{unquote(parts.fragment)}”")
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    html = Path(argv[0]) if argv else ROOT / "_build" / "html"
    if not pages(html):
        print(f"{html} has no built pages: run `make book` first.", file=sys.stderr)
        return 1
    problems = broken_links(html, site_root())
    for problem in problems:
        print(problem)
    print(f"{len(problems)} broken internal link(s) in {len(pages(html))} pages." if problems else "No broken links.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
