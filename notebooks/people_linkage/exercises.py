"""The checks of the linkage example's exercises ("Your turn", in part 1 and in part 2): done, not
done yet, or what is wrong.

Each check takes what the learner changed, as the notebook holds it (its ``blocking_rules``,
``comparisons`` or ``linker``, a threshold, a registered source), and returns an
``example_output.exercises.Outcome``. A check never raises on an untouched exercise, and never
trains a model at full size: it works on the objects it is given, or on a small prepared sample
(``sample()``).
"""

from __future__ import annotations

import functools
import re
import tempfile
import warnings
from pathlib import Path

import duckdb
import pandas as pd

from example_output.exercises import Outcome, done, not_yet, wrong

from . import linkage, people, prepare

SAMPLE_PEOPLE = 1_000  # the size of the small sample the checks count comparisons on


@functools.cache
def sample(size: int = SAMPLE_PEOPLE) -> dict:
    """A small prepared sample (``size`` people at the default seed), made once per size."""
    with tempfile.TemporaryDirectory(prefix="linkage_exercises_") as folder:
        people.generate(size, people.SEED).write(Path(folder))
        return prepare.prepare(prepare.load_extracts(Path(folder))).people


# --- Part 1: people_linkage.ipynb ---


def _sql(rule) -> str:
    return rule if isinstance(rule, str) else rule.get_blocking_rule("duckdb").blocking_rule_sql


def _joined_columns(sql: str) -> set[str]:
    """The columns a blocking rule joins on equal values: l.x = r.x."""
    return {
        left for left, right in re.findall(r'l\."?([a-z_]+)"?\s*=\s*r\."?([a-z_]+)"?', sql.lower()) if left == right
    }


def check_blocking_rule(blocking_rules: list) -> Outcome:
    """Part 1, exercise 1: a blocking rule on first name and postcode, judged by what it adds."""
    from splink import DuckDBAPI

    rules = list(blocking_rules)
    counts = linkage.count_comparisons(linkage.register(DuckDBAPI(), sample()), rules)
    total = counts[-1]["cumulative_comparison_count"]
    for rule, count in zip(rules, counts, strict=True):
        adds = count["marginal_comparison_count"]
        if adds > total - adds:
            return wrong(
                f"the rule {_sql(rule)} adds {adds:,} comparisons on a sample of {SAMPLE_PEOPLE:,} "
                f"people, more than all the other rules together ({total - adds:,}): it is too "
                "loose. Join on more columns, such as first_name and postcode together."
            )
    for rule, count in zip(rules, counts, strict=True):
        if _joined_columns(_sql(rule)) == {"first_name", "postcode"}:
            return done(
                f"block_on('first_name', 'postcode') adds {count['marginal_comparison_count']:,} "
                f"comparisons to the {total - count['marginal_comparison_count']:,} of the other rules "
                f"on a sample of {SAMPLE_PEOPLE:,} people: cheap, so worth keeping if it finds true pairs."
            )
    return not_yet("no blocking rule joins on first_name and postcode, and nothing else.")


# Pairs of dates of birth, and the level each must fall into once the exercise is done.
DOB_PAIRS = {
    "same date": ("1980-03-14", "1980-03-14"),
    "day and month swapped": ("1980-03-04", "1980-04-03"),
    "same year only": ("1980-03-14", "1980-11-27"),
    "another year": ("1980-03-14", "1983-08-02"),
}
NEW_DOB_LEVEL = "same year only"


def dob_levels(comparisons: list) -> tuple[list[str], dict[str, str]]:
    """The date of birth comparison's level labels, in order, and the level each of ``DOB_PAIRS`` falls into."""
    found = [c.get_comparison("duckdb") for c in comparisons]
    dob = next(c for c in found if c.output_column_name == "dob")
    levels = dob.comparison_levels
    cases = " ".join(
        f"WHEN {level.sql_condition} THEN {i}" for i, level in enumerate(levels) if not level._is_else_level
    )
    rows = ", ".join(f"('{name}', '{left}', '{right}')" for name, (left, right) in DOB_PAIRS.items())
    query = f"SELECT name, CASE {cases} ELSE {len(levels) - 1} END FROM (VALUES {rows}) AS pairs(name, dob_l, dob_r)"
    labels = [level.label_for_charts for level in levels]
    return labels, {name: labels[index] for name, index in duckdb.sql(query).fetchall()}


def check_comparison_level(comparisons: list) -> Outcome:
    """Part 1, exercise 2: a level for dates of birth in the same year, above "All other comparisons"."""
    if not any(c.get_comparison("duckdb").output_column_name == "dob" for c in comparisons):
        return wrong("there is no comparison named dob: keep the date of birth comparison and add a level to it.")
    labels, level_of = dob_levels(comparisons)
    expected = {"same date": "Exact match on dob", "day and month swapped": "Day and month swapped"}
    for pair, label in expected.items():
        if level_of[pair] != label:
            return wrong(
                f"a pair with the {pair} {DOB_PAIRS[pair]} now falls into the level {level_of[pair]!r}, "
                f"not {label!r}: levels are tried from the top, so put the new level lower, "
                "just above cll.ElseLevel()."
            )
    else_label = labels[-1]
    if level_of["another year"] != else_label:
        return wrong(
            f"dates in different years {DOB_PAIRS['another year']} fall into {level_of['another year']!r}: "
            "its condition must compare the year, substr(dob_l, 1, 4) = substr(dob_r, 1, 4)."
        )
    if level_of[NEW_DOB_LEVEL] == else_label:
        return not_yet("dates of birth in the same year and nothing else alike still fall into the last level.")
    return done(
        f"dates of birth in the same year {DOB_PAIRS[NEW_DOB_LEVEL]} fall into {level_of[NEW_DOB_LEVEL]!r}, "
        f"level {labels.index(level_of[NEW_DOB_LEVEL])} of {len(labels)}; the others where they were."
    )


def em_sessions_of(linker, column: str) -> list[str]:
    """The blocking rules of the EM sessions that estimated ``column``'s m, from the linker's own record."""
    comparison = next(c for c in linker._settings_obj.comparisons if c.output_column_name == column)
    rules = []
    for level in comparison.comparison_levels:
        for trained in level._trained_m_probabilities:
            rule = str(trained.get("description", "")).removeprefix("EM, blocked on: ")
            if rule not in rules and str(trained.get("description", "")).startswith("EM"):
                rules.append(rule)
    return rules


def em_rules(linker) -> list[str]:
    """The blocking rule of every EM session the linker has run, whichever comparisons it estimated."""
    rules = []
    for comparison in linker._settings_obj.comparisons:
        for rule in em_sessions_of(linker, comparison.output_column_name):
            if rule not in rules:
                rules.append(rule)
    return rules


def check_training_step(linker) -> Outcome:
    """Part 1, exercise 3: a third EM session, blocked on postcode, that estimates the names' m."""
    on_postcode = [rule for rule in em_rules(linker) if "postcode" in _joined_columns(rule)]
    if not on_postcode:
        return not_yet("no session of expectation maximisation has blocked on postcode.")
    names = em_sessions_of(linker, "first_name")
    if not any(rule in names for rule in on_postcode):
        return wrong(
            f"your session blocks on {on_postcode[0]}, which includes first_name, so it cannot estimate "
            "first_name's m (every pair it sees agrees on it). Block on postcode alone."
        )
    return done(
        f"first_name's m now comes from {len(names)} sessions, one blocked on postcode; Splink averages them. "
        "Compare the match weights chart with the one before."
    )


# ---------------------------------------------------------------------------------------------
# Part 2 (people_linkage_accuracy.ipynb): the clerical review and the registry of sources.
# ---------------------------------------------------------------------------------------------

PRECISION_TARGET = 0.965  # exercise 1's target: links right at least this often, at 95 % confidence
EXERCISE_PEOPLE = 200  # exercise 3's check generates this many people: small, so it is quick


def check_threshold_for_target(threshold, estimated: pd.DataFrame, target: float = PRECISION_TARGET) -> Outcome:
    """Exercise 1: ``threshold`` is the lowest threshold whose interval's low end (``estimated``,
    from ``clerical.estimate``) reaches ``target``."""
    if threshold is None:
        return not_yet("set my_threshold to the lowest threshold whose interval starts at or above the target.")
    meets = estimated[estimated["low"] >= target]
    answer = float(meets["threshold"].min()) if len(meets) else None
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        return wrong(f"my_threshold is {threshold!r}: it should be a threshold from the table, a number.")
    if threshold != threshold:  # NaN: the answer when no threshold meets the target
        if answer is None:
            return done(f"no threshold meets the target of {target:.1%}: review more pairs, or settle for less.")
        return wrong(f"my_threshold is not a number, but {answer:g} meets the target: choose from its rows.")
    row = estimated[estimated["threshold"] == threshold]
    if row.empty:
        return wrong(f"{threshold:g} is not one of the thresholds the review estimated: choose one of its rows.")
    low = float(row["low"].iloc[0])
    if low < target:
        return wrong(
            f"at {threshold:g} the interval starts at {low:.4f}, below the target of {target:.1%}: the links "
            "could be right less often than that. Look at the low column, not the estimate."
        )
    if answer is not None and threshold > answer:
        extra = int(estimated.loc[estimated["threshold"] == answer, "links"].iloc[0] - row["links"].iloc[0])
        return wrong(
            f"{threshold:g} meets the target, but so does the lower {answer:g}, which keeps {extra:,} more links: "
            "choose the lowest threshold that meets it."
        )
    return done(f"{threshold:g} is the lowest threshold whose links are right at least {target:.1%} of the time "
                f"with 95% confidence (the interval starts at {low:.4f}).")  # fmt: skip


def check_smaller_review(smaller, estimated: pd.DataFrame, threshold: float) -> Outcome:
    """Exercise 2: ``smaller`` is ``clerical.estimate`` of a review of fewer pairs than ``estimated``'s;
    the outcome compares the two intervals at ``threshold``."""
    if smaller is None:
        return not_yet("set smaller to clerical.estimate(...) of a review of fewer pairs.")
    if not isinstance(smaller, pd.DataFrame) or not {"threshold", "reviewed", "low", "high"} <= set(smaller.columns):
        return wrong(
            "smaller should be the table clerical.estimate returns (with threshold, reviewed, low and high), "
            "not the sample: pass the sample through clerical.bands, then clerical.estimate."
        )
    full, few = (int(table["reviewed"].max()) for table in (estimated, smaller))
    if few >= full:
        return wrong(f"the smaller review has {few:,} pairs, and the first one {full:,}: draw fewer (size=...).")
    at = [table[table["threshold"] == threshold].iloc[0] for table in (estimated, smaller)]
    widths = [float(row["high"] - row["low"]) for row in at]
    change = "wider" if widths[1] > widths[0] else "no wider, by the luck of the draw"
    return done(
        f"with {few:,} pairs instead of {full:,}, the interval at {threshold:g} is {widths[1]:.4f} wide instead of "
        f"{widths[0]:.4f}: {change}. Fewer pairs cost less time and say less."
    )


def check_fourth_source(where: list[Path] | None = None, people_count: int = EXERCISE_PEOPLE) -> Outcome:
    """Exercise 3: a source registered beside the three systems (in ``where``: the registry's folders)
    is made by the generator, read and standardised like the others, on a small data set."""
    from . import people, prepare, registry

    try:
        sources = registry.load(where)
    except registry.RegistryError as error:
        return wrong(f"the registry cannot read it: {error}")
    extra = [name for name in sources if name not in people.SOURCES]
    if not extra:
        return not_yet(f"only {', '.join(sources)} are registered: add a file to people_linkage/sources/.")
    lacking = [name for name in extra if sources[name].synthetic is None]
    if lacking:
        return wrong(
            f"{', '.join(lacking)} has no [synthetic] table, so the synthetic data has no extract for it: add "
            '[synthetic] with like = "probation" and a share.'
        )
    made = people.generate(people_count, sources=sources)
    try:
        with warnings.catch_warnings():  # a column it leaves out is blank: that is allowed
            warnings.simplefilter("ignore", prepare.InputWarning)
            prepared = prepare.prepare(made.extracts, sources)
    except prepare.SourceError as error:
        return wrong(str(error))
    said = []
    for name in extra:
        table = prepared.people[name]
        others = pd.concat([t for source, t in prepared.people.items() if source != name])
        keys = ["first_name", "last_name", "dob"]
        shared = table.dropna(subset=keys).merge(others[keys].dropna().drop_duplicates(), on=keys)
        said.append(f"{name}: {len(table):,} records, {len(shared):,} of them with the name and date of birth "
                    "of a record in another source")  # fmt: skip
    return done("; ".join(said) + ". Run the notebooks from the top: the model links it with the others.")
