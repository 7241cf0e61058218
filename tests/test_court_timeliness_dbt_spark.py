"""The court timeliness dbt project on Apache Spark gives the same answers as on DuckDB.

Spark starts once per test session, in a process of its own (court_timeliness_dbt.on_spark)
with no network where the machine permits network namespaces. In that one local session
dbt builds the project on the good curated data and on the copy with planted bad rows,
tests broken copies of the marts and meets a source that reads no rows; Spark then writes
the good marts to Parquet, and the tests here compare them, row for row, with the DuckDB
build of the same curated data (court_timeliness_fixtures.py makes both).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
import pytest
import yaml

from conftest import ROOT, Early, collect_early, start_early
from court_cases_etl import curated_files
from court_timeliness_dbt import dbt_run, lineage, on_spark, planted, run_results
from court_timeliness_marts import BROKEN_MARTS_SELECTION, MARTS, broken_marts_failures, broken_marts_sql
from local_spark import java, session
from local_spark.offline import offline_command

PROJECT = dbt_run.PROJECT_DIR
PLANTED_TESTS = set(planted.PLANTED_PROBLEMS.values())
# What Spark leaves behind when it is not told where to write (a test looks for them).
STRAYS = ("metastore_db", "derby.log", "spark-warehouse")

# Where the engines' arithmetic may differ, and by how much. percentile_cont interpolates
# between the two values either side of the fraction, lo + (hi - lo) * f, in double
# precision on both engines, but each engine computes the position and the product its own
# way, so the last bit of a median or 90th percentile may differ (on the default data, 26
# of the 185 90th percentiles do, by at most 6e-14 days). A relative difference up to 1e-12
# counts as equal. Every other column, counts and keys included, must be exactly equal.
TOLERANCE = {
    ("fct_court_quarter_timeliness", "median_days_to_completion"): 1e-12,
    ("fct_court_quarter_timeliness", "p90_days_to_completion"): 1e-12,
}
KINDS = {
    "TINYINT": "integer",
    "SMALLINT": "integer",
    "INTEGER": "integer",
    "BIGINT": "integer",
    "HUGEINT": "integer",
    "FLOAT": "float",
    "DOUBLE": "float",
    "VARCHAR": "string",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
}


@dataclass
class SparkRun:
    work: Path
    cwd: Path
    summary: dict
    offline_reason: str | None

    def step(self, name: str, args0: str | None = None) -> dict:
        found = [s for s in self.summary["steps"] if s.get("name") == name and (args0 is None or s["args"][0] == args0)]
        assert len(found) == 1, f"no single dbt step {name!r} in the plan"
        return found[0]

    def saved(self, name: str) -> list[list]:
        step = next(s for s in self.summary["steps"] if s.get("save") == name)
        assert "error" not in step, step["error"]
        return step["rows"]


def source_table(name: str) -> dict:
    sources = yaml.safe_load((PROJECT / "models" / "staging" / "_curated__sources.yml").read_text(encoding="utf-8"))
    return next(t for t in sources["sources"][0]["tables"] if t["name"] == name)


def trap_steps(curated: Path) -> list[dict]:
    """Make a partitioned table over the court cases folder, as a new user would, and count it
    before and after its partitions are recovered."""
    columns = ", ".join(f"{c['name']} {c['data_type']}" for c in source_table("court_cases")["columns"])
    return [
        {"sql": "create schema trap"},
        {
            "sql": f"create table trap.court_cases ({columns}) using parquet partitioned by (received_year) "
            f"location '{curated / 'court_cases'}'"
        },
        {"sql": "select count(*) from trap.court_cases", "save": "before_recovery"},
        {"sql": "alter table trap.court_cases recover partitions"},
        {"sql": "select count(*) from trap.court_cases", "save": "after_recovery"},
    ]


def strays() -> set[Path]:
    """Files Spark would leave in the repository if it wrote where it was started from."""
    folders = [ROOT, ROOT / "notebooks", PROJECT.parent, PROJECT]
    return {folder / name for folder in folders for name in STRAYS if (folder / name).exists()}


@start_early("spark_run")
def _start_the_spark_plan(request: pytest.FixtureRequest) -> Early:
    """The one Spark session of the run, in a process of its own, started before the first test
    (conftest.start_early); spark_run waits for it."""
    curated, bad_data = request.getfixturevalue("curated"), request.getfixturevalue("bad_data")
    work = request.getfixturevalue("tmp_path_factory").mktemp("spark")
    cwd = work / "cwd"  # where the Spark process starts: it must stay empty
    cwd.mkdir()
    no_data = work / "no_data"  # curated data whose court cases folder is empty
    curated_files.cases_folder(no_data).mkdir(parents=True)
    (no_data / curated_files.COURTS_FILE).write_bytes((curated / curated_files.COURTS_FILE).read_bytes())
    before = strays()
    steps = [
        {"dbt": ["build"], "curated": str(curated), "name": "good"},
        {"dbt": ["build"], "curated": str(bad_data), "name": "bad"},
        {"sql": "create schema broken_marts"},
        *({"sql": statement} for statement in broken_marts_sql("good", "broken_marts")),
        {"dbt": ["test", "--select", *BROKEN_MARTS_SELECTION], "curated": str(curated), "name": "broken_marts"},
        {"dbt": ["run", "--select", "stg_curated__courts"], "curated": str(no_data), "name": "no_data"},
        *trap_steps(curated),
        {"export": "good", "tables": list(MARTS)},
    ]
    prefix, reason = offline_command()

    def run() -> SparkRun:
        summary = on_spark.run_plan({"work_dir": str(work), "steps": steps}, offline=prefix is not None, cwd=cwd)
        assert strays() == before, f"Spark wrote {sorted(map(str, strays() - before))}: it must write only under {work}"
        return SparkRun(work, cwd, summary, reason)

    return Early(run)


@pytest.fixture(scope="session")
def spark_run(request) -> SparkRun:
    problem = java.java_problem()
    if problem:
        pytest.fail(problem)
    return collect_early(request, "spark_run")


# --- comparing the marts ---


def _frames(con: duckdb.DuckDBPyConnection, relations: dict[str, str]) -> dict[str, tuple[pd.DataFrame, dict]]:
    con.execute("set TimeZone = 'UTC'")
    marts = {}
    for mart, relation in relations.items():
        kinds = {
            name: KINDS.get(kind, kind) for name, kind, *_ in con.sql(f"describe select * from {relation}").fetchall()
        }
        frame = con.sql(f"select * from {relation}").df()
        for column, kind in kinds.items():
            if kind == "timestamp" and isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                frame[column] = frame[column].dt.tz_convert("UTC").dt.tz_localize(None)
        marts[mart] = (frame, kinds)
    return marts


def duckdb_marts(database: Path) -> dict[str, tuple[pd.DataFrame, dict]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return _frames(con, {mart: f"main.{mart}" for mart in MARTS})


def spark_marts(run: SparkRun) -> dict[str, tuple[pd.DataFrame, dict]]:
    """The good marts as Spark wrote them, with Spark's own Parquet writer, read by DuckDB."""
    step = next(s for s in run.summary["steps"] if s["kind"] == "export")
    assert "error" not in step, step["error"]
    export = step["written"]
    with duckdb.connect() as con:
        return _frames(con, {mart: f"read_parquet('{Path(export[mart]).as_posix()}/*.parquet')" for mart in MARTS})


def mart_keys(manifest: dict) -> dict[str, list[str]]:
    """Each mart's key, as its YAML declares it: a `unique` column, or a `unique_combination`."""
    keys: dict[str, list[list[str]]] = {}
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        mart = (node.get("attached_node") or "").rsplit(".", 1)[-1]
        if mart in MARTS and meta.get("name") == "unique":
            keys.setdefault(mart, []).append([meta["kwargs"]["column_name"]])
        elif mart in MARTS and meta.get("name") == "unique_combination":
            keys.setdefault(mart, []).append(list(meta["kwargs"]["columns"]))
    assert {mart: len(found) for mart, found in keys.items()} == dict.fromkeys(MARTS, 1), keys
    return {mart: found[0] for mart, found in keys.items()}


def _describe(frame: pd.DataFrame, key: list[str], limit: int = 5) -> str:
    shown = ["(" + ", ".join(f"{k}={row[k]}" for k in key) + ")" for _, row in frame.head(limit).iterrows()]
    return "; ".join(shown) + ("; ..." if len(frame) > limit else "")


def compare_marts(left: dict, right: dict, keys: dict[str, list[str]], names=("DuckDB", "Spark")) -> list[str]:
    """Every difference between two engines' marts, row for row, each naming the mart and the rows."""
    problems = []
    for mart in MARTS:
        (a, a_kinds), (b, b_kinds) = left[mart], right[mart]
        if list(a.columns) != list(b.columns):
            problems.append(f"{mart}: columns {list(a.columns)} on {names[0]}, {list(b.columns)} on {names[1]}")
            continue
        problems += [
            f"{mart}.{c}: a {a_kinds[c]} on {names[0]}, a {b_kinds[c]} on {names[1]}"
            for c in a.columns
            if a_kinds[c] != b_kinds[c]
        ]
        key = keys[mart]
        for frame, name in ((a, names[0]), (b, names[1])):
            if frame.empty:
                problems.append(f"{mart}: no rows on {name}")
            if frame.duplicated(key).any():
                problems.append(f"{mart}: key {key} repeated on {name}: {_describe(frame[frame.duplicated(key)], key)}")
        merged = a.merge(b, on=key, how="outer", suffixes=("@a", "@b"), indicator=True)
        for side, name in (("left_only", names[0]), ("right_only", names[1])):
            only = merged[merged["_merge"] == side]
            if len(only):
                problems.append(f"{mart}: {len(only)} row(s) only on {name}: {_describe(only, key)}")
        both = merged[merged["_merge"] == "both"]
        for column in (c for c in a.columns if c not in key):
            x, y = both[f"{column}@a"], both[f"{column}@b"]
            tolerance = TOLERANCE.get((mart, column))
            if tolerance is None:
                same = (x == y) | (x.isna() & y.isna())
            else:
                same = ((x - y).abs() <= tolerance * x.abs().clip(lower=1)) | (x.isna() & y.isna())
            if not same.all():
                rows = both[~same]
                example = rows.iloc[0]
                problems.append(
                    f"{mart}.{column}: {len(rows)} row(s) differ: {_describe(rows, key)} "
                    f"(first: {example[f'{column}@a']!r} on {names[0]}, {example[f'{column}@b']!r} on {names[1]})"
                )
    return problems


@pytest.fixture(scope="session")
def manifest(good_build, dbt_output) -> dict:
    return lineage.load_manifest(dbt_output, name="good")


@pytest.fixture(scope="session")
def keys(manifest) -> dict[str, list[str]]:
    return mart_keys(manifest)


@pytest.fixture(scope="session")
def on_duckdb(good_build, dbt_output) -> dict:
    assert good_build.success, run_results.failures(good_build)
    return duckdb_marts(dbt_run.dbt_paths(dbt_output, "good")["database"])


@pytest.fixture(scope="session")
def on_spark_marts(spark_run) -> dict:
    assert spark_run.step("good")["success"], spark_run.step("good")["failures"]
    return spark_marts(spark_run)


# --- same answers ---


def test_spark_builds_and_passes_every_node_that_duckdb_does(spark_run, good_build):
    on_spark_nodes = {(r["node"], r["type"], r["status"]) for r in spark_run.step("good")["results"]}
    on_duckdb_nodes = {
        (r["node"], r["type"], r["status"]) for r in run_results.results_table(good_build).to_dict("records")
    }
    assert on_spark_nodes == on_duckdb_nodes
    assert {status for _, _, status in on_spark_nodes} == {"success", "pass"}
    assert len(on_spark_nodes) >= 60


def test_every_mart_gives_the_same_rows_on_both_engines(on_duckdb, on_spark_marts, keys, curated_counts):
    assert compare_marts(on_duckdb, on_spark_marts, keys) == []
    # The same, and not empty: the counts the curated data gives without dbt.
    rows = {mart: len(frame) for mart, (frame, _) in on_spark_marts.items()}
    assert rows["fct_cases"] == curated_counts["live_cases"] > 9000
    assert (
        on_spark_marts["fct_court_quarter_timeliness"][0]["completed_case_count"].sum()
        == (curated_counts["completed_cases"])
    )
    assert min(rows.values()) >= 10, rows


def test_a_case_missing_from_one_engines_source_fails_the_comparison(
    curated, dbt_output, on_spark_marts, keys, tmp_path
):
    """One case removed from DuckDB's copy of the source: the comparison names the marts and rows."""
    copy = tmp_path / "curated"
    glob = curated_files.cases_glob(curated)
    case_id, court, quarter = duckdb.sql(
        f"""
        select case_id, court_code, cast(date_trunc('quarter', completed_date) as date)
        from read_parquet('{glob}', hive_partitioning = true)
        where mojap_current_record and completed_date is not null
        order by case_id limit 1 offset 100
        """
    ).fetchall()[0]
    curated_files.cases_folder(copy).mkdir(parents=True)
    (copy / curated_files.COURTS_FILE).write_bytes((curated / curated_files.COURTS_FILE).read_bytes())
    for part in sorted(curated_files.cases_folder(curated).glob("*/*.parquet")):
        (curated_files.cases_folder(copy) / part.parent.name).mkdir(exist_ok=True)
        target = curated_files.cases_folder(copy) / part.parent.name / part.name
        duckdb.sql(f"copy (select * from read_parquet('{part}') where case_id <> '{case_id}') to '{target}'")
    # The seed and the models, not the tests: this set-up is for the comparison only.
    run = dbt_run.run_dbt(["build", "--exclude", "resource_type:test"], copy, dbt_output, name="one_case_fewer")
    assert run.success, run_results.failures(run)
    problems = compare_marts(
        duckdb_marts(dbt_run.dbt_paths(dbt_output, "one_case_fewer")["database"]), on_spark_marts, keys
    )
    assert any(p.startswith("fct_cases: 1 row(s) only on Spark") and f"case_id={case_id}" in p for p in problems), (
        problems
    )
    timeliness = f"(court_code={court}, completed_quarter={pd.Timestamp(quarter)})"
    assert any(
        p.startswith("fct_court_quarter_timeliness.completed_case_count: 1 row(s) differ") and timeliness in p
        for p in problems
    ), problems


def test_the_comparison_allows_only_the_stated_tolerance():
    keys = {mart: ["k"] for mart in MARTS}

    def marts(**columns):
        frame = pd.DataFrame({"k": [1, 2], **columns})
        kinds = {c: "float" if frame[c].dtype.kind == "f" else "integer" for c in frame.columns}
        return dict.fromkeys(MARTS, (frame, kinds)) | {"fct_court_quarter_timeliness": (frame, kinds)}

    def timeliness_only(left, right):
        return [p for p in compare_marts(left, right, keys) if p.startswith("fct_court_quarter_timeliness.")]

    median = "median_days_to_completion"
    assert timeliness_only(marts(**{median: [45.5, 90.0]}), marts(**{median: [45.5 * (1 + 1e-14), 90.0]})) == []
    assert timeliness_only(marts(**{median: [45.5, 90.0]}), marts(**{median: [45.5 * (1 + 1e-9), 90.0]}))
    assert timeliness_only(marts(completed_case_count=[3, 4]), marts(completed_case_count=[3, 5]))


# --- the same tests fail on both engines ---


def test_the_planted_bad_rows_fail_the_same_tests_on_spark(spark_run, bad_build):
    bad = spark_run.step("bad")
    assert not bad["success"]
    failed = {f["name"] for f in bad["failures"]}
    assert failed == {f["name"] for f in run_results.failures(bad_build)} == PLANTED_TESTS
    assert all(f["failures"] >= 1 for f in bad["failures"])
    skipped = {r["node"] for r in bad["results"] if r["status"] == "skipped"}
    assert {"fct_cases", "fct_court_quarter_timeliness", "int_court_cases__current"} <= skipped


def test_row_count_key_and_reconciliation_tests_fail_on_broken_marts_on_spark(spark_run, manifest):
    made = [s for s in spark_run.summary["steps"] if s["kind"] == "sql" and "broken_marts" in s["sql"]]
    assert len(made) == len(MARTS) + 1 and [s["error"] for s in made if "error" in s] == []
    broken = spark_run.step("broken_marts")
    assert not broken["success"]
    assert {f["name"] for f in broken["failures"]} == broken_marts_failures(manifest)
    assert {r["node"] for r in broken["results"] if r["status"] == "pass"} == {"has_rows_fct_court_quarter_timeliness_"}


def test_a_source_that_reads_no_rows_stops_the_run_with_what_to_do(spark_run):
    no_data = spark_run.step("no_data")
    assert not no_data["success"]
    message = no_data.get("exception") or json.dumps(no_data["failures"])
    assert "curated.court_cases reads no rows from" in message and str(spark_run.work / "no_data") in message, message
    assert "ensure_curated()" in message


def test_a_partitioned_table_reads_nothing_until_its_partitions_are_recovered(spark_run, curated_counts):
    """Why the project's Spark registration recovers partitions: without it, fct_cases was empty."""
    assert spark_run.saved("before_recovery") == [[0]]
    assert spark_run.saved("after_recovery") == [[curated_counts["versions"]]]


# --- how Spark runs: one session, offline, quiet, files in their place ---


def test_every_dbt_command_ran_in_one_spark_session(spark_run):
    dbt_steps = [s for s in spark_run.summary["steps"] if s["kind"] == "dbt" and "application_id" in s]
    assert len(dbt_steps) >= 3
    assert {s["application_id"] for s in dbt_steps} == {spark_run.summary["application_id"]}


def test_spark_ran_with_no_network(spark_run):
    if spark_run.offline_reason:
        pytest.skip(f"cannot cut the network off here: {spark_run.offline_reason}")
    assert spark_run.summary["offline"]
    # The same wrapper, around a probe: only loopback, and another host cannot be reached.
    prefix, _ = offline_command()
    probe = (
        "import socket\n"
        "print(sorted(line.split(':')[0].strip() for line in open('/proc/net/dev').readlines()[2:]))\n"
        "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=5)\n"
        "except OSError as error:\n    print(error.errno)\n"
    )
    result = subprocess.run([*prefix, sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.split("\n")[:2] == ["['lo']", "101"], result.stdout + result.stderr  # 101: ENETUNREACH


def test_spark_writes_only_in_its_work_folder(spark_run):
    spark_dir = spark_run.work / "spark"
    assert list(spark_run.cwd.iterdir()) == []
    for name in ("warehouse", "spark.log"):
        assert (spark_dir / name).exists(), name
    # The plan's tables live in the in-memory catalog (on_spark): no Hive client, so no Derby database.
    assert spark_run.summary["spark_conf"]["spark.sql.catalogImplementation"] == "in-memory"
    assert not [p for name in ("metastore_db", "derby.log") for p in spark_run.work.rglob(name)]
    marts = {path.name for path in (spark_dir / "warehouse" / "good.db").iterdir()}
    assert set(MARTS) <= marts, marts
    assert {k: Path(v) for k, v in spark_run.summary["java_properties"].items() if k != "user.timezone"} == {
        "java.io.tmpdir": spark_dir / "tmp",
        "derby.system.home": spark_dir,
    }
    assert spark_run.summary["spark_conf"]["spark.sql.warehouse.dir"].removeprefix("file:") == str(
        spark_dir / "warehouse"
    )


def test_spark_keeps_the_console_quiet_and_logs_to_its_folder(spark_run):
    """The console gets dbt's own report (--quiet: only what failed) and nothing of Spark's
    but the JVM's one line about incubator modules; Spark's warnings go to spark.log."""
    console = (spark_run.work / "worker.log").read_text(encoding="utf-8").splitlines()
    from_spark = [line for line in console if re.match(r"\d\d:\d\d:\d\d (WARN|ERROR|INFO) \w+:|\s+at ", line)]
    assert from_spark == [] and len(console) < 60, console[:20]
    assert " WARN " in (spark_run.work / "spark" / "spark.log").read_text(encoding="utf-8")


def test_spark_runs_in_utc_and_sends_no_telemetry(spark_run):
    assert spark_run.summary["java_properties"]["user.timezone"] == "UTC"
    assert spark_run.summary["spark_conf"]["spark.sql.session.timeZone"] == "UTC"
    log = (Path(spark_run.step("good")["paths"]["logs"]) / "dbt.log").read_text(encoding="utf-8")
    assert "'send_anonymous_usage_stats': 'False'" in log and "Sending event" not in log


def test_the_profiles_spark_target_has_the_sessions_settings(tmp_path):
    """profiles.yml repeats local_spark.session's settings for a run by hand: they stay the same."""
    profile = yaml.safe_load((PROJECT / "profiles.yml").read_text(encoding="utf-8"))["court_timeliness"]
    target = profile["outputs"]["spark"]
    assert (target["type"], target["method"]) == ("spark", "session")
    variables = {"COURT_TIMELINESS_SPARK_DIR": str(tmp_path), "COURT_TIMELINESS_SPARK_LOG4J2": str(session.LOG4J2)}

    def env_var(name, default=None):
        return variables.get(name, default)

    rendered = {
        key: jinja2.Template(str(value)).render(env_var=env_var)
        for key, value in target["server_side_parameters"].items()
    }
    assert rendered == session.session_settings(tmp_path)
    # Run by hand from the project folder, the defaults put Spark's files under notebooks/output/.
    defaults = {m.group(1) for m in re.finditer(r"env_var\('COURT_TIMELINESS_SPARK_DIR', '([^']+)'\)", str(target))}
    assert len(defaults) == 1 and (PROJECT / defaults.pop()).resolve() == dbt_run.SPARK_DIR
    log4j2 = re.search(r"env_var\('COURT_TIMELINESS_SPARK_LOG4J2', '([^']+)'\)", str(target)).group(1)
    assert (PROJECT / log4j2).resolve() == session.LOG4J2


def test_a_spark_work_folder_with_a_space_is_refused_with_a_reason(tmp_path):
    with pytest.raises(ValueError, match="cannot have spaces"):
        session.session_settings(tmp_path / "with space")


def test_spark_is_never_started_by_the_notebook_the_book_executes():
    notebook = json.loads((PROJECT.parent / "court_timeliness_dbt.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert "spark" not in code.lower()
