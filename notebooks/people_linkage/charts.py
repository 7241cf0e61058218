"""Charts as static PNG images, made offline.

Splink's charts are Vega-Lite specifications; shown as they are, they load Vega from a
content delivery network, so offline they would be blank and online the page would
reach another host. ``splink_chart`` renders a chart's specification to PNG with
``vl_convert`` instead, in this process, and drops the hints about mouse interaction
that a still image cannot honour. ``precision_recall`` draws the accuracy of the links
with matplotlib. Both reduce the image to a small palette, so the page stays light.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd
import vl_convert
from IPython.display import Image
from PIL import Image as PILImage

SCALE = 1.5  # pixels per Vega-Lite unit: sharp on most screens
COLOURS = 64  # the palette of each image


def small_png(png: bytes) -> bytes:
    """The same image with a small palette: a fifth of the bytes, no visible change for charts."""
    image = PILImage.open(io.BytesIO(png)).convert("RGB").quantize(colors=COLOURS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _static(spec: dict) -> dict:
    """A specification without hints about the mouse (such as 'Use mousewheel to zoom')."""
    title = spec.get("title")
    if isinstance(title, dict) and "mouse" in str(title.get("subtitle", "")).lower():
        spec = {**spec, "title": {k: v for k, v in title.items() if k != "subtitle"}}
    return spec


def splink_png(chart) -> bytes:
    """A Splink chart rendered to PNG bytes, offline."""
    return small_png(vl_convert.vegalite_to_png(_static(chart.chart_dict), scale=SCALE))


def splink_chart(chart) -> Image:
    """A Splink chart as a static image for the notebook."""
    return Image(data=splink_png(chart))


def figure_image(fig) -> Image:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return Image(data=small_png(buffer.getvalue()))


def precision_recall(table: pd.DataFrame, chosen: float) -> Image:
    """Precision, recall and F1 of the links at each threshold, with the chosen one marked."""
    fig, ax = plt.subplots(figsize=(7, 4))
    styles = {"precision": ("#1d70b8", "o", "-"), "recall": ("#d4351c", "s", "--"), "f1": ("#505a5f", "^", ":")}
    for column, (colour, marker, line) in styles.items():
        ax.plot(
            table["threshold"],
            table[column],
            color=colour,
            marker=marker,
            linestyle=line,
            label={"f1": "F1"}.get(column, column.capitalize()),
        )
    ax.axvline(chosen, color="#0b0c0c", linewidth=1)
    ax.annotate(f"chosen: {chosen:g}", (chosen, ax.get_ylim()[0]), xytext=(4, 4), textcoords="offset points")
    ax.set_xscale("logit")
    ax.set_xticks(list(table["threshold"]), [f"{t:g}" for t in table["threshold"]], rotation=45)
    ax.minorticks_off()
    ax.set_xlabel("Threshold: the match probability at or above which a pair is linked")
    ax.set_ylabel("Share (1 is perfect)")
    ax.set_title("Accuracy of the links against the truth, by threshold")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    return figure_image(fig)
