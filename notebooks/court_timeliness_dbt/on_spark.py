"""Run the dbt project on Apache Spark: a plan of dbt commands and SQL in one local
session, in a process of its own (``run_plan``), optionally with no network at all.

    python -m court_timeliness_dbt.on_spark plan.json

Starting Spark takes seconds, so the tests and the benchmark start it once and run every
dbt command of theirs in that one session (dbt-spark's `session` method reuses it). The
process of its own keeps the Java gateway, Spark's console output and its memory out of
the caller, and lets `run_plan(..., offline=True)` cut its network off: it runs in a new
network namespace where only loopback is up (local_spark.process and local_spark.offline).

A plan is a dict (or its JSON file) with `work_dir`, a list of `steps` and, optionally,
`hive` (see below):

    {"dbt": ["build"], "curated": "/path/to/curated", "name": "good"}
        run a dbt command on the `spark` target; models go to schema `good`, dbt's
        target/ and logs/ to work_dir/dbt/good/.
    {"sql": "select count(*) from good.fct_cases", "save": "fact_rows"}
        run one statement; with `save`, keep its rows in the summary under that name.
    {"export": "good", "tables": ["fct_cases"]}
        write each table with Spark's own Parquet writer to work_dir/export/good/<table>/.

Everything the session writes goes under work_dir/spark/ (local_spark.session). The plan's
tables live in Spark's in-memory catalog: every step runs in the one session, so nothing needs
a metastore that outlives it, and the session does not start Hive's client and its Derby
database (on 2 cores that cost the tests' plan about 17 core-seconds). With `"hive": true`
the plan keeps them in a Hive metastore instead, as a dbt run by hand (`dbt build --target
spark`) does: the benchmark times that set-up.
The summary (work_dir/summary.json, and run_plan's result) holds the session's start time,
each step's time and outcome, and where Spark was told to write. A step that fails does not
stop the plan: a dbt step records dbt's failures, an SQL or export step its `error`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from local_spark.process import run_module
from local_spark.session import local_session

from .dbt_run import dbt_paths, run_dbt
from .run_results import failures, results_table


def _dbt_step(step: dict, work: Path) -> dict:
    from pyspark.sql import SparkSession

    record = {"paths": {k: str(v) for k, v in dbt_paths(work / "dbt", step["name"]).items()}}
    try:
        result = run_dbt(
            step["dbt"],
            Path(step["curated"]),
            work / "dbt",
            name=step["name"],
            target="spark",
            spark_dir=work / "spark",
        )
    except RuntimeError as error:  # dbt could not run at all (a broken project, or a hook that raised)
        return {**record, "success": False, "exception": str(error), "results": [], "failures": []}
    record["success"] = bool(result.success)
    record["results"] = results_table(result).to_dict("records")
    record["failures"] = failures(result)
    # Which Spark application dbt ran in: the same one for every step, if dbt-spark reused the session.
    record["application_id"] = SparkSession.builder.getOrCreate().sparkContext.applicationId
    return record


def _sql_step(session, step: dict) -> dict:
    rows = session.sql(step["sql"]).collect()
    return {"rows": [list(row) for row in rows]} if step.get("save") else {}


def _export_step(session, step: dict, work: Path) -> dict:
    written = {}
    for table in step["tables"]:
        folder = work / "export" / step["export"] / table
        session.table(f"{step['export']}.{table}").coalesce(1).write.mode("overwrite").parquet(str(folder))
        written[table] = str(folder)
    return {"written": written}


def _kept(run, *args) -> dict:
    """run(*args), or its error, kept for the summary so that the later steps still run."""
    try:
        return run(*args)
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}


def execute(plan: dict) -> dict:
    """Run the plan in this process (see the module's docstring) and return its summary."""
    work = Path(plan["work_dir"]).resolve()
    started = time.perf_counter()
    session = local_session(work / "spark", hive=bool(plan.get("hive", False)))
    summary = {
        "session_start_seconds": round(time.perf_counter() - started, 2),
        "application_id": session.sparkContext.applicationId,
        "steps": [],
    }
    jvm = session.sparkContext._jvm
    summary["java_properties"] = {
        key: jvm.java.lang.System.getProperty(key) for key in ("java.io.tmpdir", "derby.system.home", "user.timezone")
    }
    summary["spark_conf"] = {
        key: session.conf.get(key)
        for key in ("spark.sql.warehouse.dir", "spark.sql.session.timeZone", "spark.sql.catalogImplementation")
    }
    for step in plan["steps"]:
        started = time.perf_counter()
        if "dbt" in step:
            record = {"kind": "dbt", "args": step["dbt"], "name": step["name"], **_dbt_step(step, work)}
        elif "sql" in step:
            record = {"kind": "sql", "sql": step["sql"], "save": step.get("save"), **_kept(_sql_step, session, step)}
        elif "export" in step:
            record = {"kind": "export", **_kept(_export_step, session, step, work)}
        else:
            raise ValueError(f"plan step {step!r}: give it a `dbt`, `sql` or `export` key")
        record["seconds"] = round(time.perf_counter() - started, 2)
        summary["steps"].append(record)
    session.stop()
    return summary


def run_plan(plan: dict, offline: bool = False, cwd: Path | None = None, timeout: float = 900) -> dict:
    """Run the plan in a new Python process (with no network if `offline`) and return its summary
    (see local_spark.process.run_module)."""
    work = Path(plan["work_dir"]).resolve()
    work.mkdir(parents=True, exist_ok=True)
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps({**plan, "work_dir": str(work)}, indent=2), encoding="utf-8")
    return run_module(["court_timeliness_dbt.on_spark", str(plan_file)], work, "the Spark plan", offline, cwd, timeout)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m court_timeliness_dbt.on_spark plan.json", file=sys.stderr)
        return 2
    plan = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    summary = execute(plan)
    (Path(plan["work_dir"]) / "summary.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
