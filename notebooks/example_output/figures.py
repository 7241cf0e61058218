"""Charts as PNG images that carry their own description.

A chart's alt text must describe the chart that ran, not one typed from an earlier run. So
the code that draws a chart also writes its description, from the same data, into the PNG
itself (the PNG ``Description`` text keyword), and the book's theme makes it the image's
``alt`` text on the page (``theme/moj_book/images.py``). A notebook shows a chart with

    show(fig, alt=f"Bar chart of ... {top_rule} is the largest group ...")

The image also records the size of its smallest text, in the image's pixels, so that the
browser tests can check that no chart text is too small to read on a phone. Each image
is stored with a small palette: charts use a handful of colours, so it looks the same at a
fifth of the bytes.
"""

from __future__ import annotations

import io

from PIL import Image as PILImage
from PIL import PngImagePlugin

DESCRIPTION = "Description"  # the PNG text keyword for "description of image" (PNG spec, 11.3.4.2)
SMALLEST_TEXT = "Smallest text px"  # the height of the image's smallest text, in its pixels
DPI = 110  # matplotlib's pixels per inch: sharp on most screens, light on the page
COLOURS = 64  # the palette of each image


def describe(png: bytes, alt: str, smallest_text_px: float | None = None) -> bytes:
    """`png` with a small palette and `alt` (and its smallest text size) written into it."""
    if not alt.strip():
        raise ValueError("a chart needs a description of what it shows: pass alt=... made from its data")
    image = PILImage.open(io.BytesIO(png)).convert("RGB").quantize(colors=COLOURS)
    info = PngImagePlugin.PngInfo()
    info.add_itxt(DESCRIPTION, alt)  # iTXt: UTF-8, so names with accents survive
    if smallest_text_px is not None:
        info.add_text(SMALLEST_TEXT, f"{smallest_text_px:.1f}")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def description(png: bytes) -> str | None:
    """The description written into `png`, if any."""
    with PILImage.open(io.BytesIO(png)) as image:
        image.load()
        return image.text.get(DESCRIPTION)


def smallest_text_px(fig) -> float:
    """The height of the smallest visible text of a matplotlib figure, in the PNG's pixels."""
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes, default=0) * DPI / 72


def smallest_text_shown(png: bytes, shown_px: float) -> tuple[float, int]:
    """(height of the image's smallest text when the image is shown `shown_px` wide, at most
    its own width; the image's width), from what the image records."""
    with PILImage.open(io.BytesIO(png)) as image:
        width, smallest = image.size[0], float(image.text[SMALLEST_TEXT])
    return smallest * min(1.0, shown_px / width), width


def figure_png(fig, alt: str) -> bytes:
    """A matplotlib figure as a described PNG; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    smallest = smallest_text_px(fig)
    plt.close(fig)
    return describe(buffer.getvalue(), alt, smallest)


def show(chart, alt: str, smallest_text_px: float | None = None):
    """The chart (a matplotlib figure, or PNG bytes) as an image for the notebook to display,
    described by `alt`. For PNG bytes drawn elsewhere (Splink's charts), give the height of its
    smallest text in the image's pixels, from the fonts it was drawn with."""
    from IPython.display import Image

    png = describe(chart, alt, smallest_text_px) if isinstance(chart, bytes) else figure_png(chart, alt)
    return Image(data=png)
