"""The project's lineage: read dbt's manifest, make a graph of sources, seeds and models, lay it
out, draw it and describe it in words.

The drawing reads top to bottom, one row per layer (sources and seeds, staging,
intermediate, marts; a mart built on marts a row lower). An edge that skips a row passes
through it in a gap kept for it between the boxes, so no edge crosses a box it does not
join: a line through a model would say that the model feeds what it does not.
``lineage_layout`` computes where every box and edge goes, ``draw_lineage`` draws exactly
that, and ``describe_lineage`` says the same in words, from the same graph, for the alt text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .dbt_run import OUTPUT_DIR, dbt_paths

FONT_SIZE = 11  # points: every text of the chart; 5.2 inches wide, it stays readable on a phone
ROW_OF_LAYER = {"source": 0, "seed": 0, "staging": 1, "intermediate": 2, "marts": 3}
LAYER_NAMES = {"source": "sources and seeds", "seed": "sources and seeds"}  # the others as they are
WRAP_AT = 16  # a label longer than this is broken in two lines, after "__", "." or "_"
PAD = 0.08  # inches of box around a label
GAP = 0.14  # inches between neighbours in a row
PASSAGE = 0.16  # inches of gap kept in a row for each edge that passes through it
ROW_PITCH = 1.2  # inches from one row to the next
LEFT = 0.45  # inches at the left for the names of the layers
STYLES = {  # fill, and whether the box has square corners (data entering the project)
    "source": ("#ffffff", True),
    "seed": ("#ffffff", True),
    "staging": ("#d4e6f1", False),
    "intermediate": ("#a9cce3", False),
    "marts": ("#5499c7", False),
}


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


def wrap(label: str, limit: int = WRAP_AT) -> str:
    """`label` in two lines if it is longer than `limit`: after its last "__" or "." (where a
    dbt name joins its parts), or else after the "_" nearest its middle."""
    if len(label) <= limit:
        return label
    for mark in ("__", "."):
        at = label.rfind(mark, 0, len(label) - 1)
        if at > 0:
            cut = at + len(mark)
            return f"{label[:cut]}\n{label[cut:]}"
    cuts = [i + 1 for i, c in enumerate(label[:-1]) if c == "_"]
    if not cuts:
        return label
    cut = min(cuts, key=lambda i: (abs(2 * i - len(label)), -i))
    return f"{label[:cut]}\n{label[cut:]}"


def _text_size(text: str) -> tuple[float, float]:
    """Width and height in inches of `text` (one or more lines) at FONT_SIZE."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure, font = TextToPath(), FontProperties(size=FONT_SIZE)
    lines = text.split("\n")
    width = max(measure.get_text_width_height_descent(line, font, ismath=False)[0] for line in lines)
    return width / 72, len(lines) * FONT_SIZE * 1.25 / 72


@dataclass
class Layout:
    """Where `draw_lineage` puts everything, in inches (y grows upwards).

    boxes: node -> (x centre, y centre, width, height); routes: edge -> the points its line
    goes through, from the bottom of the parent's box to the top of the child's; rows: the
    nodes of each row, left to right (the reading order); layers: each row's layer name;
    names: (y centre, name) of each layer's name, written up the left side once for its rows;
    top and bottom: the drawing's extent, names included."""

    boxes: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    routes: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)
    rows: list[list[str]] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    width: float = 0.0
    height: float = 0.0
    box_height: float = 0.0
    names: list[tuple[float, str]] = field(default_factory=list)
    top: float = 0.0
    bottom: float = 0.0


def _rows(graph) -> dict[str, int]:
    """Each node's row: its layer's, and at least one below each of its parents."""
    import networkx as nx

    row = {}
    for node in nx.topological_sort(graph):
        base = ROW_OF_LAYER.get(graph.nodes[node]["layer"], max(ROW_OF_LAYER.values()))
        row[node] = max([base, *[row[p] + 1 for p in graph.predecessors(node)]])
    return row


def lineage_layout(graph) -> Layout:
    """Lay the graph out in rows, top to bottom, with a passage kept in each row that an edge
    goes through, and the order in each row chosen to keep lines from crossing."""
    row_of = _rows(graph)
    count = max(row_of.values(), default=-1) + 1
    # Each item of a row is a node, or a passage: (parent, child, row) of an edge passing it.
    items: list[list] = [[] for _ in range(count)]
    for node in graph:
        items[row_of[node]].append(node)
    chains = {}
    for parent, child in graph.edges:
        passages = [(parent, child, r) for r in range(row_of[parent] + 1, row_of[child])]
        for passage in passages:
            items[passage[2]].append(passage)
        chains[parent, child] = [parent, *passages, child]
    label = {node: graph.nodes[node]["label"] for node in graph}

    def name(item) -> str:
        return label[item] if isinstance(item, str) else f"{label[item[0]]}->{label[item[1]]}"

    for members in items:
        members.sort(key=name)
    # Order each row by the mean position of its neighbours in the row above, then below.
    above = {}
    below = {}
    for chain in chains.values():
        for upper, lower in zip(chain, chain[1:], strict=False):
            below.setdefault(upper, []).append(lower)
            above.setdefault(lower, []).append(upper)
    for _sweep in range(4):
        for rows, neighbours in ((range(1, count), above), (range(count - 2, -1, -1), below)):
            for r in rows:
                place = {item: i for members in items for i, item in enumerate(members)}

                def centre(item, place=place, neighbours=neighbours):
                    near = [place[n] for n in neighbours.get(item, [])]
                    return (sum(near) / len(near) if near else place[item], name(item))

                items[r].sort(key=centre)

    layout = Layout(labels={node: wrap(label[node]) for node in graph})
    sizes = {node: _text_size(layout.labels[node]) for node in graph}
    height = max((h for _, h in sizes.values()), default=0) + 2 * PAD
    spans = []
    for members in items:
        widths = [sizes[m][0] + 2 * PAD if isinstance(m, str) else PASSAGE for m in members]
        spans.append(widths)
    layout.width = LEFT + max((sum(w) + GAP * (len(w) - 1) for w in spans), default=0)
    centre_x = LEFT + (layout.width - LEFT) / 2
    points = {}
    for r, (members, widths) in enumerate(zip(items, spans, strict=True)):
        y = -r * ROW_PITCH
        x = centre_x - (sum(widths) + GAP * (len(widths) - 1)) / 2
        for member, w in zip(members, widths, strict=True):
            if isinstance(member, str):
                layout.boxes[member] = (x + w / 2, y, w, height)
            else:
                points[member] = [(x + w / 2, y + height / 2), (x + w / 2, y - height / 2)]
            x += w + GAP
        layout.rows.append([m for m in members if isinstance(m, str)])
        kinds = {LAYER_NAMES.get(graph.nodes[m]["layer"], graph.nodes[m]["layer"]) for m in layout.rows[-1]}
        layout.layers.append(" and ".join(sorted(kinds)))
    for (parent, child), chain in chains.items():
        px, py, _, ph = layout.boxes[parent]
        cx, cy, _, ch = layout.boxes[child]
        route = [(px, py - ph / 2)]
        for passage in chain[1:-1]:
            route += points[passage]
        layout.routes[parent, child] = [*route, (cx, cy + ch / 2)]
    layout.height, layout.box_height = (count - 1) * ROW_PITCH + height, height
    layout.top, layout.bottom = height / 2, -layout.height + height / 2
    start = 0
    for r in range(1, count + 1):
        if r == count or layout.layers[r] != layout.layers[start]:
            y, half = -(start + r - 1) / 2 * ROW_PITCH, _text_size(layout.layers[start])[0] / 2
            layout.names.append((y, layout.layers[start]))
            layout.top, layout.bottom = max(layout.top, y + half), min(layout.bottom, y - half)
            start = r
    return layout


def draw_lineage(graph, layout: Layout | None = None):
    """Draw the lineage graph as `lineage_layout` lays it out: a box per source, seed and model
    (square corners where data enters the project), a line per edge with an arrow into the
    model it feeds, the layers named at the left. Returns the figure; each box and line has a
    gid ("node:<id>", "edge:<parent>-><child>") so a test can check where it was drawn."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    layout = layout or lineage_layout(graph)
    top, bottom = layout.top + 0.1, layout.bottom - 0.1
    # One inch of the drawing is one inch of the figure, so the layout's sizes are the ones drawn.
    fig, ax = plt.subplots(figsize=(layout.width + 0.1, top - bottom))
    fig.subplots_adjust(0, 0, 1, 1)
    ax.set_xlim(0, layout.width + 0.1)
    ax.set_ylim(bottom, top)
    ax.axis("off")
    for (parent, child), route in layout.routes.items():
        xs, ys = zip(*route, strict=True)
        ax.plot(xs, ys, color="#505a5f", linewidth=1.2, gid=f"edge:{parent}->{child}", zorder=1)
        ax.annotate(
            "",
            xy=route[-1],
            xytext=route[-2],
            arrowprops={"arrowstyle": "-|>", "color": "#505a5f", "linewidth": 1.2, "shrinkA": 0, "shrinkB": 0},
            zorder=2,
        )
    for node, (x, y, w, h) in layout.boxes.items():
        fill, square = STYLES.get(graph.nodes[node]["layer"], STYLES["marts"])
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - h / 2),
                w,
                h,
                boxstyle="square,pad=0" if square else "round,pad=0,rounding_size=0.08",
                facecolor=fill,
                edgecolor="#0b0c0c",
                linewidth=1,
                gid=f"node:{node}",
                zorder=3,
            )
        )
        ax.text(x, y, layout.labels[node], ha="center", va="center", fontsize=FONT_SIZE, linespacing=1.1, zorder=4)
    for y, name in layout.names:
        ax.text(LEFT / 3, y, name, rotation=90, ha="center", va="center", fontsize=FONT_SIZE, color="#0b0c0c")
    return fig


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe_lineage(graph, layout: Layout | None = None) -> str:
    """The lineage chart in words, from the same graph and layout it is drawn from: the rows
    top to bottom with their boxes left to right, then every edge, read in the same order."""
    layout = layout or lineage_layout(graph)
    label = {node: graph.nodes[node]["label"] for node in graph}
    parts = []
    for r, (layer, members) in enumerate(zip(layout.layers, layout.rows, strict=True)):
        listed = _listed([label[n] for n in members])
        if r and layer == layout.layers[r - 1]:
            parts[-1] += f", and below them {listed}"
        else:
            parts.append(f"{layer}: {listed}")
    rows = "; ".join(parts)
    order = [node for members in layout.rows for node in members]
    position = {node: i for i, node in enumerate(order)}
    feeds = [
        f"{label[node]} feeds {_listed([label[c] for c in sorted(graph.successors(node), key=position.get)])}"
        for node in order
        if graph.out_degree(node)
    ]
    return (
        f"Lineage graph of the dbt project, {graph.number_of_nodes()} boxes in {len(layout.rows)} rows, "
        f"read top to bottom: {rows}. Arrows, {graph.number_of_edges()} in all, show what each feeds: "
        + "; ".join(feeds)
        + "."
    )


def _crosses(start: tuple[float, float], end: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    """Whether the segment from `start` to `end` enters the box (x centre, y centre, width,
    height): the part of the segment inside the box's x range and inside its y range overlap."""
    x, y, w, h = box
    low, high = 0.0, 1.0
    for a, b, lo, hi in ((start[0], end[0], x - w / 2, x + w / 2), (start[1], end[1], y - h / 2, y + h / 2)):
        if a == b:
            if not lo < a < hi:
                return False
            continue
        t0, t1 = sorted(((lo - a) / (b - a), (hi - a) / (b - a)))
        low, high = max(low, t0), min(high, t1)
    return low < high


def crossed_boxes(layout: Layout) -> list[str]:
    """Each line of the layout that crosses a box other than its two ends', as "parent -> child
    crosses box" (labels); [] when every line joins only the boxes at its ends."""
    found = []
    for (parent, child), route in layout.routes.items():
        for node, box in layout.boxes.items():
            if node not in (parent, child) and any(_crosses(a, b, box) for a, b in zip(route, route[1:], strict=False)):
                found.append(f"{layout.labels[parent]} -> {layout.labels[child]} crosses {layout.labels[node]}")
    return [line.replace("\n", "") for line in found]
