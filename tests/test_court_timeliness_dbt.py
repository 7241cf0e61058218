"""The court timeliness dbt project (notebooks/court_timeliness_dbt/court_timeliness/) on DuckDB.

One curated data set and one good `dbt build` per test session, in a temporary
folder; a copy of the data with planted bad rows gets one more build (the fixtures,
shared with the Spark tests, are in court_timeliness_fixtures.py). Nothing is
written to the project folder itself.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import ROOT
from court_cases_etl import curated_files
from court_cases_etl import extracts as court_extracts
from court_timeliness_dbt import dbt_run, lineage, planted, run_results
from court_timeliness_marts import BROKEN_MARTS_SELECTION, MARTS, broken_marts_failures, broken_marts_sql

pytestmark = pytest.mark.slow  # see the markers in pyproject.toml

EXAMPLE = ROOT / "notebooks" / "court_timeliness_dbt"

PROJECT = dbt_run.PROJECT_DIR
BIN = Path(sys.executable).parent
PLANTED_TESTS = set(planted.PLANTED_PROBLEMS.values())
CUSTOM_TESTS = PLANTED_TESTS | {"assert_marts_reconcile_with_the_source"}


@pytest.fixture(scope="session")
def manifest(good_build, dbt_output) -> dict:
    return lineage.load_manifest(dbt_output, name="good")


@pytest.fixture(scope="session")
def broken_marts_test(good_build, curated, dbt_output):
    """`dbt test` of the row-count, key and reconciliation tests on broken copies of the good
    marts: four empty, and the timeliness mart with one key twice."""
    good = dbt_run.dbt_paths(dbt_output, "good")["database"]
    broken = dbt_run.dbt_paths(dbt_output, "broken_marts")["database"]
    broken.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(broken)) as con:
        con.execute(f"attach '{good}' as good_source (read_only)")
        for statement in broken_marts_sql("good_source.main", "main"):
            con.execute(statement)
    return dbt_run.run_dbt(["test", "--select", *BROKEN_MARTS_SELECTION], curated, dbt_output, name="broken_marts")


def project_nodes(manifest: dict, resource_type: str) -> dict[str, dict]:
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == resource_type and n["package_name"] == "court_timeliness"
    }


# --- building ---


def test_build_passes_on_good_data(good_build, dbt_output, curated_counts):
    table = run_results.results_table(good_build)
    assert good_build.success, run_results.failures(good_build)
    assert set(table["status"]) <= {"success", "pass"}, table[~table["status"].isin(["success", "pass"])]
    models = table[table["type"] == "model"]
    assert len(models) == 9 and len(table[table["type"] == "test"]) >= 50
    assert CUSTOM_TESTS <= set(table["node"])
    # Green means right only if the marts hold what the curated data says, counted without dbt.
    with duckdb.connect(str(dbt_run.dbt_paths(dbt_output, "good")["database"]), read_only=True) as con:
        cases, completed = con.sql("select count(*), count(*) filter (is_completed) from fct_cases").fetchall()[0]
        in_timeliness = con.sql("select sum(completed_case_count) from fct_court_quarter_timeliness").fetchall()[0][0]
    assert (cases, completed, in_timeliness) == (
        curated_counts["live_cases"],
        curated_counts["completed_cases"],
        curated_counts["completed_cases"],
    )
    assert cases > 9000


def test_every_mart_has_a_row_count_test(manifest):
    """So that "every test passed" can never again mean "every mart was empty"."""
    guarded = {
        node["attached_node"].rsplit(".", 1)[-1]
        for node in manifest["nodes"].values()
        if (node.get("test_metadata") or {}).get("name") == "has_rows"
    }
    marts = {n for n, m in project_nodes(manifest, "model").items() if "/marts/" in m["original_file_path"]}
    assert marts == set(MARTS)
    assert guarded >= marts


def test_row_count_key_and_reconciliation_tests_fail_on_broken_marts(broken_marts_test, manifest):
    assert not broken_marts_test.success
    failed = {f["name"] for f in run_results.failures(broken_marts_test)}
    assert failed == broken_marts_failures(manifest)
    passed = set(run_results.results_table(broken_marts_test).query("status == 'pass'")["node"])
    assert passed == {"has_rows_fct_court_quarter_timeliness_"}  # it holds two rows


def test_each_planted_bad_row_fails_its_test_by_name(bad_build):
    assert not bad_build.success
    failed = {f["name"]: f for f in run_results.failures(bad_build)}
    assert set(failed) == PLANTED_TESTS, failed
    assert all(f["status"] == "fail" and f["failures"] >= 1 for f in failed.values())
    # Nothing downstream of the bad data is built.
    table = run_results.results_table(bad_build)
    skipped = set(table[table["status"] == "skipped"]["node"])
    assert {"fct_cases", "fct_court_quarter_timeliness", "int_court_cases__current"} <= skipped


def test_the_planted_rows_have_the_curated_files_column_types(bad_data):
    """A Parquet folder whose files disagree on a column's type reads on DuckDB (it casts) but
    not on Spark (it refuses the file): the planted rows must be typed as the ETL writes them."""

    def types(path: Path) -> list[tuple]:
        return duckdb.sql(f"select name, type, converted_type, logical_type from parquet_schema('{path}')").fetchall()

    planted_files = sorted(curated_files.cases_folder(bad_data).glob(f"*/{planted.PLANTED_FILE}"))
    written_by_etl = sorted(
        p for p in curated_files.cases_folder(bad_data).glob("*/*.parquet") if p.name != planted.PLANTED_FILE
    )
    assert len(planted_files) == 1 and written_by_etl
    assert types(planted_files[0]) == types(written_by_etl[0])


def test_planting_an_unknown_problem_is_refused_with_the_known_ones(curated, tmp_path):
    with pytest.raises(ValueError, match="completes_before_received"):
        planted.plant_bad_rows(curated, tmp_path / "copy", ["no_such_problem"])


def test_the_command_line_exits_with_failure_and_names_the_test(bad_build, bad_data, dbt_output):
    """What a maintainer sees in a terminal or CI: exit status 1 and the test's name."""
    paths = dbt_run.dbt_paths(dbt_output, "bad")
    env = {**os.environ, "DO_NOT_TRACK": "1", **dbt_run.dbt_env(paths)}
    command = [
        str(BIN / "dbt"),
        "test",
        "--select",
        "assert_no_case_completes_before_received",
        *dbt_run.dbt_flags(bad_data, paths),
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failure in test assert_no_case_completes_before_received" in result.stdout
    assert "Got 1 result" in result.stdout


def test_the_failing_rows_are_the_planted_ones(bad_build, dbt_output):
    failed = {f["name"]: f for f in run_results.failures(bad_build)}
    database = dbt_run.dbt_paths(dbt_output, "bad")["database"]
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.sql(failed["assert_no_case_completes_before_received"]["compiled_code"]).fetchall()
    assert [row[0] for row in rows] == ["CASE-BAD001"]


# --- documentation and conventions ---


def test_yaml_describes_every_model_and_column(manifest, dbt_output):
    database = dbt_run.dbt_paths(dbt_output, "good")["database"]
    problems = []
    with duckdb.connect(str(database), read_only=True) as con:
        for kind in ("model", "seed"):
            for name, node in project_nodes(manifest, kind).items():
                if not node["description"].strip():
                    problems.append(f"{node['original_file_path']}: {kind} {name} has no description")
                built = {r[0] for r in con.execute(f"describe {node['relation_name']}").fetchall()}
                described = {c for c, v in node["columns"].items() if v["description"].strip()}
                if built - described:
                    problems.append(f"{name}: columns not described in YAML: {sorted(built - described)}")
                if set(node["columns"]) - built:
                    problems.append(
                        f"{name}: YAML describes columns it does not have: {sorted(set(node['columns']) - built)}"
                    )
    assert problems == []


def test_names_follow_the_team_conventions(manifest, dbt_output):
    prefixes = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_")}
    database = dbt_run.dbt_paths(dbt_output, "good")["database"]
    problems = []
    with duckdb.connect(str(database), read_only=True) as con:
        for name, node in project_nodes(manifest, "model").items():
            layer = Path(node["original_file_path"]).parts[1]
            if not name.startswith(prefixes[layer]):
                problems.append(f"{node['original_file_path']}: a {layer} model's name starts {prefixes[layer]}")
            for column, kind in con.execute(
                f"select column_name, column_type from (describe {node['relation_name']})"
            ).fetchall():
                if not re.fullmatch(r"[a-z][a-z0-9_]*", column):
                    problems.append(f"{name}.{column}: not lowercase snake_case")
                if kind == "BOOLEAN" and not column.startswith(("is_", "has_")):
                    problems.append(f"{name}.{column}: a boolean starts is_ or has_")
                if kind.startswith("TIMESTAMP") and not column.endswith("_at"):
                    problems.append(f"{name}.{column}: a timestamp ends _at")
    assert problems == []


AGGREGATES = r"\b(count|sum|avg|min|max|median|quantile\w*|percentile\w*|approx_\w+|string_agg|array_agg|list)\s*\("


def staging_problems(sql: str) -> list[str]:
    """Why a staging model's compiled SQL breaks the rule "no joins, no aggregations"."""
    code = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S).lower()
    code = re.sub(r"'[^']*'", "''", code)
    found = []
    if re.search(r"\bjoin\b", code):
        found.append("join")
    if re.search(r"\bgroup\s+by\b|\bdistinct\b|\bover\s*\(", code) or re.search(AGGREGATES, code):
        found.append("aggregation")
    if re.search(r"\bunion\b", code):
        found.append("union")
    return found


def test_the_staging_check_catches_joins_and_aggregations():
    assert staging_problems("select a from t inner join u on t.id = u.id") == ["join"]
    assert staging_problems("select a, count(*) from t group by a") == ["aggregation"]
    assert staging_problems("select cast(a as varchar) as a_b from t -- no join here") == []


def test_staging_models_have_no_joins_or_aggregations(manifest):
    staging = {n: m for n, m in project_nodes(manifest, "model").items() if "/staging/" in m["original_file_path"]}
    assert len(staging) == 2
    problems = {name: staging_problems(node["compiled_code"]) for name, node in staging.items()}
    assert problems == {name: [] for name in staging}


def test_value_lists_match_the_contract():
    yml = yaml.safe_load((PROJECT / "models" / "staging" / "_staging__models.yml").read_text(encoding="utf-8"))
    cases = next(m for m in yml["models"] if m["name"] == "stg_curated__court_cases")
    accepted = {
        column["name"]: test["accepted_values"]["arguments"]["values"]
        for column in cases["columns"]
        for test in column.get("data_tests", [])
        if isinstance(test, dict) and "accepted_values" in test
    }
    assert accepted["offence_category"] == list(court_extracts.OFFENCE_CATEGORIES)
    assert accepted["outcome"] == list(court_extracts.OUTCOMES)
    seed = (PROJECT / "seeds" / "offence_categories.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [line.split(",")[0] for line in seed] == list(court_extracts.OFFENCE_CATEGORIES)


def test_the_lineage_chart_of_the_project_shows_every_model_and_crosses_no_box(manifest):
    """The chart of the real manifest: every source, seed and model a box, every dependency a
    line that crosses no other box, and the alt text (made in the notebook by describe_lineage,
    from the same graph) names each of them. tests/test_lineage_geometry.py checks the drawing
    on made-up manifests, and that its checks find a line through a box."""
    from test_lineage_geometry import crossings, drawn

    graph = lineage.lineage_graph(manifest)
    labels = {graph.nodes[n]["label"] for n in graph}
    assert len(labels) == 12  # 2 sources, 1 seed, 9 models (tests are not drawn)
    fig = lineage.draw_lineage(graph)
    boxes, lines, _ = drawn(fig)
    assert set(boxes) == set(graph.nodes) and set(lines) == set(graph.edges)
    assert crossings(fig) == []
    alt = lineage.describe_lineage(graph)
    assert [label for label in sorted(labels) if label not in alt] == []
    arrows = alt.split("show what each feeds: ")[1].removesuffix(".").split("; ")
    for parent, child in graph.edges:
        feeds = next(part for part in arrows if part.startswith(f"{graph.nodes[parent]['label']} feeds "))
        assert graph.nodes[child]["label"] in feeds
    notebook = json.loads((EXAMPLE / "court_timeliness_dbt.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if "draw_lineage" in "".join(c["source"]))
    assert "describe_lineage(graph, layout)" in "".join(cell["source"]) and "mystnb" not in cell["metadata"]


# --- telemetry and where files go (SQLFluff: tests/test_precommit.py) ---


def test_the_project_turns_telemetry_off_by_itself(good_build, dbt_output):
    """The good build ran with no DO_NOT_TRACK in the environment: dbt_project.yml alone switched
    tracking and the version check off, and dbt sent nothing."""
    log = (dbt_run.dbt_paths(dbt_output, "good")["logs"] / "dbt.log").read_text(encoding="utf-8")
    assert "'send_anonymous_usage_stats': 'False'" in log
    assert "'version_check': 'False'" in log
    assert "Sending event" not in log


def test_dbt_writes_only_under_notebooks_output(good_build, dbt_output):
    defaults = [path for path in dbt_run.dbt_paths().values() if isinstance(path, Path)]
    defaults.append(dbt_run.SPARK_DIR)
    assert all(path.is_relative_to(ROOT / "notebooks" / "output") for path in defaults)
    ours = dbt_run.dbt_paths(dbt_output, "good")
    assert (ours["target"] / "manifest.json").is_file() and (ours["logs"] / "dbt.log").is_file()
    assert ours["database"].is_file()
    # The project folder gets no target/, logs/, database or tracking cookie (.user.yml) of its own.
    assert [
        p.name
        for p in PROJECT.iterdir()
        if p.name in ("target", "logs", "dbt_packages", ".user.yml") or p.suffix == ".duckdb"
    ] == []
    profile = yaml.safe_load((PROJECT / "profiles.yml").read_text(encoding="utf-8"))["court_timeliness"]
    assert profile["target"] == "duckdb"
    # The defaults for a run by hand from the project folder resolve under notebooks/output/ too.
    database = re.search(r"env_var\('\w+', '([^']+)'\)", profile["outputs"]["duckdb"]["path"]).group(1)
    sqlfluff_target = re.search(r"^target_path = (.+)$", (PROJECT / ".sqlfluff").read_text(encoding="utf-8"), re.M)
    curated = yaml.safe_load((PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]["curated_dir"]
    for relative in (database, sqlfluff_target.group(1), curated):
        assert (PROJECT / relative).resolve().is_relative_to(ROOT / "notebooks" / "output"), relative


def test_the_athena_target_is_configured_from_the_environment():
    athena = yaml.safe_load((PROJECT / "profiles.yml").read_text(encoding="utf-8"))["court_timeliness"]["outputs"][
        "athena"
    ]
    assert athena["type"] == "athena"
    for key, variable in {
        "s3_staging_dir": "DBT_ATHENA_S3_STAGING_DIR",
        "region_name": "DBT_ATHENA_REGION",
        "schema": "DBT_ATHENA_SCHEMA",
        "database": "DBT_ATHENA_DATABASE",
        "work_group": "DBT_ATHENA_WORK_GROUP",
    }.items():
        assert f"env_var('{variable}'" in athena[key], key
