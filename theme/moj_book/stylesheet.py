"""The theme's stylesheet: its Sass (scss/) with GOV.UK Frontend from node_modules, and the code
colours (Pygments), compiled and minified into one file that every page loads.

Sass and GOV.UK Frontend come from the pinned front-end packages (`npm ci`);
nothing is copied into the repository. The compiled file is cached beside the
build's doctrees and compiled again only when the Sass, GOV.UK Frontend or the
Pygments style changes. Sphinx's own pygments.css is not loaded (see assets.py).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from sphinx.errors import ExtensionError

from .theme_name import NAME

HERE = Path(__file__).resolve().parent
SCSS = HERE / "scss"
FILE_NAME = "moj-book.css"


def node_modules(app) -> Path:
    return Path(app.confdir) / "node_modules"


def compile_stylesheet(app) -> None:
    """Compile scss/moj-book.scss into a static folder that Sphinx copies to _static/."""
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
    out_dir = Path(app.doctreedir).parent / "moj_book_static"
    target = out_dir / FILE_NAME
    from sphinx.highlighting import PygmentsBridge

    pygments = PygmentsBridge("html", app.config.pygments_style or "a11y-light").get_stylesheet()
    digest = hashlib.sha256(govuk.read_bytes() + pygments.encode())
    for path in sorted(SCSS.glob("*.scss")):
        digest.update(path.name.encode() + path.read_bytes())
    stamp = out_dir.parent / "moj_book_static.sha256"
    if not (target.exists() and stamp.exists() and stamp.read_text() == digest.hexdigest()):
        out_dir.mkdir(parents=True, exist_ok=True)
        command = [
            str(sass),
            f"--load-path={modules}",
            "--no-source-map",
            "--style=compressed",
            "--quiet-deps",
            str(SCSS / "moj-book.scss"),
            str(target),
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise ExtensionError(f"Sass could not compile {SCSS / 'moj-book.scss'}:\n{result.stderr}")
        # The code colours, minified by the same Sass (plain CSS is valid SCSS).
        colours = subprocess.run(
            [str(sass), "--stdin", "--no-source-map", "--style=compressed"],
            input=pygments,
            capture_output=True,
            text=True,
        )
        if colours.returncode != 0:
            raise ExtensionError(f"Sass could not minify the Pygments stylesheet:\n{colours.stderr}")
        with target.open("a", encoding="utf-8") as handle:
            handle.write("\n" + colours.stdout.strip() + "\n")
        stamp.write_text(digest.hexdigest())
    app.config.html_static_path.append(str(out_dir))


def setup(app) -> None:
    app.connect("builder-inited", compile_stylesheet)
