"""Every page has the same head: one viewport tag, its description, its title and the styles.

Pages made from sources get docutils' viewport tag in their ``metatags``; pages made
from a template alone (search, 404) get none. The layout writes the tag on every page,
so it is taken out of the ``metatags`` here. The template pages get their title and
description here, so that their head, and their "Report a problem" link, name them.
"""

from __future__ import annotations

import re

from .html import Page

VIEWPORT = re.compile(r"<meta\s+name=\"viewport\"[^>]*>\s*")
# The pages the theme makes from its own templates: (title, description).
TEMPLATE_PAGES = {
    "search": ("Search", "Search every page of this book, in your browser."),
    "404": ("Page not found", "There is no page at this address in this book."),
}


def page(page: Page) -> None:
    context = page.context
    context["metatags"] = VIEWPORT.sub("", context.get("metatags") or "")
    if page.doctree is None and page.name in TEMPLATE_PAGES:
        title, description = TEMPLATE_PAGES[page.name]
        context.setdefault("title", title)
        context.setdefault("description", description)
