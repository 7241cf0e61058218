"""The chart that answers the notebook's question: how long cases take to complete, by court
and quarter, and the same chart in words for its alt text.

``timeliness_panels`` picks what the chart shows, ``draw_timeliness`` draws it and
``describe_timeliness`` describes it: both from the same panels, so the description is of
the chart that was drawn. The chart is 5.1 inches wide with 11-point text, so that on a phone
(about 350 pixels of content) its smallest text is still 10 pixels high.
"""

from __future__ import annotations

import math

FONT_SIZE = 11  # points: every text of the chart
WIDTH = 5.1  # inches
ROW = 0.2  # inches a court's row takes
KINDS = {"crown": "Crown Court", "magistrates": "Magistrates' Court"}  # court_type: the name's ending
HEADINGS = {"crown": "Crown Court", "magistrates": "Magistrates' courts"}  # over each kind's rows
PLURALS = {"crown": "Crown Courts", "magistrates": "magistrates' courts"}


def timeliness_panels(timeliness, quarters: list[str], min_cases: int = 10) -> dict:
    """What the chart shows: one panel per quarter in `quarters` (in that order), each the courts
    with `min_cases` or more completed cases that quarter, quickest first (so the slowest is the
    last, and of courts with the same median the last by name); and the courts' rows, top to bottom:
    grouped by kind (Crown Court first), each group sorted by its median in the last quarter,
    slowest at the top (courts missing from it last, by name).

    `timeliness` has one row per court and quarter: court_name, court_type, quarter
    ("2023 Q4"), completed_case_count, median_days_to_completion, p90_days_to_completion."""
    missing = [q for q in quarters if q not in set(timeliness["quarter"])]
    if not quarters or missing:
        raise ValueError(
            f"the chart was asked for quarters {missing or quarters} that the data does not have: "
            f"pick from {sorted(set(timeliness['quarter']))}"
        )
    shown = timeliness[timeliness["quarter"].isin(quarters) & (timeliness["completed_case_count"] >= min_cases)]
    # Quickest first; courts with the same median in the order of their names.
    panels = {
        q: shown[shown["quarter"] == q].sort_values(["median_days_to_completion", "court_name"]) for q in quarters
    }
    last = panels[quarters[-1]].set_index("court_name")["median_days_to_completion"]
    rows = []
    for kind in sorted(set(shown["court_type"]), key=lambda k: (list(KINDS).index(k) if k in KINDS else len(KINDS), k)):
        courts = set(shown.loc[shown["court_type"] == kind, "court_name"])
        rows.append((kind, sorted(courts, key=lambda c: (c not in last, -last.get(c, 0), c))))
    return {"quarters": list(quarters), "min_cases": min_cases, "panels": panels, "rows": rows}


def short_name(court_name: str, kind: str) -> str:
    """The court's name without its kind ("Aldermoor" for "Aldermoor Crown Court"), since the
    chart groups the courts under their kind."""
    ending = " " + KINDS.get(kind, "")
    return court_name[: -len(ending)] if court_name.endswith(ending) and len(court_name) > len(ending) else court_name


def draw_timeliness(chart: dict, columns: int = 2):
    """The panels of `chart` (from timeliness_panels), `columns` to a row: a court per row, a dot
    at its median days from receipt to completion and a bar from it to its 90th percentile."""
    import matplotlib.pyplot as plt

    quarters = chart["quarters"]
    # The rows top to bottom: a heading for each kind of court, then its courts.
    labels, y_of, headings = [], {}, []
    for kind, courts in chart["rows"]:
        headings.append(len(labels))
        labels.append(HEADINGS.get(kind, kind))
        for court in courts:
            y_of[court] = len(labels)
            labels.append(short_name(court, kind))
    columns = min(columns, len(quarters))
    lines = math.ceil(len(quarters) / columns)
    fig, axes = plt.subplots(
        lines,
        columns,
        figsize=(WIDTH, 1.3 + lines * (0.55 + ROW * len(labels))),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    top = max(p["p90_days_to_completion"].max() for p in chart["panels"].values() if len(p)) if y_of else 1
    for ax, quarter in zip(axes.flat, quarters, strict=False):
        part = chart["panels"][quarter]
        y = part["court_name"].map(y_of)
        ax.hlines(y, part["median_days_to_completion"], part["p90_days_to_completion"], color="#5694ca", linewidth=3)
        ax.plot(part["median_days_to_completion"], y, "o", color="#0b0c0c", markersize=5, label="median")
        ax.plot(part["p90_days_to_completion"], y, "|", color="#1d70b8", markersize=10, label="90th percentile")
        ax.set_title(quarter, fontsize=FONT_SIZE, fontweight="bold")
        ax.set_xlim(0, top * 1.08)
        ax.grid(axis="x", color="#b1b4b6", linewidth=0.5)
        for heading in headings[1:]:
            ax.axhline(heading - 0.5, color="#505a5f", linewidth=0.8)
        ax.tick_params(labelsize=FONT_SIZE, left=False, labelbottom=True)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(quarters) :]:
        ax.set_visible(False)
    axes[0][0].set_ylim(len(labels) - 0.5, -0.5)
    axes[0][0].set_yticks(range(len(labels)), labels)
    for ax in axes[:, 0]:
        for row, tick in enumerate(ax.get_yticklabels()):
            if row in headings:
                tick.set_fontweight("bold")
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.suptitle(
        f"Days from receipt to completion, by quarter\ncompleted (courts with {chart['min_cases']} or more cases)",
        fontsize=FONT_SIZE,
        fontweight="bold",
    )
    fig.supxlabel("days from receipt to completion", fontsize=FONT_SIZE)
    # Below the figure: the saved image grows to take it in.
    fig.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=2, frameon=False, fontsize=FONT_SIZE)
    return fig


def _days(value: float) -> str:
    return f"{value:g} day" + ("" if value == 1 else "s")


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe_timeliness(chart: dict) -> str:
    """The chart of `chart` (from timeliness_panels) in words: what it draws, then for each panel
    how many courts it shows and its slowest and fastest court with their figures."""
    quarters = chart["quarters"]
    count = sum(len(courts) for _, courts in chart["rows"])
    kinds = _listed([f"{len(courts)} {PLURALS.get(kind, kind)}" for kind, courts in chart["rows"]])
    span = quarters[0] if len(quarters) == 1 else f"{quarters[0]} to {quarters[-1]}"
    text = [
        f"Dot-and-bar chart of the days cases took from receipt to completion, in {len(quarters)} "
        f"panel{'s' if len(quarters) != 1 else ''}, one for each quarter of completion from {span}, "
        f"with a row for each of {count} courts ({kinds}), grouped by kind and, within each, slowest first "
        f"by their median in {quarters[-1]}. "
        f"A dot marks a court's median and a bar runs from it to the 90th percentile; a court with fewer "
        f"than {chart['min_cases']} completed cases in a quarter is left out of that panel."
    ]
    for quarter in quarters:
        part = chart["panels"][quarter]
        if part.empty:
            text.append(f"{quarter}: no court has {chart['min_cases']} or more completed cases.")
            continue
        fastest, slowest = part.iloc[0], part.iloc[-1]
        text.append(
            f"{quarter}, {len(part)} courts: slowest {slowest.court_name}, median "
            f"{_days(slowest.median_days_to_completion)}, 90th percentile {slowest.p90_days_to_completion:.0f}; "
            f"fastest {fastest.court_name}, median {_days(fastest.median_days_to_completion)}, "
            f"90th percentile {fastest.p90_days_to_completion:.0f}."
        )
    return " ".join(text)
