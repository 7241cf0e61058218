"""Benchmark: the court cases ETL pipeline (DuckDB SQL) against the naive way (pandas, row by row).

    make bench ONLY=etl                  # 1 million and 10 million raw rows (slow: minutes)
    BENCH_QUICK=1 make bench ONLY=etl    # 20 thousand and 200 thousand rows, to smoke-test
    ROWS=500000 REPEATS=1 make bench ONLY=etl

Both ways do the same work on the same 30 daily extract files: validate every row
against the same rules, quarantine bad rows, keep good rows, build the SCD2 history
and write it as Hive-partitioned Parquet. The naive way reads each file with pandas,
validates row by row with DataFrame.apply, and builds history in a Python loop; it
runs at the smallest size only (at 10 million rows it would take a long time).

Each measurement runs in a fresh subprocess; its peak memory is that process's
maximum resident set size (os.wait4). Figures are medians of REPEATS runs (3).
Goals: DuckDB at least 5x the naive way's rows per second at the smallest size;
10x the rows costs DuckDB less than 2x the peak memory.
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

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent / "notebooks" / "output" / "bench"  # git-ignored
EVENTS_PER_CASE = 1.22  # raw rows per case the generator makes (half the cases arrive completed)
DAYS = 30


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


def work_duckdb(folder: Path, scratch: Path) -> dict:
    from court_cases_etl import pipeline as courts_etl

    paths = sorted(folder.glob("court_cases_*.csv"))
    start = time.perf_counter()
    con = courts_etl.connect(scratch / "bench.duckdb")
    courts_etl.load_files(con, paths)
    courts_etl.publish(con, scratch)
    seconds = time.perf_counter() - start
    rows, versions = con.execute(
        "SELECT (SELECT sum(rows_read) FROM reconciliation), (SELECT count(*) FROM curated_court_cases)"
    ).fetchall()[0]
    return {"seconds": seconds, "rows": int(rows), "versions": int(versions)}


def work_pandas(folder: Path, scratch: Path) -> dict:
    """The usual first attempt: pandas, a Python function per row, a loop per case."""
    import re
    from datetime import date, datetime

    import pandas as pd

    from court_cases_etl import extracts as gen

    courts = set(gen.COURT_CODES)
    offences = set(gen.OFFENCE_CATEGORIES)
    outcomes = set(gen.OUTCOMES)
    iso_date = re.compile(r"\d{4}-\d{2}-\d{2}")
    iso_time = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}Z?")
    case_re = re.compile(r"CASE-\d{6,9}")

    def to_date(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None

    def validate(row):
        values = {c: (row[c] or "").strip() for c in gen.COLUMNS}
        if max(len(row[c] or "") for c in gen.COLUMNS) > 64:
            return "field_too_long", values
        op = values["op"].upper()
        court = values["court_code"].upper()
        offence = values["offence_category"].lower().replace(" ", "_")
        outcome = values["outcome"].lower()
        if not values["case_id"] or not op or not values["extraction_timestamp"]:
            return "missing_required", values
        if op in ("I", "U") and not (court and offence and values["received_date"]):
            return "missing_required", values
        if op not in ("I", "U", "D"):
            return "unknown_op", values
        if not case_re.fullmatch(values["case_id"]):
            return "invalid_case_id", values
        rec, comp, ts = values["received_date"], values["completed_date"], values["extraction_timestamp"]
        if (
            not iso_time.fullmatch(ts)
            or (rec and not iso_date.fullmatch(rec))
            or (comp and not iso_date.fullmatch(comp))
        ):
            return "unparseable_date", values
        try:
            stamp = datetime.fromisoformat(ts.replace("Z", ""))
        except ValueError:
            return "impossible_date", values
        received = to_date(rec) if rec else None
        completed = to_date(comp) if comp else None
        if (rec and received is None) or (comp and completed is None):
            return "impossible_date", values
        if (received and received > stamp.date()) or (completed and completed > stamp.date()):
            return "future_date", values
        if received and completed and completed < received:
            return "completed_before_received", values
        if court and court not in courts:
            return "unknown_court", values
        if offence and offence not in offences:
            return "unknown_offence_category", values
        if outcome and outcome not in outcomes:
            return "unknown_outcome", values
        if (completed is None) != (not outcome):
            return "incomplete_outcome", values
        clean = {
            "case_id": values["case_id"],
            "op": op,
            "court_code": court or None,
            "offence_category": offence or None,
            "received_date": received,
            "completed_date": completed,
            "outcome": outcome or None,
            "extraction_timestamp": stamp,
        }
        return None, clean

    start = time.perf_counter()
    seen = {}
    silver, quarantine = [], []
    for path in sorted(folder.glob("court_cases_*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        judged = frame.apply(validate, axis=1)
        for number, (rule, values) in enumerate(judged, start=1):
            if rule is None:
                key = (values["case_id"], values["extraction_timestamp"])
                if key in seen:
                    rule = "duplicate_event"
                else:
                    seen[key] = True
                    silver.append(values)
            if rule is not None:
                quarantine.append({"file_name": path.name, "row_number": number, "rule": rule})
    events = pd.DataFrame(silver).sort_values(["case_id", "extraction_timestamp"])
    versions = []
    state_cols = ["court_code", "offence_category", "received_date", "completed_date", "outcome"]
    for _, group in events.groupby("case_id", sort=False):
        previous = None
        for _, event in group.iterrows():
            state = tuple(event[c] for c in state_cols)
            if previous is not None:
                if event["op"] == "D" and previous["op"] == "D":
                    continue
                if event["op"] != "D" and previous["op"] != "D" and state == previous["state"]:
                    continue
                if versions and versions[-1]["case_id"] == event["case_id"] and previous["op"] != "D":
                    versions[-1]["mojap_end_datetime"] = event["extraction_timestamp"]
                    versions[-1]["mojap_current_record"] = False
            if event["op"] != "D":
                versions.append(
                    {
                        "case_id": event["case_id"],
                        **dict(zip(state_cols, state, strict=True)),
                        "extraction_timestamp": event["extraction_timestamp"],
                        "mojap_start_datetime": event["extraction_timestamp"],
                        "mojap_end_datetime": datetime(2999, 1, 1),
                        "mojap_current_record": True,
                    }
                )
            previous = {"op": event["op"], "state": state}
    curated = pd.DataFrame(versions)
    curated["received_year"] = pd.to_datetime(curated["received_date"]).dt.year.astype("int32")
    curated.to_parquet(scratch / "court_cases", partition_cols=["received_year"], index=False)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(silver) + len(quarantine), "versions": len(curated)}


# Measurement ------------------------------------------------------------------------


def measure(way: str, folder: Path) -> dict:
    """Run one way once in a fresh process; return its timings and peak memory."""
    with tempfile.TemporaryDirectory(prefix="bench_etl_") as scratch:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, __file__, "--worker", way, str(folder), scratch],
            stdout=subprocess.PIPE,
            text=True,
        )
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"the {way} run on {folder} failed (exit status {status})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, peak_mib=usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux
    return result


def median_of(way: str, folder: Path, repeats: int) -> dict:
    runs = [measure(way, folder) for _ in range(repeats)]
    out = {k: statistics.median(r[k] for r in runs) for k in ("seconds", "wall", "peak_mib")}
    out.update(rows=runs[0]["rows"], versions=runs[0]["versions"])
    return out


def main() -> int:
    repeats = int(os.environ.get("REPEATS", "3"))
    targets = sizes()
    results = []
    for rows in targets:
        folder = extracts(rows)
        results.append(("duckdb", rows, median_of("duckdb", folder, repeats)))
        if rows == targets[0]:
            results.append(("pandas", rows, median_of("pandas", folder, repeats)))
    print(f"\nCourt cases ETL, {DAYS} daily files, median of {repeats} run(s) each, fresh process per run")
    print(f"{'way':<8}{'raw rows':>12}{'pipeline s':>12}{'wall s':>9}{'rows/s':>12}{'peak MiB':>10}{'versions':>11}")
    for way, _, r in results:
        print(
            f"{way:<8}{r['rows']:>12,}{r['seconds']:>12.2f}{r['wall']:>9.2f}"
            f"{r['rows'] / r['seconds']:>12,.0f}{r['peak_mib']:>10,.0f}{r['versions']:>11,}"
        )
    duck = {rows: r for way, rows, r in results if way == "duckdb"}
    naive = next(r for way, _, r in results if way == "pandas")
    small, large = duck[targets[0]], duck[targets[-1]]
    speedup = (small["rows"] / small["seconds"]) / (naive["rows"] / naive["seconds"])
    same = small["versions"] == naive["versions"]
    print(f"\nSame curated history both ways ({small['versions']:,} versions): {'yes' if same else 'NO'}")
    print(
        f"Goal: DuckDB >= 5x the naive way's speed at {targets[0]:,} rows: {speedup:.1f}x, {'met' if speedup >= 5 else 'NOT met'}"
    )
    if len(targets) > 1:
        growth = large["peak_mib"] / small["peak_mib"]
        scale = large["rows"] / small["rows"]
        print(
            f"Goal: {scale:.0f}x the rows costs < 2x the peak memory: {growth:.2f}x, {'met' if growth < 2 else 'NOT met'}"
        )
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        way, folder, scratch = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        work = {"duckdb": work_duckdb, "pandas": work_pandas}[way]
        print(json.dumps(work(folder, scratch)), flush=True)
        # The result is out. Skip the interpreter's teardown: Arrow's thread pools have
        # been seen to abort there now and then ("terminate called without an active
        # exception"), which would fail a run whose work had finished.
        os._exit(0)
    sys.exit(main())
