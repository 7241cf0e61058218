"""How long `dbt build` of the court timeliness project takes on DuckDB and on Apache Spark.

    make bench ONLY=dbt                       # the default size and about 1 million raw rows
    CASES=820000 make bench ONLY=dbt          # one size only (cases, comma-separated)

For each size the curated data is made once with the ETL example's own pipeline
(ensure_curated) in a temporary folder. Then, on each engine, `dbt build` (seed, 9
models, every test) runs three times and the table gives the median, the fastest and the
slowest, in seconds:

- DuckDB runs in this process, through dbt's Python API, as the notebook does;
- Spark runs in a process of its own (court_timeliness_dbt.on_spark): its local session
  starts once, and that start is timed apart; the three builds run in that session.

The floor is what any dbt command costs on that engine before it does real work: a `dbt run`
of one view over the 21 courts (dbt's start, its parse of the project, the on-run-start
hook, which on Spark registers the sources and discovers their partitions, and one tiny
view). Medians of three, too. The machine's cores and load are printed with the table:
other work on the machine slows every figure.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from court_cases_etl import ensure_curated
from court_cases_etl.extracts import SEED
from court_cases_etl.pipeline import DEFAULT_CASES
from court_timeliness_dbt import dbt_run, on_spark, run_results
from results import save

# The generator writes about 1.2 raw rows per case (the table says how many at each size),
# so 820,000 cases give about 1 million raw rows.
SIZES = [DEFAULT_CASES, 820_000]
RUNS = 3
FLOOR = ["run", "--select", "stg_curated__courts"]


def sizes() -> list[int]:
    if os.environ.get("CASES"):
        return [int(x) for x in os.environ["CASES"].split(",")]
    return SIZES


def duckdb_times(curated: Path, work: Path) -> dict:
    builds, floors = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = dbt_run.run_dbt(["build"], curated, work, name="bench")
        builds.append(time.perf_counter() - started)
        if not result.success:
            raise SystemExit(f"dbt build failed on DuckDB: {run_results.failures(result)}")
    kinds = Counter(str(r.node.resource_type).rsplit(".", 1)[-1].lower() for r in result.result.results)
    nodes = len(result.result.results)
    for _ in range(RUNS):
        started = time.perf_counter()
        result = dbt_run.run_dbt(FLOOR, curated, work, name="bench")
        floors.append(time.perf_counter() - started)
        if not result.success:
            raise SystemExit(f"dbt {' '.join(FLOOR)} failed on DuckDB: {run_results.failures(result)}")
    return {"start": None, "builds": builds, "floors": floors, "nodes": nodes, "kinds": dict(kinds)}


def spark_plan(curated: Path, work: Path) -> dict:
    """The Spark run's plan (court_timeliness_dbt.on_spark): RUNS builds, then RUNS floors, in one
    session with a Hive metastore, as a dbt run by hand has (book/at_scale.md: its session start
    includes the metastore's)."""
    steps = [{"dbt": ["build"], "curated": str(curated), "name": "bench"} for _ in range(RUNS)]
    steps += [{"dbt": FLOOR, "curated": str(curated), "name": "bench"} for _ in range(RUNS)]
    return {"work_dir": str(work), "steps": steps, "hive": True}


def spark_times(curated: Path, work: Path) -> dict:
    summary = on_spark.run_plan(spark_plan(curated, work), timeout=3600)
    for step in summary["steps"]:
        if not step["success"]:
            raise SystemExit(f"dbt {' '.join(step['args'])} failed on Spark: {step['failures'] or step['exception']}")
    seconds = [step["seconds"] for step in summary["steps"]]
    return {"start": summary["session_start_seconds"], "builds": seconds[:RUNS], "floors": seconds[RUNS:]}


def row(size: dict, engine: str, times: dict) -> list[str]:
    builds, floor = times["builds"], statistics.median(times["floors"])
    start = "" if times["start"] is None else f"{times['start']:.1f}"
    return [
        f"{size['raw_rows']:,}",
        f"{size['versions']:,}",
        engine,
        start,
        f"{floor:.1f}",
        f"{statistics.median(builds):.1f}",
        f"{min(builds):.1f}",
        f"{max(builds):.1f}",
    ]


COLUMNS = [
    "raw rows",
    "case versions",
    "engine",
    "Spark session start (s)",
    "floor: dbt run of one view (s)",
    "dbt build, median (s)",
    "fastest (s)",
    "slowest (s)",
]


def figures(measured: list[tuple[dict, dict, dict]]) -> dict:
    """The figures the book quotes: what one build holds, Spark's start, and, from the smallest
    and largest size, what each extra million raw rows costs each engine."""
    (small, duck_small, spark_small), (large, duck_large, spark_large) = measured[0], measured[-1]
    kinds = duck_small["kinds"]
    millions = (large["raw_rows"] - small["raw_rows"]) / 1e6
    build = statistics.median
    found = {
        "nodes": duck_small["nodes"],
        "models": kinds.get("model", 0),
        "tests": kinds.get("test", 0),
        "seeds": kinds.get("seed", 0),
        "spark_start_s": statistics.median(s["start"] for _, _, s in measured),
        "duckdb_build_default_s": build(duck_small["builds"]),
        "spark_build_default_s": build(spark_small["builds"]),
        "spark_extra_default_s": build(spark_small["builds"]) - build(duck_small["builds"]),
    }
    if millions > 0:
        found["duckdb_per_million_s"] = (build(duck_large["builds"]) - build(duck_small["builds"])) / millions
        found["spark_per_million_s"] = (build(spark_large["builds"]) - build(spark_small["builds"])) / millions
    return {key: round(value, 2) if isinstance(value, float) else value for key, value in found.items()}


def main() -> None:
    load_before = os.getloadavg()
    rows, measured = [], []
    with tempfile.TemporaryDirectory(prefix="bench_dbt_") as tmp:
        for cases in sizes():
            folder = Path(tmp) / f"cases_{cases}"
            started = time.perf_counter()
            curated = ensure_curated(output_dir=folder, cases=cases, seed=SEED)
            made = time.perf_counter() - started
            info = json.loads((curated / "_manifest.json").read_text(encoding="utf-8"))
            print(f"{cases:,} cases: curated data made by ensure_curated in {made:.1f} s (not timed below)", flush=True)
            duck = duckdb_times(curated, folder / "duckdb")
            spark = spark_times(curated, folder / "spark")
            rows += [row(info, "DuckDB", duck), row(info, "Spark", spark)]
            measured.append((info, duck, spark))
    nodes = measured[0][1]["nodes"]
    print()
    print(
        f"dbt build of {nodes} nodes, seconds, median of {RUNS} (fastest, slowest); measured "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, load average "
        f"{load_before[0]:.1f} before and {os.getloadavg()[0]:.1f} after"
    )
    print()
    print("| " + " | ".join(COLUMNS) + " |")
    print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join("| " + " | ".join(r) + " |" for r in rows))
    if sizes() == SIZES:  # the sizes the book quotes: keep them for its pages
        found = figures(measured)
        save(
            "dbt",
            figures=found,
            table={
                "caption": (
                    f"How long dbt build takes ({found['seeds']} seed, {found['models']} models, {found['tests']} "
                    f"tests) on each engine, median of {RUNS}, in seconds."
                ),
                "columns": COLUMNS,
                "align": ["right", "right", "left", "right", "right", "right", "right", "right"],
                "rows": rows,
            },
            load_before=load_before[0],
        )


if __name__ == "__main__":
    main()
