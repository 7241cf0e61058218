"""The pages say what they say because of the data, not because of one seed.

The book runs each notebook at its default seed and size. Here each runs again at another
seed and half the size (``EXAMPLES_SEED``, ``EXAMPLES_SCALE``, read by ``example_output``),
writing into a folder of the test's (``EXAMPLES_OUTPUT``), offline where the machine allows
it. Every check in every notebook must still hold (a check that fails stops the run, and the
test shows its message), and every figure a notebook glues for its prose and for other pages
must be computed again from that run's data, not carried over.

The linkage example's part 2 runs here on its own, in a folder where part 1 never ran, so it
trains the model itself; the book's run shows it after part 1, scoring with the model part 1
saved. (That both give the same scores: tests/test_people_linkage.py, on the package.)

The runs take over a minute on 2 cores, so they start before the first test
(conftest.start_early) and overlap the others.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from bs4 import BeautifulSoup

from conftest import BIN, ROOT, Early, collect_early, start_early
from example_output import figures
from local_spark.offline import offline_command
from test_linkage_exercises_part1 import with_every_solution

pytestmark = pytest.mark.slow  # see the markers in pyproject.toml

OTHER = {"EXAMPLES_SEED": "7", "EXAMPLES_SCALE": "0.5"}
# In this order: the dbt notebook builds on the curated data the ETL notebook publishes, and
# the linkage example's part 2 on the model its part 1 saves.
LINKAGE_PART_1 = "notebooks/people_linkage/people_linkage.ipynb"
LINKAGE_PART_2 = "notebooks/people_linkage/people_linkage_accuracy.ipynb"
NOTEBOOKS = [
    "notebooks/court_cases_etl/court_cases_etl.ipynb",
    "notebooks/court_timeliness_dbt/court_timeliness_dbt.ipynb",
    LINKAGE_PART_1,
    LINKAGE_PART_2,
]
ALONE = "alone"  # the folder of part 2's run, where part 1 never ran


@dataclass
class Run:
    returncode: int
    log: str  # what nbconvert wrote: the failing cell and its error, if one failed
    executed: Path  # the notebook with its outputs


def glued(notebook: Path) -> dict[str, str]:
    """Each figure a notebook glues (myst_nb.glue), as text, by name."""
    figures = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                prefix = record["mime_prefix"]
                texts = [value for mime, value in output["data"].items() if mime.startswith(prefix + "text/")]
                figures[record["name"]] = "".join(texts[0]) if texts else "(not text)"
    return figures


def book_glue(notebook: Path) -> dict[str, str]:
    """The figures the book's own run glued, as text: myst-nb keeps them beside the executed
    notebook (<name>.glue.json), which it writes without them."""
    path = notebook.with_suffix(".glue.json")
    if not path.is_file():
        return {}
    return {
        name: output["data"].get("text/plain", "(not text)") for name, output in json.loads(path.read_text()).items()
    }


# --- A learner's changes: each example's exercises, done, in a copy; the notebook still runs. ---
DBT_NOTEBOOK = "notebooks/court_timeliness_dbt/court_timeliness_dbt.ipynb"


def learner_changes(notebook: str, folder: Path) -> dict[str, str]:
    """The environment that points a notebook's run at a copy of its example with the solutions of
    its exercises applied (made here, in `folder`)."""
    if notebook == DBT_NOTEBOOK:
        from test_dbt_exercises import solved_project

        return {"COURT_TIMELINESS_DBT_PROJECT": str(solved_project(folder / "court_timeliness_solved"))}
    return {}


def test_the_dbt_notebook_runs_with_every_exercise_done_and_each_check_says_done(other_seed):
    """The dbt notebook ran on a copy of its project with the three solutions applied (a new column,
    a new mart in the lineage): every check above held, and each exercise's check cell says Done."""
    run = other_seed[DBT_NOTEBOOK]
    assert run.returncode == 0, f"{DBT_NOTEBOOK} stopped with the exercises done:\n{run.log[-3000:]}"
    said = {
        cell["id"]: "".join("".join(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", []))
        for cell in json.loads(run.executed.read_text(encoding="utf-8"))["cells"]
        if cell.get("id", "").startswith("dbt-check-")
    }
    assert len(said) == 3 and all(text.startswith("Done: ") for text in said.values()), said


# The ETL example as a learner changes it: a rule added as one block of rules.toml and a column
# as one block of contract.toml, in a copy of its package that the runs import (PYTHONPATH comes
# before the editable install). The ETL notebook must explain the new rule and go on; the new
# column must reach the curated Parquet, which the dbt notebook then builds on.
ETL_NEW_RULE = """
[[rule]]
name = "old_case_at_m214"
condition = "clean_court_code = 'M214' AND clean_received_date < DATE '2022-07-01'"
reason = "case received {received_date_text} at M214, before its records moved"
what_to_do = "Nothing: the old system holds it."
"""
ETL_NEW_COLUMN = """
[[column]]
name = "plea"
type = "VARCHAR"
standardise = "lower"
description = "The defendant's plea."
synthetic = ["guilty", "not_guilty", ""]
"""


def etl_as_a_learner_changed_it(work: Path) -> Path:
    """A copy of court_cases_etl with ETL_NEW_RULE and ETL_NEW_COLUMN added; returns its parent."""
    packages = work / "packages"
    package = packages / "court_cases_etl"
    shutil.copytree(
        ROOT / "notebooks" / "court_cases_etl", package, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__")
    )
    for name, block in (("rules.toml", ETL_NEW_RULE), ("contract.toml", ETL_NEW_COLUMN)):
        (package / name).write_text((package / name).read_text(encoding="utf-8") + block, encoding="utf-8")
    return packages


@start_early("other_seed")
def _start_the_runs_at_another_seed(request: pytest.FixtureRequest) -> Early:
    work = request.getfixturevalue("tmp_path_factory").mktemp("other_seed")
    prefix, _ = offline_command()
    env = {
        **os.environ,
        **OTHER,
        "DO_NOT_TRACK": "1",
        **register_a_fourth_source(work / "linkage_sources"),
        "PYTHONPATH": str(etl_as_a_learner_changed_it(work)),
    }

    def execute(notebook: str, folder: Path) -> Run:
        result = subprocess.run(
            [*(prefix or []), str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
             "--ExecutePreprocessor.timeout=600", "--output-dir", str(folder), str(ROOT / notebook)],
            capture_output=True, text=True, cwd=ROOT,
            env={**env, "EXAMPLES_OUTPUT": str(folder / "output"), **learner_changes(notebook, folder)},
        )  # fmt: skip
        return Run(result.returncode, result.stdout + result.stderr, folder / Path(notebook).name)

    def run() -> dict[str, Run]:
        # The linkage example's part 1 runs as a learner leaves it: with its exercises' solutions
        # applied (a blocking rule, a comparison level, a training step), in a copy that part 2
        # then reads the model from (LINKAGE_NOTEBOOK); part 2 runs in a folder of its own.
        changed = with_every_solution(work / "linkage_changed")
        env["LINKAGE_NOTEBOOK"] = str(changed)
        notebooks = {LINKAGE_PART_1: str(changed)}
        folders = {LINKAGE_PART_2: work / ALONE}
        return {
            notebook: execute(notebooks.get(notebook, notebook), folders.get(notebook, work)) for notebook in NOTEBOOKS
        }

    return Early(run)


# A learner's change, made in these runs too (issue 19): a fourth linkage source, registered by the
# one TOML file part 2's exercise shows, with no code edit; each notebook must still run.
FOURTH_SOURCE = "approved_premises"


def register_a_fourth_source(folder: Path) -> dict[str, str]:
    """Register the fourth source of part 2's exercise solution in `folder`; return the environment
    that adds it to the linkage's registry (people_linkage.registry reads PEOPLE_LINKAGE_SOURCES)."""
    from people_linkage import registry
    from test_linkage_exercises_part2 import solution

    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{FOURTH_SOURCE}.toml").write_text(solution("source"), encoding="utf-8")
    return {registry.EXTRA_FOLDERS: str(folder)}


@pytest.fixture(scope="session")
def other_seed(request) -> dict[str, Run]:
    return collect_early(request, "other_seed")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_check_holds_at_another_seed_and_size(other_seed, notebook):
    run = other_seed[notebook]
    assert run.returncode == 0, (
        f"{notebook} stopped at EXAMPLES_SEED={OTHER['EXAMPLES_SEED']} EXAMPLES_SCALE={OTHER['EXAMPLES_SCALE']}: "
        "a check or a claim holds only for the default data. Make the text say what the data shows "
        f"(glue the figure), or the check what must always hold. nbconvert said:\n{run.log[-3000:]}"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_glued_figure_is_computed_again(other_seed, built_book, notebook):
    run = other_seed[notebook]
    if run.returncode != 0:
        pytest.skip("the notebook stopped: test_every_check_holds_at_another_seed_and_size says why")
    default, other = book_glue(built_book.executed / notebook), glued(run.executed)
    assert default, f"{notebook} glues no figure: what its prose quotes from the run must be glued (myst_nb.glue)"
    assert other.keys() == default.keys(), (
        f"{notebook} glued other figures at another seed: {sorted(default.keys() ^ other.keys())}. "
        "Glue every figure whatever the data, so that the page never loses one."
    )
    # Half the data and another seed: the counts and rates a notebook quotes change with it.
    changed = {name for name in default if default[name] != other[name]}
    assert changed, (
        f"{notebook}: every glued figure is the same at another seed and size, so none is computed "
        f"from the data: {default}"
    )


def test_the_etl_takes_a_rule_as_one_block_and_a_column_through_the_contract(other_seed):
    """The learner's rule is explained, not stopped on; the learner's column reaches the curated Parquet."""
    run = other_seed[NOTEBOOKS[0]]
    if run.returncode != 0:
        pytest.skip("the notebook stopped: test_every_check_holds_at_another_seed_and_size says why")
    printed = [
        "".join(output.get("text", ""))
        for cell in json.loads(run.executed.read_text(encoding="utf-8"))["cells"]
        for output in cell.get("outputs", [])
    ]
    assert any(text.startswith("The new rule 'old_case_at_m214' quarantined ") for text in printed), printed
    curated = run.executed.parent / "output" / "court_cases_etl" / "curated" / "court_cases"
    found = duckdb.sql(f"SELECT DISTINCT plea FROM read_parquet('{curated}/*/*.parquet') ORDER BY 1").fetchall()
    assert found == [("guilty",), ("not_guilty",), (None,)]


def said_first(notebook: Path, cell_id: str) -> str:
    """The first line a cell of an executed notebook printed."""
    cell = next(c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c.get("id") == cell_id)
    text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o["output_type"] == "stream")
    return text.splitlines()[0] if text.strip() else ""


def test_linkage_part_2_on_its_own_trains_the_model_itself(other_seed):
    """Where part 1 never ran, part 2 trains the model itself, with the same code, and says so."""
    alone = other_seed[LINKAGE_PART_2]
    if alone.returncode != 0:
        pytest.skip("part 2 stopped: test_every_check_holds_at_another_seed_and_size says why")
    said = said_first(alone.executed, "accuracy-02")
    assert said.startswith("Trained the model here, as part 1 does: there is no saved model"), said


def test_linkage_part_2_after_part_1_scores_with_the_model_part_1_saved(built_book):
    """In the book's run, part 2 follows part 1 at the same seed and size: its page says it scored
    with the model part 1 saved, not trained again."""
    page = BeautifulSoup(
        built_book.page(LINKAGE_PART_2.removesuffix(".ipynb")).read_text(encoding="utf-8"), "html.parser"
    )
    said = [text.splitlines()[0] for text in page.stripped_strings if text.startswith(("Scored with", "Trained the"))]
    assert said == ["Scored with the model part 1 saved (model.json): it was trained on these very tables."], said


def test_the_check_reads_glued_figures(tmp_path):
    notebook = tmp_path / "glued.ipynb"
    record = {"scrapbook": {"name": "pairs", "mime_prefix": "application/papermill.record/"}}
    output = {
        "output_type": "display_data",
        "metadata": record,
        "data": {"application/papermill.record/text/plain": "4813"},
    }
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": [output]}]}), encoding="utf-8")
    assert glued(notebook) == {"pairs": "4813"}


# Charts drawn from a project's structure, not its data: dbt's lineage comes from the manifest,
# which another seed does not change (tests/test_lineage_geometry.py changes the manifest instead).
DRAWN_FROM_THE_PROJECT = ("Lineage graph",)


def chart_descriptions(notebook: Path) -> list[str]:
    """The description (alt text) each chart of an executed notebook carries in its PNG."""
    found = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                found.append(figures.description(base64.b64decode(png)) or "")
    return found


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_charts_alt_text_follows_its_data(other_seed, built_book, notebook):
    """Other data draws other charts: each chart's description must change with them, so none is
    typed, and none is missing."""
    run = other_seed[notebook]
    if run.returncode != 0:
        pytest.skip("the notebook stopped: test_every_check_holds_at_another_seed_and_size says why")
    # The book's own run: the alt text of each image on its page (the theme's, from the PNG; the
    # executed copy of a notebook the cache served holds no outputs).
    page = BeautifulSoup(built_book.page(notebook.removesuffix(".ipynb")).read_text(encoding="utf-8"), "html.parser")
    default = [img.get("alt", "") for img in page.select("main img")]
    other = chart_descriptions(run.executed)
    assert default and len(default) == len(other), f"{notebook}: charts {len(default)} and {len(other)}"
    assert all(default), f"{notebook}: a chart without a description: show it with example_output.figures.show"
    same = [
        text[:80]
        for text, again in zip(default, other, strict=True)
        if text == again and not text.startswith(DRAWN_FROM_THE_PROJECT)
    ]
    assert not same, f"{notebook}: these charts say the same at another seed and size, so not what they draw: {same}"


def test_a_fourth_linkage_source_is_linked_with_no_code_edit(other_seed):
    """The runs register a fourth source (register_a_fourth_source): part 1 reads it and shows it with
    the others, and part 2's exercise check finds it made, read and standardised."""
    part_1 = other_seed["notebooks/people_linkage/people_linkage.ipynb"]
    part_2 = other_seed[LINKAGE_PART_2]
    for run in (part_1, part_2):
        if run.returncode != 0:
            pytest.skip("a notebook stopped: test_every_check_holds_at_another_seed_and_size says why")
    cells = {c.get("id"): c for c in json.loads(part_1.executed.read_text(encoding="utf-8"))["cells"]}
    printed = "".join("".join(o.get("text", "")) for o in cells["cell-02"]["outputs"])
    assert f"{FOURTH_SOURCE}" in printed, f"part 1 did not read the fourth source: {printed}"
    check = next(
        c for c in json.loads(part_2.executed.read_text(encoding="utf-8"))["cells"] if c.get("id") == "turn-09"
    )
    shown = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in check["outputs"])
    assert shown.startswith(f"Done: {FOURTH_SOURCE}: "), shown


# --- the linkage example's part 1, run with its exercises' solutions applied ---


def test_linkage_part_1_runs_with_every_exercise_done(other_seed):
    """Part 1 ran with the three solutions applied (see run() above): each check cell says Done."""
    run = other_seed[LINKAGE_PART_1]
    if run.returncode != 0:
        pytest.skip("part 1 stopped: test_every_check_holds_at_another_seed_and_size says why")
    cells = json.loads(run.executed.read_text(encoding="utf-8"))["cells"]
    said = {
        cell["id"]: "".join("".join(o.get("data", {}).get("text/plain", "")) for o in cell["outputs"])
        for cell in cells
        if cell.get("id", "").startswith("cell-check-")
    }
    assert len(said) == 3 and all(text.startswith("Done:") for text in said.values()), said
