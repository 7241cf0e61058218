"""Plumbing for the dbt example notebook (court_timeliness_dbt.ipynb), its tests and
its benchmark: run dbt in process with every file in the git-ignored output folder,
tabulate the results and draw the lineage graph from dbt's manifest.

The lesson is in the notebook and in the dbt project (court_timeliness/); nothing here
needs reading to follow it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

# No telemetry from dbt or anything else, whatever the caller's environment says.
os.environ["DO_NOT_TRACK"] = "1"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE / "court_timeliness"
# Everything the example writes goes to notebooks/output/court_timeliness_dbt/, which git ignores.
OUTPUT_DIR = HERE.parent / "output" / "court_timeliness_dbt"


TARGETS = ("duckdb", "spark")


def dbt_paths(output_dir: Path = OUTPUT_DIR, name: str = "court_timeliness") -> dict:
    """Where one dbt set-up keeps its files (all under output_dir): the DuckDB database file,
    target/ and logs/, and the Spark schema its models are built in (the name, as an identifier)."""
    base = Path(output_dir).resolve() / name
    return {
        "database": base / f"{name}.duckdb",
        "target": base / "target",
        "logs": base / "logs",
        "schema": re.sub(r"\W", "_", name).lower(),
    }


@contextmanager
def _env(**values: str | None):
    """Set (a string) or unset (None) environment variables for the duration of a block."""
    saved = {key: os.environ.get(key) for key in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _check_target(target: str) -> None:
    if target not in TARGETS:
        raise ValueError(f"target {target!r}: the project's profiles.yml has {', '.join(TARGETS)} to run here")


def dbt_flags(curated_dir: Path, paths: dict, target: str = "duckdb") -> list[str]:
    """The flags that point dbt at this project and its profile, the curated data in
    `curated_dir` and the output folders in `paths` (from dbt_paths). The same for
    dbtRunner and for the `dbt` command a maintainer types.

    On Spark the curated sources are registered in a schema of their own for this set-up
    (`<schema>_curated`), so that set-ups over different curated data can share a session."""
    _check_target(target)
    variables = {"curated_dir": Path(curated_dir).resolve().as_posix()}
    if target == "spark":
        variables["curated_schema"] = f"{paths['schema']}_curated"
    return [
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target",
        target,
        "--target-path",
        str(paths["target"]),
        "--log-path",
        str(paths["logs"]),
        "--vars",
        json.dumps(variables),
        "--no-use-colors",
    ]


def dbt_env(paths: dict, target: str = "duckdb", spark_dir: Path | None = None) -> dict[str, str]:
    """The environment variables profiles.yml reads for that target: the DuckDB file, or the
    Spark session's folder, schema and log settings (absolute paths, to run from anywhere)."""
    _check_target(target)
    if target == "duckdb":
        return {"COURT_TIMELINESS_DUCKDB": str(paths["database"])}
    from . import spark

    return {
        "COURT_TIMELINESS_SPARK_SCHEMA": paths["schema"],
        "COURT_TIMELINESS_SPARK_DIR": str(Path(spark_dir or spark.DEFAULT_WORK_DIR).resolve()),
        "COURT_TIMELINESS_SPARK_LOG4J2": str(spark.LOG4J2),
    }


def run_dbt(
    args: list[str],
    curated_dir: Path,
    output_dir: Path = OUTPUT_DIR,
    name: str = "court_timeliness",
    quiet=True,
    target: str = "duckdb",
    spark_dir: Path | None = None,
):
    """Run a dbt command (for example ["build"]) through dbt's Python API, dbtRunner.

    The project reads the curated Parquet in `curated_dir`; target/ (manifest, run results,
    compiled SQL) and logs/ go under `output_dir`/<name>/, and so does the DuckDB database
    file. On Spark (`target="spark"`) the models go to the schema <name> of this process's
    local session (court_timeliness_dbt.spark.local_session, with its files in `spark_dir`),
    which is started first if need be and reused by every later run.
    Returns dbt's result object; it never raises for a failing model or test (look at
    `result.success`), only for a broken project or profile.
    """
    from dbt.cli.main import dbtRunner

    paths = dbt_paths(output_dir, name)
    paths["target"].mkdir(parents=True, exist_ok=True)
    paths["logs"].mkdir(parents=True, exist_ok=True)
    flags = dbt_flags(curated_dir, paths, target)
    if quiet:
        flags.append("--quiet")
    if target == "spark":
        from . import spark

        spark.local_session(spark_dir or spark.DEFAULT_WORK_DIR)
    with _env(**dbt_env(paths, target, spark_dir)):
        result = dbtRunner().invoke([*args, *flags])
    if target == "duckdb":
        _release_database()
    if result.exception is not None:
        raise RuntimeError(f"dbt {' '.join(args)} could not run: {result.exception}") from result.exception
    return result


def _release_database() -> None:
    """dbt-duckdb keeps its DuckDB database open in this process after a run; close it,
    so that the file can be opened again (read-only, or by the next run)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()


# The planted problems plant_bad_rows() knows, each breaking one of the project's own tests.
PLANTED_PROBLEMS = {
    "completes_before_received": "assert_no_case_completes_before_received",
    "two_current_versions": "assert_one_current_record_per_case",
    "overlapping_versions": "assert_case_versions_do_not_overlap",
}


def plant_bad_rows(curated: Path, copy: Path, problems=tuple(PLANTED_PROBLEMS)):
    """Copy the curated data in `curated` to `copy` (replacing it) and add one made-up case for
    each problem named (keys of PLANTED_PROBLEMS), in one Parquet file of its own:

    - completes_before_received: CASE-BAD001 completed the day before it was received;
    - two_current_versions: CASE-BAD002 has two current versions (one after the other);
    - overlapping_versions: CASE-BAD003 has two versions valid at the same moment.

    Each case copies a real completed case, so only the planted fault differs, and the file
    is written by DuckDB with the curated files' own column types (Spark, unlike DuckDB,
    refuses a folder whose files disagree on them). Returns the planted rows, as a pandas
    DataFrame."""
    import duckdb

    unknown = sorted(set(problems) - set(PLANTED_PROBLEMS))
    if unknown or not problems:
        raise ValueError(f"problems {unknown or list(problems)}: choose one or more of {sorted(PLANTED_PROBLEMS)}")
    curated, copy = Path(curated), Path(copy)
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(curated, copy)
    day = "interval 1 day"
    versions = {
        "completes_before_received": [
            f"'CASE-BAD001' as case_id, received_date - {day} as completed_date",
        ],
        "two_current_versions": [  # they follow one another, so they do not overlap
            f"'CASE-BAD002' as case_id, mojap_start_datetime + {day} as mojap_end_datetime",
            f"'CASE-BAD002' as case_id, mojap_start_datetime + {day} as mojap_start_datetime",
        ],
        "overlapping_versions": [  # the first ends after the second begins
            f"'CASE-BAD003' as case_id, mojap_start_datetime + 2 * {day} as mojap_end_datetime, "
            "false as mojap_current_record",
            f"'CASE-BAD003' as case_id, mojap_start_datetime + {day} as mojap_start_datetime",
        ],
    }
    with duckdb.connect() as con:
        con.execute(
            "create temp table template as select * exclude (received_year) "
            f"from read_parquet('{cases_glob(curated)}', hive_partitioning = true) "
            "where mojap_current_record and completed_date is not null order by case_id limit 1"
        )
        template = con.table("template")
        columns = template.columns
        year = con.sql("select year(received_date) from template").fetchall()[0][0]
        # `replace` keeps each column's type; the casts keep date arithmetic a date.
        planted = " union all ".join(
            f"select * replace ({changes}) from template" for p in problems for changes in versions[p]
        )
        typed = ", ".join(f"cast({c} as {t}) as {c}" for c, t in zip(columns, template.types, strict=True))
        bad = con.sql(f"select {typed} from ({planted}) as planted")
        target = copy / "court_cases" / f"received_year={year}" / "planted_bad_rows.parquet"
        bad.write_parquet(str(target))
        return bad.df()


def cases_glob(curated: Path) -> str:
    """The glob that matches every Parquet file of the curated court cases (Hive-partitioned)."""
    return (Path(curated) / "court_cases" / "*" / "*.parquet").as_posix()


def results_table(result):
    """dbt's run results as a table: one row per node, with its status and time."""
    import pandas as pd

    rows = []
    for node_result in result.result.results:
        node = node_result.node
        rows.append(
            {
                "node": node.name,
                "type": node.resource_type.value,
                "status": str(node_result.status.value if hasattr(node_result.status, "value") else node_result.status),
                "seconds": round(node_result.execution_time, 2),
            }
        )
    order = {"seed": 0, "model": 1, "test": 2}
    table = pd.DataFrame(rows, columns=["node", "type", "status", "seconds"])
    table["_order"] = table["type"].map(order).fillna(3)
    return table.sort_values(["_order", "node"]).drop(columns="_order").reset_index(drop=True)


def failures(result) -> list[dict]:
    """The tests and models that did not pass: name, file, dbt's message and the SQL that found it."""
    found = []
    for node_result in result.result.results:
        status = str(getattr(node_result.status, "value", node_result.status))
        if status in ("fail", "error"):
            node = node_result.node
            found.append(
                {
                    "name": node.name,
                    "status": status,
                    "file": node.original_file_path,
                    "message": node_result.message,
                    "failures": node_result.failures,
                    "compiled_code": getattr(node, "compiled_code", None),
                }
            )
    return found


def load_manifest(output_dir: Path = OUTPUT_DIR, name: str = "court_timeliness") -> dict:
    """dbt's manifest (target/manifest.json) from the last run of that set-up."""
    path = dbt_paths(output_dir, name)["target"] / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _layer(node: dict) -> str:
    if node["resource_type"] in ("source", "seed"):
        return node["resource_type"]
    folder = Path(node["original_file_path"]).parts
    return folder[1] if len(folder) > 2 else "marts"


def lineage_graph(manifest: dict):
    """A directed graph of sources, seeds and models (tests left out), from the manifest."""
    import networkx as nx

    graph = nx.DiGraph()
    nodes = {**manifest["sources"], **manifest["nodes"]}
    for unique_id, node in nodes.items():
        if node["resource_type"] in ("model", "seed", "source") and node["package_name"] == "court_timeliness":
            label = f"{node['source_name']}.{node['name']}" if node["resource_type"] == "source" else node["name"]
            graph.add_node(unique_id, label=label, layer=_layer(node))
    for unique_id in list(graph.nodes):
        for parent in manifest["parent_map"].get(unique_id, []):
            if parent in graph:
                graph.add_edge(parent, unique_id)
    return graph


def draw_lineage(graph, ax=None):
    """Draw the lineage graph left to right, one column per layer, with every node labelled."""
    import matplotlib.pyplot as plt
    import networkx as nx

    # Put seeds in the same column as sources: both are where data enters the project.
    column_of = {"source": 0, "seed": 0, "staging": 1, "intermediate": 2, "marts": 3}
    # A node sits at least one column right of each parent (a mart built on a mart moves right).
    depth = {}
    for node in nx.topological_sort(graph):
        base = column_of.get(graph.nodes[node]["layer"], 3)
        same_layer = [p for p in graph.predecessors(node) if graph.nodes[p]["layer"] == graph.nodes[node]["layer"]]
        depth[node] = max([base, *[depth[p] + 1 for p in same_layer]])
    by_column: dict[int, list[str]] = {}
    for node, col in depth.items():
        by_column.setdefault(col, []).append(node)
    pos = {}
    for col, members in by_column.items():
        members.sort(key=lambda n: graph.nodes[n]["label"])
        for i, node in enumerate(members):
            pos[node] = (col, -(i - (len(members) - 1) / 2))
    if ax is None:
        _, ax = plt.subplots(figsize=(14, 6))
    styles = {
        "source": ("#ffffff", "s"),
        "seed": ("#ffffff", "s"),
        "staging": ("#d4e6f1", "o"),
        "intermediate": ("#a9cce3", "o"),
        "marts": ("#5499c7", "o"),
    }
    nx.draw_networkx_edges(graph, pos, ax=ax, arrows=True, arrowsize=14, edge_color="#505a5f", node_size=600)
    for layer, (colour, shape) in styles.items():
        members = [n for n in graph if graph.nodes[n]["layer"] == layer]
        nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=members,
            ax=ax,
            node_color=colour,
            node_shape=shape,
            edgecolors="#0b0c0c",
            node_size=600,
        )
    for node, (x, y) in pos.items():
        ax.annotate(
            graph.nodes[node]["label"],
            (x, y),
            xytext=(0, -16),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=9,
        )
    headers = {0: "sources and seeds", 1: "staging", 2: "intermediate", (3 + max(by_column)) / 2: "marts"}
    for x, name in headers.items():
        ax.text(x, max(y for _, y in pos.values()) + 0.9, name, ha="center", fontsize=11, fontweight="bold")
    ax.set_xlim(-0.6, max(by_column) + 0.6)
    ax.set_ylim(min(y for _, y in pos.values()) - 0.9, max(y for _, y in pos.values()) + 1.3)
    ax.axis("off")
    return ax


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
