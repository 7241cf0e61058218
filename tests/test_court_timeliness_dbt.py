"""The court timeliness dbt project (notebooks/court_timeliness/) and its notebook.

One curated data set and one good `dbt build` per test session, in a temporary
folder; a copy of the data with planted bad rows gets one more build. Nothing is
written to the project folder itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from conftest import ROOT
from court_cases_etl import ensure_curated
from court_cases_etl import extracts as court_extracts
from court_timeliness_dbt import helpers

EXAMPLE = ROOT / "notebooks" / "court_timeliness_dbt"

PROJECT = helpers.PROJECT_DIR
BIN = Path(sys.executable).parent
CUSTOM_TESTS = {
    "assert_no_case_completes_before_received",
    "assert_one_current_record_per_case",
    "assert_case_versions_do_not_overlap",
}


# --- fixtures: one curated data set, one good build, one build on planted bad rows ---


@pytest.fixture(scope="session")
def curated(tmp_path_factory) -> Path:
    return ensure_curated(output_dir=tmp_path_factory.mktemp("curated_output"))


@pytest.fixture(scope="session")
def output_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dbt_output")


@pytest.fixture(scope="session")
def good_build(curated, output_dir):
    return helpers.run_dbt(["build"], curated, output_dir, name="good")


def plant_bad_rows(curated: Path, copy: Path) -> None:
    """Copy the curated data and add three cases, each breaking exactly one of the project's own tests."""
    shutil.copytree(curated, copy)
    cases = (curated / "court_cases" / "*" / "*.parquet").as_posix()
    template = duckdb.sql(
        f"select * exclude (received_year) from read_parquet('{cases}', hive_partitioning = true) "
        "where mojap_current_record and completed_date is not null order by case_id limit 1"
    ).df()
    first = template.iloc[0].to_dict()
    begins, forever, day = first["mojap_start_datetime"], first["mojap_end_datetime"], pd.Timedelta(days=1)
    rows = []

    def version(case_id, *, start, end, current, **changes):
        rows.append(
            first
            | {"case_id": case_id, "mojap_start_datetime": start, "mojap_end_datetime": end}
            | {"mojap_current_record": current}
            | changes
        )

    # 1. completed the day before it was received
    version("CASE-BAD001", start=begins, end=forever, current=True, completed_date=first["received_date"] - day)
    # 2. two current versions (they follow one another, so they do not overlap)
    version("CASE-BAD002", start=begins, end=begins + day, current=True)
    version("CASE-BAD002", start=begins + day, end=forever, current=True)
    # 3. two versions valid at the same moment (the first ends after the second begins)
    version("CASE-BAD003", start=begins, end=begins + 2 * day, current=False)
    version("CASE-BAD003", start=begins + day, end=forever, current=True)
    bad = pd.DataFrame(rows, columns=template.columns).astype(template.dtypes.to_dict())
    folder = copy / "court_cases" / f"received_year={first['received_date'].year}"
    bad.to_parquet(folder / "planted_bad_rows.parquet", index=False)


@pytest.fixture(scope="session")
def bad_data(curated, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("bad") / "curated"
    plant_bad_rows(curated, copy)
    return copy


@pytest.fixture(scope="session")
def bad_build(bad_data, output_dir):
    return helpers.run_dbt(["build"], bad_data, output_dir, name="bad")


@pytest.fixture(scope="session")
def manifest(good_build, output_dir) -> dict:
    return helpers.load_manifest(output_dir, name="good")


def project_nodes(manifest: dict, resource_type: str) -> dict[str, dict]:
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == resource_type and n["package_name"] == "court_timeliness"
    }


# --- building ---


def test_build_passes_on_good_data(good_build):
    table = helpers.results_table(good_build)
    assert good_build.success, helpers.failures(good_build)
    assert set(table["status"]) <= {"success", "pass"}, table[~table["status"].isin(["success", "pass"])]
    models = table[table["type"] == "model"]
    assert len(models) == 9 and len(table[table["type"] == "test"]) >= 50
    assert CUSTOM_TESTS <= set(table["node"])


def test_each_planted_bad_row_fails_its_test_by_name(bad_build):
    assert not bad_build.success
    failed = {f["name"]: f for f in helpers.failures(bad_build)}
    assert set(failed) == CUSTOM_TESTS, failed
    assert all(f["status"] == "fail" and f["failures"] >= 1 for f in failed.values())
    # Nothing downstream of the bad data is built.
    table = helpers.results_table(bad_build)
    skipped = set(table[table["status"] == "skipped"]["node"])
    assert {"fct_cases", "fct_court_quarter_timeliness", "int_court_cases__current"} <= skipped


def test_the_command_line_exits_with_failure_and_names_the_test(bad_build, bad_data, output_dir):
    """What a maintainer sees in a terminal or CI: exit status 1 and the test's name."""
    paths = helpers.dbt_paths(output_dir, "bad")
    env = {**os.environ, "DO_NOT_TRACK": "1", "COURT_TIMELINESS_DUCKDB": str(paths["database"])}
    command = [
        str(BIN / "dbt"),
        "test",
        "--select",
        "assert_no_case_completes_before_received",
        *helpers.dbt_flags(bad_data, paths),
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failure in test assert_no_case_completes_before_received" in result.stdout
    assert "Got 1 result" in result.stdout


def test_the_failing_rows_are_the_planted_ones(bad_build, output_dir):
    failed = {f["name"]: f for f in helpers.failures(bad_build)}
    database = helpers.dbt_paths(output_dir, "bad")["database"]
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.sql(failed["assert_no_case_completes_before_received"]["compiled_code"]).fetchall()
    assert [row[0] for row in rows] == ["CASE-BAD001"]


# --- documentation and conventions ---


def test_yaml_describes_every_model_and_column(manifest, output_dir):
    database = helpers.dbt_paths(output_dir, "good")["database"]
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


def test_names_follow_the_team_conventions(manifest, output_dir):
    prefixes = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_")}
    database = helpers.dbt_paths(output_dir, "good")["database"]
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


def test_lineage_alt_text_names_every_model_and_source(manifest):
    notebook = json.loads((EXAMPLE / "court_timeliness_dbt.ipynb").read_text(encoding="utf-8"))
    lineage = [c for c in notebook["cells"] if "draw_lineage" in "".join(c["source"])]
    alt = lineage[0]["metadata"]["mystnb"]["image"]["alt"]
    graph = helpers.lineage_graph(manifest)
    labels = {graph.nodes[n]["label"] for n in graph}
    assert len(labels) == 12  # 2 sources, 1 seed, 9 models (tests are not drawn)
    assert [label for label in sorted(labels) if label not in alt] == []


# --- linting, telemetry and where files go ---


def sqlfluff(project: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DO_NOT_TRACK": "1", "COURT_TIMELINESS_DUCKDB": str(tmp_path / "lint.duckdb")}
    command = [str(BIN / "sqlfluff"), "lint", "--disable-progress-bar", "--processes", "1", "models", "tests"]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)


def test_sqlfluff_finds_no_lint_errors(tmp_path):
    result = sqlfluff(PROJECT, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlfluff_fails_on_a_lint_error(tmp_path):
    """The lint test above can fail: the same lint on a copy with one upper-case keyword does."""
    copy = tmp_path / "court_timeliness"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns("target", "logs"))
    (copy / ".sqlfluff").write_text(
        (PROJECT / ".sqlfluff").read_text(encoding="utf-8").replace("../output/", str(tmp_path) + "/"),
        encoding="utf-8",
    )
    model = copy / "models" / "marts" / "dim_courts.sql"
    model.write_text(model.read_text(encoding="utf-8").replace("\nselect\n", "\nSELECT\n"), encoding="utf-8")
    result = sqlfluff(copy, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "dim_courts.sql" in result.stdout and "CP01" in result.stdout


def test_the_project_turns_telemetry_off_by_itself(tmp_path):
    """With no DO_NOT_TRACK in the environment, dbt_project.yml alone switches tracking off."""
    env = {k: v for k, v in os.environ.items() if k not in ("DO_NOT_TRACK", "DBT_SEND_ANONYMOUS_USAGE_STATS")}
    env["COURT_TIMELINESS_DUCKDB"] = str(tmp_path / "parse.duckdb")
    command = [str(BIN / "dbt"), "parse", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    command += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    log = (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "'send_anonymous_usage_stats': 'False'" in log
    assert "Sending event" not in log
    assert "'version_check': 'False'" in log


def test_dbt_writes_only_under_notebooks_output(good_build, output_dir):
    defaults = helpers.dbt_paths()
    assert all(path.is_relative_to(ROOT / "notebooks" / "output") for path in defaults.values())
    ours = helpers.dbt_paths(output_dir, "good")
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
