"""The checks of the ETL notebook's exercises ("Your turn"): each says done, not done yet, or
what is wrong (``example_output.exercises.Outcome``), and never raises.

Each check reads the files the exercise changes (``rules.toml``, ``contract.toml``) and runs the
pipeline on a small batch of its own, in memory, in well under a second: it does not need the
notebook's earlier cells run again. The tests (tests/test_etl_exercises.py) give each check
other files, through ``rules_path`` and ``contract_path``.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date
from pathlib import Path

from example_output.exercises import Outcome, done, not_yet, wrong

from . import contract, extracts, pipeline, rules

OLD_CASES_RULE = "received_before_2023"
FIRST_DAY = date(2023, 1, 1)
PLEA = "plea"
PLEA_VALUES = {"guilty", "not_guilty"}


@contextlib.contextmanager
def _using(rules_path: Path | str | None, contract_path: Path | str | None):
    """Run the pipeline with these files in place of the package's own, for the time of a check."""
    before = rules.RULES_FILE, contract.CONTRACT_FILE
    rules.RULES_FILE = Path(rules_path) if rules_path is not None else before[0]
    contract.CONTRACT_FILE = Path(contract_path) if contract_path is not None else before[1]
    try:
        yield
    finally:
        rules.RULES_FILE, contract.CONTRACT_FILE = before


def _files_work() -> str | None:
    """None if the contract and the rules can be used; else what is wrong with them."""
    try:
        rules.load()
    except (rules.RulesError, contract.ContractError) as error:
        return str(error)
    return None


@contextlib.contextmanager
def _loaded(paths: list[Path]):
    """These files loaded by the pipeline into an in-memory database: yields its connection."""
    con = pipeline.connect()
    try:
        pipeline.load_files(con, paths)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def _small_load(cases: int = 300, days: int = 4):
    """A small batch from the generator, loaded in memory: yields (connection, manifest). The
    batch's files are written to a temporary folder, which goes with the connection."""
    with tempfile.TemporaryDirectory(prefix="etl-exercise-") as folder:
        manifest = extracts.generate_extracts(Path(folder), cases=cases, days=days, seed=extracts.SEED)
        with _loaded(manifest.paths()) as con:
            yield con, manifest


def check_new_rule(rules_path: Path | str | None = None, contract_path: Path | str | None = None) -> Outcome:
    """Exercise 1: a rule named received_before_2023 quarantines exactly the rows received before 2023."""
    with _using(rules_path, contract_path):
        path = rules.RULES_FILE
        if f'"{OLD_CASES_RULE}"' not in path.read_text(encoding="utf-8") and (
            f"'{OLD_CASES_RULE}'" not in path.read_text(encoding="utf-8")
        ):
            return not_yet(f"{path.name} has no rule named {OLD_CASES_RULE}.")
        problem = _files_work()
        if problem:
            return wrong(problem)
        with _small_load() as (con, _):
            caught = con.execute(
                "SELECT count(*), count(*) FILTER (try_cast(trim(received_date) AS DATE) >= ?), any_value(reason) "
                "FROM quarantine WHERE rule = ?",
                [FIRST_DAY, OLD_CASES_RULE],
            ).fetchall()[0]
            kept = con.execute(
                "SELECT count(*) FROM silver_court_cases WHERE received_date < ?", [FIRST_DAY]
            ).fetchall()[0][0]
    rows, too_new, reason = caught
    if too_new:
        return wrong(
            f"{OLD_CASES_RULE} quarantined {too_new:,} rows received in 2023 or later: the condition "
            "must be true only for a received_date before 2023-01-01."
        )
    if kept:
        return wrong(
            f"silver still holds {kept:,} rows received before 2023: is the condition true for every "
            "received_date before 2023-01-01? (Compare clean_received_date with DATE '2023-01-01'.)"
        )
    if not rows:
        return wrong(f"{OLD_CASES_RULE} quarantined no rows, and the generator makes cases received in 2022.")
    return done(f"{OLD_CASES_RULE} quarantined {rows:,} rows of a small batch, none of 2023; one reason: {reason}")


def _plea_column(missing: str) -> contract.Column | Outcome:
    """The contract's plea column; or what the check says when the contract cannot be read, or
    has no such column (``missing``, the "not done yet" message)."""
    try:
        column = next((c for c in contract.load() if c.name == PLEA), None)
    except contract.ContractError as error:
        return wrong(str(error))
    return not_yet(missing) if column is None else column


def check_new_column(rules_path: Path | str | None = None, contract_path: Path | str | None = None) -> Outcome:
    """Exercise 2: a column plea flows from the raw files to the curated history, with values."""
    with _using(rules_path, contract_path):
        column = _plea_column(f"{contract.CONTRACT_FILE.name} has no column named {PLEA}.")
        if isinstance(column, Outcome):
            return column
        problem = _files_work()
        if problem:
            return wrong(problem)
        with _small_load() as (con, manifest):
            header = manifest.paths()[0].read_text(encoding="utf-8").splitlines()[0]
            curated = [row[0] for row in con.execute("DESCRIBE curated_court_cases").fetchall()]
            values = dict(
                con.execute(f"SELECT {PLEA}, count(*) FROM curated_court_cases GROUP BY ALL").fetchall()
                if PLEA in curated
                else []
            )
            quarantined = con.execute(
                "SELECT rule, any_value(reason) FROM quarantine WHERE reason LIKE ? GROUP BY rule", [f"%{PLEA}%"]
            ).fetchall()
    if PLEA not in header.split(","):
        return wrong(f"the generator's files have no {PLEA} column: their header is {header}.")
    if quarantined:
        rule, reason = quarantined[0]
        return wrong(f"rows are quarantined because of {PLEA} ({rule}: {reason}). Is its type right?")
    if PLEA not in curated:
        return wrong(f"the curated history has no {PLEA} column.")
    found = {value for value in values if value is not None}
    if not found:
        return wrong(
            f'{PLEA} is blank in every version: give it synthetic values, e.g. synthetic = ["guilty", "not_guilty", ""].'
        )
    if found - PLEA_VALUES:
        return wrong(
            f"{PLEA} holds {sorted(found - PLEA_VALUES)}: standardise it to lower case, and use guilty or not_guilty."
        )
    return done(
        f"{PLEA} reaches the curated history: {', '.join(f'{v} {values[v]:,}' for v in sorted(found))} versions."
    )


def check_required_when_completed(
    rules_path: Path | str | None = None, contract_path: Path | str | None = None
) -> Outcome:
    """Exercise 3: plea is required once a case is completed, and only then."""
    with _using(rules_path, contract_path):
        column = _plea_column(f"do exercise 2 first: {contract.CONTRACT_FILE.name} has no column named {PLEA}.")
        if isinstance(column, Outcome):
            return column
        if not column.required:
            return not_yet(f"the {PLEA} column in {contract.CONTRACT_FILE.name} is not required yet.")
        problem = _files_work()
        if problem:
            return wrong(problem)
        names = contract.names()
        row = {
            "case_id": "CASE-000001",
            "court_code": "M201",
            "offence_category": "theft",
            "received_date": "2024-01-02",
            "op": "I",
            "extraction_timestamp": "2024-01-05T02:00:00Z",
        }
        rows = [
            {**row, PLEA: "guilty", "completed_date": "2024-01-04", "outcome": "convicted"},
            {**row, "case_id": "CASE-000002", "completed_date": "2024-01-04", "outcome": "convicted"},
            {**row, "case_id": "CASE-000003"},
            {**row, "case_id": "CASE-000004", "op": "D", "court_code": "", "offence_category": "", "received_date": ""},
        ]
        lines = [",".join(names), *(",".join(r.get(name, "") for name in names) for r in rows)]
        with tempfile.TemporaryDirectory(prefix="etl-exercise-") as folder:
            path = Path(folder) / "court_cases_2024-01-05.csv"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            with _loaded([path]) as con:
                judged = dict(con.execute("SELECT case_id, rule || ': ' || reason FROM quarantine").fetchall())
    wrongly = {case: why for case, why in judged.items() if case != "CASE-000002"}
    if wrongly:
        what = {"CASE-000001": "a completed case with a plea", "CASE-000003": "an open case with no plea",
                "CASE-000004": "a delete (which sends only the key)"}  # fmt: skip
        case, why = sorted(wrongly.items())[0]
        return wrong(f"{what[case]} was quarantined ({why}): {PLEA} must be required only once a case is completed.")
    reason = judged.get("CASE-000002", "")
    if not reason.startswith("missing_required") or PLEA not in reason:
        return wrong(
            f"a completed case with no {PLEA} was loaded, not quarantined as missing_required: make "
            f"{PLEA} required when clean_completed_date IS NOT NULL."
        )
    with _using(rules_path, contract_path):
        with _small_load() as (con, manifest):
            found = dict(con.execute("SELECT rule, count(*) FROM quarantine GROUP BY rule").fetchall())
    planted = manifest.expected_quarantine()
    if found.get("missing_required", 0) > planted.get("missing_required", 0):
        return wrong(
            f"the generator still makes completed cases with no {PLEA}, which the notebook's data-quality "
            f'check stops on: take "" out of the synthetic values of {PLEA}.'
        )
    return done(f"a completed case with no {PLEA} is quarantined ({reason}); an open case without one loads.")
