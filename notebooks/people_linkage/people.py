"""Synthetic people seen by three justice systems, with the truth kept apart.

A seeded, deterministic generator: the same arguments always make the same data. It
makes one population of people, then three extracts that see it differently, as the
real systems do:

- ``courts``: defendants in criminal cases heard in 2022 and 2023, one row per
  defendant, with the outcome and sentence (a Common Platform-like extract);
- ``prison``: people received into prison, one row per prisoner (NOMIS-like);
- ``probation``: people supervised by the Probation Service (nDelius-like).

Another source registered with a ``[synthetic]`` table (``registry``, ``sources/``) gets an
extract too: a share of the people of the system it is ``like``, each seen some days
later, with that system's errors and blanks and the columns its registration names.

Each extract has its own identifier (``defendant_id``, ``prisoner_number``, ``crn``),
its own column names and its own conventions for names, dates, sex and identifiers.
People move between systems as they do in life: most people sentenced to custody are
received into prison within weeks, many are supervised on licence after release,
people given a community sentence are supervised by probation, and a few of them
breach it and go to prison later. Others appear in prison or probation for cases the
courts extract does not cover.

The truth (who each record really is) goes to a separate folder, ``truth/``: the
population (``people.csv``) and, for every record, its person and what was done to it
(``records.csv``). The linkage never reads it; only the measurement at the end does.

What makes linkage hard
-----------------------
Every record starts as a faithful copy of its person. Then, independently for each
record, at most one thing happens to its name and at most one to its date of birth,
drawn at these rates (``NAME_ERRORS``, ``DOB_ERRORS``):

=====================  ======  ==========================================================
error                  rate    what the record shows
=====================  ======  ==========================================================
nickname               15 %    a nickname (Bob for Robert); of records whose first name
                               has one (about 1 in 3 records)
initial_only           2 %     only the first initial of the first name
first_name_typo        3 %     the first name with one letter wrong, missing, added or
                               two letters swapped
last_name_typo         3 %     the surname with such a typo
names_swapped          1.5 %   first name and surname swapped
hyphenated_surname     2 %     the surname joined to the person's other surname
changed_surname        3 %     the person's other surname (after marriage, or an alias)
dob_day_month_swapped  20 %    day and month swapped; of records whose day is 12 or less
                               and differs from the month (about 1 in 3 records)
dob_typo               1.5 %   one digit of the date of birth wrong (still a valid date)
=====================  ======  ==========================================================

Half a per cent of records show the other sex (``SEX_WRONG``).

Values are missing at rates that differ by system (``MISSING``): the courts rarely hold
a Police National Computer (PNC) number, and often no postcode for people of no fixed
abode. Across the population (``POPULATION``): a quarter of people move house once
during the period, and each record shows the address its system held at the time;
3 % of people are twins, who share a surname, date of birth and address (and a third
of twin pairs are a boy and a girl); and names
follow a Zipf-like distribution, so a few names (John Smith) are shared by many
people.
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import example_output
from example_output import output_folder

from . import names, registry

OUTPUT_DIR = output_folder("people_linkage")  # git-ignored
SEED = 20260101
PEOPLE = 6_000  # the default population; about 8,300 records in the three extracts

SOURCES = ("courts", "prison", "probation")  # the systems the generator models; others are registered
TRUTH_FOLDER = "truth"  # beside the extracts, never read by the model

# The columns of each extract, in order.
COLUMNS = {
    "courts": (
        "defendant_id",
        "case_reference",
        "forenames",
        "surname",
        "date_of_birth",
        "gender",
        "address_postcode",
        "pnc_id",
        "offence_category",
        "hearing_date",
        "outcome",
        "sentence",
    ),
    "prison": (
        "prisoner_number",
        "booking_id",
        "first_name",
        "middle_names",
        "last_name",
        "birth_date",
        "sex_code",
        "pnc_number",
        "reception_date",
        "establishment_code",
        "home_postcode",
    ),
    "probation": (
        "crn",
        "first_name",
        "second_name",
        "surname",
        "date_of_birth",
        "gender",
        "postcode",
        "pnc_number",
        "sentence_start_date",
        "supervision_type",
    ),
}
# Where each system's extract goes, its identifier and how it writes dates: as each source's
# registration says (registry, sources/<name>.toml), the data contract the generator writes to.
_REGISTERED = registry.load([registry.FOLDER])
EXTRACT_FILES = {source: _REGISTERED[source].file for source in SOURCES}
ID_COLUMNS = {source: _REGISTERED[source].id for source in SOURCES}
DATE_FORMATS = {source: dict(_REGISTERED[source].dates) for source in SOURCES}

NAME_ERRORS = {
    "nickname": 0.15,  # of records whose first name has a nickname
    "initial_only": 0.02,
    "first_name_typo": 0.03,
    "last_name_typo": 0.03,
    "names_swapped": 0.015,
    "hyphenated_surname": 0.02,
    "changed_surname": 0.03,
}
DOB_ERRORS = {
    "dob_day_month_swapped": 0.20,  # of records whose day is 12 or less and differs from the month
    "dob_typo": 0.015,
}
SEX_WRONG = 0.005  # records that show the other sex: a slip of the keyboard, or a guess
# Share of records with each value blank, by system.
MISSING = {
    "courts": {"dob": 0.02, "sex": 0.04, "postcode": 0.12, "pnc": 0.70},
    "prison": {"dob": 0.005, "sex": 0.005, "postcode": 0.06, "pnc": 0.08},
    "probation": {"dob": 0.01, "sex": 0.02, "postcode": 0.04, "pnc": 0.20},
}
POPULATION = {
    "moved": 0.25,  # people who moved house once during the period
    "moves_nearby": 0.6,  # of people who moved, those who stayed in the same postcode district
    "twins": 0.03,  # people who are one of a pair of twins
    "male": 0.85,  # most people in the justice system are men
    "middle_name": 0.6,
    "has_pnc": 0.92,  # people the police have a PNC record for
}

# Journeys through the systems.
HEARINGS_FROM, HEARINGS_TO = np.datetime64("2022-01-01"), np.datetime64("2023-12-31")
EXTRACTS_FROM, EXTRACTS_TO = np.datetime64("2020-01-01"), np.datetime64("2024-06-30")
MOVES_FROM, MOVES_TO = np.datetime64("2020-06-01"), np.datetime64("2024-03-31")
IN_COURTS = 0.6
OUTCOMES = {"Convicted": 0.80, "Acquitted": 0.12, "Dismissed": 0.08}
SENTENCES = {"Custody": 0.25, "Community order": 0.35, "Fine": 0.30, "Conditional discharge": 0.10}
CUSTODY_RECEIVED = 0.93  # of custodial sentences, received into prison (the rest not in this extract)
COMMUNITY_SUPERVISED = 0.95
COMMUNITY_BREACHED = 0.15  # of community sentences, breached and sent to prison later
LICENCE_AFTER_PRISON = 0.70
OTHER_PRISON = 0.22  # people whose prison record comes from a case outside the courts extract
OTHER_PROBATION = 0.25

OFFENCES = ("violence", "theft", "drugs", "motoring", "public_order", "criminal_damage", "fraud", "other")
ESTABLISHMENTS = ("BMI", "LEI", "MRI", "NMI", "HLI", "WDI", "BWI", "EXI", "CFI", "DMI", "PVI", "WWI")
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class People:
    """What the generator makes: three extracts, and the truth about them."""

    extracts: dict[str, pd.DataFrame]
    people: pd.DataFrame  # the population: one row per person, true values
    records: pd.DataFrame  # source, record_id, person_id and what was done to each record
    seed: int
    files: dict[str, str] = dataclasses.field(default_factory=dict)  # each extract's file name, if not EXTRACT_FILES's

    def write(self, folder: Path) -> dict[str, Path]:
        """Write the extracts to ``folder`` and the truth to ``folder/truth``; return the extracts' paths."""
        folder = Path(folder)
        truth = folder / TRUTH_FOLDER
        truth.mkdir(parents=True, exist_ok=True)
        paths = {}
        for source, frame in self.extracts.items():
            paths[source] = folder / self.files.get(source, EXTRACT_FILES.get(source, f"{source}.csv"))
            frame.to_csv(paths[source], index=False, lineterminator="\n")
        self.people.to_csv(truth / "people.csv", index=False, lineterminator="\n")
        self.records.to_csv(truth / "records.csv", index=False, lineterminator="\n")
        manifest = {
            "seed": self.seed,
            "people": len(self.people),
            "records": {source: len(frame) for source, frame in self.extracts.items()},
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        return paths


def zipf_weights(count: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, count + 1) ** exponent
    return weights / weights.sum()


def _days(rng: np.random.Generator, start: np.datetime64, end: np.datetime64, size: int) -> np.ndarray:
    span = int((end - start).astype(int)) + 1
    return start + rng.integers(0, span, size).astype("timedelta64[D]")


def _surname_pool() -> tuple[np.ndarray, np.ndarray]:
    """Common surnames (Zipf-weighted) then a long tail of made-up rarer ones, with their weights."""
    head = np.array(names.SURNAMES, dtype=object)
    tail = np.array([a + b for a in names.SURNAME_STARTS for b in names.SURNAME_ENDS], dtype=object)
    tail = tail[~np.isin(tail, head)]
    weights = np.concatenate([0.5 * zipf_weights(len(head), 0.6), np.full(len(tail), 0.5 / len(tail))])
    return np.concatenate([head, tail]), weights


def _postcodes(rng: np.random.Generator, size: int) -> np.ndarray:
    districts = [f"{area}{n}" for area, numbers, _ in names.POSTCODE_DISTRICTS for n in numbers]
    weights = np.array([w / len(numbers) for _, numbers, w in names.POSTCODE_DISTRICTS for _ in numbers], float)
    district = np.array(districts, dtype=object)[rng.choice(len(districts), size, p=weights / weights.sum())]
    letters = np.array(list(names.INWARD_LETTERS), dtype=object)
    digit = rng.integers(0, 10, size).astype(str).astype(object)
    inward = digit + letters[rng.integers(0, len(letters), size)] + letters[rng.integers(0, len(letters), size)]
    return district + " " + inward


def _pnc(rng: np.random.Generator, dob: np.ndarray) -> np.ndarray:
    """PNC numbers in their full form, YYYY/NNNNNNNC: year of first arrest, serial, check letter."""
    birth_year = dob.astype("datetime64[Y]").astype(int) + 1970
    year = np.clip(birth_year + 16 + rng.integers(0, 15, len(dob)), 1995, 2023)
    serial = rng.integers(1, 10_000_000, len(dob))
    check = np.array(list(PNC_CHECK_LETTERS), dtype=object)[(year % 100 * 10_000_000 + serial) % 23]
    return np.char.add(np.char.add(year.astype(str), "/"), np.char.zfill(serial.astype(str), 7)).astype(object) + check


def make_population(people: int, rng: np.random.Generator) -> pd.DataFrame:
    """One row per person, with their true details; twins are made in pairs."""
    twins = int(round(people * POPULATION["twins"] / 2))  # pairs
    singles = people - 2 * twins
    n = singles + twins  # people drawn independently; each of the last `twins` gets a twin
    male = rng.random(n) < POPULATION["male"]
    male_names = np.array(names.MALE_FIRST_NAMES, dtype=object)
    female_names = np.array(names.FEMALE_FIRST_NAMES, dtype=object)
    male_p, female_p = zipf_weights(len(male_names), 0.6), zipf_weights(len(female_names), 0.6)

    def first_names(is_male: np.ndarray) -> np.ndarray:
        drawn = female_names[rng.choice(len(female_names), len(is_male), p=female_p)]
        drawn[is_male] = male_names[rng.choice(len(male_names), int(is_male.sum()), p=male_p)]
        return drawn

    first = first_names(male)
    middle = first_names(male)
    middle[(rng.random(n) >= POPULATION["middle_name"]) | (middle == first)] = ""
    surnames, surname_p = _surname_pool()
    last = surnames[rng.choice(len(surnames), n, p=surname_p)]
    other = surnames[rng.choice(len(surnames), n, p=surname_p)]
    same = other == last
    while same.any():
        other[same] = surnames[rng.choice(len(surnames), int(same.sum()), p=surname_p)]
        same = other == last
    # Ages on 1 January 2024: 18 and over, most in their twenties and thirties.
    age_days = (18 * 365.25 + rng.gamma(2.0, 3600, n) % (60 * 365)).astype(int)
    dob = np.datetime64("2024-01-01") - age_days.astype("timedelta64[D]")
    before = _postcodes(rng, n)
    moved = rng.random(n) < POPULATION["moved"]
    # Most people who move stay near: a new address in the same postcode district.
    far = _postcodes(rng, n)
    near = (
        pd.Series(before).str.split(" ").str[0].to_numpy(dtype=object)
        + " "
        + pd.Series(far).str.split(" ").str[1].to_numpy(dtype=object)
    )
    after = np.where(moved, np.where(rng.random(n) < POPULATION["moves_nearby"], near, far), before)
    moved_on = np.where(moved, _days(rng, MOVES_FROM, MOVES_TO, n), np.datetime64("NaT"))
    pnc = np.where(rng.random(n) < POPULATION["has_pnc"], _pnc(rng, dob), "")

    population = pd.DataFrame(
        {
            "sex": np.where(male, "M", "F"),
            "first_name": first,
            "middle_name": middle,
            "last_name": last,
            "other_surname": other,
            "dob": dob,
            "postcode_before_move": before,
            "postcode_after_move": after,
            "moved_on": moved_on,
            "pnc": pnc,
            "twin_of": -1,
        }
    )
    # Twins: a copy of each of the last `twins` people, sharing surname, date of birth and
    # address, with a first name of their own (and their own sex, a third of the time).
    twin = population.iloc[n - twins :].copy()
    flip = rng.random(twins) < 1 / 3
    twin_male = (twin["sex"].to_numpy() == "M") ^ flip
    twin["sex"] = np.where(twin_male, "M", "F")
    twin_first = first_names(twin_male)
    same = twin_first == twin["first_name"].to_numpy()
    while same.any():
        twin_first[same] = first_names(twin_male[same])
        same = twin_first == twin["first_name"].to_numpy()
    twin["first_name"] = twin_first
    twin["middle_name"] = ""
    twin["pnc"] = np.where(rng.random(twins) < POPULATION["has_pnc"], _pnc(rng, twin["dob"].to_numpy()), "")
    twin["twin_of"] = np.arange(n - twins, n)
    population = pd.concat([population, twin], ignore_index=True)
    population.loc[twin["twin_of"].to_numpy(), "twin_of"] = np.arange(n, n + twins)
    population.insert(0, "person_id", np.arange(len(population)))
    return population


def _choose(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    keys = np.array(list(options), dtype=object)
    return keys[rng.choice(len(keys), size, p=np.array(list(options.values())))]


def make_journeys(population: pd.DataFrame, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Who appears in each system, and when: one row per record, with its person and event."""
    n = len(population)
    person = population["person_id"].to_numpy()
    in_courts = rng.random(n) < IN_COURTS
    hearing = _days(rng, HEARINGS_FROM, HEARINGS_TO, n)
    outcome = _choose(rng, OUTCOMES, n)
    sentence = np.where(outcome == "Convicted", _choose(rng, SENTENCES, n), "")
    convicted = in_courts & (outcome == "Convicted")
    custody = convicted & (sentence == "Custody")
    community = convicted & (sentence == "Community order")

    received = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    sent = custody & (rng.random(n) < CUSTODY_RECEIVED)
    received[sent] = hearing[sent] + rng.integers(0, 43, int(sent.sum())).astype("timedelta64[D]")
    breached = community & (rng.random(n) < COMMUNITY_BREACHED)
    received[breached] = hearing[breached] + rng.integers(60, 731, int(breached.sum())).astype("timedelta64[D]")
    other = np.isnat(received) & ~custody & (rng.random(n) < OTHER_PRISON)
    received[other] = _days(rng, EXTRACTS_FROM, EXTRACTS_TO, int(other.sum()))
    in_prison = ~np.isnat(received) & (received <= EXTRACTS_TO)

    started = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    supervision = np.full(n, "", dtype=object)
    on_order = community & (rng.random(n) < COMMUNITY_SUPERVISED)
    started[on_order] = hearing[on_order] + rng.integers(0, 29, int(on_order.sum())).astype("timedelta64[D]")
    supervision[on_order] = "Community Order"
    licence = in_prison & ~on_order & (rng.random(n) < LICENCE_AFTER_PRISON)
    started[licence] = received[licence] + rng.integers(90, 541, int(licence.sum())).astype("timedelta64[D]")
    supervision[licence] = "Licence"
    other = np.isnat(started) & (rng.random(n) < OTHER_PROBATION)
    started[other] = _days(rng, EXTRACTS_FROM, EXTRACTS_TO, int(other.sum()))
    supervision[other] = _choose(
        rng, {"Community Order": 0.5, "Suspended Sentence Order": 0.2, "Licence": 0.3}, int(other.sum())
    )
    in_probation = ~np.isnat(started) & (started <= EXTRACTS_TO)

    offence = _choose(rng, dict.fromkeys(OFFENCES, 1 / len(OFFENCES)), n)
    return {
        "courts": pd.DataFrame(
            {
                "person_id": person[in_courts],
                "event_date": hearing[in_courts],
                "outcome": outcome[in_courts],
                "sentence": sentence[in_courts],
                "offence_category": offence[in_courts],
            }
        ),
        "prison": pd.DataFrame({"person_id": person[in_prison], "event_date": received[in_prison]}),
        "probation": pd.DataFrame(
            {
                "person_id": person[in_probation],
                "event_date": started[in_probation],
                "supervision_type": supervision[in_probation],
            }
        ),
    }


def typo(word: str, rng: np.random.Generator) -> str:
    """The word with one letter substituted, deleted, inserted, or two neighbours swapped."""
    for _ in range(20):
        i = int(rng.integers(1, len(word)))  # keep the first letter: the commonest kind of slip
        kind = int(rng.integers(0, 4))
        letter = ALPHABET[int(rng.integers(0, 26))]
        if kind == 0:
            out = word[:i] + letter + word[i + 1 :]
        elif kind == 1:
            out = word[:i] + word[i + 1 :]
        elif kind == 2:
            out = word[:i] + letter + word[i:]
        else:
            out = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :] if i < len(word) else word
        if out.lower() != word.lower() and len(out) >= 2:
            return out
    return word + letter


def _dob_typo(dob: np.datetime64, rng: np.random.Generator) -> np.datetime64:
    text = str(dob)
    for _ in range(50):
        i = int(rng.choice([2, 3, 5, 6, 8, 9]))  # a digit of the year's last two, the month or the day
        digit = str(int(rng.integers(0, 10)))
        if digit == text[i]:
            continue
        candidate = text[:i] + digit + text[i + 1 :]
        try:
            changed = np.datetime64(candidate, "D")
        except ValueError:
            continue
        if str(changed) == candidate and "1930" <= candidate[:4] <= "2006":
            return changed
    return dob + np.timedelta64(1, "D")


def corrupt(records: pd.DataFrame, population: pd.DataFrame, source: str, rng: np.random.Generator) -> pd.DataFrame:
    """Each record's values as its system holds them, with errors at the documented rates."""
    people = population.set_index("person_id").loc[records["person_id"]]
    n = len(records)
    first = people["first_name"].to_numpy(dtype=object).copy()
    last = people["last_name"].to_numpy(dtype=object).copy()
    other = people["other_surname"].to_numpy(dtype=object)

    # At most one name error per record, with the nickname rate among names that have one.
    has_nickname = np.isin(first, list(names.NICKNAMES))
    kinds = list(NAME_ERRORS)
    p = np.array([NAME_ERRORS[k] for k in kinds])
    without_nickname = np.where(np.array(kinds) == "nickname", 0.0, p)
    u = rng.random(n)
    k = np.where(
        has_nickname,
        np.searchsorted(np.cumsum(p), u, side="right"),
        np.searchsorted(np.cumsum(without_nickname), u, side="right"),
    )
    name_error = np.array([*kinds, ""], dtype=object)[k]
    for row in np.flatnonzero(name_error != ""):
        kind = name_error[row]
        if kind == "nickname":
            options = names.NICKNAMES[first[row]]
            first[row] = options[int(rng.integers(0, len(options)))]
        elif kind == "initial_only":
            first[row] = first[row][0]
        elif kind == "first_name_typo":
            first[row] = typo(first[row], rng)
        elif kind == "last_name_typo":
            last[row] = typo(last[row], rng)
        elif kind == "names_swapped":
            first[row], last[row] = last[row], first[row]
        elif kind == "hyphenated_surname":
            last[row] = f"{last[row]}-{other[row]}" if rng.random() < 0.5 else f"{other[row]}-{last[row]}"
        elif kind == "changed_surname":
            last[row] = other[row]

    dob = people["dob"].to_numpy(dtype="datetime64[D]").copy()
    day = (dob - dob.astype("datetime64[M]")).astype(int) + 1
    month = dob.astype("datetime64[M]").astype(int) % 12 + 1
    swappable = (day <= 12) & (day != month)
    u = rng.random(n)
    dob_error = np.full(n, "", dtype=object)
    swap_p, typo_p = DOB_ERRORS["dob_day_month_swapped"], DOB_ERRORS["dob_typo"]
    dob_error[swappable & (u < swap_p)] = "dob_day_month_swapped"
    dob_error[(swappable & (u >= swap_p) & (u < swap_p + typo_p)) | (~swappable & (u < typo_p))] = "dob_typo"
    for row in np.flatnonzero(dob_error == "dob_day_month_swapped"):
        year = dob[row].astype("datetime64[Y]").astype(int) + 1970
        dob[row] = np.datetime64(f"{year:04d}-{day[row]:02d}-{month[row]:02d}")
    for row in np.flatnonzero(dob_error == "dob_typo"):
        dob[row] = _dob_typo(dob[row], rng)

    event = records["event_date"].to_numpy(dtype="datetime64[D]")
    moved_on = people["moved_on"].to_numpy(dtype="datetime64[D]")
    after = ~np.isnat(moved_on) & (event >= moved_on)
    postcode = np.where(after, people["postcode_after_move"].to_numpy(), people["postcode_before_move"].to_numpy())
    address = np.where(np.isnat(moved_on), "", np.where(after, "after move", "before move")).astype(object)
    sex = people["sex"].to_numpy(dtype=object).copy()
    sex_error = np.where(rng.random(n) < SEX_WRONG, "sex_wrong", "").astype(object)
    sex = np.where(sex_error == "", sex, np.where(sex == "M", "F", "M"))
    pnc = people["pnc"].to_numpy(dtype=object).copy()

    missing = {field: rng.random(n) < rate for field, rate in MISSING[source].items()}
    dob = np.where(missing["dob"], np.datetime64("NaT"), dob)
    sex = np.where(missing["sex"], "", sex)
    postcode = np.where(missing["postcode"], "", postcode)
    pnc = np.where(missing["pnc"], "", pnc)
    blanks = np.full(n, "", dtype=object)
    for field in MISSING[source]:
        blanks = np.where(missing[field], np.where(blanks == "", field, blanks + ";" + field), blanks)
    return pd.DataFrame(
        {
            "person_id": records["person_id"].to_numpy(),
            "first_name": first,
            "middle_name": people["middle_name"].to_numpy(dtype=object),
            "last_name": last,
            "dob": dob,
            "sex": sex,
            "postcode": postcode,
            "pnc": pnc,
            "name_error": name_error,
            "dob_error": dob_error,
            "sex_error": sex_error,
            "missing": blanks,
            "address": address,
        }
    )


def _unique_codes(rng: np.random.Generator, size: int, space: int) -> np.ndarray:
    return rng.choice(space, size, replace=False)


def _letters(values: np.ndarray, count: int) -> np.ndarray:
    out = np.full(len(values), "", dtype=object)
    for _ in range(count):
        out = np.array(list(ALPHABET.upper()), dtype=object)[values % 26] + out
        values = values // 26
    return out


def _fmt(dates: np.ndarray, fmt: str) -> np.ndarray:
    return pd.Series(dates).dt.strftime(fmt).fillna("").to_numpy(dtype=object)


def _messy_postcode(postcode: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """Postcodes typed without the space or in lower case, as some systems hold them."""
    messy = (rng.random(len(postcode)) < share) & (postcode != "")
    out = postcode.copy()
    out[messy] = pd.Series(out[messy]).str.replace(" ", "", regex=False).str.lower().to_numpy(dtype=object)
    return out


def format_courts(values: pd.DataFrame, events: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(values)
    forenames = values["first_name"].to_numpy(dtype=object)
    middle = values["middle_name"].to_numpy(dtype=object)
    forenames = np.where(middle != "", forenames + " " + middle, forenames)
    surname = values["last_name"].to_numpy(dtype=object)
    shout = rng.random(n) < 0.1  # some clerks type names in capitals
    forenames = np.where(shout, pd.Series(forenames).str.upper(), forenames)
    surname = np.where(shout, pd.Series(surname).str.upper(), surname)
    pnc = values["pnc"].to_numpy(dtype=object)
    short = (pnc != "") & (rng.random(n) < 0.5)  # the short form: 09/123456X
    short_form = pd.Series(pnc).str.slice(2, 5) + pd.Series(pnc).str.slice(5).str.lstrip("0")
    pnc = np.where(short, short_form.to_numpy(dtype=object), pnc)
    year = events["event_date"].to_numpy(dtype="datetime64[Y]").astype(int) + 1970
    case = _unique_codes(rng, n, 9_000_000) + 1_000_000
    return pd.DataFrame(
        {
            "defendant_id": np.char.add("D", np.char.zfill(_unique_codes(rng, n, 90_000_000).astype(str), 8)),
            "case_reference": np.char.add(np.char.add(year.astype(str), "-"), case.astype(str)),
            "forenames": forenames,
            "surname": surname,
            "date_of_birth": _fmt(values["dob"], DATE_FORMATS["courts"]["date_of_birth"]),
            "gender": values["sex"].to_numpy(dtype=object),
            "address_postcode": _messy_postcode(values["postcode"].to_numpy(dtype=object), rng, 0.2),
            "pnc_id": pnc,
            "offence_category": events["offence_category"].to_numpy(),
            "hearing_date": _fmt(events["event_date"], DATE_FORMATS["courts"]["hearing_date"]),
            "outcome": events["outcome"].to_numpy(),
            "sentence": events["sentence"].to_numpy(),
        }
    )


def format_prison(values: pd.DataFrame, events: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(values)

    def upper_plain(column: str) -> np.ndarray:  # NOMIS holds names in capitals, without apostrophes
        return values[column].str.upper().str.replace("'", "", regex=False).to_numpy(dtype=object)

    code = _unique_codes(rng, n, 26 * 10_000 * 26 * 26)
    number = (
        _letters(code // (10_000 * 676), 1)
        + np.char.zfill((code // 676 % 10_000).astype(str), 4).astype(object)
        + _letters(code % 676, 2)
    )
    return pd.DataFrame(
        {
            "prisoner_number": number,
            "booking_id": _unique_codes(rng, n, 9_000_000) + 1_000_000,
            "first_name": upper_plain("first_name"),
            "middle_names": upper_plain("middle_name"),
            "last_name": upper_plain("last_name"),
            "birth_date": _fmt(values["dob"], DATE_FORMATS["prison"]["birth_date"]),
            "sex_code": np.where(values["sex"] == "", "NK", values["sex"]),
            "pnc_number": values["pnc"].to_numpy(dtype=object),
            "reception_date": _fmt(events["event_date"], DATE_FORMATS["prison"]["reception_date"]),
            "establishment_code": np.array(ESTABLISHMENTS, dtype=object)[rng.integers(0, len(ESTABLISHMENTS), n)],
            "home_postcode": values["postcode"].to_numpy(dtype=object),
        }
    )


def format_probation(values: pd.DataFrame, events: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(values)
    code = _unique_codes(rng, n, 26 * 1_000_000)
    crn = _letters(code // 1_000_000, 1) + np.char.zfill((code % 1_000_000).astype(str), 6).astype(object)
    gender = values["sex"].map({"M": "Male", "F": "Female", "": "Not Known"}).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "crn": crn,
            "first_name": values["first_name"].to_numpy(dtype=object),
            "second_name": values["middle_name"].to_numpy(dtype=object),
            "surname": values["last_name"].to_numpy(dtype=object),
            "date_of_birth": pd.Series(_fmt(values["dob"], DATE_FORMATS["probation"]["date_of_birth"])).str.upper(),
            "gender": gender,
            "postcode": _messy_postcode(values["postcode"].to_numpy(dtype=object), rng, 0.05),
            "pnc_number": values["pnc"].to_numpy(dtype=object),
            "sentence_start_date": pd.Series(
                _fmt(events["event_date"], DATE_FORMATS["probation"]["sentence_start_date"])
            ).str.upper(),
            "supervision_type": events["supervision_type"].to_numpy(),
        }
    )


FORMATTERS = {"courts": format_courts, "prison": format_prison, "probation": format_probation}
EXTRA_DELAY_DAYS = 60  # a registered source's event comes up to this many days after its like's


def format_registered(
    values: pd.DataFrame, events: pd.DataFrame, source: registry.Source, rng: np.random.Generator
) -> pd.DataFrame:
    """An extract for a source registered with [synthetic]: the columns its registration maps,
    written plainly (sex as M, F or blank; dates in its formats), with identifiers of its own."""
    n = len(values)
    columns = source.columns
    code = _unique_codes(rng, n, 10_000_000)
    out = {source.id: np.array([f"{source.name[:1].upper()}{c:07d}" for c in code], dtype=object)}
    first = values["first_name"].to_numpy(dtype=object)
    if source.first_word:  # the column holds every forename
        middle = values["middle_name"].to_numpy(dtype=object)
        first = np.where(middle != "", first + " " + middle, first)
    out[columns["first_name"]] = first
    out[columns["last_name"]] = values["last_name"].to_numpy(dtype=object)
    if "dob" in columns:
        out[columns["dob"]] = _fmt(values["dob"], source.dates[columns["dob"]])
    for column in ("sex", "postcode", "pnc"):
        if column in columns:
            out[columns[column]] = values[column].to_numpy(dtype=object)
    for column in [*source.dates, *source.events]:
        if column not in out:  # an event: its date, or nothing to say
            fmt = source.dates.get(column)
            out[column] = _fmt(events["event_date"], fmt) if fmt else np.full(n, "", dtype=object)
    return pd.DataFrame(out)[source.needs]


def _registered_journeys(
    journeys: dict[str, pd.DataFrame], source: registry.Source, rng: np.random.Generator
) -> pd.DataFrame:
    """Who a source registered with [synthetic] sees: a share of the records of the system it is like,
    each some days later."""
    like = source.synthetic["like"]
    if like not in journeys:
        raise ValueError(f"{source.path}: [synthetic] like must be one of {', '.join(SOURCES)}, not {like!r}")
    seen = journeys[like]
    chosen = seen[rng.random(len(seen)) < float(source.synthetic["share"])]
    delay = rng.integers(0, EXTRA_DELAY_DAYS + 1, len(chosen)).astype("timedelta64[D]")
    return pd.DataFrame(
        {"person_id": chosen["person_id"].to_numpy(), "event_date": chosen["event_date"].to_numpy() + delay}
    )


def _truth(source: str, extract: pd.DataFrame, id_column: str, values: pd.DataFrame) -> pd.DataFrame:
    """For each record of an extract: its person, and what was done to it."""
    return pd.DataFrame(
        {
            "source": source,
            "record_id": extract[id_column].to_numpy(),
            "person_id": values["person_id"].to_numpy(),
            "name_error": values["name_error"].to_numpy(),
            "dob_error": values["dob_error"].to_numpy(),
            "sex_error": values["sex_error"].to_numpy(),
            "missing": values["missing"].to_numpy(),
            "address": values["address"].to_numpy(),
        }
    )


def default_size() -> tuple[int, int]:
    """The people and seed the notebook runs at: PEOPLE and SEED, unless the tests ask for
    another seed and size (example_output.scaled and .seed read EXAMPLES_SCALE and EXAMPLES_SEED)."""
    return example_output.scaled(PEOPLE), example_output.seed(SEED)


def generate(
    people: int | None = None, seed: int | None = None, sources: Mapping[str, registry.Source] | None = None
) -> People:
    """Make the population, the extracts and the truth. Same arguments, same data.

    The three systems' extracts, and one for each other registered source with a [synthetic]
    table (``registry``): a share of the people of the system it is like, with that system's
    rates of errors and blanks. Without arguments, the notebook's size and seed
    (``default_size()``) and every registered source (``registry.load()``)."""
    default_people, default_seed = default_size()
    people = default_people if people is None else people
    seed = default_seed if seed is None else seed
    sources = registry.load() if sources is None else sources
    if people < 10:
        raise ValueError(f"people must be at least 10, not {people}")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2 + 3 * len(SOURCES))]
    population = make_population(people, streams[0])
    journeys = make_journeys(population, streams[1])
    extracts, records, files = {}, [], {}
    for i, source in enumerate(SOURCES):
        corrupt_rng, format_rng, order_rng = streams[2 + 3 * i : 5 + 3 * i]
        events = journeys[source]
        order = order_rng.permutation(len(events))  # each system lists its records in its own order
        events = events.iloc[order].reset_index(drop=True)
        values = corrupt(events, population, source, corrupt_rng)
        extract = FORMATTERS[source](values, events, format_rng)
        extracts[source] = extract[list(COLUMNS[source])]
        records.append(_truth(source, extract, ID_COLUMNS[source], values))
        if source in sources:
            files[source] = sources[source].file
    for name, source in sources.items():
        if name in SOURCES or source.synthetic is None:
            continue
        # Its own random numbers, from the seed and its name: the others' data stay as they were.
        rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
        events = _registered_journeys(journeys, source, rng)
        values = corrupt(events, population, source.synthetic["like"], rng)
        extracts[name] = format_registered(values, events, source, rng)
        records.append(_truth(name, extracts[name], source.id, values))
        files[name] = source.file
    population = population.assign(
        dob=population["dob"].dt.strftime("%Y-%m-%d"), moved_on=population["moved_on"].dt.strftime("%Y-%m-%d")
    )
    return People(extracts, population, pd.concat(records, ignore_index=True), seed, files)


def write_extracts(folder: Path = OUTPUT_DIR, people: int | None = None, seed: int | None = None) -> dict[str, Path]:
    """Generate the data and write it to ``folder`` (the truth to ``folder/truth``); return the extracts' paths.

    Without ``people`` and ``seed``, the notebook's (``default_size()``)."""
    return generate(people, seed).write(Path(folder))
