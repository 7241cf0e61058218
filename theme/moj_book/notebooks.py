"""Notebook pages: a link to download the example under the title, and no scripts nothing uses.

The download is what the book offers for the page: a handler of the event
``moj-book-notebook-download`` (the book's own extension builds each example's
archive) returns ``{"path": ..., "summary": ...}``, the file's path within the built
site and what it holds. With none, the page offers the notebook file itself.
"""

from __future__ import annotations

import html
from pathlib import Path

from .html import Page

EVENT = "moj-book-notebook-download"


def size(path: Path) -> str:
    """A file's size as GOV.UK writes it on attachments: 950 bytes, 12 KB, 1.4 MB."""
    count = path.stat().st_size
    if count < 1000:
        return f"{count} bytes"
    if count < 1_000_000:
        return f"{round(count / 1000)} KB"
    return f"{count / 1_000_000:.1f} MB"


def download_link(page: Page) -> str:
    found = page.app.emit_firstresult(EVENT, page.name)
    if found:
        target = Path(page.app.outdir) / found["path"]
        href = html.escape(page.pathto(found["path"], resource=True))
        name = html.escape(target.name)
        return (
            f'<p class="govuk-body app-download"><a class="govuk-link" href="{href}" download>'
            f"Download this example ({name}, {size(target)})</a>: {html.escape(found['summary'])}.</p>"
        )
    source = page.context.get("sourcename")
    href = html.escape(page.pathto("_sources/" + source, resource=True))
    name = html.escape(source.rsplit("/", 1)[-1])
    return (
        f'<p class="govuk-body app-download"><a class="govuk-link" href="{href}" download>'
        f'Download this notebook<span class="govuk-visually-hidden"> in Jupyter format</span> ({name})</a></p>'
    )


def page(page: Page) -> None:
    if page.body is None:
        return
    # sphinx-thebe's settings and myst-nb's kernel name: no launch button on this book uses them.
    for script in page.body.find_all("script"):
        if script.get("type") == "text/x-thebe-config" or (script.string or "").lstrip().startswith("kernelName ="):
            script.decompose()
    if page.is_notebook and page.context.get("sourcename"):
        page.after_h1(download_link(page))


def setup(app) -> None:
    app.add_event(EVENT)
