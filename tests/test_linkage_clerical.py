"""The clerical review: a stratified sample across bands of match weight, Wilson intervals, and
estimates of precision that agree with the truth where the whole population is reviewed.
(That its interval holds the truth's precision on the default data is tested in
test_people_linkage.py, beside the default data's one linkage run.)"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from people_linkage import clerical, evaluate


def test_wilson_matches_known_intervals():
    # Wilson (1927); the values as statsmodels' proportion_confint(method="wilson") gives them.
    low, high = clerical.wilson([0, 5, 10], [10, 10, 10])
    assert np.allclose(low, [0.0, 0.236593, 0.722467], atol=1e-6)
    assert np.allclose(high, [0.277533, 0.763407, 1.0], atol=1e-6)
    assert clerical.wilson([0], [0]) == (0.0, 1.0)  # nothing reviewed, nothing known


def test_every_threshold_is_a_band_edge():
    edges = clerical.band_edges()
    for threshold in evaluate.THRESHOLDS:
        assert any(math.isclose(edge, clerical.weight(threshold)) for edge in edges)
    assert edges[0] == -math.inf and edges == sorted(edges) and edges[-1] == clerical.TOP_BAND_CAP
    assert min(np.diff(edges[1:])) > 0.5  # no band too narrow to hold pairs


def test_allocation_is_as_equal_as_the_bands_allow():
    sizes = pd.Series([3, 100, 100, 1000])
    assert clerical.allocate(sizes, 43).tolist() == [3, 14, 13, 13]
    assert clerical.allocate(sizes, 5000).tolist() == [3, 100, 100, 1000]  # no more than there are


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    """Made-up scored pairs across the bands, with whether each is a match (matches grow with weight)."""
    rng = np.random.default_rng(3)
    weights = np.concatenate([rng.uniform(-9, 10, 400), rng.uniform(10, 40, 3000)])
    match = rng.random(len(weights)) < 1 / (1 + 2 ** (-(weights - 2) / 2))
    return pd.DataFrame(
        {
            "match_weight": weights,
            "match_probability": 1 / (1 + 2**-weights),
            "truth": match,
            "pair": range(len(weights)),
        }
    )


def test_the_sample_is_stratified_and_seeded(scored):
    sample = clerical.draw(scored, size=120, seed=5)
    assert len(sample) == 120 and sample["pair"].is_unique
    bands = clerical.band_of(scored["match_weight"], clerical.band_edges())
    per_band = sample.groupby("band").size()
    assert per_band.to_dict() == clerical.allocate(bands.value_counts().sort_index(), 120).to_dict()
    assert set(per_band.index) == set(bands)  # every band drawn from
    assert sample["pair"].tolist() == clerical.draw(scored, size=120, seed=5)["pair"].tolist()
    assert sample["pair"].tolist() != clerical.draw(scored, size=120, seed=6)["pair"].tolist()


def test_a_review_of_every_pair_gives_the_true_precision(scored):
    everything = clerical.draw(scored, size=len(scored)).rename(columns={"truth": "clerk_says_match"})
    estimated = clerical.estimate(clerical.bands(scored, everything), scored)
    for row in estimated.itertuples():
        links = scored[scored["match_probability"] >= row.threshold]
        assert row.links == len(links)
        assert row.precision == pytest.approx(links["truth"].mean())
        assert row.low <= row.precision <= row.high


def test_a_smaller_review_gives_a_wider_interval(scored):
    def width(size: int) -> float:
        sample = clerical.draw(scored, size=size).rename(columns={"truth": "clerk_says_match"})
        at = clerical.estimate(clerical.bands(scored, sample), scored).set_index("threshold").loc[0.5]
        return at["high"] - at["low"]

    assert width(60) > width(240) > 0


def test_the_review_chooses_by_estimated_f1_as_the_truth_does():
    estimated = pd.DataFrame({"threshold": [0.1, 0.5, 0.9], "f1": [0.90, 0.95, 0.95]})
    assert clerical.choose_threshold(estimated) == 0.9
    assert clerical.hours(300) == pytest.approx(300 * clerical.MINUTES_PER_PAIR / 60)


def test_side_by_side_sets_the_reviews_choice_beside_the_truths():
    estimated = pd.DataFrame(
        {"threshold": [0.1, 0.5], "precision": [0.9, 0.95], "low": [0.85, 0.9], "high": [0.93, 0.97]}
    )
    truth = pd.DataFrame({"threshold": [0.1, 0.5], "precision": [0.88, 0.96]})
    table = clerical.side_by_side(estimated, truth, 0.5, 0.1)
    assert table.to_dict("records") == [
        {"chosen by": "the review", "threshold": 0.5, "estimate": 0.95, "low": 0.9, "high": 0.97, "truth": 0.96},
        {"chosen by": "the truth", "threshold": 0.1, "estimate": 0.9, "low": 0.85, "high": 0.93, "truth": 0.88},
    ]


def test_the_sample_does_not_depend_on_the_order_of_the_pairs(scored):
    """Part 2 scores with part 1's saved model or trains its own: the same pairs, perhaps in another
    order, and many with the same weight. The review must draw the same pairs."""
    pairs = scored.assign(
        match_weight=scored["match_weight"].round(),  # many pairs tie, as in a real model's scores
        source_dataset_l="courts",
        unique_id_l=[f"c{i:05d}" for i in scored["pair"]],
        source_dataset_r="prison",
        unique_id_r=[f"p{i:05d}" for i in scored["pair"]],
    )
    again = pairs.sample(frac=1, random_state=2)
    first, second = clerical.draw(pairs, size=100), clerical.draw(again, size=100)
    assert sorted(first["pair"]) == sorted(second["pair"])


def test_the_charts_description_is_made_from_what_it_draws():
    from example_output import figures
    from people_linkage import charts

    estimated = pd.DataFrame(
        {
            "threshold": [0.1, 0.5],
            "reviewed": [280, 250],
            "precision": [0.9, 0.95],
            "low": [0.85, 0.9],
            "high": [0.93, 0.97],
        }
    )
    truth = pd.DataFrame({"threshold": [0.1, 0.5], "precision": [0.88, 0.98]})
    text = charts.clerical_review_description(estimated, truth, 0.5, 0.1, (0.8, 1.0))
    assert "280 pairs reviewed at or above 0.1" in text and "0.900 (0.850 to 0.930)" in text
    assert "inside the interval at 1 of the 2 thresholds" in text and "the truth's best F1 is at 0.1" in text
    image = charts.clerical_review(estimated, truth, 0.5, 0.1)
    assert figures.description(image.data).startswith("Chart of the precision of the links at 2 thresholds")
