"""Measure the linkage against the truth, which only this module reads.

The truth says which person each record belongs to (``truth/records.csv``). From it come
the true pairs: every two records of one person in two different systems. A link the
model makes is right if its two records belong to one person. Precision is the share of
links that are right; recall is the share of true pairs the model links; F1 is their
harmonic mean. Clusters are measured the same way, on every pair of records they put
together.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import registry
from .people import OUTPUT_DIR, TRUTH_FOLDER

# The match probabilities at which the links are measured.
THRESHOLDS = (0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999)
# Each kind of error of ``recall_by_error``, as a sentence says it ("true pairs with ...").
ERROR_WORDS = {
    "nickname": "a nickname",
    "initial only": "only an initial for the first name",
    "first name typo": "a mistyped first name",
    "last name typo": "a mistyped surname",
    "names swapped": "first name and surname swapped",
    "hyphenated surname": "a hyphenated surname",
    "changed surname": "a changed surname",
    "dob day month swapped": "day and month of birth swapped",
    "dob typo": "a mistyped date of birth",
    "sex wrong": "the other sex",
    "no dob": "a blank date of birth",
    "no postcode": "a blank postcode",
    "no pnc": "a blank PNC number",
    "moved house": "a new address",
    "none of these": "none of these errors",
}


def in_words(error: str) -> str:
    """An error of ``recall_by_error`` as a sentence says it (its own name if ERROR_WORDS lacks it)."""
    return ERROR_WORDS.get(error, error)


def load_truth(folder: Path = OUTPUT_DIR) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The truth about each record, and the population: (records, people)."""
    truth = Path(folder) / TRUTH_FOLDER
    records = pd.read_csv(truth / "records.csv", dtype=str, keep_default_na=False)
    people = pd.read_csv(truth / "people.csv", dtype=str, keep_default_na=False)
    return records, people


def source_order(names) -> dict[str, int]:
    """Each source's place, for putting the two sides of a pair in one order: the registered
    sources in their order (``registry.order``), then any other in alphabetical order."""
    known = registry.order()
    others = sorted(set(names) - set(known))
    return {**known, **{name: len(known) + i for i, name in enumerate(others)}}


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Pairs as (source_l, id_l, source_r, id_r) with the sources in their order (``source_order``)."""
    order = source_order(set(frame["source_l"]) | set(frame["source_r"]))
    swap = frame["source_l"].map(order) > frame["source_r"].map(order)
    out = frame.copy()
    for a, b in (("source_l", "source_r"), ("id_l", "id_r")):
        out.loc[swap, a], out.loc[swap, b] = frame.loc[swap, b].to_numpy(), frame.loc[swap, a].to_numpy()
    return out


def pair_keys(frame: pd.DataFrame) -> pd.MultiIndex:
    """Each pair's (source_l, id_l, source_r, id_r), for looking pairs up."""
    return pd.MultiIndex.from_frame(frame[["source_l", "id_l", "source_r", "id_r"]])


def true_pairs(records: pd.DataFrame) -> pd.DataFrame:
    """Every pair of records of one person in two different systems."""
    slim = records[["source", "record_id", "person_id"]]
    pairs = slim.merge(slim, on="person_id", suffixes=("_l", "_r"))
    order = source_order(slim["source"].unique())
    pairs = pairs[pairs["source_l"].map(order) < pairs["source_r"].map(order)]
    pairs = pairs.rename(columns={"record_id_l": "id_l", "record_id_r": "id_r"})
    return pairs[["source_l", "id_l", "source_r", "id_r", "person_id"]].reset_index(drop=True)


def label(predictions: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """The scored pairs, ordered, with each record's person and whether the pair is a true match."""
    pairs = predictions.rename(
        columns={
            "source_dataset_l": "source_l",
            "source_dataset_r": "source_r",
            "unique_id_l": "id_l",
            "unique_id_r": "id_r",
        }
    )
    pairs = _ordered(pairs)
    person = records.set_index(["source", "record_id"])["person_id"]
    pairs["person_l"] = person.reindex(pd.MultiIndex.from_arrays([pairs["source_l"], pairs["id_l"]])).to_numpy()
    pairs["person_r"] = person.reindex(pd.MultiIndex.from_arrays([pairs["source_r"], pairs["id_r"]])).to_numpy()
    pairs["is_match"] = pairs["person_l"] == pairs["person_r"]
    return pairs


def scores(links: int, right: int, true_total: int) -> dict[str, float]:
    precision = right / links if links else float("nan")
    recall = right / true_total if true_total else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if links and right else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def threshold_table(labelled: pd.DataFrame, records: pd.DataFrame, thresholds) -> pd.DataFrame:
    """Precision, recall and F1 of the links at each match probability threshold."""
    true_total = len(true_pairs(records))
    rows = []
    for threshold in thresholds:
        links = labelled[labelled["match_probability"] >= threshold]
        right = int(links["is_match"].sum())
        rows.append(
            {
                "threshold": threshold,
                "links": len(links),
                "right": right,
                "wrong": len(links) - right,
                "missed": true_total - right,
                **scores(len(links), right, true_total),
            }
        )
    return pd.DataFrame(rows)


def choose_threshold(table: pd.DataFrame) -> float:
    """The threshold with the best F1 (the higher threshold if two tie): as many right links, and as few wrong, as can be."""
    best = table[table["f1"] == table["f1"].max()]
    return float(best["threshold"].max())


def cluster_scores(clusters: pd.DataFrame, records: pd.DataFrame) -> dict[str, float]:
    """Precision, recall and F1 of every pair of records that the clusters put together."""
    members = clusters.rename(columns={"source_dataset": "source", "unique_id": "record_id"})
    members = members.merge(records[["source", "record_id", "person_id"]], on=["source", "record_id"], how="left")
    if members["person_id"].isna().any():
        raise ValueError("some clustered records are not in the truth: was the truth made with other data?")
    sizes = members.groupby("cluster_id").size()
    together = int((sizes * (sizes - 1) // 2).sum())
    both = members.groupby(["cluster_id", "person_id"]).size()
    right = int((both * (both - 1) // 2).sum())
    true_total = len(true_pairs(records))
    return {"pairs": together, "right": right, "wrong": together - right, "missed": true_total - right} | scores(
        together, right, true_total
    )


def describe_pair(row, records: pd.DataFrame, people: pd.DataFrame) -> str:
    """What the truth says happened to the two records of a pair."""
    info = records.set_index(["source", "record_id"])
    left, right = info.loc[(row.source_l, row.id_l)], info.loc[(row.source_r, row.id_r)]
    parts = []
    for side, rec in ((row.source_l, left), (row.source_r, right)):
        errors = [e.replace("_", " ") for e in (rec["name_error"], rec["dob_error"], rec["sex_error"]) if e]
        blanks = [f"no {m}" for m in rec["missing"].split(";") if m]
        if errors or blanks:
            parts.append(f"{side}: {', '.join(errors + blanks)}")
    if left["person_id"] != right["person_id"]:
        twin = people.set_index("person_id").loc[left["person_id"], "twin_of"]
        parts.insert(0, "twins" if twin == right["person_id"] else "two different people")
    return "; ".join(parts) if parts else "nothing wrong with either record"


def what_happened(pairs: pd.DataFrame, records: pd.DataFrame, people: pd.DataFrame) -> pd.Series:
    """What the truth says happened to each pair (``describe_pair``)."""
    return pairs.apply(describe_pair, axis=1, args=(records, people))


def explain(pairs: pd.DataFrame, records: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Scored pairs as the notebook shows them: what happened to each first, then its match
    probability and the two records' values."""
    values = [f"{column}_{side}" for column in ("first_name", "last_name", "dob", "postcode", "pnc") for side in "lr"]
    table = pairs[["match_probability", *values]].round(3)
    table.insert(0, "what_happened", what_happened(pairs, records, people))
    return table.reset_index(drop=True)


def problems(pairs: pd.DataFrame, records: pd.DataFrame) -> pd.Series:
    """For each pair (source_l, id_l, source_r, id_r): how many errors and blank values its two
    records carry between them, by the truth. A blank PNC number is not counted: most courts
    records have none."""
    info = records.set_index(["source", "record_id"])
    count = np.zeros(len(pairs), int)
    for side in ("l", "r"):
        rec = info.reindex(pd.MultiIndex.from_arrays([pairs[f"source_{side}"], pairs[f"id_{side}"]]))
        if rec["person_id"].isna().any():
            raise ValueError("some records of the pairs are not in the truth: was the truth made with other data?")
        for column in ("name_error", "dob_error", "sex_error"):
            count += (rec[column] != "").to_numpy()
        count += rec["missing"].map(lambda m: sum(1 for blank in m.split(";") if blank and blank != "pnc")).to_numpy()
    return pd.Series(count, index=pairs.index)


def recall_by_error(labelled: pd.DataFrame, records: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """For true pairs with each kind of error on either record: how many, and the share linked."""
    pairs = true_pairs(records)
    linked = labelled[(labelled["match_probability"] >= threshold) & labelled["is_match"]]
    pairs["linked"] = pair_keys(pairs).isin(pair_keys(linked))
    info = records.set_index(["source", "record_id"])
    rows = []
    kinds = {}
    for side in ("l", "r"):
        rec = info.reindex(pd.MultiIndex.from_arrays([pairs[f"source_{side}"], pairs[f"id_{side}"]]))
        for column in ("name_error", "dob_error", "sex_error"):
            for kind in rec[column].unique():
                if kind:
                    kinds.setdefault(kind, np.zeros(len(pairs), bool))
                    kinds[kind] |= rec[column].to_numpy() == kind
        for field in ("dob", "postcode", "pnc"):
            has = rec["missing"].str.split(";").apply(lambda m, f=field: f in m).to_numpy()
            kinds.setdefault(f"no {field}", np.zeros(len(pairs), bool))
            kinds[f"no {field}"] |= has
    address = [
        info.reindex(pd.MultiIndex.from_arrays([pairs[f"source_{side}"], pairs[f"id_{side}"]]))["address"].to_numpy()
        for side in ("l", "r")
    ]
    kinds["moved house"] = (address[0] != address[1]) & (address[0] != "") & (address[1] != "")
    clean = np.ones(len(pairs), bool)
    for kind, mask in kinds.items():
        if kind != "no pnc":  # most courts records have no PNC number: not an error
            clean &= ~mask
    kinds["none of these"] = clean
    for kind, mask in kinds.items():
        if mask.any():
            rows.append(
                {"error": kind.replace("_", " "), "true pairs": int(mask.sum()), "recall": pairs["linked"][mask].mean()}
            )
    return pd.DataFrame(rows).sort_values("recall").reset_index(drop=True)


def clerk(sample: pd.DataFrame, records: pd.DataFrame) -> pd.Series:
    """What a clerk would say of each pair of a clerical review sample: one person, or not.

    In real work a person reads the two records side by side and decides. In this synthetic
    example the truth stands in for that person, so the clerk never errs; a real clerk
    sometimes does, and is unsure of some pairs (a second clerk, or a rule for unsure
    pairs, deals with that)."""
    return label(sample, records)["is_match"].rename("clerk_says_match")
