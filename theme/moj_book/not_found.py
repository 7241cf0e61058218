"""The 404 page works at any address: its links and styles are absolute paths from the site root.

A web server shows 404.html for every address that does not exist (GitHub Pages does),
such as ``/book/missing.html``: links relative to the page would resolve against that
address, and lead nowhere. The site root is the path of ``html_baseurl`` (for the book,
``/data-and-analytics-engineering/``), or ``/`` if none is set. Sphinx writes the page
with links relative to the build's root, where the page sits; once the build has
finished, each one is rewritten from the site root.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .theme_name import NAME

PAGENAME = "404"
# An attribute that holds an address, as Sphinx's templates write it (double quotes).
ADDRESS = re.compile(r'(\s(?:href|src|action|data-content_root)=")([^"]*)(")')
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def site_root(baseurl: str | None) -> str:
    """The path the site is published under, with a slash at each end."""
    path = urlsplit(baseurl or "").path.strip("/")
    return f"/{path}/" if path else "/"


def absolute(address: str, root: str) -> str:
    """An address relative to the build's root, from the site root; others are left alone."""
    if not address or address.startswith(("#", "/")) or SCHEME.match(address):
        return address
    return urljoin(root, address)


def rewrite(html: str, root: str) -> str:
    return ADDRESS.sub(lambda m: m.group(1) + absolute(m.group(2), root) + m.group(3), html)


def _make_absolute(app, exception) -> None:
    if exception is not None or app.builder.format != "html" or app.config.html_theme != NAME:
        return
    path = Path(app.outdir) / f"{PAGENAME}{app.builder.out_suffix}"
    if path.is_file():
        html = path.read_text(encoding="utf-8")
        path.write_text(rewrite(html, site_root(app.config.html_baseurl)), encoding="utf-8")


def setup(app) -> None:
    app.connect("build-finished", _make_absolute)
