"""Run the dbt project (court_timeliness/) in process, with every file it writes in the
git-ignored output folder: where each set-up keeps its files, the flags and environment
variables that point dbt at them, and the run itself (``run_dbt``).

dbt's telemetry variables are set for the duration of each run only: importing this
module, or running dbt, leaves the caller's environment as it was.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from pathlib import Path

from example_output import output_folder

HERE = Path(__file__).resolve().parent
# The dbt project, beside this module; or a copy of it that COURT_TIMELINESS_DBT_PROJECT names (the
# tests run the notebook on a copy with the exercises' solutions applied, as a learner's would be).
PROJECT_DIR = Path(os.environ.get("COURT_TIMELINESS_DBT_PROJECT") or HERE / "court_timeliness").resolve()
# Everything the example writes goes to notebooks/output/court_timeliness_dbt/, which git ignores.
OUTPUT_DIR = output_folder("court_timeliness_dbt")
# Where a Spark session of the dbt project keeps its files unless told otherwise (profiles.yml's default).
SPARK_DIR = OUTPUT_DIR / "spark"

TARGETS = ("duckdb", "spark")
# No telemetry from dbt or anything else while dbt runs, whatever the caller's environment says
# (dbt_project.yml switches dbt's own off too).
NO_TELEMETRY = {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}


def dbt_paths(output_dir: Path = OUTPUT_DIR, name: str = "court_timeliness") -> dict:
    """Where one dbt set-up keeps its files (all under output_dir): the DuckDB database file,
    target/ and logs/, and the Spark schema its models are built in (the name, as an identifier)."""
    base = Path(output_dir).resolve() / name
    return {
        "database": base / f"{name}.duckdb",
        "target": base / "target",
        "logs": base / "logs",
        "schema": re.sub(r"\W", "_", name).lower(),
    }


@contextmanager
def environment(**values: str | None):
    """Set (a string) or unset (None) environment variables for the duration of a block."""
    saved = {key: os.environ.get(key) for key in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _check_target(target: str) -> None:
    if target not in TARGETS:
        raise ValueError(f"target {target!r}: the project's profiles.yml has {', '.join(TARGETS)} to run here")


def dbt_flags(curated_dir: Path, paths: dict, target: str = "duckdb", project_dir: Path = PROJECT_DIR) -> list[str]:
    """The flags that point dbt at this project (or a copy of it, `project_dir`) and its profile,
    the curated data in `curated_dir` and the output folders in `paths` (from dbt_paths). The
    same for dbtRunner and for the `dbt` command a maintainer types.

    On Spark the curated sources are registered in a schema of their own for this set-up
    (`<schema>_curated`), so that set-ups over different curated data can share a session."""
    _check_target(target)
    variables = {"curated_dir": Path(curated_dir).resolve().as_posix()}
    if target == "spark":
        variables["curated_schema"] = f"{paths['schema']}_curated"
    return [
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target",
        target,
        "--target-path",
        str(paths["target"]),
        "--log-path",
        str(paths["logs"]),
        "--vars",
        json.dumps(variables),
        "--no-use-colors",
    ]


def dbt_env(paths: dict, target: str = "duckdb", spark_dir: Path | None = None) -> dict[str, str]:
    """The environment variables profiles.yml reads for that target: the DuckDB file, or the
    Spark session's folder, schema and log settings (absolute paths, to run from anywhere)."""
    _check_target(target)
    if target == "duckdb":
        return {"COURT_TIMELINESS_DUCKDB": str(paths["database"])}
    from local_spark.session import LOG4J2

    return {
        "COURT_TIMELINESS_SPARK_SCHEMA": paths["schema"],
        "COURT_TIMELINESS_SPARK_DIR": str(Path(spark_dir or SPARK_DIR).resolve()),
        "COURT_TIMELINESS_SPARK_LOG4J2": str(LOG4J2),
    }


def run_dbt(
    args: list[str],
    curated_dir: Path,
    output_dir: Path = OUTPUT_DIR,
    name: str = "court_timeliness",
    quiet=True,
    target: str = "duckdb",
    spark_dir: Path | None = None,
    no_telemetry_variables: bool = True,
    project_dir: Path = PROJECT_DIR,
):
    """Run a dbt command (for example ["build"]) through dbt's Python API, dbtRunner.

    The project reads the curated Parquet in `curated_dir`; target/ (manifest, run results,
    compiled SQL) and logs/ go under `output_dir`/<name>/, and so does the DuckDB database
    file. On Spark (`target="spark"`) the models go to the schema <name> of this process's
    local session (local_spark.session.local_session, with its files in `spark_dir`), which
    is started first if need be and reused by every later run. During the run the
    environment has NO_TELEMETRY (unless `no_telemetry_variables` is False: a test runs
    without them to prove that the project switches telemetry off by itself).
    Returns dbt's result object; it never raises for a failing model or test (look at
    `result.success`), only for a broken project or profile. `project_dir`: another copy of
    the project (the exercises' tests build the solutions in a temporary copy).
    """
    from dbt.cli.main import dbtRunner

    paths = dbt_paths(output_dir, name)
    paths["target"].mkdir(parents=True, exist_ok=True)
    paths["logs"].mkdir(parents=True, exist_ok=True)
    flags = dbt_flags(curated_dir, paths, target, project_dir)
    if quiet:
        flags.append("--quiet")
    if target == "spark":
        from local_spark.session import local_session

        local_session(spark_dir or SPARK_DIR)
    variables = {**(NO_TELEMETRY if no_telemetry_variables else {}), **dbt_env(paths, target, spark_dir)}
    with environment(**variables):
        result = dbtRunner().invoke([*args, *flags])
    if target == "duckdb":
        _release_database()
    if result.exception is not None:
        raise RuntimeError(f"dbt {' '.join(args)} could not run: {result.exception}") from result.exception
    return result


def _release_database() -> None:
    """dbt-duckdb keeps its DuckDB database open in this process after a run; close it,
    so that the file can be opened again (read-only, or by the next run)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
