"""The data engineering example: a tested ETL pipeline for court cases.

- ``extracts``: a seeded generator of raw daily extracts, with realistic defects.
- ``pipeline``: loads them with the DuckDB SQL in ``sql/``, quarantines bad rows
  with a reason, keeps each case's history and publishes curated Parquet.

Other examples build on its output through ``ensure_curated()``, which makes the
curated data with this same pipeline if it is not there yet.
"""

from .pipeline import ensure_curated

__all__ = ["ensure_curated"]
