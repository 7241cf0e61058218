"""Print, for every page of a built book: weight, requests and axe-core violations.

Usage: python tools/audit.py [HTML_DIR]   (default _build/html; `make audit` builds first)

Each page is loaded cold in Chromium, served on 127.0.0.1, in light and dark
colour schemes at 1280 and 320 px. Requests to other hosts are blocked and
counted. axe-core runs with the WCAG 2.2 AA tags. Exits 1 if any page breaks
a budget or has a violation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from site_check import (
    AXE_TAGS,
    ROOT,
    SCHEMES,
    WEIGHT_BUDGET_KIB,
    WIDTHS,
    Checker,
    built_pages,
    describe,
    serve,
    site_root,
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    html = Path(argv[0]) if argv else ROOT / "_build" / "html"
    pages = built_pages(html) if html.is_dir() else []
    if not pages:
        print(f"{html} has no built pages: run `make book` first.", file=sys.stderr)
        return 1
    problems = []
    rows = []
    with serve(html, site_root()) as base_url:
        checker = Checker(base_url)
        try:
            version = None
            for path in pages:
                weight = requests = None
                external: set[str] = set()
                counts = {}
                for scheme in SCHEMES:
                    total = 0
                    for width in WIDTHS:
                        page, load = checker.visit(path, scheme, width)
                        violations = checker.axe(page)
                        version = version or checker.axe_version(page)
                        total += len(violations)
                        external.update(load.blocked)
                        if violations:
                            problems.append(f"{path} ({scheme}, {width} px):\n{describe(violations)}")
                        if (scheme, width) == ("light", 1280):
                            weight, requests = load.kib, len(load.requests)
                    counts[scheme] = total
                if weight > WEIGHT_BUDGET_KIB:
                    problems.append(f"{path}: {weight:.0f} KiB, over the {WEIGHT_BUDGET_KIB} KiB budget")
                if external:
                    problems.append(f"{path}: requests to other hosts: {sorted(external)}")
                rows.append(
                    (
                        path,
                        f"{weight:.1f}",
                        str(requests),
                        str(len(external)),
                        str(counts["light"]),
                        str(counts["dark"]),
                    )
                )
        finally:
            checker.close()
    header = ("page", "weight (KiB)", "requests", "other hosts", "axe light", "axe dark")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row):
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "| " + " | ".join(cells) + " |"

    print(line(header))
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        print(line(row))
    print(
        f"\nCold loads in Chromium from 127.0.0.1; weight and requests at 1280 px, light. axe-core {version}, "
        f"tags {', '.join(AXE_TAGS)}; violations summed over {' and '.join(map(str, WIDTHS))} px. "
        f"Budget {WEIGHT_BUDGET_KIB} KiB a page."
    )
    if problems:
        print("\nProblems:\n" + "\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
