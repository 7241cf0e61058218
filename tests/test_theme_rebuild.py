"""A change to the theme shows in the next build. Sphinx writes a page again only when its source
or one of the theme's .html templates changed, and reads it again only when its source did: a
change to the theme's Python, Sass or scripts built nothing new. The theme's files are a
configuration value of its own (every page is written again when one changes), and the modules
that run as Sphinx reads a page set its env_version (every page is read again): rebuild.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import moj_book
from moj_book import rebuild


class RecordingApp:
    """Accepts whatever the theme's setup() asks of a Sphinx application, and records the
    configuration values it adds."""

    def __init__(self):
        self.config_values: dict[str, tuple] = {}

    def add_config_value(self, name, default, rebuild, types=()):
        self.config_values[name] = (default, rebuild)

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def test_a_change_to_any_file_of_the_theme_writes_every_page_again(tmp_path):
    app = RecordingApp()
    moj_book.setup(app)
    # "html": a change of the value makes Sphinx's HTML builder write every page (and copy _static).
    assert app.config_values[rebuild.THEME_DIGEST] == (rebuild.theme_digest(), "html")
    copy = tmp_path / "moj_book"
    shutil.copytree(rebuild.HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert rebuild.theme_digest(copy) == rebuild.theme_digest()
    names = {path.relative_to(copy).as_posix() for path in rebuild.theme_files(copy)}
    assert {"code.py", "layout.html", "scss/_book.scss", "static/moj-copy.js"} <= names, names
    for name in ("code.py", "scss/_book.scss", "static/moj-copy.js"):
        (copy / name).write_bytes((copy / name).read_bytes() + b"\n")
        changed = rebuild.theme_digest(copy)
        assert changed != rebuild.theme_digest(), name
        (copy / "__pycache__").mkdir(exist_ok=True)
        (copy / "__pycache__" / "code.cpython.pyc").write_bytes(b"compiled")
        assert rebuild.theme_digest(copy) == changed, "a cache changed the digest"


def test_a_change_to_what_runs_when_a_page_is_read_reads_every_page_again(tmp_path):
    """tables.py rewrites a notebook's tables when Sphinx reads the notebook (doctree-read): the
    theme's env_version follows the source of every module that does so."""
    theme = Path(moj_book.__file__).parent
    readers = {path.name for path in theme.glob("*.py") if 'connect("doctree-read"' in path.read_text()}
    assert readers == {path.name for path in rebuild.READ_TIME_MODULES}
    assert moj_book.setup(RecordingApp())["env_version"] == rebuild.env_version()
    copy = tmp_path / "tables.py"
    copy.write_bytes((theme / "tables.py").read_bytes())
    assert rebuild.env_version([copy]) == rebuild.env_version()
    copy.write_bytes(copy.read_bytes() + b"\n# changed\n")
    assert rebuild.env_version([copy]) != rebuild.env_version()
