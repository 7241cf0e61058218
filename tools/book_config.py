"""The book's Sphinx configuration, as `jupyter-book build` makes it from _config.yml.

`make book` runs jupyter-book itself; `make serve` (tools/serve.py) writes this configuration
for sphinx-autobuild, and the tests build their small books with it in process. All three
then build with the same settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def sphinx_config(root: Path, nitpicky: bool = False) -> dict[str, Any]:
    """Sphinx's settings for the book in `root`: its _config.yml, with what jupyter-book's
    `build` command adds for a whole book (its _toc.yml, one LaTeX document) and, for `-n`,
    nitpicky."""
    from jupyter_book.config import get_final_config

    book: dict[str, Any] = {"external_toc_path": (root / "_toc.yml").as_posix(), "latex_individualpages": False}
    if nitpicky:
        book["nitpicky"] = True
    config, _ = get_final_config(user_yaml=root / "_config.yml", cli_config=book, sourcedir=root)
    return config
