"""Tables scroll sideways inside their own box, never the page: a region the keyboard can reach,
named after the table's caption."""

from __future__ import annotations

from .html import Page


def page(page: Page) -> None:
    if page.body is None:
        return
    for number, table in enumerate(page.body.find_all("table"), start=1):
        caption = table.find("caption")
        name = " ".join(caption.get_text(" ").split()) if caption else ""
        box = page.new_tag("div", **{"class": "app-scroll", "role": "region", "tabindex": "0"})
        box["aria-label"] = f"Table {number}" + (f": {name}" if name else "")
        table.wrap(box)
