"""Bad extracts are refused whole, with an error that names the source, the file and the
problem, and says what to do; good extracts are standardised with nothing lost."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from people_linkage import linkage, people, prepare


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("good")
    people.generate(200).write(folder)
    return folder


@pytest.fixture
def folder(good, tmp_path) -> Path:
    """A fresh copy of the good extracts, to spoil one of."""
    for path in good.glob("*.csv"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    return tmp_path


def spoil(folder: Path, source: str, change) -> Path:
    path = folder / people.EXTRACT_FILES[source]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame).to_csv(path, index=False, lineterminator="\n")
    return path


def refused(folder: Path, source: str, *phrases: str) -> str:
    with pytest.raises(prepare.SourceError) as raised:
        prepare.prepare(prepare.load_extracts(folder))
    message = str(raised.value)
    assert raised.value.source == source
    assert message.startswith(f"{source} extract ("), message
    assert str(folder / people.EXTRACT_FILES[source]) in message, message
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in: {message}"
    return message


def test_good_extracts_are_standardised_with_nothing_lost(good):
    extracts = prepare.load_extracts(good)
    prepared = prepare.prepare(extracts)
    for source, (frame, _) in extracts.items():
        standard = prepared.people[source]
        assert list(standard.columns) == list(linkage.INPUT_COLUMNS)
        assert len(standard) == len(frame) == len(prepared.events[source]) > 0
        assert list(standard["unique_id"]) == list(frame[people.ID_COLUMNS[source]])  # same records, same order
        assert (standard["source_dataset"] == source).all()
        assert standard["first_name"].str.fullmatch(r"[a-z][a-z\- ]*").all()
        assert standard["dob"].dropna().str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
        assert standard["postcode"].dropna().str.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}").all()
        assert standard["pnc"].dropna().str.fullmatch(r"\d{4}/\d{7}[A-Z]").all()
        assert set(standard["sex"].dropna()) == {"M", "F"}
        # Every value that was there is still there.
        dob = next(c for c in people.DATE_FORMATS[source] if "birth" in c)
        assert standard["dob"].notna().sum() == (frame[dob] != "").sum()


def test_the_conventions_of_each_system_are_undone(tmp_path):
    """One person, written by each system its own way, comes out the same from all three."""
    row = {
        "courts": {
            "defendant_id": "D1",
            "forenames": "SEAN PATRICK",
            "surname": "O'Brien - Smith",
            "date_of_birth": "14/03/1985",
            "gender": "M",
            "address_postcode": "ls164bt",
            "pnc_id": "09/123456X",
        },
        "prison": {
            "prisoner_number": "A1234BC",
            "first_name": "SEAN",
            "last_name": "OBRIEN-SMITH",
            "birth_date": "1985-03-14",
            "sex_code": "M",
            "home_postcode": "LS16 4BT",
            "pnc_number": "2009/0123456X",
        },
        "probation": {
            "crn": "X123456",
            "first_name": " Sean ",
            "surname": "O'Brien-Smith",
            "date_of_birth": "14-MAR-1985",
            "gender": "Male",
            "postcode": "LS16  4BT",
            "pnc_number": "2009/0123456X",
        },
    }
    extracts = {s: pd.DataFrame([{c: row[s].get(c, "") for c in people.COLUMNS[s]}]) for s in people.SOURCES}
    prepared = prepare.prepare(extracts)
    seen = {tuple(prepared.people[s].drop(columns=["unique_id", "source_dataset"]).iloc[0]) for s in people.SOURCES}
    assert seen == {("sean", "obrien-smith", "1985-03-14", "M", "LS16 4BT", "2009/0123456X")}


CLEANING = [
    ("clean_name(' O''Brien - Smith ')", "obrien-smith"),
    ("clean_name('MC  DONALD')", "mc donald"),
    ("clean_name(' - ')", None),
    ("clean_name('')", None),
    ("clean_name(null)", None),
    ("first_word('  Sean Patrick')", "Sean"),
    ("clean_postcode('ls164bt')", "LS16 4BT"),
    ("clean_postcode(' m1  1aa ')", "M1 1AA"),
    ("clean_postcode('NFA')", None),
    ("clean_postcode('LS16')", None),
    ("clean_postcode(null)", None),
    ("clean_pnc('09/123456X')", "2009/0123456X"),
    ("clean_pnc('98/12X')", "1998/0000012X"),
    ("clean_pnc(' 2001/0123456z ')", "2001/0123456Z"),
    ("clean_pnc('2001/12345678X')", None),
    ("clean_pnc('unknown')", None),
    ("clean_pnc('')", None),
    ("iso_date('14-MAR-1985', '%d-%b-%Y')", "1985-03-14"),
    ("iso_date('14/03/1985', '%d/%m/%Y')", "1985-03-14"),
    ("iso_date(' ', '%d/%m/%Y')", None),
]


@pytest.mark.parametrize(("expression", "expected"), CLEANING)
def test_each_cleaning_rule(expression, expected):
    con = prepare._connect()
    assert con.sql(f"select {expression}").fetchall()[0][0] == expected


def test_a_missing_column_is_named(folder):
    spoil(folder, "prison", lambda f: f.drop(columns=["birth_date"]))
    message = refused(folder, "prison", "missing column birth_date", "needs all of: prisoner_number")
    assert "birth_date" in message


def test_two_missing_columns_are_both_named(folder):
    spoil(folder, "probation", lambda f: f.drop(columns=["crn", "surname"]))
    refused(folder, "probation", "missing columns crn, surname")


def test_an_extract_with_no_rows(folder):
    spoil(folder, "courts", lambda f: f.iloc[0:0])
    refused(folder, "courts", "it has no rows", "Check that the export ran")


def test_an_empty_file(folder):
    (folder / people.EXTRACT_FILES["probation"]).write_bytes(b"")
    refused(folder, "probation", "the file is empty", "no header row")


def test_a_file_that_is_not_there(folder):
    (folder / people.EXTRACT_FILES["prison"]).unlink()
    refused(folder, "prison", "the file does not exist")


def prepared_with_warnings(folder: Path) -> tuple[prepare.Prepared, list[str]]:
    with pytest.warns(prepare.InputWarning) as caught:
        prepared = prepare.prepare(prepare.load_extracts(folder))
    return prepared, [str(w.message) for w in caught if issubclass(w.category, prepare.InputWarning)]


def test_dates_that_are_not_dates_are_left_blank_and_counted(folder):
    """An unreadable date does not refuse the source: it is blanked, and counted per source and column."""

    def change(frame):
        frame.loc[3, "date_of_birth"] = "31/02/1990"  # no such day
        frame.loc[7, "date_of_birth"] = "1990-02-01"  # another system's format
        frame.loc[9, "hearing_date"] = "TBC"
        return frame

    path = spoil(folder, "courts", change)
    before = pd.read_csv(path, dtype=str, keep_default_na=False)
    prepared, said = prepared_with_warnings(folder)
    courts = prepared.people["courts"]
    assert len(courts) == len(before)  # every record still there
    assert courts["dob"].iloc[[3, 7]].isna().all()
    readable = (before["date_of_birth"] != "") & ~before.index.isin([3, 7])
    assert courts["dob"][readable].notna().all()  # every other date of birth kept
    assert pd.isna(prepared.events["courts"]["hearing_date"].iloc[9])
    counted = prepared.unreadable_dates.set_index(["source", "column"])
    assert counted.loc[("courts", "date_of_birth"), "values"] == 2
    assert counted.loc[("courts", "date_of_birth"), "rows"] == "row 4 (line 5), row 8 (line 9)"
    assert counted.loc[("courts", "hearing_date"), "values"] == 1
    assert len(counted) == 2
    message = next(m for m in said if "date_of_birth" in m)
    assert message.startswith(
        f"courts extract ({path}): 2 values in date_of_birth are not a date written like 14/03/1985"
    )
    assert "'31/02/1990' on row 4 (line 5), row 8 (line 9): left blank" in message


def test_a_bad_date_in_another_column_and_format(folder):
    spoil(
        folder,
        "probation",
        lambda f: f.assign(sentence_start_date=f["sentence_start_date"].where(f.index != 0, "2021-07-07")),
    )
    prepared, said = prepared_with_warnings(folder)
    assert prepared.unreadable_dates[["source", "column", "values", "format"]].values.tolist() == [
        ["probation", "sentence_start_date", 1, "14-MAR-1985"]
    ]
    assert any("1 value in sentence_start_date is not a date written like 14-MAR-1985" in m for m in said)


def test_good_extracts_have_nothing_unreadable(good):
    prepared = prepare.prepare(prepare.load_extracts(good))
    assert prepared.unreadable_dates.empty and prepared.blank_columns == []


def test_duplicate_source_ids(folder):
    def change(frame):
        frame.loc[5, "crn"] = frame.loc[2, "crn"]
        return frame

    frame = pd.read_csv(folder / people.EXTRACT_FILES["probation"], dtype=str, keep_default_na=False)
    duplicated = frame.loc[2, "crn"]
    spoil(folder, "probation", change)
    refused(
        folder,
        "probation",
        f"1 crn value is used more than once, such as '{duplicated}' on row 3 (line 4), row 6 (line 7)",
    )


def test_a_record_without_an_id(folder):
    spoil(folder, "prison", lambda f: f.assign(prisoner_number=f["prisoner_number"].where(f.index != 4, " ")))
    refused(folder, "prison", "1 record has no prisoner_number: row 5 (line 6)")


def test_many_bad_rows_are_counted_not_all_listed(folder):
    spoil(folder, "prison", lambda f: f.assign(reception_date="soon"))
    prepared, said = prepared_with_warnings(folder)
    row = prepared.unreadable_dates.iloc[0]
    assert row["values"] == len(prepared.people["prison"]) and row["rows"].count("row ") == prepare.SHOW_ROWS
    assert " more" in row["rows"] and prepared.events["prison"]["reception_date"].isna().all()


def test_a_column_blank_in_a_whole_source_is_text_with_a_warning(folder):
    """A column blank in every record must stay text: DuckDB reads a column of nulls as a number,
    and Splink's postcode comparison then fails (regexp_extract(INTEGER, ...))."""
    spoil(folder, "prison", lambda f: f.assign(home_postcode=" "))
    prepared, said = prepared_with_warnings(folder)
    assert prepared.blank_columns == [("prison", "postcode")]
    assert any(m.startswith("prison extract (") and "no record holds a postcode" in m for m in said), said
    prison = prepared.people["prison"]  # noqa: F841 (DuckDB reads it by its name)
    assert duckdb.sql("select postcode from prison").types == ["VARCHAR"]


def test_in_memory_frames_are_checked_too(good):
    extracts = {s: frame for s, (frame, _) in prepare.load_extracts(good).items()}
    extracts["courts"] = extracts["courts"].drop(columns=["surname"])
    with pytest.raises(prepare.SourceError, match=r"^courts extract \(in memory\): missing column surname"):
        prepare.prepare(extracts)
