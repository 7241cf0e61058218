"""Where the curated output's files are: the one definition of its layout.

``pipeline.publish`` writes, under a ``curated/`` folder of its output folder:

- ``court_cases/received_year=<year>/*.parquet``: every version of every case (SCD type 2),
  Hive-partitioned by the year the case was received (``sql/publish.sql``);
- ``courts.parquet``: the court reference list;
- ``_manifest.json``: written last, it marks the output complete.

Readers (the dbt example, the tests, the benchmarks) find the files with these names and
functions rather than spell the paths again. (The dbt project's sources, in YAML, name the
same folder and file for dbt: ``court_timeliness/models/staging/_curated__sources.yml``.)
"""

from __future__ import annotations

from pathlib import Path

CURATED_FOLDER = "curated"  # in the pipeline's output folder
CASES_FOLDER = "court_cases"
PARTITION_COLUMN = "received_year"
COURTS_FILE = "courts.parquet"
MANIFEST_FILE = "_manifest.json"


def cases_folder(curated: Path | str) -> Path:
    """The folder of the court cases' partitions."""
    return Path(curated) / CASES_FOLDER


def partition_folder(curated: Path | str, year: int) -> Path:
    """The Hive partition folder of the cases received in `year`."""
    return cases_folder(curated) / f"{PARTITION_COLUMN}={year}"


def cases_glob(curated: Path | str) -> str:
    """The glob that matches every Parquet file of the court cases (in every partition)."""
    return (cases_folder(curated) / "*" / "*.parquet").as_posix()


def read_cases_sql(curated: Path | str) -> str:
    """DuckDB SQL that reads the court cases, with their partition column as an integer."""
    return (
        f"read_parquet('{cases_glob(curated)}', hive_partitioning = true, "
        f"hive_types = {{'{PARTITION_COLUMN}': INTEGER}})"
    )
