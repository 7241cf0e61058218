"""Check the extracts of every registered source, then standardise them into one shape for linkage.

The sources are registered by name in ``registry`` (one TOML file each in ``sources/``):
its extract's file, its identifier, and which of its columns holds each documented column
(``registry.DOCUMENTED``). A fourth source, or another data set with the same kinds of
fields, links with no code edit: register it there, and ``load_extracts`` and ``prepare``
read it like the others.

``load_extracts`` reads each extract as text, exactly as written. ``prepare`` checks each
one and refuses it whole, with a ``SourceError`` that names the source, the file and the
problem, if it is missing a column, has no rows, or has a record without an identifier or
two records with the same one. What one value gets wrong does not refuse a source:

- a date that is not a date in the source's format is left blank, and counted: the
  warning and ``Prepared.unreadable_dates`` say how many, per source and column, with an
  example and its row;
- a documented column blank in every record of a source (or not mapped at all) stays a
  text column of blanks, with a warning (``Prepared.blank_columns``): the model compares
  that source's records without it, as it does any blank value (neither for nor against).

Nothing else is dropped: every record that goes in comes out, in the same number, and every
readable date that was there is still there.

The standardising is DuckDB SQL that ``standardise_sql`` writes from the registration, one
query per source, mapping its columns onto the eight the linkage model reads
(``linkage.INPUT_COLUMNS``) with the shared cleaning macros in ``sql/macros.sql``. What the
linkage does not compare (the registration's ``[events]``: outcomes, sentences, dates of
events) goes into a separate table per source, ``events``, keyed by the same id.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from . import registry
from .linkage import INPUT_COLUMNS

SQL_DIR = Path(__file__).resolve().parent / "sql"
SHOW_ROWS = 5  # how many offending rows an error lists
UNREADABLE_COLUMNS = ("source", "column", "values", "format", "example", "rows")


class SourceError(ValueError):
    """An extract that cannot be linked as it is: the message says which, where and what to do."""

    def __init__(self, source: str, where: str, problem: str, fix: str):
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source} extract ({where}): {problem}. {fix}")


class InputWarning(UserWarning):
    """Values an extract holds that the linkage cannot read: left blank, and said so."""


@dataclass
class Prepared:
    """The standardised inputs: one table per source with the same columns, and their events;
    with what was left blank on the way (dates that are not dates, columns with no value)."""

    people: dict[str, pd.DataFrame]
    events: dict[str, pd.DataFrame]
    unreadable_dates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNREADABLE_COLUMNS))
    blank_columns: list[tuple[str, str]] = field(default_factory=list)  # (source, documented column)


def _registered(sources: Mapping[str, registry.Source] | None) -> dict[str, registry.Source]:
    return registry.load() if sources is None else dict(sources)


def load_extracts(
    folder: Path, sources: Mapping[str, registry.Source] | None = None
) -> dict[str, tuple[pd.DataFrame, str]]:
    """Read each registered source's extract from ``folder`` as text: {source: (frame, path)}."""
    extracts = {}
    for name, source in _registered(sources).items():
        path = Path(folder) / source.file
        if not path.is_file():
            raise SourceError(
                name,
                str(path),
                "the file does not exist",
                f"Generate or copy the extract there first (or remove its registration, {source.path}).",
            )
        if path.stat().st_size == 0:
            raise SourceError(name, str(path), "the file is empty: it has no header row", "Export it again.")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
        extracts[name] = (frame, str(path))
    return extracts


def _rows(index) -> str:
    """Row numbers as a reader counts them (1 is the first record), with their line in a CSV file."""
    shown = [f"row {i + 1} (line {i + 2})" for i in list(index)[:SHOW_ROWS]]
    more = len(index) - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def written_like(fmt: str) -> str:
    """A date format as a reader sees it: 14/03/1985, 1985-03-14 or 14-MAR-1985."""
    example = datetime(1985, 3, 14).strftime(fmt)
    return example.upper() if "%b" in fmt else example


def check(
    name: str, frame: pd.DataFrame, where: str = "in memory", sources: Mapping[str, registry.Source] | None = None
) -> pd.DataFrame:
    """Raise a ``SourceError`` if the extract cannot be linked as it is; return its unreadable
    dates (one row per date column that has any: ``UNREADABLE_COLUMNS``), which are left blank."""
    registered = _registered(sources)
    if name not in registered:
        raise SourceError(
            name, where, f"there is no source called {name!r}", f"Use one of {', '.join(registered)}, or register it."
        )
    source = registered[name]
    missing = [c for c in source.needs if c not in frame.columns]
    if missing:
        raise SourceError(
            name,
            where,
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            f"The extract needs all of: {', '.join(source.needs)} (as {source.path} registers it).",
        )
    if len(frame) == 0:
        raise SourceError(name, where, "it has no rows", "Check that the export ran and selected records.")
    ids = frame[source.id].astype(str).str.strip()
    blank = ids.index[ids == ""]
    if len(blank):
        raise SourceError(
            name,
            where,
            f"{len(blank):,} record{'s have' if len(blank) > 1 else ' has'} no {source.id}: {_rows(blank)}",
            "Every record needs its own identifier; fix those rows in the source system.",
        )
    repeated = ids[ids.duplicated(keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        rows = repeated.index[repeated == first]
        raise SourceError(
            name,
            where,
            f"{repeated.nunique():,} {source.id} value{'s are' if repeated.nunique() > 1 else ' is'} "
            f"used more than once, such as {first!r} on {_rows(rows)}",
            "Each record needs its own identifier: remove the duplicate rows or ask the source system why.",
        )
    unreadable = []
    for column, fmt in source.dates.items():
        values = frame[column].astype(str).str.strip().reset_index(drop=True)
        bad = {v for v in values.unique() if v != "" and not _parses(v, fmt)}
        if bad:
            rows = values.index[values.isin(bad)]
            unreadable.append(
                {
                    "source": name,
                    "column": column,
                    "values": len(rows),
                    "format": written_like(fmt),
                    "example": values[rows[0]],
                    "rows": _rows(rows),
                }
            )
    return pd.DataFrame(unreadable, columns=UNREADABLE_COLUMNS)


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))
    return con


def _name(identifier: str) -> str:
    """A column or table name as SQL reads it: quoted unless it is a plain lower-case name."""
    return identifier if re.fullmatch(r"[a-z_][a-z0-9_]*", identifier) else '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def standardise_sql(name: str, sources: Mapping[str, registry.Source] | None = None) -> str:
    """The DuckDB query that maps the source's extract (a table named for the source) onto
    ``linkage.INPUT_COLUMNS``, written from its registration."""
    source = _registered(sources)[name]
    columns = {key: _name(value) for key, value in source.columns.items()}
    first = f"first_word({columns['first_name']})" if source.first_word else columns["first_name"]
    cleaned = {
        "first_name": f"clean_name({first})",
        "last_name": f"clean_name({columns['last_name']})",
        "dob": f"iso_date({columns.get('dob')}, {_literal(source.dates.get(source.columns.get('dob', ''), ''))})",
        "sex": f"clean_sex({columns.get('sex')})",
        "postcode": f"clean_postcode({columns.get('postcode')})",
        "pnc": f"clean_pnc({columns.get('pnc')})",
    }
    lines = [f"    {_name(source.id)} as unique_id,", f"    {_literal(name)} as source_dataset,"]
    for column in registry.DOCUMENTED:
        if column in columns:
            lines.append(f"    {cleaned[column]} as {column},")
        else:
            lines.append(f"    null::varchar as {column},  -- not in this extract")
    lines[-1] = lines[-1].replace(",", "", 1) if lines[-1].endswith(",") else lines[-1].replace(",  --", "  --", 1)
    comment = [f"-- {line}" for line in _wrap(source.description or f"The {name} extract.")]
    return "\n".join([*comment, "select", *lines, f"from {_name(name)}"])


def _wrap(text: str, width: int = 85) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _events_sql(name: str, source: registry.Source) -> str:
    selected = [f"{_name(source.id)} as unique_id"]
    for column, kind in source.events.items():
        if kind == "date":
            selected.append(
                f"try_strptime(nullif(trim({_name(column)}), ''), {_literal(source.dates[column])})::date as {_name(column)}"
            )
        else:
            selected.append(f"nullif(trim({_name(column)}), '') as {_name(column)}")
    return f"select {', '.join(selected)} from {_name(name)}"


def prepare(
    extracts: Mapping[str, pd.DataFrame | tuple[pd.DataFrame, str]],
    sources: Mapping[str, registry.Source] | None = None,
) -> Prepared:
    """Check each extract, then standardise it. ``extracts`` maps each registered source to a
    frame, or (frame, path); ``sources``, the registered sources (``registry.load()`` if None)."""
    registered = _registered(sources)
    if sorted(extracts) != sorted(registered):
        raise ValueError(
            f"prepare needs exactly the registered sources, {', '.join(registered)}; got {', '.join(extracts)}. "
            f"Register a source with a file in {registry.FOLDER}, or load the extracts with load_extracts."
        )
    con = _connect()
    people, events, unreadable, blank_columns = {}, {}, [], []
    for name, source in registered.items():
        given = extracts[name]
        frame, where = given if isinstance(given, tuple) else (given, "in memory")
        bad = check(name, frame, where, registered)
        text = frame[source.needs].astype(str).reset_index(drop=True)
        for row in bad.itertuples():
            warnings.warn(
                f"{name} extract ({where}): {row.values:,} value{'s' if row.values > 1 else ''} in {row.column} "
                f"{'are' if row.values > 1 else 'is'} not a date written like {row.format}, such as {row.example!r} "
                f"on {row.rows}: left blank. Correct the extract if the dates are known.",
                InputWarning,
                stacklevel=2,
            )
        unreadable.append(bad)
        con.register(name, text)
        standard = con.sql(standardise_sql(name, registered)).df()
        # Nothing lost: every record comes out, and every readable date of birth that was there.
        dob_column = source.columns.get("dob")
        given_dobs = int((text[dob_column].str.strip() != "").sum()) if dob_column else 0
        given_dobs -= int(bad.loc[bad["column"] == dob_column, "values"].sum())
        kept_dobs = int(standard["dob"].notna().sum())
        if len(standard) != len(frame) or kept_dobs != given_dobs:
            raise SourceError(
                name,
                where,
                f"standardising kept {len(standard):,} of {len(frame):,} records and "
                f"{kept_dobs:,} of {given_dobs:,} readable dates of birth",
                "This is a bug in the standardising SQL: report it with the extract.",
            )
        # A column with no value in any record stays text: DuckDB (and so Splink) would read a
        # column of nothing but nulls as a number, and comparing it as text would fail.
        standard = standard[list(INPUT_COLUMNS)]
        for column in registry.DOCUMENTED:
            if standard[column].isna().all():
                blank_columns.append((name, column))
                held = f"its column {source.columns[column]} is blank in every record" if column in source.columns else (
                    "it has no such column"
                )  # fmt: skip
                warnings.warn(
                    f"{name} extract ({where}): no record holds a {column} ({held}). The model compares "
                    f"{name}'s records without it, as any blank value: neither for nor against a match.",
                    InputWarning,
                    stacklevel=2,
                )
        # pandas' text type, so that DuckDB reads it as text (VARCHAR), not a number.
        blank = [c for c in standard.columns if standard[c].isna().all()]
        people[name] = standard.astype(dict.fromkeys(blank, "string"))
        events[name] = con.sql(_events_sql(name, source)).df()
        con.unregister(name)
    con.close()
    return Prepared(people, events, pd.concat(unreadable, ignore_index=True), blank_columns)
