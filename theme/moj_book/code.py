"""Code blocks scroll inside their own box, which keyboard users can focus and screen readers name.

Each code example (not a notebook's output) is marked for the copy button
(static/moj-copy.js), which the layout loads only on pages that have one.
"""

from __future__ import annotations

from .html import Page


def page(page: Page) -> None:
    if page.body is None:
        return
    counts = {"Code example": 0, "Output": 0}
    for block in page.body.select("div[class*='highlight-']"):
        inner = block.find("div", class_="highlight", recursive=False)
        pre = inner.find("pre", recursive=False) if inner else None
        if pre is None:
            continue
        kind = "Output" if "output" in " ".join(block.get("class", [])) else "Code example"
        counts[kind] += 1
        pre["tabindex"] = "0"
        pre["role"] = "region"
        pre["aria-label"] = f"{kind} {counts[kind]}"
        if kind == "Code example":
            block["data-app-copy"] = ""
    page.context["app_copy_buttons"] = counts["Code example"] > 0
