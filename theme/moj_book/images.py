"""Images: each has its intrinsic size, and chart images (PNG) are stored small.

Every ``<img>`` gets ``width`` and ``height`` from its file, so that the browser
keeps its place while it loads and the page does not shift (the theme's CSS
still scales it down to fit). Notebook charts are drawn by matplotlib in a
handful of colours plus anti-aliasing; stored as a 256-colour image when that
halves the file or better, a chart looks the same and weighs a third. A page's
whole weight must stay under 300 KiB, and two charts would use half of it.
Photos or gradients that would lose detail keep their original encoding.

A chart describes itself: the notebook code that draws it writes its alt text, made from the
data it draws, into the PNG (the ``Description`` text keyword, see
notebooks/example_output/figures.py), and that becomes the image's ``alt`` here. An image
given alt text both ways is a warning (fails the build): the cell metadata's would be typed
by hand, and could drift from what ran. The image's smallest text size (in its pixels)
becomes ``data-smallest-text-px``, which the browser tests scale by the image's shown width.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.util import logging

from .html import Page

logger = logging.getLogger(__name__)

DESCRIPTION = "Description"  # the PNG text keyword an image's description is written under
SMALLEST_TEXT = "Smallest text px"


def _sources(app) -> dict[str, Path]:
    """The builder's images, by the file name each has in _images/."""
    return {name: Path(app.srcdir, source) for source, name in getattr(app.builder, "images", {}).items()}


def page(page: Page) -> None:
    if page.body is None:
        return
    from PIL import Image, UnidentifiedImageError

    sources = _sources(page.app)
    for img in page.body.find_all("img", src=True):
        source = sources.get(img["src"].rsplit("/", 1)[-1])
        if source is None or not source.is_file():
            continue
        try:
            with Image.open(source) as image:
                image.load()
                size, text = image.size, dict(getattr(image, "text", {}))
        except (UnidentifiedImageError, OSError):
            continue  # not a raster image (SVG): the browser sizes it from its viewBox
        if not (img.get("width") and img.get("height")):
            img["width"], img["height"] = str(size[0]), str(size[1])
        described = text.get(DESCRIPTION, "").strip()
        if described:
            typed = img.get("alt", "")
            if typed and typed != img["src"] and typed != described:  # docutils writes the src when none is given
                logger.warning(
                    f"{page.name}: a chart has alt text in its cell's metadata and in its image "
                    f"({source.name}, made from its data): remove the metadata's, which is typed by hand",
                    type="moj_book",
                    subtype="alt",
                )
            img["alt"] = described
        if SMALLEST_TEXT in text:
            img["data-smallest-text-px"] = text[SMALLEST_TEXT]


def smaller_pngs(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from PIL import Image

    for path in sorted(Path(app.outdir, "_images").glob("*.png")):
        with Image.open(path) as image:
            if image.mode == "P":
                continue
            rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        flat = Image.alpha_composite(white, rgba).convert("RGB")
        palette = flat.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        target = path.with_suffix(".png.tmp")
        palette.save(target, "PNG", optimize=True)
        if target.stat().st_size * 2 <= path.stat().st_size:
            target.replace(path)
        else:
            target.unlink()


def setup(app) -> None:
    app.connect("build-finished", smaller_pngs)
