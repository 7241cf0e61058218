"""The court cases ETL pipeline: reconciliation, idempotency, order independence,
failure atomicity, SCD2 history, Parquet output, ensure_curated, and offline runs."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import ROOT
from court_cases_etl import extracts as gen
from court_cases_etl import pipeline as etl

EXAMPLE = ROOT / "notebooks" / "court_cases_etl"

TABLES = ("loads", "bronze_court_cases", "quarantine", "silver_court_cases", "curated_court_cases", "reconciliation")


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> gen.Manifest:
    return gen.generate_extracts(tmp_path_factory.mktemp("extracts"), cases=600, days=12)


@pytest.fixture(scope="module")
def loaded(extracts):
    """All extracts loaded once, in date order."""
    con = etl.connect()
    results = etl.load_files(con, extracts.paths())
    yield con, results
    con.close()


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}


# Reconciliation


def test_every_file_reconciles(loaded, extracts):
    con, results = loaded
    assert [r.status for r in results] == ["loaded"] * len(extracts.files)
    rec = con.execute("SELECT * FROM reconciliation ORDER BY load_id").df()
    assert list(rec["file_name"]) == extracts.files
    assert (rec["rows_read"] == rec["rows_loaded"] + rec["rows_quarantined"]).all()
    assert rec["balanced"].all()
    assert rec["rows_read"].sum() == extracts.rows
    # The counts come from the tables themselves, not from the reader.
    assert rec["rows_loaded"].sum() == counts(con)["silver_court_cases"]
    assert rec["rows_quarantined"].sum() == counts(con)["quarantine"]


def test_each_injected_defect_is_quarantined_under_its_rule(loaded, extracts):
    con, _ = loaded
    found = dict(con.execute("SELECT rule, count(*) FROM quarantine GROUP BY rule").fetchall())
    assert found == extracts.expected_quarantine()
    blank = con.execute("SELECT count(*) FROM quarantine WHERE coalesce(reason, '') = ''").fetchall()[0][0]
    assert blank == 0


def test_messy_values_are_standardised_not_rejected(loaded, extracts):
    con, _ = loaded
    assert extracts.messy_rows > 0
    bronze_messy = con.execute(
        "SELECT count(*) FROM bronze_court_cases WHERE court_code LIKE ' %' OR offence_category <> lower(offence_category)"
    ).fetchall()[0][0]
    assert bronze_messy == extracts.messy_rows
    silver_bad = con.execute(
        """SELECT count(*) FROM silver_court_cases
           WHERE court_code NOT IN (SELECT court_code FROM courts)
              OR offence_category NOT IN (SELECT offence_category FROM offence_categories)"""
    ).fetchall()[0][0]
    assert silver_bad == 0


def test_a_pipeline_that_loses_rows_is_rolled_back(extracts, monkeypatch):
    """If the SQL ever lost a row between bronze and silver, the load must fail, not pass quietly."""
    real_sql = etl.sql

    def losing_sql(step):
        text = real_sql(step)
        return text.replace("WHERE rule IS NULL", "WHERE rule IS NULL AND row_number > 1") if step == "silver" else text

    monkeypatch.setattr(etl, "sql", losing_sql)
    con = etl.connect()
    with pytest.raises(etl.ReconciliationError, match=extracts.files[0]):
        etl.load_file(con, extracts.paths()[0])
    assert all(n == 0 for n in counts(con).values())


# Idempotency and order


def test_loading_the_same_files_again_changes_nothing(loaded, extracts):
    con, _ = loaded
    before = counts(con)
    state = etl.curated_state(con)
    again = etl.load_files(con, extracts.paths())
    assert [r.status for r in again] == ["already loaded"] * len(extracts.files)
    assert counts(con) == before
    pd.testing.assert_frame_equal(etl.curated_state(con), state)


def test_out_of_order_and_repeated_loads_end_in_the_same_state(loaded, extracts):
    con, _ = loaded
    expected = etl.curated_state(con)
    paths = extracts.paths()
    shuffled = paths[:]
    random.Random(3).shuffle(shuffled)
    for order in (list(reversed(paths)), shuffled + paths[::2]):
        other = etl.connect()
        etl.load_files(other, order)
        pd.testing.assert_frame_equal(etl.curated_state(other), expected)
        assert counts(other) == counts(con)
        other.close()


def test_a_file_name_with_new_content_is_refused(tmp_path, extracts):
    con = etl.connect()
    path = tmp_path / extracts.files[0]
    shutil.copy(extracts.paths()[0], path)
    etl.load_file(con, path)
    before = counts(con)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("CASE-999999,C101,theft,2023-12-20,,,I,2024-01-01T02:00:00Z\n")
    with pytest.raises(etl.ExtractRejected, match=rf"{path.name}: refused, .*already loaded .* different content"):
        etl.load_file(con, path)
    assert counts(con) == before


# Failure in the middle of a load


@pytest.mark.parametrize("step", etl.LOAD_STEPS)
def test_a_failure_mid_load_leaves_the_previous_state(extracts, step):
    con = etl.connect()
    paths = extracts.paths()
    etl.load_files(con, paths[:6])
    before = counts(con)
    state = etl.curated_state(con)
    with pytest.raises(etl.InjectedFailure, match=step):
        etl.load_file(con, paths[6], fail_after=step)
    assert counts(con) == before
    pd.testing.assert_frame_equal(etl.curated_state(con), state)
    # The same file loads cleanly afterwards.
    assert etl.load_file(con, paths[6]).status == "loaded"
    assert counts(con)["loads"] == before["loads"] + 1
    con.close()


def test_a_refused_file_mid_batch_keeps_the_files_before_it_in_the_history(tmp_path, extracts):
    """load_files refreshes the history once per batch; a failure must not leave it behind silver."""
    paths = extracts.paths()
    broken = tmp_path / "court_cases_broken.csv"
    broken.write_text("case_id;court_code\n", encoding="utf-8")
    con = etl.connect()
    with pytest.raises(etl.ExtractRejected, match="court_cases_broken.csv"):
        etl.load_files(con, [*paths[:4], broken, *paths[4:]])
    expected = etl.connect()
    etl.load_files(expected, paths[:4])
    assert counts(con) == counts(expected)
    pd.testing.assert_frame_equal(etl.curated_state(con), etl.curated_state(expected))
    # Loading the rest later folds them in: the same history as one clean run.
    etl.load_files(con, paths)
    clean = etl.connect()
    etl.load_files(clean, paths)
    pd.testing.assert_frame_equal(etl.curated_state(con), etl.curated_state(clean))
    for c in (con, expected, clean):
        c.close()


def test_loads_left_out_of_the_history_are_folded_in_by_the_next_refresh(extracts):
    paths = extracts.paths()
    con = etl.connect()
    for path in paths[:3]:
        etl.load_file(con, path, refresh_curated=False)
    assert counts(con)["curated_court_cases"] == 0
    etl.load_file(con, paths[3])  # refreshes: all four loads are now in the history
    file_by_file = etl.connect()
    for path in paths[:4]:
        etl.load_file(file_by_file, path)  # the history refreshed after every file
    assert counts(file_by_file)["curated_court_cases"] > 0
    pd.testing.assert_frame_equal(etl.curated_state(con), etl.curated_state(file_by_file))
    con.close()
    file_by_file.close()


# Slowly changing dimension type 2


def test_scd2_invariants(loaded):
    con, _ = loaded
    problems = con.execute(
        """
        WITH v AS (
            SELECT *, lead(mojap_start_datetime) OVER (PARTITION BY case_id ORDER BY mojap_start_datetime) AS next_start
            FROM curated_court_cases
        ),
        last_event AS (
            SELECT case_id, arg_max(op, extraction_timestamp) AS op FROM silver_court_cases GROUP BY case_id
        )
        SELECT
            (SELECT count(*) - count(DISTINCT (case_id, mojap_start_datetime)) FROM curated_court_cases) AS dup_keys,
            (SELECT count(*) FROM v WHERE mojap_end_datetime <= mojap_start_datetime) AS empty_intervals,
            (SELECT count(*) FROM v WHERE next_start < mojap_end_datetime) AS overlaps,
            (SELECT count(*) FROM v WHERE mojap_current_record <> (mojap_end_datetime = TIMESTAMP '2999-01-01')) AS bad_flags,
            (SELECT count(*) FROM (SELECT case_id FROM curated_court_cases WHERE mojap_current_record
                                   GROUP BY case_id HAVING count(*) > 1)) AS two_current,
            (SELECT count(*) FROM last_event l WHERE l.op <> 'D' AND NOT EXISTS (
                SELECT 1 FROM curated_court_cases c WHERE c.case_id = l.case_id AND c.mojap_current_record)) AS live_without_current,
            (SELECT count(*) FROM last_event l WHERE l.op = 'D' AND EXISTS (
                SELECT 1 FROM curated_court_cases c WHERE c.case_id = l.case_id AND c.mojap_current_record)) AS deleted_with_current,
            (SELECT count(*) FROM curated_court_cases WHERE completed_date < received_date) AS backwards,
            (SELECT count(*) FROM curated_court_cases WHERE (completed_date IS NULL) <> (outcome IS NULL)) AS half_completed
        """
    ).df()
    assert problems.iloc[0].to_dict() == dict.fromkeys(problems.columns, 0)
    deleted = con.execute("SELECT count(*) FROM silver_court_cases WHERE op = 'D'").fetchall()[0][0]
    assert deleted > 0  # the invariant about deleted cases is really exercised


def test_history_of_one_case_follows_its_events(tmp_path):
    rows = [
        "CASE-000001,C101,theft,2024-01-01,,,I,2024-01-02T02:00:00Z",
        "CASE-000001,C101,theft,2024-01-01,,,U,2024-01-03T02:00:00Z",  # changes nothing: no new version
        "CASE-000001,M201,theft,2024-01-01,,,U,2024-01-04T02:00:00Z",  # moved court
        "CASE-000001,M201,theft,2024-01-01,2024-01-04,convicted,U,2024-01-05T02:00:00Z",  # completed
        "CASE-000002,C101,fraud,2024-01-01,,,I,2024-01-02T02:00:00Z",
        "CASE-000002,,,,,,D,2024-01-04T02:00:00Z",  # deleted
    ]
    path = tmp_path / "history.csv"
    path.write_text(",".join(gen.COLUMNS) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    con = etl.connect()
    etl.load_file(con, path)
    got = con.execute(
        """SELECT case_id, court_code, outcome, strftime(mojap_start_datetime, '%d'), strftime(mojap_end_datetime, '%Y-%m-%d'),
                  mojap_current_record FROM curated_court_cases ORDER BY 1, 4"""
    ).fetchall()
    assert got == [
        ("CASE-000001", "C101", None, "02", "2024-01-04", False),
        ("CASE-000001", "M201", None, "04", "2024-01-05", False),
        ("CASE-000001", "M201", "convicted", "05", "2999-01-01", True),
        ("CASE-000002", "C101", None, "02", "2024-01-04", False),
    ]


# Published Parquet and ensure_curated

CONTRACT = {
    "case_id": "VARCHAR",
    "court_code": "VARCHAR",
    "offence_category": "VARCHAR",
    "received_date": "DATE",
    "completed_date": "DATE",
    "outcome": "VARCHAR",
    "extraction_timestamp": "TIMESTAMP",
    "mojap_start_datetime": "TIMESTAMP",
    "mojap_end_datetime": "TIMESTAMP",
    "mojap_current_record": "BOOLEAN",
    "received_year": "INTEGER",
}


def read_curated(folder: Path) -> duckdb.DuckDBPyRelation:
    con = duckdb.connect()
    return con, con.sql(
        f"SELECT * FROM read_parquet('{folder}/court_cases/*/*.parquet', hive_partitioning = true, "
        "hive_types = {'received_year': INTEGER})"
    )


def test_publish_writes_hive_partitioned_parquet(loaded, tmp_path):
    con, _ = loaded
    curated = etl.publish(con, tmp_path, {"cases": 600})
    assert curated == tmp_path / "curated"
    parts = sorted(p.name for p in (curated / "court_cases").iterdir())
    assert parts and all(p.startswith("received_year=") for p in parts)
    reader, rel = read_curated(curated)
    assert dict(zip(rel.columns, map(str, rel.types), strict=True)) == CONTRACT
    assert rel.count("*").fetchall()[0][0] == counts(con)["curated_court_cases"]
    assert reader.sql("SELECT count(*) FROM rel WHERE received_year <> year(received_date)").fetchall()[0][0] == 0
    courts = pd.read_parquet(curated / "courts.parquet")
    assert list(courts.columns) == ["court_code", "court_name", "court_type", "region"]
    assert courts["court_code"].is_unique
    unknown = reader.sql(
        f"SELECT count(*) FROM rel WHERE court_code NOT IN (SELECT court_code FROM '{curated}/courts.parquet')"
    ).fetchall()[0][0]
    assert unknown == 0
    manifest = json.loads((curated / "_manifest.json").read_text())
    assert manifest["versions"] == counts(con)["curated_court_cases"] and manifest["cases"] == 600


def test_a_failed_publish_keeps_the_previous_output(loaded, tmp_path, monkeypatch):
    con, _ = loaded
    curated = etl.publish(con, tmp_path)
    before = sorted(str(p.relative_to(tmp_path)) for p in curated.rglob("*"))
    real_sql = etl.sql
    monkeypatch.setattr(etl, "sql", lambda step: "SELECT error('disk full')" if step == "publish" else real_sql(step))
    with pytest.raises(duckdb.Error, match="disk full"):
        etl.publish(con, tmp_path)
    assert sorted(str(p.relative_to(tmp_path)) for p in curated.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["curated"]  # no half-written folder left behind


def test_ensure_curated_builds_once_then_returns_at_once(tmp_path, monkeypatch):
    curated = etl.ensure_curated(tmp_path, cases=150)
    assert curated == tmp_path / "curated"
    reader, rel = read_curated(curated)
    assert dict(zip(rel.columns, map(str, rel.types), strict=True)) == CONTRACT
    cases = reader.sql("SELECT count(DISTINCT case_id) FROM rel").fetchall()[0][0]
    assert 100 < cases <= 150

    def must_not_run(*args, **kwargs):
        raise AssertionError("ensure_curated rebuilt output that was already complete")

    monkeypatch.setattr(etl, "run_pipeline", must_not_run)
    assert etl.ensure_curated(tmp_path, cases=150) == curated
    monkeypatch.undo()
    # Incomplete output (no manifest) or another size is rebuilt.
    (curated / "_manifest.json").unlink()
    etl.ensure_curated(tmp_path, cases=150)
    assert json.loads((curated / "_manifest.json").read_text())["cases"] == 150
    etl.ensure_curated(tmp_path, cases=120)
    assert json.loads((curated / "_manifest.json").read_text())["cases"] == 120


def test_ensure_curated_defaults_to_the_notebooks_output_folder():
    import inspect

    assert etl.DEFAULT_OUTPUT == ROOT / "notebooks" / "output" / "court_cases_etl"
    assert inspect.signature(etl.ensure_curated).parameters["output_dir"].default is None


def test_the_pipeline_runs_with_networking_switched_off(tmp_path):
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("`unshare` is not installed, so networking cannot be switched off for this test")
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"`unshare -n` is not permitted here (needs root or user namespaces): {probe.stderr.strip()}")
    code = (
        "import sys, socket;"
        "from court_cases_etl import ensure_curated;"
        "p = ensure_curated(__import__('pathlib').Path(sys.argv[1]), cases=200);"
        "s = socket.socket(); s.settimeout(2);"
        "blocked = s.connect_ex(('1.1.1.1', 443)) != 0;"
        "print('OFFLINE' if blocked else 'ONLINE', p)"
    )
    result = subprocess.run(
        [unshare, "-n", sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OFFLINE"), result.stdout
    assert (tmp_path / "curated" / "_manifest.json").is_file()


def test_the_notebook_publishes_the_size_that_ensure_curated_reuses():
    """The dbt notebook calls ensure_curated(); after the ETL notebook ran, it must not rebuild."""
    notebook = json.loads((EXAMPLE / "court_cases_etl.ipynb").read_text(encoding="utf-8"))
    params = next(c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    namespace: dict = {}
    exec("".join(params["source"]), namespace)  # the cell only assigns literals
    assert namespace["CASES"] == etl.DEFAULT_CASES
    assert namespace["DAYS"] == etl.DEFAULT_DAYS


def test_a_database_on_disk_works_within_the_memory_limit(tmp_path):
    con = etl.connect(tmp_path / "limited.duckdb")
    limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.close()
    number, unit = limit.split()
    assert unit in ("MiB", "GiB") and float(number) * (1024 if unit == "GiB" else 1) <= 1024, limit
