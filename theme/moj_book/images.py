"""Images: each has its intrinsic size, and chart images (PNG) are stored small.

Every ``<img>`` gets ``width`` and ``height`` from its file, so that the browser
keeps its place while it loads and the page does not shift (the theme's CSS
still scales it down to fit). Notebook charts are drawn by matplotlib in a
handful of colours plus anti-aliasing; stored as a 256-colour image when that
halves the file or better, a chart looks the same and weighs a third. A page's
whole weight must stay under 300 KiB, and two charts would use half of it.
Photos or gradients that would lose detail keep their original encoding.
"""

from __future__ import annotations

from pathlib import Path

from .html import Page


def _sources(app) -> dict[str, Path]:
    """The builder's images, by the file name each has in _images/."""
    return {name: Path(app.srcdir, source) for source, name in getattr(app.builder, "images", {}).items()}


def page(page: Page) -> None:
    if page.body is None:
        return
    from PIL import Image, UnidentifiedImageError

    sources = _sources(page.app)
    for img in page.body.find_all("img", src=True):
        if img.get("width") and img.get("height"):
            continue
        source = sources.get(img["src"].rsplit("/", 1)[-1])
        if source is None or not source.is_file():
            continue
        try:
            with Image.open(source) as image:
                width, height = image.size
        except (UnidentifiedImageError, OSError):
            continue  # not a raster image (SVG): the browser sizes it from its viewBox
        img["width"], img["height"] = str(width), str(height)


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
