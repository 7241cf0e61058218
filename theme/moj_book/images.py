"""Chart images (PNG) are stored as 256-colour images when that halves them or better.

Notebook charts are drawn by matplotlib in a handful of colours plus
anti-aliasing; a palette image looks the same and weighs a third. A page's
whole weight must stay under 300 KiB, and two charts would use half of it.
Photos or gradients that would lose detail keep their original encoding.
"""

from __future__ import annotations

from pathlib import Path


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
