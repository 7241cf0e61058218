"""The data engineering example: a tested ETL pipeline for court cases.

- ``contract`` (``contract.toml``): the extract's columns, their types in silver, how each is
  tidied and when it is required, declared once; the loader, silver and the checks follow from it.
- ``rules`` (``rules.toml``): the validation rules, one block each (name, condition, reason,
  what to do), in order of precedence; the SQL of ``sql/validate.sql`` is built from them.
- ``extracts``: a seeded generator of raw daily extracts for the contract, with realistic defects.
- ``preflight``: checks each extract file whole before DuckDB reads any of it,
  refusing a file it cannot load with a reason, and counts its records.
- ``pipeline``: loads them with the DuckDB SQL in ``sql/``, quarantines bad rows
  with a reason, keeps each case's history and publishes curated Parquet.
- ``curated_files``: where the curated output's files are (its one layout).
- ``checks``: the promises the notebook checks, each saying what broke and what to do.
- ``exercises``: the checks of the notebook's exercises ("Your turn").
- ``charts``: the notebook's chart, described from its data.
- ``case_history``: one case's events in silver and versions in the curated history.
- ``cli`` (and ``__main__``): the command line an orchestrator runs,
  ``python -m court_cases_etl``.

Other examples build on its output through ``ensure_curated()``, which makes the
curated data with this same pipeline if it is not there yet.
"""

from .pipeline import ensure_curated

__all__ = ["ensure_curated"]
