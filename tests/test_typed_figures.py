"""No figure typed by hand: what a page says a run found comes from the run.

A figure a notebook's prose quotes from its own output is glued from the cell that computed
it (myst-nb's ``glue``, shown with ``{glue:text}``); a page that quotes a notebook's figure
takes it from that notebook's glue (``{glue:text}`path/to/notebook.ipynb::name```); a
benchmark's figure comes from its saved results. So a number of three or more digits typed
into a notebook's Markdown, or into a page about the examples, is a figure that can drift
from what ran, and fails this test, naming the file, the cell or line and the number.

Not figures of a run: anything in code (inline or fenced), roles and directives' own text,
dates (a year, a day and month with a year), versions (``WCAG 2.2``, ``Python 3.11``,
``127.0.0.1``) and numbers in a link's target.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
# The pages that quote the examples' figures.
PAGES = [ROOT / "book" / name for name in ("index.md", "examples.md", "at_scale.md")]

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
NOT_FIGURES = [
    r"^---\n.*?\n---\n",  # front matter
    r"(`{3,}|~{3,}).*?\1",  # fenced code and directives
    r"\{[\w:-]+\}`[^`]*`",  # a role with its content: {glue:text}`...`, {term}`...`
    r"`[^`]*`",  # inline code
    r"\]\([^)]*\)",  # a link's target
    r"<[^>]+>",  # an HTML tag or an autolink
    rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b",  # 2 December 2026
    rf"\b(?:{MONTHS}) \d{{4}}\b",  # December 2026
    r"\b\d{4}-\d{2}-\d{2}\b",  # 2026-12-02
    r"\b(?:19|20)\d{2}\b(?![.,]\d)",  # a year
    r"\b\d+(?:\.\d+){2,}\b",  # 127.0.0.1, 1.2.3
    r"\b(?:version|v|Python|WCAG|Java|Node|Spark|dbt-core|dbt|axe-core|Sphinx|Splink|DuckDB|pyspark) ?\d+(?:\.\d+)*\b",
]
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")


def prose(text: str) -> str:
    """`text` with everything that is not a figure of a run blanked, keeping line numbers."""
    for pattern in NOT_FIGURES:
        text = re.sub(pattern, lambda m: re.sub(r"[^\n]", " ", m.group()), text, flags=re.S)
    return text


def typed_figures(text: str) -> list[tuple[int, str]]:
    """(line, number) of each number of three or more digits in `text`'s prose."""
    found = []
    cleaned = prose(text)
    for match in NUMBER.finditer(cleaned):
        number = match.group().rstrip(",.")
        if sum(c.isdigit() for c in number) >= 3:
            found.append((cleaned.count("\n", 0, match.start()) + 1, number))
    return found


def markdown_of(path: Path) -> list[tuple[str, str]]:
    """(where, text) of each Markdown cell of a notebook, or of a whole page."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return [
            (f"cell {number}", "".join(cell["source"]))
            for number, cell in enumerate(cells, start=1)
            if cell["cell_type"] == "markdown"
        ]
    return [("", path.read_text(encoding="utf-8"))]


def report(path: Path) -> list[str]:
    problems = []
    for where, text in markdown_of(path):
        for line, number in typed_figures(text):
            place = f"{where}, line {line}" if where else f"line {line}"
            problems.append(f"{path.relative_to(ROOT)} ({place}): {number}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS + PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_figure_is_typed_into_the_prose(path):
    problems = report(path)
    assert not problems, (
        "these figures are typed by hand, so they can drift from what ran:\n  "
        + "\n  ".join(problems)
        + "\nGlue each from the cell that computes it (myst_nb.glue) and show it with {glue:text}; "
        "a page quoting a notebook uses {glue:text}`../notebooks/<example>/<example>.ipynb::<name>:<format>`; "
        "a benchmark's figure comes from its saved results (bench/results/)."
    )


def test_the_check_finds_a_planted_figure_and_names_it(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "---\ntitle: x\n---\n\nThe model scores 4,813 pairs with precision 0.987.\n"
        "Measured on 2 December 2026 with Python 3.11 and WCAG 2.2, on 127.0.0.1 in 2023.\n"
        "The glued {glue:text}`pairs:,.0f` and `SELECT 12345` are not typed.\n\n```python\nx = 1000\n```\n",
        encoding="utf-8",
    )
    assert typed_figures(page.read_text(encoding="utf-8")) == [(5, "4,813"), (5, "0.987")]


def test_the_check_reads_every_notebook_and_the_pages():
    assert len(NOTEBOOKS) == 4, NOTEBOOKS
    assert all(path.is_file() for path in PAGES)
    assert all(markdown_of(path) for path in NOTEBOOKS)
