"""The checks of the notebook's "Your turn" exercises: each says done, not done yet, or what is wrong.

Each check reads the project's files first (quick): an exercise nobody has touched is "not done
yet" without running dbt. Only when the files hold the change does a check run dbt, and then only
``dbt build --select <model>+``: the model the exercise changed, what depends on it and their tests
(a few seconds), into the database the notebook built. It then compares the model's rows with an
answer computed another way, because a green build over the wrong numbers proves nothing.

Every check takes the project's folder (``project_dir``) and where the database is (``output_dir``,
``name``), so that the tests can run the solutions on a temporary copy of the project.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import yaml

from example_output.exercises import Outcome, done, not_yet, wrong

from . import dbt_run, run_results

PROPERTIES = "models/marts/_marts__models.yml"
# Exercise 2: a column of the timeliness mart.
TIMELINESS_MART = "fct_court_quarter_timeliness"
MEAN_COLUMN = "mean_days_to_completion"
# Exercise 3: a mart of its own.
OFFENCE_MART = "fct_offence_quarter_timeliness"
OFFENCE_KEY = ("offence_category", "completed_quarter")


def _test_name(test) -> str:
    """A test as the properties file declares it: `not_null`, or `{accepted_values: {...}}`."""
    return test if isinstance(test, str) else next(iter(test), "") if isinstance(test, dict) else ""


def _test_arguments(test) -> dict:
    if not isinstance(test, dict):
        return {}
    config = next(iter(test.values()), None) or {}
    return {**config, **(config.get("arguments") or {})} if isinstance(config, dict) else {}


def _tests(entry: dict) -> list:
    """The tests of a model or a column (dbt 1.11 calls them data_tests; `tests` still works)."""
    return list(entry.get("data_tests") or []) + list(entry.get("tests") or [])


class BadProperties(ValueError):
    """A properties file that is not valid YAML: the message names it and says what to fix."""


def model_properties(project_dir: Path = dbt_run.PROJECT_DIR) -> dict[str, dict]:
    """Every model the project's properties files (models/**/*.yml) describe, by name, with the
    file it is in. A file that is not valid YAML raises BadProperties, naming it."""
    models: dict[str, dict] = {}
    for path in sorted((Path(project_dir) / "models").rglob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise BadProperties(
                f"{path.relative_to(project_dir)} is not valid YAML ({error}): check its indentation "
                "(spaces, never tabs, each level two more than the one above)."
            ) from error
        for model in data.get("models") or []:
            if isinstance(model, dict) and model.get("name"):
                models[model["name"]] = {**model, "_file": path.relative_to(project_dir).as_posix()}
    return models


def _columns(model: dict) -> dict[str, dict]:
    return {c["name"]: c for c in model.get("columns") or [] if isinstance(c, dict) and c.get("name")}


def _database(output_dir: Path, name: str) -> Path:
    return dbt_run.dbt_paths(output_dir, name)["database"]


def _no_database(output_dir: Path, name: str) -> Outcome | None:
    """Not done yet while the notebook has built nothing: the checks build on its models."""
    database = _database(output_dir, name)
    if database.exists():
        return None
    return not_yet(f"there is no database at {database} yet: run the notebook from the top, then this cell.")


def _build(model: str, curated: Path, project_dir: Path, output_dir: Path, name: str) -> Outcome | None:
    """dbt build --select <model>+ on the notebook's database; None if it passed, else the outcome
    to report: not yet while the notebook has built nothing, or what failed, in a sentence."""
    if unbuilt := _no_database(output_dir, name):
        return unbuilt
    result = dbt_run.run_dbt(
        ["build", "--select", f"{model}+"], curated, output_dir, name=name, project_dir=project_dir
    )
    if result.success:
        return None
    failed = run_results.failures(result)
    said = "; ".join(f"{f['name']} ({f['file']}): {f['message']}" for f in failed[:3])
    return wrong(
        f"`dbt build --select {model}+` failed: {said or 'see dbt log'}. Fix what it names and run this cell again."
    )


def _says_what_is_wrong_with_the_files(check):
    """A check whose properties file does not parse says so, naming the file, rather than raise."""

    @functools.wraps(check)
    def checked(*args, **kwargs) -> Outcome:
        try:
            return check(*args, **kwargs)
        except BadProperties as error:
            return wrong(str(error))

    return checked


# --- Exercise 1: a generic test ---


@_says_what_is_wrong_with_the_files
def check_court_type_test(
    project_dir: Path = dbt_run.PROJECT_DIR, output_dir: Path = dbt_run.OUTPUT_DIR, name: str = "court_timeliness"
) -> Outcome:
    """dim_courts.court_type has an accepted_values test whose values are the kinds of court in the data."""
    courts = model_properties(project_dir).get("dim_courts")
    if courts is None:
        return wrong(f"{PROPERTIES} no longer describes dim_courts: put its entry back (git diff shows it).")
    misplaced = [t for t in _tests(courts) if _test_name(t) == "accepted_values"]
    column = _columns(courts).get("court_type")
    tests = [t for t in _tests(column or {}) if _test_name(t) == "accepted_values"]
    if misplaced and not tests:
        return wrong(
            "accepted_values is in dim_courts's own data_tests, which test the whole model: move it under "
            "the column `- name: court_type`, in a data_tests list of its own."
        )
    if not tests:
        return not_yet("the column court_type of dim_courts has no accepted_values test.")
    values = _test_arguments(tests[0]).get("values")
    if not isinstance(values, list) or not values:
        return wrong("the accepted_values test lists no values: give it `arguments: {values: [crown, magistrates]}`.")
    if unbuilt := _no_database(output_dir, name):
        return unbuilt
    with duckdb.connect(str(_database(output_dir, name)), read_only=True) as con:
        kinds = sorted(row[0] for row in con.sql("select distinct court_type from dim_courts").fetchall())
    missing = [kind for kind in kinds if kind not in [str(v) for v in values]]
    if missing:
        return wrong(
            f"dim_courts.court_type holds {', '.join(kinds)}, but the test accepts only "
            f"{', '.join(map(str, values))}: it would fail on {', '.join(missing)}. Values are compared "
            "exactly, capitals included."
        )
    return done(
        f"dim_courts.court_type must be one of {', '.join(map(str, values))}; the data holds "
        f"{', '.join(kinds)}, so the test passes (it runs in every dbt build from now on)."
    )


# --- Exercise 2: a column of a mart ---


@_says_what_is_wrong_with_the_files
def check_mean_days(
    curated: Path,
    project_dir: Path = dbt_run.PROJECT_DIR,
    output_dir: Path = dbt_run.OUTPUT_DIR,
    name: str = "court_timeliness",
) -> Outcome:
    """fct_court_quarter_timeliness has mean_days_to_completion, described with a not_null test and
    equal to the mean of the completed cases' days, court by court and quarter by quarter."""
    sql_path = Path(project_dir) / "models" / "marts" / f"{TIMELINESS_MART}.sql"
    in_sql = MEAN_COLUMN in sql_path.read_text(encoding="utf-8") if sql_path.exists() else False
    mart = model_properties(project_dir).get(TIMELINESS_MART) or {}
    column = _columns(mart).get(MEAN_COLUMN)
    if not in_sql and column is None:
        return not_yet(f"{TIMELINESS_MART}.sql makes no column {MEAN_COLUMN}.")
    if not in_sql:
        return wrong(
            f"{PROPERTIES} describes {MEAN_COLUMN}, but {TIMELINESS_MART}.sql does not make it: add "
            f"`avg(completed_cases.days_to_completion) as {MEAN_COLUMN}` to its select list."
        )
    if column is None:
        return wrong(
            f"{TIMELINESS_MART}.sql makes {MEAN_COLUMN}, but {PROPERTIES} does not describe it: add it to "
            f"the model's columns, with a description and a not_null test."
        )
    if "not_null" not in [_test_name(t) for t in _tests(column)]:
        return wrong(f"{MEAN_COLUMN} in {PROPERTIES} has no not_null test: add `data_tests: [not_null]` under it.")
    if not_built := _build(TIMELINESS_MART, curated, project_dir, output_dir, name):
        return not_built
    with duckdb.connect(str(_database(output_dir, name)), read_only=True) as con:
        rows, differ, low, high = con.sql(
            f"""
            with expected as (
                select court_code, completed_quarter, avg(days_to_completion) as mean_days
                from fct_cases
                where is_completed
                group by court_code, completed_quarter
            )
            select count(*),
                   count(*) filter (where abs(mart.{MEAN_COLUMN} - expected.mean_days) > 1e-6
                                    or expected.mean_days is null),
                   min(mart.{MEAN_COLUMN}), max(mart.{MEAN_COLUMN})
            from {TIMELINESS_MART} as mart
            left join expected using (court_code, completed_quarter)
            """
        ).fetchall()[0]
    if differ:
        return wrong(
            f"{differ:,} of the {rows:,} courts and quarters have a {MEAN_COLUMN} that is not the mean of "
            "their completed cases' days_to_completion: take avg(completed_cases.days_to_completion)."
        )
    return done(
        f"dbt built {TIMELINESS_MART} and its tests passed; {MEAN_COLUMN} runs from {low:.1f} to {high:.1f} "
        f"days over {rows:,} courts and quarters, each the mean of its completed cases."
    )


# --- Exercise 3: a new mart with its own tests ---


@_says_what_is_wrong_with_the_files
def check_offence_mart(
    curated: Path,
    project_dir: Path = dbt_run.PROJECT_DIR,
    output_dir: Path = dbt_run.OUTPUT_DIR,
    name: str = "court_timeliness",
) -> Outcome:
    """fct_offence_quarter_timeliness exists, is described with has_rows and a unique_combination
    of its key, builds with its tests passing, and counts each offence's completed cases right."""
    sql_path = Path(project_dir) / "models" / "marts" / f"{OFFENCE_MART}.sql"
    mart = model_properties(project_dir).get(OFFENCE_MART)
    if not sql_path.exists():
        if mart is not None:
            return wrong(f"{mart['_file']} describes {OFFENCE_MART}, but models/marts/{OFFENCE_MART}.sql is missing.")
        return not_yet(f"there is no models/marts/{OFFENCE_MART}.sql yet.")
    if mart is None:
        return wrong(
            f"{OFFENCE_MART} has no properties: describe it in {PROPERTIES}, with its tests (has_rows, and "
            f"unique_combination of {', '.join(OFFENCE_KEY)}). A mart without tests can be wrong unseen."
        )
    tests = {_test_name(t): _test_arguments(t) for t in _tests(mart)}
    if "has_rows" not in tests:
        return wrong(f"{OFFENCE_MART} has no has_rows test: every other test passes on an empty table.")
    key = tests.get("unique_combination", {}).get("columns")
    if not key or set(key) != set(OFFENCE_KEY):
        return wrong(
            f"{OFFENCE_MART} needs a unique_combination test of its key, columns [{', '.join(OFFENCE_KEY)}]"
            + (f", not {key}." if key else ".")
        )
    if not_built := _build(OFFENCE_MART, curated, project_dir, output_dir, name):
        return not_built
    with duckdb.connect(str(_database(output_dir, name)), read_only=True) as con:
        columns = {row[0] for row in con.sql(f"describe {OFFENCE_MART}").fetchall()}
        if not {*OFFENCE_KEY, "completed_case_count"} <= columns:
            return wrong(
                f"{OFFENCE_MART} has the columns {', '.join(sorted(columns))}: it needs offence_category, "
                "completed_quarter and completed_case_count."
            )
        rows, differ, counted, completed = con.sql(
            f"""
            with expected as (
                select offence_category, completed_quarter, count(*) as cases
                from fct_cases
                where is_completed
                group by offence_category, completed_quarter
            )
            select count(*),
                   count(*) filter (where mart.completed_case_count is distinct from expected.cases),
                   sum(mart.completed_case_count),
                   (select count(*) from fct_cases where is_completed)
            from {OFFENCE_MART} as mart
            full join expected using (offence_category, completed_quarter)
            """
        ).fetchall()[0]
    if differ:
        return wrong(
            f"{OFFENCE_MART} counts {counted or 0:,} cases in all, and fct_cases has {completed:,} completed "
            f"cases: {differ:,} offences and quarters differ. Count only completed cases (where is_completed), "
            "grouped by offence_category and completed_quarter."
        )
    return done(
        f"dbt built {OFFENCE_MART} and its tests passed: {rows:,} offences and quarters, whose counts add "
        f"up to the {completed:,} completed cases of fct_cases."
    )
