"""Where the examples write: one git-ignored folder, ``notebooks/output/``, with a folder per example.

    from example_output import output_folder
    OUTPUT_DIR = output_folder("court_timeliness_dbt")   # notebooks/output/court_timeliness_dbt/

The one definition of that folder: each example's output, the Spark work folder and the
benchmarks' cache are folders of it (``.gitignore`` ignores it; the book build and the
notebook-inputs digest skip it).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "output"


def output_folder(name: str) -> Path:
    """The folder under notebooks/output/ where `name` (an example, or "bench") writes."""
    return ROOT / name
