"""The exercises at the end of the linkage example's part 2: each check says "not done yet" when
untouched, "done" for the solution the notebook shows (read from its own solution block, so what
the reader sees is what is tested), and what is wrong for a typical wrong answer. On small, made-up
scored pairs and a small generated data set: no notebook runs here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from example_output.exercises import Status
from exercise_blocks import solution_code
from people_linkage import clerical, evaluate, exercises, registry

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks/people_linkage/people_linkage_accuracy.ipynb"


def solution(label: str) -> str:
    """The code block of the notebook's solution to the exercise `label`."""
    return solution_code(NOTEBOOK, f"people_linkage_accuracy-{label}")


@pytest.fixture(scope="module")
def review() -> dict:
    """What the notebook's cells have made by "Your turn", on made-up scored pairs: the predictions,
    the truth's records, the estimates of a review and the chosen threshold."""
    rng = np.random.default_rng(11)
    weights = np.concatenate([rng.uniform(-9, 10, 300), rng.uniform(10, 40, 2000)])
    match = rng.random(len(weights)) < 1 / (1 + 2 ** (-(weights - 3) / 2))
    n = len(weights)
    predictions = pd.DataFrame(
        {
            "match_weight": weights,
            "match_probability": 1 / (1 + 2**-weights),
            "source_dataset_l": "courts",
            "unique_id_l": [f"c{i}" for i in range(n)],
            "source_dataset_r": "prison",
            "unique_id_r": [f"p{i}" for i in range(n)],
        }
    )
    records = pd.DataFrame(
        {
            "source": ["courts"] * n + ["prison"] * n,
            "record_id": [f"c{i}" for i in range(n)] + [f"p{i}" for i in range(n)],
            "person_id": list(range(n)) + [i if m else n + i for i, m in enumerate(match)],
        }
    )
    sample = clerical.draw(predictions)
    sample["clerk_says_match"] = evaluate.clerk(sample, records).to_numpy()
    estimated = clerical.estimate(clerical.bands(predictions, sample), predictions)
    return {
        "predictions": predictions,
        "records": records,
        "estimated": estimated,
        "chosen": clerical.choose_threshold(estimated),
        "REVIEW_PAIRS": clerical.REVIEW_PAIRS,
        "clerical": clerical,
        "evaluate": evaluate,
        "exercises": exercises,
    }


def run(code: str, names: dict) -> dict:
    space = dict(names)
    exec(code, space)  # the notebook's own solution
    return space


# Exercise 1: the threshold for a precision target


def test_target_untouched(review):
    assert exercises.check_threshold_for_target(None, review["estimated"]).status is Status.NOT_YET


def test_target_solution(review):
    answer = run(solution("target"), review)["my_threshold"]
    outcome = exercises.check_threshold_for_target(answer, review["estimated"])
    assert outcome.status is Status.DONE, outcome
    assert review["estimated"]["low"].min() < exercises.PRECISION_TARGET  # not every threshold would do


def test_target_wrong_answers(review):
    estimated = review["estimated"]
    below = estimated[estimated["low"] < exercises.PRECISION_TARGET]
    # The estimate meets the target but its interval does not: the typical slip.
    slip = below[below["precision"] >= exercises.PRECISION_TARGET]
    if len(slip):
        outcome = exercises.check_threshold_for_target(slip["threshold"].iloc[-1], estimated)
        assert outcome.status is Status.WRONG and "Look at the low column" in outcome.message, outcome
    outcome = exercises.check_threshold_for_target(below["threshold"].iloc[0], estimated)
    assert outcome.status is Status.WRONG and "below the target" in outcome.message, outcome
    meets = estimated[estimated["low"] >= exercises.PRECISION_TARGET]
    assert len(meets) > 1
    outcome = exercises.check_threshold_for_target(meets["threshold"].iloc[-1], estimated)  # not the lowest
    assert outcome.status is Status.WRONG and "choose the lowest threshold" in outcome.message, outcome
    outcome = exercises.check_threshold_for_target(0.42, estimated)
    assert outcome.status is Status.WRONG and "not one of the thresholds" in outcome.message, outcome


# Exercise 2: a smaller review


def test_smaller_untouched(review):
    outcome = exercises.check_smaller_review(None, review["estimated"], review["chosen"])
    assert outcome.status is Status.NOT_YET


def test_smaller_solution(review):
    smaller = run(solution("smaller"), review)["smaller"]
    outcome = exercises.check_smaller_review(smaller, review["estimated"], review["chosen"])
    assert outcome.status is Status.DONE and "wider" in outcome.message, outcome


def test_smaller_wrong_answers(review):
    space = run(solution("smaller"), review)
    outcome = exercises.check_smaller_review(space["fewer"], review["estimated"], review["chosen"])
    assert outcome.status is Status.WRONG and "not the sample" in outcome.message, outcome
    outcome = exercises.check_smaller_review(review["estimated"], review["estimated"], review["chosen"])
    assert outcome.status is Status.WRONG and "draw fewer" in outcome.message, outcome


# Exercise 3: a fourth source, registered


def test_source_untouched():
    outcome = exercises.check_fourth_source([registry.FOLDER])
    assert outcome.status is Status.NOT_YET and "add a file" in outcome.message, outcome


def test_source_solution(tmp_path):
    (tmp_path / "approved_premises.toml").write_text(solution("source"), encoding="utf-8")
    outcome = exercises.check_fourth_source([registry.FOLDER, tmp_path])
    assert outcome.status is Status.DONE and outcome.message.startswith("approved_premises: "), outcome


def test_source_wrong_answers(tmp_path):
    text = solution("source")
    without = "".join(line for line in text.splitlines(True) if not line.startswith("synthetic"))
    assert without != text
    (tmp_path / "approved_premises.toml").write_text(without, encoding="utf-8")
    outcome = exercises.check_fourth_source([registry.FOLDER, tmp_path])
    assert outcome.status is Status.WRONG and "has no [synthetic] table" in outcome.message, outcome
    (tmp_path / "approved_premises.toml").write_text(text.replace("[columns]\n", "extra = 1\n[columns]\n"))
    outcome = exercises.check_fourth_source([registry.FOLDER, tmp_path])
    assert outcome.status is Status.WRONG and "unknown key extra" in outcome.message, outcome


def test_target_when_no_threshold_meets_it(review):
    estimated = review["estimated"]
    nothing = run(solution("target"), {**review, "estimated": estimated.assign(low=0.5)})["my_threshold"]
    outcome = exercises.check_threshold_for_target(nothing, estimated.assign(low=0.5))
    assert outcome.status is Status.DONE and "no threshold meets the target" in outcome.message, outcome
    outcome = exercises.check_threshold_for_target(float("nan"), estimated)
    assert outcome.status is Status.WRONG and "meets the target: choose from its rows" in outcome.message, outcome
