"""Benchmark: the court cases ETL pipeline beside the floor and a fair peer, on the same files.

    make bench ONLY=etl                  # 1 million and 10 million raw rows (minutes)
    BENCH_QUICK=1 make bench ONLY=etl    # 20 thousand and 200 thousand rows, to smoke-test
    ROWS=1000000 REPEATS=3 make bench ONLY=etl
    PROFILE=1 ROWS=1000000 make bench ONLY=etl   # and where the pipeline's time goes, per statement

Three ways over the same 30 daily extract files, each run in a fresh process,
the ways interleaved, REPEATS runs each (3), medians:

- floor: DuckDB reads every file as text and writes one Parquet file: the bare
  read and write of the same data, which no pipeline can beat;
- pipeline: `court_cases_etl.pipeline` as the notebook and `make etl` run it
  (connect, load_files, publish): checks each file whole, counts its records
  with a second reader, keeps bronze, silver and quarantine in a database on
  disk, reconciles every file in one transaction, publishes the curated
  history as Hive-partitioned Parquet;
- polars: the same rules written the way a good polars user would (lazy, no
  Python loop; bench/etl_polars.py), writing the curated history and the
  quarantine as Parquet.

The pipeline's and polars' curated histories are compared row for row, and
their quarantines rule by rule. Peak memory is each process's maximum resident
set size (os.wait4). Goals: faster than polars at 1 million rows; within 3x the
floor at both sizes; 10x the rows under 2x the pipeline's peak memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from example_output import output_folder

HERE = Path(__file__).resolve().parent
CACHE = output_folder("bench")  # git-ignored
EVENTS_PER_CASE = 1.21  # raw rows per case the generator makes (12,121 for 10,000 cases, 30 days)
DAYS = 30
WAYS = ("floor", "pipeline", "polars")


def sizes() -> list[int]:
    if os.environ.get("ROWS"):
        return [int(x) for x in os.environ["ROWS"].split(",")]
    if os.environ.get("BENCH_QUICK"):
        return [20_000, 200_000]
    return [1_000_000, 10_000_000]


def extracts(rows: int) -> Path:
    """Generate (once, then reuse) the extracts for about ``rows`` raw rows."""
    from court_cases_etl import extracts as court_extracts

    # Keyed on the generator's source too: a changed generator makes new extracts.
    version = hashlib.sha256(Path(court_extracts.__file__).read_bytes()).hexdigest()[:8]
    folder = CACHE / f"rows_{rows}_{version}"
    cases = max(1, round(rows / EVENTS_PER_CASE))
    manifest = folder / "manifest.json"
    if manifest.is_file() and json.loads(manifest.read_text())["cases"] == cases:
        return folder
    print(f"generating about {rows:,} raw rows ...", flush=True)
    court_extracts.generate_extracts(folder, cases=cases, days=DAYS)
    return folder


# The work, run in a child process ------------------------------------------------


def work_floor(folder: Path, scratch: Path) -> dict:
    import duckdb

    from court_cases_etl import extracts as gen

    paths = [str(p) for p in sorted(folder.glob("court_cases_*.csv"))]
    columns = {c: "VARCHAR" for c in gen.COLUMNS}
    start = time.perf_counter()
    con = duckdb.connect(str(scratch / "floor.duckdb"))
    con.execute(
        "COPY (SELECT * FROM read_csv(?, columns = ?, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"')) TO '{scratch / 'all.parquet'}' (FORMAT parquet)",
        [paths, columns],
    )
    seconds = time.perf_counter() - start
    rows = con.execute(f"SELECT count(*) FROM '{scratch / 'all.parquet'}'").fetchall()[0][0]
    return {"seconds": seconds, "rows": rows}


def work_pipeline(folder: Path, scratch: Path, profile_dir: Path | None = None) -> dict:
    from court_cases_etl import pipeline as etl

    paths = sorted(folder.glob("court_cases_*.csv"))
    start = time.perf_counter()
    con = etl.connect(scratch / "bench.duckdb")
    results = etl.load_files(con, paths, profile_dir=profile_dir)
    etl.publish(con, scratch, profile_dir=profile_dir)
    seconds = time.perf_counter() - start
    con.execute(f"COPY (SELECT file_name, row_number, rule FROM quarantine) TO '{scratch / 'quarantine.parquet'}'")
    return {"seconds": seconds, "rows": sum(r.rows_read for r in results)}


def work_polars(folder: Path, scratch: Path) -> dict:
    sys.path.insert(0, str(HERE))
    import etl_polars

    start = time.perf_counter()
    etl_polars.run(folder, scratch)
    seconds = time.perf_counter() - start
    import polars as pl

    rows = sum(pl.scan_csv(p, infer_schema=False).select(pl.len()).collect().item() for p in folder.glob("*.csv"))
    return {"seconds": seconds, "rows": rows}


# Measurement ------------------------------------------------------------------------


def measure(way: str, folder: Path, keep: Path | None = None) -> dict:
    """Run one way once in a fresh process; return its timings and peak memory. With ``keep``,
    its output stays there (to compare the ways' answers)."""
    with tempfile.TemporaryDirectory(prefix="bench_etl_") as tmp:
        scratch = keep or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, __file__, "--worker", way, str(folder), str(scratch)],
                                 stdout=subprocess.PIPE, text=True)  # fmt: skip
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"the {way} run on {folder} failed (exit status {status})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, peak_mib=usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux
    return result


def same_answers(pipeline: Path, polars: Path) -> list[str]:
    """Where the two ways' curated histories or quarantines differ (empty: they agree)."""
    import duckdb

    from court_cases_etl import curated_files

    def cases(folder: Path) -> str:
        return curated_files.read_cases_sql(folder / curated_files.CURATED_FOLDER)

    columns = (
        "case_id, court_code, offence_category, received_date, completed_date, outcome, extraction_timestamp, "
        "mojap_start_datetime, mojap_end_datetime, mojap_current_record, received_year::INTEGER AS received_year"
    )
    problems = []
    for left, right in ((pipeline, polars), (polars, pipeline)):
        extra = duckdb.sql(
            f"SELECT count(*) FROM (SELECT {columns} FROM {cases(left)} EXCEPT ALL SELECT {columns} FROM {cases(right)})"
        ).fetchall()[0][0]
        if extra:
            problems.append(f"{extra:,} curated versions from {left.name} are not in {right.name}'s")
    rules = """SELECT file_name, row_number, rule FROM '{}/quarantine.parquet' WHERE rule <> 'malformed_line'"""
    for left, right in ((pipeline, polars), (polars, pipeline)):
        extra = duckdb.sql(f"SELECT count(*) FROM ({rules.format(left)} EXCEPT ALL {rules.format(right)})").fetchall()
        if extra[0][0]:
            problems.append(
                f"{extra[0][0]:,} quarantined rows (file, row, rule) from {left.name} are not in {right.name}'s"
            )
    return problems


def _operators(node):
    """(seconds, operator, rows) of every operator in a DuckDB profile."""
    yield node.get("operator_timing", 0), node.get("operator_type") or "", node.get("operator_cardinality", 0)
    for child in node.get("children", []):
        yield from _operators(child)


def profile(folder: Path) -> None:
    """Where the pipeline's time goes: DuckDB's profiler, per statement of each step (over 20 ms)."""
    with tempfile.TemporaryDirectory(prefix="bench_etl_profile_") as tmp:
        profile_dir = Path(tmp) / "profile"
        start = time.perf_counter()
        work_pipeline(folder, Path(tmp), profile_dir)
        total = time.perf_counter() - start
        print(f"\nWhere the pipeline's {total:.2f} s go (DuckDB's profiler, statements over 20 ms):")
        print("| step.statement | seconds | the three slowest operators (seconds, rows) |")
        print("| --- | ---: | --- |")
        steps = ["land", "bronze", "validate", "quarantine", "silver", "reconcile", "publish"]
        for file in sorted(
            profile_dir.glob("*.json"), key=lambda p: (steps.index(p.name.split(".")[0]), int(p.name.split(".")[1]))
        ):
            report = json.loads(file.read_text())
            if report.get("latency", 0) < 0.02:
                continue
            operators = list(_operators(report))
            top = "; ".join(f"{name} {t:.2f} ({n:,})" for t, name, n in sorted(operators, reverse=True)[:3])
            print(f"| {file.stem} | {report['latency']:.3f} | {top} |")


def main() -> int:
    repeats = int(os.environ.get("REPEATS", "3"))
    targets = sizes()
    table = []
    for rows in targets:
        folder = extracts(rows)
        runs = {way: [] for way in WAYS}
        with tempfile.TemporaryDirectory(prefix="bench_etl_answers_") as answers:
            for repeat in range(repeats):  # the ways interleaved, so that a slow spell hits all of them
                for way in WAYS:
                    keep = Path(answers) / way if repeat == 0 and way != "floor" else None
                    runs[way].append(measure(way, folder, keep))
            problems = same_answers(Path(answers) / "pipeline", Path(answers) / "polars")
        medians = {
            way: {key: statistics.median(r[key] for r in results) for key in ("seconds", "wall", "peak_mib")}
            | {"rows": results[0]["rows"]}
            for way, results in runs.items()
        }
        table.append((rows, medians, problems))
    print(f"\nCourt cases ETL, {DAYS} daily files, median of {repeats} runs, each in a fresh process, interleaved")
    print("| way | raw rows | seconds | rows/s | peak MiB | x the floor |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for _, medians, _ in table:
        floor = medians["floor"]["seconds"]
        for way in WAYS:
            m = medians[way]
            print(f"| {way} | {m['rows']:,} | {m['seconds']:.2f} | {m['rows'] / m['seconds']:,.0f} | "
                  f"{m['peak_mib']:,.0f} | {m['seconds'] / floor:.1f} |")  # fmt: skip
    print()
    for rows, _, problems in table:
        print(f"{rows:,} rows: the pipeline and polars give the same curated history and quarantine: "
              + ("yes" if not problems else "NO: " + "; ".join(problems)))  # fmt: skip
    first = table[0][1]
    faster = first["pipeline"]["seconds"] < first["polars"]["seconds"]
    print(f"Goal: faster than polars at {targets[0]:,} rows: {first['pipeline']['seconds']:.2f} s against "
          f"{first['polars']['seconds']:.2f} s, {'met' if faster else 'NOT met'}")  # fmt: skip
    for rows, medians, _ in table:
        ratio = medians["pipeline"]["seconds"] / medians["floor"]["seconds"]
        print(f"Goal: within 3x the floor at {rows:,} rows: {ratio:.1f}x, {'met' if ratio <= 3 else 'NOT met'}")
    if len(table) > 1:
        small, large = table[0][1]["pipeline"], table[-1][1]["pipeline"]
        growth, scale = large["peak_mib"] / small["peak_mib"], large["rows"] / small["rows"]
        print(f"Goal: {scale:.0f}x the rows costs under 2x the peak memory: {growth:.2f}x "
              f"({small['peak_mib']:,.0f} to {large['peak_mib']:,.0f} MiB), {'met' if growth < 2 else 'NOT met'}")  # fmt: skip
    if os.environ.get("PROFILE"):
        profile(extracts(targets[0]))
    return 0 if all(not problems for _, _, problems in table) else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        way, folder, scratch = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        work = {"floor": work_floor, "pipeline": work_pipeline, "polars": work_polars}[way]
        print(json.dumps(work(folder, scratch)), flush=True)
        # The result is out. Skip the interpreter's teardown: Arrow's thread pools have
        # been seen to abort there now and then ("terminate called without an active
        # exception"), which would fail a run whose work had finished.
        os._exit(0)
    sys.exit(main())
