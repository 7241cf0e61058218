"""Pages that must be read or written again although their source did not change.

Sphinx writes again only the pages whose source changed. Some of what a page
shows depends on something else: the day (is its review overdue?) or git (when
did its source last change?). Each such concern names a value per page; a page
whose value differs from the last build's is read and written again.

The theme itself is such a thing. Sphinx writes every page again when one of the
theme's ``.html`` templates changes, but not when its Python, Sass or scripts do:
an edit to them built nothing new (and Sphinx then copies no static file either, so
not even the stylesheet). The theme's files are therefore a configuration value of
its own (``THEME_DIGEST``, rebuild "html"): when any of them changes, Sphinx writes
every page again. The modules that change a page as Sphinx reads it (doctree-read)
also set the extension's ``env_version``, so that Sphinx then reads every page again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The configuration value whose change makes Sphinx write every page again.
THEME_DIGEST = "moj_book_theme_digest"
# The modules that change what Sphinx keeps of a page when it reads it (doctree-read).
READ_TIME_MODULES = (HERE / "tables.py",)


def theme_files(root: Path = HERE) -> list[Path]:
    """Every file of the theme: templates, Python, Sass, scripts (not caches)."""
    return [
        path
        for path in root.rglob("*")
        if path.is_file()
        and not any(part == "__pycache__" or part.startswith(".") for part in path.relative_to(root).parts)
    ]


def theme_digest(root: Path = HERE) -> str:
    """A digest of every file of the theme, by its path within the theme and its content."""
    digest = hashlib.sha256()
    for path in sorted(theme_files(root)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def env_version(modules: Iterable[Path] = READ_TIME_MODULES) -> int:
    """A number that changes whenever the source of a read-time module does."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module).read_bytes())
    return int(digest.hexdigest()[:12], 16)


def changed_since_last_build(env, name: str, value_of: Callable[[str], Hashable]) -> list[str]:
    """The pages whose ``value_of(docname)`` differs from the last build's (kept on the environment)."""
    seen = getattr(env, name, {})
    now = {docname: value_of(docname) for docname in env.found_docs}
    setattr(env, name, now)
    return [docname for docname, value in now.items() if docname in seen and seen[docname] != value]


def setup(app) -> None:
    app.add_config_value(THEME_DIGEST, theme_digest(), "html", str)
