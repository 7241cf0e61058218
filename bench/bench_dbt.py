"""How long `dbt build` of the court timeliness project takes at about 1 million raw rows.

    make bench ONLY=dbt

Makes the curated data once with the ETL example's own pipeline (ensure_curated)
in a temporary folder, sized so that the raw extracts hold about 1 million rows,
then runs `dbt build` (seed, 9 models, every test) three times through dbt's
Python API on DuckDB and prints the median, with the fastest and slowest runs.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from court_cases_etl import ensure_curated
from court_timeliness_dbt import helpers

RAW_ROWS = 1_000_000
# The generator writes about 1.22 raw rows per case (12,168 for the default 10,000 cases).
CASES = 820_000
RUNS = 3


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench_dbt_") as tmp:
        started = time.perf_counter()
        curated = ensure_curated(output_dir=Path(tmp), cases=CASES)
        made = time.perf_counter() - started
        info = json.loads((curated / "_manifest.json").read_text(encoding="utf-8"))
        seconds = []
        for _ in range(RUNS):
            started = time.perf_counter()
            result = helpers.run_dbt(["build"], curated, Path(tmp), name="bench")
            seconds.append(time.perf_counter() - started)
            if not result.success:
                raise SystemExit(f"dbt build failed at {CASES:,} cases: {helpers.failures(result)}")
        nodes = len(result.result.results)
    print(f"curated data made by ensure_curated in {made:.1f} s (not timed below)")
    print()
    print("| raw rows | case versions | cases | dbt nodes | dbt build median (s) | fastest | slowest |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {info['raw_rows']:,} | {info['versions']:,} | {CASES:,} | {nodes} | {statistics.median(seconds):.2f} "
        f"| {min(seconds):.2f} | {max(seconds):.2f} |"
    )


if __name__ == "__main__":
    main()
