"""Live preview: build the book, serve it on 127.0.0.1 and rebuild on every save.

    make serve            # http://127.0.0.1:8000
    PORT=8001 make serve

It watches book/, notebooks/, _config.yml and the tools; after a change it
regenerates the navigation and rebuilds (notebooks re-run only if their code
changed). A failed build prints its errors and the last good build stays served.
Stop it with Ctrl+C.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
WATCHED = ["book", "notebooks", "_config.yml", "_templates", "tools"]
IGNORED_PARTS = {"_build", "output", ".ipynb_checkpoints", "__pycache__", "node_modules"}
BIN = Path(sys.executable).parent


def snapshot() -> dict[Path, float]:
    """Modification times of every watched file."""
    times = {}
    for name in WATCHED:
        path = ROOT / name
        files = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        for file in files:
            if file.is_file() and not IGNORED_PARTS.intersection(file.relative_to(ROOT).parts):
                times[file] = file.stat().st_mtime
    return times


def build() -> bool:
    started = time.perf_counter()
    steps = [
        [str(BIN / "python"), str(ROOT / "tools" / "make_toc.py")],
        [str(BIN / "jupyter-book"), "build", str(ROOT), "-W", "-n", "--keep-going"],
    ]
    for step in steps:
        result = subprocess.run(step, cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stdout[-4000:], result.stderr[-4000:], sep="\n")
            print("Build FAILED; still serving the last good build.", flush=True)
            return False
    print(f"Rebuilt in {time.perf_counter() - started:.1f} s.", flush=True)
    return True


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request: the terminal is for build messages."""

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    build()
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving http://127.0.0.1:{port}/ ; rebuilding on every save. Ctrl+C stops.", flush=True)
    seen = snapshot()
    try:
        while True:
            time.sleep(1)
            now = snapshot()
            if now != seen:
                changed = sorted(
                    str(p.relative_to(ROOT))
                    for p in set(now) ^ set(seen) | {p for p in now if p in seen and now[p] != seen[p]}
                )
                print(f"Changed: {', '.join(changed[:5])}{' ...' if len(changed) > 5 else ''}", flush=True)
                build()
                seen = snapshot()
    except KeyboardInterrupt:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
