"""The dbt example's lineage chart tells the truth: drawn from the manifest, no line crosses a
box it does not join, no box covers another, every label fits its box, the text stays
readable on a phone, and the alt text names every box and arrow of the chart that was drawn.

The geometry is read back from the figure itself (each box and line carries a gid), not from
the layout that placed them, so a drawing that strays from its layout fails too. The
manifests here are small made-up ones in the shape of dbt's (sources, nodes, parent_map):
the project's own shape, and the same with one more model, a model that skips layers, and a
wide row. The project's real manifest is checked in test_court_timeliness_dbt.py.
"""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from court_timeliness_dbt import lineage  # noqa: E402
from example_output import figures  # noqa: E402

PHONE_CONTENT_PX = 350  # the width of a page's content on a phone 390 pixels wide
SMALLEST_READABLE_PX = 10


def manifest_of(models: dict[str, tuple[str, list[str]]]) -> dict:
    """A manifest in dbt's shape from {name: (file path or "source"/"seed", [parent names])}."""
    sources, nodes, parents = {}, {}, {}
    ids = {}
    for name, (path, _) in models.items():
        if path == "source":
            source, table = name.split(".")
            ids[name] = f"source.court_timeliness.{source}.{table}"
            sources[ids[name]] = {
                "resource_type": "source",
                "package_name": "court_timeliness",
                "source_name": source,
                "name": table,
                "original_file_path": "models/staging/_curated__sources.yml",
            }
        else:
            kind = "seed" if path == "seed" else "model"
            ids[name] = f"{kind}.court_timeliness.{name}"
            nodes[ids[name]] = {
                "resource_type": kind,
                "package_name": "court_timeliness",
                "name": name,
                "original_file_path": f"seeds/{name}.csv" if kind == "seed" else path,
            }
    # A test and another package's model, which the chart leaves out.
    nodes["test.court_timeliness.not_null_x"] = {
        "resource_type": "test",
        "package_name": "court_timeliness",
        "name": "not_null_x",
        "original_file_path": "models/marts/_marts__models.yml",
    }
    for name, (_, ups) in models.items():
        parents[ids[name]] = [ids[up] for up in ups]
    parents["test.court_timeliness.not_null_x"] = [ids[next(iter(models))]]
    return {"sources": sources, "nodes": nodes, "parent_map": parents}


# The shape of the project in notebooks/court_timeliness_dbt/court_timeliness/.
PROJECT = {
    "curated.court_cases": ("source", []),
    "curated.courts": ("source", []),
    "offence_categories": ("seed", []),
    "stg_curated__court_cases": ("models/staging/stg_curated__court_cases.sql", ["curated.court_cases"]),
    "stg_curated__courts": ("models/staging/stg_curated__courts.sql", ["curated.courts"]),
    "int_court_cases__current": ("models/intermediate/int_court_cases__current.sql", ["stg_curated__court_cases"]),
    "int_court_cases__history": ("models/intermediate/int_court_cases__history.sql", ["stg_curated__court_cases"]),
    "dim_courts": ("models/marts/dim_courts.sql", ["stg_curated__courts"]),
    "dim_dates": ("models/marts/dim_dates.sql", ["stg_curated__court_cases"]),
    "dim_offences": ("models/marts/dim_offences.sql", ["offence_categories"]),
    "fct_cases": ("models/marts/fct_cases.sql", ["int_court_cases__current", "int_court_cases__history"]),
    "fct_court_quarter_timeliness": ("models/marts/fct_court_quarter_timeliness.sql", ["fct_cases", "dim_courts"]),
}
ONE_MORE_MODEL = {
    **PROJECT,
    "fct_court_quarter_outcomes": (
        "models/marts/fct_court_quarter_outcomes.sql",
        ["fct_cases", "dim_courts", "dim_offences"],
    ),
}
SKIPPING = {
    **PROJECT,
    # From a source straight to a mart on marts: it passes three rows.
    "fct_court_summary": ("models/marts/fct_court_summary.sql", ["curated.courts", "fct_court_quarter_timeliness"]),
}
WIDE = {
    **PROJECT,
    **{
        f"int_court_cases__by_{part}": (f"models/intermediate/int_court_cases__by_{part}.sql", ["stg_curated__courts"])
        for part in ("region", "offence")
    },
    "dim_regions": ("models/marts/dim_regions.sql", ["int_court_cases__by_region", "curated.court_cases"]),
}
SHAPES = {"project": PROJECT, "one more model": ONE_MORE_MODEL, "skipping rows": SKIPPING, "a wide row": WIDE}


def drawn(fig) -> tuple[dict, dict, dict]:
    """What the figure shows, in inches: each box's (x0, y0, x1, y1) by node id, each line's
    points by (parent, child), and each box's label's extent, read from the artists."""
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch
    from matplotlib.text import Text

    fig.canvas.draw()
    to_inches = fig.dpi_scale_trans.inverted()
    boxes, lines, texts = {}, {}, []
    for artist in fig.findobj(FancyBboxPatch):
        gid = artist.get_gid() or ""
        if gid.startswith("node:"):
            (x0, y0), (x1, y1) = to_inches.transform(artist.get_window_extent().get_points())
            boxes[gid.removeprefix("node:")] = (x0, y0, x1, y1)
    for artist in fig.findobj(Line2D):
        gid = artist.get_gid() or ""
        if gid.startswith("edge:"):
            parent, child = gid.removeprefix("edge:").split("->")
            points = artist.get_transform().transform(np.column_stack(artist.get_data()))
            lines[parent, child] = [tuple(p) for p in to_inches.transform(points)]
    for artist in fig.findobj(Text):
        if artist.get_text().strip() and artist.get_visible():
            (x0, y0), (x1, y1) = to_inches.transform(artist.get_window_extent().get_points())
            texts.append((artist.get_text(), (x0, y0, x1, y1)))
    return boxes, lines, texts


def crosses(a, b, box, margin: float = 0.02) -> bool:
    """Whether segment a-b comes within `margin` inches of the inside of box (x0, y0, x1, y1),
    by clipping the segment to the box grown by the margin (Liang-Barsky)."""
    x0, y0, x1, y1 = box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
        else:
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
    return t0 < t1


def crossings(fig) -> list[str]:
    """Each drawn line that passes through (or within 0.02 inches of) a box it does not join."""
    boxes, lines, _ = drawn(fig)
    found = []
    for (parent, child), points in lines.items():
        for node, box in boxes.items():
            if node not in (parent, child) and any(
                crosses(a, b, box) for a, b in zip(points, points[1:], strict=False)
            ):
                found.append(f"{parent} -> {child} crosses {node}")
    return found


def graph_of(shape):
    return lineage.lineage_graph(manifest_of(shape))


@pytest.fixture(params=list(SHAPES), scope="module")
def chart(request):
    graph = graph_of(SHAPES[request.param])
    fig = lineage.draw_lineage(graph)
    yield request.param, graph, fig
    matplotlib.pyplot.close(fig)


def test_every_source_seed_and_model_is_a_box_and_every_dependency_a_line(chart):
    _, graph, fig = chart
    boxes, lines, _ = drawn(fig)
    assert set(boxes) == set(graph.nodes) and set(lines) == set(graph.edges)
    assert not any(node.startswith("test.") for node in boxes)
    # Each line leaves its parent's box at the bottom and enters its child's box at the top.
    for (parent, child), points in lines.items():
        (px0, py0, px1, _), (cx0, _, cx1, cy1) = boxes[parent], boxes[child]
        start, end = points[0], points[-1]
        assert px0 < start[0] < px1 and abs(start[1] - py0) < 0.02, (parent, child, start, boxes[parent])
        assert cx0 < end[0] < cx1 and abs(end[1] - cy1) < 0.02, (parent, child, end, boxes[child])


def test_no_line_crosses_a_box_it_does_not_join(chart):
    name, _, fig = chart
    assert crossings(fig) == [], name


def test_no_box_covers_another_and_every_label_fits_its_box(chart):
    _, graph, fig = chart
    boxes, _, texts = drawn(fig)
    placed = list(boxes.items())
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(placed):
        for b, (bx0, by0, bx1, by1) in placed[i + 1 :]:
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a, b)
    layout = lineage.lineage_layout(graph)
    for node, (x0, y0, x1, y1) in boxes.items():
        extents = [extent for text, extent in texts if text == layout.labels[node]]
        assert extents, f"no label drawn for {node}"
        tx0, ty0, tx1, ty1 = min(extents, key=lambda e: abs((e[0] + e[2]) / 2 - (x0 + x1) / 2))
        assert x0 <= tx0 and tx1 <= x1 and y0 <= ty0 and ty1 <= y1, (node, layout.labels[node])


@pytest.mark.parametrize("name", ["project", "one more model"])
def test_the_text_stays_readable_on_a_phone(name):
    """The project's chart, and with a model more, are narrow enough that scaled down to a
    phone's width their smallest text is still 10 pixels high. (A row of five or more boxes,
    as in the shapes "skipping rows" and "a wide row", is not: the chart is as wide as its
    widest row.)"""
    graph = graph_of(SHAPES[name])
    png = figures.figure_png(lineage.draw_lineage(graph), alt="lineage")
    on_phone, width = figures.smallest_text_shown(png, PHONE_CONTENT_PX)
    assert on_phone >= SMALLEST_READABLE_PX, (
        f"{name}: the chart is {width} px wide, so on a phone its smallest text "
        f"comes out {on_phone:.1f} px high: under {SMALLEST_READABLE_PX}"
    )


def test_the_check_finds_a_straight_line_through_a_model():
    """Straight lines, as the chart had before: stg_curated__courts -> dim_courts went through
    an intermediate model. Both this test's check and the notebook's must say so."""
    graph = graph_of(PROJECT)
    layout = lineage.lineage_layout(graph)
    for edge, route in layout.routes.items():
        layout.routes[edge] = [route[0], route[-1]]
    found = crossings(lineage.draw_lineage(graph, layout))
    assert found, "straight lines across the intermediate row crossed no box: the check sees nothing"
    assert all(" crosses model.court_timeliness.int_" in line for line in found), found
    assert len(lineage.crossed_boxes(layout)) == len(found)


def test_a_line_that_skips_rows_passes_each_in_a_gap_of_its_own():
    graph = graph_of(SKIPPING)
    layout = lineage.lineage_layout(graph)
    route = layout.routes["source.court_timeliness.curated.courts", "model.court_timeliness.fct_court_summary"]
    rows = len(layout.rows) - 1  # from the first row to the last
    assert len(route) == 2 + 2 * (rows - 1)  # in and out of every row between
    assert lineage.crossed_boxes(layout) == []


def describe(shape) -> str:
    return lineage.describe_lineage(graph_of(shape))


def test_the_alt_text_names_every_box_and_arrow_in_reading_order():
    graph = graph_of(PROJECT)
    layout = lineage.lineage_layout(graph)
    alt = lineage.describe_lineage(graph, layout)
    label = {node: graph.nodes[node]["label"] for node in graph}
    assert f"{graph.number_of_nodes()} boxes in {len(layout.rows)} rows" in alt
    assert f"Arrows, {graph.number_of_edges()} in all" in alt
    # The boxes in the order a reader meets them: rows top to bottom, each left to right.
    order = [label[node] for row in layout.rows for node in row]
    boxes_part = alt.split("Arrows")[0]
    positions = [boxes_part.index(name) for name in order]
    assert positions == sorted(positions), order
    arrows = alt.split("show what each feeds: ")[1].removesuffix(".").split("; ")
    for parent, child in graph.edges:
        feeds = [part for part in arrows if part.startswith(f"{label[parent]} feeds ")]
        assert len(feeds) == 1 and label[child] in feeds[0], (label[parent], label[child])


def test_the_alt_text_follows_the_manifest():
    before, after = describe(PROJECT), describe(ONE_MORE_MODEL)
    assert "fct_court_quarter_outcomes" not in before and "fct_court_quarter_outcomes" in after
    assert "13 boxes" in after and "Arrows, 14 in all" in after
    arrows = after.split("show what each feeds: ")[1].split("; ")
    for parent in ("fct_cases", "dim_courts", "dim_offences"):
        feeds = next(part for part in arrows if part.startswith(f"{parent} feeds "))
        assert "fct_court_quarter_outcomes" in feeds, feeds
    skipping = describe(SKIPPING)
    assert "curated.courts feeds stg_curated__courts and fct_court_summary" in skipping
    assert "fct_court_quarter_timeliness, and below them fct_court_summary" in skipping


def test_long_names_break_where_dbt_names_join():
    assert lineage.wrap("stg_curated__court_cases") == "stg_curated__\ncourt_cases"
    assert lineage.wrap("curated.court_cases") == "curated.\ncourt_cases"
    assert lineage.wrap("fct_court_quarter_timeliness") == "fct_court_quarter_\ntimeliness"
    assert lineage.wrap("dim_courts") == "dim_courts"
    assert lineage.wrap("a" * 30) == "a" * 30  # nowhere to break: left whole
