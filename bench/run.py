"""Run every benchmark in this folder (bench_*.py) and print their tables.

    make bench                 # all of them
    make bench ONLY=etl        # only bench_etl.py

Each bench_*.py is a script with a main() that prints its own table. Figures
are medians of repeated runs; see each script for what it measures.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    only = os.environ.get("ONLY", "")
    scripts = sorted(HERE.glob("bench_*.py"))
    if only:
        scripts = [s for s in scripts if s.stem == f"bench_{only}"]
    if not scripts:
        print(f"no benchmark matches ONLY={only!r}; have: {[s.stem for s in HERE.glob('bench_*.py')]}")
        return 1
    for script in scripts:
        print(f"\n== {script.stem} ==", flush=True)
        runpy.run_path(str(script), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
