"""The data engineering example: a tested ETL pipeline for court cases.

- ``extracts``: a seeded generator of raw daily extracts, with realistic defects.
- ``preflight``: checks each extract file whole before DuckDB reads any of it,
  refusing a file it cannot load with a reason, and counts its records.
- ``pipeline``: loads them with the DuckDB SQL in ``sql/``, quarantines bad rows
  with a reason, keeps each case's history and publishes curated Parquet.
- ``curated_files``: where the curated output's files are (its one layout).
- ``checks``: the promises the notebook checks, each saying what broke and what to do.
- ``charts``: the notebook's chart, described from its data.
- ``case_history``: one case's events in silver and versions in the curated history.
- ``cli`` (and ``__main__``): the command line an orchestrator runs,
  ``python -m court_cases_etl``.

Other examples build on its output through ``ensure_curated()``, which makes the
curated data with this same pipeline if it is not there yet.
"""

from .pipeline import ensure_curated

__all__ = ["ensure_curated"]
