"""Synthetic daily extracts from a courts case-management system.

A seeded, deterministic generator: the same arguments always write the same
bytes. It imitates the raw extracts our pipelines receive: one CSV file per
day, one row per case event, each row carrying the ``extraction_timestamp`` of
its extract and an operation code ``op``:

- ``I`` (insert): a case is received;
- ``U`` (update): a case moves court, is reclassified, is listed for a hearing
  or is completed;
- ``D`` (delete): a case created in error is removed (only the key is sent).

Every row carries the full state of the case after the event, as change data
capture tools send it. Courts receive cases at a steady rate: each case's
received date is drawn evenly over the two years before the first extract and
the month of extracts, so every quarter receives about as many cases as the
next. A case reaches the extracts up to four weeks after it is received. The
first file is a full extract: it carries every case received before it (most
of them), and those already completed arrive completed, after a log-normal time
that is longer in the Crown Court than in magistrates' courts. Each later file
carries the cases received since, and the changes to open cases: a move of
court or a new offence category, a completion, a deletion, and the updates of
a hearing listed about every three weeks, which change nothing the extract
carries (the row repeats the case as it stands). No real person or case is
involved.

Defects
-------
A documented share of rows carry realistic defects: ``DEFECT_RATES`` holds each
kind's share of the clean events (missing values, dates that do not parse or do
not exist, completions before receipt, unknown courts, duplicates within and
across files). Each defect goes on a different clean row, so the pipeline should
quarantine exactly ``manifest.defects[kind]`` rows for each kind, under the rule
``DEFECT_RULES[kind]``.

A further share of rows are messy but fixable (``MESSY_RATE``): court codes in
lower case or padded with spaces, offence categories in title case with spaces.
The pipeline standardises those rather than rejecting them.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract

SEED = 20240101
START = date(2024, 1, 1)  # the first extract is taken on this day
EXTRACT_HOUR = 2  # extracts run at 02:00 UTC

# The extract's columns, in the source's order, are the contract's (contract.toml): the
# generator makes data for the contract. `COLUMNS` reads them from it when asked (so that a
# mistake in the file is reported where it is used, not when this module is imported). These
# are the columns the generator makes itself; a column the contract adds gets values drawn
# from its `synthetic` list (_contract_columns).
GENERATED = (
    "case_id",
    "court_code",
    "offence_category",
    "received_date",
    "completed_date",
    "outcome",
    "op",
    "extraction_timestamp",
)


def __getattr__(name: str):
    if name == "COLUMNS":  # the extract's column names, from the contract as it is now
        return contract.names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


OFFENCE_CATEGORIES = (
    "violence",
    "sexual",
    "robbery",
    "theft",
    "criminal_damage",
    "drugs",
    "public_order",
    "motoring",
    "fraud",
    "other",
)
OFFENCE_WEIGHTS = (0.18, 0.04, 0.03, 0.20, 0.08, 0.10, 0.09, 0.18, 0.04, 0.06)

OUTCOMES = ("convicted", "acquitted", "dismissed", "withdrawn")
OUTCOME_WEIGHTS = (0.70, 0.08, 0.07, 0.15)

# Synthetic courts: invented towns, not real courts.
# (court_code, court_name, court_type, region)
COURTS = (
    ("C101", "Aldermoor Crown Court", "crown", "London"),
    ("C102", "Brackenford Crown Court", "crown", "South East"),
    ("C103", "Calderbury Crown Court", "crown", "Midlands"),
    ("C104", "Dunmere Crown Court", "crown", "North West"),
    ("C105", "Fernhollow Crown Court", "crown", "North East"),
    ("C106", "Greywater Crown Court", "crown", "Wales"),
    ("C107", "Hollowmere Crown Court", "crown", "South West"),
    ("M201", "Aldermoor Magistrates' Court", "magistrates", "London"),
    ("M202", "Ashcombe Magistrates' Court", "magistrates", "London"),
    ("M203", "Brackenford Magistrates' Court", "magistrates", "South East"),
    ("M204", "Coldharbour Magistrates' Court", "magistrates", "South East"),
    ("M205", "Calderbury Magistrates' Court", "magistrates", "Midlands"),
    ("M206", "Elmbridge Vale Magistrates' Court", "magistrates", "Midlands"),
    ("M207", "Dunmere Magistrates' Court", "magistrates", "North West"),
    ("M208", "Kettleby Magistrates' Court", "magistrates", "North West"),
    ("M209", "Fernhollow Magistrates' Court", "magistrates", "North East"),
    ("M210", "Larkspur Magistrates' Court", "magistrates", "North East"),
    ("M211", "Greywater Magistrates' Court", "magistrates", "Wales"),
    ("M212", "Pennant Cross Magistrates' Court", "magistrates", "Wales"),
    ("M213", "Hollowmere Magistrates' Court", "magistrates", "South West"),
    ("M214", "Quarrybank Magistrates' Court", "magistrates", "South West"),
)
COURT_CODES = tuple(c[0] for c in COURTS)
UNKNOWN_COURT_CODES = ("X999", "C000", "M299")

# Share of clean events that get each defect, and the pipeline rule that should catch it.
DEFECT_RATES = {
    "missing_required": 0.010,
    "unparseable_date": 0.006,
    "impossible_date": 0.004,
    "completed_before_received": 0.005,
    "unknown_court": 0.006,
    "duplicate_in_file": 0.004,
    "duplicate_across_files": 0.004,
}
DEFECT_RULES = {
    "missing_required": "missing_required",
    "unparseable_date": "unparseable_date",
    "impossible_date": "impossible_date",
    "completed_before_received": "completed_before_received",
    "unknown_court": "unknown_court",
    "duplicate_in_file": "duplicate_in_file",
    "duplicate_across_files": "duplicate_event",
}
MESSY_RATE = 0.03

# Intake is steady: received dates are spread evenly from HISTORY_DAYS before the
# first extract to the day before the last, so the first (full) extract carries
# every case received before it. A case reaches the extracts up to REPORTING_DAYS
# after it is received. Cases take a log-normal time to complete, longer in the
# Crown Court; a case already completed when it is first extracted arrives completed.
HISTORY_DAYS = 730
REPORTING_DAYS = 28
CROWN_MEDIAN_DAYS = 150
MAGISTRATES_MEDIAN_DAYS = 40
DURATION_SIGMA = 0.8

# Event probabilities per case.
P_AMEND = 0.20  # moved court or reclassified
P_DELETE = 0.03  # created in error
# An open case is listed for a hearing about this often: an update that changes
# nothing the extract carries, so its row repeats the case as it stands.
LISTING_EVERY_DAYS = 21


@dataclass
class Manifest:
    """What the generator wrote: files, row counts and the defects it injected."""

    folder: str
    cases: int
    days: int
    seed: int
    files: list[str] = field(default_factory=list)
    rows: int = 0
    clean_events: int = 0
    defects: dict[str, int] = field(default_factory=dict)
    messy_rows: int = 0

    def paths(self) -> list[Path]:
        return [Path(self.folder) / name for name in self.files]

    def expected_quarantine(self) -> dict[str, int]:
        """Rows the pipeline should quarantine, by rule."""
        return {DEFECT_RULES[kind]: n for kind, n in self.defects.items()}


def extract_time(day: int) -> datetime:
    """When the extract for day number ``day`` (0 = first) was taken."""
    return datetime.combine(START + timedelta(days=day), datetime.min.time()) + timedelta(hours=EXTRACT_HOUR)


def file_name(day: int) -> str:
    return f"court_cases_{(START + timedelta(days=day)).isoformat()}.csv"


def _iso(days_since_epoch: np.ndarray) -> np.ndarray:
    """ISO date strings for an array of day numbers since 1970-01-01."""
    return np.datetime_as_string(days_since_epoch.astype("datetime64[D]"), unit="D").astype(object)


def _listings(
    rng: np.random.Generator, arrival: np.ndarray, end: np.ndarray, amend: np.ndarray, days: int
) -> tuple[np.ndarray, np.ndarray]:
    """The hearings listed for open cases: (case index, day) of each, on days after the case's
    arrival and before `end` (its completion or deletion; -1 for neither), about one every
    LISTING_EVERY_DAYS. Never two on one day, nor on the day the case is moved or reclassified:
    two different events of a case in one extract would contradict each other."""
    end = np.where(end >= 0, np.minimum(end, days), days)
    span = np.maximum(end - arrival - 1, 0)
    count = rng.poisson(span / LISTING_EVERY_DAYS)
    case = np.repeat(np.arange(len(arrival)), count)
    day = arrival[case] + 1 + np.floor(rng.random(len(case)) * span[case]).astype(np.int64)
    keep = np.unique(case * days + day, return_index=True)[1]  # one listing a day per case
    case, day = case[keep], day[keep]
    keep = day != amend[case]
    return case[keep], day[keep]


def _events(rng: np.random.Generator, cases: int, days: int, first: int = 0) -> pd.DataFrame:
    """The clean events, one row per case event, with the day of the extract that carries it."""
    start = (np.datetime64(START.isoformat(), "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    ids = np.array([f"CASE-{i:06d}" for i in range(first + 1, first + cases + 1)], dtype=object)
    court_p = np.array([3.0 if code.startswith("M") else 1.0 for code in COURT_CODES])
    court_p /= court_p.sum()
    court = rng.choice(np.array(COURT_CODES, dtype=object), size=cases, p=court_p)
    offence = rng.choice(np.array(OFFENCE_CATEGORIES, dtype=object), size=cases, p=OFFENCE_WEIGHTS)
    # Steady intake: received on any day from HISTORY_DAYS before the first extract to
    # the day before the last one, each day as likely as the next. A case received on
    # day `day` (0 = the first extract's day) reaches the extracts up to REPORTING_DAYS
    # later, in the extract of day `arrival`; the first extract is a full one, so it
    # carries every case received before it, and those completed by then arrive completed.
    received_day = rng.integers(-HISTORY_DAYS, days - 1, cases)
    received = start + received_day
    lag = np.floor(rng.random(cases) * np.minimum(REPORTING_DAYS, days - 1 - received_day)).astype(np.int64)
    arrival = np.maximum(0, received_day + 1 + lag)
    median_days = np.where(np.char.startswith(court.astype(str), "C"), CROWN_MEDIAN_DAYS, MAGISTRATES_MEDIAN_DAYS)
    took = np.maximum(0, np.round(rng.lognormal(np.log(median_days), DURATION_SIGMA))).astype(np.int64)
    # A case completes `took` days after it was received. If that is before the
    # extract that first carries it, it arrives completed; otherwise an update in
    # a later extract (up to 3 days late) completes it, or it is still open at the end.
    due = received + took
    closed = due <= start + arrival - 1
    blank = np.full(cases, "", dtype=object)

    def later_day(after: np.ndarray, chance: float) -> np.ndarray:
        """A day after ``after`` for a share ``chance`` of cases; -1 where none (or no day left)."""
        room = days - 1 - after
        pick = (rng.random(cases) < chance) & (room > 0) & (after >= 0)
        day = after + 1 + np.floor(rng.random(cases) * np.maximum(room, 1)).astype(np.int64)
        return np.where(pick, day, -1)

    complete = due - start + 1 + rng.integers(0, 4, cases)
    complete = np.where(~closed & (complete <= days - 1), complete, -1)
    # Some open cases move court or are reclassified, before they complete.
    amend = np.where(closed, -1, later_day(arrival, P_AMEND))
    amend = np.where((complete >= 0) & (amend >= complete), -1, amend)
    new_court = np.where(rng.random(cases) < 0.5, rng.choice(np.array(COURT_CODES, dtype=object), cases), court)
    new_offence = np.where(
        new_court == court, rng.choice(np.array(OFFENCE_CATEGORIES, dtype=object), cases), offence
    ).astype(object)
    final_court = np.where(amend >= 0, new_court, court)
    final_offence = np.where(amend >= 0, new_offence, offence)
    completed = due
    outcome = rng.choice(np.array(OUTCOMES, dtype=object), size=cases, p=OUTCOME_WEIGHTS)
    delete = later_day(np.maximum.reduce([arrival, amend, complete]), P_DELETE)
    # Open cases are listed for hearings until they complete or are deleted (closed ones never are).
    until = np.where(closed, arrival + 1, np.where(complete >= 0, complete, delete))
    listed, listed_day = _listings(rng, arrival, until, amend, days)

    received_iso = _iso(received)
    frames = [
        pd.DataFrame(
            {
                "day": arrival,
                "case_id": ids,
                "court_code": court,
                "offence_category": offence,
                "received_date": received_iso,
                "completed_date": np.where(closed, _iso(completed), blank),
                "outcome": np.where(closed, outcome, blank),
                "op": "I",
            }
        )
    ]
    # A listing carries the case as it stands: moved or reclassified if that came first.
    moved = (amend[listed] >= 0) & (amend[listed] < listed_day)
    listing_court = np.where(moved, new_court[listed], court[listed])
    listing_offence = np.where(moved, new_offence[listed], offence[listed])
    frames.append(
        pd.DataFrame(
            {
                "day": listed_day,
                "case_id": ids[listed],
                "court_code": listing_court,
                "offence_category": listing_offence,
                "received_date": received_iso[listed],
                "completed_date": blank[listed],
                "outcome": blank[listed],
                "op": "U",
            }
        )
    )
    for day, court_v, offence_v, completed_v, outcome_v, op in (
        (amend, new_court, new_offence, blank, blank, "U"),
        (complete, final_court, final_offence, _iso(completed), outcome, "U"),
        (delete, blank, blank, blank, blank, "D"),
    ):
        keep = day >= 0
        frames.append(
            pd.DataFrame(
                {
                    "day": day[keep],
                    "case_id": ids[keep],
                    "court_code": court_v[keep],
                    "offence_category": offence_v[keep],
                    "received_date": received_iso[keep] if op != "D" else blank[keep],
                    "completed_date": completed_v[keep],
                    "outcome": outcome_v[keep],
                    "op": op,
                }
            )
        )
    events = pd.concat(frames, ignore_index=True)
    # Within a day's file the rows come in no particular order, as they do from the source.
    events["shuffle"] = rng.random(len(events))
    events = events.sort_values(["day", "shuffle"], kind="stable").drop(columns="shuffle").reset_index(drop=True)
    stamps = np.array([extract_time(d).strftime("%Y-%m-%dT%H:%M:%SZ") for d in range(days)], dtype=object)
    events["extraction_timestamp"] = stamps[events["day"].to_numpy()]
    return events


def _inject_defects(
    rng: np.random.Generator, events: pd.DataFrame, days: int
) -> tuple[pd.DataFrame, dict[str, int], int]:
    """Put each defect on its own clean row; add the duplicate rows. Returns (rows, defect counts, messy count)."""
    n = len(events)
    is_delete = (events["op"] == "D").to_numpy()
    is_completion = (events["completed_date"] != "").to_numpy()
    free = np.ones(n, dtype=bool)
    counts: dict[str, int] = {}

    def take(kind: str, eligible: np.ndarray) -> np.ndarray:
        want = int(round(DEFECT_RATES[kind] * n))
        pool = np.flatnonzero(free & eligible)
        chosen = np.sort(rng.choice(pool, size=min(want, len(pool)), replace=False))
        free[chosen] = False
        counts[kind] = len(chosen)
        return chosen

    content = ~is_delete
    rows = take("missing_required", content)
    which = rng.choice(np.array(["court_code", "offence_category", "received_date", "case_id"]), len(rows))
    for column in ("court_code", "offence_category", "received_date", "case_id"):
        events.loc[rows[which == column], column] = ""

    rows = take("unparseable_date", content)
    dates = pd.to_datetime(events.loc[rows, "received_date"])
    uk_style = dates.dt.strftime("%d/%m/%Y").to_numpy(dtype=object)
    events.loc[rows, "received_date"] = np.where(rng.random(len(rows)) < 0.8, uk_style, "TBC")

    rows = take("impossible_date", content)
    bad = np.array(["2024-02-30", "2023-13-07", "2023-11-31", "2024-00-12"], dtype=object)
    events.loc[rows, "received_date"] = rng.choice(bad, len(rows))

    rows = take("completed_before_received", is_completion)
    received = pd.to_datetime(events.loc[rows, "received_date"])
    before = received - pd.to_timedelta(rng.integers(1, 60, len(rows)), unit="D")
    events.loc[rows, "completed_date"] = before.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)

    rows = take("unknown_court", content)
    events.loc[rows, "court_code"] = rng.choice(np.array(UNKNOWN_COURT_CODES, dtype=object), len(rows))

    # Duplicates copy clean rows, so each copy is a duplicate and nothing else.
    rows = take("duplicate_in_file", np.ones(n, dtype=bool))
    same_file = events.loc[rows].copy()
    rows = take("duplicate_across_files", (events["day"] < days - 1).to_numpy())
    next_file = events.loc[rows].copy()
    next_file["day"] += 1  # sent again in the next day's file, with its original extraction_timestamp

    # Messy but fixable values on other clean, non-delete rows: MESSY_RATE of each day's
    # file, chosen at random within it and at least two, so that every file shows both
    # kinds of mess however few rows it has (most rows are in the first, full, file).
    messy = rng.permutation(np.flatnonzero(free & content))
    day = events["day"].to_numpy()
    rank = pd.Series(messy).groupby(day[messy]).cumcount().to_numpy()
    wanted = np.maximum(2, np.round(MESSY_RATE * np.bincount(day, minlength=days))).astype(np.int64)
    keep = rank < wanted[day[messy]]
    messy, rank = messy[keep], rank[keep]
    court_mess, offence_mess = messy[rank % 2 == 0], messy[rank % 2 == 1]
    events.loc[court_mess, "court_code"] = " " + events.loc[court_mess, "court_code"].str.lower()
    events.loc[offence_mess, "offence_category"] = (
        events.loc[offence_mess, "offence_category"].str.replace("_", " ").str.title()
    )

    out = pd.concat([events, same_file, next_file], ignore_index=True)
    out = out.sort_values("day", kind="stable").reset_index(drop=True)
    return out, counts, len(messy)


CHUNK_CASES = 200_000  # cases generated at a time, to bound memory at large sizes


def generate_extracts(folder: Path | str, cases: int = 2000, days: int = 30, seed: int = SEED) -> Manifest:
    """Write ``days`` daily extract files for ``cases`` cases into ``folder``; return the manifest.

    The folder's old ``court_cases_*.csv`` files are removed first, so the folder
    holds exactly this run's extracts. A ``manifest.json`` beside them records
    what was written and which defects were injected. Cases are made in blocks of
    CHUNK_CASES, each with its own seeded random stream, so large sizes fit in memory.
    """
    if cases < 1 or days < 2:
        raise ValueError(f"need at least 1 case and 2 days, got cases={cases}, days={days}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("court_cases_*.csv"):
        old.unlink()
    manifest = Manifest(str(folder), cases, days, seed, defects=dict.fromkeys(DEFECT_RATES, 0))
    columns = contract.load()
    for day in range(days):
        manifest.files.append(file_name(day))
        (folder / file_name(day)).write_text(",".join(c.name for c in columns) + "\n", encoding="utf-8")
    for chunk, first in enumerate(range(0, cases, CHUNK_CASES)):
        rng = np.random.default_rng([seed, chunk])
        events = _events(rng, min(CHUNK_CASES, cases - first), days, first)
        manifest.clean_events += len(events)
        rows, defects, messy = _inject_defects(rng, events, days)
        rows = _contract_columns(rows, columns, [seed, chunk])
        manifest.messy_rows += messy
        for kind, n in defects.items():
            manifest.defects[kind] += n
        for day, part in rows.groupby("day", sort=True):
            with (folder / file_name(day)).open("a", encoding="utf-8", newline="") as handle:
                part.to_csv(handle, columns=[c.name for c in columns], index=False, header=False, lineterminator="\n")
            manifest.rows += len(part)
    (folder / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
    return manifest


def _contract_columns(rows: pd.DataFrame, columns, seed: list[int]) -> pd.DataFrame:
    """Add each column the contract declares and the generator does not make: one value per
    case, drawn from the column's `synthetic` values (blank without them), blank on deletes
    (a delete sends only the key). Each column draws from a random stream of its own, so a new
    column leaves every other value as it was."""
    cases, _ = pd.factorize(rows["case_id"], sort=True)
    for column in columns:
        if column.name in GENERATED:
            continue
        values = np.array([*column.synthetic] or [""], dtype=object)
        rng = np.random.default_rng([*seed, zlib.crc32(column.name.encode())])
        per_case = values[rng.integers(0, len(values), cases.max() + 1 if len(cases) else 0)]
        rows[column.name] = np.where(rows["op"].to_numpy() == "D", "", per_case[cases])
    return rows


def courts_frame() -> pd.DataFrame:
    """The court reference list as a data frame."""
    return pd.DataFrame(COURTS, columns=["court_code", "court_name", "court_type", "region"])


def _messy_code(row: list[str], court_code: int) -> bool:
    return row[court_code] != row[court_code].strip().upper()


def _title_case(row: list[str], offence: int) -> bool:
    return row[offence][:1].isupper()


def messy_excerpt(manifest: Manifest, head: int = 4) -> tuple[Path, str]:
    """The first file that holds both kinds of fixable mess (a court code padded or in lower
    case, an offence category in title case), and an excerpt of it: its header and first
    `head` rows, then one row of each kind of mess."""
    names = contract.names()
    court_code, offence = names.index("court_code"), names.index("offence_category")
    for path in manifest.paths():
        lines = path.read_text(encoding="utf-8").splitlines()
        rows = [line.split(",") for line in lines[1:]]
        padded = next((",".join(r) for r in rows if _messy_code(r, court_code)), None)
        titled = next((",".join(r) for r in rows if _title_case(r, offence)), None)
        if padded and titled:
            start = [line for line in lines[1:] if line not in (padded, titled)][:head]
            return path, "\n".join([lines[0], *start, "...", padded, titled])
    raise ValueError(
        "No file has both a messy court code and a title-case offence category, as the "
        "notebook's text says one does: did a change to extracts.MESSY_RATE or to the "
        "generator remove them? Change the text to say what the files show."
    )
