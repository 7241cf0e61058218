"""The chart that answers the notebook's question: how long cases take to complete, by court and quarter."""

from __future__ import annotations


def draw_timeliness(timeliness, max_quarters: int = 4, min_cases: int = 10):
    """One panel per quarter of completion (the latest `max_quarters`), one row per court:
    a dot at the median days to completion and a bar from it to the 90th percentile.
    A court's quarter with fewer than `min_cases` completions is left out: too few to say much."""
    import matplotlib.pyplot as plt

    timeliness = timeliness[timeliness["completed_case_count"] >= min_cases]
    quarters = sorted(timeliness["quarter"].unique())[-max_quarters:]
    latest = timeliness[timeliness["quarter"] == quarters[-1]]
    order = latest.sort_values("median_days_to_completion")["court_name"].tolist()
    order += sorted(set(timeliness["court_name"]) - set(order))
    rows = {name: i for i, name in enumerate(order)}
    fig, axes = plt.subplots(
        1, len(quarters), figsize=(4 + 3 * len(quarters), 1.2 + 0.32 * len(order)), sharey=True, squeeze=False
    )
    top = timeliness["p90_days_to_completion"].max()
    for ax, quarter in zip(axes[0], quarters, strict=True):
        part = timeliness[timeliness["quarter"] == quarter]
        y = part["court_name"].map(rows)
        ax.hlines(y, part["median_days_to_completion"], part["p90_days_to_completion"], color="#5694ca", linewidth=3)
        ax.plot(part["median_days_to_completion"], y, "o", color="#0b0c0c", label="median")
        ax.plot(part["p90_days_to_completion"], y, "|", color="#1d70b8", markersize=12, label="90th percentile")
        ax.set_title(f"Completed in {quarter}")
        ax.set_xlim(0, top * 1.05)
        ax.set_xlabel("days from receipt to completion")
        ax.grid(axis="x", color="#b1b4b6", linewidth=0.5)
    axes[0][0].set_yticks(range(len(order)), order)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.suptitle(f"Days from receipt to completion, by court (courts with {min_cases} or more completed cases)")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False)
    return fig
