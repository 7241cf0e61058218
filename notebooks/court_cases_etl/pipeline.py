"""Run the court cases ETL pipeline: land, validate, quarantine, keep history, publish.

The pipeline is DuckDB SQL kept in ``sql/*.sql`` beside this module. This module
only runs those files in order, inside one transaction per extract file, and
refuses files it cannot read at all. The notebook ``court_cases_etl.ipynb``
shows the same SQL files before it runs them, so what you read is what runs.

Entry points:

- ``connect(db_path)``: open (or create) the pipeline's database.
- ``load_file(con, path)``: load one extract; raises ``ExtractRejected`` for a
  file that cannot be loaded at all.
- ``load_files(con, paths, progress=True)``: load many, with a progress bar.
- ``publish(con, output_dir)``: write the curated Parquet files atomically.
- ``ensure_curated(output_dir, cases)``: make the curated output if it is not
  there yet (used by the dbt notebook).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from . import extracts

HERE = Path(__file__).resolve().parent
SQL_DIR = HERE / "sql"
# Everything the example writes goes to notebooks/output/court_cases_etl/, which git ignores.
DEFAULT_OUTPUT = HERE.parent / "output" / "court_cases_etl"
DEFAULT_CASES = 10_000
DEFAULT_DAYS = 30
# DuckDB's memory budget for a database on disk (its default is 80% of the machine's memory).
MEMORY_LIMIT = "1GB"

# The steps of one file's load, in order; each is a file in sql/.
LOAD_STEPS = ("land", "bronze", "validate", "quarantine", "silver", "curated", "reconcile")
EXPECTED_COLUMNS = extracts.COLUMNS


class ExtractRejected(ValueError):
    """A whole extract file was refused; nothing from it was loaded."""

    def __init__(self, path: Path | str, problem: str, action: str):
        self.path = Path(path)
        self.problem = problem
        self.action = action
        super().__init__(f"{self.path.name}: refused, {problem}. {action} Nothing from this file was loaded.")


class ReconciliationError(RuntimeError):
    """Rows read did not equal rows loaded plus rows quarantined; the load was rolled back."""


class InjectedFailure(RuntimeError):
    """Raised on purpose (``load_file(..., fail_after=step)``) to show that a failed load changes nothing."""


@dataclass(frozen=True)
class LoadResult:
    file_name: str
    load_id: int
    status: str  # "loaded" or "already loaded"
    rows_read: int
    rows_loaded: int
    rows_quarantined: int


def sql(step: str) -> str:
    """The SQL text of one step (a file in sql/)."""
    return (SQL_DIR / f"{step}.sql").read_text(encoding="utf-8")


def show_sql(step: str):
    """Display a step's SQL in a notebook, highlighted, exactly as it runs."""
    from IPython.display import Markdown

    return Markdown(f"`sql/{step}.sql`\n\n```sql\n{sql(step).strip()}\n```")


def connect(db_path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the pipeline's database (in memory if ``db_path`` is None) and create its tables.

    A database on disk works within MEMORY_LIMIT: beyond it, DuckDB spills to
    temporary files beside the database, so ten times the rows does not need ten
    times the memory.
    """
    con = duckdb.connect(str(db_path) if db_path is not None else ":memory:")
    if db_path is not None:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    try:  # DuckDB's own progress bar would print into the output
        con.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:
        pass  # in Jupyter without ipywidgets DuckDB shows no bar, and refuses the setting
    con.execute(sql("schema"))
    if con.execute("SELECT count(*) FROM courts").fetchall()[0][0] == 0:
        con.register("courts_frame", extracts.courts_frame())
        con.register("categories_frame", pd.DataFrame({"offence_category": extracts.OFFENCE_CATEGORIES}))
        con.register("outcomes_frame", pd.DataFrame({"outcome": extracts.OUTCOMES}))
        con.execute("INSERT INTO courts SELECT * FROM courts_frame")
        con.execute("INSERT INTO offence_categories SELECT * FROM categories_frame")
        con.execute("INSERT INTO outcomes SELECT * FROM outcomes_frame")
        for name in ("courts_frame", "categories_frame", "outcomes_frame"):
            con.unregister(name)
    return con


def _set(con: duckdb.DuckDBPyConnection, name: str, value) -> None:
    con.execute(f"SET VARIABLE {name} = ?", [value])


def read_header(path: Path | str) -> list[str]:
    """Check that a file can be loaded at all and return its column names in file order.

    Raises ExtractRejected, naming the file, the problem and what to do, for an
    empty file, a header that is not UTF-8, the wrong delimiter, or columns
    missing, unexpected, repeated or renamed. A byte-order mark and CRLF line
    ends are fine.
    """
    path = Path(path)
    if not path.is_file():
        raise ExtractRejected(path, "the file does not exist", "Check the path and the extract's delivery.")
    with path.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise ExtractRejected(
            path,
            "the file is empty (no header line)",
            "An extract always has a header, even on a day with no events: ask the source to re-run it.",
        )
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractRejected(
            path, f"the header line is not UTF-8 ({exc.reason} at byte {exc.start})", "Ask for the file in UTF-8."
        ) from exc
    columns = [c.strip() for c in next(csv.reader([text]))]
    expected = list(EXPECTED_COLUMNS)
    if len(columns) == 1 and any(sep in text for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in text)
        raise ExtractRejected(
            path,
            f"the header is separated by {sep!r}, not by commas",
            "The extracts must be comma-separated (CSV): ask the source to send them so.",
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    missing = [c for c in expected if c not in columns]
    unexpected = [c for c in columns if c not in expected]
    if repeated or missing or unexpected:
        parts = []
        if missing:
            parts.append("missing column(s): " + ", ".join(missing))
        if unexpected:
            parts.append("unexpected column(s): " + ", ".join(repr(c) for c in unexpected))
        if repeated:
            parts.append("repeated column(s): " + ", ".join(repeated))
        hint = ""
        if len(missing) == len(unexpected) == 1:
            hint = f" Was {missing[0]} renamed to {unexpected[0]!r}?"
        raise ExtractRejected(
            path,
            "; ".join(parts),
            f"The extract must have exactly these columns: {', '.join(expected)}.{hint} "
            "Ask the source to fix the extract, or change the contract (COLUMNS in court_cases_etl/extracts.py) "
            "if the change is agreed.",
        )
    return columns


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _result(con: duckdb.DuckDBPyConnection, load_id: int, status: str) -> LoadResult:
    row = con.execute(
        "SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM reconciliation WHERE load_id = ?", [load_id]
    ).fetchall()[0]
    return LoadResult(row[0], load_id, status, row[1], row[2], row[3])


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    fail_after: str | None = None,
    refresh_curated: bool = True,
) -> LoadResult:
    """Load one extract file in one transaction: all of it, or (on any error) none of it.

    A file whose name was loaded before with the same content is skipped ("already
    loaded"), so loading it twice changes nothing. The same name with different
    content is refused. ``fail_after`` names a step after which to raise
    InjectedFailure, to show that a failed load leaves everything as it was.
    ``refresh_curated=False`` leaves the curated history to a later refresh
    (``refresh_curated(con)``), as ``load_files`` does for a batch.
    """
    path = Path(path)
    columns = read_header(path)
    digest = _sha256(path)
    earlier = con.execute("SELECT load_id, file_sha256 FROM loads WHERE file_name = ?", [path.name]).fetchall()
    if earlier:
        load_id, earlier_digest = earlier[0]
        if earlier_digest == digest:
            return _result(con, load_id, "already loaded")
        raise ExtractRejected(
            path,
            f"a file with this name was already loaded (load {load_id}) with different content",
            "A corrected extract needs a new file name; or, if the old load was wrong, rebuild from the raw files.",
        )
    if fail_after is not None and fail_after not in LOAD_STEPS:
        raise ValueError(f"fail_after must be one of {LOAD_STEPS}, not {fail_after!r}")
    con.execute("BEGIN TRANSACTION")
    try:
        load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchall()[0][0]
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            "INSERT INTO loads VALUES (?, ?, ?, ?)",
            [load_id, path.name, digest, loaded_at],
        )
        _set(con, "load_id", load_id)
        _set(con, "file_name", path.name)
        _set(con, "file_path", str(path))
        _set(con, "loaded_at", loaded_at)
        struct = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
        con.execute(f"SET VARIABLE csv_columns = {struct}")
        for step in LOAD_STEPS:
            if step == "curated" and not refresh_curated:
                continue
            con.execute(sql(step))
            if step == fail_after:
                raise InjectedFailure(f"{path.name}: failure injected after step {step!r}, as asked")
        result = _result(con, load_id, "loaded")
        if result.rows_read != result.rows_loaded + result.rows_quarantined:
            raise ReconciliationError(
                f"{path.name}: {result.rows_read} rows read but {result.rows_loaded} loaded and "
                f"{result.rows_quarantined} quarantined; the load was rolled back. This is a bug in the pipeline."
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result


def refresh_curated(con: duckdb.DuckDBPyConnection) -> None:
    """Fold every load not yet in the curated history into it, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql("curated"))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def load_files(con: duckdb.DuckDBPyConnection, paths, *, progress: bool = False, stream=None) -> list[LoadResult]:
    """Load files one after another, each in its own transaction, then refresh the curated history once.

    Rebuilding the history once for the whole batch, rather than after every
    file, is what keeps large loads fast. If a file fails, the files before it
    stay loaded and are folded into the history before the error is raised; the
    failed file changes nothing.
    """
    paths = [Path(p) for p in paths]
    if progress:
        from tqdm.std import tqdm  # plain text: no widgets, no scripts

        paths_iter = tqdm(
            paths, desc="Loading extracts", unit="file", file=stream or sys.stdout, ncols=80, mininterval=2
        )
    else:
        paths_iter = paths
    try:
        return [load_file(con, path, refresh_curated=False) for path in paths_iter]
    finally:
        refresh_curated(con)


def curated_state(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The curated table in a fixed order, to compare states."""
    return con.execute("SELECT * FROM curated_court_cases ORDER BY case_id, mojap_start_datetime").df()


def publish(con: duckdb.DuckDBPyConnection, output_dir: Path | str, info: dict | None = None) -> Path:
    """Write ``<output_dir>/curated/`` (partitioned Parquet and the court list) and return its path.

    Everything is written to a new folder first, then swapped in, so a reader
    sees either the old complete output or the new one. ``_manifest.json`` marks
    the output complete.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    final = output_dir / "curated"
    staging = output_dir / f".curated-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        _set(con, "court_cases_dir", str(staging / "court_cases"))
        _set(con, "courts_file", str(staging / "courts.parquet"))
        con.execute(sql("publish"))
        counts = con.execute(
            "SELECT count(*), count(*) FILTER (mojap_current_record) FROM curated_court_cases"
        ).fetchall()[0]
        manifest = {**(info or {}), "versions": counts[0], "current_versions": counts[1]}
        (staging / "_manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        old = output_dir / f".curated-old-{uuid.uuid4().hex[:8]}"
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def run_pipeline(
    output_dir: Path | str | None = None,
    cases: int = DEFAULT_CASES,
    days: int = DEFAULT_DAYS,
    seed: int = extracts.SEED,
    progress: bool = False,
) -> Path:
    """Generate the extracts, load them all into a fresh database and publish; return the curated folder."""
    output_dir = Path(output_dir) if output_dir is not None else DEFAULT_OUTPUT
    manifest = extracts.generate_extracts(output_dir / "extracts", cases=cases, days=days, seed=seed)
    db_path = output_dir / "courts.duckdb"
    for stale in (db_path, db_path.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    con = connect(db_path)
    try:
        load_files(con, manifest.paths(), progress=progress)
        return publish(con, output_dir, {"cases": cases, "days": days, "seed": seed, "raw_rows": manifest.rows})
    finally:
        con.close()


def ensure_curated(output_dir: Path | None = None, cases: int | None = None) -> Path:
    """Return ``<output_dir>/curated/``, running the whole pipeline first if it is missing or incomplete.

    ``output_dir`` defaults to ``notebooks/output/court_cases_etl/``; ``cases`` to the ETL
    notebook's default size. Output made for a different number of cases is rebuilt.
    """
    output_dir = Path(output_dir) if output_dir is not None else DEFAULT_OUTPUT
    cases = cases if cases is not None else DEFAULT_CASES
    curated = output_dir / "curated"
    marker = curated / "_manifest.json"
    if marker.is_file() and (curated / "courts.parquet").is_file() and (curated / "court_cases").is_dir():
        try:
            if json.loads(marker.read_text(encoding="utf-8")).get("cases") == cases:
                return curated
        except (json.JSONDecodeError, OSError):
            pass  # unreadable marker: rebuild
    return run_pipeline(output_dir, cases=cases)
