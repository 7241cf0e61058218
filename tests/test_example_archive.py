"""Downloads that run: each notebook page offers its whole example as one zip archive, built with
the book (tools/example_archive.py): the example's notebooks (the record linkage example has two
parts, and both pages offer the same archive), every package they import (their own folder, with
its helper modules and SQL or dbt project, and those it shares), the lock, a pyproject.toml and a
README that says how to run it; nothing an example writes. The Example notebooks page links to
the repository named in _config.yml."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from site_check import expected_pages

NOTEBOOKS = [page.removesuffix(".html") for page in expected_pages() if page.startswith("notebooks/")]


def example_of(docname: str) -> tuple[str, list[str]]:
    """The example a notebook belongs to (its folder's name, which names the archive), and all its
    notebooks, in the book's order."""
    folder = PurePosixPath(docname).parent
    return folder.name, [d for d in NOTEBOOKS if PurePosixPath(d).parent == folder]


# The files every archive holds beside the example's folders.
BESIDE = {"README.md", "pyproject.toml", "requirements.txt", "pip-lock.txt"}
# What an example makes when it runs, or a tool leaves behind: never in an archive.
GENERATED = re.compile(
    r"(^|/)(output|__pycache__|target|logs|dbt_packages|\.ipynb_checkpoints)/|\.(pyc|duckdb|parquet)$"
)


def tracked(folder: str) -> set[str]:
    """The files git tracks under a folder of the repository."""
    listed = subprocess.run(["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(listed.stdout.split())


def imported_packages(notebook: Path) -> set[str]:
    """The folders of notebooks/ that the notebook's code imports directly, read from its cells."""
    names = set()
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names if (ROOT / "notebooks" / name / "__init__.py").is_file()}


def download_link(built_book, docname: str):
    page = BeautifulSoup(built_book.page(docname).read_text(encoding="utf-8"), "html.parser")
    return page.select_one("main .app-download a[download]")


def archive_of(built_book, docname: str) -> tuple[Path, zipfile.ZipFile]:
    link = download_link(built_book, docname)
    assert link is not None, f"{docname}.html offers no download"
    path = (built_book.page(docname).parent / link["href"]).resolve()
    assert path.is_file(), f"{docname}.html links to {link['href']}, which the build has not got"
    return path, zipfile.ZipFile(path)


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_the_notebook_page_offers_its_example_as_one_archive(built_book, docname):
    assert built_book.returncode == 0, built_book.log[-3000:]
    link = download_link(built_book, docname)
    path, _ = archive_of(built_book, docname)
    name, _ = example_of(docname)
    assert path.name == f"{name}.zip" and path.parent.name == "examples", path
    from moj_book.notebooks import size

    assert link.get_text(" ", strip=True) == f"Download this example ({name}.zip, {size(path)})", link
    said = link.parent.get_text(" ", strip=True)
    assert "README" in said and "how to run it" in said, said


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_the_archive_holds_the_whole_example_and_nothing_generated(built_book, docname):
    path, archive = archive_of(built_book, docname)
    notebook = ROOT / f"{docname}.ipynb"
    name, docnames = example_of(docname)
    entries = {PurePosixPath(info.filename) for info in archive.infolist()}
    assert all(entry.parts[0] == name for entry in entries), f"{path.name}: entries outside the folder {name}/"
    inside = {entry.relative_to(name).as_posix() for entry in entries}
    generated = sorted(entry for entry in inside if GENERATED.search(entry))
    assert generated == [], f"{path.name} holds what an example makes: {generated}"
    assert BESIDE <= inside, f"{path.name} lacks {BESIDE - inside}"
    example_files = inside - BESIDE
    packages = {PurePosixPath(entry).parts[1] for entry in example_files}
    # Every file is the repository's own (tracked by git), and each package folder is there whole.
    assert example_files <= tracked("notebooks"), f"untracked files: {sorted(example_files - tracked('notebooks'))}"
    for package in packages:
        wanted = {f for f in tracked(f"notebooks/{package}") if not f.endswith(".ipynb")}
        assert wanted <= example_files, f"{path.name}: {package}/ lacks {sorted(wanted - example_files)}"
    imported = {package for d in docnames for package in imported_packages(ROOT / f"{d}.ipynb")}
    assert notebook.parent.name in packages and imported <= packages, (packages, imported)
    assert f"{docname}.ipynb" in example_files
    # Every notebook of the example, and no other.
    notebooks = sorted(e for e in example_files if e.endswith(".ipynb"))
    assert notebooks == sorted(f"{d}.ipynb" for d in docnames), f"{path.name}: notebooks {notebooks}"
    # As committed: no outputs; the lock as it is; every entry dated alike, so a rebuild changes nothing.
    for entry in notebooks:
        cells = json.loads(archive.read(f"{name}/{entry}"))["cells"]
        assert all(not cell.get("outputs") for cell in cells), f"{path.name}: {entry} has outputs"
    lock = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert archive.read(f"{name}/requirements.txt").decode() == lock
    # pip's own lines of the lock, hashes and all (an older pip cannot install the lock).
    pip = archive.read(f"{name}/pip-lock.txt").decode()
    pinned = re.search(r"^pip==\S+ \\\n(    --hash=sha256:\w+( \\)?\n)+", lock, re.M)
    assert pinned and pip.startswith(pinned.group(0)), pip
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_the_readme_says_how_to_run_it_and_pyproject_installs_its_packages(built_book, docname):
    path, archive = archive_of(built_book, docname)
    name, docnames = example_of(docname)
    readme = archive.read(f"{name}/README.md").decode()
    pyproject = archive.read(f"{name}/pyproject.toml").decode()
    packages = {PurePosixPath(e).parts[2] for e in archive.namelist() if PurePosixPath(e).parts[1] == "notebooks"}
    # It opens the example's first notebook, and names every other, in the book's order.
    first = docnames[0]
    assert f"jupyter lab {first}.ipynb" in readme, readme
    steps = ["-r pip-lock.txt", "--require-hashes -r requirements.txt", "--editable .", f"jupyter lab {first}"]
    steps += [f"`{d}.ipynb`" for d in docnames[1:]]
    at = 0
    for step in steps:  # each after the one before
        found = readme.find(step, at)
        assert found >= 0, f"the README lacks a step, or has them out of order: {step!r} of {steps}"
        at = found + len(step)
    assert all(f"`notebooks/{package}/`" in readme for package in packages), readme
    included = set(re.findall(r'"([\w]+)\*"', pyproject))
    assert included == packages, (included, packages)


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_every_module_of_the_archive_imports_from_the_archive(built_book, docname, tmp_path):
    """Unpacked, with its notebooks/ folder on the path (as its pyproject.toml installs it), each of the
    example's modules imports from the archive's own files, not the repository's."""
    _, archive = archive_of(built_book, docname)
    archive.extractall(tmp_path)
    folder = tmp_path / example_of(docname)[0] / "notebooks"
    # Every module but a package's __main__ (running it is the command line's job).
    modules = sorted(
        ".".join(p.relative_to(folder).with_suffix("").parts).removesuffix(".__init__")
        for p in folder.rglob("*.py")
        if p.name != "__main__.py"
    )
    check = (
        "import importlib, json, sys\n"
        "print(json.dumps({m: importlib.import_module(m).__file__ for m in sys.argv[1:]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check, *modules],
        cwd=tmp_path,
        env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin", "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    elsewhere = {module: file for module, file in found.items() if not Path(file).is_relative_to(folder)}
    assert modules and elsewhere == {}, f"modules imported from outside the archive: {elsewhere}"


def test_each_part_of_an_example_offers_the_same_archive(built_book):
    """The record linkage example has two notebooks, one page each: both pages offer the example's
    one archive, which holds both notebooks."""
    name, parts = example_of("notebooks/people_linkage/people_linkage")
    assert parts == ["notebooks/people_linkage/people_linkage", "notebooks/people_linkage/people_linkage_accuracy"]
    paths = {archive_of(built_book, docname)[0] for docname in parts}
    assert len(paths) == 1, f"the parts offer different archives: {sorted(p.name for p in paths)}"
    (path,) = paths
    names = zipfile.ZipFile(path).namelist()
    assert path.name == f"{name}.zip" and all(f"{name}/{d}.ipynb" in names for d in parts), (path.name, names)


def test_the_example_notebooks_page_links_to_the_repository(built_book, book_config):
    page = BeautifulSoup(built_book.page("book/examples").read_text(encoding="utf-8"), "html.parser")
    links = {a.get_text(" ", strip=True): a["href"] for a in page.select("main article a[href]")}
    assert links.get("this book’s repository") == book_config["repository"]["url"], links
