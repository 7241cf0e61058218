"""The book's Sphinx theme: the Ministry's GOV.UK Frontend look, light pages, no scripts from other hosts.

A Sphinx extension (``extensions = ["moj_book"]``, with ``theme/`` on the path) that
registers the theme and wires up one small module per concern:

- ``stylesheet``: compiles the theme's Sass with GOV.UK Frontend from node_modules;
- ``assets``: each page loads only the CSS and JavaScript it needs;
- ``navigation``: the book's navigation, breadcrumbs and the page's contents;
- ``code``: code blocks scroll in named boxes the keyboard can reach, with a copy button;
- ``tables``: notebook DataFrames become GOV.UK tables with captions (from cell metadata),
  and every table scrolls in a box named after its caption, which the keyboard can reach;
- ``notebooks``: a notebook page offers its example (or its notebook) to download, and
  carries no unused scripts;
- ``exercises``: exercises are boxes with a heading, and their solutions GOV.UK details
  (collapsed, native, no script), in place of sphinx-exercise's and sphinx-togglebutton's look;
- ``images``: every image has its intrinsic size, and charts are stored as small palette PNGs;
- ``review``: when each page was last reviewed, when it is due and who owns it, a warning
  on pages whose review is overdue, and ``api/pages.json`` for the reminder bot;
- ``source``: "View source" and "Report a problem" links, and when the page last changed;
- ``head``: every page's head is the same (viewport, description, title), template pages too;
- ``not_found``: the 404 page's links and styles are absolute, so it works at any address.

Each page's body is parsed once (``html.Page``); the concerns change the parsed
page, and it is written out once.
"""

from __future__ import annotations

from pathlib import Path

from . import (
    assets,
    code,
    exercises,
    head,
    images,
    navigation,
    not_found,
    notebooks,
    rebuild,
    review,
    source,
    stylesheet,
    tables,
)
from .html import Page
from .theme_name import NAME

__version__ = "1.0"
HERE = Path(__file__).resolve().parent

# The concerns that change a page's body or context, in the order they run.
PAGE_CONCERNS = (head, notebooks, exercises, code, tables, images, navigation, review, source)


def _page_context(app, pagename, templatename, context, doctree):
    if app.config.html_theme != NAME:
        return
    page = Page(app, pagename, context, doctree)
    for concern in PAGE_CONCERNS:
        concern.page(page)
    page.write_body()
    assets.page(page)


def setup(app):
    app.add_html_theme(NAME, str(HERE))
    stylesheet.setup(app)
    images.setup(app)
    navigation.setup(app)
    review.setup(app)
    source.setup(app)
    tables.setup(app)
    not_found.setup(app)
    notebooks.setup(app)
    rebuild.setup(app)
    app.connect("html-page-context", _page_context)
    return {
        "version": __version__,
        # A change to a module that runs as Sphinx reads a page reads every page again (rebuild.py).
        "env_version": rebuild.env_version(),
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
