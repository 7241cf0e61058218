"""Start this process's local Apache Spark session, set up the way the book's tests and benchmarks need it.

    from local_spark.session import local_session
    session = local_session(work_dir)                      # dbt on Spark
    session = local_session(work_dir, jars=[similarity])   # Splink's SparkAPI, say

Spark runs in local mode inside this process's Java gateway: no cluster, no network.
(To run it in a process of its own, see ``local_spark.process``.) Every setting is in
`session_settings()`, the one definition; the dbt project's `spark` target in
profiles.yml repeats them for a run by hand (a test keeps the two equal). They:

- keep every file Spark writes in `work_dir`: the warehouse, the Hive metastore
  (Derby's `metastore_db/` and `derby.log`), scratch files and Spark's own log;
- switch the web UI off and bind the driver to 127.0.0.1;
- set the time zone to UTC (the data's timestamps are UTC, and dbt-spark's date
  arithmetic goes through Unix time, which shifts dates across a daylight-saving change);
- log warnings to `work_dir/spark.log` and only errors to the console (`log4j2.properties`).

One process holds one session (Spark's static settings, such as the warehouse, are fixed
when it starts): build it first, then run as many dbt commands in it as needed. dbt-spark's
`session` method calls `SparkSession.builder.getOrCreate()`, which returns this session.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .java import JavaNotFound, java_problem

HERE = Path(__file__).resolve().parent
LOG4J2 = HERE / "log4j2.properties"
# The Spark application's name, and the Java system property that tells log4j2.properties
# where Spark's log goes.
APP_NAME = "local_spark"
LOG_PROPERTY = "local_spark.log"
# The files and folders a session makes in its work_dir (a test checks none appears anywhere else).
SPARK_FILES = ("warehouse", "metastore_db", "derby.log", "tmp", "spark.log")


def _no_spaces(path: Path) -> str:
    text = str(path)
    if any(c.isspace() for c in text):
        raise ValueError(
            f"{text}: Spark takes its Java options as one space-separated string, so its work folder "
            "cannot have spaces in its path. Choose a folder whose path has none."
        )
    return text


def session_settings(work_dir: Path | str, jars: Sequence[Path | str] = ()) -> dict[str, str]:
    """The Spark settings of a local session whose files all go under `work_dir`; `jars` are
    added to the session's class path (spark.jars), for example Splink's similarity functions."""
    work = Path(work_dir).resolve()
    java_options = [
        # Derby puts derby.log, and the metastore_db that Spark's Hive client names
        # relatively, in derby.system.home (without it: the current directory).
        f"-Dderby.system.home={_no_spaces(work)}",
        # Hive's per-session resources and Spark's scratch files go to java.io.tmpdir.
        f"-Djava.io.tmpdir={_no_spaces(work / 'tmp')}",
        "-Duser.timezone=UTC",
        # No hsperfdata_<user> folder in /tmp for the JVM's performance counters.
        "-XX:-UsePerfData",
        f"-Dlog4j2.configurationFile={_no_spaces(LOG4J2)}",
        f"-D{LOG_PROPERTY}={_no_spaces(work / 'spark.log')}",
    ]
    settings = {
        "spark.master": "local[*]",
        "spark.app.name": APP_NAME,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.sql.session.timeZone": "UTC",
        # Spark's default of 200 shuffle partitions suits a cluster; on a laptop's few
        # cores it makes each aggregation schedule 200 small tasks.
        "spark.sql.shuffle.partitions": "8",
        "spark.sql.warehouse.dir": _no_spaces(work / "warehouse"),
        "spark.local.dir": _no_spaces(work / "tmp"),
        "spark.driver.extraJavaOptions": " ".join(java_options),
    }
    if jars:
        settings["spark.jars"] = ",".join(_no_spaces(Path(j).resolve()) for j in jars)
    return settings


def local_session(work_dir: Path | str, jars: Sequence[Path | str] = (), hive: bool = True):
    """Start (or return) this process's local SparkSession, with every file it writes under `work_dir`.

    `hive=True` gives the session a Hive metastore (Derby, in `work_dir`), so that its tables
    outlive it: what a dbt run by hand gets (dbt-spark's `session` method asks for Hive
    support), where each dbt command is a process of its own. `hive=False` keeps the tables in
    Spark's in-memory catalog, for work done in one session (court_timeliness_dbt.on_spark's
    plans): the same SQL on the same engine, without starting Hive's client and Derby. A second
    call with another `work_dir` or other jars raises: the session that is running cannot
    change them.
    """
    problem = java_problem()
    if problem:
        raise JavaNotFound(problem)
    from pyspark.sql import SparkSession

    settings = session_settings(work_dir, jars)
    running = SparkSession.getActiveSession()
    if running is not None:
        conf = running.sparkContext.getConf()
        warehouse = conf.get("spark.sql.warehouse.dir", "").removeprefix("file:")
        if Path(warehouse) != Path(settings["spark.sql.warehouse.dir"]) or conf.get("spark.jars", "") != settings.get(
            "spark.jars", conf.get("spark.jars", "")
        ):
            raise RuntimeError(
                f"A Spark session is already running in this process, with its warehouse in {warehouse} and jars "
                f"{conf.get('spark.jars', 'none')!r}; it cannot change them. Call local_session() with the same "
                "arguments, or do the other work in a process of its own."
            )
        return running
    work = Path(work_dir).resolve()
    (work / "tmp").mkdir(parents=True, exist_ok=True)
    # Bind to loopback from the start (Spark otherwise looks up the host's address first),
    # and run any Python worker with this interpreter.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    if hive:
        builder = builder.enableHiveSupport()
    return builder.getOrCreate()
