"""Tables: every table a reader meets is a real, named table, and scrolls inside its own box.

Notebook tables. A DataFrame a notebook shows arrives as pandas' HTML: an inline
``<style scoped>`` (invalid HTML), ``border="1"``, no ``scope`` on its headers and, when
the index has a name, a second header row that holds only that name. When Sphinx reads
a notebook (``doctree-read``), each such table becomes a GOV.UK table instead: the
index name moves into the first header row, column headers get ``scope="col"`` and
index cells ``scope="row"``, columns whose every value is a number are marked numeric
(right-aligned, tabular figures), pandas' default index (unnamed, its values exactly
0 to n - 1: row numbers, not data) is left out, and the table gets its caption, from the cell's
metadata:

    "metadata": {"caption": "Rows quarantined by rule, and their share of rows read"}

or a list of captions, one for each table the cell shows, in order. A table without a
caption is a warning, so it fails the build, naming the notebook and the cell.

Every table (Markdown ones too) then scrolls sideways inside a region the keyboard can
reach, named after its caption ("Table N" when it has none). A table of more than LONG_TABLE
rows is collapsed, as a long listing is, behind a control that names it and its rows: the
page stays short enough to move through, and the rows are one click away.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.util import logging

from . import code
from .html import Page, parse

# A table with more rows than this is collapsed behind a GOV.UK details control that names it.
LONG_TABLE = 20

logger = logging.getLogger(__name__)

# A cell that holds a number as pandas writes it: 1,234 -1.5 2.5e-07 12% NaN <NA>.
NUMBER = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d+)?%?")
MISSING = {"", "NaN", "nan", "<NA>", "None", "NaT"}
HOW_TO = (
    'add "caption" to the cell\'s metadata: a sentence that says what the table holds '
    "(a list of sentences if the cell shows more than one table); see CONTRIBUTING.md, Tables"
)


def _text(tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _is_number(text: str) -> bool:
    return text not in MISSING and NUMBER.fullmatch(text) is not None and any(c.isdigit() for c in text)


def _captions(metadata: dict) -> list[str]:
    caption = metadata.get("caption")
    if isinstance(caption, str):
        return [caption]
    if isinstance(caption, list) and all(isinstance(item, str) for item in caption):
        return caption
    return []


def drop_default_index(head, body) -> bool:
    """Take out pandas' default index: a first header cell in each body row, unnamed, that reads
    0, 1, ... n - 1. A named index, or one of other values (a key, a sample's row labels), stays.
    Returns whether it was taken out."""
    rows = body.find_all("tr", recursive=False) if body is not None else []
    if not rows:
        return False
    numbers = []
    for row in rows:
        cells = row.find_all(["th", "td"], recursive=False)
        if not cells or cells[0].name != "th" or [c.name for c in cells].count("th") != 1 or cells[0].get("rowspan"):
            return False
        numbers.append(cells[0])
    if [_text(cell) for cell in numbers] != [str(n) for n in range(len(rows))]:
        return False
    head_rows = head.find_all("tr", recursive=False) if head is not None else []
    corners = [row.find(["th", "td"], recursive=False) for row in head_rows]
    if any(cell is None or _text(cell) or int(cell.get("colspan", 1)) > 1 for cell in corners):
        return False  # the index has a name, or the header is not pandas' shape
    for cell in numbers + corners:
        cell.decompose()
    return True


def govuk_table(table, caption: str) -> None:
    """Make one pandas table (parsed, in place) a GOV.UK table with ``caption``."""
    for attribute in ("border", "style", "halign", "valign"):
        del table[attribute]
    table["class"] = ["govuk-table", "app-data-table"]
    for tag in table.find_all(True):
        for attribute in ("style", "halign", "valign", "border"):
            del tag[attribute]
    head, body = table.find("thead"), table.find("tbody")
    if head is not None:
        rows = head.find_all("tr", recursive=False)
        # pandas' index-name row: the names of the index in its first cells, the rest empty.
        if len(rows) == 2:
            names, columns = rows[1].find_all(["th", "td"]), rows[0].find_all(["th", "td"])
            named = [cell for cell in names if _text(cell)]
            if named and all(not _text(cell) for cell in names[len(named) :]) and len(named) == 1:
                if columns and not _text(columns[0]):
                    columns[0].string = _text(named[0])
                    rows[1].decompose()
        head["class"] = ["govuk-table__head"]
        for row in head.find_all("tr"):
            row["class"] = ["govuk-table__row"]
            for cell in row.find_all(["th", "td"]):
                cell.name = "th"
                cell["scope"] = "colgroup" if int(cell.get("colspan", 1)) > 1 else "col"
                cell["class"] = ["govuk-table__header"]
    drop_default_index(head, body)
    numeric: set[int] = set()
    if body is not None:
        body["class"] = ["govuk-table__body"]
        rows = body.find_all("tr", recursive=False)
        values: dict[int, list[str]] = {}
        for row in rows:
            row["class"] = ["govuk-table__row"]
            for position, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
                if cell.name == "th":
                    cell["scope"] = "row"
                    cell["class"] = ["govuk-table__header"]
                else:
                    cell["class"] = ["govuk-table__cell"]
                    values.setdefault(position, []).append(_text(cell))
        numeric = {
            position
            for position, texts in values.items()
            if any(text not in MISSING for text in texts) and all(text in MISSING or _is_number(text) for text in texts)
        }
        for row in rows:
            for position, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
                if position in numeric and cell.name == "td":
                    cell["class"].append("govuk-table__cell--numeric")
    if head is not None and numeric:
        last = head.find_all("tr")[-1]
        for position, cell in enumerate(last.find_all("th")):
            if position in numeric:
                cell["class"].append("govuk-table__header--numeric")
    element = table.find("caption") or parse("<caption></caption>").caption
    element.string = caption
    element["class"] = ["govuk-table__caption", "govuk-table__caption--s"]
    table.insert(0, element)


def _cell_label(cell: nodes.Element) -> str:
    """How a maintainer finds the cell: its number as myst-nb counts (from 1) and its first line."""
    number = cell.get("cell_index", 0) + 1
    source = next(iter(cell.findall(nodes.literal_block)), None)
    first = source.astext().strip().splitlines()[0] if source is not None and source.astext().strip() else ""
    return f"cell {number}" + (f" ({first[:60]!r})" if first else "")


def notebook_tables(app, doctree) -> None:
    """doctree-read: every DataFrame shown in a notebook becomes a GOV.UK table with its caption."""
    docname = app.env.docname
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    where = app.env.doc2path(docname, False)
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code":
            continue
        captions = _captions(cell.get("cell_metadata", {}))
        outputs = [
            raw
            for bundle in cell.findall(nodes.container)
            if bundle.get("mime_type") == "text/html"
            for raw in bundle.findall(nodes.raw)
            if "<table" in raw.astext()
        ]
        tables = []
        for raw in outputs:
            fragment = parse(raw.astext())
            tables.append((raw, fragment, fragment.find_all("table")))
        count = sum(len(found) for _, _, found in tables)
        if count == 0:
            continue
        if len(captions) != count:
            has = f"{len(captions)} caption{'s' * (len(captions) != 1)}"
            logger.warning(
                f"{where}, {_cell_label(cell)}: the cell shows {count} table{'s' * (count != 1)} and its "
                f"metadata has {has}; {HOW_TO}.",
                location=cell,
            )
            continue
        remaining = iter(captions)
        for raw, fragment, found in tables:
            for style in fragment.find_all("style"):
                style.decompose()
            for table in found:
                govuk_table(table, next(remaining))
            raw.replace_self(nodes.raw("", str(fragment).strip(), format="html", classes=raw.get("classes", [])))


def page(page: Page) -> None:
    """Every table: cells without a paragraph inside, headers with a scope, and a scroll box named
    after its caption."""
    if page.body is None:
        return
    for number, table in enumerate(page.body.find_all("table"), start=1):
        for cell in table.find_all(["th", "td"]):
            # Docutils puts a cell's text in a paragraph, styled as body text (normal weight, a
            # paragraph's margin); GOV.UK's cells hold the text itself, so headers are bold.
            paragraphs = cell.find_all(recursive=False)
            if len(paragraphs) == 1 and paragraphs[0].name == "p" and not paragraphs[0].attrs:
                paragraphs[0].unwrap()
        for header in table.select("thead th"):
            header.attrs.setdefault("scope", "col")
        for header in table.select("tbody th"):
            header.attrs.setdefault("scope", "row")
        caption = table.find("caption")
        name = _text(caption) if caption else ""
        box = page.new_tag("div", **{"class": "app-scroll", "role": "region", "tabindex": "0"})
        box["aria-label"] = name or f"Table {number}"
        table.wrap(box)
        rows = len(table.select("tbody > tr"))
        if rows > LONG_TABLE:
            # As a long listing is (code.py): the summary names the table, which keeps its caption.
            what = f"{name[0].lower()}{name[1:]}" if name else f"table {number}"
            code.collapse(page, box, f"Show the {rows} rows of: {what}", kind="app-long-table")


def setup(app) -> None:
    app.connect("doctree-read", notebook_tables)
