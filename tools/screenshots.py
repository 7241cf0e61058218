"""Take PNG screenshots of Home, About and a notebook page at desktop and phone widths.

Usage: python tools/screenshots.py [HTML_DIR] [OUT_DIR]
(defaults: _build/html and _build/screenshots). `make screenshots` builds first.
"""

from __future__ import annotations

import sys
from pathlib import Path

from site_check import ROOT, Checker, built_pages, serve, site_root

WIDTHS = {"desktop": 1280, "mobile": 390}


def pages_to_shoot(html: Path) -> dict[str, str]:
    pages = {"home": "book/index.html", "about": "book/about.html"}
    notebooks = [p for p in built_pages(html) if p.startswith("notebooks/")]
    if notebooks:
        pages["notebook"] = notebooks[0]
    return pages


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    html = Path(argv[0]) if argv else ROOT / "_build" / "html"
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "_build" / "screenshots"
    if not (html / "book" / "index.html").exists():
        print(f"{html} has no built book: run `make book` first.", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    pages = pages_to_shoot(html)
    if "notebook" not in pages:
        print("No notebook page in this build (nothing under notebooks/): no notebook screenshot.")
    with serve(html, site_root()) as base:
        checker = Checker(base)
        try:
            for name, path in pages.items():
                for label, width in WIDTHS.items():
                    page, load = checker.visit(path, "light", width)
                    target = out / f"{name}-{label}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(f"{target}  ({path}, {width} px, {load.kib:.0f} KiB)")
        finally:
            checker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
