"""One case's story in the pipeline's tables: its events in silver and its versions in the
curated history, for the notebook to show (the SCD type 2 history is built in sql/curated.sql)."""

from __future__ import annotations

import duckdb
import pandas as pd

# The columns of a version the notebook shows: what changes, and the version's validity.
VERSION_COLUMNS = (
    "court_code, offence_category, received_date, completed_date, outcome, "
    "mojap_start_datetime, mojap_end_datetime, mojap_current_record"
)


def busiest_case(con: duckdb.DuckDBPyConnection) -> str:
    """The case with the most versions (the most courts among equals; then the first by id)."""
    return con.sql(
        """SELECT case_id FROM curated_court_cases
           GROUP BY case_id
           ORDER BY count(*) DESC, count(DISTINCT court_code) DESC, case_id LIMIT 1"""
    ).fetchall()[0][0]


def a_deleted_case(con: duckdb.DuckDBPyConnection) -> str:
    """The first case (by id) that was deleted after it had versions."""
    return con.sql(
        """SELECT case_id FROM silver_court_cases WHERE op = 'D'
           AND case_id IN (SELECT case_id FROM curated_court_cases)
           ORDER BY case_id LIMIT 1"""
    ).fetchall()[0][0]


def events(con: duckdb.DuckDBPyConnection, case_id: str) -> pd.DataFrame:
    """The case's events in silver, in the order they happened, with the file each came from."""
    return con.execute(
        """SELECT op, extraction_timestamp, file_name
           FROM silver_court_cases JOIN loads USING (load_id)
           WHERE case_id = ? ORDER BY extraction_timestamp""",
        [case_id],
    ).df()


def versions(con: duckdb.DuckDBPyConnection, case_id: str) -> pd.DataFrame:
    """The case's versions in the curated history, oldest first."""
    return con.execute(
        f"""SELECT {VERSION_COLUMNS} FROM curated_court_cases
            WHERE case_id = ? ORDER BY mojap_start_datetime""",
        [case_id],
    ).df()
