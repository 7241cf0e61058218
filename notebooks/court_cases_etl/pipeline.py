"""Run the court cases ETL pipeline: land, validate, quarantine, keep history, publish.

The pipeline is DuckDB SQL kept in ``sql/*.sql`` beside this module, with the validation
rules of ``rules.toml`` and the columns of ``contract.toml`` filled in where a file says
``{{ ... }}`` (``sql(step)`` is a step's SQL as it runs). A batch of
extract files loads in one transaction, in a few set-based statements over all
of its files at once: one CSV read, one validation, one insert per table. The
module itself checks each whole file first (``preflight``), runs the SQL files
in order and refuses the files it cannot load. The notebook
``court_cases_etl.ipynb`` shows the same SQL files before it runs them, so what
you read is what runs.

Entry points:

- ``connect(db_path)``: open (or create) the pipeline's database.
- ``load_files(con, paths, progress=False)``: load a batch; a file refused whole
  is reported in its result and changes nothing, while the others load.
- ``load_file(con, path)``: load one file; raises ``ExtractRejected`` if refused.
- ``publish(con, output_dir)``: write the curated Parquet files atomically.
- ``ensure_curated(output_dir, cases)``: make the curated output if it is not
  there yet (used by the dbt notebook).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

import example_output
from example_output import output_folder

from . import contract, extracts, preflight, rules
from .curated_files import (
    COURTS_FILE,
    CURATED_FOLDER,
    MANIFEST_FILE,
    cases_folder,
    partition_folder,
    read_cases_sql,
)
from .preflight import ExtractRejected, FileFacts, read_header

HERE = Path(__file__).resolve().parent
SQL_DIR = HERE / "sql"
# Everything the example writes goes to notebooks/output/court_cases_etl/, which git ignores.
DEFAULT_OUTPUT = output_folder("court_cases_etl")
DEFAULT_CASES = 10_000
DEFAULT_DAYS = 30
# DuckDB's memory budget for a database on disk (its default is 80% of the machine's memory).
MEMORY_LIMIT = "1GB"
# The dates a case event can plausibly carry: on or after the first, before the second.
# The case-management system holds no case received before 1990, and a date after 2099
# is a typing error (as is a case received in year 1). A row with a received_date,
# completed_date or extraction_timestamp outside these is quarantined (date_out_of_range).
PLAUSIBLE_DATES = (date(1990, 1, 1), date(2100, 1, 1))
# The version of the tables in sql/schema.sql; a database made by another version is not reused.
SCHEMA_VERSION = 5

# The steps of a batch's load, in order; each is a file in sql/.
# Landing and validation fill only temporary tables, so they run before the batch's transaction,
# which bronze starts: a temporary table made inside a transaction is slower to read.
LOAD_STEPS = ("land", "validate", "bronze", "quarantine", "silver", "reconcile")
# The tables a load writes to (the curated history is a view over silver).
TABLES = ("loads", "quarantine", "silver_court_cases", "curated_court_cases", "reconciliation")

__all__ = ["ExtractRejected", "read_header"]  # re-exported from preflight


class ReconciliationError(RuntimeError):
    """Rows read did not equal rows loaded plus rows quarantined; the batch was rolled back."""


class InjectedFailure(RuntimeError):
    """Raised on purpose (``load_files(..., fail_after=step)``) to show that a failed load changes nothing."""


@dataclass(frozen=True)
class LoadResult:
    file_name: str
    load_id: int | None
    status: str  # "loaded", "already loaded" or "refused"
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    error: ExtractRejected | None = None  # why a refused file was refused


def sql(step: str) -> str:
    """The SQL of one step (a file in sql/), as it runs: with the rules of rules.toml and the
    columns of contract.toml filled in where the file says {{ ... }}."""
    return rules.build_sql((SQL_DIR / f"{step}.sql").read_text(encoding="utf-8"))


def show_sql(step: str):
    """Display a step's SQL in a notebook, highlighted, exactly as it runs."""
    from IPython.display import Markdown

    return Markdown(f"`sql/{step}.sql`\n\n```sql\n{sql(step).strip()}\n```")


def show_file(name: str):
    """Display one of the example's own files (contract.toml, rules.toml) in a notebook, as it is."""
    from IPython.display import Markdown

    text = (HERE / name).read_text(encoding="utf-8").strip()
    return Markdown(f"`{name}`\n\n```{Path(name).suffix.lstrip('.')}\n{text}\n```")


def _run(con: duckdb.DuckDBPyConnection, step: str, profile_dir: Path | None = None) -> None:
    """Run one step's SQL. With ``profile_dir``, each statement runs on its own under DuckDB's
    profiler, which writes ``<profile_dir>/<step>.<n>.json`` (n counts the step's statements)."""
    if profile_dir is None:
        con.execute(sql(step))
        return
    profile_dir = Path(profile_dir)
    profile_dir.mkdir(parents=True, exist_ok=True)
    for number, statement in enumerate(con.extract_statements(sql(step)), start=1):
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"SET profiling_output = '{profile_dir / f'{step}.{number}.json'}'")
        con.execute(statement)
        con.execute("PRAGMA disable_profiling")


def _set(con: duckdb.DuckDBPyConnection, name: str, value) -> None:
    con.execute(f"SET VARIABLE {name} = ?", [value])


def _as_text(columns) -> str:
    """A DuckDB struct literal naming each column as VARCHAR: what read_csv's `columns` takes."""
    return "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"


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
    # The extract's columns, as named once in the contract (contract.toml), for the SQL to use.
    columns = contract.names()
    con.execute(f"SET VARIABLE extract_as_text = {_as_text(columns)}")
    _set(con, "extract_columns", list(columns))
    _set(con, "contract_columns", ", ".join(columns))
    _set(con, "schema_version", SCHEMA_VERSION)
    tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    if "loads" not in tables:
        con.execute("BEGIN TRANSACTION")
        con.execute(sql("schema"))
        con.register("courts_frame", extracts.courts_frame())
        con.register("categories_frame", pd.DataFrame({"offence_category": extracts.OFFENCE_CATEGORIES}))
        con.register("outcomes_frame", pd.DataFrame({"outcome": extracts.OUTCOMES}))
        con.execute("INSERT INTO courts SELECT * FROM courts_frame")
        con.execute("INSERT INTO offence_categories SELECT * FROM categories_frame")
        con.execute("INSERT INTO outcomes SELECT * FROM outcomes_frame")
        for name in ("courts_frame", "categories_frame", "outcomes_frame"):
            con.unregister(name)
        con.execute("COMMIT")
    else:
        version = None
        if "pipeline_schema" in tables:
            version = con.execute("SELECT max(version) FROM pipeline_schema").fetchall()[0][0]
        if version != SCHEMA_VERSION:
            con.close()
            raise RuntimeError(
                f"{db_path}: this database was made by another version of the pipeline (tables version "
                f"{version}, this pipeline {SCHEMA_VERSION}). Delete it and load the raw extracts again."
            )
        made_for = con.execute("SELECT max(columns) FROM pipeline_contract").fetchall()[0][0]
        if made_for != ", ".join(columns):
            con.close()
            raise RuntimeError(
                f"{db_path}: this database was made for the columns {made_for}, and the contract "
                f"(contract.toml) now has {', '.join(columns)}. Delete it and load the raw extracts again."
            )
    con.execute(sql("curated"))  # the curated view, as the SQL file now defines it
    return con


def _progress(total: int, enabled: bool, stream):
    """A plain-text progress bar (no widgets, no scripts), or one that does nothing."""
    from tqdm.std import tqdm

    return tqdm(
        total=total,
        desc="Loading extracts",
        unit="step",
        file=stream or sys.stdout,
        ncols=80,
        mininterval=1,
        disable=not enabled,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}]{postfix}",
    )


def load_files(
    con: duckdb.DuckDBPyConnection,
    paths,
    *,
    progress: bool = False,
    stream=None,
    fail_after: str | None = None,
    profile_dir: Path | str | None = None,
) -> list[LoadResult]:
    """Load a batch of extract files in one transaction; return one result per path, in order.

    Each file is checked whole first: its header, its line ends, its
    fingerprint, and its records counted by another reader than DuckDB's. A
    file refused whole (status "refused", with the error in ``error``) changes
    nothing, while the other files of the batch load. A file whose name was
    loaded before with the same content is skipped ("already loaded"), so
    loading it twice changes nothing; the same name with other content is
    refused. Any other failure, including a file that does not reconcile, rolls
    the whole batch back: the database is as it was before. ``fail_after``
    names a step after which to raise InjectedFailure, to show just that.
    ``profile_dir`` keeps DuckDB's profile of each statement there (see _run).
    """
    paths = [Path(p) for p in paths]
    if fail_after is not None and fail_after not in LOAD_STEPS:
        raise ValueError(f"fail_after must be one of {LOAD_STEPS}, not {fail_after!r}")
    results: dict[int, LoadResult] = {}
    bar = _progress(len(paths) + len(LOAD_STEPS), progress, stream)
    try:
        batch = _check_files(con, paths, results, bar)
        if batch:
            _load_batch(con, batch, results, bar, fail_after, profile_dir)
        else:
            bar.update(len(LOAD_STEPS))
        # Files skipped as already loaded (earlier, or earlier in this batch) report that load's counts;
        # a repeat of a file refused earlier in this batch is refused too.
        first_of = {}
        for position in sorted(results):
            first_of.setdefault(results[position].file_name, results[position])
        for position, result in results.items():
            if result.status == "already loaded":
                earlier = _result(con, result.file_name, "already loaded")
                results[position] = earlier or first_of[result.file_name]
    finally:
        bar.set_postfix_str("", refresh=False)
        bar.close()
    return [results[position] for position in range(len(paths))]


def load_file(con: duckdb.DuckDBPyConnection, path: Path | str, *, fail_after: str | None = None) -> LoadResult:
    """Load one extract file (a batch of one); raise ExtractRejected if it is refused."""
    (result,) = load_files(con, [path], fail_after=fail_after)
    if result.error is not None:
        raise result.error
    return result


def _check_files(con, paths: list[Path], results: dict[int, LoadResult], bar) -> list[tuple[int, FileFacts]]:
    """Check each file whole; return (position, facts) of the files to load and fill in the others' results."""
    earlier = dict(
        con.execute(
            "SELECT file_name, file_sha256 FROM loads WHERE list_contains(?, file_name)", [[p.name for p in paths]]
        ).fetchall()
    )
    batch: list[tuple[int, FileFacts]] = []
    in_batch: dict[str, str] = {}
    # Files are checked on several threads at once (hashing lets other threads run meanwhile);
    # their results are taken in the batch's order.
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        checked = pool.map(_inspect, paths)
        for position, (path, facts) in enumerate(zip(paths, checked, strict=True)):
            bar.set_postfix_str(path.name[-30:], refresh=False)
            _take(position, path, facts, earlier, in_batch, batch, results)
            bar.update()
    return batch


def _inspect(path: Path) -> FileFacts | ExtractRejected:
    try:
        return preflight.inspect(path)
    except ExtractRejected as error:
        return error


def _take(position, path, facts, earlier, in_batch, batch, results) -> None:
    """Put one checked file in the batch, or record why it is skipped or refused."""
    if isinstance(facts, ExtractRejected):
        results[position] = LoadResult(path.name, None, "refused", error=facts)
        return
    digest = earlier.get(path.name, in_batch.get(path.name))
    if digest is None:
        in_batch[path.name] = facts.sha256
        batch.append((position, facts))
    elif digest == facts.sha256:
        results[position] = LoadResult(path.name, None, "already loaded")
    else:
        where = "was already loaded" if path.name in earlier else "is also in this batch"
        error = ExtractRejected(
            path,
            f"a file with this name {where} with different content",
            "A corrected extract needs a new file name; or, if the old load was wrong, rebuild from the raw files.",
        )
        results[position] = LoadResult(path.name, None, "refused", error=error)


def _load_batch(
    con, batch: list[tuple[int, FileFacts]], results: dict[int, LoadResult], bar, fail_after, profile_dir
) -> None:
    """Run the SQL steps over the checked files in one transaction: all of it, or (on any error) none of it."""
    # Landing and validation only fill temporary tables, so they run before the transaction
    # (which bronze starts): a temporary table made inside one is slower to read.
    in_transaction = False
    try:
        last_load_id = con.execute("SELECT coalesce(max(load_id), 0) FROM loads").fetchall()[0][0]
        _set(con, "last_load_id", last_load_id)
        _set(con, "loaded_at", datetime.now(UTC).replace(tzinfo=None))
        _set(con, "earliest_date", PLAUSIBLE_DATES[0])
        _set(con, "latest_date", PLAUSIBLE_DATES[1])
        _register_batch(con, batch)
        for step in LOAD_STEPS:
            bar.set_postfix_str(step, refresh=False)
            if step == "bronze":
                con.execute("BEGIN TRANSACTION")
                in_transaction = True
            if step == "land":
                # Landing keeps each file's rows in file order (rowid gives row_number); the
                # steps after it carry row_number with every row, so DuckDB may write in parallel.
                con.execute("SET preserve_insertion_order = true")
                _land(con, batch, profile_dir)
                con.execute("SET preserve_insertion_order = false")
            else:
                _run(con, step, profile_dir)
            if step == "land":
                _refuse_files_read_short(con, batch, results)
            bar.update()
            if step == fail_after:
                raise InjectedFailure(f"failure injected after step {step!r}, as asked; the batch was rolled back")
        unbalanced = con.execute(
            "SELECT file_name, rows_read, rows_landed, rows_loaded, rows_quarantined FROM reconciliation "
            "WHERE load_id > ? AND NOT balanced ORDER BY load_id",
            [last_load_id],
        ).fetchall()
        if unbalanced:
            raise ReconciliationError(
                "; ".join(
                    f"{name}: {read} rows read, {landed} landed, but {loaded} loaded and {quarantined} quarantined"
                    for name, read, landed, loaded, quarantined in unbalanced
                )
                + ". The batch was rolled back. This is a bug in the pipeline."
            )
        loaded = con.execute(
            "SELECT file_name, load_id, rows_read, rows_loaded, rows_quarantined FROM reconciliation WHERE load_id > ?",
            [last_load_id],
        ).fetchall()
        con.execute("COMMIT")
    except BaseException:
        if in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        # The batch's working tables live only as long as the batch.
        con.execute("DROP VIEW IF EXISTS landed_rows; DROP VIEW IF EXISTS batch_read")
        for table in (
            "rejected",
            "contested_rows",
            "events_again",
            "standardised",
            "batch_loads",
            "landing",
            "malformed",
            "csv_rejects",
            "csv_scans",
            "batch_files",
        ):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    position_of = {facts.path.name: position for position, facts in batch}
    for name, load_id, read, rows_loaded, quarantined in loaded:
        results[position_of[name]] = LoadResult(name, load_id, "loaded", read, rows_loaded, quarantined)


def _register_batch(con, batch: list[tuple[int, FileFacts]]) -> None:
    """The files land.sql reads: one row each in ``batch_files`` (``position`` is the number
    given with the file, ``file_number`` its place in the batch) and their paths, in order, in
    the variable ``batch_paths``."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE batch_files (position INTEGER, file_number INTEGER, file_path VARCHAR, "
        "file_name VARCHAR, file_location VARCHAR, file_sha256 VARCHAR, rows_counted BIGINT)"
    )
    con.executemany(
        "INSERT INTO batch_files VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [position, number, str(f.path), f.path.name, str(f.path.resolve()), f.sha256, f.records]
            for number, (position, f) in enumerate(batch, start=1)
        ],
    )
    _set(con, "batch_paths", [str(f.path) for _, f in batch])


def _land(con, batch: list[tuple[int, FileFacts]], profile_dir=None) -> None:
    """Run land.sql once per header order (almost always once), then read again alone any file read short."""
    by_header: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for _, facts in batch:
        by_header[facts.columns].append(str(facts.path))
    for columns, files in by_header.items():
        _land_files(con, files, columns, profile_dir)
    short = [path for (path,) in con.execute("SELECT file_path FROM batch_read WHERE NOT read_whole").fetchall()]
    columns_of = {str(facts.path): facts.columns for _, facts in batch}
    for path in short:
        con.execute("DELETE FROM landing WHERE file_number = list_position(getvariable('batch_paths'), ?)", [path])
        con.execute("DELETE FROM malformed WHERE filename = ?", [path])
        _land_files(con, [path], columns_of[path])


def _land_files(con, files: list[str], columns: tuple[str, ...], profile_dir=None) -> None:
    _set(con, "land_files", files)
    con.execute(f"SET VARIABLE land_columns = {_as_text(columns)}")
    _run(con, "land", profile_dir)


def _refuse_files_read_short(con, batch, results) -> None:
    """Refuse the files whose records DuckDB's reader did not all account for (validate.sql leaves them out)."""
    short = con.execute("SELECT position, rows_counted, rows_landed FROM batch_read WHERE NOT read_whole").fetchall()
    facts_at = dict(batch)
    for position, counted, landed in short:
        facts = facts_at[position]
        results[position] = LoadResult(
            facts.path.name,
            None,
            "refused",
            error=ExtractRejected(
                facts.path,
                f"the file holds {counted:,} records, but DuckDB's CSV reader gave {landed:,} rows and lines "
                f"it could not split, so {counted - landed:,} would be lost without a word",
                "Keep the file and report it: this is a fault of the reader, not of the extract.",
            ),
        )


def read_bronze(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    """The bronze layer: every loaded file's rows read again from the raw file, exactly as the
    load read them, into the temporary table ``bronze_court_cases`` (load_id, row_number and
    every column as text), which is returned.

    The raw files are the bronze record; the database keeps where each one is and its
    fingerprint (``loads``), not a second copy of its rows. Each file is checked first: one
    that is gone or whose content changed since it was loaded raises ExtractRejected, naming it.
    """
    loaded = con.execute("SELECT load_id, file_path, file_sha256 FROM loads ORDER BY load_id").fetchall()
    batch = []
    for load_id, path, sha256 in loaded:
        facts = preflight.inspect(path)
        if facts.sha256 != sha256:
            raise ExtractRejected(
                path,
                f"its content changed since it was loaded as load {load_id} (its fingerprint differs)",
                "A raw file is the bronze record and must not change: restore it from the delivery.",
            )
        batch.append((load_id, facts))
    if not batch:  # nothing loaded yet: an empty bronze
        con.execute(
            "CREATE OR REPLACE TEMP TABLE bronze_court_cases AS SELECT NULL::INTEGER AS load_id, "
            "NULL::BIGINT AS row_number, unnest(getvariable('extract_as_text')) WITH NO DATA"
        )
        return con.table("bronze_court_cases")
    _register_batch(con, batch)  # each file's position is its load id
    try:
        con.execute("SET preserve_insertion_order = true")
        _land(con, batch)
        con.execute(
            """CREATE OR REPLACE TEMP TABLE bronze_court_cases AS
               SELECT files.position AS load_id, landing.rowid - files.first_rowid + 1 AS row_number,
                      landing.* EXCLUDE (file_number)
               FROM landing INNER JOIN batch_read AS files ON files.file_number = landing.file_number
               ORDER BY load_id, row_number"""
        )
    finally:
        con.execute("SET preserve_insertion_order = false")
        con.execute("DROP VIEW IF EXISTS batch_read")
        for table in ("landing", "malformed", "csv_rejects", "csv_scans", "batch_files"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return con.table("bronze_court_cases")


def _result(con: duckdb.DuckDBPyConnection, file_name: str, status: str) -> LoadResult | None:
    rows = con.execute(
        "SELECT load_id, rows_read, rows_loaded, rows_quarantined FROM reconciliation WHERE file_name = ?",
        [file_name],
    ).fetchall()
    return LoadResult(file_name, rows[0][0], status, *rows[0][1:]) if rows else None


def table_counts(con: duckdb.DuckDBPyConnection, tables=TABLES) -> dict[str, int]:
    """The number of rows in each of the pipeline's tables."""
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def curated_state(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The curated history in a fixed order, to compare states."""
    return con.execute("SELECT * FROM curated_court_cases ORDER BY case_id, mojap_start_datetime").df()


def publish(
    con: duckdb.DuckDBPyConnection, output_dir: Path | str, info: dict | None = None, profile_dir: Path | None = None
) -> Path:
    """Write ``<output_dir>/curated/`` (partitioned Parquet and the court list) and return its path.

    Everything is written to a new folder first, then swapped in, so a reader
    sees either the old complete output or the new one. ``_manifest.json`` marks
    the output complete and says which loads it holds. When the output there was
    published from this database, only the years in which a case changed since
    are written again: the files of the other years are kept as they are (linked
    into the new folder, not copied). ``curated_files`` says where each file is.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    final = output_dir / CURATED_FOLDER
    database_id, through = con.execute(
        "SELECT (SELECT any_value(database_id)::VARCHAR FROM pipeline_schema), (SELECT coalesce(max(load_id), 0) FROM loads)"
    ).fetchall()[0]
    years = (
        con.execute(
            "SELECT list_sort(list(DISTINCT year(received_date)::INTEGER)) FROM silver_court_cases "
            "WHERE received_date IS NOT NULL"
        ).fetchall()[0][0]
        or []
    )
    kept = _kept_years(con, final, database_id, years)
    staging = output_dir / f".curated-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        cases_folder(staging).mkdir()
        _set(con, "court_cases_dir", str(cases_folder(staging)))
        _set(con, "courts_file", str(staging / COURTS_FILE))
        _set(con, "publish_years", [year for year in years if year not in kept])
        _run(con, "publish", profile_dir)
        for year in kept:  # a year no load changed: the same files, linked
            _link_tree(partition_folder(final, year), partition_folder(staging, year))
        # Counted from the files now in the folder, not from the view again.
        versions, current = con.execute(
            f"SELECT count(*), count(*) FILTER (mojap_current_record) FROM {read_cases_sql(staging)}"
        ).fetchall()[0]
        manifest = {
            **(info or {}),
            "versions": versions,
            "current_versions": current,
            "database_id": database_id,
            "through_load_id": through,
            "years_written": [year for year in years if year not in kept],
            "years_kept": sorted(kept),
        }
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        old = output_dir / f".curated-old-{uuid.uuid4().hex[:8]}"
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _kept_years(con, final: Path, database_id: str, years: list[int]) -> set[int]:
    """The years whose files in the published output ``final`` are still right: it was published
    from this database, and no case with an event received that year has changed since."""
    try:
        manifest = json.loads((final / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return set()  # no complete output there: write every year
    through = manifest.get("through_load_id")
    if manifest.get("database_id") != database_id or not isinstance(through, int):
        return set()
    changed = (
        con.execute(
            """SELECT list(DISTINCT year(received_date)::INTEGER) FROM silver_court_cases
           WHERE case_id IN (SELECT case_id FROM silver_court_cases WHERE load_id > ?)""",
            [through],
        ).fetchall()[0][0]
        or []
    )
    return {year for year in years if year not in changed and partition_folder(final, year).is_dir()}


def _link_tree(source: Path, target: Path) -> None:
    """Make ``target`` hold the files of ``source``: hard links where the file system allows, else copies."""
    target.mkdir(parents=True)
    for file in source.iterdir():
        try:
            os.link(file, target / file.name)
        except OSError:
            shutil.copy2(file, target / file.name)


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
        results = load_files(con, manifest.paths(), progress=progress)
        refused = [r.error for r in results if r.error is not None]
        if refused:
            raise refused[0]  # the generator's files always load; a refusal here is a bug
        return publish(con, output_dir, {"cases": cases, "days": days, "seed": seed, "raw_rows": manifest.rows})
    finally:
        con.close()


def ensure_curated(output_dir: Path | None = None, cases: int | None = None, seed: int | None = None) -> Path:
    """Return ``<output_dir>/curated/``, running the whole pipeline first if it is missing or incomplete.

    ``output_dir`` defaults to ``notebooks/output/court_cases_etl/``; ``cases`` and ``seed`` to
    the ETL notebook's (``default_size()``). Output made for other cases or another seed is rebuilt.
    """
    output_dir = Path(output_dir) if output_dir is not None else DEFAULT_OUTPUT
    default_cases, default_seed = default_size()
    cases = cases if cases is not None else default_cases
    seed = seed if seed is not None else default_seed
    curated = output_dir / CURATED_FOLDER
    marker = curated / MANIFEST_FILE
    if marker.is_file() and (curated / COURTS_FILE).is_file() and cases_folder(curated).is_dir():
        try:
            made = json.loads(marker.read_text(encoding="utf-8"))
            if made.get("cases") == cases and made.get("seed") == seed:
                return curated
        except (json.JSONDecodeError, OSError):
            pass  # unreadable marker: rebuild
    return run_pipeline(output_dir, cases=cases, seed=seed)


def default_size() -> tuple[int, int]:
    """The cases and seed the notebooks run at: DEFAULT_CASES and extracts.SEED, unless the
    tests ask for another seed and size (example_output.seed and .scaled)."""
    return example_output.scaled(DEFAULT_CASES), example_output.seed(extracts.SEED)
