"""The promises the ETL notebook checks, each saying what broke and what to do.

The notebook is for changing: a learner adds a rule, a column or a new way of loading, and
runs it again. A bare ``assert`` would stop it with no word of why. Each function here checks
one promise the notebook's text makes, and raises ``PromiseBroken`` with what it found, what
was expected and where to look:

    checks.nothing_changed(con, before, history, "a load that failed half way through")
    checks.every_row_accounted_for(reconciliation, manifest.rows)
    checks.rules_catch_the_injected_defects(found, manifest.expected_quarantine())
    checks.quarantine_against_the_defects(found, manifest.expected_quarantine())  # explains a new rule

The last is the notebook's data-quality check. A learner who adds a rule (rules.toml) changes
what is quarantined on purpose: that check then says what the new rule did beside the defects
the generator planted, and the notebook goes on; it stops only when a rule the generator plants
defects for caught more of them than planted, or fewer than a new rule can explain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd

from . import pipeline


class PromiseBroken(AssertionError):
    """A promise the notebook's text makes about the pipeline does not hold for this run."""


def _fail(found: str, todo: str) -> None:
    raise PromiseBroken(f"{found}\nWhat to do: {todo}")


def _changes(before: Mapping[str, int], after: Mapping[str, int]) -> list[str]:
    return [
        f"{table} {before.get(table, 0):,} -> {after.get(table, 0):,} rows"
        for table in sorted(before.keys() | after.keys())
        if before.get(table) != after.get(table)
    ]


def _history_changes(before: pd.DataFrame, after: pd.DataFrame) -> str:
    if len(before) != len(after):
        return f"the curated history went from {len(before):,} to {len(after):,} versions"
    if list(before.columns) != list(after.columns):
        return f"the curated history's columns changed: {list(before.columns)} -> {list(after.columns)}"
    differ = (before.ne(after) & ~(before.isna() & after.isna())).any(axis=1)
    cases = before.loc[differ, "case_id"].drop_duplicates().head(3).tolist()
    return (
        f"{int(differ.sum()):,} versions of the curated history changed (cases {', '.join(map(str, cases))} among them)"
    )


def nothing_changed(
    con: duckdb.DuckDBPyConnection, before: Mapping[str, int], history: pd.DataFrame, after_what: str
) -> None:
    """After `after_what`, every table holds the rows it held and the history is the same."""
    counts = pipeline.table_counts(con, tuple(before))
    state = pipeline.curated_state(con)
    changed = _changes(before, counts)
    if changed or not state.equals(history):
        what = "; ".join(changed) if changed else _history_changes(history, state)
        _fail(
            f"After {after_what}, the tables should be as they were, but {what}.",
            "a load must change everything or nothing, and a file loaded before must be skipped. "
            "If you changed pipeline.py, keep each batch in one transaction (BEGIN ... COMMIT, "
            "ROLLBACK on any error) and look the file up in the loads table before loading it; "
            "if you changed a step in sql/, make sure it writes only the rows of the batch it loads.",
        )


def same_history(other: pd.DataFrame, history: pd.DataFrame, how: str) -> None:
    """The curated history built `how` equals the one built in date order."""
    if not other.equals(history):
        _fail(
            f"Loaded {how}, the curated history differs from the one loaded in date order: "
            f"{_history_changes(history, other)}.",
            "each version must be ordered by its extraction time, not by when its file arrived. "
            "If you changed sql/curated.sql, rebuild the versions of every case a batch touches "
            "from all its events in silver, ordered by extraction_timestamp.",
        )


def all_skipped(results: Iterable[pipeline.LoadResult]) -> None:
    """Every file sent again was recognised as already loaded."""
    loaded = [r.file_name for r in results if r.status != "already loaded"]
    if loaded:
        _fail(
            f"Sent again, {len(loaded)} file(s) were not skipped as already loaded: {', '.join(loaded[:3])}.",
            "the pipeline must know each file it has loaded by its content. If you changed "
            "pipeline.py or sql/land.sql, keep the check of the loads table before a file is landed.",
        )


def every_row_accounted_for(reconciliation: pd.DataFrame, rows_written: int) -> None:
    """For each file, rows read = rows landed = rows loaded + rows quarantined; and the files
    together hold every row the generator wrote."""
    short = reconciliation[reconciliation.rows_read != reconciliation.rows_landed]
    lost = reconciliation[reconciliation.rows_read != reconciliation.rows_loaded + reconciliation.rows_quarantined]
    for frame, found, todo in (
        (
            short,
            "rows read and rows landed differ",
            "sql/land.sql must land every row it reads, as text, with none dropped or added.",
        ),
        (
            lost,
            "rows read are not rows loaded plus rows quarantined",
            "every row must go to silver or to the quarantine, never both or neither: "
            "if you added a rule in sql/validate.sql, give it a reason as well as a condition.",
        ),
    ):
        if len(frame):
            first = frame.iloc[0]
            _fail(
                f"In {len(frame)} file(s) {found}: {first.file_name} read {first.rows_read:,}, landed "
                f"{first.rows_landed:,}, loaded {first.rows_loaded:,}, quarantined {first.rows_quarantined:,}.",
                todo,
            )
    total = int(reconciliation.rows_read.sum())
    if total != rows_written:
        _fail(
            f"The files hold {rows_written:,} rows, and the pipeline read {total:,}.",
            "a file was read short or twice: see the reconciliation table above, and preflight.py's count of its records.",
        )


def rules_catch_the_injected_defects(found: Mapping[str, int], expected: Mapping[str, int]) -> None:
    """Each rule quarantined exactly the rows the generator spoiled for it, no more, no fewer."""
    new = {rule: n for rule, n in found.items() if rule not in expected}
    missing = {rule: n for rule, n in expected.items() if n and rule not in found}
    differ = {rule: (found[rule], n) for rule, n in expected.items() if rule in found and found[rule] != n}
    lines = [
        *(
            f"a new rule {rule!r} quarantined {n:,} rows; the synthetic data's expected defects do not include it"
            for rule, n in sorted(new.items())
        ),
        *(
            f"rule {rule!r} quarantined no rows, but the generator spoiled {n:,} for it"
            for rule, n in sorted(missing.items())
        ),
        *(
            f"rule {rule!r} quarantined {got:,} rows, but the generator spoiled {want:,} for it"
            for rule, (got, want) in sorted(differ.items())
        ),
    ]
    if lines:
        _fail(
            "The rules did not catch exactly the defects the generator injected: " + "; ".join(lines) + ".",
            "a rule that is new, or stricter, also quarantines rows the generator meant to be good. "
            "If that is what you want, teach the generator the defect too (extracts.DEFECT_RATES and "
            "DEFECT_RULES), so that the data's expected defects include it; otherwise narrow the "
            "rule's condition in sql/validate.sql. A rule that caught fewer rows than before has "
            "been loosened or renamed: its name must be the rule the generator expects.",
        )


@dataclass(frozen=True)
class Finding:
    """What a check found when it did not stop the notebook: ``ok`` if exactly as promised."""

    ok: bool
    text: str

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def quarantine_against_the_defects(found: Mapping[str, int], expected: Mapping[str, int]) -> Finding:
    """The quarantine, rule by rule, against the defects the generator planted.

    Exactly as planted: ``ok``. A rule the generator plants nothing for (a learner's new rule,
    in rules.toml) that quarantined rows is explained, not stopped; so are rows it took from a
    planted rule that comes after it. A planted rule that caught more rows than planted, or
    fewer than the new rules can account for, stops the notebook (PromiseBroken)."""
    new = {rule: n for rule, n in found.items() if rule not in expected and n}
    more = {rule: (found[rule], n) for rule, n in expected.items() if found.get(rule, 0) > n}
    fewer = {rule: (found.get(rule, 0), n) for rule, n in expected.items() if found.get(rule, 0) < n}
    taken = sum(want - got for got, want in fewer.values())
    if more or taken > sum(new.values()):
        rules_catch_the_injected_defects(found, expected)  # stops, saying which rule and what to do
    if not new:
        return Finding(True, "Each rule quarantined exactly the rows the generator spoiled for it.")
    lines = [
        f"The new rule {rule!r} quarantined {n:,} rows that the generator did not plant as defects."
        for rule, n in sorted(new.items())
    ]
    if fewer:
        lines.append(
            "It took "
            + "; ".join(
                f"{want - got:,} of the {want:,} rows planted for {rule!r}" for rule, (got, want) in fewer.items()
            )
            + ": a row is quarantined under the first rule it breaks, and the new rule comes first."
        )
    lines.append(
        "What to do: nothing, if those rows are bad: the generator knows only the defects it plants. "
        "To make the check exact again, teach the generator the defect (extracts.DEFECT_RATES and "
        "DEFECT_RULES). If those rows are good, narrow the rule's condition in rules.toml."
    )
    return Finding(False, "\n".join(lines))


def versions_follow_each_other(case_id: str, versions: pd.DataFrame) -> None:
    """A case that changed several times: each version starts when the one before ends, and only
    the last is current."""
    ends = versions.mojap_end_datetime.to_numpy()[:-1]
    starts = versions.mojap_start_datetime.to_numpy()[1:]
    problems = [
        f"it has {len(versions)} versions, not several" if len(versions) < 3 else "",
        "a version does not start when the one before ends" if (ends != starts).any() else "",
        "not only its last version is current"
        if versions.mojap_current_record.tolist() != [False] * (len(versions) - 1) + [True]
        else "",
    ]
    if any(problems):
        _fail(
            f"The history of {case_id} is not what the text above says: " + "; ".join(filter(None, problems)) + ".",
            "if you changed sql/curated.sql, check how it opens and closes versions.",
        )


def deleted_case_keeps_its_past(case_id: str, versions: pd.DataFrame) -> None:
    """A deleted case keeps its versions, none of them current."""
    if versions.empty or versions.mojap_current_record.any():
        _fail(
            f"{case_id} was deleted: it should keep its versions, none of them current. It has "
            f"{len(versions)}, {int(versions.mojap_current_record.sum())} current.",
            "if you changed sql/curated.sql, check how it closes a case on op = 'D'.",
        )
