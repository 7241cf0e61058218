"""What the linkage notebook's text says about a run: the figures it quotes, and its claims, checked.

The notebook runs at any seed and size (the tests run it again at another of each), so its
text must say what every run shows. A figure the text quotes is glued from the cell that
computes it (``glue``) and shown with ``{glue:text}``. A claim the text makes in words
("nearly all wrong links join twins") is checked, in the cell that computes what it is about,
by the function here named for it: if a change to the data or the model makes the claim
untrue, the notebook stops there with ``TextNoLongerHolds``, saying what the text says, what
the run found, and what to do.
"""

from __future__ import annotations

import myst_nb
import pandas as pd

from .linkage import INPUT_COLUMNS


class TextNoLongerHolds(AssertionError):
    """A claim the notebook's text makes about its output is not true of this run."""


def check(holds: bool, says: str, found: str) -> None:
    """Raise TextNoLongerHolds unless `holds`: the text `says` something this run did not find."""
    if not holds:
        raise TextNoLongerHolds(
            f"The text says {says}, but this run found {found}. Change the text to say what the "
            "run shows (with figures glued from it), or find what changed in the data or the model."
        )


def glue(**figures) -> None:
    """Glue each figure under its name for the text to quote (``{glue:text}`name:,.0f```), as a plain
    Python value: myst-nb formats a figure from its text form, and numpy's (``np.float64(0.5)``) is
    not a number to it."""
    for name, value in figures.items():
        myst_nb.glue(name, value.item() if hasattr(value, "item") else value, display=False)


def every_record_comes_out(extracts: dict, prepared, columns: int) -> None:
    """prepare returns every record of each extract, in the same `columns` columns for every system."""
    for source, (frame, _) in extracts.items():
        table = prepared.people[source]
        check(
            len(table) == len(frame) and list(table.columns) == list(INPUT_COLUMNS) and len(INPUT_COLUMNS) == columns,
            f"every record of each extract comes out of prepare, in the same {columns} columns",
            f"{len(table):,} of the {len(frame):,} {source} records, in the columns {list(table.columns)}",
        )


def names_always_there_courts_fewest_pnc_and_postcodes(present: pd.DataFrame) -> None:
    """`present`: the share of records holding each value, a row per system."""
    check(
        (present[["first_name", "last_name"]] == 1).all().all()
        and present["pnc"].idxmin() == "courts"
        and present["postcode"].idxmin() == "courts",
        "names are always there, and the courts hold a PNC number and a postcode less often than the other systems",
        f"these shares of records holding each value: {present.round(3).to_dict('index')}",
    )


def true_pairs_share_a_date_of_birth_strangers_rarely_swapped(exact, swapped) -> None:
    """`exact`, `swapped`: the m and u of the date of birth's exact and day-and-month-swapped levels."""
    check(
        exact.m_probability > 0.5 and swapped.u_probability < exact.u_probability < 0.01,
        "most true pairs share a date of birth, strangers rarely do, and show it with day and month "
        "swapped even less often",
        f"an exact date of birth in {exact.m_probability:.1%} of true pairs and 1 in "
        f"{1 / exact.u_probability:,.0f} random pairs, day and month swapped in 1 in {1 / swapped.u_probability:,.0f}",
    )


def a_pair_with_day_and_month_swapped(candidates: pd.DataFrame) -> None:
    check(
        len(candidates) > 0,
        "the waterfall chart shows a pair whose dates of birth have day and month swapped",
        "no scored pair with day and month swapped (choose another pair for the chart)",
    )


def raising_the_threshold_trades_recall_for_precision(accuracy: pd.DataFrame) -> None:
    lowest, highest = accuracy.iloc[0], accuracy.iloc[-1]
    check(
        highest["precision"] > lowest["precision"] and highest["recall"] < lowest["recall"],
        "raising the threshold trades recall for precision",
        f"from threshold {lowest['threshold']:g} to {highest['threshold']:g}, precision from "
        f"{lowest['precision']:.4f} to {highest['precision']:.4f} and recall from {lowest['recall']:.4f} to "
        f"{highest['recall']:.4f}",
    )


def the_chosen_threshold_has_the_best_f1(accuracy: pd.DataFrame, chosen: float) -> None:
    at = accuracy[accuracy["threshold"] == chosen]["f1"]
    check(
        len(at) == 1 and at.iloc[0] == accuracy["f1"].max(),
        "the chosen threshold is the one with the best F1 (evaluate.choose_threshold)",
        f"F1 {at.round(4).tolist()} at {chosen:g}, and at best {accuracy['f1'].max():.4f}",
    )


def clusters_gain_recall_and_lose_precision(clusters: dict, links) -> None:
    """`clusters`: evaluate.cluster_scores; `links`: the accuracy table's row at the chosen threshold."""
    check(
        clusters["recall"] > links["recall"] and clusters["precision"] < links["precision"],
        "clusters do better than links on recall and worse on precision",
        f"recall {clusters['recall']:.4f} for clusters and {links['recall']:.4f} for links, precision "
        f"{clusters['precision']:.4f} and {links['precision']:.4f}",
    )


def nearly_all_wrong_links_join_twins(
    wrong: int, of_twins: int, with_two_pnc: int, different: dict[str, float], shown: int
) -> None:
    """`wrong` links, `of_twins` of them join twins, `with_two_pnc` of those with a PNC number on both
    sides; `different`: the weight of a different value, by comparison; `shown`: links in the table."""
    check(
        wrong >= shown and of_twins >= 0.9 * wrong and with_two_pnc > 0 and different["first_name"] > different["dob"],
        f"nearly all wrong links join twins ({shown} shown), some even with a PNC number on both sides, and a "
        "different first name is weaker evidence against a match than a different date of birth",
        f"{of_twins:,} of {wrong:,} wrong links join twins, {with_two_pnc:,} of them with a PNC number on both "
        f"sides, and these weights of a different value: {different}",
    )


def most_missed_pairs_carry_two_problems(missed: int, with_two: int, shown: int) -> None:
    check(
        missed >= shown and with_two > missed / 2,
        f"most missed pairs carry two errors at once, or an error and a blank ({shown} shown)",
        f"{with_two:,} of the {missed:,} missed pairs do",
    )


def errors_with_a_level_are_linked_more_often_than_the_worst(recall: pd.Series, with_a_level: list[str]) -> None:
    """`recall`: the share linked of the true pairs with each kind of error, worst first."""
    check(
        (recall[with_a_level] > recall.iloc[0]).all(),
        f"the errors the model has a level for ({', '.join(with_a_level)}) are linked more often than the "
        "worst handled",
        f"{recall.index[0]} linked least often ({recall.iloc[0]:.3f}), and {recall[with_a_level].round(3).to_dict()}",
    )


def the_answer_moves_little_with_the_threshold(answers: pd.Series, truth: int) -> None:
    """`answers`: the answer at each threshold. Little: within 5 % of the truth from lowest to highest."""
    check(
        answers.max() - answers.min() <= 0.05 * truth,
        "the answer moves little with the threshold (by at most 5% of the truth)",
        f"answers from {answers.min():,} to {answers.max():,} against a truth of {truth:,}",
    )


# Part 2's claims, added for issue 19 (a fourth source can leave no twins with a PNC number each).


def nearly_all_wrong_links_join_twins_whatever_their_pnc(
    wrong: int, of_twins: int, different: dict[str, float], shown: int
) -> None:
    """As ``nearly_all_wrong_links_join_twins``, without claiming that some twins have a PNC number
    each: the text says how many do, from the data (glued)."""
    check(
        wrong >= shown and of_twins >= 0.9 * wrong and different["first_name"] > different["dob"],
        f"nearly all wrong links join twins ({shown} shown), and a different first name is weaker evidence "
        "against a match than a different date of birth",
        f"{of_twins:,} of {wrong:,} wrong links join twins, and these weights of a different value: {different}",
    )
