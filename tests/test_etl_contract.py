"""The extract's data contract (court_cases_etl/contract.toml) is declared once, apart from the
generator: the loader, the silver table and the checks follow from it, a new column flows from
the raw files to the curated Parquet by one block in it, and a contract that cannot work is
refused with an error naming the file, the line and the fix."""

from __future__ import annotations

import duckdb
import pytest

from court_cases_etl import contract, curated_files, extracts, pipeline, preflight

CONTRACT = contract.CONTRACT_FILE.read_text(encoding="utf-8")
AGE = """
[[column]]
name = "defendant_age"
type = "INTEGER"
description = "The defendant's age when the case was received."
synthetic = ["19", "42", "67", ""]
"""


@pytest.fixture
def contract_file(tmp_path, monkeypatch):
    """A copy of contract.toml that the pipeline and the generator use in its place."""
    path = tmp_path / "contract.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    monkeypatch.setattr(contract, "CONTRACT_FILE", path)
    return path


def test_the_contract_is_the_extracts_columns():
    assert contract.names() == extracts.COLUMNS
    silver = pipeline.connect().execute("DESCRIBE silver_court_cases").fetchall()
    typed = {name: kind for name, kind, *_ in silver}
    assert {c.name: typed[c.name] for c in contract.load()} == {c.name: c.type for c in contract.load()}


def test_a_new_column_flows_from_the_raw_files_to_the_curated_parquet(contract_file, tmp_path):
    contract_file.write_text(CONTRACT + AGE, encoding="utf-8")
    manifest = extracts.generate_extracts(tmp_path / "extracts", cases=120, days=3)
    header = manifest.paths()[0].read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",extraction_timestamp,defendant_age")
    assert preflight.read_header(manifest.paths()[0])[-1] == "defendant_age"
    con = pipeline.connect()
    results = pipeline.load_files(con, manifest.paths())
    assert all(r.status == "loaded" for r in results)
    found = dict(con.execute("SELECT rule, count(*) FROM quarantine GROUP BY rule").fetchall())
    assert found == manifest.expected_quarantine()  # the new column breaks no rule
    pipeline.read_bronze(con)
    assert con.execute("SELECT count(defendant_age) FROM bronze_court_cases").fetchall()[0][0] > 0
    curated = pipeline.publish(con, tmp_path / "out")
    reader = duckdb.connect()
    ages = reader.sql(
        f"SELECT typeof(defendant_age), count(DISTINCT defendant_age) FROM {curated_files.read_cases_sql(curated)} "
        "GROUP BY ALL"
    ).fetchall()
    assert ages == [("INTEGER", 3)]


def test_a_value_not_of_its_columns_type_is_quarantined_with_its_reason(contract_file, tmp_path):
    contract_file.write_text(CONTRACT + AGE, encoding="utf-8")
    path = tmp_path / "court_cases_2024-01-05.csv"
    header = ",".join(contract.names())
    good = "CASE-000001,M201,theft,2024-01-02,,,I,2024-01-05T02:00:00Z,"
    path.write_text(f"{header}\n{good}42\n{good.replace('01,', '02,', 1)}forty\n", encoding="utf-8")
    con = pipeline.connect()
    (result,) = pipeline.load_files(con, [path])
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert con.execute("SELECT rule, reason FROM quarantine").fetchall() == [
        ("wrong_type", "defendant_age 'forty' is not a INTEGER")
    ]


def test_a_new_column_leaves_every_other_value_as_it_was(contract_file, tmp_path):
    before = extracts.generate_extracts(tmp_path / "before", cases=150, days=3)
    contract_file.write_text(CONTRACT + AGE, encoding="utf-8")
    after = extracts.generate_extracts(tmp_path / "after", cases=150, days=3)
    for old, new in zip(before.paths(), after.paths(), strict=True):
        trimmed = [line.rsplit(",", 1)[0] for line in new.read_text(encoding="utf-8").splitlines()]
        assert trimmed == old.read_text(encoding="utf-8").splitlines()
    deletes = [line for path in after.paths() for line in path.read_text().splitlines() if ",D," in line]
    assert deletes and all(line.endswith(",") for line in deletes)  # a delete sends only the key


def test_a_database_made_for_other_columns_is_not_reused(contract_file, tmp_path):
    path = tmp_path / "courts.duckdb"
    pipeline.connect(path).close()
    contract_file.write_text(CONTRACT + AGE, encoding="utf-8")
    with pytest.raises(RuntimeError, match="made for the columns case_id, .* now has .*defendant_age. Delete it"):
        pipeline.connect(path)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda t: t + AGE.replace('type = "INTEGER"\n', ""), "the column has no type. Fix: add type"),
        (lambda t: t + AGE.replace("INTEGER", "NUMBERISH"), "defendant_age: DuckDB has no type 'NUMBERISH'"),
        (lambda t: t + AGE.replace("defendant_age", "court_code"), "court_code is declared twice (also at line 24)"),
        (lambda t: t + AGE.replace("description", "notes_about"), "unknown field(s) notes_about"),
        (
            lambda t: t + AGE.replace('type = "INTEGER"', 'type = "INTEGER"\nstandardise = "upper"'),
            "standardise = 'upper' is not possible for a INTEGER column",
        ),
        (lambda t: t + AGE.replace("defendant_age", "row_number"), "'row_number' cannot be a column name here"),
        (lambda t: t.replace('name = "op"', 'name = "operation"'), "the column op is missing"),
        (lambda t: t + AGE.replace('["19"', '["19'), "it is not valid TOML"),
    ],
)
def test_a_contract_that_cannot_work_is_named_with_its_line_and_fix(contract_file, change, says):
    contract_file.write_text(change(CONTRACT), encoding="utf-8")
    with pytest.raises(contract.ContractError) as raised:
        pipeline.connect()
    message = str(raised.value)
    assert says in message and message.startswith("contract.toml") and "Fix:" in message, message
    if "line" in says or "type" in says or "field" in says or "standardise" in says or "cannot be" in says:
        assert message.startswith(f"contract.toml, line {CONTRACT.count(chr(10)) + 2}: "), message
