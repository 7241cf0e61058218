"""The linkage model on DuckDB: accurate on the default data (measured against the truth),
reproducible from its seed, blind to the truth, and with blocking that grows in step with
the records, not with their square."""

from __future__ import annotations

import ast
import inspect
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from splink import DuckDBAPI
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from people_linkage import evaluate, linkage, model_definition, people, prepare, saved_model

pytestmark = pytest.mark.slow  # each test links the people of its own data set (see pyproject.toml)

# The issue asked for 0.95 precision and 0.90 recall on pairs at the chosen threshold; the
# model does better on the default data (0.978 and 0.988), so the bar is raised to these.
MIN_PRECISION = 0.97
MIN_RECALL = 0.98
# Clusters join everything linked to anything linked, so one wrong link costs more pairs.
MIN_CLUSTER_PRECISION = 0.95
MIN_CLUSTER_RECALL = 0.98


def make(folder: Path, size: int = people.PEOPLE) -> prepare.Prepared:
    people.generate(size).write(folder)
    return prepare.prepare(prepare.load_extracts(folder))


def run_model(prepared: prepare.Prepared) -> linkage.LinkageRun:
    return linkage.link_people(DuckDBAPI(), prepared.people)


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    """The default data (as the notebook makes it), the model run on it, and the truth."""
    folder = tmp_path_factory.mktemp("default")
    prepared = make(folder)
    run = run_model(prepared)
    records, population = evaluate.load_truth(folder)
    labelled = evaluate.label(run.predictions.as_pandas_dataframe(), records)
    table = evaluate.threshold_table(labelled, records, evaluate.THRESHOLDS)
    return prepared, run, records, labelled, table


def test_the_chosen_threshold_links_accurately(default):
    _, _, records, _, table = default
    assert table["links"].iloc[0] > 0.9 * len(evaluate.true_pairs(records)) > 4_000
    chosen = evaluate.choose_threshold(table)
    at = table[table["threshold"] == chosen].iloc[0]
    assert at["f1"] == table["f1"].max()
    assert at["precision"] >= MIN_PRECISION, table
    assert at["recall"] >= MIN_RECALL, table


def test_the_clusters_at_the_chosen_threshold_are_accurate(default):
    _, run, records, _, table = default
    clusters = linkage.cluster(run, evaluate.choose_threshold(table)).as_pandas_dataframe()
    assert len(clusters) == len(records)  # every record is in a cluster, linked or not
    scores = evaluate.cluster_scores(clusters, records)
    assert scores["precision"] >= MIN_CLUSTER_PRECISION, scores
    assert scores["recall"] >= MIN_CLUSTER_RECALL, scores


def test_the_measurement_agrees_with_an_independent_count(default):
    """Precision and recall from the labelled pairs, recounted from the truth by person."""
    _, run, records, labelled, table = default
    at = table[table["threshold"] == 0.5].iloc[0]
    links = labelled[labelled["match_probability"] >= 0.5]
    person = records.set_index(["source", "record_id"])["person_id"].to_dict()
    right = sum(
        person[(a, b)] == person[(c, d)]
        for a, b, c, d in zip(links["source_l"], links["id_l"], links["source_r"], links["id_r"], strict=True)
    )
    per_person = records.groupby("person_id").size()
    true_total = int((per_person * (per_person - 1) // 2).sum())  # each person: one record per system
    assert at["right"] == right and at["links"] == len(links)
    assert at["recall"] == pytest.approx(right / true_total)
    # Every scored pair is a pair of records from two different systems.
    assert (labelled["source_l"] != labelled["source_r"]).all()


def parameters(run: linkage.LinkageRun) -> pd.DataFrame:
    records = run.linker.visualisations.m_u_parameters_chart().raw_records
    return pd.DataFrame(records)[["comparison_name", "label_for_charts", "m_probability", "u_probability"]]


def test_a_saved_model_scores_the_same_pairs_without_training(default, tmp_path):
    prepared, first, *_ = default
    saved = first.linker.misc.save_model_to_json(str(tmp_path / "model.json"))
    given = linkage.link_people(DuckDBAPI(), prepared.people, trained=saved, table_prefix="given")
    assert given.em_sessions == [] and "training" not in given.seconds
    key = ["source_dataset_l", "unique_id_l", "source_dataset_r", "unique_id_r"]
    pa = first.predictions.as_pandas_dataframe().sort_values(key).reset_index(drop=True)
    pb = given.predictions.as_pandas_dataframe().sort_values(key).reset_index(drop=True)
    assert len(pa) > 4_000 and pa[key].equals(pb[key])
    assert np.allclose(pa["match_weight"], pb["match_weight"], rtol=0, atol=1e-9)
    other = json.loads(json.dumps(saved))
    other["comparisons"][0]["comparison_levels"].pop()
    with pytest.raises(ValueError, match="are not this model's"):
        linkage.link_people(DuckDBAPI(), prepared.people, trained=other, table_prefix="other")


def scored(run: linkage.LinkageRun) -> pd.DataFrame:
    """A run's scored pairs, in the order of their records."""
    key = ["source_dataset_l", "unique_id_l", "source_dataset_r", "unique_id_r"]
    return run.predictions.as_pandas_dataframe().sort_values(key).reset_index(drop=True)


def assert_scored_alike(run: linkage.LinkageRun, fresh: pd.DataFrame) -> None:
    pairs = scored(run)
    key = ["source_dataset_l", "unique_id_l", "source_dataset_r", "unique_id_r"]
    assert len(pairs) == len(fresh) > 4_000, (len(pairs), len(fresh))
    assert pairs[key].equals(fresh[key])
    assert np.allclose(pairs["match_weight"], fresh["match_weight"], rtol=0, atol=1e-9)


def test_part_2_scores_with_part_1s_model_only_if_trained_on_the_same_data(default, tmp_path, monkeypatch):
    """The linkage notebook's part 2 (saved_model.trained_run) scores with the model part 1 saved
    (saved_model.save) when it was trained on these very tables, as the fresh run scores them;
    a model saved from other data, by other code, or changed since, is never used: part 2 trains
    the model itself, and says so."""
    prepared, first, *_ = default
    size = {"people": people.PEOPLE, "seed": people.SEED}
    fresh = scored(first)

    part_1 = tmp_path / "part_1"
    assert saved_model.save(first, prepared.people, folder=part_1, **size) == part_1 / saved_model.MODEL
    run, said = saved_model.trained_run(DuckDBAPI(), prepared.people, folder=part_1, **size)
    assert said == "Scored with the model part 1 saved (model.json): it was trained on these very tables.", said
    assert run.em_sessions == [] and "training" not in run.seconds  # not trained again
    assert_scored_alike(run, fresh)  # the same pairs, with the same match weights

    # A model trained on other data (a smaller population) is not used, even if its record
    # claims the seed and size of this data: part 2 trains here, as part 1 did.
    other = make(tmp_path / "other_data", size=1_500)
    other_run = run_model(other)
    elsewhere = tmp_path / "other"
    saved_model.save(other_run, other.people, folder=elsewhere, **size)
    run, said = saved_model.trained_run(DuckDBAPI(), prepared.people, folder=elsewhere, **size)
    assert said == "Trained the model here, as part 1 does: part 1's was trained on other tables.", said
    assert run.em_sessions and "training" in run.seconds
    assert_scored_alike(run, fresh)

    # Why else a saved model is not used (without training again: load says why).
    saved_model.save(other_run, other.people, folder=elsewhere, people=1_500, seed=people.SEED)
    assert saved_model.load(prepared.people, folder=elsewhere, **size) == (
        None,
        f"part 1's was trained on 1,500 people at seed {people.SEED}",
    )
    assert saved_model.load(prepared.people, folder=tmp_path / "nothing", **size) == (
        None,
        "there is no saved model (run part 1 first)",
    )
    with monkeypatch.context() as changed:
        changed.setattr(saved_model, "code_fingerprint", lambda: "linkage.py as it was changed")
        assert saved_model.load(prepared.people, folder=part_1, **size) == (None, "part 1's was trained by other code")
    model = part_1 / saved_model.MODEL
    model.write_text(json.dumps(other_run.linker.misc.save_model_to_json()), encoding="utf-8")
    assert saved_model.load(prepared.people, folder=part_1, **size) == (
        None,
        "model.json has changed since part 1 saved it",
    )


def test_part_2_refuses_a_saved_model_built_from_other_cells(default):
    """Part 1 may run cells edited after the notebook was saved: the fingerprint of the code comes
    from the saved file, so the saved model's own rules and comparisons are compared with it too."""
    _, run, *_ = default
    saved, definition = run.linker.misc.save_model_to_json(), model_definition.read()
    assert saved_model.structure_differs(saved, definition) is None
    rules = saved["blocking_rules_to_generate_predictions"]
    fewer = {**saved, "blocking_rules_to_generate_predictions": rules[:-1]}
    assert saved_model.structure_differs(fewer, definition) == "has other blocking rules than the notebook's cells"
    other = json.loads(json.dumps(saved))
    other["comparisons"][2]["comparison_levels"].pop(-2)
    assert saved_model.structure_differs(other, definition) == "has other comparisons than the notebook's cells"


def test_the_model_is_reproducible_from_its_seed(default):
    prepared, first, *_ = default
    second = run_model(prepared)
    a, b = parameters(first), parameters(second)
    assert a[["comparison_name", "label_for_charts"]].equals(b[["comparison_name", "label_for_charts"]])
    assert np.allclose(a[["m_probability", "u_probability"]], b[["m_probability", "u_probability"]], equal_nan=True)
    key = ["source_dataset_l", "unique_id_l", "source_dataset_r", "unique_id_r"]
    pa = first.predictions.as_pandas_dataframe().sort_values(key).reset_index(drop=True)
    pb = second.predictions.as_pandas_dataframe().sort_values(key).reset_index(drop=True)
    assert pa[key].equals(pb[key])
    assert np.allclose(pa["match_weight"], pb["match_weight"], rtol=0, atol=1e-9)

    # The same people: both runs group the records the same way.
    def groups(run):
        clusters = linkage.cluster(run, 0.5).as_pandas_dataframe()
        ids = clusters["source_dataset"] + "/" + clusters["unique_id"]
        return {frozenset(members) for members in ids.groupby(clusters["cluster_id"]).agg(tuple)}

    assert groups(first) == groups(second)


def test_another_seed_for_u_gives_other_estimates(default):
    """The seed is what makes u reproducible: a different seed samples other pairs.

    At the default size the u step's ``max_pairs`` exceeds all the pairs there are, so Splink
    takes every record and the seed has nothing to choose; here both runs ask for fewer pairs
    (a million), so that Splink samples records, as it does at a larger size. Only the u step
    runs: the other steps of training do not change u."""
    prepared, *_ = default
    model = model_definition.read()
    u_step = [step for step in model.training if "estimate_u_using_random_sampling" in step]
    assert len(u_step) == 1, "the notebook's training no longer has one estimate_u_using_random_sampling step"

    def u_estimates(seed: int):
        training = [re.sub(r"max_pairs=[^,)]+", "max_pairs=1e6", step) for step in u_step]
        training = [step.replace("seed=7", f"seed={seed}") for step in training]
        assert training != u_step, "the notebook's u step no longer says max_pairs=..., seed=7"
        run = linkage.link_people(DuckDBAPI(), prepared.people, model=replace(model, training=tuple(training)))
        return parameters(run)["u_probability"]

    assert not np.allclose(u_estimates(7), u_estimates(8), equal_nan=True)


def sql_of(rule) -> str:
    return rule if isinstance(rule, str) else rule.get_blocking_rule("duckdb").blocking_rule_sql


def test_the_model_never_sees_the_truth(default):
    prepared, run, *_ = default
    # The inputs hold only the linkage columns: no person, no truth.
    for source, table in prepared.people.items():
        assert list(table.columns) == list(linkage.INPUT_COLUMNS), source
    for sdf in run.inputs.values():
        assert sorted(sdf.as_pandas_dataframe(limit=1).columns) == sorted(linkage.INPUT_COLUMNS)
    # No setting, blocking rule, comparison or training rule mentions the truth.
    model = json.dumps(run.linker.misc.save_model_to_json()).lower()
    definition = model_definition.read()
    rules = [sql_of(rule).lower() for rule in definition.blocking_rules]
    for text in [model, *rules, *(step.lower() for step in definition.training)]:
        for word in ("person", "truth", "twin", "name_error", "dob_error", "record_id"):
            assert word not in text, f"{word!r} in {text[:300]}"
    # The model's columns are the inputs' columns, and nothing else.
    used = {c for c in ("person_id", *linkage.INPUT_COLUMNS) if f'"{c}' in model or f"{c}_l" in model}
    assert used <= set(linkage.INPUT_COLUMNS) and {"first_name", "dob", "pnc"} <= used
    # And the linkage code imports nothing that could read the truth, and opens no file.
    tree = ast.parse(inspect.getsource(linkage))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    allowed = {"__future__", "logging", "re", "time", "collections", "dataclasses", "typing", "pandas", "splink"}
    allowed |= {"model_definition"}  # opens only the notebook: test_linkage_exercises_part1.py
    assert {m.split(".")[0] for m in imported} <= allowed, imported
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    assert not calls & {"open", "read_csv", "read_text", "load_truth", "read_parquet"}, calls


def test_link_people_refuses_a_table_with_other_columns(default):
    prepared, *_ = default
    tables = dict(prepared.people)
    tables["prison"] = tables["prison"].assign(person_id=0)
    with pytest.raises(ValueError, match="the prison table has columns .*person_id"):
        linkage.link_people(DuckDBAPI(), tables)


def count_comparisons(prepared: prepare.Prepared) -> int:
    db_api = DuckDBAPI()
    tables = [db_api.register(t, table_name=f"input_{s}") for s, t in prepared.people.items()]
    counts = count_comparisons_from_blocking_rules(
        tables,
        blocking_rules=model_definition.read().blocking_rules,
        link_type="link_only",
        source_dataset_column_name="source_dataset",
        record_sample_proportion=1.0,
    )
    return int(counts[-1]["cumulative_comparison_count"])


def test_blocking_grows_in_step_with_the_records(tmp_path):
    """Four times the records make about four times the comparisons, not sixteen."""
    small, large = make(tmp_path / "small", 5_000), make(tmp_path / "large", 20_000)
    records = [sum(len(t) for t in p.people.values()) for p in (small, large)]
    comparisons = [count_comparisons(p) for p in (small, large)]
    per_record = [c / r for c, r in zip(comparisons, records, strict=True)]
    assert records[1] / records[0] == pytest.approx(4, rel=0.05)
    assert per_record[1] / per_record[0] < 1.3, per_record
    assert 0.3 < per_record[0] < 2, per_record  # a few comparisons per record, and some at all


# The clerical review on the default data (issue 19, point 6): beside the one linkage run above.


def test_the_clerical_reviews_interval_holds_the_truths_precision(default):
    """On the default data, the review part 2 draws (clerical.REVIEW_PAIRS pairs, its seed) estimates
    the precision at every threshold with an interval that holds the truth's, and chooses the
    threshold the truth chooses."""
    from people_linkage import clerical

    _, run, records, labelled, table = default
    predictions = run.predictions.as_pandas_dataframe()
    review = clerical.draw(predictions)
    assert len(review) == clerical.REVIEW_PAIRS
    review["clerk_says_match"] = evaluate.clerk(review, records).to_numpy()
    estimated = clerical.estimate(clerical.bands(predictions, review), predictions)
    assert estimated["links"].tolist() == table["links"].tolist()
    outside = estimated[(estimated["low"] > table["precision"]) | (table["precision"] > estimated["high"])]
    assert outside.empty, estimated.assign(truth=table["precision"])
    assert clerical.choose_threshold(estimated) == evaluate.choose_threshold(table)


def test_the_model_is_fully_trained_and_its_training_timed_by_step(default):
    """Every level of every comparison has an m and a u that training estimated (Splink would
    otherwise warn that the model is "not fully trained" and use defaults), and the run times
    each kind of training step, as the bench reports them (u apart from m)."""
    _, run, *_ = default
    saved = run.linker.misc.save_model_to_json()
    untrained = [
        f"{comparison['output_column_name']}: {level['label_for_charts']}"
        for comparison in saved["comparisons"]
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level") and not ("m_probability" in level and "u_probability" in level)
    ]
    assert untrained == [], untrained
    assert set(run.training_seconds) == {
        "estimate_probability_two_random_records_match",
        "estimate_u_using_random_sampling",
        "estimate_parameters_using_expectation_maximisation",
    }, run.training_seconds
    assert sum(run.training_seconds.values()) <= run.seconds["training"]
