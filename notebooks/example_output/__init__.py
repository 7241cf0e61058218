"""Where the examples write, and the seed and size they run at.

    from example_output import output_folder
    OUTPUT_DIR = output_folder("court_timeliness_dbt")   # notebooks/output/court_timeliness_dbt/

The one definition of that folder: each example's output, the Spark work folder and the
benchmarks' cache are folders of it (``.gitignore`` ignores it; the book build and the
notebook-inputs digest skip it).

Every page says what it says because of the data, not because of one seed. So the tests run
each notebook a second time, at another seed and size, and every check in it must still hold.
Three environment variables, read here and nowhere else, set that run:

- ``EXAMPLES_SEED``: the seed of every generator (each example's own default otherwise);
- ``EXAMPLES_SCALE``: a factor for each example's default size (1 otherwise);
- ``EXAMPLES_OUTPUT``: the folder that takes the place of ``notebooks/output/``, so that
  such a run leaves the book's own output alone.

A learner does not need them: each notebook's parameters cell shows the size it runs at.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("EXAMPLES_OUTPUT") or Path(__file__).resolve().parent.parent / "output")


def output_folder(name: str) -> Path:
    """The folder under notebooks/output/ where `name` (an example, or "bench") writes."""
    return ROOT / name


def _setting(name: str, kind: type, default, smallest):
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a number of type {kind.__name__}: unset it, or set it to 2") from None
    if value < smallest or (kind is float and value == 0):
        raise ValueError(f"{name}={text!r} is too small: unset it to run at the default, or set it above 0")
    return value


def seed(default: int) -> int:
    """The generators' seed: `default`, unless EXAMPLES_SEED sets another."""
    return _setting("EXAMPLES_SEED", int, default, smallest=0)


def scaled(default: int) -> int:
    """A default size (cases, people) times EXAMPLES_SCALE (1 unless set), at least 1."""
    return max(1, round(default * _setting("EXAMPLES_SCALE", float, 1.0, smallest=0)))
