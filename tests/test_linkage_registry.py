"""Sources are registered by name (people_linkage/sources/*.toml): a fourth source, or a data set
with the same kinds of fields, links with no code edit; a registration that cannot work is refused
with a message naming its file and the fix; a column blank everywhere never crashes training."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
from splink import DuckDBAPI

from people_linkage import evaluate, linkage, people, prepare, registry

FOURTH = """\
# Residents of approved premises: dates like 14.03.1985.
order = 4
file = "ap_residents.csv"
id = "resident_id"

[columns]
first_name = "given_name"
last_name = "family_name"
dob = "birth_date"
sex = "sex"
postcode = "previous_postcode"

[dates]
birth_date = "%d.%m.%Y"
arrival_date = "%d.%m.%Y"

[events]
arrival_date = "date"

[synthetic]
like = "probation"
share = 0.5
"""


def register(folder: Path, name: str, text: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return [registry.FOLDER, folder]


def test_the_three_systems_are_registered_in_order():
    sources = registry.load([registry.FOLDER])
    assert list(sources) == list(people.SOURCES)
    assert sources["courts"].first_word and sources["courts"].needs[0] == "defendant_id"
    # The generator writes to the registered contract: every column a registration needs.
    made = people.generate(60)
    for name, source in sources.items():
        assert set(source.needs) <= set(made.extracts[name].columns), name


def test_a_fourth_source_links_with_no_code_edit(tmp_path):
    """One TOML file registers it; the generator makes it, prepare reads it, the model links it, and
    the measurement knows whose each record is."""
    where = register(tmp_path / "sources", "approved_premises", FOURTH)
    sources = registry.load(where)
    assert list(sources)[-1] == "approved_premises"
    data = tmp_path / "data"
    people.generate(60, sources=sources).write(data)
    assert (data / "ap_residents.csv").is_file()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepared = prepare.prepare(prepare.load_extracts(data, sources), sources)
    fourth = prepared.people["approved_premises"]
    assert len(fourth) > 0 and list(fourth.columns) == list(linkage.INPUT_COLUMNS)
    assert fourth["pnc"].isna().all() and ("approved_premises", "pnc") in prepared.blank_columns
    assert any("no record holds a pnc (it has no such column)" in str(w.message) for w in caught)
    assert prepared.events["approved_premises"]["arrival_date"].notna().all()
    run = linkage.link_people(DuckDBAPI(), prepared.people, log_level=logging.ERROR)
    records, _ = evaluate.load_truth(data)
    labelled = evaluate.label(run.predictions.as_pandas_dataframe(), records)
    with_fourth = labelled[(labelled["source_r"] == "approved_premises") & (labelled["match_probability"] >= 0.5)]
    assert len(with_fourth) > 0 and with_fourth["is_match"].mean() > 0.9, with_fourth
    assert (labelled["source_l"] != "approved_premises").all()  # the registered order: last on the right


def test_the_sql_is_written_from_the_registration():
    sql = prepare.standardise_sql("courts")
    assert sql.startswith("-- Courts defendants")
    assert "clean_name(first_word(forenames)) as first_name" in sql
    assert "iso_date(date_of_birth, '%d/%m/%Y') as dob" in sql and sql.endswith("from courts")


def test_a_column_the_registration_leaves_out_is_blank(tmp_path):
    text = FOURTH.replace('postcode = "previous_postcode"\n', "")
    sql = prepare.standardise_sql("approved_premises", registry.load(register(tmp_path, "approved_premises", text)))
    assert "null::varchar as postcode,  -- not in this extract" in sql
    assert "null::varchar as pnc  -- not in this extract" in sql


def test_a_column_blank_in_every_source_does_not_crash_training():
    made = people.generate(40)
    blanked = {"courts": "address_postcode", "prison": "home_postcode", "probation": "postcode"}
    extracts = {name: frame.assign(**{blanked[name]: ""}) for name, frame in made.extracts.items()}
    with pytest.warns(prepare.InputWarning, match="no record holds a postcode"):
        prepared = prepare.prepare(extracts)
    run = linkage.link_people(DuckDBAPI(), prepared.people, log_level=logging.ERROR)
    assert len(run.predictions.as_pandas_dataframe()) > 0


BAD = [
    ("nonsense = 1\n" + FOURTH, "unknown key nonsense"),
    (FOURTH.replace('id = "resident_id"\n', ""), "it has no id"),
    (FOURTH.replace('first_name = "given_name"\n', ""), "[columns] has no first_name"),
    (FOURTH.replace('sex = "sex"', 'gender = "sex"'), "[columns] maps gender, which the model does not compare"),
    (FOURTH.replace('birth_date = "%d.%m.%Y"\n', ""), "the date of birth column birth_date has no format in [dates]"),
    (FOURTH.replace('arrival_date = "date"', 'arrival_date = "when"'), "[events] says arrival_date is 'when'"),
    (FOURTH.replace('like = "probation"', 'like = "police"'), "like 'police', which is not registered"),
    (FOURTH.replace('file = "ap_residents.csv"', 'file = "nomis_prisoners.csv"'), "prison reads nomis_prisoners.csv"),
    ("order = [", "this is not valid TOML"),
]


@pytest.mark.parametrize(("text", "problem"), BAD, ids=[problem for _, problem in BAD])
def test_a_registration_that_cannot_work_names_its_file(tmp_path, text, problem):
    with pytest.raises(registry.RegistryError) as raised:
        registry.load(register(tmp_path, "approved_premises", text))
    message = str(raised.value)
    assert message.startswith(str(tmp_path / "approved_premises.toml")) and problem in message, message


def test_a_registered_source_without_its_file_is_named(tmp_path):
    where = register(tmp_path / "sources", "approved_premises", FOURTH.replace("[synthetic]", "[other]"))
    with pytest.raises(registry.RegistryError, match="unknown key other"):
        registry.load(where)
    where = register(tmp_path / "sources", "approved_premises", FOURTH.split("[synthetic]")[0])
    people.generate(60).write(tmp_path / "data")
    with pytest.raises(prepare.SourceError, match=r"^approved_premises extract \(.*ap_residents.csv\): the file"):
        prepare.load_extracts(tmp_path / "data", registry.load(where))


def test_more_folders_come_from_the_environment(tmp_path, monkeypatch):
    register(tmp_path, "approved_premises", FOURTH)
    monkeypatch.setenv(registry.EXTRA_FOLDERS, str(tmp_path))
    assert list(registry.load()) == [*people.SOURCES, "approved_premises"]
    assert list(evaluate.source_order(["zz", "prison"])) == [*people.SOURCES, "approved_premises", "zz"]


def test_the_generator_makes_a_registered_source_without_changing_the_others(tmp_path):
    sources = registry.load(register(tmp_path, "approved_premises", FOURTH))
    plain, more = people.generate(300), people.generate(300, sources=sources)
    for name in people.SOURCES:
        assert more.extracts[name].equals(plain.extracts[name]), name  # its own random numbers
    fourth = more.extracts["approved_premises"]
    assert list(fourth.columns) == sources["approved_premises"].needs
    truth = more.records[more.records["source"] == "approved_premises"]
    assert truth["record_id"].tolist() == fourth["resident_id"].tolist() and fourth["resident_id"].is_unique
    on_probation = set(more.records.loc[more.records["source"] == "probation", "person_id"])
    assert set(truth["person_id"]) <= on_probation  # a share of the people on probation, as registered
    assert 0.35 < len(truth) / len(on_probation) < 0.65
    assert fourth["birth_date"].str.fullmatch(r"(\d{2}\.\d{2}\.\d{4})?").all()
