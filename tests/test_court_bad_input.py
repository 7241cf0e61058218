"""Malformed extract files: each is either refused whole, with an error that names
the file and the problem, or loaded with its bad rows quarantined one by one with a
reason. Nothing is dropped silently: every file that loads reconciles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import pytest

from court_cases_etl import extracts as gen
from court_cases_etl import pipeline as etl

pytestmark = (
    pytest.mark.slow
)  # loads planted bad files through the whole ETL pipeline (see the markers in pyproject.toml)

HEADER = ",".join(gen.COLUMNS)


def row(
    case_id="CASE-000001",
    court="C101",
    offence="theft",
    received="2024-01-02",
    completed="",
    outcome="",
    op="I",
    ts="2024-01-05T02:00:00Z",
) -> str:
    return ",".join([case_id, court, offence, received, completed, outcome, op, ts])


def lines(*rows: str, header: str = HEADER, end: str = "\n") -> bytes:
    return (end.join([header, *rows]) + end).encode("utf-8")


GOOD = row()
GOOD2 = row(case_id="CASE-000002", court="M201", offence="drugs")


@dataclass
class Loads:
    """Expected outcome of a file that loads: rows loaded, and quarantined rows by rule."""

    loaded: int
    rules: dict[str, int] = field(default_factory=dict)
    reason: str = ""  # a phrase that must appear in a quarantine reason


@dataclass
class Refused:
    """Expected outcome of a file refused whole: a phrase the error must contain."""

    problem: str


CASES = {
    "empty file": (b"", Refused("the file is empty")),
    "blank file": (b"\n\n", Refused("the file is empty")),
    "header only": (lines(), Loads(0)),
    "header only without a newline": (HEADER.encode(), Loads(0)),
    "missing column": (
        lines(header=HEADER.replace(",outcome", "")),
        Refused("missing column(s): outcome"),
    ),
    "extra column": (
        lines(header=HEADER + ",notes"),
        Refused("unexpected column(s): 'notes'"),
    ),
    "renamed column": (
        lines(header=HEADER.replace("court_code", "court")),
        Refused("Was court_code renamed to 'court'?"),
    ),
    "repeated column": (lines(header=HEADER + ",op"), Refused("repeated column(s): op")),
    "wrong delimiter": (
        (HEADER.replace(",", ";") + "\n" + GOOD.replace(",", ";") + "\n").encode(),
        Refused("separated by ';', not by commas"),
    ),
    "columns in another order": (
        (
            b"op,extraction_timestamp,case_id,court_code,offence_category,received_date,completed_date,outcome\n"
            b"I,2024-01-05T02:00:00Z,CASE-000001,C101,theft,2024-01-02,,\n"
        ),
        Loads(1),
    ),
    "byte-order mark": (b"\xef\xbb\xbf" + lines(GOOD, GOOD2), Loads(2)),
    "CRLF line ends": (lines(GOOD, GOOD2, end="\r\n"), Loads(2)),
    "bytes that are not UTF-8 in a row": (
        lines(GOOD).replace(b"theft", b"th\xe9ft") + lines(GOOD2, header="")[1:],
        Loads(1, {"malformed_line": 1}, "not UTF-8"),
    ),
    "bytes that are not UTF-8 in the header": (
        b"case_\xe9d" + lines(GOOD)[len("case_id") :],
        Refused("the header line is not UTF-8"),
    ),
    "quoted commas and newlines": (
        lines(
            row(offence='"Theft, shoplifting"'),
            row(case_id='"CASE-000002"', offence='"drugs\nsupply"'),
            row(case_id="CASE-000003", offence='"Criminal Damage"'),
        ),
        Loads(1, {"unknown_offence_category": 2}, "'drugs\nsupply' is not one of the agreed categories"),
    ),
    "UK date format": (
        lines(row(received="05/01/2024"), GOOD2),
        Loads(1, {"unparseable_date": 1}, "received_date '05/01/2024' is not an ISO date"),
    ),
    "other date formats": (
        lines(
            row(received="2024/01/02"),
            row(case_id="CASE-000002", received="2 January 2024"),
            row(case_id="CASE-000003", received="20240102"),
            row(case_id="CASE-000004", ts="05-01-2024 02:00"),
        ),
        Loads(0, {"unparseable_date": 4}, "extraction_timestamp '05-01-2024 02:00' is not like"),
    ),
    "impossible date": (
        lines(row(received="2024-02-30"), GOOD2),
        Loads(1, {"impossible_date": 1}, "received_date '2024-02-30' is not a real date"),
    ),
    "future date": (
        lines(row(received="2031-05-01"), row(case_id="CASE-000002", completed="2030-01-01", outcome="convicted")),
        Loads(0, {"future_date": 2}, "is after the extract was taken"),
    ),
    "completed before received": (
        lines(row(completed="2023-12-01", outcome="convicted")),
        Loads(0, {"completed_before_received": 1}, "completed_date 2023-12-01 is before received_date 2024-01-02"),
    ),
    "missing required value": (
        lines(row(court=""), row(case_id="CASE-000002", op="D", court="", offence="", received="")),
        Loads(1, {"missing_required": 1}, "required value missing: court_code"),
    ),
    "unknown court code": (
        lines(row(court="X999"), row(case_id="CASE-000002", court=" m201 ")),
        Loads(1, {"unknown_court": 1}, "court_code 'X999' is not in the court reference list"),
    ),
    "exact duplicate ids in one file": (
        lines(GOOD, GOOD2, GOOD),
        Loads(2, {"duplicate_in_file": 1}, "exact copy of row 1 in this file"),
    ),
    "conflicting duplicate ids in one file": (
        lines(GOOD, row(court="M201"), GOOD2),
        Loads(1, {"conflicting_in_file": 2}, "this file has different rows for CASE-000001"),
    ),
    "unknown op": (
        lines(row(op="X"), row(case_id="CASE-000002", op="u")),
        Loads(1, {"unknown_op": 1}, "op 'X' is not I (insert), U (update) or D (delete)"),
    ),
    "truncated last line": (
        lines(GOOD, GOOD2)[:-1] + b"\nCASE-000003,C101,the",
        Loads(2, {"malformed_line": 1}, "line 4: "),
    ),
    "too many values on a line": (
        lines(GOOD, GOOD + ",extra"),
        Loads(1, {"malformed_line": 1}, "too many values"),
    ),
    "unclosed quote": (
        lines(GOOD2) + b'CASE-000001,C101,"theft,2024-01-02,,,I,2024-01-05T02:00:00Z\n',
        Loads(1, {"malformed_line": 1}, "unterminated quote"),
    ),
    "over-long field": (
        lines(row(offence="x" * 500), GOOD2),
        Loads(1, {"field_too_long": 1}, "a value is 500 characters long"),
    ),
    "line over 2 MB": (
        lines(row(offence="x" * 3_000_000), GOOD2),
        Loads(1, {"malformed_line": 1}, "Maximum line size"),
    ),
    "invalid case id": (
        lines(row(case_id="12345"), GOOD2),
        Loads(1, {"invalid_case_id": 1}, "case_id '12345' is not like CASE-000123"),
    ),
    "outcome without completion": (
        lines(row(outcome="convicted"), row(case_id="CASE-000002", completed="2024-01-03", outcome="jailed")),
        Loads(0, {"incomplete_outcome": 1, "unknown_outcome": 1}, "outcome 'jailed' is not one of"),
    ),
    "blank lines between rows": (lines(GOOD, "", GOOD2), Loads(2)),
    # Line ends. DuckDB's reader takes LF, CRLF or CR alone, but one kind per file: on a mix it
    # stops with an error that names neither the file nor the line, so such a file is refused.
    "CR line ends (old Mac files)": (lines(GOOD, GOOD2, end="\r"), Loads(2)),
    "CR line ends without a last one": ((HEADER + "\r" + GOOD + "\r" + GOOD2).encode(), Loads(2)),
    "CR line ends with blank lines and a short line": (
        lines(GOOD, "", "CASE-000003,C101,the", "", GOOD2, end="\r"),
        Loads(2, {"malformed_line": 1}, "line 4: "),
    ),
    "CR line ends with a line break in a quoted value": (
        lines(row(offence='"drugs\nsupply"'), GOOD2, end="\r"),
        Loads(1, {"unknown_offence_category": 1}, "'drugs\nsupply' is not one of the agreed categories"),
    ),
    "CRLF line ends with a lone LF in a quoted value": (
        lines(row(offence='"drugs\nsupply"'), GOOD2, end="\r\n"),
        Loads(1, {"unknown_offence_category": 1}, "'drugs\nsupply'"),
    ),
    "LF line ends, then CRLF": (
        (HEADER + "\n" + GOOD + "\n" + GOOD2 + "\r\n").encode(),
        Refused("its lines end in more than one way: line 1 ends in LF (\\n) but line 3 in CRLF (\\r\\n)"),
    ),
    "CRLF line ends, then LF": (
        (HEADER + "\r\n" + GOOD + "\r\n" + GOOD2 + "\n").encode(),
        Refused("line 1 ends in CRLF (\\r\\n) but line 3 in LF (\\n)"),
    ),
    "CR line ends, then LF": (
        (HEADER + "\r" + GOOD + "\n" + GOOD2 + "\n").encode(),
        Refused("line 1 ends in CR alone (\\r) but line 2 in LF (\\n)"),
    ),
    "CR CR LF line ends (CRLF converted twice)": (
        lines(GOOD, GOOD2, end="\r\r\n"),
        Refused("line 1 ends in CR alone (\\r) but line 2 in CRLF (\\r\\n)"),
    ),
    "a carriage return inside an unquoted value": (
        lines(row(offence="th\reft"), GOOD2),
        Refused("line 1 ends in LF (\\n) but line 2 in CR alone (\\r)"),
    ),
    "mixed line ends in a quoted file": (
        (HEADER + "\n" + row(offence='"Theft"') + "\r\n" + GOOD2 + "\n").encode(),
        Refused("its lines end in more than one way"),
    ),
    "UTF-16": (lines(GOOD).decode().encode("utf-16"), Refused("the header line is not UTF-8")),
    # Dates that are real but implausible: DuckDB takes year 1 (and year 0, as 1 BC) as a real date.
    "received in year 1": (
        lines(row(received="0001-01-01"), GOOD2),
        Loads(
            1,
            {"date_out_of_range": 1},
            "received_date 0001-01-01 is outside the plausible dates, 1990-01-01 to 2100-01-01 "
            "(PLAUSIBLE_DATES in court_cases_etl/pipeline.py)",
        ),
    ),
    "received in year 0": (
        lines(row(received="0000-06-01"), GOOD2),
        Loads(1, {"date_out_of_range": 1}, "received_date 0000-06-01 is outside"),
    ),
    "a whole row in year 1": (
        lines(row(received="0001-01-01", completed="0001-01-02", outcome="convicted", ts="0001-01-05T02:00:00Z")),
        Loads(0, {"date_out_of_range": 1}, "received_date 0001-01-01 is outside"),
    ),
    "extraction time centuries ahead": (
        lines(
            row(ts="2999-06-01T02:00:00Z"), row(case_id="CASE-000002", received="2998-01-01", ts="2999-06-01T02:00:00Z")
        ),
        Loads(0, {"date_out_of_range": 2}, "extraction_timestamp 2999-06-01T02:00:00Z is outside"),
    ),
    "completed centuries ahead": (
        lines(row(completed="2150-01-01", outcome="convicted"), GOOD2),
        Loads(1, {"date_out_of_range": 1}, "completed_date 2150-01-01 is outside"),
    ),
    "dates on the edges of the plausible window": (
        lines(
            row(received="1990-01-01", ts="2099-12-31T23:59:59Z"),
            row(case_id="CASE-000002", received="1989-12-31"),
            row(case_id="CASE-000003", ts="2100-01-01T00:00:00Z"),
        ),
        Loads(1, {"date_out_of_range": 2}, "received_date 1989-12-31 is outside"),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name, tmp_path):
    content, expected = CASES[name]
    path = tmp_path / f"court_cases_{name.replace(' ', '_')}.csv"
    path.write_bytes(content)
    con = etl.connect()
    if isinstance(expected, Refused):
        with pytest.raises(etl.ExtractRejected) as caught:
            etl.load_file(con, path)
        message = str(caught.value)
        assert message.startswith(f"{path.name}: refused, ")
        assert expected.problem in message
        assert "Nothing from this file was loaded." in message
        etl.read_bronze(con)  # the bronze record: the raw files of the loads, read again
        for table in ("loads", "bronze_court_cases", "quarantine", "silver_court_cases"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] == 0
        return
    result = etl.load_file(con, path)
    assert result.status == "loaded"
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    # rows_read is counted from the file itself: every record the test wrote, and no more.
    assert result.rows_read == expected.loaded + sum(expected.rules.values())
    assert result.rows_loaded == expected.loaded
    rules = dict(con.execute("SELECT rule, count(*) FROM quarantine GROUP BY rule").fetchall())
    assert rules == expected.rules
    reasons = [r for (r,) in con.execute("SELECT reason FROM quarantine").fetchall()]
    assert all(reasons), "every quarantined row has a reason"
    if expected.reason:
        assert any(expected.reason in r for r in reasons), reasons


def test_bom_and_crlf_leave_no_trace_in_the_values(tmp_path):
    path = tmp_path / "bom_crlf.csv"
    path.write_bytes(b"\xef\xbb\xbf" + lines(GOOD, end="\r\n"))
    con = etl.connect()
    etl.load_file(con, path)
    etl.read_bronze(con)
    assert con.execute("SELECT case_id, op, extraction_timestamp FROM bronze_court_cases").fetchall() == [
        ("CASE-000001", "I", "2024-01-05T02:00:00Z")
    ]


def test_quoted_values_keep_their_commas_and_newlines(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_bytes(lines(row(offence='"Theft, shoplifting"'), row(case_id="CASE-000002", offence='"drugs\nsupply"')))
    con = etl.connect()
    etl.load_file(con, path)
    etl.read_bronze(con)
    assert con.execute("SELECT offence_category FROM bronze_court_cases ORDER BY row_number").fetchall() == [
        ("Theft, shoplifting",),
        ("drugs\nsupply",),
    ]


def test_row_numbers_are_positions_in_the_file(tmp_path):
    path = tmp_path / "positions.csv"
    ids = [f"CASE-{i:06d}" for i in range(1, 2001)]
    path.write_bytes(lines(*(row(case_id=i) for i in ids)))
    con = etl.connect()
    etl.load_file(con, path)
    etl.read_bronze(con)
    got = con.execute("SELECT row_number, case_id FROM bronze_court_cases ORDER BY row_number").fetchall()
    assert got == list(enumerate(ids, start=1))


def test_standardised_values_load(tmp_path):
    path = tmp_path / "messy.csv"
    path.write_bytes(lines(row(court=" c101 ", offence="Criminal Damage", op=" i ")))
    con = etl.connect()
    assert etl.load_file(con, path).rows_loaded == 1
    assert con.execute("SELECT court_code, offence_category, op FROM silver_court_cases").fetchall() == [
        ("C101", "criminal_damage", "I")
    ]


def test_a_missing_file_is_refused_by_name(tmp_path):
    with pytest.raises(etl.ExtractRejected, match=r"court_cases_2024-09-09.csv: refused, the file does not exist"):
        etl.load_file(etl.connect(), tmp_path / "court_cases_2024-09-09.csv")


def test_there_are_at_least_fifteen_bad_inputs():
    assert len(CASES) >= 15


def test_the_plausible_window_is_the_documented_constant(tmp_path, monkeypatch):
    """The rule reads PLAUSIBLE_DATES: move the window and the same row is judged by it."""
    path = tmp_path / "window.csv"
    path.write_bytes(lines(GOOD))
    assert etl.load_file(etl.connect(), path).rows_loaded == 1
    monkeypatch.setattr(etl, "PLAUSIBLE_DATES", (date(2024, 1, 3), date(2100, 1, 1)))
    con = etl.connect()
    assert etl.load_file(con, path).rows_loaded == 0
    assert con.execute("SELECT rule, reason FROM quarantine").fetchall() == [
        (
            "date_out_of_range",
            "received_date 2024-01-02 is outside the plausible dates, 2024-01-03 to 2100-01-01 "
            "(PLAUSIBLE_DATES in court_cases_etl/pipeline.py)",
        )
    ]


def test_no_date_outside_the_window_reaches_silver(tmp_path):
    path = tmp_path / "ancient.csv"
    path.write_bytes(lines(row(received="0001-01-01"), row(case_id="CASE-000002", received="1500-05-05"), GOOD2))
    con = etl.connect()
    etl.load_file(con, path)
    earliest, latest = etl.PLAUSIBLE_DATES
    outside = con.execute(
        "SELECT count(*) FROM silver_court_cases WHERE received_date < ? OR received_date >= ?", [earliest, latest]
    ).fetchall()[0][0]
    assert outside == 0
    assert etl.curated_state(con)["received_date"].min() >= pd.Timestamp(earliest)


def test_bronze_is_read_again_from_the_raw_files_and_refuses_one_that_changed(tmp_path):
    path = tmp_path / "day.csv"
    path.write_bytes(lines(GOOD, GOOD2))
    con = etl.connect()
    etl.load_file(con, path)
    assert etl.read_bronze(con).count("*").fetchall() == [(2,)]
    path.write_bytes(lines(GOOD))  # the raw file is the bronze record: it must not change
    with pytest.raises(etl.ExtractRejected, match="content changed since it was loaded as load 1"):
        etl.read_bronze(con)
    path.unlink()
    with pytest.raises(etl.ExtractRejected, match="does not exist"):
        etl.read_bronze(con)
