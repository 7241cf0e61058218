"""The ETL notebook's chart, drawn from a run's figures and described from the same figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from example_output import figures

BAR_COLOUR = "#1d70b8"  # GOV.UK blue
FONT_SIZE = 12  # points: about 10 CSS px on a phone, where the chart is shown at its narrowest


def quarantine_description(quality: pd.DataFrame, rows_read: int) -> str:
    """The chart's alt text: every bar, largest first, and the total."""
    quarantined = int(quality.rows_quarantined.sum())
    bars = "; ".join(
        f"{rule.replace('_', ' ')} {n:,}" for rule, n in zip(quality.rule, quality.rows_quarantined, strict=True)
    )
    return (
        f"Horizontal bar chart of rows quarantined by rule, largest first: {bars}. In all, "
        f"{quarantined:,} of the {rows_read:,} rows read were quarantined ({quarantined / rows_read:.1%})."
    )


def quarantine_by_rule(quality: pd.DataFrame, rows_read: int):
    """A bar for each rule (`quality`: columns rule and rows_quarantined, largest first) with
    its count, titled with the total: an image for the notebook to display, described."""
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    labels = quality.rule.str.replace("_", " ")
    ax.barh(labels, quality.rows_quarantined, color=BAR_COLOUR)
    ax.invert_yaxis()
    for y, n in enumerate(quality.rows_quarantined):
        ax.text(n, y, f" {n:,}", va="center", fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.set_xlabel("Rows quarantined", fontsize=FONT_SIZE)
    quarantined = int(quality.rows_quarantined.sum())
    ax.set_title(f"Quarantined rows by rule\n({quarantined:,} of {rows_read:,} rows read)", fontsize=FONT_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.15)
    return figures.show(fig, alt=quarantine_description(quality, rows_read))
