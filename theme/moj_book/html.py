"""One page as the theme's concerns see it: its Sphinx context and its body, parsed once."""

from __future__ import annotations

from bs4 import BeautifulSoup


def parse(fragment: str) -> BeautifulSoup:
    """Parse an HTML fragment (a page body, a toctree) with Python's own parser."""
    return BeautifulSoup(fragment or "", "html.parser")


class Page:
    """A page being written: ``context`` is Sphinx's template context, ``body`` its parsed body."""

    def __init__(self, app, name: str, context: dict, doctree):
        self.app = app
        self.name = name
        self.context = context
        self.doctree = doctree
        self._source = context.get("body") or ""
        self.body = parse(self._source) if self._source else None
        self._after_h1: list = []
        self._before_h1: list = []

    @property
    def is_notebook(self) -> bool:
        return self.context.get("page_source_suffix") == ".ipynb"

    def pathto(self, target: str, resource: bool = False) -> str:
        return self.context["pathto"](target, 1 if resource else 0)

    def after_h1(self, html: str) -> None:
        """Put a piece of HTML right after the page's H1 (in the order asked)."""
        self._after_h1.append(html)

    def before_content(self, html: str) -> None:
        """Put a piece of HTML at the top of the page, before its H1 (in the order asked)."""
        self._before_h1.append(html)

    def new_tag(self, name: str, **attrs):
        return self.body.new_tag(name, attrs=attrs)

    def write_body(self) -> None:
        """Write the changed body back into the context (once, after every concern ran)."""
        if self.body is None:
            return
        h1 = self.body.find("h1")
        if h1 is not None:
            for html in reversed(self._after_h1):
                h1.insert_after(parse(html))
            for html in self._before_h1:
                h1.insert_before(parse(html))
        self.context["body"] = str(self.body)
