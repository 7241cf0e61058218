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
from court_cases_etl import curated_files
from court_cases_etl import extracts as gen
from court_cases_etl import pipeline as etl
from local_spark.offline import offline_command

EXAMPLE = ROOT / "notebooks" / "court_cases_etl"


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


counts = etl.table_counts  # the notebook counts the tables the same way


# Reconciliation


def test_every_file_reconciles(loaded, extracts):
    con, results = loaded
    assert [r.status for r in results] == ["loaded"] * len(extracts.files)
    rec = con.execute("SELECT * FROM reconciliation ORDER BY load_id").df()
    assert list(rec["file_name"]) == extracts.files
    assert (rec["rows_read"] == rec["rows_loaded"] + rec["rows_quarantined"]).all()
    assert (rec["rows_read"] == rec["rows_landed"]).all()
    assert rec["balanced"].all()
    assert rec["rows_read"].sum() == extracts.rows
    # The counts come from the tables themselves, and rows_read from the files (counted before DuckDB read them).
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
    etl.read_bronze(con)  # the raw files, read again as they were loaded
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
    """If the SQL ever lost a row between bronze and silver, the batch must fail, not pass quietly."""
    real_sql = etl.sql

    def losing_sql(step):
        text = real_sql(step)
        lose = text.replace("USING (load_id, row_number);", "USING (load_id, row_number) WHERE row_number > 1;")
        assert lose != text or step != "silver"
        return lose if step == "silver" else text

    monkeypatch.setattr(etl, "sql", losing_sql)
    con = etl.connect()
    with pytest.raises(etl.ReconciliationError, match=extracts.files[0]) as caught:
        etl.load_files(con, extracts.paths()[:3])
    assert "rolled back" in str(caught.value)
    assert all(n == 0 for n in counts(con).values())


# Rows read, counted independently


def plant_silent_skip(monkeypatch, condition: str) -> None:
    """Make DuckDB's reading of the files drop rows without a word: those for which `condition` holds."""
    real_sql = etl.sql

    def skipping_sql(step):
        text = real_sql(step)
        if step != "land":
            return text
        planted = text.replace(");\n\nINSERT INTO malformed", f")\nWHERE NOT ({condition});\n\nINSERT INTO malformed")
        assert planted != text, "land.sql changed: plant the skip where the rows are landed"
        return planted

    monkeypatch.setattr(etl, "sql", skipping_sql)


def test_a_row_the_reader_skips_without_a_word_is_caught_and_its_file_refused(extracts, monkeypatch):
    """rows_read is counted from the file by another reader, so a row DuckDB dropped cannot balance."""
    paths = extracts.paths()[:4]
    victim = gen.COLUMNS[0]  # case_id
    first_case = next(line.split(",")[0] for line in paths[2].read_text().splitlines()[1:])
    plant_silent_skip(monkeypatch, f"{victim} = '{first_case}' AND filename LIKE '%{paths[2].name}'")
    con = etl.connect()
    results = etl.load_files(con, paths)
    assert [r.status for r in results] == ["loaded", "loaded", "refused", "loaded"]
    message = str(results[2].error)
    assert message.startswith(f"{paths[2].name}: refused, the file holds ")
    assert "so 1 would be lost without a word" in message and "Nothing from this file was loaded." in message
    assert con.execute("SELECT file_name FROM loads ORDER BY load_id").fetchall() == [
        (p.name,) for p in (paths[0], paths[1], paths[3])
    ]
    rec = con.execute("SELECT bool_and(balanced), sum(rows_read) FROM reconciliation").fetchall()[0]
    assert rec == (True, sum(etl.preflight.inspect(p).records for p in (paths[0], paths[1], paths[3])))
    con.close()


def test_a_file_the_batch_read_left_short_is_read_again_on_its_own(extracts, monkeypatch):
    """The skip happens only when several files are read at once; read alone, the file is whole and loads."""
    paths = extracts.paths()[:4]
    plant_silent_skip(monkeypatch, f"len(getvariable('land_files')) > 1 AND filename LIKE '%{paths[1].name}'")
    reads = []
    real_land_files = etl._land_files

    def counting_land_files(con, files, *args):
        reads.append(len(files))
        return real_land_files(con, files, *args)

    monkeypatch.setattr(etl, "_land_files", counting_land_files)
    con = etl.connect()
    results = etl.load_files(con, paths)
    assert [r.status for r in results] == ["loaded"] * 4
    assert reads == [4, 1]  # the batch, then the short file alone
    monkeypatch.undo()
    clean = etl.connect()
    etl.load_files(clean, paths)
    assert counts(con) == counts(clean)
    for c in (con, clean):
        c.close()


def test_duckdbs_multi_file_reader_dropping_a_broken_last_line_loses_nothing(tmp_path):
    """DuckDB 1.5 drops a last line with an unclosed quote, without a word, when it reads it after four or
    more other files in one read_csv. The pipeline notices (the file's records were counted), reads the file
    again on its own, and loads it whole: the broken line is quarantined, not lost."""
    header = ",".join(gen.COLUMNS)
    good = "CASE-{:06d},C101,theft,2023-12-30,,,I,2024-01-0{}T02:00:00Z"
    paths = []
    for day in range(1, 5):
        paths.append(tmp_path / f"court_cases_2024-01-0{day}.csv")
        paths[-1].write_text(f"{header}\n{good.format(day, day)}\n", encoding="utf-8")
    broken = tmp_path / "court_cases_2024-01-05.csv"
    broken.write_text(f'{header}\n{good.format(5, 5)}\nCASE-000006,C101,"theft,2024-01-02,,,I,2024-01-05T02:00:00Z\n')
    con = etl.connect()
    results = etl.load_files(con, [*paths, broken])
    assert [r.status for r in results] == ["loaded"] * 5
    assert (results[-1].rows_read, results[-1].rows_loaded, results[-1].rows_quarantined) == (2, 1, 1)
    assert con.execute("SELECT rule, line_number FROM quarantine").fetchall() == [("malformed_line", 3)]


def test_a_row_lost_between_landing_and_validation_rolls_the_batch_back(extracts, monkeypatch):
    """Reconciliation compares the rows judged with the count taken from the files, not with what was judged."""
    real_sql = etl.sql

    def losing_sql(step):
        text = real_sql(step)
        if step != "validate":
            return text
        planted = text.replace(
            "INNER JOIN batch_loads ON batch_loads.file_number = landing.file_number;",
            "INNER JOIN batch_loads ON batch_loads.file_number = landing.file_number\n"
            "WHERE landing.rowid <> (SELECT min(rowid) FROM landing);",
        )
        assert planted != text, "validate.sql changed: plant the loss where the landed rows are taken"
        return planted

    monkeypatch.setattr(etl, "sql", losing_sql)
    con = etl.connect()
    with pytest.raises(etl.ReconciliationError, match=rf"{extracts.files[0]}: \d+ rows read, \d+ landed"):
        etl.load_files(con, extracts.paths()[:2])
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
    """A batch is one transaction: a failure after any step leaves every table as it was."""
    con = etl.connect()
    paths = extracts.paths()
    etl.load_files(con, paths[:6])
    before = counts(con)
    state = etl.curated_state(con)
    with pytest.raises(etl.InjectedFailure, match=step):
        etl.load_files(con, paths[6:], fail_after=step)
    assert counts(con) == before
    pd.testing.assert_frame_equal(etl.curated_state(con), state)
    # The same files load cleanly afterwards.
    assert {r.status for r in etl.load_files(con, paths[6:])} == {"loaded"}
    assert counts(con)["loads"] == before["loads"] + len(paths[6:])
    con.close()


def test_a_file_refused_whole_changes_nothing_while_the_others_of_its_batch_load(tmp_path, extracts):
    paths = extracts.paths()
    broken = tmp_path / "court_cases_broken.csv"
    broken.write_text("case_id;court_code\n", encoding="utf-8")
    con = etl.connect()
    results = etl.load_files(con, [*paths[:4], broken, *paths[4:]])
    assert [r.status for r in results] == ["loaded"] * 4 + ["refused"] + ["loaded"] * (len(paths) - 4)
    refused = results[4]
    assert refused.file_name == broken.name and isinstance(refused.error, etl.ExtractRejected)
    assert str(refused.error).startswith("court_cases_broken.csv: refused, the header is separated by ';'")
    clean = etl.connect()
    etl.load_files(clean, paths)
    assert counts(con) == counts(clean)
    pd.testing.assert_frame_equal(etl.curated_state(con), etl.curated_state(clean))
    # load_file, for one file, raises the refusal.
    with pytest.raises(etl.ExtractRejected, match="court_cases_broken.csv: refused"):
        etl.load_file(con, broken)
    assert counts(con) == counts(clean)
    for c in (con, clean):
        c.close()


def test_loading_in_one_batch_or_file_by_file_ends_in_the_same_state(loaded, extracts):
    """Set-based loading of a batch gives what loading its files one at a time gives, quarantine and all."""
    con, _ = loaded
    one_by_one = etl.connect()
    for path in extracts.paths():
        etl.load_file(one_by_one, path)
    assert counts(one_by_one) == counts(con)
    pd.testing.assert_frame_equal(etl.curated_state(one_by_one), etl.curated_state(con))
    query = "SELECT * EXCLUDE (load_id) FROM quarantine ORDER BY file_name, row_number, line_number"
    pd.testing.assert_frame_equal(one_by_one.execute(query).df(), con.execute(query).df())
    one_by_one.close()


def test_the_curated_history_is_never_behind_silver(extracts):
    """The history is a view over silver's events, so there is nothing to refresh."""
    con = etl.connect()
    etl.load_files(con, extracts.paths()[:3])
    versions = counts(con)["curated_court_cases"]
    assert versions > 0
    etl.load_files(con, extracts.paths()[3:])
    assert counts(con)["curated_court_cases"] > versions
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'curated_court_cases'")
    assert kind.fetchall() == [("VIEW",)]
    con.close()


def test_a_database_made_by_another_version_is_not_reused(tmp_path):
    path = tmp_path / "old.duckdb"
    etl.connect(path).close()
    duckdb.connect(str(path)).execute("UPDATE pipeline_schema SET version = 1").close()
    with pytest.raises(RuntimeError, match=r"old.duckdb: this database was made by another version .* Delete it"):
        etl.connect(path)


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


def read_curated(folder: Path) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyRelation]:
    con = duckdb.connect()
    return con, con.sql(f"SELECT * FROM {curated_files.read_cases_sql(folder)}")


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


def test_a_publish_writes_again_only_the_years_where_a_case_changed(extracts, tmp_path):
    """A daily publish: the years no load changed keep their very files; the output is the full one."""
    con = etl.connect()
    etl.load_files(con, extracts.paths())
    first = etl.publish(con, tmp_path / "out")
    years = sorted(int(p.name.split("=")[1]) for p in (first / "court_cases").iterdir())
    assert len(years) >= 2, "the test needs cases received in two years or more"
    files_before = {p.relative_to(first): p.stat().st_ino for p in first.glob("court_cases/*/*.parquet")}
    # One new case, received in the latest year, in a file of its own.
    day = tmp_path / "court_cases_2099-01-01.csv"
    columns = dict.fromkeys(gen.COLUMNS, "")
    columns.update(case_id="CASE-999999", court_code=gen.courts_frame().court_code[0], offence_category=gen.OFFENCE_CATEGORIES[0],
                   received_date=f"{years[-1]}-06-01", op="I", extraction_timestamp=f"{years[-1]}-12-31T02:00:00Z")  # fmt: skip
    day.write_text(",".join(columns) + "\n" + ",".join(columns.values()) + "\n", encoding="utf-8")
    assert etl.load_file(con, day).rows_loaded == 1
    second = etl.publish(con, tmp_path / "out")
    manifest = json.loads((second / "_manifest.json").read_text())
    assert (manifest["years_written"], manifest["years_kept"]) == ([years[-1]], years[:-1])
    for path, inode in files_before.items():
        if not str(path).startswith(f"court_cases/received_year={years[-1]}/"):
            assert (second / path).stat().st_ino == inode, f"{path} was written again"
    full = etl.publish(con, tmp_path / "full")  # no earlier output there: every year is written
    assert json.loads((full / "_manifest.json").read_text())["years_kept"] == []
    reader = duckdb.connect()
    for left, right in ((second, full), (full, second)):
        extra = reader.sql(
            f"SELECT count(*) FROM (FROM {curated_files.read_cases_sql(left)} "
            f"EXCEPT ALL FROM {curated_files.read_cases_sql(right)})"
        ).fetchall()[0][0]
        assert extra == 0
    assert manifest["versions"] == counts(con)["curated_court_cases"]
    assert reader.sql(
        f"SELECT count(*) FROM {curated_files.read_cases_sql(second)} WHERE case_id = 'CASE-999999'"
    ).fetchall() == [(1,)]


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
    prefix, reason = offline_command()
    if prefix is None:
        pytest.skip(f"networking cannot be switched off for this test: {reason}")
    code = (
        "import sys, socket;"
        "from court_cases_etl import ensure_curated;"
        "p = ensure_curated(__import__('pathlib').Path(sys.argv[1]), cases=200);"
        "s = socket.socket(); s.settimeout(2);"
        "blocked = s.connect_ex(('1.1.1.1', 443)) != 0;"
        "print('OFFLINE' if blocked else 'ONLINE', p)"
    )
    result = subprocess.run(
        [*prefix, sys.executable, "-c", code, str(tmp_path)],
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
    exec("".join(params["source"]), namespace)  # the cell imports the pipeline and assigns
    assert (namespace["CASES"], namespace["SEED"]) == etl.default_size() == (etl.DEFAULT_CASES, gen.SEED)
    assert namespace["DAYS"] == etl.DEFAULT_DAYS


def test_a_database_on_disk_works_within_the_memory_limit(tmp_path):
    con = etl.connect(tmp_path / "limited.duckdb")
    limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.close()
    number, unit = limit.split()
    assert unit in ("MiB", "GiB") and float(number) * (1024 if unit == "GiB" else 1) <= 1024, limit
