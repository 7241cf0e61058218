"""The project's lineage: read dbt's manifest, make a graph of sources, seeds and models, and draw it."""

from __future__ import annotations

import json
from pathlib import Path

from .dbt_run import OUTPUT_DIR, dbt_paths


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
