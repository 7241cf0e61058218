"""The dbt example's timeliness chart shows the quarters it is asked for, one panel each, and
its alt text describes the panels drawn: change the data (other quarters, a slower court, a
court with too few cases) and the chart and its description follow. Its text stays readable
on a phone.

The data is made up here, in the shape of the notebook's `timeliness` frame, from the
generator's list of courts; every expected figure is computed from that data, not typed.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from court_cases_etl import extracts  # noqa: E402
from court_timeliness_dbt import charts  # noqa: E402
from example_output import figures  # noqa: E402

PHONE_CONTENT_PX = 350
SMALLEST_READABLE_PX = 10
QUARTERS = [f"{year} Q{q}" for year in (2022, 2023) for q in (1, 2, 3, 4)]


def timeliness(seed: int = 1, quarters=QUARTERS) -> pd.DataFrame:
    """One row per court and quarter, as the notebook reads it from the mart."""
    rng = np.random.default_rng(seed)
    rows = []
    for _, name, kind, _ in extracts.COURTS:
        for quarter in quarters:
            median = rng.uniform(100, 250) if kind == "crown" else rng.uniform(20, 60)
            rows.append(
                {
                    "court_name": name,
                    "court_type": kind,
                    "quarter": quarter,
                    "completed_case_count": int(rng.integers(10, 80)),
                    "median_days_to_completion": median,  # no two alike: ties have a test of their own
                    "p90_days_to_completion": median * rng.uniform(1.5, 3),
                }
            )
    return pd.DataFrame(rows)


def panel_titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()]


def drawn_courts(fig, quarter: str) -> set[str]:
    """The rows of one panel that have a median dot, by their tick label (a town's name)."""
    ax = next(ax for ax in fig.axes if ax.get_title() == quarter)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    dots = next(line for line in ax.get_lines() if line.get_label() == "median")
    return {labels[int(y)] for y in dots.get_ydata()}


def expected_sentence(data: pd.DataFrame, quarter: str, min_cases: int = 10) -> str:
    """The alt text's sentence for a panel, computed from the data alone."""
    part = data[(data["quarter"] == quarter) & (data["completed_case_count"] >= min_cases)]
    slow = part.loc[part["median_days_to_completion"].idxmax()]
    fast = part.loc[part["median_days_to_completion"].idxmin()]
    return (
        f"{quarter}, {len(part)} courts: slowest {slow.court_name}, median {slow.median_days_to_completion:g} days, "
        f"90th percentile {slow.p90_days_to_completion:.0f}; fastest {fast.court_name}, median "
        f"{fast.median_days_to_completion:g} days, 90th percentile {fast.p90_days_to_completion:.0f}."
    )


@pytest.mark.parametrize("shown", [QUARTERS[-4:], QUARTERS[-2:], QUARTERS[:3], [QUARTERS[5]]], ids=len)
def test_the_panels_are_the_quarters_asked_for_and_the_alt_text_says_so(shown):
    data = timeliness()
    chart = charts.timeliness_panels(data, shown)
    fig = charts.draw_timeliness(chart)
    assert panel_titles(fig) == shown
    alt = charts.describe_timeliness(chart)
    plural = "s" if len(shown) > 1 else ""
    span = shown[0] if len(shown) == 1 else f"{shown[0]} to {shown[-1]}"
    assert f"in {len(shown)} panel{plural}, one for each quarter of completion from {span}," in alt
    for quarter in QUARTERS:
        assert (expected_sentence(data, quarter) in alt) == (quarter in shown), quarter
    matplotlib.pyplot.close(fig)


def test_the_alt_text_follows_a_court_that_gets_slower():
    data = timeliness()
    latest = QUARTERS[-1]
    before = charts.describe_timeliness(charts.timeliness_panels(data, [latest]))
    crown = data[(data["quarter"] == latest) & (data["court_type"] == "crown")]
    slowest = crown.loc[crown["median_days_to_completion"].idxmax()]
    quickest = crown.loc[crown["median_days_to_completion"].idxmin()]
    assert f"slowest {slowest.court_name}" in before
    data.loc[quickest.name, ["median_days_to_completion", "p90_days_to_completion"]] = (400.0, 600.0)
    after = charts.describe_timeliness(charts.timeliness_panels(data, [latest]))
    assert f"slowest {quickest.court_name}, median 400 days, 90th percentile 600;" in after
    assert after == before.replace(expected_sentence(timeliness(), latest), expected_sentence(data, latest))


def test_courts_with_the_same_median_are_ordered_by_name():
    data = timeliness()
    latest = data[data["quarter"] == QUARTERS[-1]]
    magistrates = latest[latest["court_type"] == "magistrates"]
    names = sorted(magistrates["court_name"])[:2]
    data.loc[data["court_name"].isin(names) & (data["quarter"] == QUARTERS[-1]), "median_days_to_completion"] = 1.0
    for shuffled in (data, data.iloc[::-1]):
        alt = charts.describe_timeliness(charts.timeliness_panels(shuffled, QUARTERS[-1:]))
        assert f"fastest {names[0]}, median 1 day," in alt


def test_a_court_with_too_few_cases_is_left_out_of_that_panel_and_its_count():
    data = timeliness()
    quarter = QUARTERS[-1]
    towns = data["court_name"].str.split(" ").str[0]
    row = data[(data["quarter"] == quarter) & (towns.map(towns.value_counts()) == len(QUARTERS))].index[0]
    court = data.loc[row, "court_name"]
    data.loc[row, "completed_case_count"] = 9
    chart = charts.timeliness_panels(data, QUARTERS[-2:])
    fig = charts.draw_timeliness(chart)
    short = charts.short_name(court, data.loc[row, "court_type"])
    assert short in drawn_courts(fig, QUARTERS[-2]) and short not in drawn_courts(fig, quarter)
    alt = charts.describe_timeliness(chart)
    courts = data["court_name"].nunique()
    assert f"{quarter}, {courts - 1} courts:" in alt and f"{QUARTERS[-2]}, {courts} courts:" in alt
    assert expected_sentence(data, quarter) in alt
    matplotlib.pyplot.close(fig)


def test_rows_are_grouped_by_kind_and_sorted_slowest_first_in_the_last_quarter():
    data = timeliness()
    chart = charts.timeliness_panels(data, QUARTERS[-3:])
    last = data[data["quarter"] == QUARTERS[-1]]
    assert [kind for kind, _ in chart["rows"]] == ["crown", "magistrates"]
    for kind, courts in chart["rows"]:
        expected = last[last["court_type"] == kind].sort_values("median_days_to_completion", ascending=False)
        assert courts == list(expected["court_name"])
    fig = charts.draw_timeliness(chart)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    kinds = dict(extracts.COURTS[i][1:3] for i in range(len(extracts.COURTS)))
    expected_labels = [
        label
        for kind, courts in chart["rows"]
        for label in [charts.HEADINGS[kind], *(charts.short_name(c, kinds[c]) for c in courts)]
    ]
    assert labels == expected_labels
    matplotlib.pyplot.close(fig)


def test_a_quarter_the_data_does_not_have_is_refused_by_name():
    with pytest.raises(ValueError, match=r"quarters \['2031 Q1'\] that the data does not have: pick from"):
        charts.timeliness_panels(timeliness(), [QUARTERS[-1], "2031 Q1"])


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_the_text_stays_readable_on_a_phone(count):
    chart = charts.timeliness_panels(timeliness(), QUARTERS[-count:])
    png = figures.figure_png(charts.draw_timeliness(chart), alt=charts.describe_timeliness(chart))
    on_phone, width = figures.smallest_text_shown(png, PHONE_CONTENT_PX)
    assert on_phone >= SMALLEST_READABLE_PX, (
        f"{count} panels: the chart is {width} px wide, so on a phone its smallest text "
        f"comes out {on_phone:.1f} px high: under {SMALLEST_READABLE_PX}"
    )
