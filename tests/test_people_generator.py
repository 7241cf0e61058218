"""The synthetic people generator: deterministic, its errors at the documented rates (measured
from the extracts themselves, against the true population), and the truth kept apart."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from people_linkage import names, people, prepare

pytestmark = (
    pytest.mark.slow
)  # generates populations to measure the generator's error rates (see the markers in pyproject.toml)

SIZE = 20_000  # about 27,000 records: enough to measure a 1.5 % rate to within a few tenths


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*.csv")):
        h.update(path.relative_to(folder).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def clean(name: str) -> str:
    """The standardising SQL's clean_name, for the true names."""
    return re.sub(r"\s+", " ", re.sub(r"\s*-\s*", "-", re.sub(r"[^a-z\- ]", "", name.lower()))).strip()


def one_edit_apart(a: str, b: str) -> bool:
    """One letter substituted, deleted or inserted, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def assert_rate(observed: int, eligible: int, rate: float, what: str) -> None:
    """Within 4.5 standard errors of the documented rate (a false alarm about 1 run in 150,000)."""
    assert eligible > 0, f"{what}: nothing to measure"
    share = observed / eligible
    tolerance = 4.5 * math.sqrt(rate * (1 - rate) / eligible)
    assert abs(share - rate) <= tolerance, f"{what}: {share:.4f} of {eligible:,}, documented {rate} (± {tolerance:.4f})"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A large population, its extracts as written and read back, standardised, beside the truth."""
    folder = tmp_path_factory.mktemp("people")
    generated = people.generate(SIZE)
    generated.write(folder)
    prepared = prepare.prepare(prepare.load_extracts(folder))
    frames = []
    for source in people.SOURCES:
        frame = prepared.people[source].merge(prepared.events[source], on="unique_id")
        frames.append(frame.assign(source=source))
    records = pd.concat(frames, ignore_index=True)
    truth = pd.read_csv(folder / "truth" / "records.csv", dtype=str, keep_default_na=False)
    population = pd.read_csv(folder / "truth" / "people.csv", dtype=str, keep_default_na=False)
    joined = records.merge(truth, left_on=["source", "unique_id"], right_on=["source", "record_id"], how="left")
    joined = joined.merge(population, on="person_id", how="left", suffixes=("", "_true"))
    return generated, folder, joined, population


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    people.generate(300, seed=1).write(tmp_path / "a")
    people.generate(300, seed=1).write(tmp_path / "b")
    people.generate(300, seed=2).write(tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")
    assert len(list((tmp_path / "a").rglob("*.csv"))) == 5  # three extracts, two truth tables


def test_every_record_is_in_the_truth_once_and_the_truth_is_kept_apart(made):
    generated, folder, joined, population = made
    assert joined["person_id"].notna().all(), "a record is missing from the truth"
    truth = generated.records
    assert len(truth) == sum(len(frame) for frame in generated.extracts.values()) == len(joined)
    assert not truth.duplicated(["source", "record_id"]).any()
    # One record per person in each system, and ids that say nothing about the person.
    assert not truth.duplicated(["source", "person_id"]).any()
    for source, frame in generated.extracts.items():
        assert list(frame.columns) == list(people.COLUMNS[source])
        assert not any("person" in c or "truth" in c for c in frame.columns)
        ids = frame[people.ID_COLUMNS[source]]
        assert ids.is_unique
        persons = truth[truth["source"] == source].set_index("record_id").loc[ids, "person_id"].astype(int)
        # Records are not listed in person order, nor in id order.
        assert abs(np.corrcoef(np.arange(len(persons)), persons)[0, 1]) < 0.05
        assert abs(np.corrcoef(ids.rank().to_numpy(), persons)[0, 1]) < 0.05
    extracts = {p.name for p in folder.glob("*.csv")}
    assert extracts == set(people.EXTRACT_FILES.values())
    assert {p.name for p in (folder / "truth").iterdir()} == {"people.csv", "records.csv"}


def test_systems_see_people_through_their_journeys(made):
    _, _, joined, _ = made
    sizes = joined["source"].value_counts()
    assert sizes["courts"] > sizes["probation"] > sizes["prison"] > 0.2 * SIZE
    courts = joined[joined["source"] == "courts"].set_index("person_id")
    prison = joined[joined["source"] == "prison"].set_index("person_id")
    custody = courts[courts["sentence"] == "Custody"]
    received = prison["reception_date"].reindex(custody.index)
    # Most people sentenced to custody are received into prison within weeks, never before.
    assert received.notna().mean() == pytest.approx(people.CUSTODY_RECEIVED, abs=0.03)
    delay = (received - custody["hearing_date"]).dt.days.dropna()
    assert delay.between(0, 42).all()
    acquitted = courts[courts["outcome"] != "Convicted"]
    assert (acquitted["sentence"].isna()).all()


@pytest.mark.parametrize("kind", list(people.NAME_ERRORS))
def test_each_name_error_is_in_the_data_at_its_rate(made, kind):
    _, _, joined, _ = made
    first, last = joined["first_name"].fillna(""), joined["last_name"].fillna("")
    true_first, true_last = joined["first_name_true"].map(clean), joined["last_name_true"].map(clean)
    other = joined["other_surname"].map(clean)
    has_nickname = joined["first_name_true"].isin(list(names.NICKNAMES))
    seen = {
        "nickname": pd.Series(
            [
                clean(f) in {clean(n) for n in names.NICKNAMES.get(t, ())}
                for f, t in zip(first, joined["first_name_true"], strict=True)
            ]
        )
        & (last == true_last),
        "initial_only": (first == true_first.str[0]) & (last == true_last),
        "first_name_typo": pd.Series([one_edit_apart(a, b) for a, b in zip(first, true_first, strict=True)])
        & (last == true_last),
        "last_name_typo": pd.Series([one_edit_apart(a, b) for a, b in zip(last, true_last, strict=True)])
        & (first == true_first),
        "names_swapped": (first == true_last) & (last == true_first),
        "hyphenated_surname": ((last == true_last + "-" + other) | (last == other + "-" + true_last))
        & (first == true_first),
        "changed_surname": (last == other) & (first == true_first),
    }[kind]
    flagged = joined["name_error"] == kind
    # The truth says what the data shows: every flagged record shows the error ...
    assert seen[flagged].all(), joined.loc[flagged & ~seen, ["first_name", "last_name", "first_name_true"]].head()
    # ... and records flagged with nothing show their true names (next test).
    eligible = has_nickname if kind == "nickname" else pd.Series(True, index=joined.index)
    assert_rate(int((seen & eligible & flagged).sum()), int(eligible.sum()), people.NAME_ERRORS[kind], kind)


def test_records_without_a_name_error_show_the_true_names(made):
    _, _, joined, _ = made
    clean_rows = joined[joined["name_error"] == ""]
    assert len(clean_rows) > 0.8 * len(joined)
    assert (clean_rows["first_name"] == clean_rows["first_name_true"].map(clean)).all()
    assert (clean_rows["last_name"] == clean_rows["last_name_true"].map(clean)).all()


def _iso_swapped(dob: pd.Series) -> pd.Series:
    return dob.str.slice(0, 5) + dob.str.slice(8, 10) + "-" + dob.str.slice(5, 7)


def test_dates_of_birth_swapped_and_mistyped_at_their_rates(made):
    _, _, joined, _ = made
    present = joined[joined["dob"].notna()]
    true = present["dob_true"]
    day, month = true.str.slice(8, 10).astype(int), true.str.slice(5, 7).astype(int)
    swappable = (day <= 12) & (day != month)
    swapped = (present["dob"] == _iso_swapped(true)) & (present["dob"] != true)
    assert (swapped == (present["dob_error"] == "dob_day_month_swapped")).all()
    assert_rate(
        int((swapped & swappable).sum()), int(swappable.sum()), people.DOB_ERRORS["dob_day_month_swapped"], "swap"
    )
    mistyped = pd.Series(
        [
            a != b and sum(x != y for x, y in zip(a, b, strict=True)) == 1
            for a, b in zip(present["dob"], true, strict=True)
        ],
        index=present.index,
    )
    assert (mistyped == (present["dob_error"] == "dob_typo")).all()
    assert_rate(int(mistyped.sum()), len(present), people.DOB_ERRORS["dob_typo"], "dob typo")
    unchanged = present["dob_error"] == ""
    assert (present.loc[unchanged, "dob"] == true[unchanged]).all()


def test_values_are_missing_at_each_systems_rates(made):
    _, _, joined, _ = made
    for source, rates in people.MISSING.items():
        rows = joined[joined["source"] == source]
        for field, rate in rates.items():
            blank = rows[field].isna()
            flagged = rows["missing"].str.split(";").apply(lambda m, f=field: f in m)
            if field == "pnc":  # a PNC number is also missing for people who have none
                assert (blank == (flagged | (rows["pnc_true"] == ""))).all()
                blank = flagged
            else:
                assert (blank == flagged).all(), f"{source} {field}"
            assert_rate(int(blank.sum()), len(rows), rate, f"{source} {field} missing")


def test_sex_recorded_wrongly_at_its_rate(made):
    _, _, joined, _ = made
    present = joined[joined["sex"].notna()]
    wrong = present["sex"] != present["sex_true"]
    assert (wrong == (present["sex_error"] == "sex_wrong")).all()
    assert_rate(int(wrong.sum()), len(present), people.SEX_WRONG, "sex wrong")


def test_people_who_moved_show_the_address_of_the_time(made):
    _, _, joined, population = made
    assert_rate(int((population["moved_on"] != "").sum()), len(population), people.POPULATION["moved"], "moved")
    moved = population[population["moved_on"] != ""]
    district = moved["postcode_before_move"].str.split(" ").str[0] == moved["postcode_after_move"].str.split(" ").str[0]
    assert_rate(int(district.sum()), len(moved), people.POPULATION["moves_nearby"], "moved nearby")
    event = joined["hearing_date"].fillna(joined["reception_date"]).fillna(joined["sentence_start_date"])
    moved_on = pd.to_datetime(joined["moved_on"].replace("", None))
    expected = np.where(
        moved_on.notna() & (event >= moved_on), joined["postcode_after_move"], joined["postcode_before_move"]
    )
    shown = joined["postcode"].notna()
    assert (joined.loc[shown, "postcode"] == expected[shown]).all()
    assert ((joined["address"] == "after move") == (moved_on.notna() & (event >= moved_on))).all()


def test_twins_share_surname_birthday_and_address_but_not_first_name(made):
    _, _, _, population = made
    twins = population[population["twin_of"] != "-1"]
    assert_rate(len(twins), len(population), people.POPULATION["twins"], "twins")
    pairs = twins.merge(population, left_on="twin_of", right_on="person_id", suffixes=("", "_twin"))
    assert len(pairs) == len(twins)  # each twin's twin is a twin of theirs
    assert (pairs["twin_of_twin"] == pairs["person_id"]).all()
    for column in ("last_name", "dob", "postcode_before_move", "postcode_after_move"):
        assert (pairs[column] == pairs[f"{column}_twin"]).all(), column
    assert (pairs["first_name"] != pairs["first_name_twin"]).all()


def test_many_people_share_common_names(made):
    _, _, _, population = made
    surnames = population["last_name"].value_counts(normalize=True)
    assert surnames.index[0] == "Smith"
    assert 0.015 < surnames.iloc[0] < 0.04  # about 1 in 40, as Smith is in England and Wales
    assert surnames.iloc[:10].sum() > 0.06
    assert surnames.size > 1_500  # and a long tail of rarer ones
    full = (population["first_name"] + " " + population["last_name"]).value_counts()
    assert full.iloc[0] >= 20, full.head()


def test_people_must_be_at_least_ten():
    with pytest.raises(ValueError, match="at least 10"):
        people.generate(3)
