"""Choose the threshold without the truth: a clerical review of a sample of the scored pairs.

Real data has no truth to measure links against. What a team does instead is ask people
(clerks) to look at a sample of pairs and say whether each is one person; the sample then
estimates the precision of the links, with its uncertainty. Here:

1. ``draw``: the scored pairs are cut into bands of match weight (``band_edges``: every
   candidate threshold of ``evaluate.THRESHOLDS`` is an edge, and the long top band is cut
   every ``TOP_BAND_STEP``), and the same number of pairs is drawn at random from each band
   (all of a band that has fewer): a stratified sample, so that the few pairs near the
   thresholds are reviewed as well as the many sure ones. ``REVIEW_PAIRS`` pairs by default,
   about ``REVIEW_PAIRS * MINUTES_PER_PAIR / 60`` hours of a person's time.
2. A clerk labels each pair (``evaluate.clerk`` stands in for the person, in this synthetic
   example, by reading the truth).
3. ``bands``: each band's precision, with a Wilson interval (``wilson``).
4. ``estimate``: at each threshold, the precision of the links at or above it, each band
   weighted by its number of pairs, with an interval from the stratified variance
   (``wilson`` on the effective sample size); and the share of the true pairs among the
   scored ones that those links find (recall of scored pairs: pairs no blocking rule made
   are invisible to a review), and F1.
5. ``choose_threshold``: the threshold with the best estimated F1, the rule the truth-based
   choice uses (``evaluate.choose_threshold``), so the two can be set side by side.

Nothing here reads the truth: the labels come in as a column.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .evaluate import THRESHOLDS

REVIEW_PAIRS = 300  # pairs a person labels: the sample size
REVIEW_SEED = 1  # the seed of the random draw within each band
MINUTES_PER_PAIR = 1.0  # our assumption: a person compares two records side by side in about a minute
TOP_BAND_STEP = 10.0  # above the highest threshold, a band every this many units of match weight
TOP_BAND_CAP = 20.0  # and one band for everything above this weight
Z = 1.959964  # a 95 % interval
PAIR_KEY = ("source_dataset_l", "unique_id_l", "source_dataset_r", "unique_id_r")  # a scored pair's records


def weight(probability: float) -> float:
    """The match weight of a match probability: log2 of its odds."""
    return math.log2(probability / (1 - probability))


def band_edges(thresholds=THRESHOLDS) -> list[float]:
    """The lower edges of the bands, as match weights, lowest first: every threshold, then every
    TOP_BAND_STEP above the highest, up to TOP_BAND_CAP. The lowest band starts at -inf."""
    edges = [weight(t) for t in sorted(thresholds)]
    step = math.ceil((edges[-1] + TOP_BAND_STEP / 2) / TOP_BAND_STEP) * TOP_BAND_STEP  # none too narrow
    while step <= TOP_BAND_CAP:
        edges.append(step)
        step += TOP_BAND_STEP
    return [-math.inf, *edges]


def band_of(weights: pd.Series, edges: list[float]) -> pd.Series:
    """Each pair's band: the number of the highest edge at or below its match weight."""
    return pd.Series(np.searchsorted(np.array(edges), weights.to_numpy(), side="right") - 1, index=weights.index)


def band_name(edges: list[float], band: int) -> str:
    low = edges[band]
    high = edges[band + 1] if band + 1 < len(edges) else math.inf
    if low == -math.inf:
        return f"below {high:+.1f}"
    if high == math.inf:
        return f"{low:+.1f} and above"
    return f"{low:+.1f} to {high:+.1f}"


def allocate(sizes: pd.Series, total: int) -> pd.Series:
    """How many pairs to draw from each band: as equal as can be, none more than the band has."""
    taken = pd.Series(0, index=sizes.index)
    left = min(int(total), int(sizes.sum()))
    while left > 0:
        room = sizes - taken
        open_bands = room[room > 0].index
        share = max(1, left // len(open_bands))
        for band in open_bands:
            step = min(share, int(room[band]), left)
            taken[band] += step
            left -= step
            if left == 0:
                break
    return taken


def draw(predictions: pd.DataFrame, size: int = REVIEW_PAIRS, seed: int = REVIEW_SEED) -> pd.DataFrame:
    """A stratified random sample of the scored pairs, ``size`` in all, with each one's band."""
    if size < 1:
        raise ValueError(f"a review needs at least one pair, not {size}")
    edges = band_edges()
    pairs = predictions.assign(band=band_of(predictions["match_weight"], edges))
    counts = allocate(pairs.groupby("band").size(), size)
    rng = np.random.default_rng(seed)
    # Each band's pairs in the order of their records' ids, which every run of the same model on the
    # same data gives alike (their weights may differ in the last digits, and many pairs tie).
    order = ["band", *[c for c in PAIR_KEY if c in pairs.columns]] if set(PAIR_KEY) & set(pairs.columns) else None
    pairs = pairs.sort_values(order or ["band", "match_weight"], kind="stable")
    drawn = [
        group.iloc[np.sort(rng.choice(len(group), int(counts[band]), replace=False))]
        for band, group in pairs.groupby("band")
        if counts[band] > 0
    ]
    return pd.concat(drawn).reset_index(drop=True)


def wilson(successes, n, z: float = Z) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of a share: (low, high), for arrays of successes out of n.
    Where n is 0 the interval is (0, 1): nothing is known."""
    successes, n = np.asarray(successes, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, successes / n, 0.5)
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = np.where(n > 0, centre - half, 0.0), np.where(n > 0, centre + half, 1.0)
    return np.clip(low, 0, 1), np.clip(high, 0, 1)


def bands(predictions: pd.DataFrame, reviewed: pd.DataFrame, label: str = "clerk_says_match") -> pd.DataFrame:
    """Each band: its pairs, how many were reviewed, how many of those the clerk said match, and
    the band's precision with its Wilson interval. ``reviewed``: ``draw``'s sample with ``label``."""
    edges = band_edges()
    every = band_of(predictions["match_weight"], edges).value_counts()
    seen = reviewed.groupby("band")[label].agg(["size", "sum"])
    table = pd.DataFrame({"band": range(len(edges))})
    table["match weight"] = [band_name(edges, b) for b in table["band"]]
    table["from_weight"] = edges
    table["pairs"] = table["band"].map(every).fillna(0).astype(int)
    table["reviewed"] = table["band"].map(seen["size"]).fillna(0).astype(int)
    table["matches"] = table["band"].map(seen["sum"]).fillna(0).astype(int)
    table["precision"] = table["matches"] / table["reviewed"].where(table["reviewed"] > 0)
    table["low"], table["high"] = wilson(table["matches"], table["reviewed"])
    return table[table["pairs"] > 0].reset_index(drop=True)


def estimate(band_table: pd.DataFrame, predictions: pd.DataFrame, thresholds=THRESHOLDS) -> pd.DataFrame:
    """At each threshold, from the review: the links, the pairs reviewed among them, the estimated
    precision with its 95 % interval, and the estimated recall of scored pairs and F1."""
    b = band_table
    p = b["precision"].fillna(0.0)  # a band nobody reviewed adds no right links
    right = b["pairs"] * p
    # The variance of a band's share, with the correction for drawing without replacement.
    spread = np.where(
        b["reviewed"] > 1,
        p * (1 - p) / b["reviewed"].clip(lower=1) * (1 - b["reviewed"] / b["pairs"]) * b["pairs"] / (b["pairs"] - 1).clip(lower=1),
        0.0,
    )  # fmt: skip
    true_scored = right.sum()
    rows = []
    for threshold in thresholds:
        above = b["from_weight"] >= weight(threshold) - 1e-9
        links = int((predictions["match_probability"] >= threshold).sum())
        pairs = b.loc[above, "pairs"].sum()
        reviewed = int(b.loc[above, "reviewed"].sum())
        precision = right[above].sum() / pairs if pairs else float("nan")
        variance = float((((b.loc[above, "pairs"] / pairs) ** 2) * spread[above]).sum()) if pairs else 0.0
        # Wilson on the effective sample size: the number of pairs that would give this variance.
        effective = precision * (1 - precision) / variance if variance > 0 else reviewed
        low, high = wilson(precision * effective, effective)
        recall = right[above].sum() / true_scored if true_scored else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        rows.append(
            {
                "threshold": threshold,
                "links": links,
                "reviewed": reviewed,
                "precision": precision,
                "low": float(low),
                "high": float(high),
                "recall_of_scored": recall,
                "f1": f1,
            }
        )
    return pd.DataFrame(rows)


def choose_threshold(estimates: pd.DataFrame) -> float:
    """The threshold with the best estimated F1 (the higher if two tie), as evaluate.choose_threshold."""
    best = estimates[estimates["f1"] == estimates["f1"].max()]
    return float(best["threshold"].max())


def hours(pairs: int, minutes_per_pair: float = MINUTES_PER_PAIR) -> float:
    """A person's time to review `pairs`, in hours."""
    return pairs * minutes_per_pair / 60


def side_by_side(estimated: pd.DataFrame, truth: pd.DataFrame, chosen: float, truth_chosen: float) -> pd.DataFrame:
    """The review's choice and the truth's (``evaluate.threshold_table``'s), each with the review's
    estimate of its precision, the estimate's 95 % interval, and the truth's precision."""
    review, real = estimated.set_index("threshold"), truth.set_index("threshold")["precision"]
    return pd.DataFrame(
        [
            {
                "chosen by": who,
                "threshold": t,
                **review.loc[t, ["precision", "low", "high"]].to_dict(),
                "truth": real[t],
            }
            for who, t in (("the review", chosen), ("the truth", truth_chosen))
        ]
    ).rename(columns={"precision": "estimate"})
