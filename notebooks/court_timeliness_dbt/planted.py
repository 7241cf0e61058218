"""Plant bad rows in a copy of the curated data, each breaking one of the dbt project's own tests.

The notebook plants one, to show a test that fails and the SQL that finds the rows; the
tests plant all three, on DuckDB and on Spark.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from court_cases_etl import curated_files

# The file of planted rows, in the partition of the case it copies.
PLANTED_FILE = "planted_bad_rows.parquet"

# The planted problems plant_bad_rows() knows, each breaking one of the project's own tests.
PLANTED_PROBLEMS = {
    "completes_before_received": "assert_no_case_completes_before_received",
    "two_current_versions": "assert_one_current_record_per_case",
    "overlapping_versions": "assert_case_versions_do_not_overlap",
}


def plant_bad_rows(curated: Path, copy: Path, problems=tuple(PLANTED_PROBLEMS)):
    """Copy the curated data in `curated` to `copy` (replacing it) and add one made-up case for
    each problem named (keys of PLANTED_PROBLEMS), in one Parquet file of its own:

    - completes_before_received: CASE-BAD001 completed the day before it was received;
    - two_current_versions: CASE-BAD002 has two current versions (one after the other);
    - overlapping_versions: CASE-BAD003 has two versions valid at the same moment.

    Each case copies a real completed case, so only the planted fault differs, and the file
    is written by DuckDB with the curated files' own column types (Spark, unlike DuckDB,
    refuses a folder whose files disagree on them). Returns the planted rows, as a pandas
    DataFrame."""
    import duckdb

    unknown = sorted(set(problems) - set(PLANTED_PROBLEMS))
    if unknown or not problems:
        raise ValueError(f"problems {unknown or list(problems)}: choose one or more of {sorted(PLANTED_PROBLEMS)}")
    curated, copy = Path(curated), Path(copy)
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(curated, copy)
    day = "interval 1 day"
    versions = {
        "completes_before_received": [
            f"'CASE-BAD001' as case_id, received_date - {day} as completed_date",
        ],
        "two_current_versions": [  # they follow one another, so they do not overlap
            f"'CASE-BAD002' as case_id, mojap_start_datetime + {day} as mojap_end_datetime",
            f"'CASE-BAD002' as case_id, mojap_start_datetime + {day} as mojap_start_datetime",
        ],
        "overlapping_versions": [  # the first ends after the second begins
            f"'CASE-BAD003' as case_id, mojap_start_datetime + 2 * {day} as mojap_end_datetime, "
            "false as mojap_current_record",
            f"'CASE-BAD003' as case_id, mojap_start_datetime + {day} as mojap_start_datetime",
        ],
    }
    with duckdb.connect() as con:
        con.execute(
            f"create temp table template as select * exclude ({curated_files.PARTITION_COLUMN}) "
            f"from read_parquet('{curated_files.cases_glob(curated)}', hive_partitioning = true) "
            "where mojap_current_record and completed_date is not null order by case_id limit 1"
        )
        template = con.table("template")
        columns = template.columns
        year = con.sql("select year(received_date) from template").fetchall()[0][0]
        # `replace` keeps each column's type; the casts keep date arithmetic a date.
        planted = " union all ".join(
            f"select * replace ({changes}) from template" for p in problems for changes in versions[p]
        )
        typed = ", ".join(f"cast({c} as {t}) as {c}" for c, t in zip(columns, template.types, strict=True))
        bad = con.sql(f"select {typed} from ({planted}) as planted")
        target = curated_files.partition_folder(copy, year) / PLANTED_FILE
        bad.write_parquet(str(target))
        return bad.df()
