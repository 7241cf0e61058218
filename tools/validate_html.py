"""Check built pages with the Nu HTML Checker (vnu, the W3C's validator), offline.

    python tools/validate_html.py [HTML_DIR]      (default _build/html)

vnu.jar comes from the pinned front-end packages (npm `vnu-jar`, `npm ci`); it
runs on the Java that Spark runs on, found and checked by `local_spark.java` (JAVA_HOME,
then PATH; 17 or newer). Errors are printed as ``page:line: message``; warnings
and informational messages are not errors and are left out. Exit status 1 if
any page has an error.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from local_spark.java import require_java

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The line Java writes first on stderr when it picks up options from JAVA_TOOL_OPTIONS.
PICKED_UP = re.compile(r"(NOTE: )?Picked up [A-Z_]+: ")
# Folders of a build that hold no pages.
ASSETS = ("_static", "_images", "_sources", "_downloads", "api")


@dataclass(frozen=True)
class Error:
    page: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line or '?'}: {self.message}"


def pages(html: Path) -> list[Path]:
    return sorted(p for p in Path(html).rglob("*.html") if p.relative_to(html).parts[0] not in ASSETS)


def java() -> str:
    """The Java to run vnu with; raises FileNotFoundError (local_spark.java.JavaNotFound), saying what to install."""
    return require_java()


def validate(files: list[Path]) -> list[Error]:
    """Run vnu once over every file; return its errors."""
    if not VNU.is_file():
        raise FileNotFoundError(f"{VNU} is missing: run `npm ci` in {ROOT} (or `make setup`).")
    result = subprocess.run(
        [java(), "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        # Java's default compilers: the tests' JDK_JAVA_OPTIONS, for short Spark runs
        # (local_spark.java.SHORT_RUN_OPTIONS), overflow the checker's stack.
        env={name: value for name, value in os.environ.items() if name != "JDK_JAVA_OPTIONS"},
    )
    output = [line for line in (result.stderr or result.stdout).splitlines() if not PICKED_UP.match(line)]
    try:
        report = json.loads("\n".join(output) or '{"messages": []}')
    except json.JSONDecodeError:
        raise RuntimeError(
            f"The Nu HTML Checker ({VNU}) did not report in JSON; it said:\n" + "\n".join(output)
        ) from None
    errors = []
    for message in report.get("messages", []):
        if message.get("type") != "error":
            continue
        page = Path(unquote(urlsplit(message.get("url", "")).path))
        errors.append(Error(page, message.get("lastLine"), message.get("message", "").strip()))
    return errors


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    html = Path(argv[0]) if argv else ROOT / "_build" / "html"
    files = pages(html)
    if not files:
        print(f"{html} has no built pages: run `make book` first.", file=sys.stderr)
        return 1
    errors = validate(files)
    for error in errors:
        print(error)
    print(f"{len(errors)} error(s) in {len(files)} pages." if errors else f"{len(files)} pages, no errors.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
