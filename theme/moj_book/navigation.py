"""The book's navigation (its whole table of contents), breadcrumbs and the page's own contents,
and the site's root address, which opens the book's root page when that is not ``index``.

On a phone both lists collapse behind a button, as GOV.UK Frontend's service navigation
does (``collapsible``), so that the first screen shows the page's title and its text. A page
with a list of its sections ends with a "Back to top" link.
"""

from __future__ import annotations

from .html import Page, parse
from .theme_name import NAME


def book_nav(page: Page) -> str:
    """The whole table of contents, Home first, with the current page marked for assistive technology."""
    context = page.context
    root_doc = page.app.config.root_doc
    toctree = parse(context["toctree"](collapse=False, includehidden=True, titles_only=True, maxdepth=-1))
    for link in toctree.select('a.current.reference.internal[href="#"]'):
        link["aria-current"] = "page"
    # Sphinx's toctree leaves out the root page; readers expect Home first.
    home = toctree.new_tag("li", attrs={"class": "toctree-l1"})
    link = toctree.new_tag("a", attrs={"class": "reference internal", "href": page.pathto(root_doc)})
    if page.name == root_doc:
        link["aria-current"] = "page"
    link.string = "Home"
    home.append(link)
    first_list = toctree.find("ul")
    if first_list is None:
        first_list = toctree.new_tag("ul")
        toctree.append(first_list)
    first_list.insert(0, home)
    return str(toctree)


def breadcrumbs(page: Page) -> list[dict]:
    root_doc = page.app.config.root_doc
    if page.name == root_doc:
        return []
    home = page.pathto(root_doc)
    return [{"link": home, "title": "Home"}] + [p for p in page.context.get("parents", []) if p.get("link") != home]


def page_contents(toc: str) -> str:
    """The page's sections (without the page title itself), on pages with three or more."""
    outer = parse(toc).find("ul")
    title = outer.find("li", recursive=False) if outer else None
    sections = title.find("ul", recursive=False) if title else None
    if sections is None or len(sections.find_all("a")) < 3:
        return ""
    return str(sections)


def collapsible(name: str, label: str, heading: str, content: str) -> str:
    """A navigation list under its heading, which collapses behind a button on narrow screens.

    The button (``app-toggle``) says what it shows and whether it is open (``aria-expanded``);
    it works by keyboard, being a button. The layout's script (layout.html) turns it on: without
    JavaScript, and from desktop width, the button is not shown and the list always is
    (scss/_book.scss). ``name`` is the class of the navigation, and the stem of its ids.
    """
    return (
        f'<{heading} class="{name}__heading app-toggle__heading" id="{name}-heading">{label}</{heading}>'
        f'<button type="button" class="app-toggle" aria-controls="{name}-list" aria-expanded="false">{label}</button>'
        f'<div class="app-toggle__target" id="{name}-list">{content}</div>'
    )


def page(page: Page) -> None:
    page.context["app_book_nav"] = collapsible("app-book-nav", "Contents", "p", book_nav(page))
    page.context["app_breadcrumbs"] = breadcrumbs(page)
    contents = page_contents(page.context.get("toc", "")) if page.doctree is not None else ""
    # A page long enough to list its sections ends with a link back to its top (GOV.UK's pattern).
    page.context["app_back_to_top"] = bool(contents)
    # The list goes in the left column, under the book's navigation: beside the page on a
    # desktop, where it would otherwise push the text a screen down, and on a phone a second
    # button above the title (layout.html).
    page.context["app_page_contents"] = (
        '<nav class="app-contents" aria-labelledby="app-contents-heading">'
        f"{collapsible('app-contents', 'On this page', 'p', contents)}</nav>"
        if contents
        else ""
    )


def _root_redirect(app, config) -> None:
    """Write the site's index.html from the theme's redirect page (a complete, valid page)."""
    if config.html_theme == NAME and config.root_doc != "index":
        config.html_additional_pages = {"index": "redirect.html", **(config.html_additional_pages or {})}


def setup(app) -> None:
    # After sphinx-external-toc has set root_doc from _toc.yml (it does so at priority 900).
    app.connect("config-inited", _root_redirect, priority=950)
