"""Each page loads only the CSS and JavaScript it needs.

Jupyter Book's extensions add their files to every page, and some would load
from a CDN (MathJax, require.js, Thebe). Anything that is not ours is dropped
(sphinx-book-theme, sphinx-thebe, basic.css, sphinx-exercise's exercise.css: exercises.py
and scss/_exercises.scss style exercises; sphinx-copybutton: the theme has
its own copy button; myst-nb's 43 KB stylesheet is replaced by a few rules in
scss/_book.scss; Sphinx's pygments.css is compiled into the theme's own, see
stylesheet.py), except the files in KEEP_IF on the pages that use them.
Sphinx's own scripts serve only the search page: its highlighting of search
words looks for markup this theme does not have.
"""

from __future__ import annotations

from .html import Page

# File name (prefix or part) -> does this page's body need it?
KEEP_IF = {
    # A dropdown admonition (an exercise's solution) is a native details element (exercises.py);
    # only sphinx-togglebutton's own {toggle} directive still needs its script.
    "togglebutton": lambda body: 'class="toggle' in body,
    "sphinx-design": lambda body: " sd-" in body or '"sd-' in body,
    "design-tabs.js": lambda body: "sd-tab" in body,
}
SEARCH_ONLY = ("documentation_options.js", "doctools.js", "sphinx_highlight.js")


def keep(filename: str, body: str, pagename: str) -> bool:
    if "://" in filename or filename.startswith("//"):
        return False
    name = filename.rsplit("/", 1)[-1]
    if name.startswith(SEARCH_ONLY):
        return pagename == "search"
    for part, needed in KEEP_IF.items():
        if name.startswith(part) or part in name:
            return needed(body)
    return False


def _name(asset) -> str:
    return getattr(asset, "filename", None) or str(asset)


def page(page: Page) -> None:
    context = page.context
    body = context.get("body", "")
    for key in ("css_files", "script_files"):
        context[key] = [asset for asset in context.get(key, []) if keep(_name(asset), body, page.name)]
