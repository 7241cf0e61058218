"""The checks of the linkage notebooks' "Your turn" exercises: each says done, not done yet, or
what is wrong (``example_output.exercises.Outcome``), and never raises on an untouched exercise.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from example_output.exercises import Outcome, done, not_yet, wrong

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
