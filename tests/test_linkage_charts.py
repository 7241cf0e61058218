"""The linkage notebook's charts describe the data they draw, and read on a phone.

Each chart's alt text is made from the data the chart draws (people_linkage.charts), not
typed: these tests draw each chart from two sets of data (two pairs of records, two models'
weights, two tables of accuracy) and check that each description says what its own data
holds, checked against the data itself (the scored pair's columns, the model's m and u), not
against the chart's. And every chart's smallest text, scaled to a phone's 350 CSS pixels of
content, is at least 10 pixels.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from splink import DuckDBAPI

from example_output import figures
from people_linkage import charts, evaluate, linkage, model_definition

PHONE_CONTENT_PX = 350  # a 390 px wide phone shows a chart about this wide
SMALLEST_ON_A_PHONE = 10  # CSS px


def model(seed: int, prior: float) -> dict:
    """The notebook's model with made-up parameters: each level's m and u drawn from `seed`."""
    rng = np.random.default_rng(seed)
    settings = model_definition.read().settings.create_settings_dict("duckdb")
    settings["probability_two_random_records_match"] = prior
    for comparison in settings["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        m = np.sort(rng.dirichlet(np.ones(len(levels))))[::-1]
        u = np.sort(rng.dirichlet(np.ones(len(levels))))
        for level, m_value, u_value in zip(levels, m, u, strict=True):
            level["m_probability"], level["u_probability"] = float(m_value), float(u_value)
    return settings


def person(uid: str, source: str, first: str, last: str, dob: str, postcode: str) -> dict:
    return {
        "unique_id": uid,
        "source_dataset": source,
        "first_name": first,
        "last_name": last,
        "dob": dob,
        "sex": "M",
        "postcode": postcode,
        "pnc": None,
    }


# Two pairs that differ in every value and in some levels: a typo in a first name and day
# and month swapped; the same first name, a date of birth one digit out, another postcode.
TABLES = {
    "courts": pd.DataFrame(
        [
            person("C1", "courts", "samuel", "norden", "2003-02-08", "LS28 8LX"),
            person("C2", "courts", "peter", "draywell", "1991-02-12", "LS4 0YY"),
        ]
    ),
    "prison": pd.DataFrame(
        [
            person("P1", "prison", "samul", "norden", "2003-08-02", "LS28 8LX"),
            person("P2", "prison", "peter", "draywell", "1991-02-13", "LS4 0YZ"),
        ]
    ),
}


PRIORS = {1: 0.01, 2: 0.002}  # two models: the seed of their m and u, and their prior


@pytest.fixture(scope="module")
def runs():
    """The same records scored by two models with other weights (no training: the parameters are given)."""
    return {
        seed: linkage.link_people(DuckDBAPI(), TABLES, trained=model(seed, prior), table_prefix=f"model_{seed}")
        for seed, prior in PRIORS.items()
    }


def description(image) -> str:
    return figures.description(image.data)


def assert_legible_on_a_phone(image) -> None:
    """The chart's smallest text, once a phone shrinks the chart to fit, is at least 10 CSS px."""
    with Image.open(io.BytesIO(image.data)) as png:
        png.load()
        smallest, width = float(png.text[figures.SMALLEST_TEXT]), png.size[0]
    on_a_phone = smallest * PHONE_CONTENT_PX / width
    assert on_a_phone >= SMALLEST_ON_A_PHONE, (
        f"text {smallest:.1f} px high in a chart {width} px wide is {on_a_phone:.1f} CSS px on a phone, under "
        f"{SMALLEST_ON_A_PHONE}: make the chart narrower or its text larger (people_linkage/charts.py)"
    )


def record(row: pd.Series) -> dict:
    return {key: None if pd.isna(value) else value for key, value in row.items()}


def test_the_waterfall_describes_the_pair_it_draws(runs):
    run = runs[1]
    pairs = run.predictions.as_pandas_dataframe().sort_values("unique_id_l")
    assert len(pairs) == 2, "both pairs of records should be scored: the blocking rules changed?"
    levels = {
        c["output_column_name"]: [lv["label_for_charts"] for lv in c["comparison_levels"]]
        for c in model_definition.read().settings.create_settings_dict("duckdb")["comparisons"]
    }
    said = []
    for _, pair in pairs.iterrows():
        image = charts.waterfall(run.linker.visualisations.waterfall_chart([record(pair)]))
        text = description(image)
        said.append(text)
        # The pair's own values, each comparison's level and weight, from the scored pair itself.
        for column in ("first_name", "dob", "postcode"):
            gamma = int(pair[f"gamma_{column}"])
            label = levels[column][::-1][gamma]  # gamma counts up from the last level (0); null is -1
            assert pair[f"{column}_l"] in text and pair[f"{column}_r"] in text, (column, text)
            assert f"{label}, {charts.signed(pair[f'mw_{column}'], 2)}" in text, (column, label, text)
        assert f"Final match weight {charts.signed(pair['match_weight'], 2)}" in text, text
        assert f"a match probability {charts.probability(pair['match_probability'])}" in text, text
        assert_legible_on_a_phone(image)
    first, second = said
    assert "2003-08-02" in first and "2003-08-02" not in second, "each description names its own pair's values"
    assert "Day and month swapped" in first and "One digit different" in second


def test_the_match_weights_chart_describes_the_model_it_draws(runs):
    said = {}
    for seed, run in runs.items():
        image = charts.match_weights(run.linker.visualisations.match_weights_chart())
        text = said[seed] = description(image)
        trained = model(seed, PRIORS[seed])
        prior = trained["probability_two_random_records_match"]
        assert f"before any comparison: {charts.signed(math.log2(prior / (1 - prior)))}." in text, text
        for comparison in trained["comparisons"]:
            shown = [
                f"{level['label_for_charts']} {charts.signed(math.log2(level['m_probability'] / level['u_probability']))}"
                for level in comparison["comparison_levels"]
                if not level.get("is_null_level")
            ]
            assert f"{comparison['output_column_name']}: {', '.join(shown)}." in text, (shown, text)
        assert_legible_on_a_phone(image)
    assert said[1] != said[2]


def accuracy(precision: tuple[float, float], recall: tuple[float, float], thresholds=evaluate.THRESHOLDS):
    table = pd.DataFrame({"threshold": thresholds})
    table["precision"] = np.linspace(*precision, len(table))
    table["recall"] = np.linspace(*recall, len(table))
    table["f1"] = 2 * table["precision"] * table["recall"] / (table["precision"] + table["recall"])
    return table


@pytest.mark.parametrize(
    ("table", "chosen", "says"),
    [
        (
            accuracy((0.975, 0.985), (0.989, 0.970)),
            0.01,
            "from 0.975 to 0.985 and recall from 0.989 to 0.970. F1 is highest, 0.982, at 0.01, the chosen threshold",
        ),
        (
            accuracy((0.90, 0.99), (0.99, 0.95), thresholds=(0.1, 0.5, 0.9)),
            0.5,
            "F1 is 0.957 at 0.5, the chosen threshold, marked by a vertical line; it is highest, 0.970, at 0.9.",
        ),
    ],
    ids=["F1 best at the chosen threshold", "F1 best at another"],
)
def test_the_precision_recall_chart_describes_its_table(table, chosen, says):
    image = charts.precision_recall(table, chosen)
    text = description(image)
    first, last = table["threshold"].iloc[0], table["threshold"].iloc[-1]
    assert f"at {len(table)} thresholds from {first:g} to {last:g}" in text, text
    assert says in text, text
    assert_legible_on_a_phone(image)


def test_a_splink_chart_records_the_smallest_font_it_sets():
    spec = {
        "mark": {"type": "text", "fontSize": 8},
        "encoding": {"text": {"value": "LS28 8LX"}},
        "config": {"axis": {"labelFontSize": 9}},
    }
    legible = charts.with_font(spec)
    assert charts.smallest_font(spec) == 8, "a size set on a mark counts"
    assert charts.smallest_font(legible) == charts.FONT_PX
    png = charts.splink_png(legible, alt="A postcode.")
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert float(image.text[figures.SMALLEST_TEXT]) == charts.FONT_PX * charts.SCALE
        assert image.text[figures.DESCRIPTION] == "A postcode."
    with pytest.raises(ValueError, match="with_font"):
        charts.smallest_font({"mark": "text"})
