"""The linkage model trained on Apache Spark beside DuckDB, on the notebook's default data.

    make bench ONLY=linkage_spark          # about two minutes on 2 cores

DuckDB runs the notebook's model (``linkage.link_people``) in this process, as the notebook
does; Spark trains and runs the same model in a process of its own (``people_linkage.on_spark``,
its ``trained`` run, in local mode). The table gives each step's seconds on each engine. The
tests (tests/test_people_linkage_spark.py) prove that with the same parameters both engines
score the same pairs; here both engines train, and since each samples the random pairs that
estimate u with its own hash function, the models differ a little: the figures say by how much
(the prior, and the match weight of each comparison level). One run each: the figures show
where the time goes, not a race. The results are saved for the book's "At scale" page.
"""

from __future__ import annotations

import ast
import json
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

from splink import DuckDBAPI

from people_linkage import linkage, model_definition, on_spark, people, prepare
from results import save

STEPS = ["counting comparisons", "training", "prediction"]


def weights(model: dict) -> dict[str, float]:
    """The match weight (log2 of m over u) of each comparison level that has both, by name."""
    found = {}
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if level.get("is_null_level") or not m or not u:
                continue
            found[f"{comparison['output_column_name']}: {level['label_for_charts']}"] = math.log2(m / u)
    return found


def u_pairs() -> int:
    """The most random pairs that estimate u: ``max_pairs`` of the notebook's u step (Splink
    stops sooner, comparison by comparison, once each level has been seen ``min_count_per_level`` times)."""
    for step in model_definition.read().training:
        for node in ast.walk(ast.parse(step)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "estimate_u_using_random_sampling":
                return int(ast.literal_eval(next(k.value for k in node.keywords if k.arg == "max_pairs")))
    raise ValueError("the notebook's training steps have no estimate_u_using_random_sampling(max_pairs=...)")


def prior(model: dict) -> float:
    p = model["probability_two_random_records_match"]
    return math.log2(p / (1 - p))


def main() -> None:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_linkage_spark_") as tmp:
        folder = Path(tmp)
        people.generate(people.PEOPLE, people.SEED).write(folder / "extracts")
        prepared = prepare.prepare(prepare.load_extracts(folder / "extracts"))
        inputs = folder / "prepared"
        inputs.mkdir()
        for source, table in prepared.people.items():
            table.to_parquet(inputs / f"{source}.parquet", index=False)
        records = sum(len(table) for table in prepared.people.values())

        started = time.perf_counter()
        duck = linkage.link_people(DuckDBAPI(), prepared.people)
        duck_total = time.perf_counter() - started
        duck.linker.misc.save_model_to_json(str(folder / "duckdb.json"))
        duck_model = json.loads((folder / "duckdb.json").read_text(encoding="utf-8"))

        summary = on_spark.run(inputs, folder / "spark", on_spark.Runs())
        trained = summary["runs"]["trained"]
        spark_model = json.loads((folder / "spark" / "trained" / "model.json").read_text(encoding="utf-8"))

    spark_seconds = trained["seconds"]
    clustering = [value for step, value in spark_seconds.items() if step.startswith("clustering at")]
    duck_weights, spark_weights = weights(duck_model), weights(spark_model)
    moves = {name: abs(spark_weights[name] - duck_weights[name]) for name in duck_weights.keys() & spark_weights.keys()}
    ordered = sorted(moves, key=moves.get, reverse=True)
    figures = {
        "records": records,
        "duckdb_total_s": round(duck_total, 1),
        "spark_start_s": round(summary["session_start_seconds"], 1),
        **{f"spark_{step.split()[0]}_s": round(spark_seconds[step], 1) for step in STEPS},
        "spark_clustering_s": round(statistics.median(clustering), 1) if clustering else None,
        "prior_difference": round(abs(prior(spark_model) - prior(duck_model)), 3),
        "largest_move_level": ordered[0],
        "largest_move": round(moves[ordered[0]], 2),
        "next_largest_move": round(moves[ordered[1]], 2),
        "u_pairs": u_pairs(),
        "levels_compared": len(moves),
    }
    rows = [[step, f"{duck.seconds[step]:.1f}", f"{spark_seconds[step]:.1f}"] for step in STEPS] + [
        ["starting a Spark session", "", f"{summary['session_start_seconds']:.1f}"],
        ["one clustering (median)", "", f"{figures['spark_clustering_s']:.1f}" if clustering else ""],
    ]
    print(f"{records:,} records; DuckDB {duck_total:.1f} s in all")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(
        f"models: prior differs by {figures['prior_difference']}; largest level move {ordered[0]} {moves[ordered[0]]:.2f}"
    )
    save(
        "linkage_spark",
        figures=figures,
        table={
            "caption": "Seconds each step of the linkage takes on each engine, on the notebook's default data, one run.",
            "columns": ["step", "DuckDB (s)", "Spark (s)"],
            "align": ["left", "right", "right"],
            "rows": rows,
        },
        load_before=load_before,
    )


if __name__ == "__main__":
    main()
