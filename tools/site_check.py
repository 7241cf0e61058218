"""Serve the built book and check its pages in Chromium: weight, requests, axe-core.

Used by the accessibility and budget tests (tests/), `make audit` and
`make screenshots`. The browser is Debian's Chromium (/usr/bin/chromium, or
$CHROMIUM), driven by Playwright; axe-core comes from node_modules (npm ci).
Every request is intercepted: anything not for the local server is recorded
and aborted, so a page that would reach another host is caught, never served.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from moj_book import not_found

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# What a colour scheme can change on a page of the same content and layout: its colours. So the
# page is checked with every rule once, in light, and in dark with the rules about colour alone.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
SCHEMES = ["light", "dark"]
# The widths every check runs at (axe-core in each scheme, the Tab walk, reflow, requests).
WIDTHS = [1280, 320]
# A phone (an iPhone 14's window): what its first screen shows is measured there.
PHONE = 390
# The window's height at each width (a desktop's 1280 x 900, the phone's 390 x 844); others HEIGHT.
SCREEN_HEIGHTS = {1280: 900, PHONE: 844}
HEIGHT = 800
WEIGHT_BUDGET_KIB = 300
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]
# How long a loaded page must ask for nothing more before its load counts as done (Checker.visit),
# by its own clock (QUIET); and then how long the events of its last requests may take to arrive.
QUIET_MS = 100
EVENTS_MS = 20
# A promise that resolves once the page has drawn two more frames: styles and layout are current.
TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# Two more frames, then `ms` by the page's own timer: a timer the page set for less runs first.
QUIET = "ms => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, ms))))"
# Folders of the build that hold assets, not pages.
NOT_PAGES = {"_static", "_sources", "_images", "_downloads"}


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise FileNotFoundError(
            f"Chromium not found at {path}: install Debian's chromium (`apt-get install chromium`) or set CHROMIUM."
        )
    return path


def axe_source() -> str:
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run `npm ci` in {ROOT} (Node 20 or newer).")
    return AXE.read_text(encoding="utf-8")


def expected_pages(root: Path = ROOT) -> list[str]:
    """Every page the build should have: the table of contents, then search and 404."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            for part in entry.get("parts", []) or []:
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    found = [f"{page}.html" for page in pages] + ["search.html", "404.html"]
    if "index.html" not in found:
        found.append("index.html")  # Jupyter Book's redirect to the root page
    return found


# Where the browser tests load the 404 page: an address of no page, in a sub-folder of the site,
# as GitHub Pages serves it (its links and styles must work from there).
NOT_FOUND_ADDRESS = "book/gone/missing.html"
REDIRECT = "index.html"


def browser_pages(root: Path = ROOT) -> list[str]:
    """Every page as the browser tests load it: the expected pages, with the 404 page at
    NOT_FOUND_ADDRESS instead of its own file."""
    return [NOT_FOUND_ADDRESS if page == "404.html" else page for page in expected_pages(root)]


def reader_pages(root: Path = ROOT) -> list[str]:
    """The browser pages a reader sees: all but Jupyter Book's redirect from the site's root
    to the root page (index.html, when the root page is another)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    redirect = toc["root"] != "index"
    return [page for page in browser_pages(root) if not (redirect and page == REDIRECT)]


def built_pages(html: Path) -> list[str]:
    """Every HTML page in a build, relative to its root, as POSIX paths."""
    pages = []
    for path in sorted(html.rglob("*.html")):
        rel = path.relative_to(html)
        if rel.parts[0] not in NOT_PAGES:
            pages.append(rel.as_posix())
    return pages


def site_root(root: Path = ROOT) -> str:
    """The path the book is published under (html.baseurl's path in _config.yml), with a slash
    at each end: /data-and-analytics-engineering/ on GitHub Pages; / if no baseurl is set."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    return not_found.site_root((config.get("html") or {}).get("baseurl"))


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a build under a path (the site root), as GitHub Pages publishes it: an address
    outside that path, or of no file, gets the build's 404.html with status 404."""

    site_root = "/"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def translate_path(self, path):
        url_path = urlsplit(path).path
        if not url_path.startswith(self.site_root):
            return ""
        return super().translate_path("/" + url_path[len(self.site_root) :])

    def send_head(self):
        path = self.translate_path(self.path)
        if path and os.path.exists(path):
            return super().send_head()
        not_found = Path(self.directory) / "404.html"
        body = not_found.read_bytes() if not_found.is_file() else b"Not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8" if not_found.is_file() else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(html: Path, site_root: str = "/"):
    """Serve a folder on 127.0.0.1 on a free port under ``site_root``; yield the base URL
    (which ends in ``site_root``). A missing address gets the folder's 404.html, status 404."""
    handler = functools.partial(type("Handler", (_SiteHandler,), {"site_root": site_root}), directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{site_root}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Load:
    """What one cold page load fetched."""

    url: str
    status: int | None = None
    local_bytes: int = 0
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # What the browser's console said: errors and warnings ("error: <text> @ <address>"), and
    # uncaught exceptions ("uncaught: <error>").
    console: list[str] = field(default_factory=list)

    @property
    def kib(self) -> float:
        return self.local_bytes / 1024


class _Recorder:
    """Records what a tab's current page fetches and logs into a Load: requests to the served
    host go on, any other is blocked (and recorded); the console's errors and warnings."""

    def __init__(self, page):
        self.load, self.host = Load(url=""), ""
        self.in_flight: set = set()  # the requests let through and not yet finished or failed
        page.route("**/*", self._route)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.load.console.append(f"uncaught: {error}"))

    def start(self, load: Load, host: str) -> Load:
        self.load, self.host = load, host
        self.in_flight.clear()
        return load

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).netloc == self.host:
            self.load.requests.append(url)
            self.in_flight.add(route.request)
            route.continue_()
        else:
            self.load.blocked.append(url)
            route.abort()

    def _finished(self, request):
        self.in_flight.discard(request)
        if urlsplit(request.url).netloc == self.host:
            sizes = request.sizes()
            self.load.local_bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def _failed(self, request):
        self.in_flight.discard(request)
        self.load.failed.append(request.url)

    def settle(self, page, timeout: float = 30.0) -> None:
        """Return once the page has drawn two frames and then asked for nothing for QUIET_MS, with
        every request it made finished: what it fetches as it loads and lays out (fonts, images, a
        stylesheet a media query asks for) is then recorded, bytes included. Playwright's
        "networkidle" waits 500 ms of quiet on every load; this waits QUIET_MS."""
        from playwright.sync_api import Error

        deadline = time.monotonic() + timeout
        while True:
            asked = len(self.load.requests) + len(self.load.blocked)
            try:
                # By the page's own clock, so that a timer the page set for less than QUIET_MS runs first
                # however busy the machine (by this process's clock, a timer of 80 ms after the load
                # fired too late on a loaded 2-core machine, and its request went unrecorded).
                page.evaluate(QUIET, QUIET_MS)
            except Error as error:  # the page went on to another (a redirect): wait for that one's load
                if "context was destroyed" not in str(error):
                    raise
                page.wait_for_load_state("load")
                continue
            page.wait_for_timeout(EVENTS_MS)  # the events of what was asked meanwhile arrive here
            if not self.in_flight and asked == len(self.load.requests) + len(self.load.blocked):
                return
            if time.monotonic() > deadline:
                waiting = sorted(request.url for request in self.in_flight)
                raise TimeoutError(f"{self.load.url}: still loading after {timeout:.0f} s: {waiting}")

    def _console(self, message):
        if message.type in ("error", "warning"):
            self.load.console.append(f"{message.type}: {message.text} @ {message.location.get('url', '')}")


_PLAYWRIGHT: dict = {}  # this process's Playwright ("driver") and how many are using it


@contextlib.contextmanager
def shared_playwright():
    """Playwright's sync API, started once in this process and shared: a second
    ``sync_playwright()`` while one runs fails ("Sync API inside the asyncio loop"), so a test
    that needs a Chromium of its own beside the session's must use this one. It stops when its
    last user is done."""
    from playwright.sync_api import sync_playwright

    if not _PLAYWRIGHT:
        _PLAYWRIGHT.update(driver=sync_playwright().start(), users=0)
    _PLAYWRIGHT["users"] += 1
    try:
        yield _PLAYWRIGHT["driver"]
    finally:
        _PLAYWRIGHT["users"] -= 1
        if not _PLAYWRIGHT["users"]:
            _PLAYWRIGHT.pop("driver").stop()
            _PLAYWRIGHT.clear()


class Checker:
    """One Chromium for a session; a browser context per colour scheme and width, and in each
    a tab that ``visit`` reuses."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._driver = contextlib.ExitStack()
        playwright = self._driver.enter_context(shared_playwright())
        self.browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        self._contexts = {}
        self._tabs = {}
        self._axe = axe_source()

    def close(self):
        for context in self._contexts.values():
            context.close()
        self.browser.close()
        self._driver.close()

    def context(self, scheme: str = "light", width: int = 1280):
        key = (scheme, width)
        if key not in self._contexts:
            self._contexts[key] = self.browser.new_context(
                viewport={"width": width, "height": SCREEN_HEIGHTS.get(width, HEIGHT)},
                color_scheme=scheme,
                service_workers="block",
            )
        return self._contexts[key]

    def visit(self, path: str, scheme: str = "light", width: int = 1280, base_url: str | None = None):
        """Load a page cold (routing turns the HTTP cache off) in the one tab this checker keeps
        for the scheme and width; return (page, Load). The caller must not close the tab: a new
        one costs Chromium a renderer process of its own, twice the CPU of the load itself. What
        an earlier visit changed is undone: the navigation starts a new document, and the media
        emulated (print, the other colour scheme) is set back to the context's.

        Only the server at base_url (by default the book's) is reachable."""
        key = (scheme, width)
        if key not in self._tabs or self._tabs[key][0].is_closed():
            page = self.context(scheme, width).new_page()
            self._tabs[key] = (page, _Recorder(page))
        page, recorder = self._tabs[key]
        page.emulate_media(media="screen", color_scheme=scheme)
        base_url = base_url or self.base_url
        load = recorder.start(Load(url=base_url + path), urlsplit(base_url).netloc)
        response = page.goto(load.url, wait_until="load")
        load.status = response.status if response else None
        recorder.settle(page)
        return page, load

    def settle(self, page) -> None:
        """Wait until the page in this checker's tab has fetched all it asks for (_Recorder.settle):
        after a visit's load, or after something on it (a search, a scheme) asks for more."""
        recorder = next(recorder for tab, recorder in self._tabs.values() if tab is page)
        recorder.settle(page)

    def set_scheme(self, page, scheme: str) -> None:
        """Switch a loaded page to another colour scheme, as a reader's system setting would.

        The styles are worked out again at once, and what the new scheme asks for (a
        stylesheet, an image) is fetched and recorded before this returns (settle)."""
        page.emulate_media(color_scheme=scheme)
        self.settle(page)

    def axe(self, page, rules: list[str] | None = None) -> list[dict]:
        """Run axe-core with the WCAG 2.2 AA tags (or only `rules`); return its violations."""
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=self._axe)
        only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
        result = page.evaluate("only => axe.run(document, {runOnly: only, resultTypes: ['violations']})", only)
        return result["violations"]

    def axe_version(self, page) -> str:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=self._axe)
        return page.evaluate("axe.version")


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"]) for n in v["nodes"]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets[:5]}")
    return "\n".join(lines)
