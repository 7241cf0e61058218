"""Plumbing of the linkage model, for any engine Splink runs on.

The model itself (blocking rules, comparisons, settings and training steps) is defined in
part 1's notebook, ``people_linkage.ipynb``, cell by cell, and read from there by
``model_definition.read()`` (its docstring says why). This module runs that one definition:
``link_people(db_api, tables)`` registers the prepared tables, one per source with the
columns ``INPUT_COLUMNS`` (``prepare`` makes them), counts the comparisons the blocking
rules make, runs the training steps, scores every pair and returns a ``LinkageRun``.
``cluster(run, threshold)`` then groups the records into people.

    prepared = prepare.prepare(prepare.load_extracts(people.OUTPUT_DIR))
    run = link_people(DuckDBAPI(), prepared.people)
    clusters = cluster(run, 0.2).as_pandas_dataframe()

On Spark, pass ``SparkAPI(spark_session=spark)`` and the same tables as Spark DataFrames
(``spark.createDataFrame(table)``); the session must have Splink's similarity-function
jar in ``spark.jars``. The SQL of the rules and levels is either plain SQL that both
engines read or marked as DuckDB's (``base_dialect_str``) so that Splink translates it.

Nothing here reads the truth: the model sees only the prepared tables.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from splink import Linker
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from .model_definition import Model, read, train

PREDICT_FLOOR = 0.001  # predict keeps pairs at or above this match probability (lower ones are not links)
# The columns of every prepared table, and all the model reads (prepare.prepare makes them).
INPUT_COLUMNS = ("unique_id", "source_dataset", "first_name", "last_name", "dob", "sex", "postcode", "pnc")


@dataclass
class LinkageRun:
    """What ``link_people`` returns: the trained linker and what it made."""

    linker: Linker
    inputs: dict[str, Any]  # the registered SplinkDataFrames, by source
    blocking: list[dict]  # per blocking rule: its SQL, and the comparisons it adds and in all
    em_sessions: list  # the EMTrainingSession of each training step
    predictions: Any  # SplinkDataFrame: scored pairs at or above PREDICT_FLOOR
    seconds: dict[str, float] = field(default_factory=dict)
    # The seconds of "training", by step (model_definition.step_name): the prior, u, m.
    training_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def comparisons(self) -> int:
        """How many pairs the blocking rules make, and prediction scores."""
        return int(self.blocking[-1]["cumulative_comparison_count"])


def register(db_api, tables: Mapping[str, Any], table_prefix: str = "input") -> dict[str, Any]:
    """Register each source's table with the engine as ``<table_prefix>_<source>``, after checking
    that it has the columns ``INPUT_COLUMNS``; return the SplinkDataFrames, by source."""
    for name, table in tables.items():
        columns = list(getattr(table, "columns", []))
        if columns and sorted(columns) != sorted(INPUT_COLUMNS):
            raise ValueError(f"the {name} table has columns {columns}; the model needs exactly {list(INPUT_COLUMNS)}")
    return {name: db_api.register(table, table_name=f"{table_prefix}_{name}") for name, table in tables.items()}


def count_comparisons(inputs: Mapping[str, Any], blocking_rules: list) -> list[dict]:
    """Per blocking rule, in order: its SQL, the comparisons it adds to the rules before it and
    the comparisons in all. Counted exactly (every record), before any model exists."""
    return count_comparisons_from_blocking_rules(
        list(inputs.values()),
        blocking_rules=blocking_rules,
        link_type="link_only",
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        record_sample_proportion=1.0,
    )


def _unwrap(sql: str) -> str:
    """``sql`` without the brackets around the whole of it, if it has them."""
    if not (sql.startswith("(") and sql.endswith(")")):
        return sql
    depth = 0
    for at, character in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0 and at < len(sql) - 1:
            return sql  # the first bracket closes before the end: they are not around the whole
    return sql[1:-1]


def readable(rule_sql: str) -> str:
    """A blocking rule as a reader names it: what both sides must share, such as
    ``first_name and postcode`` for ``(l."first_name" = r."first_name") AND (l."postcode" = r."postcode")``.
    A condition that is not the same expression on both sides is shown as it is."""
    parts = []
    conditions = re.split(r"\)\s+AND\s+\(", rule_sql.strip())
    if len(conditions) > 1:  # "(a) AND (b)": the split took the brackets between the conditions
        conditions[0], conditions[-1] = conditions[0].removeprefix("("), conditions[-1].removesuffix(")")
    else:
        conditions = [_unwrap(rule_sql.strip())]
    for condition in conditions:
        left, equals, right = condition.partition(" = ")
        if equals and left.replace("l.", "r.") == right and "l." in left:
            parts.append(left.replace("l.", "").replace('"', "").lower())
        else:
            return rule_sql
    return " and ".join(parts)


def blocking_table(counts: list[dict], names: Mapping[str, str] | None = None):
    """``count_comparisons``'s answer as a table a reader scans: each rule (``readable``), what
    it adds, in all. ``names`` maps a name to an expression the rules use (``{"dob_key": dob_key}``):
    the table shows the name in its place."""
    table = pd.DataFrame(counts)
    table["blocking_rule"] = table["blocking_rule"].map(readable)
    for name, expression in (names or {}).items():
        # As Splink writes it, and as readable() shows it: its SUBSTRING, in lower case.
        shown = re.sub(r"\bsubstr\(", "substring(", expression.lower())
        table["blocking_rule"] = table["blocking_rule"].str.replace(shown, name, regex=False)
    return table[["blocking_rule", "marginal_comparison_count", "cumulative_comparison_count"]].rename(
        columns={
            "blocking_rule": "rule",
            "marginal_comparison_count": "comparisons it adds",
            "cumulative_comparison_count": "comparisons in all",
        }
    )


def _comparison_levels(model: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """A model's shape: each comparison's column, with the labels of its levels in order."""
    return [
        (c["output_column_name"], [level["label_for_charts"] for level in c["comparison_levels"]])
        for c in model["comparisons"]
    ]


def with_parameters(structure: Mapping[str, Any], trained: Mapping[str, Any]) -> dict[str, Any]:
    """The model ``structure`` (a settings dict in this engine's SQL) with the parameters of
    ``trained`` (a saved model, possibly another engine's): the prior and each level's m and u.

    The SQL of a saved model is in its engine's dialect (DuckDB's ``jaro_winkler_similarity``
    is Spark's ``jaro_winkler``), so the structure comes from the notebook's settings for this
    engine and only the numbers are taken. Raises ValueError if the two models' comparisons
    or levels differ.
    """
    # A copy of what is changed below: the prior, and each level of each comparison.
    model = dict(structure)
    model["comparisons"] = [
        {**comparison, "comparison_levels": [dict(level) for level in comparison["comparison_levels"]]}
        for comparison in structure["comparisons"]
    ]
    model["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    ours, theirs = _comparison_levels(model), _comparison_levels(trained)
    if ours != theirs:
        raise ValueError(f"the trained model's comparisons {theirs} are not this model's {ours}")
    for comparison, given in zip(model["comparisons"], trained["comparisons"], strict=True):
        for level, source in zip(comparison["comparison_levels"], given["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in source:
                    level[key] = source[key]
                else:
                    level.pop(key, None)
    return model


def link_people(
    db_api,
    tables: Mapping[str, Any],
    *,
    model: Model | None = None,
    log_level: int = logging.WARNING,
    trained: Mapping[str, Any] | None = None,
    table_prefix: str = "input",
) -> LinkageRun:
    """The whole model: register ``tables`` (source name to table), train on them, score the pairs.

    ``db_api`` is a Splink database API (``DuckDBAPI()``, or ``SparkAPI(spark_session=...)``);
    ``tables`` maps each source to a table with the columns ``INPUT_COLUMNS`` (a pandas
    or Spark DataFrame, or anything ``db_api.register`` takes); ``model`` is the notebook's
    definition (``model_definition.read()``, the default). The steps, as part 1 runs them:

    1. count the comparisons each blocking rule makes (exactly, not from a sample);
    2. run the notebook's training steps (``model_definition.train``), in order;
    3. score every pair the blocking rules make, keeping those at or above ``PREDICT_FLOOR``.

    With ``trained`` (a model saved by ``linker.misc.save_model_to_json``, on any engine),
    steps 1 and 2 are skipped: the model takes that model's prior and each level's m and u
    (``with_parameters``) and only scores the pairs, so two engines can be compared on
    prediction alone. The tables are registered as ``<table_prefix>_<source>``.
    """
    model = read() if model is None else model
    inputs = register(db_api, tables, table_prefix)
    settings = model.settings
    if trained is not None:
        settings = with_parameters(settings.create_settings_dict(db_api.sql_dialect.sql_dialect_str), trained)
    linker = Linker(list(inputs.values()), settings, log_level=log_level)
    seconds, training_seconds = {}, {}
    blocking, sessions = [], []
    if trained is None:
        started = time.perf_counter()
        blocking = linker.blocking_analysis.count_comparisons_from_blocking_rules(record_sample_proportion=1.0)
        seconds["counting comparisons"] = time.perf_counter() - started

        started = time.perf_counter()
        sessions = train(linker, model, training_seconds)
        seconds["training"] = time.perf_counter() - started

    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=PREDICT_FLOOR)
    seconds["prediction"] = time.perf_counter() - started
    return LinkageRun(linker, inputs, blocking, sessions, predictions, seconds, training_seconds)


def cluster(run: LinkageRun, threshold: float):
    """Group records into people: records joined by pairs at or above ``threshold`` (a match probability)."""
    return run.linker.clustering.cluster_pairwise_predictions_at_threshold(
        run.predictions, threshold_match_probability=threshold
    )
