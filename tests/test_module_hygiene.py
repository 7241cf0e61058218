"""The examples' and the theme's modules are safe to import: importing one changes no environment
variable, and no two modules of the packages under notebooks/ and theme/ import each other,
directly or round a loop.

An import that sets ``os.environ`` changes every later dbt, Spark or subprocess call of the
process that imported it, unseen; an import cycle makes what a module holds depend on which
module was imported first. Both checks read the packages as they are on disk, so a new module
is checked without a change here.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx

from conftest import ROOT

# The packages of the examples and of what they share (one per folder of notebooks/), and the theme's.
PACKAGE_FOLDERS = (ROOT / "notebooks", ROOT / "theme")


def project_modules() -> dict[str, Path]:
    """Every module of the packages under notebooks/, by dotted name, with its file."""
    modules = {}
    for init in sorted(init for folder in PACKAGE_FOLDERS for init in folder.glob("*/__init__.py")):
        for path in sorted(init.parent.rglob("*.py")):
            if "__pycache__" in path.parts or not (path.parent / "__init__.py").is_file():
                continue
            parts = path.relative_to(init.parent.parent).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def example_modules() -> list[str]:
    """The modules that a notebook, test or benchmark may import (``__main__`` modules run a
    program when imported: they are for ``python -m``)."""
    return [name for name in project_modules() if not name.endswith("__main__")]


# Imports each module in turn in one fresh interpreter, and prints, as JSON, which ones
# changed os.environ and how (a module runs only on its first import, so each change is
# seen at the import that caused it, with the project modules that import brought in).
ENVIRONMENT_PROBE = """
import importlib, json, os, sys
changes = []
for name in sys.argv[1:]:
    before, loaded = dict(os.environ), set(sys.modules)
    importlib.import_module(name)
    after = dict(os.environ)
    if after != before:
        changes.append({
            "module": name,
            "also_imported": sorted(m for m in set(sys.modules) - loaded - {name} if m.split(".")[0] in {n.split(".")[0] for n in sys.argv[1:]}),
            "set": {k: v for k, v in after.items() if before.get(k) != v},
            "unset": sorted(set(before) - set(after)),
        })
print(json.dumps(changes))
"""


def test_importing_any_example_module_leaves_the_environment_unchanged(tmp_path):
    modules = example_modules()
    assert {"court_timeliness_dbt.dbt_run", "local_spark.session", "people_linkage.on_spark"} <= set(modules)
    result = subprocess.run(
        [sys.executable, "-c", ENVIRONMENT_PROBE, *modules],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    changes = json.loads(result.stdout.strip().splitlines()[-1])
    files = project_modules()
    report = [
        f"{files[c['module']].relative_to(ROOT)} (or a module it imports: {', '.join(c['also_imported']) or 'none'}) "
        f"sets {c['set']} and unsets {c['unset']} when imported"
        for c in changes
    ]
    assert not report, (
        "Importing a module must not change os.environ; set a variable for the duration of the call "
        "that needs it instead (court_timeliness_dbt.dbt_run.environment):\n" + "\n".join(report)
    )


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that the module `name` (in `path`) imports anywhere in its code,
    at the top or inside a function: ``from pkg import mod`` counts as importing ``pkg.mod``."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()

    def add(target: str) -> None:
        # The module itself, or the nearest package of it that is ours.
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                add(submodule if submodule in known else module)
    return found


def import_graph() -> nx.DiGraph:
    modules = project_modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in imported_modules(name, path, set(modules)):
            graph.add_edge(name, target)
    return graph


def test_the_import_graph_reads_the_imports_it_should():
    """The graph the next test checks for cycles has the imports it must see (a graph with no
    edges has no cycle either)."""
    graph = import_graph()
    for edge in (
        ("court_timeliness_dbt.on_spark", "court_timeliness_dbt.dbt_run"),  # from .dbt_run import ...
        ("court_timeliness_dbt.on_spark", "local_spark.process"),  # from local_spark.process import ...
        ("court_timeliness_dbt.planted", "court_cases_etl.curated_files"),  # from court_cases_etl import curated_files
        ("court_cases_etl.cli", "court_cases_etl.pipeline"),  # from . import extracts, pipeline
        ("court_cases_etl", "court_cases_etl.pipeline"),  # the package's __init__
        ("court_timeliness_dbt.dbt_run", "local_spark.session"),  # inside a function
    ):
        assert graph.has_edge(*edge), edge


def test_no_two_modules_import_each_other():
    graph = import_graph()
    files = project_modules()
    loops = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            cycle = nx.find_cycle(graph.subgraph(component))
            loops.append(" -> ".join(str(files[a].relative_to(ROOT)) for a, _ in [*cycle, cycle[0]]))
    assert not loops, (
        "These modules import each other (at the top or inside a function); move what both need "
        "into a module of its own that neither imports back:\n" + "\n".join(loops)
    )
