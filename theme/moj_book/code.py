"""Code blocks scroll inside their own box, which keyboard users can focus and screen readers name.

Whitespace keeps no highlighting span (a space shows no colour; the spans weigh).
Each code example (not a notebook's output) is marked for the copy button
(static/moj-copy.js), which the layout loads only on pages that have one.

A listing longer than LONG_LISTING lines is collapsed behind a GOV.UK details control
whose summary says what it holds ("Show the 251 lines of validate.sql"): the name is the
listing's caption, or the file named just above it (a paragraph that is only a file's
path in code, as a notebook shows a SQL file), else its language. Opened, the listing
shows as it is, with its copy button.

A notebook's code cell can ask for the same, whatever its length, with a tag: its code
with ``collapse-input`` (plumbing a reader may skip: imports, set-up), its output with
``collapse-output`` (a listing a reader opens on request). myst-nb's own ``hide-input``
and ``hide-output`` buttons are not used: their name differs from their label (axe).
"""

from __future__ import annotations

import re

from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .html import Page

# A listing longer than this many lines is collapsed.
LONG_LISTING = 30
# A notebook cell's tags that collapse its code or its output (myst-nb gives the cell a class tag_<tag>).
COLLAPSE_TAGS = {"collapse-input": "cell_input", "collapse-output": "cell_output"}
# What a reader calls a language whose Pygments name differs (a notebook's code is Python).
READER_NAMES = {"IPython": "Python"}
# A file's path, as a paragraph of code names one: no spaces, a name with an extension.
FILE_PATH = re.compile(r"^[\w./-]*[\w-]\.\w+$")


def line_count(pre) -> int:
    return len(pre.get_text().rstrip("\n").split("\n"))


def language(block) -> str:
    """The language of a highlighted block (its highlight-<lexer> class), as a reader names it."""
    lexers = [c.removeprefix("highlight-") for c in block.get("class", []) if c.startswith("highlight-")]
    try:
        name = get_lexer_by_name(lexers[0]).name if lexers else ""
    except ClassNotFound:
        name = ""
    return READER_NAMES.get(name, name)


def listing_name(block) -> str:
    """The listing's caption (Sphinx's code-block caption), or the file named in the paragraph
    just above it; empty if it has neither."""
    wrapper = block.parent if "literal-block-wrapper" in (block.parent.get("class") or []) else None
    caption = wrapper.find(class_="caption-text") if wrapper else None
    if caption is not None and caption.get_text(strip=True):
        return caption.get_text(" ", strip=True)
    above = (wrapper or block).find_previous_sibling()
    if above is not None and above.name == "p":
        parts = [part for part in above.contents if str(part).strip()]
        if len(parts) == 1 and getattr(parts[0], "name", None) == "code":
            path = parts[0].get_text(strip=True)
            if FILE_PATH.match(path):
                return path.rsplit("/", 1)[-1]
    return ""


def tagged_to_collapse(element) -> bool:
    """Whether ``element`` is in a notebook cell's code or output that the cell's tag asks to collapse."""
    for tag, part in COLLAPSE_TAGS.items():
        holder = element.find_parent("div", class_=part)
        if holder is not None and f"tag_{tag}" in (holder.parent.get("class") or []):
            return True
    return False


def summary(block, pre, kind: str) -> str:
    """What the collapsed listing's control says: how many lines of what."""
    lines = line_count(pre)
    if kind == "Output":
        return f"Show the {lines} lines of output"
    name = listing_name(block)
    if name:
        return f"Show the {lines} lines of {name}"
    what = language(block)
    return (
        f"Show the {lines} lines of {what} code" if what and what != "Text only" else f"Show the {lines} lines of code"
    )


def collapse(page: Page, block, text: str, kind: str = "app-listing") -> None:
    """Put a listing (or, with another ``kind`` of class, a table) inside a GOV.UK details
    component whose summary says ``text``."""
    details = page.new_tag("details", **{"class": f"govuk-details {kind}"})
    summary_tag = page.new_tag("summary", **{"class": "govuk-details__summary"})
    label = page.new_tag("span", **{"class": "govuk-details__summary-text"})
    label.string = text
    summary_tag.append(label)
    inside = page.new_tag("div", **{"class": "govuk-details__text"})
    block.replace_with(details)
    details.append(summary_tag)
    details.append(inside)
    inside.append(block)


def page(page: Page) -> None:
    if page.body is None:
        return
    counts = {"Code example": 0, "Output": 0}
    long_listings = []
    for block in page.body.select("div[class*='highlight-']"):
        inner = block.find("div", class_="highlight", recursive=False)
        pre = inner.find("pre", recursive=False) if inner else None
        if pre is None:
            continue
        kind = "Output" if "output" in " ".join(block.get("class", [])) else "Code example"
        counts[kind] += 1
        # Pygments wraps every run of spaces in <span class="w">: a space shows no colour, and on
        # a page of SQL listings those wrappers are a tenth of its weight (the budget: 300 KiB).
        for space in pre.select("span.w"):
            space.unwrap()
        pre["tabindex"] = "0"
        pre["role"] = "region"
        pre["aria-label"] = f"{kind} {counts[kind]}"
        if kind == "Code example":
            block["data-app-copy"] = ""
        if line_count(pre) > LONG_LISTING or tagged_to_collapse(block):
            long_listings.append((block, summary(block, pre, kind)))
    for block, text in long_listings:
        collapse(page, block, text)
    page.context["app_copy_buttons"] = counts["Code example"] > 0
