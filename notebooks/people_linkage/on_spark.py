"""Run the linkage model on Apache Spark, through Splink's SparkAPI, in a process of its own.

    python -m people_linkage.on_spark IN_DIR OUT_DIR [--model MODEL.json] [--threshold 0.5 ...]

IN_DIR holds the prepared tables, one Parquet file per source (``<source>.parquet``, the
columns ``linkage.INPUT_COLUMNS``, as ``prepare.prepare`` makes them). In one local Spark
session (``local_spark.session.local_session``, with Splink's similarity-function
jar in ``spark.jars``) this module runs:

- ``trained``: ``linkage.link_people``, the notebook's model unchanged: the very cells of
  part 1 that define and train it (``model_definition.read``), run on Spark (prior, u from
  seeded random pairs, m by expectation maximisation), then scoring the pairs;
- ``given`` (with ``--model``): the same model with the parameters of a model trained
  elsewhere (Splink's saved JSON: ``saved_model.save`` in part 1, or
  ``linker.misc.save_model_to_json`` of any DuckDB run), its structure rebuilt in Spark's
  SQL from the same cells (``linkage.with_parameters`` refuses a model whose comparisons
  or levels differ from the notebook's), scoring the same
  pairs without training, so that the two engines can be compared on prediction and
  clustering alone. Splink's random samples are engine-specific (they hash the record ids
  with the engine's own ``hash``), so the two engines train on different samples.

For each run, OUT_DIR/<run>/ gets the model (``model.json``), the scored pairs
(``predictions/``: ids, match weight and probability, the first blocking rule that made
the pair and the comparison level of each column) and the clusters at each threshold
(``clusters_<threshold>/``: cluster_id, source_dataset, unique_id), all written by Spark's
own Parquet writer. OUT_DIR/summary.json holds the times (the session's start apart from
each run's steps) and the row counts. Spark keeps all its files in OUT_DIR/spark/.

``run(in_dir, out_dir, Runs(...))`` starts that process, with no network if asked
(``local_spark.process.run_module``), and returns the summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_spark.process import run_module
from local_spark.session import local_session

from . import linkage
from .people import SOURCES

# Where the notebook draws the line between a link and no link, and the other thresholds
# it tries (its chosen threshold is 0.3 on the default data).
THRESHOLDS = (0.1, 0.3, 0.9, 0.99, 0.999)
# The columns of the scored pairs that are written: which pair, its score, which blocking
# rule made it, and the level each comparison gave (gamma_<column>).
PAIR_COLUMNS = (
    "source_dataset_l",
    "unique_id_l",
    "source_dataset_r",
    "unique_id_r",
    "match_weight",
    "match_probability",
    "match_key",
)


@dataclass(frozen=True)
class Runs:
    """What to run on Spark, and where to cluster: the options of the command line, as a value.

    ``trained`` runs unless ``train`` is False; ``given`` runs with ``model``. The ``given`` run
    clusters at ``thresholds``, the ``trained`` run at ``trained_thresholds`` (the same unless
    given: each clustering on Spark costs a few seconds).
    """

    model: Path | None = None
    thresholds: tuple[float, ...] = THRESHOLDS
    trained_thresholds: tuple[float, ...] | None = None
    train: bool = True

    def argv(self) -> list[str]:
        """The command-line options that main() reads back as these runs."""
        options = ["--threshold", *(f"{t:g}" for t in self.thresholds)]
        if self.model is not None:
            options += ["--model", str(Path(self.model).resolve())]
        if self.trained_thresholds is not None:
            options += ["--trained-threshold", *(f"{t:g}" for t in self.trained_thresholds)]
        return options + ([] if self.train else ["--no-train"])


def parse_args(argv: list[str] | None = None) -> tuple[Path, Path, Runs]:
    """IN_DIR, OUT_DIR and the runs, from the command line."""
    parser = argparse.ArgumentParser(prog="python -m people_linkage.on_spark", description=__doc__.split("\n")[0])
    parser.add_argument("in_dir", type=Path, help="the prepared tables: <source>.parquet for each source")
    parser.add_argument("out_dir", type=Path, help="where the results, the summary and Spark's files go")
    parser.add_argument("--model", type=Path, help="a trained model (JSON) to score the pairs with, as well")
    parser.add_argument("--threshold", type=float, nargs="+", default=list(THRESHOLDS), help="match probabilities")
    parser.add_argument(
        "--trained-threshold", type=float, nargs="+", help="where the trained run clusters (default: --threshold)"
    )
    parser.add_argument("--no-train", action="store_true", help="skip the trained run (it needs --model)")
    args = parser.parse_args(argv)
    if args.no_train and args.model is None:
        parser.error("--no-train leaves nothing to run without --model")
    trained = None if args.trained_threshold is None else tuple(args.trained_threshold)
    return args.in_dir, args.out_dir, Runs(args.model, tuple(args.threshold), trained, not args.no_train)


def load_tables(session, in_dir: Path) -> dict[str, Any]:
    """The prepared tables as Spark DataFrames, read by Spark from IN_DIR/<source>.parquet."""
    tables = {}
    for source in SOURCES:
        path = Path(in_dir) / f"{source}.parquet"
        if not path.exists():
            raise FileNotFoundError(f"{path}: no prepared {source} table. Write prepare.prepare(...).people there.")
        tables[source] = session.read.parquet(str(path)).select(*linkage.INPUT_COLUMNS)
    return tables


def _write(frame, folder: Path) -> None:
    frame.coalesce(1).write.mode("overwrite").parquet(str(folder))


def save_run(run: linkage.LinkageRun, folder: Path, thresholds: Sequence[float]) -> dict[str, Any]:
    """Write the run's model, scored pairs and clusters under ``folder``; return its counts and times."""
    folder.mkdir(parents=True, exist_ok=True)
    run.linker.misc.save_model_to_json(str(folder / "model.json"), overwrite=True)
    seconds = dict(run.seconds)
    started = time.perf_counter()
    pairs = run.predictions.as_spark_dataframe()
    gammas = [c for c in pairs.columns if c.startswith("gamma_")]
    _write(pairs.select(*PAIR_COLUMNS, *gammas), folder / "predictions")
    seconds["writing predictions"] = time.perf_counter() - started
    clusters = {}
    for threshold in thresholds:
        started = time.perf_counter()
        found = linkage.cluster(run, threshold).as_spark_dataframe()
        _write(found.select("cluster_id", "source_dataset", "unique_id"), folder / f"clusters_{threshold:g}")
        seconds[f"clustering at {threshold:g}"] = time.perf_counter() - started
        clusters[f"{threshold:g}"] = found.count()
    return {
        "records": sum(sdf.as_spark_dataframe().count() for sdf in run.inputs.values()),
        "comparisons": run.comparisons if run.blocking else None,
        "predictions": pairs.count(),
        "clustered_records": clusters,
        "seconds": {step: round(value, 2) for step, value in seconds.items()},
    }


def execute(in_dir: Path, out_dir: Path, runs: Runs = Runs()) -> dict:
    """Run the model on Spark in this process (see the module's docstring and Runs) and return the summary."""
    from splink.backends.spark import SparkAPI, similarity_jar_location

    out = Path(out_dir).resolve()
    jar = similarity_jar_location()
    started = time.perf_counter()
    session = local_session(out / "spark", jars=[jar], hive=False)
    # SparkAPI's default way of breaking a long query plan writes each intermediate table to
    # Parquet in the session's checkpoint directory (so that each is computed once): keep it
    # with the session's other files.
    session.sparkContext.setCheckpointDir(str(out / "spark" / "checkpoints"))
    summary: dict[str, Any] = {
        "session_start_seconds": round(time.perf_counter() - started, 2),
        "spark_version": session.version,
        "similarity_jar": jar,
        "thresholds": list(runs.thresholds),
        "runs": {},
    }
    tables = load_tables(session, Path(in_dir))
    makers = {"trained": lambda api: linkage.link_people(api, tables)} if runs.train else {}
    if runs.model is not None:
        trained = json.loads(Path(runs.model).read_text(encoding="utf-8"))
        makers["given"] = lambda api: linkage.link_people(api, tables, trained=trained, table_prefix="given")
    for name, make in makers.items():
        started = time.perf_counter()
        db_api = SparkAPI(spark_session=session)
        summary["break_lineage_method"] = db_api.break_lineage_method
        linked = make(db_api)
        at = runs.thresholds if name == "given" or runs.trained_thresholds is None else runs.trained_thresholds
        record = save_run(linked, out / name, at)
        record["seconds"]["total"] = round(time.perf_counter() - started, 2)
        summary["runs"][name] = record
    session.stop()
    return summary


def run(
    in_dir: Path,
    out_dir: Path,
    runs: Runs = Runs(),
    offline: bool = False,
    cwd: Path | None = None,
    timeout: float = 900,
) -> dict:
    """Run the model on Spark in a new Python process (with no network if ``offline``) and return its summary.

    The process's output, Spark's console included, goes to OUT_DIR/worker.log. Raises
    RuntimeError, with the end of that log, if the process fails, and if ``offline`` is
    asked for where it cannot be had, rather than run online unseen.
    """
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    command = ["people_linkage.on_spark", str(Path(in_dir).resolve()), str(out), *runs.argv()]
    return run_module(command, out, "the linkage on Spark", offline, cwd, timeout)


def main(argv: list[str] | None = None) -> int:
    in_dir, out_dir, runs = parse_args(argv)
    summary = execute(in_dir, out_dir, runs)
    text = json.dumps(summary, indent=2, default=str)
    (out_dir / "summary.json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
