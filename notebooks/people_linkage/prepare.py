"""Check the three extracts, then standardise them into one shape for linkage.

``load_extracts`` reads each extract as text, exactly as written. ``prepare`` checks
each one and refuses it whole, with a ``SourceError`` that names the source, the file
and the problem, if it is missing a column, has no rows, has a record without an
identifier or two records with the same one, or holds a date that is not a date in the
source's format. Nothing is dropped: every record that goes in comes out, in the same
number, and every date that was there is still there.

The standardising itself is DuckDB SQL in ``sql/``: one query per source that maps its
columns onto the eight that the linkage model reads (``linkage.INPUT_COLUMNS``), using the shared cleaning macros
in ``sql/macros.sql``. What the linkage does not compare (outcomes, sentences, dates
of events) goes into a separate table per source, ``events``, keyed by the same id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from .linkage import INPUT_COLUMNS
from .people import COLUMNS, DATE_FORMATS, EXTRACT_FILES, ID_COLUMNS, SOURCES

SQL_DIR = Path(__file__).resolve().parent / "sql"
EVENT_COLUMNS = {
    "courts": {"hearing_date": "date", "outcome": "text", "sentence": "text", "offence_category": "text"},
    "prison": {"reception_date": "date", "establishment_code": "text"},
    "probation": {"sentence_start_date": "date", "supervision_type": "text"},
}
SHOW_ROWS = 5  # how many offending rows an error lists


class SourceError(ValueError):
    """An extract that cannot be linked as it is: the message says which, where and what to do."""

    def __init__(self, source: str, where: str, problem: str, fix: str):
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source} extract ({where}): {problem}. {fix}")


@dataclass
class Prepared:
    """The standardised inputs: one table per source with the same columns, and their events."""

    people: dict[str, pd.DataFrame]
    events: dict[str, pd.DataFrame]


def load_extracts(folder: Path) -> dict[str, tuple[pd.DataFrame, str]]:
    """Read each source's extract from ``folder`` as text: {source: (frame, path)}."""
    extracts = {}
    for source in SOURCES:
        path = Path(folder) / EXTRACT_FILES[source]
        if not path.is_file():
            raise SourceError(source, str(path), "the file does not exist", "Generate or copy the extract there first.")
        if path.stat().st_size == 0:
            raise SourceError(source, str(path), "the file is empty: it has no header row", "Export it again.")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
        extracts[source] = (frame, str(path))
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


def check(source: str, frame: pd.DataFrame, where: str = "in memory") -> None:
    """Raise a ``SourceError`` if the extract cannot be linked as it is."""
    if source not in SOURCES:
        raise SourceError(source, where, f"there is no source called {source!r}", f"Use one of {', '.join(SOURCES)}.")
    missing = [c for c in COLUMNS[source] if c not in frame.columns]
    if missing:
        raise SourceError(
            source,
            where,
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            f"The extract needs all of: {', '.join(COLUMNS[source])}.",
        )
    if len(frame) == 0:
        raise SourceError(source, where, "it has no rows", "Check that the export ran and selected records.")
    ids = frame[ID_COLUMNS[source]].astype(str).str.strip()
    blank = ids.index[ids == ""]
    if len(blank):
        raise SourceError(
            source,
            where,
            f"{len(blank):,} record{'s have' if len(blank) > 1 else ' has'} no {ID_COLUMNS[source]}: {_rows(blank)}",
            "Every record needs its own identifier; fix those rows in the source system.",
        )
    repeated = ids[ids.duplicated(keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        rows = repeated.index[repeated == first]
        raise SourceError(
            source,
            where,
            f"{repeated.nunique():,} {ID_COLUMNS[source]} value{'s are' if repeated.nunique() > 1 else ' is'} "
            f"used more than once, such as {first!r} on {_rows(rows)}",
            "Each record needs its own identifier: remove the duplicate rows or ask the source system why.",
        )
    for column, fmt in DATE_FORMATS[source].items():
        values = frame[column].astype(str).str.strip()
        distinct = [v for v in values.unique() if v != ""]
        bad = {v for v in distinct if not _parses(v, fmt)}
        if bad:
            rows = values.index[values.isin(bad)]
            example = values[rows[0]]
            shown = datetime(1985, 3, 14).strftime(fmt).upper() if "%b" in fmt else datetime(1985, 3, 14).strftime(fmt)
            raise SourceError(
                source,
                where,
                f"{len(rows):,} value{'s' if len(rows) > 1 else ''} in {column} {'are' if len(rows) > 1 else 'is'} "
                f"not a date written like {shown}, such as {example!r} on {_rows(rows)}",
                "Correct the extract, or leave a date blank if it is not known.",
            )


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))
    return con


def standardise_sql(source: str) -> str:
    return (SQL_DIR / f"{source}.sql").read_text(encoding="utf-8")


def prepare(extracts: Mapping[str, pd.DataFrame | tuple[pd.DataFrame, str]]) -> Prepared:
    """Check each extract, then standardise it. ``extracts`` maps each source to a frame, or (frame, path)."""
    if sorted(extracts) != sorted(SOURCES):
        raise ValueError(f"prepare needs exactly the sources {', '.join(SOURCES)}; got {', '.join(extracts)}")
    con = _connect()
    people, events = {}, {}
    for source in SOURCES:
        given = extracts[source]
        frame, where = given if isinstance(given, tuple) else (given, "in memory")
        check(source, frame, where)
        text = frame[list(COLUMNS[source])].astype(str)
        con.register(source, text)
        standard = con.sql(standardise_sql(source)).df()
        # Nothing lost: every record comes out, and every date of birth that was there.
        dob_column = next(c for c in DATE_FORMATS[source] if "birth" in c)
        given_dobs = int((text[dob_column].str.strip() != "").sum())
        if len(standard) != len(frame) or int(standard["dob"].notna().sum()) != given_dobs:
            raise SourceError(
                source,
                where,
                f"standardising kept {len(standard):,} of {len(frame):,} records and "
                f"{int(standard['dob'].notna().sum()):,} of {given_dobs:,} dates of birth",
                "This is a bug in the standardising SQL: report it with the extract.",
            )
        people[source] = standard[list(INPUT_COLUMNS)]
        selected = [f"{ID_COLUMNS[source]} as unique_id"]
        for column, kind in EVENT_COLUMNS[source].items():
            if kind == "date":
                selected.append(
                    f"try_strptime(nullif(trim({column}), ''), '{DATE_FORMATS[source][column]}')::date as {column}"
                )
            else:
                selected.append(f"nullif(trim({column}), '') as {column}")
        events[source] = con.sql(f"select {', '.join(selected)} from {source}").df()
        con.unregister(source)
    con.close()
    return Prepared(people, events)
