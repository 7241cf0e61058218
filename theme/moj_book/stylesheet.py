"""The theme's stylesheet: its Sass (scss/) with GOV.UK Frontend from node_modules, and the code
colours (Pygments), compiled and minified into one file that every page loads.

Sass and GOV.UK Frontend come from the pinned front-end packages (`npm ci`);
nothing is copied into the repository. Each compiled stylesheet is kept in
node_modules/.cache/moj_book/ under a digest of everything it is made from (this
module, the Sass, the versions of Sass and GOV.UK Frontend, the Pygments style), so
Sass runs again only when one of them changes: not after `make clean`, nor for a
test's small book, whose node_modules is a link to the project's (a run of Sass
takes 1.5 to 2 s of CPU). The newest KEEP stylesheets are kept. Sphinx's own
pygments.css is not loaded (see assets.py).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

from sphinx.errors import ExtensionError

from .theme_name import NAME

HERE = Path(__file__).resolve().parent
SCSS = HERE / "scss"
FILE_NAME = "moj-book.css"
KEEP = 20  # compiled stylesheets kept in the cache, the most recently used


def node_modules(app) -> Path:
    return Path(app.confdir) / "node_modules"


def compile_stylesheet(app) -> None:
    """Put the compiled stylesheet in a static folder that Sphinx copies to _static/."""
    if app.builder.format != "html" or app.config.html_theme != NAME:
        return
    modules = node_modules(app)
    sass = modules / ".bin" / "sass"
    govuk = modules / "govuk-frontend" / "package.json"
    if not sass.exists() or not govuk.exists():
        raise ExtensionError(
            f"{sass} or {govuk} is missing: the book's styles are compiled from GOV.UK Frontend. "
            f"Run `npm ci` in {Path(app.confdir)} (Node 20 or newer), or `make book`, which does it."
        )
    from sphinx.highlighting import PygmentsBridge

    pygments = PygmentsBridge("html", app.config.pygments_style or "a11y-light").get_stylesheet()
    css = compiled(modules, pygments).read_bytes()
    out_dir = Path(app.doctreedir).parent / "moj_book_static"
    target = out_dir / FILE_NAME
    if not target.is_file() or target.read_bytes() != css:
        out_dir.mkdir(parents=True, exist_ok=True)
        target.write_bytes(css)
    app.config.html_static_path.append(str(out_dir))


def digest(modules: Path, pygments: str) -> str:
    """What the stylesheet is made from, as one SHA-256: this module (how Sass is run), the Sass
    files, the installed Sass and GOV.UK Frontend (their package.json, which holds the version)
    and the code colours."""
    made_of = [Path(__file__), modules / "sass" / "package.json", modules / "govuk-frontend" / "package.json"]
    found = hashlib.sha256(pygments.encode())
    for path in [*made_of, *sorted(SCSS.glob("*.scss"))]:
        found.update(f"\0{path.name}\0".encode() + path.read_bytes())
    return found.hexdigest()


def compiled(modules: Path, pygments: str) -> Path:
    """The compiled stylesheet in the cache (node_modules/.cache/moj_book/<digest>.css): Sass runs
    only if it is not there. A build beside this one that compiles the same stylesheet at the same
    time does no harm: each writes a file of its own and renames it into place."""
    cache = modules / ".cache" / "moj_book"
    found = cache / f"{digest(modules, pygments)}.css"
    if found.is_file():
        os.utime(found)  # the most recently used: kept the longest
        return found
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f"{found.stem}.{os.getpid()}.part"
    sass = str(modules / ".bin" / "sass")
    command = [
        sass,
        f"--load-path={modules}",
        "--no-source-map",
        "--style=compressed",
        "--quiet-deps",
        str(SCSS / "moj-book.scss"),
        str(partial),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise ExtensionError(f"Sass could not compile {SCSS / 'moj-book.scss'}:\n{result.stderr}")
    # The code colours, minified by the same Sass (plain CSS is valid SCSS).
    colours = subprocess.run(
        [sass, "--stdin", "--no-source-map", "--style=compressed"],
        input=pygments,
        capture_output=True,
        text=True,
    )
    if colours.returncode != 0:
        partial.unlink(missing_ok=True)
        raise ExtensionError(f"Sass could not minify the Pygments stylesheet:\n{colours.stderr}")
    with partial.open("a", encoding="utf-8") as handle:
        handle.write("\n" + colours.stdout.strip() + "\n")
    os.replace(partial, found)
    prune(cache)
    return found


def prune(cache: Path, keep: int = KEEP) -> None:
    """Keep the `keep` most recently used stylesheets; remove the others, and any partial file
    older than an hour (left by a build that was stopped while Sass ran)."""
    sheets = sorted(cache.glob("*.css"), key=lambda path: path.stat().st_mtime, reverse=True)
    stale = [path for path in cache.glob("*.part") if path.stat().st_mtime < time.time() - 3600]
    for path in [*sheets[keep:], *stale]:
        path.unlink(missing_ok=True)


def setup(app) -> None:
    app.connect("builder-inited", compile_stylesheet)
