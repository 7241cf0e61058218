"""The dbt notebook's "Your turn" exercises (court_timeliness_dbt/exercises.py): for each one, the
check says "not done yet" on the untouched project, "done" once the solution the notebook shows
is applied, and "not right yet", naming the problem, for a typical wrong answer.

The solutions are read from the notebook's own solution blocks (what a reader sees is what is
tested) and applied to a temporary copy of the dbt project, never to the repository's. The checks
that build run `dbt build --select <model>+` into a copy of the session's good build's database
(court_timeliness_fixtures.good_build, which test_court_timeliness_dbt.py builds too: the two
modules run in the same worker, so it is built once). The wrong answers that the files alone
give away are checked without dbt, and take no time.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from court_timeliness_dbt import dbt_run, exercises
from example_output.exercises import Status
from exercise_blocks import solution_text

# Same worker as test_court_timeliness_dbt.py, whose good build these tests copy (conftest._group).
WORKER_GROUP = "test_court_timeliness_dbt.py"
SLOW = pytest.mark.slow  # the tests that need dbt's good build (see the markers in pyproject.toml)

NOTEBOOK = ROOT / "notebooks" / "court_timeliness_dbt" / "court_timeliness_dbt.ipynb"
LABELS = {
    "court_timeliness_dbt-court-type": "check_court_type_test",
    "court_timeliness_dbt-mean-days": "check_mean_days",
    "court_timeliness_dbt-offence-mart": "check_offence_mart",
}
FENCE = re.compile(r"^```([\w+-]+)\n(.*?)^```$", re.M | re.S)
PROJECT_FILE = re.compile(r"`court_timeliness/([\w/]+\.(?:sql|yml))`")


def cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def solution(label: str) -> list[tuple[str, str]]:
    """The changes the notebook's solution to `label` shows: (file in the project, its lines), in
    order. Each code block follows the paragraph that names its file."""
    text, changes, start = solution_text(NOTEBOOK, label), [], 0
    for block in FENCE.finditer(text):
        named = PROJECT_FILE.findall(text[start : block.start()])
        assert named, f"no file named before the code block of the solution to {label}:\n{block.group(0)}"
        changes.append((named[-1], block.group(2)))
        start = block.end()
    assert changes, f"the solution to {label} shows no change"
    return changes


def apply(project: Path, file: str, lines: str) -> None:
    """Apply one change as a reader does: a new file is written; in a file that exists, the block's
    first lines are found (a line may have gained a trailing comma) and its other lines go after
    them; a block whose first line is not in the file goes at its end."""
    path = project / file
    if not path.exists():
        path.write_text(lines, encoding="utf-8")
        return
    old, new = path.read_text(encoding="utf-8").split("\n"), lines.rstrip("\n").split("\n")
    same = lambda mine, theirs: mine == theirs or mine == theirs + ","  # noqa: E731
    starts = [i for i, line in enumerate(old) if same(new[0], line)]
    if not starts:
        path.write_text("\n".join(old).rstrip("\n") + "\n" + "\n".join(new) + "\n", encoding="utf-8")
        return
    assert len(starts) == 1, f"{file}: the solution's first line is there {len(starts)} times: {new[0]!r}"
    at, kept = starts[0], 0
    while kept < len(new) and at + kept < len(old) and same(new[kept], old[at + kept]):
        kept += 1
    path.write_text("\n".join(old[:at] + new + old[at + kept :]), encoding="utf-8")


def copy_project(copy: Path) -> Path:
    """A copy of the dbt project, at `copy`, to change."""
    shutil.copytree(dbt_run.PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return copy


def solved_project(copy: Path) -> Path:
    """A copy of the dbt project with every exercise's solution applied, as a learner who did them
    all has it (tests/test_other_seed.py runs the notebook on it)."""
    project = copy_project(copy)
    for label in LABELS:
        solved(project, label)
    return project


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "court_timeliness")


def solved(project: Path, label: str, change=lambda file, lines: lines) -> Path:
    """The project with the solution to `label` applied (each change first passed through `change`,
    which may leave one out by returning nothing)."""
    for file, lines in solution(label):
        if changed := change(file, lines):
            apply(project, file, changed)
    return project


@pytest.fixture
def database(good_build, dbt_output, tmp_path) -> tuple[Path, str]:
    """A copy of the good build's database to build into: (output_dir, name) for the checks."""
    assert good_build.success
    source = dbt_run.dbt_paths(dbt_output, "good")["database"]
    target = dbt_run.dbt_paths(tmp_path / "output", "exercise")["database"]
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    return tmp_path / "output", "exercise"


def test_every_exercise_of_the_notebook_has_a_check_cell_and_a_solution_and_is_tested():
    """Each exercise: its directive, the cell that runs its check, then its solution, collapsed."""
    sources = ["".join(c["source"]) for c in cells()]
    labels = [m.group(1) for s in sources for m in [re.search(r"^::::\{exercise\}.*\n:label: (\S+)", s)] if m]
    assert labels == list(LABELS), labels
    for label, check in LABELS.items():
        at = next(i for i, s in enumerate(sources) if f":label: {label}\n" in s)
        assert re.fullmatch(rf"exercises\.{check}\((curated)?\)", sources[at + 1].strip()), sources[at + 1]
        assert sources[at + 2].startswith(f"::::{{solution}} {label}\n:class: dropdown\n"), sources[at + 2]
        assert hasattr(exercises, check)


def test_untouched_exercises_are_not_done_yet_and_run_no_dbt(tmp_path, monkeypatch):
    monkeypatch.setattr(dbt_run, "run_dbt", lambda *a, **k: pytest.fail("a check ran dbt on an untouched exercise"))
    outcomes = [
        exercises.check_court_type_test(dbt_run.PROJECT_DIR, tmp_path, "none"),
        exercises.check_mean_days(tmp_path, dbt_run.PROJECT_DIR, tmp_path, "none"),
        exercises.check_offence_mart(tmp_path, dbt_run.PROJECT_DIR, tmp_path, "none"),
    ]
    assert [o.status for o in outcomes] == [Status.NOT_YET] * 3, outcomes
    assert str(outcomes[0]).startswith("Not done yet: ")


# --- Exercise 1: accepted_values on dim_courts.court_type ---


@SLOW
def test_court_type_solution_is_done(project, good_build, dbt_output):
    solved(project, "court_timeliness_dbt-court-type")
    outcome = exercises.check_court_type_test(project, dbt_output, "good")
    assert outcome.status is Status.DONE, outcome
    assert "crown, magistrates" in outcome.message


@SLOW
def test_court_type_with_capitals_is_not_right_and_says_why(project, good_build, dbt_output):
    solved(project, "court_timeliness_dbt-court-type", lambda file, lines: lines.replace("crown,", "Crown,"))
    outcome = exercises.check_court_type_test(project, dbt_output, "good")
    assert outcome.status is Status.WRONG, outcome
    assert "it would fail on crown" in outcome.message and "capitals" in outcome.message, outcome


def test_court_type_test_on_the_model_not_the_column_is_not_right(project, tmp_path):
    properties = project / exercises.PROPERTIES
    data = yaml.safe_load(properties.read_text(encoding="utf-8"))
    courts = next(m for m in data["models"] if m["name"] == "dim_courts")
    courts["data_tests"].append({"accepted_values": {"arguments": {"values": ["crown", "magistrates"]}}})
    properties.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    outcome = exercises.check_court_type_test(project, tmp_path, "none")
    assert outcome.status is Status.WRONG and "under the column `- name: court_type`" in outcome.message, outcome


def test_a_properties_file_that_is_not_yaml_is_not_right_and_named(project, tmp_path):
    """A tab, as an editor may put in, breaks the YAML: every check says which file and what to fix."""
    properties = project / exercises.PROPERTIES
    properties.write_text(properties.read_text(encoding="utf-8").replace("        description:", "\tdescription:", 1))
    for outcome in (
        exercises.check_court_type_test(project, tmp_path, "none"),
        exercises.check_mean_days(tmp_path, project, tmp_path, "none"),
        exercises.check_offence_mart(tmp_path, project, tmp_path, "none"),
    ):
        assert outcome.status is Status.WRONG, outcome
        assert f"{exercises.PROPERTIES} is not valid YAML" in outcome.message and "never tabs" in outcome.message


def test_a_solution_before_the_notebook_built_anything_is_not_done_yet(project, tmp_path, monkeypatch):
    """The checks build on the notebook's models: with no database yet they say to run it first."""
    monkeypatch.setattr(dbt_run, "run_dbt", lambda *a, **k: pytest.fail("a check ran dbt with no database"))
    for label in LABELS:
        solved(project, label)
    for outcome in (
        exercises.check_court_type_test(project, tmp_path, "none"),
        exercises.check_mean_days(tmp_path, project, tmp_path, "none"),
        exercises.check_offence_mart(tmp_path, project, tmp_path, "none"),
    ):
        assert outcome.status is Status.NOT_YET and "run the notebook from the top" in outcome.message, outcome


# --- Exercise 2: mean_days_to_completion in fct_court_quarter_timeliness ---


@SLOW
def test_mean_days_solution_is_done(project, database, curated):
    solved(project, "court_timeliness_dbt-mean-days")
    outcome = exercises.check_mean_days(curated, project, *database)
    assert outcome.status is Status.DONE, outcome
    assert "each the mean of its completed cases" in outcome.message


def test_mean_days_described_but_not_made_is_not_right(project, tmp_path):
    """The YAML change alone: dbt would build without a word (a described column need not exist)."""
    solved(project, "court_timeliness_dbt-mean-days", lambda file, lines: lines if file.endswith(".yml") else "")
    outcome = exercises.check_mean_days(tmp_path, project, tmp_path, "none")
    assert outcome.status is Status.WRONG, outcome
    assert "does not make it" in outcome.message and "avg(completed_cases.days_to_completion)" in outcome.message


# --- Exercise 3: fct_offence_quarter_timeliness with its tests ---


@SLOW
def test_offence_mart_solution_is_done(project, database, curated):
    solved(project, "court_timeliness_dbt-offence-mart")
    outcome = exercises.check_offence_mart(curated, project, *database)
    assert outcome.status is Status.DONE, outcome
    assert "add up to the" in outcome.message


@SLOW
def test_offence_mart_that_counts_open_cases_is_not_right_and_says_why(project, database, curated):
    """Every test passes (the open cases make one more row per offence), but the counts are wrong."""
    solved(
        project, "court_timeliness_dbt-offence-mart", lambda file, lines: lines.replace("    where is_completed\n", "")
    )
    outcome = exercises.check_offence_mart(curated, project, *database)
    assert outcome.status is Status.WRONG, outcome
    assert "Count only completed cases (where is_completed)" in outcome.message, outcome


def test_offence_mart_without_its_tests_is_not_right(project, tmp_path):
    solved(project, "court_timeliness_dbt-offence-mart", lambda file, lines: lines if file.endswith(".sql") else "")
    outcome = exercises.check_offence_mart(tmp_path, project, tmp_path, "none")
    assert outcome.status is Status.WRONG and "has no properties" in outcome.message, outcome


# --- Where to change what ---


def test_the_notebook_links_the_projects_readme_where_the_repository_keeps_it():
    """The README is not a page of the book: the notebook links to it on the repository that
    _config.yml names, at its path in this repository, on its branch."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    readme = (dbt_run.PROJECT_DIR / "README.md").relative_to(ROOT).as_posix()
    expected = f"{config['url'].rstrip('/')}/blob/{config['branch']}/{readme}"
    text = "\n".join("".join(c["source"]) for c in cells() if c["cell_type"] == "markdown")
    assert f"[README]({expected})" in text, f"no link to {expected}"
    assert (ROOT / readme).is_file()
