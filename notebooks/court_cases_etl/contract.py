"""The data contract of the court case extract, read from ``contract.toml`` beside this module.

The contract names each column of the extract once, in the source's order, with its type in
silver, how it is standardised and when it is required. Everything else follows from it:

- ``preflight`` refuses a file whose header is not exactly these columns;
- the loader lands and keeps (bronze, quarantine) every one of them as text;
- validation (``sql/validate.sql``) makes each column's ``<name>_text`` (the value as it came,
  spaces stripped, blank as NULL) and ``clean_<name>`` (standardised and typed), and the
  helper columns the rules in ``rules.toml`` use (``missing_columns``, ``not_iso``, ...);
- the silver table (``sql/schema.sql``) has one typed column per contract column;
- the curated history and its Parquet carry every column but ``op``;
- the generator (``extracts``) writes every column, drawing a new one from its ``synthetic``
  values.

Why TOML: it is one plain file a learner edits in any editor, one block per column; its strings
need no escaping for SQL (``'''...'''`` holds any text), comments explain the fields in place,
and Python reads it with no extra package (``tomllib``). A mistake in it stops the pipeline with
a ``ContractError`` that names the file, the line and the fix.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
CONTRACT_FILE = HERE / "contract.toml"

FIELDS = ("name", "type", "standardise", "required", "description", "synthetic")
STANDARDISE = {
    "upper": "upper({})",
    "lower": "lower({})",
    "lower_snake": "lower(replace({}, ' ', '_'))",
}
# The pipeline keys events on these, so the contract must keep them, with these types.
CORE = {"case_id": "VARCHAR", "op": "VARCHAR", "extraction_timestamp": "TIMESTAMP"}
# Names the pipeline's tables use for their own columns.
RESERVED = {
    "load_id",
    "row_number",
    "line_number",
    "content_hash",
    "file_name",
    "filename",
    "rule",
    "reason",
    "raw_line",
    "received_year",
    "mojap_start_datetime",
    "mojap_end_datetime",
    "mojap_current_record",
}
NAME = re.compile(r"[a-z][a-z0-9_]*")
ISO = {
    "DATE": ("[0-9]{4}-[0-9]{2}-[0-9]{2}", "an ISO date like 2024-03-05"),
    "TIMESTAMP": ("[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}Z?", "like 2024-03-05T02:00:00Z"),
}


class ContractError(ValueError):
    """The contract file cannot be used: the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB's name for the type in silver, upper case
    standardise: str | None = None
    required: bool | str = False  # True, or a SQL condition saying when
    description: str = ""
    synthetic: tuple[str, ...] = ()
    line: int = 0  # where its block starts in the file

    @property
    def text(self) -> str:
        """The name of its value as it came (spaces stripped, blank as NULL)."""
        return f"{self.name}_text"

    @property
    def clean(self) -> str:
        """The name of its standardised, typed value."""
        return f"clean_{self.name}"


def _fail(path: Path, line: int, problem: str, fix: str) -> None:
    where = f"{path.name}, line {line}" if line else path.name
    raise ContractError(f"{where}: {problem}. Fix: {fix} ({path})")


def block_lines(text: str, header: str) -> list[int]:
    """The line number of each ``[[header]]`` in a TOML text, in order."""
    pattern = re.compile(rf"^\s*\[\[\s*{header}\s*\]\]")
    return [number for number, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]


def load(path: Path | str | None = None) -> tuple[Column, ...]:
    """The contract's columns, in the extract's order; ContractError if the file is not right."""
    path = Path(path) if path is not None else CONTRACT_FILE
    return _load(path, path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=8)
def _load(path: Path, text: str) -> tuple[Column, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        _fail(path, 0, f"it is not valid TOML ({error})", "correct the line it names; compare with another block")
    blocks = data.get("column")
    if not isinstance(blocks, list) or not blocks:
        _fail(path, 0, "it declares no column", "declare each column in a [[column]] block")
    lines = block_lines(text, "column")
    columns: list[Column] = []
    seen: dict[str, int] = {}
    for number, block in enumerate(blocks):
        line = lines[number] if number < len(lines) else 0
        columns.append(_column(path, line, block, seen))
    names = {c.name: c for c in columns}
    for name, kind in CORE.items():
        if name not in names:
            _fail(
                path,
                0,
                f"the column {name} is missing",
                f"keep the {name} column ({kind}): the pipeline keys events on it",
            )
        if names[name].type != kind:
            _fail(path, names[name].line, f"{name} must be {kind}, not {names[name].type}", f'set type = "{kind}"')
    return tuple(columns)


def _column(path: Path, line: int, block: dict, seen: dict[str, int]) -> Column:
    unknown = sorted(set(block) - set(FIELDS))
    if unknown:
        _fail(path, line, f"unknown field(s) {', '.join(unknown)}", f"use only {', '.join(FIELDS)}; check the spelling")
    for field in ("name", "type"):
        if not isinstance(block.get(field), str) or not block[field].strip():
            _fail(path, line, f"the column has no {field}", f'add {field} = "..." to its block')
    name, kind = block["name"].strip(), block["type"].strip().upper()
    if not NAME.fullmatch(name) or name in RESERVED or name.startswith("clean_"):
        _fail(
            path,
            line,
            f"{name!r} cannot be a column name here",
            "use lower case letters, digits and _, starting with a letter, and not a name the pipeline's "
            f"tables use ({', '.join(sorted(RESERVED))}) nor one starting with clean_",
        )
    if name in seen:
        _fail(path, line, f"the column {name} is declared twice (also at line {seen[name]})", "keep one of the two")
    seen[name] = line
    if not _is_a_type(kind):
        _fail(
            path,
            line,
            f"{name}: DuckDB has no type {kind!r}",
            "use VARCHAR, DATE, TIMESTAMP, INTEGER, DOUBLE or BOOLEAN",
        )
    standardise = block.get("standardise")
    if standardise is not None and (kind != "VARCHAR" or standardise not in STANDARDISE):
        _fail(
            path,
            line,
            f"{name}: standardise = {standardise!r} is not possible for a {kind} column",
            f"use one of {', '.join(map(repr, STANDARDISE))}, on a VARCHAR column only, or leave it out",
        )
    required = block.get("required", False)
    if not isinstance(required, bool | str) or (isinstance(required, str) and not required.strip()):
        _fail(path, line, f"{name}: required must be true, false or a SQL condition", "e.g. required = true")
    synthetic = block.get("synthetic", [])
    if not isinstance(synthetic, list) or not all(isinstance(v, str) for v in synthetic):
        _fail(
            path, line, f"{name}: synthetic must be a list of text values", 'e.g. synthetic = ["guilty", "not_guilty"]'
        )
    return Column(name, kind, standardise, required, str(block.get("description", "")), tuple(synthetic), line)


@functools.lru_cache(maxsize=32)
def _is_a_type(kind: str) -> bool:
    try:
        duckdb.execute(f"SELECT NULL::{kind}")
    except duckdb.Error:
        return False
    return True


def names(path: Path | str | None = None) -> tuple[str, ...]:
    """The extract's column names, in the source's order."""
    return tuple(c.name for c in load(path))


def _quoted(name: str) -> str:
    return f'"{name}"'


def _typed_first(columns) -> list[Column]:
    """Typed columns, timestamps first, then dates, then the others, each in contract order."""
    order = {"TIMESTAMP": 0, "DATE": 1}
    return sorted((c for c in columns if c.type != "VARCHAR"), key=lambda c: order.get(c.type, 2))


def standardised_sql(columns: tuple[Column, ...]) -> str:
    """The select list that makes each column's ``<name>_text`` and ``clean_<name>``."""
    lines = [f"nullif(trimmed({_quoted(c.name)}), '') AS {_quoted(c.text)}," for c in columns]
    for c in columns:
        if c.type == "VARCHAR":
            value = STANDARDISE[c.standardise].format(_quoted(c.text)) if c.standardise else _quoted(c.text)
        else:
            value = f"try_cast({_quoted(c.text)} AS {c.type})"
        lines.append(f"{value} AS {_quoted(c.clean)},")
    return "\n".join(lines)


def _first(cases: list[str]) -> str:
    return "CASE\n    " + "\n    ".join(cases) + "\nEND" if cases else "NULL::VARCHAR"


def helpers_sql(columns: tuple[Column, ...]) -> str:
    """The helper columns the rules use, each NULL when the row is fine."""
    missing, whens = [], []
    for c in columns:
        when = f"{_quoted(c.text)} IS NULL"
        if isinstance(c.required, str):
            when += f" AND ({c.required})"
        if c.required:
            missing.append(f"CASE WHEN {when} THEN '{c.name}' END")
            whens.append(when)
    # The names are put together only for a row that misses one: most miss none.
    missing_sql = (
        "CASE WHEN "
        + "\n    OR ".join(f"({when})" for when in whens)
        + " THEN concat_ws(\n    ', ',\n    "
        + ",\n    ".join(missing)
        + "\n) END"
        if missing
        else "NULL::VARCHAR"
    )
    not_iso = [
        f"WHEN NOT regexp_full_match({_quoted(c.text)}, '{ISO[c.type][0]}')\n"
        f"        THEN format('{c.name} ''{{}}'' is not {ISO[c.type][1]}', {_quoted(c.text)})"
        for c in _typed_first(columns)
        if c.type in ISO
    ]
    not_valid = [
        f"WHEN {_quoted(c.text)} IS NOT NULL AND {_quoted(c.clean)} IS NULL\n"
        f"        THEN format('{c.name} ''{{}}'' is not {_what(c.type)}', {_quoted(c.text)})"
        for c in _typed_first(columns)
        if c.type in ISO
    ]
    not_of_type = [
        f"WHEN {_quoted(c.text)} IS NOT NULL AND {_quoted(c.clean)} IS NULL\n"
        f"        THEN format('{c.name} ''{{}}'' is not a {c.type}', {_quoted(c.text)})"
        for c in columns
        if c.type != "VARCHAR" and c.type not in ISO
    ]
    out_of_range = [
        f"WHEN {_quoted(c.clean)} < getvariable('earliest_date') OR {_quoted(c.clean)} >= getvariable('latest_date')\n"
        f"        THEN '{c.name} ' || {_quoted(c.text)}"
        for c in columns
        if c.type in ISO
    ]
    longest = "coalesce(greatest(\n    " + ",\n    ".join(f"length({_quoted(c.name)})" for c in columns) + "\n), 0)"
    return "\n".join(
        [
            "-- the longest of the values as they arrived, in characters",
            f"{longest} AS longest_value,",
            "-- required values that are blank, by name",
            f"{missing_sql} AS missing_columns,",
            "-- the first date or time not written as ISO (2024-03-05, 2024-03-05T02:00:00Z), described",
            f"{_first(not_iso)} AS not_iso,",
            "-- the first date or time that does not exist (2024-02-30), described",
            f"{_first(not_valid)} AS not_valid,",
            "-- the first other value that is not of its column's type (INTEGER, DOUBLE ...), described",
            f"{_first(not_of_type)} AS not_of_type,",
            "-- the first date or time outside pipeline.PLAUSIBLE_DATES, with its value",
            f"{_first(out_of_range)} AS out_of_range,",
        ]
    )


def _what(kind: str) -> str:
    return {"DATE": "a real date", "TIMESTAMP": "a real time"}[kind]


def silver_sql(columns: tuple[Column, ...]) -> str:
    """The silver table's typed columns, one per contract column; those always required are NOT NULL."""
    return "\n".join(f"    {_quoted(c.name)} {c.type}{' NOT NULL' if c.required is True else ''}," for c in columns)


def frame(columns: tuple[Column, ...] | None = None):
    """The contract as a table, for the notebook (each column's description is in contract.toml)."""
    import pandas as pd

    columns = columns if columns is not None else load()
    return pd.DataFrame(
        {
            "type": [c.type for c in columns],
            "tidied": [c.standardise or "" for c in columns],
            "required": [
                "always" if c.required is True else "when " + c.required if c.required else "no" for c in columns
            ],
        },
        index=pd.Index([c.name for c in columns], name="column"),
    )
