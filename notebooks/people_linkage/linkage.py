"""The linkage model, defined once, for any engine Splink runs on.

``link_people(db_api, tables)`` is the whole model: its settings, blocking rules,
comparisons and training steps with their seeds. It takes a Splink database API
(``DuckDBAPI()`` in the notebook; ``SparkAPI(spark_session=...)`` on Spark) and the
prepared input tables, one per source with the same columns (``INPUT_COLUMNS``, the one
definition, which ``prepare`` makes), trains the model, scores every pair the blocking rules make, and returns a
``LinkageRun``. ``cluster(run, threshold)`` then groups the records into people.

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
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

U_SEED = 7  # the seed of the random pairs that estimate u
U_MAX_PAIRS = 3e5  # how many random pairs estimate u (all in one pass: no early stop)
EM_MAX_PAIRS = 1e6  # the most pairs one session of expectation maximisation samples
EM_PROBE_SHARE = 0.2  # the share of records whose pairs estimate how many pairs a session would make
PREDICT_FLOOR = 0.001  # predict keeps pairs at or above this match probability (lower ones are not links)
# The deterministic rules that estimate how likely two random records are to match, and
# our guess of the share of true matches they find.
DETERMINISTIC_RULES_RECALL = 0.8
# The columns of every prepared table, and all the model reads (prepare.prepare makes them).
INPUT_COLUMNS = ("unique_id", "source_dataset", "first_name", "last_name", "dob", "sex", "postcode", "pnc")


def blocking_rules() -> list:
    """Which pairs of records to compare: a pair is scored if any rule holds.

    Each rule catches true pairs that the others miss: a typo or a nickname in the first
    name (surname and date of birth agree), a changed surname (first name and date of
    birth), a wrong date of birth (both names and year), names swapped between the
    fields, or everything else wrong but date of birth and postcode. Every rule joins
    on equal values, so each record meets a few others, not all of them.
    """
    # Year, then day and month in order, so that a date with day and month swapped has the same key.
    # Joined with || so that a record without a date of birth has no key on every engine: DuckDB's
    # concat() skips a NULL and would give every such record the same empty key (pairing all the
    # people without a date of birth who share a surname), where Spark's concat() gives NULL.
    dob_key = "substr(dob, 1, 4) || least(substr(dob, 6, 2), substr(dob, 9, 2)) || greatest(substr(dob, 6, 2), substr(dob, 9, 2))"
    return [
        block_on("pnc"),
        block_on("first_name", "last_name", "substr(dob, 1, 4)"),
        block_on("first_name", "last_name", "substr(dob, 6, 5)"),
        block_on("first_name", "last_name", "postcode"),
        block_on("last_name", dob_key),
        block_on("first_name", dob_key),
        block_on("last_name", "postcode"),
        block_on("dob", "postcode"),
        "l.first_name = r.last_name and l.last_name = r.first_name",
    ]


def deterministic_rules() -> list:
    """Pairs that are almost surely the same person: used only to estimate the prior."""
    return [block_on("first_name", "last_name", "dob"), block_on("pnc")]


def em_training_rules() -> list:
    """The blocking rules of the expectation maximisation sessions, in order.

    A session cannot estimate the comparisons its rule fixes (pairs that share a date of
    birth all agree on it), so two sessions are needed: one on names for the date of
    birth, sex, postcode and PNC, and one on date of birth for the names.
    """
    return [block_on("first_name", "last_name"), block_on("dob")]


def comparisons() -> list:
    """How two records are compared, column by column, from the closest agreement to none."""
    first_name = cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="First name",
        comparison_levels=[
            cll.NullLevel("first_name"),
            cll.ExactMatchLevel("first_name").configure(tf_adjustment_column="first_name"),
            cll.JaroWinklerLevel("first_name", 0.92),
            cll.CustomLevel(
                "(length(first_name_l) = 1 or length(first_name_r) = 1) "
                "and substr(first_name_l, 1, 1) = substr(first_name_r, 1, 1)",
                label_for_charts="One is the other's initial",
            ),
            cll.CustomLevel("first_name_l = last_name_r", label_for_charts="Matches the other's surname"),
            cll.JaroWinklerLevel("first_name", 0.8),
            cll.ElseLevel(),
        ],
    )
    last_name = cl.CustomComparison(
        output_column_name="last_name",
        comparison_description="Surname",
        comparison_levels=[
            cll.NullLevel("last_name"),
            cll.ExactMatchLevel("last_name").configure(tf_adjustment_column="last_name"),
            cll.CustomLevel(
                "strpos(concat('-', last_name_l, '-'), concat('-', last_name_r, '-')) > 0 "
                "or strpos(concat('-', last_name_r, '-'), concat('-', last_name_l, '-')) > 0",
                label_for_charts="One is part of the other's hyphenated surname",
                base_dialect_str="duckdb",
            ),
            cll.JaroWinklerLevel("last_name", 0.92),
            cll.CustomLevel("last_name_l = first_name_r", label_for_charts="Matches the other's first name"),
            cll.JaroWinklerLevel("last_name", 0.8),
            cll.ElseLevel(),
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(
                "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) and substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
                "and substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
                label_for_charts="Day and month swapped",
            ),
            cll.LevenshteinLevel("dob", 1).configure(label_for_charts="One digit different"),
            cll.ElseLevel(),
        ],
    )
    return [
        first_name,
        last_name,
        dob,
        cl.ExactMatch("sex"),
        cl.PostcodeComparison("postcode"),
        cl.ExactMatch("pnc"),
    ]


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,  # for the waterfall chart of a pair
    )


@dataclass
class LinkageRun:
    """What ``link_people`` returns: the trained linker and what it made."""

    linker: Linker
    inputs: dict[str, Any]  # the registered SplinkDataFrames, by source
    blocking: list[dict]  # per blocking rule: its SQL, and the comparisons it adds and in all
    em_sessions: list  # the EMTrainingSession of each training step
    predictions: Any  # SplinkDataFrame: scored pairs at or above PREDICT_FLOOR
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def comparisons(self) -> int:
        """How many pairs the blocking rules make, and prediction scores."""
        return int(self.blocking[-1]["cumulative_comparison_count"])


def train(linker: Linker) -> list:
    """Estimate the model's parameters; return the sessions of expectation maximisation."""
    # The prior: how likely two random records are to match, from pairs that are almost
    # surely the same person and a guess of the share of matches those rules find.
    linker.training.estimate_probability_two_random_records_match(
        deterministic_rules(), recall=DETERMINISTIC_RULES_RECALL
    )
    # u: how often each level occurs among pairs that do not match. Random pairs almost
    # never match, so a seeded random sample of them measures it.
    linker.training.estimate_u_using_random_sampling(
        max_pairs=U_MAX_PAIRS, seed=U_SEED, num_chunks=1, min_count_per_level=None
    )
    # m: how often each level occurs among pairs that match, by expectation maximisation
    # on the pairs each training rule makes (no random choices).
    return [
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=EM_MAX_PAIRS, record_sample_proportion=EM_PROBE_SHARE
        )
        for rule in em_training_rules()
    ]


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
    is Spark's ``jaro_winkler``), so the structure comes from ``settings()`` for this
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
    log_level: int = logging.WARNING,
    trained: Mapping[str, Any] | None = None,
    table_prefix: str = "input",
) -> LinkageRun:
    """The whole model: register ``tables`` (source name to table), train on them, score the pairs.

    ``db_api`` is a Splink database API (``DuckDBAPI()``, or ``SparkAPI(spark_session=...)``);
    ``tables`` maps each source to a table with the columns ``INPUT_COLUMNS`` (a pandas
    or Spark DataFrame, or anything ``db_api.register`` takes). The steps:

    1. count the comparisons each blocking rule makes (exactly, not from a sample);
    2. ``train``: the prior from ``deterministic_rules()``; u from ``U_MAX_PAIRS`` random
       pairs chosen with seed ``U_SEED``; m by expectation maximisation, one session per
       rule of ``em_training_rules()``;
    3. score every pair the blocking rules make, keeping those at or above ``PREDICT_FLOOR``.

    With ``trained`` (a model saved by ``linker.misc.save_model_to_json``, on any engine),
    steps 1 and 2 are skipped: the model takes that model's prior and each level's m and u
    (``with_parameters``) and only scores the pairs, so two engines can be compared on
    prediction alone. The tables are registered as ``<table_prefix>_<source>``.
    """
    for name, table in tables.items():
        columns = list(getattr(table, "columns", []))
        if columns and sorted(columns) != sorted(INPUT_COLUMNS):
            raise ValueError(f"the {name} table has columns {columns}; the model needs exactly {list(INPUT_COLUMNS)}")
    inputs = {name: db_api.register(table, table_name=f"{table_prefix}_{name}") for name, table in tables.items()}
    model = settings()
    if trained is not None:
        model = with_parameters(model.create_settings_dict(db_api.sql_dialect.sql_dialect_str), trained)
    linker = Linker(list(inputs.values()), model, log_level=log_level)
    seconds = {}
    blocking, sessions = [], []
    if trained is None:
        started = time.perf_counter()
        blocking = linker.blocking_analysis.count_comparisons_from_blocking_rules(record_sample_proportion=1.0)
        seconds["counting comparisons"] = time.perf_counter() - started

        started = time.perf_counter()
        sessions = train(linker)
        seconds["training"] = time.perf_counter() - started

    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=PREDICT_FLOOR)
    seconds["prediction"] = time.perf_counter() - started
    return LinkageRun(linker, inputs, blocking, sessions, predictions, seconds)


def cluster(run: LinkageRun, threshold: float):
    """Group records into people: records joined by pairs at or above ``threshold`` (a match probability)."""
    return run.linker.clustering.cluster_pairwise_predictions_at_threshold(
        run.predictions, threshold_match_probability=threshold
    )
