"""The benchmark's peer: the ETL pipeline's rules written the way a good polars user would write
them (lazy, no Python loop), over the same extract files, ending in the same curated history.

Not part of the example: bench_etl.py runs it beside the DuckDB pipeline and checks that both
publish the same curated versions and quarantine the same rows under the same rules. Details
kept to match DuckDB: its `trim` strips spaces, not tabs; a value that is only spaces is missing.
The reasons are shorter than the pipeline's (the rule, and for duplicates the earlier row).

The rules are those of court_cases_etl/rules.toml, in its order, written out by hand for the
extract's contract as it is (contract.toml): a rule or a column added there must be added here
too for the benchmark to compare like with like (bench_etl.py says when the answers differ).
The pipeline's rule wrong_type (a value not of a non-date column's type) cannot fire on this
contract, which types only dates and times, so it has no peer here.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from court_cases_etl import curated_files
from court_cases_etl import extracts as gen
from court_cases_etl import pipeline as etl

FOREVER = pl.datetime(2999, 1, 1)
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ISO_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}Z?$"
STATE = ["court_code", "offence_category", "received_date", "completed_date", "outcome"]


def _trimmed(column: str) -> pl.Expr:
    """As DuckDB's trim: spaces only; empty becomes missing."""
    value = pl.col(column).str.strip_chars(" ")
    return pl.when(value == "").then(None).otherwise(value)


def _content_rule(earliest: pl.Expr, latest: pl.Expr) -> pl.Expr:
    """The first rule a row breaks, judged on its own (duplicates come after), in the pipeline's order."""
    ts_date = pl.col("ts").dt.date()

    def outside(column: str) -> pl.Expr:
        return ((pl.col(column).cast(pl.Date) < earliest) | (pl.col(column).cast(pl.Date) >= latest)).fill_null(False)

    required = pl.col("case_id_c").is_null() | pl.col("op_c").is_null() | pl.col("ts_t").is_null()
    content = pl.col("court_c").is_null() | pl.col("offence_c").is_null() | pl.col("received_t").is_null()
    iso = (
        pl.col("ts_t").str.contains(ISO_TIME)
        & pl.col("received_t").str.contains(ISO_DATE).fill_null(True)
        & pl.col("completed_t").str.contains(ISO_DATE).fill_null(True)
    )
    impossible = (
        pl.col("ts").is_null()
        | (pl.col("received_t").is_not_null() & pl.col("received").is_null())
        | (pl.col("completed_t").is_not_null() & pl.col("completed").is_null())
    )
    future = (pl.col("received") > ts_date).fill_null(False) | (pl.col("completed") > ts_date).fill_null(False)
    return (
        pl.when(pl.col("longest") > 64)
        .then(pl.lit("field_too_long"))
        .when(required | (pl.col("op_c").is_in(["I", "U"]) & content))
        .then(pl.lit("missing_required"))
        .when(~pl.col("op_c").is_in(["I", "U", "D"]))
        .then(pl.lit("unknown_op"))
        .when(~pl.col("case_id_c").str.contains(r"^CASE-[0-9]{6,9}$"))
        .then(pl.lit("invalid_case_id"))
        .when(~iso)
        .then(pl.lit("unparseable_date"))
        .when(impossible)
        .then(pl.lit("impossible_date"))
        .when(outside("received") | outside("completed") | outside("ts"))
        .then(pl.lit("date_out_of_range"))
        .when(future)
        .then(pl.lit("future_date"))
        .when((pl.col("completed") < pl.col("received")).fill_null(False))
        .then(pl.lit("completed_before_received"))
        .when(pl.col("court_c").is_not_null() & ~pl.col("court_c").is_in(gen.COURT_CODES))
        .then(pl.lit("unknown_court"))
        .when(pl.col("offence_c").is_not_null() & ~pl.col("offence_c").is_in(gen.OFFENCE_CATEGORIES))
        .then(pl.lit("unknown_offence_category"))
        .when(pl.col("outcome_c").is_not_null() & ~pl.col("outcome_c").is_in(gen.OUTCOMES))
        .then(pl.lit("unknown_outcome"))
        .when(pl.col("completed").is_null() != pl.col("outcome_c").is_null())
        .then(pl.lit("incomplete_outcome"))
    )


def run(source: Path | list[Path], out: Path) -> dict:
    """Load the extracts ``source`` names (a list of files, or every extract in a folder); write
    the curated history and the quarantine under ``out``."""
    found = sorted(Path(source).glob("court_cases_*.csv")) if isinstance(source, Path) else source
    files = sorted(str(p) for p in found)
    order = {path: number for number, path in enumerate(files)}
    earliest, latest = (pl.lit(d) for d in etl.PLAUSIBLE_DATES)
    raw = pl.scan_csv(files, schema=dict.fromkeys(gen.COLUMNS, pl.String), include_file_paths="path").with_columns(
        file_order=pl.col("path").replace_strict(order, return_dtype=pl.Int32),
        file_name=pl.col("path").str.split("/").list.last(),
        row_number=pl.int_range(1, pl.len() + 1).over("path"),
    )
    clean = raw.with_columns(
        case_id_c=_trimmed("case_id"),
        op_c=_trimmed("op").str.to_uppercase(),
        court_c=_trimmed("court_code").str.to_uppercase(),
        offence_c=_trimmed("offence_category").str.replace_all(" ", "_", literal=True).str.to_lowercase(),
        outcome_c=_trimmed("outcome").str.to_lowercase(),
        received_t=_trimmed("received_date"),
        completed_t=_trimmed("completed_date"),
        ts_t=_trimmed("extraction_timestamp"),
        longest=pl.max_horizontal(pl.col(c).fill_null("").str.len_chars() for c in gen.COLUMNS),
    ).with_columns(
        received=pl.col("received_t").str.to_date("%Y-%m-%d", strict=False),
        completed=pl.col("completed_t").str.to_date("%Y-%m-%d", strict=False),
        ts=pl.col("ts_t")
        .str.replace("T", " ", literal=True)
        .str.strip_suffix("Z")
        .str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
    )
    values = ["case_id_c", "op_c", "court_c", "offence_c", "outcome_c", "received", "completed", "ts"]
    # Read and judged once: the duplicate checks, the quarantine and the history all start from here.
    ruled = (
        clean.with_columns(content_rule=_content_rule(earliest, latest), content_hash=pl.struct(values).hash())
        .collect()
        .lazy()
    )
    key = ["case_id_c", "ts"]
    # Duplicates: within a file first, then of an event already loaded from an earlier file.
    passed = ruled.filter(pl.col("content_rule").is_null())
    in_file = passed.group_by(["file_order", *key]).agg(
        first_row=pl.col("row_number").min(),
        conflicting=pl.col("content_hash").min() != pl.col("content_hash").max(),
        first_hash=pl.col("content_hash").first(),
        first_file=pl.col("file_name").first(),
    )
    earliest_file = (
        in_file.filter(~pl.col("conflicting"))
        .sort("file_order")
        .group_by(key)
        .agg(
            earlier_order=pl.col("file_order").first(),
            earlier_row=pl.col("first_row").first(),
            earlier_hash=pl.col("first_hash").first(),
            earlier_file=pl.col("first_file").first(),
        )
    )
    judged = (
        passed.join(in_file.select("file_order", *key, "first_row", "conflicting"), on=["file_order", *key])
        .join(earliest_file, on=key, how="left", nulls_equal=True)
        .with_columns(
            rule=pl.when(pl.col("conflicting"))
            .then(pl.lit("conflicting_in_file"))
            .when(pl.col("row_number") != pl.col("first_row"))
            .then(pl.lit("duplicate_in_file"))
            .when((pl.col("earlier_order") < pl.col("file_order")) & (pl.col("earlier_hash") == pl.col("content_hash")))
            .then(pl.lit("duplicate_event"))
            .when(pl.col("earlier_order") < pl.col("file_order"))
            .then(pl.lit("conflicting_event"))
        )
    )
    quarantine = (
        pl.concat(
            [
                ruled.filter(pl.col("content_rule").is_not_null()).with_columns(rule=pl.col("content_rule")),
                judged.filter(pl.col("rule").is_not_null()),
            ],
            how="diagonal_relaxed",
        )
        .with_columns(
            reason=pl.when(pl.col("rule") == "duplicate_event")
            .then(pl.format("already loaded from {} row {}", "earlier_file", "earlier_row"))
            .when(pl.col("rule") == "duplicate_in_file")
            .then(pl.format("exact copy of row {} in this file", "first_row"))
            .otherwise(pl.col("rule"))
        )
        .select("file_name", "row_number", "rule", "reason", *gen.COLUMNS)
    )
    silver = judged.filter(pl.col("rule").is_null()).select(
        case_id="case_id_c",
        op="op_c",
        court_code="court_c",
        offence_category="offence_c",
        received_date="received",
        completed_date="completed",
        outcome="outcome_c",
        extraction_timestamp="ts",
    )
    # SCD type 2 on rows sorted by case and time: a new version for the first event, a delete,
    # the first event after a delete, or new values. Neighbours by shift, masked to the same case.
    events = silver.sort("case_id", "extraction_timestamp").with_columns(
        same_case=pl.col("case_id") == pl.col("case_id").shift(1),
    )
    previous_op = pl.when(pl.col("same_case")).then(pl.col("op").shift(1))
    changes = events.filter(
        previous_op.is_null()
        | ((pl.col("op") == "D") != (previous_op == "D"))
        | ((pl.col("op") != "D") & pl.struct(STATE).ne_missing(pl.struct(STATE).shift(1)))
    )
    next_change = pl.when(pl.col("case_id") == pl.col("case_id").shift(-1)).then(
        pl.col("extraction_timestamp").shift(-1)
    )
    curated = (
        changes.with_columns(next_change=next_change)
        .filter(pl.col("op") != "D")
        .select(
            "case_id",
            *STATE,
            "extraction_timestamp",
            mojap_start_datetime="extraction_timestamp",
            mojap_end_datetime=pl.col("next_change").fill_null(FOREVER),
            mojap_current_record=pl.col("next_change").is_null(),
            received_year=pl.col("received_date").dt.year().cast(pl.Int32),
        )
    )
    out.mkdir(parents=True, exist_ok=True)
    history, rejected = pl.collect_all([curated, quarantine])
    history.write_parquet(
        curated_files.cases_folder(out / curated_files.CURATED_FOLDER), partition_by=curated_files.PARTITION_COLUMN
    )
    rejected.write_parquet(out / "quarantine.parquet")
    return {"versions": history.height, "quarantined": rejected.height, "rows": history.height}
