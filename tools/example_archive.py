"""Each example notebook's whole example as one zip archive, built with the book, that runs.

A notebook alone cannot run: it imports its own package (helper modules, SQL or dbt
project) and the packages it shares with the other examples. An example is a folder of
notebooks/, with one notebook or several that go on from each other (the record linkage
example has two parts); every notebook page of an example offers the same archive. It
holds, under one folder named after the example:

- the example's notebooks and every file they read when they run: the folders of the
  packages they import (``book_extensions.notebook_inputs`` says which), as they are in
  notebooks/;
- ``requirements.txt``: the book's lock, every Python package pinned, with hashes, and
  ``pip-lock.txt``, its lines for pip itself (older pips cannot install that lock: the
  Makefile brings pip to its locked version first, and so does the README);
- ``pyproject.toml``: installs those packages in editable mode, as the book's own does;
- ``README.md``: what the example is, what each package holds, and how to run it.

Nothing an example writes is in it: no outputs, caches or dbt ``target/`` and ``logs/``
(``LEFT_OUT``). The archive is the same, byte for byte, for the same files: its entries
are sorted and dated 1980-01-01, so a rebuild with nothing changed writes nothing new.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Where the archives are in the built site.
FOLDER = "_downloads/examples"
# Folders whose files an example makes when it runs: never in an archive.
LEFT_OUT = {"output", "__pycache__", ".ipynb_checkpoints", "_build", "target", "logs", "dbt_packages"}
# A fixed date for every entry (the earliest a zip file can hold), so that the bytes depend on the files only.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Example:
    """One example: its notebooks, and the files its archive holds (paths within the book)."""

    # Relative to the book's root, in the book's order: e.g. notebooks/court_cases_etl/court_cases_etl.ipynb
    notebooks: tuple[Path, ...]
    files: tuple[Path, ...]  # relative to the book's root: the notebooks and the files they read

    @property
    def notebook(self) -> Path:
        """The notebook to start with: the first in the book."""
        return self.notebooks[0]

    @property
    def name(self) -> str:
        """The example's folder of notebooks/, which names its archive."""
        return self.notebook.parent.name

    @property
    def file_name(self) -> str:
        return f"{self.name}.zip"

    @property
    def packages(self) -> list[str]:
        """The package folders of notebooks/ in the archive, the notebook's own first."""
        own = self.notebook.parent.name
        others = sorted({f.parts[1] for f in self.files if len(f.parts) > 2 and f.parts[1] != own})
        return [own, *others]


def runs_alone(notebook: Path, root: Path) -> bool:
    """Whether a notebook's example can be packed to run on its own: it sits in a package of
    notebooks/ (a folder with __init__.py), and the book has its lock and pyproject.toml."""
    notebook, root = Path(notebook).resolve(), Path(root).resolve()
    return (
        notebook.parent.parent == root / "notebooks"
        and (notebook.parent / "__init__.py").is_file()
        and (root / "requirements.txt").is_file()
        and (root / "pyproject.toml").is_file()
    )


def example(notebooks: list[Path], root: Path, inputs: list[Path]) -> Example:
    """The example of ``notebooks`` (paths under root, of one folder, in the book's order), whose runs
    read ``inputs`` (absolute paths)."""
    root = Path(root).resolve()
    notebooks = [Path(notebook).resolve().relative_to(root) for notebook in notebooks]
    if not notebooks or len({notebook.parent for notebook in notebooks}) != 1:
        raise ValueError(f"an example's notebooks are in one folder: {[n.as_posix() for n in notebooks]}")
    files = set(notebooks)
    for path in inputs:
        rel = Path(path).resolve().relative_to(root)
        if rel.parts[0] == "notebooks" and not LEFT_OUT.intersection(rel.parts):
            files.add(rel)
    return Example(tuple(notebooks), tuple(sorted(files)))


def pip_lock(requirements: str) -> str:
    """The lock's entry for pip itself (its line and the hash lines under it), as the Makefile takes it."""
    lines, inside = [], False
    for line in requirements.splitlines():
        if line.startswith("pip=="):
            inside = True
        elif not line.startswith(" "):
            inside = False
        if inside:
            lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def first_line_of_docstring(init: Path) -> str:
    """What a package says it is: the first line of its ``__init__.py``'s docstring."""
    try:
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError):
        return ""
    # reStructuredText's ``code`` is Markdown's `code`.
    return docstring.strip().splitlines()[0].rstrip(".").replace("``", "`") if docstring.strip() else ""


def pyproject(ex: Example, root: Path, title: str) -> str:
    """A pyproject.toml that installs the example's packages, with the book's Python and setuptools."""
    book = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    python = book["project"]["requires-python"]
    backend = book["build-system"]
    include = ", ".join(f'"{package}*"' for package in ex.packages)
    name = re.sub(r"[^a-z0-9]+", "-", ex.name.lower()).strip("-")
    return (
        f"# Installs this example's packages (in notebooks/) in editable mode, so that its notebook imports them.\n"
        f"[project]\n"
        f'name = "{name}-example"\n'
        f'version = "0"\n'
        f"description = {json.dumps(title)}\n"
        f'requires-python = "{python}"\n\n'
        f"[build-system]\n"
        f"requires = {json.dumps(backend['requires'])}\n"
        f'build-backend = "{backend["build-backend"]}"\n\n'
        f"[tool.setuptools.packages.find]\n"
        f'where = ["notebooks"]\n'
        f"include = [{include}]\n"
    )


def readme(
    ex: Example, root: Path, titles: list[str], description: str, book: str, address: str, repository: str
) -> str:
    """How to run the example, and what each of its packages holds. ``titles``: its notebooks' titles,
    in order; the first is the example's, as ``description`` and ``address`` are its first notebook's."""
    title = titles[0]
    python = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    packages = []
    for package in ex.packages:
        says = first_line_of_docstring(root / "notebooks" / package / "__init__.py")
        packages.append(f"- `notebooks/{package}/`" + (f": {says}." if says else ""))
    source = f" Its source is in the book's repository, <{repository}>." if repository else ""
    if len(ex.notebooks) == 1:
        notebooks = [f"- `{ex.notebook.as_posix()}`: the notebook, the lesson itself."]
        then = []
    else:
        notebooks = [
            f"- `{notebook.as_posix()}`: part {number} of the lesson, “{part}”."
            for number, (notebook, part) in enumerate(zip(ex.notebooks, titles, strict=True), start=1)
        ]
        rest = ", then ".join(f"`{notebook.as_posix()}`" for notebook in ex.notebooks[1:])
        then = [
            "",
            f"The lesson goes on in {rest}:",
            "when the first notebook has run, open the next from JupyterLab's file browser and run",
            "it the same way.",
        ]
    lines = [
        f"# {title}",
        "",
        description,
        "",
        f"This is an example from {book}: <{address}>.{source}",
        "It runs on your own computer, offline, on synthetic data that a seeded generator makes.",
        "",
        "## What is in this folder",
        "",
        *notebooks,
        *packages,
        "- `requirements.txt`: every Python package the book's examples use, pinned, with the hash of each file;",
        "  `pip-lock.txt`: its lines for pip itself, which installs it.",
        "- `pyproject.toml`: installs the packages above, so that the notebook can import them.",
        "",
        "## Run it",
        "",
        f"You need Python {python.removeprefix('>=')} or newer. In this folder, run:",
        "",
        "```sh",
        "python3 -m venv .venv",
        ".venv/bin/python -m pip install --require-hashes --no-deps -r pip-lock.txt",
        ".venv/bin/python -m pip install --require-hashes -r requirements.txt",
        ".venv/bin/python -m pip install --no-deps --no-build-isolation --editable .",
        f".venv/bin/jupyter lab {ex.notebook.as_posix()}",
        "```",
        "",
        "On Windows, write `.venv\\Scripts\\` for `.venv/bin/`. The second line brings pip to the",
        "version the lock was made with (an older pip cannot install it); the third downloads the",
        "packages, once. After that, everything works offline. In JupyterLab, choose",
        "Run > Run All Cells. The notebook writes what it makes under `notebooks/output/`:",
        "delete that folder to start again.",
        *then,
        "",
    ]
    return "\n".join(lines)


def archive(ex: Example, root: Path, readme_text: str, pyproject_text: str) -> bytes:
    """The example's zip archive: every entry under a folder named after the example."""
    root = Path(root)
    requirements = (root / "requirements.txt").read_bytes()
    entries = {
        "README.md": readme_text.encode(),
        "pyproject.toml": pyproject_text.encode(),
        "requirements.txt": requirements,
        "pip-lock.txt": pip_lock(requirements.decode()).encode(),
    }
    for path in ex.files:
        entries[path.as_posix()] = (root / path).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive_file:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{ex.name}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive_file.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()
