"""Exercises and their solutions (sphinx-exercise) in GOV.UK's manner, with no script.

sphinx-exercise writes an exercise as an admonition whose title reads
"Exercise 1 (Add a test (about 5 minutes))" and a solution as an admonition whose
title links back to it; with ``:class: dropdown``, sphinx-togglebutton's script
collapses it. Each also wraps its content in a section with a fixed id
(``exercise-content``, ``solution-content``): two exercises on a page give the page
duplicate ids. Instead:

- an exercise is a box (``app-exercise``) whose title is a heading one level below
  its section's ("Exercise 1: Add a test (about 5 minutes)"), so a screen reader can
  jump from exercise to exercise; exercises are numbered on each page (sphinx-exercise
  numbers them across the book);
- a solution with ``:class: dropdown`` (and any other admonition with it) is a GOV.UK
  details component: a native ``<details>``, collapsed until asked for, which the
  keyboard opens and whose summary names it ("Solution to exercise 1: Add a test");
  a solution without it is a box like the exercise's;
- the content sections lose their repeated ids.

sphinx-togglebutton's and sphinx-exercise's files are then needed by no page (assets.py).
"""

from __future__ import annotations

import re

from bs4 import NavigableString

from .code import collapse
from .html import Page

# sphinx-exercise's number of an exercise, "Exercise 7".
NUMBERED = re.compile(r"^Exercise \d+$")
# "(about 5 minutes)" at the end of an exercise's title: the time to do it, not its name.
MINUTES = re.compile(r"\s*\((about\s+)?[\d.]+\s*(to\s*[\d.]+\s*)?(min|minutes?)\)\s*$", re.I)


def heading_level(element) -> int:
    """One below the heading of the section that holds ``element`` (Sphinx nests a section per heading)."""
    depth = len([parent for parent in element.parents if parent.name == "section"])
    return min(max(depth + 1, 2), 6)


def exercise_title(title) -> tuple[str, list]:
    """The exercise's number ("Exercise 1") and the nodes of its own title, without the parentheses
    sphinx-exercise puts round it."""
    number = title.find("span", class_="caption-number")
    label = number.get_text(" ", strip=True) if number else title.get_text(" ", strip=True)
    if number is None:
        return label, []
    number.extract()
    nodes = list(title.contents)
    while nodes and isinstance(nodes[0], NavigableString) and not nodes[0].strip():
        nodes.pop(0).extract()
    while nodes and isinstance(nodes[-1], NavigableString) and not nodes[-1].strip():
        nodes.pop().extract()
    first, last = (nodes[0], nodes[-1]) if nodes else (None, None)
    if isinstance(first, NavigableString) and isinstance(last, NavigableString) and first.strip().startswith("("):
        if last.rstrip().endswith(")"):
            if first is last:
                first.replace_with(first.strip()[1:-1])
            else:
                first.replace_with(first.lstrip()[1:])
                last.replace_with(last.rstrip()[:-1])
    return label, list(title.contents)


def unwrap_content(box, kind: str) -> None:
    """sphinx-exercise's <section id="exercise-content"> (one per exercise: duplicate ids) goes."""
    for section in box.find_all("section", id=f"{kind}-content", recursive=False):
        section.unwrap()


def exercises(page: Page) -> dict[str, str]:
    """Make every exercise a box with a heading; return each exercise's id -> its name for solutions."""
    names: dict[str, str] = {}
    numbered = 0
    for box in page.body.select("div.exercise"):
        title = box.find("p", class_="admonition-title", recursive=False)
        if title is None:
            continue
        label, own = exercise_title(title)
        # sphinx-exercise numbers the exercises across the whole book; a reader counts them on
        # the page, as each notebook's "Your turn" says "Exercise 1".
        if NUMBERED.match(label):
            numbered += 1
            label = f"Exercise {numbered}"
        heading = page.new_tag(f"h{heading_level(box)}", **{"class": "govuk-heading-s app-exercise__title"})
        heading.append(label + (": " if own else ""))
        for node in own:
            heading.append(node)
        title.replace_with(heading)
        unwrap_content(box, "exercise")
        text = " ".join(heading.get_text(" ", strip=True).split())
        if box.get("id"):
            names[box["id"]] = MINUTES.sub("", text)
        dropdown = "dropdown" in box.get("class", [])
        box["class"] = ["app-exercise"]
        if dropdown:
            heading.extract()
            disclose(page, box, text)
    return names


def solutions(page: Page, names: dict[str, str]) -> None:
    for box in page.body.select("div.solution"):
        title = box.find("p", class_="admonition-title", recursive=False)
        if title is None:
            continue
        link = title.find("a", href=True)
        target = link["href"].rsplit("#", 1)[-1] if link else ""
        name = names.get(target) or MINUTES.sub("", " ".join((link or title).get_text(" ", strip=True).split()))
        name = name[:1].lower() + name[1:] if name.startswith("Exercise") else name
        unwrap_content(box, "solution")
        if "dropdown" in box.get("class", []):
            title.extract()
            box["class"] = ["app-solution"]
            disclose(page, box, f"Solution to {name}")
        else:
            heading = page.new_tag(f"h{heading_level(box)}", **{"class": "govuk-heading-s app-solution__title"})
            heading.append("Solution to ")
            if link is not None:
                link.string = name
                link["class"] = ["govuk-link"]
                heading.append(link)
            else:
                heading.append(name)
            title.replace_with(heading)
            box["class"] = ["app-solution", "app-solution--shown"]


def disclose(page: Page, box, summary: str) -> None:
    """Put the box's content behind a GOV.UK details control whose summary says ``summary``."""
    box["class"] = [c for c in box.get("class", []) if c not in ("dropdown", "admonition")]
    collapse(page, box, summary, kind="app-disclosure")


def dropdowns(page: Page) -> None:
    """Any other admonition with ``:class: dropdown`` (a note, a tip) opens the same way."""
    for box in page.body.select("div.admonition.dropdown"):
        title = box.find("p", class_="admonition-title", recursive=False)
        text = " ".join(title.get_text(" ", strip=True).split()) if title is not None else "Show more"
        if title is not None:
            title.extract()
        disclose(page, box, text)


def page(page: Page) -> None:
    if page.body is None:
        return
    solutions(page, exercises(page))
    dropdowns(page)
