"""Benchmark: the court cases ETL pipeline beside the floor and a fair peer, on the same files.

    make bench ONLY=etl                  # 1 million and 10 million raw rows (minutes)
    BENCH_QUICK=1 make bench ONLY=etl    # 20 thousand and 200 thousand rows, to smoke-test
    ROWS=1000000 REPEATS=3 make bench ONLY=etl
    PROFILE=1 ROWS=1000000 make bench ONLY=etl   # and where the pipeline's time goes, per statement

The generator writes 31 daily extract files. Three ways load the first 30, each run in a
fresh process, the ways interleaved, REPEATS runs each (3), medians:

- floor: DuckDB reads every file as text and writes one Parquet file: the bare
  read and write of the same data, which no pipeline can beat;
- pipeline: `court_cases_etl.pipeline` as the notebook and `make etl` run it
  (connect, load_files, publish): checks each file whole, counts its records
  with a second reader, keeps the load log, silver and quarantine in a database
  on disk, reconciles every file in one transaction, publishes the curated
  history as Hive-partitioned Parquet;
- polars: the same rules written the way a good polars user would (lazy, no
  Python loop; bench/etl_polars.py), writing the curated history and the
  quarantine as Parquet.

The pipeline's and polars' curated histories are compared row for row, and
their quarantines rule by rule. Peak memory is each process's maximum resident
set size (os.wait4).

Then the daily run, as a team runs the pipeline: the 31st file onto the database
and output the first 30 made, in a fresh process (connect, load_files, publish),
beside that one file's floor. Publishing writes again only the years (partitions)
in which a case changed; the table says how many.

Goals (issue 23): faster than polars at both sizes; at most 4x the floor at 1
million rows; peak memory at 10 million rows at most 2 GiB; the daily run's load at
most 2x its file's floor, plus the partitions it touches.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
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
DAYS = 30  # the full load; the generator makes one more, for the daily run
WAYS = ("floor", "pipeline", "polars")
MEMORY_GOAL_MIB = 2048
FLOOR_GOAL = 4


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
    folder = CACHE / f"rows_{rows}_{DAYS + 1}days_{version}"
    cases = max(1, round(rows / EVENTS_PER_CASE))
    manifest = folder / "manifest.json"
    if manifest.is_file() and json.loads(manifest.read_text())["cases"] == cases:
        return folder
    print(f"generating about {rows:,} raw rows ...", flush=True)
    court_extracts.generate_extracts(folder, cases=cases, days=DAYS + 1)
    return folder


def files(folder: Path) -> list[Path]:
    """The full load's files: the first DAYS (the last is the daily run's)."""
    found = sorted(folder.glob("court_cases_*.csv"))
    return found[:DAYS]


def daily_file(folder: Path) -> Path:
    return sorted(folder.glob("court_cases_*.csv"))[DAYS]


# The work, run in a child process ------------------------------------------------


def work_floor(folder: Path, scratch: Path) -> dict:
    import duckdb

    from court_cases_etl import extracts as gen

    paths = [str(p) for p in (files(folder) if folder.is_dir() else [folder])]
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

    paths = files(folder)
    start = time.perf_counter()
    con = etl.connect(scratch / "bench.duckdb")
    results = etl.load_files(con, paths, profile_dir=profile_dir)
    etl.publish(con, scratch, profile_dir=profile_dir)
    seconds = time.perf_counter() - start
    con.execute(f"COPY (SELECT file_name, row_number, rule FROM quarantine) TO '{scratch / 'quarantine.parquet'}'")
    return {"seconds": seconds, "rows": sum(r.rows_read for r in results)}


def work_daily(folder: Path, scratch: Path) -> dict:
    """The daily run: the next file onto the database and output of the full load (in ``scratch``)."""
    from court_cases_etl import pipeline as etl

    start = time.perf_counter()
    con = etl.connect(scratch / "bench.duckdb")
    (result,) = etl.load_files(con, [daily_file(folder)])
    loaded = time.perf_counter()
    curated = etl.publish(con, scratch)
    seconds = time.perf_counter() - start
    manifest = json.loads((curated / "_manifest.json").read_text())
    return {
        "seconds": seconds,
        "load_seconds": loaded - start,
        "publish_seconds": seconds - (loaded - start),
        "rows": result.rows_read,
        "versions": manifest["versions"],
        "years_written": len(manifest["years_written"]),
        "years": len(manifest["years_written"]) + len(manifest["years_kept"]),
    }


def work_daily_floor(folder: Path, scratch: Path) -> dict:
    """The floor of the daily run's one file."""
    return work_floor(daily_file(folder), scratch)


def work_polars(folder: Path, scratch: Path) -> dict:
    sys.path.insert(0, str(HERE))
    import etl_polars

    start = time.perf_counter()
    etl_polars.run(files(folder), scratch)
    seconds = time.perf_counter() - start
    import polars as pl

    rows = sum(pl.scan_csv(p, infer_schema=False).select(pl.len()).collect().item() for p in files(folder))
    return {"seconds": seconds, "rows": rows}


# Measurement ------------------------------------------------------------------------


def measure(way: str, folder: Path, keep: Path | None = None, start_from: Path | None = None) -> dict:
    """Run one way once in a fresh process; return its timings and peak memory. With ``keep``,
    its output stays there (to compare the ways' answers). With ``start_from``, the run starts
    from a copy of that folder's database and output (copied before the run, not timed)."""
    with tempfile.TemporaryDirectory(prefix="bench_etl_") as tmp:
        scratch = keep or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        if start_from is not None:
            shutil.copy2(start_from / "bench.duckdb", scratch / "bench.duckdb")
            shutil.copytree(start_from / "curated", scratch / "curated")
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
        work_pipeline(folder, Path(tmp), profile_dir)  # in this process: DuckDB's profiler adds a little
        total = time.perf_counter() - start
        print(f"\nWhere the pipeline's {total:.2f} s go (DuckDB's profiler, statements over 20 ms):")
        print("| step.statement | seconds | CPU seconds | the three slowest operators (seconds, rows) |")
        print("| --- | ---: | ---: | --- |")
        in_statements = 0.0
        steps = ["land", "bronze", "validate", "quarantine", "silver", "reconcile", "publish"]
        for file in sorted(
            profile_dir.glob("*.json"), key=lambda p: (steps.index(p.name.split(".")[0]), int(p.name.split(".")[1]))
        ):
            report = json.loads(file.read_text())
            in_statements += report.get("latency", 0)
            if report.get("latency", 0) < 0.02:
                continue
            operators = list(_operators(report))
            top = "; ".join(f"{name} {t:.2f} ({n:,})" for t, name, n in sorted(operators, reverse=True)[:3])
            print(f"| {file.stem} | {report['latency']:.3f} | {report.get('cpu_time', 0):.3f} | {top} |")
        print(
            f"| the rest: each file checked whole (Python), connecting, committing | {total - in_statements:.3f} | | |"
        )


def main() -> int:
    repeats = int(os.environ.get("REPEATS", "3"))
    targets = sizes()
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores; load average {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} at the start")
    table, daily = [], []
    for rows in targets:
        folder = extracts(rows)
        runs = {way: [] for way in WAYS}
        day = {way: [] for way in ("daily", "daily_floor")}
        with tempfile.TemporaryDirectory(prefix="bench_etl_answers_") as answers:
            for repeat in range(repeats):  # the ways interleaved, so that a slow spell hits all of them
                for way in WAYS:
                    keep = Path(answers) / way if repeat == 0 and way != "floor" else None
                    runs[way].append(measure(way, folder, keep))
            problems = same_answers(Path(answers) / "pipeline", Path(answers) / "polars")
            for _ in range(repeats):  # the daily run starts from the full load's database and output
                day["daily"].append(measure("daily", folder, start_from=Path(answers) / "pipeline"))
                day["daily_floor"].append(measure("daily_floor", folder))
        medians = {
            way: {key: statistics.median(r[key] for r in results) for key in ("seconds", "wall", "peak_mib")}
            | {"rows": results[0]["rows"]}
            for way, results in runs.items()
        }
        table.append((rows, medians, problems))
        keys = ("seconds", "load_seconds", "publish_seconds", "peak_mib")
        daily.append(
            (
                {key: statistics.median(r[key] for r in day["daily"]) for key in keys} | day["daily"][0],
                statistics.median(r["seconds"] for r in day["daily_floor"]),
            )
        )
        print(f"  measured about {rows:,} rows (load now {os.getloadavg()[0]:.1f})", flush=True)
    print(f"\nCourt cases ETL, {DAYS} daily files, median of {repeats} runs, each in a fresh process, interleaved")
    print("| way | raw rows | seconds | rows/s | peak MiB | x the floor |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for _, medians, _ in table:
        floor = medians["floor"]["seconds"]
        for way in WAYS:
            m = medians[way]
            print(f"| {way} | {m['rows']:,} | {m['seconds']:.2f} | {m['rows'] / m['seconds']:,.0f} | "
                  f"{m['peak_mib']:,.0f} | {m['seconds'] / floor:.1f} |")  # fmt: skip
    print(f"\nThe daily run: file {DAYS + 1} onto the database and output of the first {DAYS}, median of {repeats}")
    print("| history rows | the file's rows | its floor (s) | load (s) | x its floor | publish (s) "
          "| years written | versions | peak MiB |")  # fmt: skip
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (_, medians, _), (d, floor) in zip(table, daily, strict=True):
        print(f"| {medians['pipeline']['rows']:,} | {d['rows']:,} | {floor:.3f} | {d['load_seconds']:.2f} | "
              f"{d['load_seconds'] / floor:.1f} | {d['publish_seconds']:.2f} | {d['years_written']} of {d['years']} "
              f"| {d['versions']:,} | {d['peak_mib']:,.0f} |")  # fmt: skip
    print()
    for rows, _, problems in table:
        print(f"{rows:,} rows: the pipeline and polars give the same curated history and quarantine: "
              + ("yes" if not problems else "NO: " + "; ".join(problems)))  # fmt: skip
    for rows, medians, _ in table:
        ours, peer = medians["pipeline"]["seconds"], medians["polars"]["seconds"]
        print(f"Goal: faster than polars at {rows:,} rows: {ours:.2f} s against {peer:.2f} s, "
              f"{'met' if ours < peer else 'NOT met'}")  # fmt: skip
    first = table[0][1]
    ratio = first["pipeline"]["seconds"] / first["floor"]["seconds"]
    print(f"Goal: at most {FLOOR_GOAL}x the floor at {targets[0]:,} rows: {ratio:.1f}x, "
          f"{'met' if ratio <= FLOOR_GOAL else 'NOT met'}")  # fmt: skip
    peak = table[-1][1]["pipeline"]["peak_mib"]
    print(f"Goal: peak memory at {targets[-1]:,} rows at most {MEMORY_GOAL_MIB:,} MiB: {peak:,.0f} MiB, "
          f"{'met' if peak <= MEMORY_GOAL_MIB else 'NOT met'}")  # fmt: skip
    for rows, (d, floor) in zip(targets, daily, strict=True):
        times = d["load_seconds"] / floor
        print(f"Goal: the daily run's load at {rows:,} rows at most 2x its file's floor: {times:.1f}x "
              f"({d['load_seconds']:.2f} s against {floor:.3f} s), {'met' if times <= 2 else 'NOT met'}; "
              f"its publish wrote {d['years_written']} of {d['years']} years again in {d['publish_seconds']:.2f} s")  # fmt: skip
    load = os.getloadavg()
    print(f"Load average at the end: {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} (figures are noisy above 2)")
    if (
        os.environ.get("PROFILE")
        or not ratio <= FLOOR_GOAL
        or not first["pipeline"]["seconds"] < first["polars"]["seconds"]
    ):
        profile(extracts(targets[0]))  # where the time goes, when a goal at the first size is not met
    return 0 if all(not problems for _, _, problems in table) else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        way, folder, scratch = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        work = {
            "floor": work_floor,
            "pipeline": work_pipeline,
            "polars": work_polars,
            "daily": work_daily,
            "daily_floor": work_daily_floor,
        }[way]
        print(json.dumps(work(folder, scratch)), flush=True)
        # The result is out. Skip the interpreter's teardown: Arrow's thread pools have
        # been seen to abort there now and then ("terminate called without an active
        # exception"), which would fail a run whose work had finished.
        os._exit(0)
    sys.exit(main())
