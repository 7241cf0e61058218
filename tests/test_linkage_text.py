"""What the linkage notebook's text rests on: the size and seed it runs at, the figures it
glues and the claims it checks (people_linkage.claims), and the words it uses for errors.

The notebook runs at any seed and size, and says what every run shows: each claim it makes in
words is checked by a function of ``claims``. Each check here is given a run for which its
claim holds, then one for which it does not, and must stop the second with a message that says
what the text says and what the run found.
"""

from __future__ import annotations

import pandas as pd
import pytest

from people_linkage import claims, evaluate, linkage, people


def test_the_notebook_runs_at_the_seed_and_size_the_tests_ask_for(monkeypatch):
    monkeypatch.delenv("EXAMPLES_SEED", raising=False)
    monkeypatch.delenv("EXAMPLES_SCALE", raising=False)
    assert people.default_size() == (people.PEOPLE, people.SEED)
    monkeypatch.setenv("EXAMPLES_SEED", "7")
    monkeypatch.setenv("EXAMPLES_SCALE", "0.01")
    assert people.default_size() == (round(people.PEOPLE * 0.01), 7)
    made = people.generate()  # the defaults follow too
    assert made.seed == 7 and len(made.people) == round(people.PEOPLE * 0.01)


def test_every_kind_of_error_has_words():
    kinds = [*people.NAME_ERRORS, *people.DOB_ERRORS, "sex_wrong", "moved house", "none of these"]
    kinds += [f"no {value}" for value in ("dob", "postcode", "pnc")]
    missing = [kind for kind in kinds if kind.replace("_", " ") not in evaluate.ERROR_WORDS]
    assert not missing, f"evaluate.ERROR_WORDS has no words for {missing}: the notebook's text names them"
    assert evaluate.in_words("a kind still to name") == "a kind still to name"


def test_problems_counts_errors_and_blanks_but_not_a_blank_pnc():
    records = pd.DataFrame(
        [
            # source, record_id, person_id, name_error, dob_error, sex_error, missing
            ("courts", "C1", "p1", "nickname", "", "", "pnc"),
            ("prison", "P1", "p1", "", "dob_typo", "", "postcode"),
            ("courts", "C2", "p2", "", "", "", "pnc"),
            ("prison", "P2", "p2", "", "", "sex_wrong", ""),
        ],
        columns=["source", "record_id", "person_id", "name_error", "dob_error", "sex_error", "missing"],
    )
    pairs = pd.DataFrame(
        [("courts", "C1", "prison", "P1"), ("courts", "C2", "prison", "P2")],
        columns=["source_l", "id_l", "source_r", "id_r"],
    )
    assert evaluate.problems(pairs, records).tolist() == [3, 1]
    with pytest.raises(ValueError, match="not in the truth"):
        evaluate.problems(pairs.assign(id_r="P9"), records)


def says(call) -> str:
    with pytest.raises(claims.TextNoLongerHolds) as raised:
        call()
    message = str(raised.value)
    assert message.startswith("The text says ") and "Change the text" in message, message
    return message


def test_a_claim_that_does_not_hold_stops_the_notebook_saying_what_it_found():
    claims.check(True, "anything", "nothing")
    assert "but this run found 3 wrong links" in says(lambda: claims.check(False, "none", "3 wrong links"))


def accuracy(precision, recall, f1=(0.97, 0.98)):
    return pd.DataFrame({"threshold": [0.1, 0.9], "precision": precision, "recall": recall, "f1": f1})


# Each claim: its function, arguments for which it holds, arguments for which it does not, and
# what its message must say that this run found.
CLAIMS = [
    (
        "raising_the_threshold_trades_recall_for_precision",
        [accuracy((0.97, 0.99), (0.99, 0.97))],
        [accuracy((0.97, 0.96), (0.99, 0.97))],
        "precision from 0.9700 to 0.9600",
    ),
    (
        "the_chosen_threshold_has_the_best_f1",
        [accuracy((0.97, 0.99), (0.99, 0.97)), 0.9],
        [accuracy((0.97, 0.99), (0.99, 0.97)), 0.1],
        "F1 [0.97] at 0.1",
    ),
    (
        "clusters_gain_recall_and_lose_precision",
        [{"recall": 0.99, "precision": 0.96}, {"recall": 0.98, "precision": 0.97}],
        [{"recall": 0.99, "precision": 0.98}, {"recall": 0.98, "precision": 0.97}],
        "precision 0.9800 and 0.9700",
    ),
    (
        "nearly_all_wrong_links_join_twins",
        [100, 95, 10, {"first_name": -4.0, "dob": -9.0}, 4],
        [100, 80, 10, {"first_name": -4.0, "dob": -9.0}, 4],
        "80 of 100 wrong links join twins",
    ),
    (
        "most_missed_pairs_carry_two_problems",
        [10, 6, 5],
        [10, 5, 5],
        "5 of the 10 missed pairs",
    ),
    (
        "errors_with_a_level_are_linked_more_often_than_the_worst",
        [pd.Series({"no dob": 0.8, "initial only": 0.9}), ["initial only"]],
        [pd.Series({"initial only": 0.8, "no dob": 0.9}), ["initial only"]],
        "initial only linked least often (0.800)",
    ),
    (
        "the_answer_moves_little_with_the_threshold",
        [pd.Series([800, 812]), 812],
        [pd.Series([700, 812]), 812],
        "answers from 700 to 812",
    ),
    (
        "a_pair_with_day_and_month_swapped",
        [pd.DataFrame({"dob_l": ["2003-02-08"]})],
        [pd.DataFrame({"dob_l": []})],
        "no scored pair",
    ),
    (
        "names_always_there_courts_fewest_pnc_and_postcodes",
        [
            pd.DataFrame(
                {"first_name": [1.0, 1.0], "last_name": [1.0, 1.0], "pnc": [0.3, 0.8], "postcode": [0.9, 0.95]},
                index=["courts", "prison"],
            )
        ],
        [
            pd.DataFrame(
                {"first_name": [1.0, 0.99], "last_name": [1.0, 1.0], "pnc": [0.3, 0.8], "postcode": [0.9, 0.95]},
                index=["courts", "prison"],
            )
        ],
        "'first_name': 0.99",
    ),
]


@pytest.mark.parametrize(("name", "holds", "fails", "found"), CLAIMS, ids=[claim[0] for claim in CLAIMS])
def test_each_claim_holds_for_a_run_that_shows_it_and_stops_one_that_does_not(name, holds, fails, found):
    claim = getattr(claims, name)
    claim(*holds)
    message = says(lambda: claim(*fails))
    assert found in message, message


def test_the_date_of_birth_claim():
    def level(m, u):
        return pd.Series({"m_probability": m, "u_probability": u})

    claims.true_pairs_share_a_date_of_birth_strangers_rarely_swapped(level(0.87, 0.0003), level(0.1, 0.00005))
    assert "1 in 3,333 random pairs" in says(
        lambda: claims.true_pairs_share_a_date_of_birth_strangers_rarely_swapped(level(0.87, 0.0003), level(0.1, 0.001))
    )


def test_every_record_comes_out():
    frame = pd.DataFrame({column: ["x", "y"] for column in linkage.INPUT_COLUMNS})

    class Prepared:
        people = {"courts": frame}

    extracts, columns = {"courts": (frame, "courts.csv")}, len(linkage.INPUT_COLUMNS)
    claims.every_record_comes_out(extracts, Prepared, columns)
    assert "in the same 9 columns" in says(lambda: claims.every_record_comes_out(extracts, Prepared, 9))
    Prepared.people = {"courts": frame.head(1)}
    assert "1 of the 2 courts records" in says(lambda: claims.every_record_comes_out(extracts, Prepared, columns))


def test_glue_gives_myst_nb_plain_numbers(monkeypatch):
    import numpy as np

    glued = {}
    monkeypatch.setattr(claims.myst_nb, "glue", lambda name, value, display: glued.update({name: (value, display)}))
    claims.glue(precision=np.float64(0.97), wrong=np.int64(3), gap="exactly the truth")
    assert glued == {"precision": (0.97, False), "wrong": (3, False), "gap": ("exactly the truth", False)}
    assert type(glued["precision"][0]) is float and type(glued["wrong"][0]) is int


def test_a_blocking_rule_reads_as_what_both_sides_share():
    """Part 1's table of blocking rules names what a pair shares; any other condition shows as it is."""
    assert linkage.readable('(l."first_name" = r."first_name") AND (l."postcode" = r."postcode")') == (
        "first_name and postcode"
    )
    assert linkage.readable('l."pnc" = r."pnc"') == "pnc"
    assert linkage.readable("(SUBSTRING(l.dob, 1, 4) = SUBSTRING(r.dob, 1, 4))") == "substring(dob, 1, 4)"
    swapped = "l.first_name = r.last_name and l.last_name = r.first_name"
    assert linkage.readable(swapped) == swapped
    assert linkage.readable('(l."a" = r."a") AND (l."b" = r."c")') == '(l."a" = r."a") AND (l."b" = r."c")'


def test_the_table_of_blocking_rules_names_an_expression_the_notebook_named():
    key = "substr(dob, 1, 4) || least(substr(dob, 6, 2), substr(dob, 9, 2))"
    rule = (
        '(l."last_name" = r."last_name") AND (SUBSTRING(l.dob, 1, 4) || LEAST(SUBSTRING(l.dob, 6, 2), '
        "SUBSTRING(l.dob, 9, 2)) = SUBSTRING(r.dob, 1, 4) || LEAST(SUBSTRING(r.dob, 6, 2), SUBSTRING(r.dob, 9, 2)))"
    )
    counts = [{"blocking_rule": rule, "marginal_comparison_count": 5, "cumulative_comparison_count": 5}]
    table = linkage.blocking_table(counts, names={"dob_key": key})
    assert table.to_dict("records") == [
        {"rule": "last_name and dob_key", "comparisons it adds": 5, "comparisons in all": 5}
    ]
    assert linkage.blocking_table(counts)["rule"][0].startswith("last_name and substring(dob, 1, 4) || least(")
