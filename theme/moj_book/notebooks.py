"""Notebook pages: a link to download the notebook under the title, and no scripts nothing uses."""

from __future__ import annotations

import html

from .html import Page


def page(page: Page) -> None:
    if page.body is None:
        return
    # sphinx-thebe's settings and myst-nb's kernel name: no launch button on this book uses them.
    for script in page.body.find_all("script"):
        if script.get("type") == "text/x-thebe-config" or (script.string or "").lstrip().startswith("kernelName ="):
            script.decompose()
    source = page.context.get("sourcename")
    if page.is_notebook and source:
        href = html.escape(page.pathto("_sources/" + source, resource=True))
        name = html.escape(source.rsplit("/", 1)[-1])
        page.after_h1(
            f'<p class="govuk-body app-download"><a class="govuk-link" href="{href}" download>'
            f'Download this notebook<span class="govuk-visually-hidden"> in Jupyter format</span> ({name})</a></p>'
        )
