"""Fixtures shared by the dbt project's tests on DuckDB and on Spark (a pytest plugin that
tests/conftest.py loads, so that each fixture runs once per session and the Spark plan can
start before the first test).

One curated data set, one copy of it with planted bad rows, and one good and one bad
`dbt build` on DuckDB, all in temporary folders.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from court_cases_etl import curated_files, ensure_curated
from court_timeliness_dbt import dbt_run, planted


@pytest.fixture(scope="session")
def curated(tmp_path_factory) -> Path:
    return ensure_curated(output_dir=tmp_path_factory.mktemp("curated_output"))


@pytest.fixture(scope="session")
def curated_counts(curated) -> dict[str, int]:
    """Counted straight from the Parquet, not through dbt: the truth the marts must match."""
    row = duckdb.sql(
        f"""
        select count(*), count(*) filter (mojap_current_record),
               count(*) filter (mojap_current_record and completed_date is not null)
        from read_parquet('{curated_files.cases_glob(curated)}', hive_partitioning = true)
        """
    ).fetchall()[0]
    return {"versions": row[0], "live_cases": row[1], "completed_cases": row[2]}


@pytest.fixture(scope="session")
def dbt_output(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dbt_output")


@pytest.fixture(scope="session")
def good_build(curated, dbt_output):
    """The one good build on DuckDB. It runs with DO_NOT_TRACK and DBT_SEND_ANONYMOUS_USAGE_STATS
    unset, so that its log shows what the project does about telemetry by itself."""
    with dbt_run.environment(DO_NOT_TRACK=None, DBT_SEND_ANONYMOUS_USAGE_STATS=None):
        return dbt_run.run_dbt(["build"], curated, dbt_output, name="good", no_telemetry_variables=False)


@pytest.fixture(scope="session")
def bad_data(curated, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("bad") / "curated"
    planted.plant_bad_rows(curated, copy)
    return copy


@pytest.fixture(scope="session")
def bad_build(bad_data, dbt_output):
    return dbt_run.run_dbt(["build"], bad_data, dbt_output, name="bad")
