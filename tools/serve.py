"""Live preview: build the book, serve it on 127.0.0.1, rebuild on every save and reload the page.

    make serve            # http://127.0.0.1:8000
    PORT=8001 make serve

It builds with `make book` (the same navigation step, flags and checks as ever)
and watches the files that build reads (`make book-inputs`: the pages, the
notebooks and what they read, the theme, the configuration). After a change it
builds again; notebooks re-run only if they or their inputs changed. A failed
build prints its errors and the last good build stays served. An open page
reloads itself after each good build: the server adds a small script, served
from this same address, to each page it sends, and the script asks the server
every second whether a newer build is ready. The built files are not changed.
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
# What the server adds to each page, and where the page asks for the build number.
RELOAD_PATH = "/_live/reload.js"
BUILD_PATH = "/_live/build"
RELOAD_SCRIPT = f"""// make serve: reload this page when a newer build of the book is ready.
(function () {{
  var seen = null;
  function check() {{
    fetch("{BUILD_PATH}", {{cache: "no-store"}}).then(function (r) {{ return r.text(); }}).then(function (build) {{
      if (seen !== null && build !== seen) {{ location.reload(); return; }}
      seen = build;
      setTimeout(check, 1000);
    }}, function () {{ setTimeout(check, 1000); }});
  }}
  check();
}})();
"""
RELOAD_TAG = f'<script src="{RELOAD_PATH}" defer></script>'.encode()


class Builds:
    """The number of the last good build, which pages poll."""

    def __init__(self):
        self.number = 0
        self._lock = threading.Lock()

    def succeeded(self) -> None:
        with self._lock:
            self.number += 1


class LiveHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built files, adds the reload script to pages, and does not log each request."""

    builds: Builds

    def do_GET(self):  # noqa: N802 (the base class's name)
        path = self.path.split("?", 1)[0]
        if path == RELOAD_PATH:
            return self._send(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        if path == BUILD_PATH:
            return self._send(str(self.builds.number).encode(), "text/plain; charset=utf-8")
        file = Path(self.translate_path(path))
        if file.is_dir():
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            page = file.read_bytes()
            at = page.rfind(b"</body>")
            page = page[:at] + RELOAD_TAG + page[at:] if at >= 0 else page + RELOAD_TAG
            return self._send(page, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, content: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def make_server(html: Path, builds: Builds, port: int = 0) -> http.server.ThreadingHTTPServer:
    """A live-preview server for a built book on 127.0.0.1 (port 0: any free port)."""
    handler = functools.partial(type("Handler", (LiveHandler,), {"builds": builds}), directory=str(html))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def watched() -> dict[Path, float]:
    """Modification times of every file the build reads, as `make book-inputs` lists them."""
    listed = subprocess.run(
        ["make", "--no-print-directory", "-s", "book-inputs"], cwd=ROOT, capture_output=True, text=True
    )
    times = {}
    for name in listed.stdout.split():
        path = ROOT / name
        if path.exists():
            times[path] = path.stat().st_mtime
    return times


def build() -> bool:
    started = time.perf_counter()
    result = subprocess.run(["make", "--no-print-directory", "book"], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-4000:], result.stderr[-4000:], sep="\n")
        print("Build FAILED; still serving the last good build.", flush=True)
        return False
    print(f"Rebuilt in {time.perf_counter() - started:.1f} s.", flush=True)
    return True


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    builds = Builds()
    if build():
        builds.succeeded()
    server = make_server(HTML, builds, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving http://127.0.0.1:{port}/ ; rebuilding on every save. Ctrl+C stops.", flush=True)
    seen = watched()
    try:
        while True:
            time.sleep(1)
            now = watched()
            if now != seen:
                changed = sorted(
                    str(p.relative_to(ROOT))
                    for p in set(now) ^ set(seen) | {p for p in now if p in seen and now[p] != seen[p]}
                )
                print(f"Changed: {', '.join(changed[:5])}{' ...' if len(changed) > 5 else ''}", flush=True)
                if build():
                    builds.succeeded()
                seen = watched()
    except KeyboardInterrupt:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
