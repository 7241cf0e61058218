"""The linkage notebook's charts: static PNG images, made offline, that describe themselves.

Each chart is drawn from data, and its alt text is made from the same data by the function
beside it (``*_description``), then written into the PNG (``example_output.figures``), so
that a screen-reader user hears what the chart shows, for this run, and not an earlier one.

Each must be legible on a phone: a page 390 pixels wide shows a chart about 350 CSS pixels
wide, and none of its text may end up under 10 CSS pixels. That is, the smallest text in
the PNG (in its pixels) times 350 over the PNG's width must be at least 10.

- ``match_weights``: Splink's match weights chart, a Vega-Lite specification. Shown as it
  is, it would load Vega from a content delivery network, so offline it would be blank and
  online the page would reach another host. ``splink_png`` renders the specification to PNG
  with ``vl_convert`` in this process instead, every text set to ``FONT_PX`` (so the
  smallest text size it records is the one the specification sets, times ``SCALE``).
- ``waterfall``: how one pair's match weight builds up, from the data of Splink's waterfall
  chart, drawn across (one row a step) with matplotlib: Splink's own chart is a row of
  columns, each with the pair's values above it, too wide to read on a phone.
- ``precision_recall``: the accuracy of the links against the truth, by threshold.
"""

from __future__ import annotations

import copy

import matplotlib.pyplot as plt
import pandas as pd
import vl_convert
from IPython.display import Image

from example_output import figures

SCALE = 1.0  # pixels per Vega-Lite unit, as matplotlib's charts here (figures.DPI): light on the page
FONT_PX = 14  # every text of a Vega-Lite chart, in Vega-Lite units (pixels at scale 1)
BAR_AREA = 110  # the width of the match weights chart's bars, in Vega-Lite units
FONT_PT = 11  # every text of a matplotlib chart, in points; 5.2 inches wide at figures.DPI is legible
WIDTH_IN = 5.0
PRIOR = "probability_two_random_records_match"  # the comparison name Splink gives the prior
GREEN, RED, BLACK, GREY = "#00703c", "#d4351c", "#0b0c0c", "#505a5f"  # GOV.UK colours


def signed(weight: float, places: int = 1) -> str:
    """A match weight as a chart shows it: +6.3, or −4.2 with a minus sign (read as minus)."""
    return f"{weight:+.{places}f}".replace("-", "\N{MINUS SIGN}")


def probability(p: float) -> str:
    """A match probability in words that stay true when it rounds to 0 or 1."""
    if p > 0.9999:
        return "above 0.9999"
    if p < 0.0001:
        return "below 0.0001"
    return f"{p:.4f}"


# Splink's match weights chart (Vega-Lite)


def _static(spec: dict) -> dict:
    """A specification without hints about the mouse (such as 'Use mousewheel to zoom')."""
    title = spec.get("title")
    if isinstance(title, dict) and "mouse" in str(title.get("subtitle", "")).lower():
        spec = {**spec, "title": {k: v for k, v in title.items() if k != "subtitle"}}
    return spec


def with_font(spec: dict, px: float = FONT_PX) -> dict:
    """`spec` with every kind of text at `px` or larger: the defaults of axes, headers, legends,
    titles and text marks set to `px`, and any smaller size the specification sets raised to it."""

    def raise_sizes(node):
        if isinstance(node, dict):
            return {
                key: max(value, px)
                if key.lower().endswith("fontsize") and isinstance(value, int | float)
                else raise_sizes(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [raise_sizes(item) for item in node]
        return node

    spec = raise_sizes(copy.deepcopy(spec))
    config = spec.setdefault("config", {})
    for part, keys in {
        "axis": ("labelFontSize", "titleFontSize"),
        "header": ("labelFontSize", "titleFontSize"),
        "legend": ("labelFontSize", "titleFontSize"),
        "title": ("fontSize", "subtitleFontSize"),
        "text": ("fontSize",),
    }.items():
        config.setdefault(part, {}).update(dict.fromkeys(keys, px))
    return spec


def smallest_font(spec: dict) -> float:
    """The smallest font size a specification sets, anywhere (``with_font`` sets them all)."""
    sizes = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.lower().endswith("fontsize") and isinstance(value, int | float):
                    sizes.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    if not sizes:
        raise ValueError("the specification sets no font size: pass it through with_font() first")
    return min(sizes)


def splink_png(spec: dict, alt: str) -> bytes:
    """A Vega-Lite specification rendered to PNG offline, described by `alt`, with the size of its
    smallest text in the PNG's pixels (the specification's smallest font size times SCALE)."""
    png = vl_convert.vegalite_to_png(spec, scale=SCALE)
    return figures.describe(png, alt, smallest_text_px=smallest_font(spec) * SCALE)


def match_weights_levels(chart) -> pd.DataFrame:
    """What Splink's match weights chart draws, in its order: the prior, then each comparison's
    levels from the closest agreement to none, with the match weight of each."""
    values = pd.DataFrame(chart.chart_dict["data"]["values"])
    values = values.sort_values(["comparison_sort_order", "comparison_vector_value"], ascending=[True, False])
    return values[["comparison_name", "label_for_charts", "log2_bayes_factor"]].reset_index(drop=True)


def match_weights_description(levels: pd.DataFrame) -> str:
    """Alt text for the match weights chart, from the levels it draws (``match_weights_levels``)."""
    prior = levels[levels["comparison_name"] == PRIOR]["log2_bayes_factor"]
    parts = []
    for name, group in levels[levels["comparison_name"] != PRIOR].groupby("comparison_name", sort=False):
        weights = ", ".join(
            f"{label} {signed(weight)}"
            for label, weight in zip(group["label_for_charts"], group["log2_bayes_factor"], strict=True)
        )
        parts.append(f"{name}: {weights}.")
    return (
        "Bar chart of the match weight of each level of each comparison, as the model was trained: "
        "bars to the right are evidence for a match, bars to the left against. "
        f"The prior, before any comparison: {signed(prior.iloc[0])}. " + " ".join(parts)
    )


def match_weights_spec(chart) -> dict:
    """Splink's match weights chart laid out for a phone: every text at FONT_PX, the comparisons'
    names turned on their side, no colour legend (the bars' length says the same), narrower bars."""
    spec = copy.deepcopy(_static(chart.chart_dict))
    spec.setdefault("config", {})["view"] = {"continuousWidth": BAR_AREA, "discreteWidth": BAR_AREA}
    spec["config"]["concat"] = {"spacing": 8}
    spec["config"]["facet"] = {"spacing": 6}
    for part in spec["vconcat"]:
        encoding = part["encoding"]
        encoding["color"]["legend"] = None
        encoding["y"]["axis"].update(labelLimit=0)  # no label cut short
        encoding["y"]["axis"].pop("maxExtent", None)
        part.pop("params", None)  # zooming with the mouse: not in a still image
        if "row" in encoding:
            encoding["row"]["header"] = {"labelAngle": -90, "labelOrient": "left", "labelFontWeight": "bold"}
            encoding["x"]["axis"]["title"] = "Match weight = log2(m / u)"
            part["height"] = {"step": round(FONT_PX * 1.4)}
    return with_font(spec)


def match_weights(chart) -> Image:
    """Splink's match weights chart as a still image, described from the levels and weights it draws."""
    alt = match_weights_description(match_weights_levels(chart))
    return Image(data=splink_png(match_weights_spec(chart), alt))


# The waterfall of one pair (matplotlib, from Splink's waterfall chart's data)


def waterfall_steps(chart) -> pd.DataFrame:
    """The steps of Splink's waterfall chart of its first record, as Splink's chart draws them:
    the prior, each comparison that moves the weight (a weight of 0, such as a blank value,
    is left out, as Splink leaves it out) and the final score, with the pair's values."""
    values = pd.DataFrame(chart.chart_dict["data"]["values"])
    steps = values[(values["record_number"] == 0) & (values["bayes_factor"] != 1.0)]
    columns = ["column_name", "label_for_charts", "value_l", "value_r", "log2_bayes_factor"]
    return steps.sort_values("bar_sort_order")[columns].reset_index(drop=True)


def _is_end(step) -> bool:
    return step["column_name"] in ("Prior", "Final score")


def final_probability(steps: pd.DataFrame) -> float:
    weight = float(steps["log2_bayes_factor"].iloc[-1])
    return 1 / (1 + 2**-weight)


def waterfall_description(steps: pd.DataFrame) -> str:
    """Alt text for the waterfall chart, from the steps it draws (``waterfall_steps``)."""
    prior, final = steps.iloc[0], steps.iloc[-1]
    middle = [
        f"{step['column_name']} ({step['value_l']} and {step['value_r']}): {step['label_for_charts']}, "
        f"{signed(step['log2_bayes_factor'], 2)}."
        for _, step in steps.iloc[1:-1].iterrows()
    ]
    return (
        "Waterfall chart of how one pair's match weight builds up, step by step from the prior of "
        f"{signed(prior['log2_bayes_factor'], 2)}. "
        + " ".join(middle)
        + f" Final match weight {signed(final['log2_bayes_factor'], 2)}, "
        f"a match probability {probability(final_probability(steps))}."
    )


def waterfall(chart) -> Image:
    """One pair's match weight built up step by step, one row a step, from Splink's waterfall
    chart's data, described from the same steps."""
    steps = waterfall_steps(chart)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.75 * len(steps) + 1.1), layout="constrained")
    running, ends = 0.0, [0.0]
    labels = []
    for row, (_, step) in enumerate(steps.iterrows()):
        weight = float(step["log2_bayes_factor"])
        if _is_end(step):  # the prior and the final score start from 0
            start, end = 0.0, weight
            running = weight
        else:
            start, end = running, running + weight
            running = end
        ends += [start, end]
        colour = BLACK if step["column_name"] == "Final score" else GREEN if weight >= 0 else RED
        ax.barh(row, end - start, left=start, color=colour, alpha=1 if _is_end(step) else 0.75, height=0.6)
        ax.annotate(
            signed(weight, 2),
            (max(start, end) if weight >= 0 else min(start, end), row),
            xytext=(4 if weight >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if weight >= 0 else "right",
            va="center",
            fontsize=FONT_PT,
        )
        if step["column_name"] == "Final score":
            labels.append(f"Final score\nprobability\n{probability(final_probability(steps))}")
        elif _is_end(step):
            labels.append(step["column_name"])
        else:  # the comparison, then the two records' values
            labels.append(f"{step['column_name']}\n{step['value_l']}\n{step['value_r']}")
    span = max(ends) - min(ends)
    ax.set_xlim(min(ends) - 0.35 * span, max(ends) + 0.2 * span)  # room beside the bars for their weights
    ax.set_yticks(range(len(steps)), labels, fontsize=FONT_PT)
    ax.invert_yaxis()
    ax.axvline(0, color=GREY, linewidth=1)
    ax.tick_params(axis="x", labelsize=FONT_PT)
    ax.set_xlabel("Match weight", fontsize=FONT_PT)
    ax.set_title("How one pair's match weight builds up", fontsize=FONT_PT, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return figures.show(fig, alt=waterfall_description(steps))


# Accuracy against the truth (matplotlib)


def _threshold_axes(ax, thresholds, ylabel: str, title: str) -> None:
    """Axes over the thresholds tried: a logit scale, a tick at each threshold, labels and a grid."""
    ax.set_xscale("logit")
    ax.set_xticks(list(thresholds), [f"{t:g}" for t in thresholds], rotation=90)
    ax.minorticks_off()
    ax.tick_params(labelsize=FONT_PT)
    ax.set_xlabel("Threshold: the match probability\nat or above which a pair is linked", fontsize=FONT_PT)
    ax.set_ylabel(ylabel, fontsize=FONT_PT)
    ax.set_title(title, fontsize=FONT_PT, loc="left")
    ax.grid(alpha=0.3)


def precision_recall_description(table: pd.DataFrame, chosen: float, vertical: tuple[float, float]) -> str:
    """Alt text for the precision and recall chart, from the table it draws, the chosen threshold
    and the vertical scale it is drawn on."""
    first, last = table.iloc[0], table.iloc[-1]
    at = table[table["threshold"] == chosen].iloc[0]
    best = table.loc[table["f1"].idxmax()]
    if at["f1"] == best["f1"]:
        f1 = f"F1 is highest, {at['f1']:.3f}, at {chosen:g}, the chosen threshold, marked by a vertical line."
    else:
        f1 = (
            f"F1 is {at['f1']:.3f} at {chosen:g}, the chosen threshold, marked by a vertical line; "
            f"it is highest, {best['f1']:.3f}, at {best['threshold']:g}."
        )
    return (
        f"Line chart of the precision, recall and F1 of the links at {len(table)} thresholds from "
        f"{first['threshold']:g} to {last['threshold']:g}, on a vertical scale from {vertical[0]:.3f} to "
        f"{vertical[1]:.3f}. As the threshold rises, precision goes from {first['precision']:.3f} to "
        f"{last['precision']:.3f} and recall from {first['recall']:.3f} to {last['recall']:.3f}. {f1}"
    )


def precision_recall(table: pd.DataFrame, chosen: float) -> Image:
    """Precision, recall and F1 of the links at each threshold, with the chosen one marked."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4), layout="constrained")
    styles = {"precision": (GREEN, "o", "-"), "recall": (RED, "s", "--"), "f1": (BLACK, "^", ":")}
    for column, (colour, marker, line) in styles.items():
        ax.plot(
            table["threshold"],
            table[column],
            color=colour,
            marker=marker,
            linestyle=line,
            label={"f1": "F1"}.get(column, column.capitalize()),
        )
    ax.axvline(chosen, color=GREY, linewidth=1)
    ax.annotate(
        f"chosen: {chosen:g}",
        (chosen, ax.get_ylim()[1]),
        xytext=(4, -4),
        textcoords="offset points",
        va="top",
        fontsize=FONT_PT,
    )
    _threshold_axes(ax, table["threshold"], "Share (1 is perfect)", "Accuracy of the links, by threshold")
    fig.legend(loc="outside lower center", ncols=3, fontsize=FONT_PT, frameon=False)
    return figures.show(fig, alt=precision_recall_description(table, chosen, ax.get_ylim()))


# The clerical review beside the truth (matplotlib). Added for issue 19, point 6.


def clerical_review_description(
    estimates: pd.DataFrame, truth: pd.DataFrame, chosen: float, truth_chosen: float, vertical: tuple[float, float]
) -> str:
    """Alt text for the clerical review chart, from the estimates and the truth's precision it draws."""
    inside = ((estimates["low"] <= truth["precision"]) & (truth["precision"] <= estimates["high"])).sum()
    first, last = estimates.iloc[0], estimates.iloc[-1]
    same = "the same threshold" if chosen == truth_chosen else f"the truth's best F1 is at {truth_chosen:g}"
    return (
        f"Chart of the precision of the links at {len(estimates)} thresholds from {first['threshold']:g} to "
        f"{last['threshold']:g}, on a vertical scale from {vertical[0]:.3f} to {vertical[1]:.3f}: the estimate from "
        f"the clerical review ({int(first['reviewed']):,} pairs reviewed at or above {first['threshold']:g}), as dots with 95% intervals, from {first['precision']:.3f} "
        f"({first['low']:.3f} to {first['high']:.3f}) to {last['precision']:.3f} ({last['low']:.3f} to "
        f"{last['high']:.3f}); and the truth's precision, as a line, from {truth['precision'].iloc[0]:.3f} to "
        f"{truth['precision'].iloc[-1]:.3f}. The truth is inside the interval at {inside} of the "
        f"{len(estimates)} thresholds. The review's best estimated F1 is at {chosen:g}, marked by a vertical "
        f"line; {same}."
    )


def clerical_review(estimates: pd.DataFrame, truth: pd.DataFrame, chosen: float, truth_chosen: float) -> Image:
    """The precision the clerical review estimates at each threshold, with its interval, beside the
    truth's; the threshold each chooses marked."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.6), layout="constrained")
    x = estimates["threshold"]
    ax.errorbar(
        x,
        estimates["precision"],
        yerr=[estimates["precision"] - estimates["low"], estimates["high"] - estimates["precision"]],
        fmt="o",
        color=GREEN,
        capsize=3,
        label="Review: estimate, 95% interval",
    )
    ax.plot(x, truth["precision"], color=BLACK, marker="s", linestyle=":", label="Truth")
    ax.axvline(chosen, color=GREY, linewidth=1)
    label = f"chosen: {chosen:g}" if chosen == truth_chosen else f"review: {chosen:g}, truth: {truth_chosen:g}"
    if chosen != truth_chosen:
        ax.axvline(truth_chosen, color=GREY, linewidth=1, linestyle="--")
    ax.annotate(label, (chosen, ax.get_ylim()[0]), xytext=(4, 4), textcoords="offset points", fontsize=FONT_PT)
    _threshold_axes(ax, x, "Precision: share of links right", "Precision from a clerical review, and the truth")
    fig.legend(loc="outside lower center", ncols=2, fontsize=FONT_PT, frameon=False)
    alt = clerical_review_description(estimates, truth, chosen, truth_chosen, ax.get_ylim())
    return figures.show(fig, alt=alt)


# One session of expectation maximisation: what it found, from Splink's history chart's data


def session_levels(session) -> tuple[dict, int]:
    """The data of Splink's match weights history chart of an EM ``session`` at its last
    iteration (what the session found), as a match weights chart's specification; and that
    iteration's number."""
    spec = copy.deepcopy(session.match_weights_interactive_history_chart().chart_dict)
    last = max(value["iteration"] for value in spec["data"]["values"])
    spec["data"]["values"] = [value for value in spec["data"]["values"] if value["iteration"] == last]
    spec.pop("params", None)  # the slider over the iterations: not in a still image
    spec.pop("transform", None)  # its filter
    return spec, last


def session_summary(session) -> str:
    """What a session of expectation maximisation did, in one sentence."""
    rule = session._blocking_rule_for_training.blocking_rule_sql
    fixed = [c.output_column_name for c in session._comparisons_that_cannot_be_estimated]
    estimated = [c.output_column_name for c in session.core_model_settings.comparisons]
    _, last = session_levels(session)
    return (
        f"Blocked on {rule}: {last} iterations. It estimated m for {', '.join(estimated)}; "
        f"not for {', '.join(fixed) or 'none'} (every pair it saw agrees on them)."
    )
