"""The ETL notebook's exercises (court_cases_etl/exercises.py): untouched, each check says not done
yet; with the solution the notebook shows (read from its own solution block) applied to copies
of the files, done; with a typical wrong answer, not right yet, naming the problem."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT
from court_cases_etl import exercises
from example_output.exercises import Status
from exercise_blocks import solution_code

EXAMPLE = ROOT / "notebooks" / "court_cases_etl"
NOTEBOOK = EXAMPLE / "court_cases_etl.ipynb"


def solution(label: str) -> str:
    """The TOML block of the notebook's solution to the exercise ``label``."""
    return solution_code(NOTEBOOK, label).removesuffix("\n")


@pytest.fixture(autouse=True)
def nothing_left_behind(tmp_path, monkeypatch):
    """Each check writes its small batch to a temporary folder: it must leave nothing there, for a
    learner runs the checks again and again (a leftover folder each time filled /tmp)."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield
    left = sorted(path.name for path in scratch.iterdir())
    assert not left, f"the exercise checks left {left} in the temporary folder"


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    """Copies of rules.toml and contract.toml, to change as a learner would."""
    for name in ("rules.toml", "contract.toml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    return tmp_path / "rules.toml", tmp_path / "contract.toml"


def append(path: Path, block: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + block + "\n", encoding="utf-8")


def replace_plea(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index('[[column]]\nname = "plea"')
    end = text.find("\n[[", start + 1)
    path.write_text(text[:start] + block + "\n" + (text[end:] if end >= 0 else ""), encoding="utf-8")


CHECKS = {
    "court-cases-etl-new-rule": exercises.check_new_rule,
    "court-cases-etl-new-column": exercises.check_new_column,
    "court-cases-etl-required-plea": exercises.check_required_when_completed,
}


def test_each_exercise_in_the_notebook_has_its_check_and_solution():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    text = ["".join(cell["source"]) for cell in cells]
    for label, check in CHECKS.items():
        at = next(i for i, t in enumerate(text) if f":label: {label}" in t)
        assert (
            text[at + 1].endswith(f"\nexercises.{check.__name__}()") or text[at + 1] == f"exercises.{check.__name__}()"
        )
        assert text[at + 2].startswith(f"::::{{solution}} {label}\n:class: dropdown"), label


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
def test_untouched_each_exercise_is_not_done_yet(files, check):
    rules_path, contract_path = files
    assert check(rules_path, contract_path).status is Status.NOT_YET


def test_the_new_rule_solution_is_done_and_an_inverted_condition_is_named(files):
    rules_path, contract_path = files
    append(rules_path, solution("court-cases-etl-new-rule"))
    outcome = exercises.check_new_rule(rules_path, contract_path)
    assert outcome.status is Status.DONE, outcome
    assert "received_date 2022-" in outcome.message
    rules_path.write_text(rules_path.read_text().replace("clean_received_date <", "clean_received_date >="))
    outcome = exercises.check_new_rule(rules_path, contract_path)
    assert outcome.status is Status.WRONG and "rows received in 2023 or later" in outcome.message, outcome


def test_a_new_rule_that_duckdb_cannot_read_is_not_right_yet_with_the_line(files):
    rules_path, contract_path = files
    append(rules_path, solution("court-cases-etl-new-rule").replace("DATE '2023-01-01'", "DATE '2023-01-01"))
    outcome = exercises.check_new_rule(rules_path, contract_path)
    assert outcome.status is Status.WRONG and re.search(
        r"rules.toml, line \d+: rule .received_before_2023.: DuckDB cannot use its condition: Parser Error",
        outcome.message,
    )


def test_the_new_column_solution_is_done_and_a_wrong_type_is_named(files):
    rules_path, contract_path = files
    append(contract_path, solution("court-cases-etl-new-column"))
    outcome = exercises.check_new_column(rules_path, contract_path)
    assert outcome.status is Status.DONE and "guilty" in outcome.message, outcome
    contract_path.write_text(
        contract_path.read_text().replace('name = "plea"\ntype = "VARCHAR"', 'name = "plea"\ntype = "DATE"')
    )
    contract_path.write_text(
        contract_path.read_text().replace('standardise = "lower"\ndescription = "The def', 'description = "The def')
    )
    outcome = exercises.check_new_column(rules_path, contract_path)
    assert outcome.status is Status.WRONG and "(unparseable_date: plea '" in outcome.message, outcome


def test_the_required_plea_solution_is_done_and_required_always_is_named(files):
    rules_path, contract_path = files
    append(contract_path, solution("court-cases-etl-new-column"))
    assert exercises.check_required_when_completed(rules_path, contract_path).status is Status.NOT_YET
    replace_plea(contract_path, solution("court-cases-etl-required-plea"))
    outcome = exercises.check_required_when_completed(rules_path, contract_path)
    assert outcome.status is Status.DONE, outcome
    contract_path.write_text(contract_path.read_text().replace('"clean_completed_date IS NOT NULL"', "true"))
    outcome = exercises.check_required_when_completed(rules_path, contract_path)
    assert outcome.status is Status.WRONG and "an open case with no plea was quarantined" in outcome.message, outcome


def test_a_required_plea_the_generator_leaves_blank_is_named(files):
    rules_path, contract_path = files
    append(contract_path, solution("court-cases-etl-new-column"))
    replace_plea(contract_path, solution("court-cases-etl-required-plea").replace('"not_guilty"]', '"not_guilty", ""]'))
    outcome = exercises.check_required_when_completed(rules_path, contract_path)
    assert outcome.status is Status.WRONG and 'take "" out of the synthetic values' in outcome.message, outcome
