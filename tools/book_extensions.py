"""The book's own Sphinx settings: what is about this book, not about its look (theme/moj_book).

- Email addresses are written plainly (no docutils "cloaking").
- Notebook kernels get CurveZMQ keys, so their traffic is encrypted.
- A page that quotes a notebook's glued figure is read again whenever the notebook is.
- Benchmark figures come from the benchmarks' saved results (``bench_results``).
- A notebook runs again when anything it reads changes, not only its code cells
  (see ``notebook_inputs``).
- Every page and notebook has a description and review dates, or the build fails
  naming the file (``pages.check_metadata``).
- The theme gets the repository settings of _config.yml (``repository:``), which
  Jupyter Book hands only to its default theme; pages get its address as the
  substitution ``{{ repository_url }}``.
- Each notebook page offers its whole example as one archive, built with the book
  (``example_archive``): the notebook, what it imports and how to run it.
"""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

import yaml
from sphinx.util import logging

import example_archive
from pages import check_metadata

logger = logging.getLogger(__name__)

# What never counts as a notebook's input: caches, checkpoints, what the examples write.
SKIPPED_PARTS = {"output", "__pycache__", ".ipynb_checkpoints", "_build"}


def _plain_email_addresses(app):
    # Docutils "cloaks" addresses as `%40` and `<span>` fragments. That stops no
    # spam robot, and it breaks copying and some screen readers: write them plainly.
    app.env.settings["cloak_email_addresses"] = False


def _encrypt_kernel_traffic(app, config):
    # Notebooks run in a kernel that talks to the build over TCP sockets on this
    # machine. ipykernel 7 warns (on every notebook) that this traffic is plain
    # text; jupyter_client 8.10 can give kernels that declare support for it
    # (ipykernel does) CurveZMQ keys, but only when asked. myst-nb creates the
    # kernel manager itself, so ask through the trait's default.
    from jupyter_client.manager import KernelManager

    KernelManager.class_traits()["transport_encryption"].default_value = "auto"


def _book_config(app) -> dict:
    """The book's _config.yml, or nothing."""
    book_config = Path(app.confdir) / "_config.yml"
    if not book_config.is_file():
        return {}
    return yaml.safe_load(book_config.read_text(encoding="utf-8")) or {}


def _repository(app) -> dict:
    """`repository:` of _config.yml (url, branch, path_to_book), or nothing."""
    return _book_config(app).get("repository") or {}


def _repository_for_the_theme(app, config):
    """Pass `repository:` (url, branch, path_to_book) from _config.yml on to the theme's options,
    and its address to the pages as a substitution: {{ repository_url }}."""
    repository = _repository(app)
    options = dict(config.html_theme_options or {})
    for option, key in (("repository_url", "url"), ("repository_branch", "branch"), ("path_to_book", "path_to_book")):
        if key in repository:
            options.setdefault(option, repository[key])
    config.html_theme_options = options
    if repository.get("url"):
        config.myst_substitutions = {**(config.myst_substitutions or {}), "repository_url": repository["url"]}


def _check_every_page(app, env):
    """Each page's description and review dates, checked on every build (not only for pages read again)."""
    for docname in sorted(env.found_docs):
        path = Path(env.doc2path(docname))
        if path.suffix not in (".md", ".ipynb"):
            continue
        rel = path.relative_to(Path(app.confdir)).as_posix() if path.is_relative_to(app.confdir) else str(path)
        for problem in check_metadata(env.metadata.get(docname, {}), rel):
            logger.warning(problem, type="moj_book", subtype="front_matter", location=docname)


# --- What a notebook reads when it runs ----------------------------------------------


def _top_level_imports(source: str) -> set[str]:
    """The top-level names of the modules a piece of Python imports (anywhere in it)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _imported_examples(notebook: dict, examples: Path) -> set[str]:
    """The example packages (folders of notebooks/) that the notebook's code imports, and those
    that their modules import in turn (the dbt example's helpers use the shared local_spark)."""
    names = set()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        # IPython's magics and shell lines are not Python.
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        names |= _top_level_imports(source)
    found: set[str] = set()
    todo = {name for name in names if (examples / name / "__init__.py").is_file()}
    while todo:
        name = todo.pop()
        found.add(name)
        for module in (examples / name).rglob("*.py"):
            if not SKIPPED_PARTS.intersection(module.relative_to(examples).parts):
                imported = _top_level_imports(module.read_text(encoding="utf-8"))
                todo |= {n for n in imported - found if (examples / n / "__init__.py").is_file()}
    return found


def notebook_inputs(path: Path, root: Path, notebook: dict | None = None) -> list[Path]:
    """Every file a notebook reads when it runs, besides its own code cells.

    They are: the files of its own folder (its helper modules, its SQL, its dbt
    project), the folders of the other packages under notebooks/ it imports, directly
    or through their modules (the dbt example builds on the ETL example's pipeline,
    and every example writes to example_output's folder), and requirements.txt. Notebooks themselves and
    what the examples write are left out: a Markdown edit must not re-run anything.
    """
    path = Path(path).resolve()
    root = Path(root).resolve()
    notebook = notebook if notebook is not None else json.loads(path.read_text(encoding="utf-8"))
    examples = root / "notebooks"
    folders = {path.parent} | {examples / name for name in _imported_examples(notebook, examples)}
    files = set()
    for folder in folders:
        for file in folder.rglob("*"):
            parts = file.relative_to(folder).parts
            if (
                file.is_file()
                and file.suffix != ".ipynb"
                and not SKIPPED_PARTS.intersection(parts)
                and not any(part.startswith(".") and part != ".sqlfluff" for part in parts)
            ):
                files.add(file)
    lock = root / "requirements.txt"
    if lock.is_file():
        files.add(lock)
    return sorted(files)


def inputs_digest(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(Path(file).resolve().relative_to(Path(root).resolve()).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(Path(file).read_bytes()).digest())
    return digest.hexdigest()


INPUTS_KEY = "moj_book_inputs_sha256"


def _digest_of(app, path: Path, notebook: dict | None = None) -> str:
    root = Path(app.confdir)
    return inputs_digest(notebook_inputs(path, root, notebook), root)


def _key_notebooks_on_their_inputs(app, docname, source):
    """Put a digest of the notebook's inputs into its first code cell's metadata, in memory.

    jupyter-cache matches a notebook by its code cells, metadata included, so a
    notebook whose helper module, SQL or dbt project changed no longer matches its
    cached run and runs again; the others still match theirs. A cache restored
    from before the change cannot match either. The file on disk is not touched.
    """
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb":
        return
    notebook = json.loads(source[0])
    digest = _digest_of(app, path, notebook)
    if not hasattr(app.env, "moj_book_inputs"):
        app.env.moj_book_inputs = {}
    app.env.moj_book_inputs[docname] = digest
    code = [cell for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"]
    if not code:
        return
    code[0].setdefault("metadata", {})[INPUTS_KEY] = digest
    source[0] = json.dumps(notebook)


def _notebooks_whose_inputs_changed(app, env, added, changed, removed):
    """Sphinx reads again only the files that changed: also read the notebooks whose inputs did,
    and the pages that show a figure glued in a notebook read again (``_note_glue``)."""
    known = getattr(env, "moj_book_inputs", {})
    notebooks = [
        docname
        for docname, digest in known.items()
        if docname in env.found_docs
        and docname not in changed
        and docname not in added
        and _digest_of(app, Path(env.doc2path(docname))) != digest
    ]
    read_again = {*notebooks, *added, *changed}
    quoting = [
        docname
        for docname, sources in getattr(env, "moj_book_glue_from", {}).items()
        if sources & read_again and docname not in read_again and docname in env.found_docs
    ]
    return notebooks + quoting


def _note_glue(app, doctree):
    """Remember which notebooks a page quotes with cross-document glue
    (``{glue:text}`notebooks/x/x.ipynb::name```): myst-nb fills those figures in when it
    writes the page, from the notebook's latest run, but Sphinx writes again only the pages it
    read again. So a page that quotes a notebook is read again whenever the notebook is, and
    never shows a figure of an earlier run."""
    from myst_nb.ext.glue.utils import PendingGlueReference

    sources = {node.refdoc for node in doctree.findall(PendingGlueReference) if node.refdoc != app.env.docname}
    glue_from = getattr(app.env, "moj_book_glue_from", None)
    if glue_from is None:
        glue_from = app.env.moj_book_glue_from = {}
    if sources:
        glue_from[app.env.docname] = sources
    else:
        glue_from.pop(app.env.docname, None)


def _forget_removed(app, env, docname):
    getattr(env, "moj_book_inputs", {}).pop(docname, None)
    getattr(env, "moj_book_glue_from", {}).pop(docname, None)


def _merge_glue_sources(app, env, docnames, other):
    env.moj_book_glue_from = {**getattr(env, "moj_book_glue_from", {}), **getattr(other, "moj_book_glue_from", {})}


# --- Each example as one archive ---------------------------------------------------------

# What a notebook page says its download holds (the theme writes the link), for an example of one
# notebook and of several.
ARCHIVE_SUMMARY = "the notebook, the code it imports and a README that says how to run it"
ARCHIVE_SUMMARY_PARTS = "the example's notebooks, the code they import and a README that says how to run it"


def _page_address(app, docname: str) -> str:
    base = (app.config.html_baseurl or "").rstrip("/")
    uri = app.builder.get_target_uri(docname)
    return f"{base}/{uri}" if base else uri


def _book_order(env) -> list[str]:
    """Every document, in the order of the book's navigation (the table of contents), then any
    other in name order."""
    order: list[str] = []

    def walk(docname: str) -> None:
        if docname in order:
            return
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            walk(child)

    walk(env.config.root_doc)
    return order + sorted(set(env.found_docs) - set(order))


def _example_archives(app, env):
    """env-updated: write each example's archive into the built site (example_archive), where its
    bytes changed; the pages of its notebooks are written again (the link gives the size). An
    example is a folder of notebooks/: all its notebooks, in the book's order, share one archive."""
    if app.builder.format != "html":
        return []
    root = Path(app.confdir)
    folder = Path(app.outdir) / example_archive.FOLDER
    app.moj_book_archives = {}
    examples: dict[Path, list[str]] = {}
    for docname in _book_order(env):
        path = Path(env.doc2path(docname))
        if docname not in env.found_docs or path.suffix != ".ipynb" or not example_archive.runs_alone(path, root):
            continue  # the page offers the notebook itself
        examples.setdefault(path.parent, []).append(docname)
    rewrite = []
    for docnames in examples.values():
        paths = [Path(env.doc2path(docname)) for docname in docnames]
        inputs = sorted({file for path in paths for file in notebook_inputs(path, root)})
        ex = example_archive.example(paths, root, inputs)
        titles = [env.titles[d].astext() if d in env.titles else Path(d).name for d in docnames]
        readme = example_archive.readme(
            ex,
            root,
            titles,
            env.metadata.get(docnames[0], {}).get("description", ""),
            f"the book “{_book_config(app).get('title', '')}”",
            _page_address(app, docnames[0]),
            _repository(app).get("url", ""),
        )
        data = example_archive.archive(ex, root, readme, example_archive.pyproject(ex, root, titles[0]))
        target = folder / ex.file_name
        if not target.is_file() or target.read_bytes() != data:
            folder.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            rewrite.extend(docnames)
        summary = ARCHIVE_SUMMARY if len(docnames) == 1 else ARCHIVE_SUMMARY_PARTS
        for docname in docnames:
            app.moj_book_archives[docname] = (f"{example_archive.FOLDER}/{ex.file_name}", summary)
    return rewrite


def _notebook_download(app, docname):
    """The theme asks what a notebook page offers to download: its example's archive."""
    archive = getattr(app, "moj_book_archives", {}).get(docname)
    return {"path": archive[0], "summary": archive[1]} if archive else None


def _offer_archives(app, config):
    # The theme (moj_book) registers the event; connect once every extension is set up.
    if "moj-book-notebook-download" in app.events.events:
        app.connect("moj-book-notebook-download", _notebook_download)


def setup(app):
    app.setup_extension("bench_results")
    app.connect("config-inited", _offer_archives)
    app.connect("env-updated", _example_archives)
    app.connect("config-inited", _encrypt_kernel_traffic)
    app.connect("config-inited", _repository_for_the_theme)
    app.connect("env-check-consistency", _check_every_page)
    app.connect("builder-inited", _plain_email_addresses)
    app.connect("source-read", _key_notebooks_on_their_inputs)
    app.connect("env-get-outdated", _notebooks_whose_inputs_changed)
    app.connect("env-purge-doc", _forget_removed)
    app.connect("doctree-read", _note_glue)
    app.connect("env-merge-info", _merge_glue_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
